"""Related articles ("more like this"): the articles closest to a text by its distinctive stems.

The text (a stored document's title and body, or an editor's draft) is
analysed by the chain that indexed the articles.  Each of its light stems
weighs its frequency in the text × its idf in the index, ln(1 + (N - n +
0.5) / (n + 0.5)), the idf BM25 ranks by, n from the engine's document
frequencies.  The heaviest ``terms`` stems, each boosted by its weight over
the heaviest's, make one disjunction over the stem field: the articles BM25
ranks first by it are the related ones.  Every engine answers it alike.
"""

from collections import Counter
from dataclasses import dataclass
from math import log
from typing import NamedTuple

from indexer import schema
from indexer.analysis import Term
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import Hit
from indexer.engines.base import Reader
from indexer.engines.base import TermClause
from indexer.errors import BadQuery
from indexer.read.parameter import NOT_BLANK
from indexer.read.parameter import Parameter
from indexer.read.parameter import check

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_TEXT_CHARS = 20_000  # a long feature; 5 of the 30,017 news articles are longer
ARTICLES = Filters(kind="article")  # a headline has too few words to be read as related


def related_parameters() -> tuple[Parameter, ...]:
    """The parameters of a related-articles request, in the order they are checked."""
    return (
        Parameter(
            "text",
            "text",
            {"type": "string", "maxLength": MAX_TEXT_CHARS, "pattern": NOT_BLANK},
            "The text (a draft, not in the index) to find related articles of.",
            ("text_too_long", f"text is longer than {MAX_TEXT_CHARS} characters"),
        ),
        Parameter(
            "limit",
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "How many related articles, closest first.",
        ),
    )


@dataclass(frozen=True)
class RelatedRequest:
    """The related articles of the stored document ``id``, or of ``text``."""

    id: str | None = None
    text: str | None = None
    limit: int = DEFAULT_LIMIT

    def validate(self) -> None:
        """Raise BadQuery naming the first rule the request breaks."""
        for parameter in related_parameters():
            value = getattr(self, parameter.attribute)
            if value is not None:
                check(parameter, value)
        if self.id is None and self.text is None:
            raise BadQuery("invalid_parameter", "text is required", "text", "required")


@dataclass
class RelatedResponse:
    id: str | None  # the stored document they relate to; None for a text
    title: str | None  # its title and URL
    url: str | None
    took_ms: float
    hits: list[dict]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "took_ms": self.took_ms,
            "hits": self.hits,
        }


def idf(documents: int, frequency: int) -> float:
    """BM25's idf of a term ``frequency`` of ``documents`` documents hold.

    >>> round(idf(100, 1), 3), round(idf(100, 50), 3)
    (4.21, 0.693)
    """
    return log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def distinctive(
    terms: list[Term], frequencies: dict[str, int], documents: int, count: int, indexed: bool
) -> list[tuple[Term, float]]:
    """The ``count`` heaviest stems of ``terms`` (a text's, in order) by tf × idf, heaviest
    first, each as the first of its terms (for the highlighter), with its weight.

    ``frequencies``: stem → documents holding it.  With ``indexed`` the text
    is one of them: a stem no other document holds cannot find another, and
    is left out (so is, for any text, a stem no document holds).

    >>> terms = [Term("النفط", "نفط", "نفط"), Term("النفط", "نفط", "نفط"), Term("سوريا", "سوريا", "سور")]
    >>> [(t.stem, round(w, 2)) for t, w in distinctive(terms, {"نفط": 5, "سوريا": 50}, 100, 2, False)]
    [('نفط', 5.82), ('سوريا', 0.69)]
    """
    floor = 1 if indexed else 0
    first = {}
    for term in terms:
        first.setdefault(term.stem, term)
    weighted = [
        (first[stem], tf * idf(documents, frequencies[stem]))
        for stem, tf in Counter(t.stem for t in terms).items()
        if frequencies.get(stem, 0) > floor
    ]
    weighted.sort(key=lambda item: (-item[1], item[0].stem))  # ties by stem: the same on every run
    return weighted[:count]


def related_query(weighted: list[tuple[Term, float]]) -> EngineQuery:
    """The weighted disjunction of ``distinctive`` stems over the stem field, the heaviest at 1."""
    top = weighted[0][1]
    return EngineQuery(
        should=tuple(TermClause(schema.STEM, term.stem, weight / top) for term, weight in weighted)
    )


class Related(NamedTuple):
    hits: list[Hit]  # closest first
    terms: list[Term]  # the distinctive terms queried, heaviest first
    complete: bool  # False when the search was cut short by its time limit


def find_related(
    reader: Reader,
    terms: list[Term],
    count: int,
    limit: int,
    exclude: str | None,
    time_limit: float,
) -> Related:
    """The ``limit`` articles closest to a text of ``terms`` by its ``count`` distinctive stems;
    ``exclude``: the id of the stored document the terms are, never its own relative."""
    stems = list(dict.fromkeys(term.stem for term in terms))
    frequencies = reader.doc_frequencies(schema.STEM, stems) if stems else {}
    weighted = distinctive(terms, frequencies, reader.count(), count, indexed=exclude is not None)
    if not weighted:  # only stop words, or words no other document holds
        return Related([], [], True)
    # One more than asked for: the document itself ranks first among them.
    depth = limit + 1 if exclude is not None else limit
    results = reader.search(related_query(weighted), ARTICLES, "relevance", 0, depth, time_limit)
    hits = [hit for hit in results.hits if hit.id != exclude][:limit]
    return Related(hits, [term for term, _ in weighted], not results.timed_out)
