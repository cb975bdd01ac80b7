"""A search request: its parameters, declared once, and the rules between them.

``parameters`` is the one declaration: the request checks its values by it,
the API reads the query string by its names, the OpenAPI description shows it.
"""

import functools
from dataclasses import dataclass

from indexer.document import KINDS
from indexer.engines import facet_counts
from indexer.engines.base import FACETS
from indexer.engines.base import Filters
from indexer.errors import BadQuery
from indexer.read.parameter import PATTERN_MESSAGES
from indexer.read.parameter import Parameter
from indexer.read.parameter import check
from indexer.settings import Settings

SORTS = ("relevance", "date")
TRANSLITERATE = ("auto", "off")
MAX_RESULT_WINDOW = 10_000  # deepest result a page may reach
FACETS_PATTERN = "^({0})(,({0}))*$".format("|".join(FACETS))
PATTERN_MESSAGES[FACETS_PATTERN] = f"must be a comma-separated list of: {', '.join(FACETS)}"
TOO_DEEP = f"results beyond the first {MAX_RESULT_WINDOW} are not served; narrow the query"


@functools.lru_cache(maxsize=8)
def parameters(settings: Settings) -> tuple[Parameter, ...]:
    """The search parameters under these settings, in the order they are checked."""
    date = {"type": "string", "format": "date", "examples": ["2024-12-08"]}
    max_q, default = settings.max_query_chars, SearchRequest
    return (
        Parameter(
            "q",
            "q",
            {"type": "string", "maxLength": max_q, "default": default.q},
            'The query: words, "a phrase", -excluded, title:word. Empty: no hits.',
            ("query_too_long", f"q is longer than {max_q} characters"),
        ),
        Parameter(
            "page",
            "page",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_RESULT_WINDOW,
                "default": default.page,
            },
            f"1-based page number; page × per_page at most {MAX_RESULT_WINDOW}.",
            ("page_too_deep", TOO_DEEP),
        ),
        Parameter(
            "per_page",
            "per_page",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.max_per_page,
                "default": default.per_page,
            },
            "Hits per page.",
        ),
        Parameter(
            "kind", "kind", {"type": "string", "enum": list(KINDS)}, "Only this kind of document."
        ),
        Parameter(
            "sort",
            "sort",
            {"type": "string", "enum": list(SORTS), "default": default.sort},
            "Ranking, or newest first.",
        ),
        Parameter("from", "date_from", date, "Earliest date, inclusive."),
        Parameter("to", "date_to", date, "Latest date, inclusive; not before from."),
        Parameter("source", "source", {"type": "string"}, "Only documents from this source."),
        Parameter(
            "transliterate",
            "transliterate",
            {"type": "string", "enum": list(TRANSLITERATE), "default": default.transliterate},
            "auto: a query in Latin letters that finds little as typed is read as Arabizi "
            "or Buckwalter (ghaza, gz~p) and the Arabic searched instead; off: as typed.",
        ),
        Parameter("section", "section", {"type": "string"}, "Only documents of this section."),
        Parameter(
            "facets",
            "facets",
            {"type": "string", "pattern": FACETS_PATTERN, "examples": [",".join(FACETS)]},
            f"Counts to add to the reply, comma-separated, of: {', '.join(FACETS)}. "
            f"The {facet_counts.FACET_SIZE} commonest sources or sections of all the "
            f"query's matches; their dates by month, or by day when they span at most "
            f"{facet_counts.DAY_SPAN} days.",
        ),
        Parameter(
            "collapse",
            "collapse",
            {"type": "boolean", "default": default.collapse},
            "One story republished by several sources shown once, the others in its "
            f"also_in (within the top {settings.collapse_window} results); "
            "false shows every copy. In a query string: true, false, 1 or 0.",
        ),
    )


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 10
    kind: str | None = None
    sort: str = "relevance"
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None
    transliterate: str = "auto"
    section: str | None = None
    facets: str | None = None  # comma-separated names of FACETS
    collapse: bool = True

    @property
    def facet_names(self) -> tuple[str, ...]:
        """The facets asked for, each once, in the order of FACETS."""
        asked = set(self.facets.split(",")) if self.facets else set()
        return tuple(name for name in FACETS if name in asked)

    def validate(self, settings: Settings) -> None:
        """Raise BadQuery naming the first rule the request breaks."""
        for parameter in parameters(settings):
            value = getattr(self, parameter.attribute)
            if value is not None:
                check(parameter, value)
        # The rules between parameters, which a JSON Schema cannot state:
        # the OpenAPI description gives them in words.
        if self.page * self.per_page > MAX_RESULT_WINDOW:
            raise BadQuery("page_too_deep", TOO_DEEP, "page", "window")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise BadQuery(
                "invalid_parameter",
                f"to ({self.date_to}) is before from ({self.date_from})",
                "to",
                "order",
            )

    @property
    def filters(self) -> Filters:
        return Filters(self.kind, self.source, self.section, self.date_from, self.date_to)
