"""The one document shape every source yields and every engine stores."""

from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields

from indexer import schema

KINDS = ("headline", "article")


@dataclass(frozen=True)
class Document:
    id: str
    kind: str
    title: str
    body: str = ""
    date: str = ""  # ISO 8601 date (YYYY-MM-DD), or "" when unknown
    url: str = ""
    source: str = ""
    section: str = ""
    # (file, line) the document was read from, for error messages; not stored.
    origin: tuple[str, int] = field(default=("", 0), compare=False, repr=False)

    def __post_init__(self):
        # Callers validate input and raise BadDocument with file:line; this
        # guards the invariants every engine relies on.
        assert self.id and self.kind in KINDS, (self.id, self.kind)

    @property
    def text(self) -> str:
        """Title then body: what is searched (titles prepended, not a separate field)."""
        return f"{self.title}\n{self.body}" if self.body else self.title

    def to_dict(self) -> dict:
        """The stored fields."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "origin"}


def iso_date(value: str) -> str:
    """The YYYY-MM-DD part of a date string, or "" if it has none."""
    # Timestamps (2024-05-01T10:00Z) keep their date part.
    date = value.strip()[: len(schema.DATE_SHAPE)]
    return date if schema.DATE_PATTERN.match(date) else ""
