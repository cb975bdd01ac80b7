"""The engine boundary: documents, queries and results; never files or the web.

An engine stores the analysed term streams of ``indexer.schema`` and the
stored fields, and answers engine queries.  Ranking policy, highlighting and
suggestions live above it, the same for every engine.
"""

from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from pathlib import Path

from indexer.document import Document
from indexer.schema import SIGNATURE
from indexer.schema import Streams


@dataclass(frozen=True)
class TermClause:
    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True)
class PhraseClause:
    field: str
    terms: tuple[str, ...]
    boost: float = 1.0  # weights its score (the sum of its words' BM25) among the should clauses


Clause = TermClause | PhraseClause


@dataclass(frozen=True)
class EngineQuery:
    """Documents matching every ``must`` clause (or, with none, any ``should``
    clause), none of the ``must_not`` ones; scored by the ``should`` clauses
    (and the ``must`` ones).  A phrase among the ``should`` clauses (a
    synonym of several words) matches and scores only where its words stand
    in order.

    With ``rescore``, ranked in two stages: the top ``rescore.window`` by
    relevance are scored again by ``rescore.query`` and ranked by it; the
    results past the window keep this query's order.  This query alone
    decides what matches, the total and the order by date.
    """

    should: tuple[Clause, ...] = ()
    must: tuple[Clause, ...] = ()
    must_not: tuple[Clause, ...] = ()
    rescore: "Rescore | None" = None


@dataclass(frozen=True)
class Rescore:
    """The second stage of a ranking: ``query`` matches every document the
    first stage does, and scores them with more features."""

    query: EngineQuery
    window: int


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    source: str | None = None
    section: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None


@dataclass(frozen=True, eq=False)
class Hit:
    """One ranked result.  Its stored fields (those of ``indexer.schema.HIT_FIELDS``)
    are read by ``load`` when first asked for: a caller can take more hits than it
    shows (the collapse of near-duplicates does) and pay only for those it reads.

    The body may come as its UTF-8 bytes (an engine that stores it so): a hit's
    body is read for its snippet alone, which the compiled core finds in the
    bytes, never decoding the whole article (a twentieth of a served query)."""

    score: float
    load: Callable[[], dict] = field(repr=False)
    address: object = None  # the engine's handle of the document, for reading more of it

    @classmethod
    def of(cls, score: float, stored: dict) -> "Hit":
        """A hit whose stored fields are already read."""
        return cls(score, lambda: stored)

    @cached_property
    def stored(self) -> dict:
        return self.load()

    @property
    def id(self) -> str:
        return self.stored["id"]


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]
    timed_out: bool = False


FACET_FIELDS = ("source", "section")  # counted by value
DATE_FACET = "date"  # counted by month, or by day over a short span
FACETS = (*FACET_FIELDS, DATE_FACET)


@dataclass(frozen=True)
class Facets:
    """Counts over every document a query matches: ``values`` the top values of
    each asked-for field of FACET_FIELDS, as (value, count), most first; ``dates``
    (interval, [(key, count)] oldest first) when the date facet was asked for."""

    values: dict[str, list[tuple[str, int]]]
    dates: tuple[str, list[tuple[str, int]]] | None = None


class Writer(ABC):
    @abstractmethod
    def add(self, doc: Document, streams: Streams) -> None:
        """Add or replace (by id) one document; ``streams`` as ``schema.term_streams`` gives them."""

    @abstractmethod
    def delete(self, doc_id: str) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def cancel(self) -> None: ...


class Reader(ABC):
    @abstractmethod
    def search(
        self,
        query: EngineQuery,
        filters: Filters,
        sort: str,
        offset: int,
        limit: int,
        time_limit: float,
    ) -> Results:
        """``sort`` is "relevance" or "date" (newest first)."""

    def signatures(self, hits: list[Hit]) -> list[str]:
        """The near-duplicate signature (``indexer.signature``) of each of ``hits``
        of a search, "" where a document has none."""
        return [hit.stored.get(SIGNATURE) or "" for hit in hits]

    @abstractmethod
    def facets(self, query: EngineQuery, filters: Filters, names: tuple[str, ...]) -> Facets:
        """The facets ``names`` (of FACETS) of the documents ``query`` and ``filters``
        match, shaped by ``indexer.engines.facet_counts``."""

    @abstractmethod
    def get(self, doc_id: str) -> dict | None:
        """The stored fields of the document ``doc_id``; None if there is none."""

    @abstractmethod
    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        """How many documents hold each of ``terms`` in the search field ``field``
        (the n of its idf; 0 for a term no document holds)."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...


class Engine(ABC):
    name: str

    @abstractmethod
    def writer(self, location: Path, base: Path | None = None) -> Writer:
        """A writer of a new index at ``location``, starting empty or from a copy of ``base``."""

    @abstractmethod
    def reader(self, location: Path) -> Reader: ...

    def publish(self, location: Path) -> None:  # noqa: B027 (optional hook, not abstract)
        """Called once the generation at ``location`` is the served one.

        Local engines need nothing more than the catalog's CURRENT pointer; a
        remote one moves its own pointer (an alias) here.
        """
