"""Query-time synonyms, written in the Solr and Elasticsearch synonym format.

    # a comment
    الولايات المتحدة, أمريكا, واشنطن     equivalent: any one also finds the others
    تنظيم الدولة => داعش                  one way: the left also finds the right

Every entry is analysed by the same chain as documents and queries, so an
entry matches every spelling and inflection that analyses alike (أمريكا,
امريكا; للأمم المتحدة for الأمم المتحدة).  Matching is by light stems, the
longest entry first.  The query's own words always stay: synonyms only add.

A reindex copies the file into the new generation (``FILE``), so the
generation served and the synonyms it is searched with change together.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import Term
from indexer.analysis import analyse
from indexer.errors import ConfigError

FILE = "synonyms.txt"  # in a generation
DEFAULT = Path(__file__).resolve().parent / "data" / "synonyms-news.txt"
_COMMENT = re.compile(r"#.*")


@dataclass(frozen=True)
class Entry:
    text: str  # as written in the file
    terms: tuple[Term, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(t.stem for t in self.terms)


@dataclass(frozen=True)
class Expansion:
    """Something a query matched (``source``) and what it adds (``target``)."""

    source: Entry
    target: Entry


def read(path: Path) -> str:
    """A synonyms file's text; ConfigError if it cannot be read."""
    try:
        return Path(path).read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"BAHTH_SYNONYMS: no file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"BAHTH_SYNONYMS: cannot read {path}: {exc}") from exc


def parse(text: str, origin: str = "synonyms") -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(sources, targets) of each rule; an equivalence maps its entries to themselves.

    >>> parse("# news\\nأمريكا, واشنطن\\nداعش => تنظيم الدولة")
    [(('أمريكا', 'واشنطن'), ('أمريكا', 'واشنطن')), (('داعش',), ('تنظيم الدولة',))]
    """
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", line).strip()
        if not line:
            continue
        sides = [
            tuple(filter(None, (e.strip() for e in side.split(",")))) for side in line.split("=>")
        ]
        if len(sides) > 2 or not all(sides):
            raise ConfigError(f"{origin}:{number}: write `a, b, c` or `a, b => c, d`, not {line!r}")
        rules.append((sides[0], sides[-1]))
    return rules


class Synonyms:
    """The expansions of analysed query words; empty (off) for an empty file."""

    def __init__(self, rules):
        self._targets: dict[tuple[str, ...], dict[tuple[str, ...], Expansion]] = {}
        for sources, targets in rules:
            analysed = [_entry(t) for t in targets]
            for source in filter(None, map(_entry, sources)):
                found = self._targets.setdefault(source.key, {})
                for target in analysed:
                    # A target holding its source (تنظيم الدولة الإسلامية for
                    # تنظيم الدولة) finds nothing the source does not.
                    if target and not _holds(target.key, source.key):
                        found.setdefault(target.key, Expansion(source, target))
        self._longest = max(map(len, self._targets), default=0)

    def __bool__(self) -> bool:
        return bool(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    @classmethod
    def load(cls, path: Path) -> "Synonyms":
        """The synonyms of a file; ConfigError naming the file and line if it is not valid."""
        return cls(parse(read(path), str(path)))

    def expand(self, words: tuple[Term, ...]) -> tuple[Expansion, ...]:
        """What ``words`` (a query's, in order) add: entries the query does not already hold.

        >>> s = Synonyms(parse("الأمم المتحدة, المنظمة الدولية"))
        >>> [e.target.text for e in s.expand(tuple(analyse("قرار للأمم المتحدة")))]
        ['المنظمة الدولية']
        """
        if not self._targets:
            return ()
        stems = tuple(t.stem for t in words)
        found = {}
        start = 0
        while start < len(stems):
            for length in range(min(self._longest, len(stems) - start), 0, -1):
                targets = self._targets.get(tuple(stems[start : start + length]))
                if targets:
                    for key, expansion in targets.items():
                        if not _holds(stems, key):
                            found.setdefault(key, expansion)
                    start += length
                    break
            else:
                start += 1
        # A target holding another (تنظيم الدولة الإسلامية, تنظيم الدولة) finds
        # nothing more, and would count its documents twice.
        return tuple(
            e
            for key, e in found.items()
            if not any(other != key and _holds(key, other) for other in found)
        )


def _holds(stems: tuple[str, ...], key: tuple[str, ...]) -> bool:
    """True when ``key`` is among ``stems``, in order and adjacent: the query already asks for it."""
    return any(stems[i : i + len(key)] == key for i in range(len(stems) - len(key) + 1))


def _entry(text: str) -> Entry | None:
    terms = tuple(analyse(text))
    return Entry(text, terms) if terms else None  # only stop words: nothing to match
