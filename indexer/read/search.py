"""Searching: the one path from a reader's request to ranked, highlighted hits.

The CLI, the JSON API, the page and the relevance benchmark all call
``Searcher.search``.  A Searcher follows CURRENT: each call checks the
pointer (one small read) and opens a newly published generation, so workers
serve a reindex without a restart.
"""

import functools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import NamedTuple

from indexer import analysis
from indexer import schema
from indexer.catalog import Catalog
from indexer.catalog import Generation
from indexer.document import KINDS
from indexer.engines import facet_counts
from indexer.engines import get_engine
from indexer.engines.base import FACETS
from indexer.engines.base import EngineQuery
from indexer.engines.base import Facets
from indexer.engines.base import Filters
from indexer.engines.base import PhraseClause
from indexer.engines.base import Rescore
from indexer.engines.base import Results
from indexer.engines.base import TermClause
from indexer.errors import BadQuery
from indexer.errors import DocumentNotFound
from indexer.read.collapse import Page
from indexer.read.collapse import collapsed_page
from indexer.read.highlight import Matcher
from indexer.read.highlight import highlight
from indexer.read.highlight import snippet
from indexer.read.parameter import PATTERN_MESSAGES
from indexer.read.parameter import Parameter
from indexer.read.parameter import check
from indexer.read.query import ParsedQuery
from indexer.read.query import parse_query
from indexer.read.related import RelatedRequest
from indexer.read.related import RelatedResponse
from indexer.read.related import find_related
from indexer.read.suggest import Vocabulary
from indexer.read.transliterate import is_latin
from indexer.read.transliterate import transliterate
from indexer.settings import Settings
from indexer.synonyms import FILE as SYNONYMS_FILE
from indexer.synonyms import Expansion
from indexer.synonyms import Synonyms

SORTS = ("relevance", "date")
TRANSLITERATE = ("auto", "off")
MAX_RESULT_WINDOW = 10_000  # deepest result a page may reach
FEW_RESULTS = 3  # below this, offer a did-you-mean
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


def _copy(stored: dict) -> dict:
    """How a hit names a near-duplicate of it: enough to link to it and say where it ran."""
    return {
        "id": stored["id"],
        "source": stored.get("source") or None,
        "url": stored.get("url") or None,
        "title": stored.get("title", ""),
    }


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[dict] = field(default_factory=list)
    suggestion: str | None = None
    phrases_relaxed: bool = False
    transliterated: str | None = None  # the Arabic searched for a query typed in Latin letters
    facets: Facets | None = None  # when asked for
    synonyms: list[str] = field(default_factory=list)  # entries the query was widened by

    def to_dict(self) -> dict:
        reply = {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "hits": self.hits,
            "suggestion": self.suggestion,
            "phrases_relaxed": self.phrases_relaxed,
            "transliterated": self.transliterated,
            "synonyms": self.synonyms,
        }
        if self.facets is not None:
            reply["facets"] = facets_dict(self.facets)
        return reply


def facets_dict(facets: Facets) -> dict:
    """Facets as the JSON reply gives them."""
    reply = {
        name: [{"value": value, "count": count} for value, count in values]
        for name, values in facets.values.items()
    }
    if facets.dates is not None:
        interval, buckets = facets.dates
        reply["date"] = {
            "interval": interval,
            "buckets": [{"key": key, "count": count} for key, count in buckets],
        }
    return reply


def engine_query(
    parsed: ParsedQuery,
    *,
    phrases: bool = True,
    rerank_window: int | None = None,
    synonyms: tuple[Expansion, ...] = (),
) -> EngineQuery:
    """The ranking policy: which fields each query word is matched in, and how much it counts.

    ``phrases=False`` drops the quoted phrases' word-order requirement; their
    words still rank like any others.  With ``rerank_window``, ranked in two
    stages: ``first_stage`` of this query, its top ``rerank_window`` re-scored
    by all of it.  ``synonyms`` (``Synonyms.expand``) add optional matches
    in the stem field at ``schema.SYNONYM_WEIGHT``, one of several words as
    a phrase.
    """
    should, seen = [], set()
    for term in parsed.words:
        if term.exact in seen:
            continue
        seen.add(term.exact)
        should += [
            TermClause(schema.STEM, term.stem, schema.WEIGHTS[schema.STEM]),
            TermClause(schema.EXACT, term.exact, schema.WEIGHTS[schema.EXACT]),
            TermClause(schema.ROOT, term.root, schema.WEIGHTS[schema.ROOT]),
            TermClause(schema.LEAD, term.stem, schema.WEIGHTS[schema.LEAD]),
        ]
    should += [_synonym_clause(e.target.key) for e in synonyms]
    must = [
        PhraseClause(schema.PHRASE_FIELD, tuple(t.stem for t in p))
        for p in parsed.phrases
        if phrases
    ]
    must += [TermClause(schema.TITLE, t.stem) for t in parsed.title_terms]
    must_not = [
        TermClause(schema.STEM, p[0].stem)
        if len(p) == 1
        else PhraseClause(schema.PHRASE_FIELD, tuple(t.stem for t in p))
        for p in parsed.excluded
    ]
    # A clause repeated in the query is one condition, not many to evaluate.
    full = EngineQuery(tuple(should), tuple(dict.fromkeys(must)), tuple(dict.fromkeys(must_not)))
    return full if rerank_window is None else first_stage(full, rerank_window)


def _synonym_clause(stems: tuple[str, ...]) -> TermClause | PhraseClause:
    if len(stems) == 1:
        return TermClause(schema.STEM, stems[0], schema.SYNONYM_WEIGHT)
    return PhraseClause(schema.PHRASE_FIELD, stems, schema.SYNONYM_WEIGHT)


# The first stage's fields: a word matches in any inflection.  The exact and
# lead fields hold only words whose stem the stem field holds, so they never
# widen what matches; the root field does (words of one root, other stems).
FIRST_STAGE_FIELDS = (schema.STEM,)


def first_stage(full: EngineQuery, window: int) -> EngineQuery:
    """``full`` as two stages: its clauses over FIRST_STAGE_FIELDS, at their
    weights, rank every match; all its clauses re-score the top ``window``.

    The first stage's clauses are some of ``full``'s, so a document re-scored
    never scores less than one left in first-stage order past the window.
    """
    should = tuple(c for c in full.should if c.field in FIRST_STAGE_FIELDS)
    return EngineQuery(should, full.must, full.must_not, Rescore(full, window))


class Ranked(NamedTuple):
    total: int
    hits: list[dict]
    relaxed: bool  # quoted phrases no document holds, ranked as words
    synonyms: tuple[str, ...]  # the entries the query was widened by
    complete: bool  # not cut short by the time limit


def _filters(request: SearchRequest) -> Filters:
    return Filters(
        request.kind, request.source, request.section, request.date_from, request.date_to
    )


def _synonyms_of(generation: Generation) -> Synonyms:
    """The synonyms recorded in ``generation`` at its reindex; none in one built without."""
    path = generation.path / SYNONYMS_FILE
    return Synonyms.load(path) if path.exists() else Synonyms(())


class Searcher:
    """Searches the current generation of one index; safe to share between threads."""

    def __init__(self, settings: Settings):
        self.settings = settings
        analysis.use(settings.analysis)
        self.catalog = Catalog(settings.index_dir)
        self._lock = threading.Lock()
        self._name = None  # generation name opened
        self._generation = self._reader = self._vocabulary = None
        self._synonyms = Synonyms(())
        self._cache = OrderedDict()

    def _open(self):
        """The reader of the current generation, reopened after a swap."""
        name = self.catalog.current_name()
        with self._lock:
            if name != self._name or self._reader is None:
                generation = self.catalog.current()
                engine = get_engine(generation.meta["engine"], self.settings)
                reader = engine.reader(generation.engine_dir)
                synonyms = _synonyms_of(generation)
                # The old reader is left to the garbage collector: a request
                # in flight on another thread may still be using it.
                self._generation, self._reader, self._name = (
                    generation,
                    reader,
                    generation.path.name,
                )
                self._synonyms = synonyms
                self._vocabulary = None
                self._cache.clear()
            return self._generation, self._reader

    def generation(self) -> Generation:
        return self._open()[0]

    def synonyms(self) -> Synonyms:
        """The synonyms the current generation was reindexed with."""
        self._open()
        return self._synonyms

    def vocabulary(self) -> Vocabulary:
        generation, _ = self._open()
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(generation.path)
        return self._vocabulary

    def search(self, request: SearchRequest) -> SearchResponse:
        request.validate(self.settings)
        started = time.perf_counter()
        names = request.facet_names
        if not request.q.strip():  # the empty search box: nothing to look up
            facets = facet_counts.empty(names) if names else None
            return SearchResponse(request.q, 0, request.page, request.per_page, 0.0, facets=facets)
        generation, reader = self._open()
        # A page's hits and its query's facets are cached apart: one count
        # serves every page and order of a query, and the page asking for
        # facets shares its hits with the API not asking.
        page = replace(request, facets=None)
        key = (generation.path.name, page)
        cached = self._cache.get(key)
        if cached is None:
            cached, complete = self._search(reader, page)
            if complete:  # a search cut short by the time limit is not remembered
                self._remember(key, cached)
        total, hits, suggestion, relaxed, transliterated, synonyms = cached
        facets = (
            self._facets(generation, reader, request, transliterated or request.q, relaxed)
            if names
            else None
        )
        took = round((time.perf_counter() - started) * 1000, 2)
        return SearchResponse(
            request.q,
            total,
            request.page,
            request.per_page,
            took,
            hits,
            suggestion,
            relaxed,
            transliterated,
            facets,
            list(synonyms),
        )

    def _search(self, reader, request: SearchRequest):
        """(total, hits, suggestion, phrases relaxed, transliterated, synonyms used), and
        whether the search was complete."""
        found = self._ranked(reader, request, request.q)
        if found is None:  # only stop words or punctuation: nothing to rank by
            return (0, [], None, False, None, ()), True
        complete, transliterated = found.complete, None
        # Latin letters that find little as typed: Arabic typed on a Latin
        # keyboard, read back.  (An Arabic query never pays for this.)
        if found.total < FEW_RESULTS and request.transliterate == "auto" and is_latin(request.q):
            arabic = transliterate(request.q, self.vocabulary())
            read_back = self._ranked(reader, request, arabic) if arabic else None
            if read_back is not None:
                complete = complete and read_back.complete
                if read_back.total > found.total:
                    found, transliterated = read_back, arabic
        suggestion = None
        if found.total < FEW_RESULTS:
            suggestion = self.vocabulary().correct(transliterated or request.q)
        found_all = (
            found.total,
            found.hits,
            suggestion,
            found.relaxed,
            transliterated,
            found.synonyms,
        )
        return found_all, complete

    def _ranked(self, reader, request: SearchRequest, q: str) -> Ranked | None:
        """The page of ``q``'s hits the request asks for; None if ``q`` has nothing to rank by."""
        parsed = parse_query(q)
        if parsed.empty:
            return None
        filters = _filters(request)
        window = self.settings.rerank_window if self.settings.ranking == "two-stage" else None
        expansions = self._synonyms.expand(parsed.words)

        def page(query: EngineQuery) -> Page:
            def fetch(offset: int, limit: int) -> Results:
                return reader.search(
                    query, filters, request.sort, offset, limit, self.settings.search_time_limit
                )

            offset = (request.page - 1) * request.per_page
            if request.collapse:
                return collapsed_page(
                    fetch, offset, request.per_page, self.settings.collapse_window
                )
            results = fetch(offset, request.per_page)
            return Page(results.total, results.hits, [[] for _ in results.hits], results.timed_out)

        results = page(engine_query(parsed, rerank_window=window, synonyms=expansions))
        # No document holds a quoted phrase word for word (a misremembered
        # title, a question quoting a name spelt otherwise): rather than
        # nothing, rank by its words and say so, as web search engines do.
        relaxed = bool(parsed.phrases) and results.total == 0 and not results.timed_out
        if relaxed:
            results = page(
                engine_query(parsed, phrases=False, rerank_window=window, synonyms=expansions)
            )
        matcher = Matcher(parsed.words + tuple(t for e in expansions for t in e.target.terms))
        hits = [
            self._hit(h.stored, h.score, matcher, [_copy(d.stored) for d in duplicates])
            for h, duplicates in zip(results.hits, results.duplicates, strict=True)
        ]
        used = tuple(e.target.text for e in expansions)
        return Ranked(
            results.total, hits, relaxed and results.total > 0, used, not results.timed_out
        )

    def _facets(self, generation, reader, request: SearchRequest, q: str, relaxed: bool) -> Facets:
        """The facets of every match of ``q`` (the query searched) and ``request``'s
        filters, whatever the page or order: of its words alone when its phrases
        were ``relaxed``."""
        names = request.facet_names
        default = SearchRequest
        counted = replace(
            request,
            page=default.page,
            per_page=default.per_page,
            sort=default.sort,
            facets=",".join(names),
        )
        key = (generation.path.name, counted, q)
        facets = self._cache.get(key)
        if facets is None:
            parsed = parse_query(q)
            facets = (
                facet_counts.empty(names)
                if parsed.empty
                else reader.facets(
                    engine_query(
                        parsed, phrases=not relaxed, synonyms=self._synonyms.expand(parsed.words)
                    ),
                    _filters(request),
                    names,
                )
            )
            self._remember(key, facets)
        return facets

    @staticmethod
    def _hit(stored: dict, score: float, matcher: Matcher, also_in: list | None = None) -> dict:
        """One hit; ``also_in``: the copies of its story collapsed under it."""
        title, body = stored.get("title", ""), stored.get("body", "")
        return {
            "id": stored["id"],
            "kind": stored["kind"],
            "title": title,
            "title_html": highlight(title, matcher),
            "snippet": snippet(body or title, matcher),
            "score": round(score, 4),
            "date": stored.get("date") or None,
            "url": stored.get("url") or None,
            "source": stored.get("source") or None,
            "also_in": also_in or [],
        }

    def _remember(self, key, value) -> None:
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self.settings.cache_size:
                self._cache.popitem(last=False)

    def document(self, doc_id: str) -> dict:
        _, reader = self._open()
        stored = reader.get(doc_id)
        if stored is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return {name: stored.get(name) or None for name in schema.STORED_FIELDS} | {
            "id": stored["id"],
            "kind": stored["kind"],
            "title": stored.get("title", ""),
            "body": stored.get("body", ""),
        }

    def related(self, request: RelatedRequest) -> RelatedResponse:
        """The articles closest to a stored document or to a text (``indexer.read.related``)."""
        request.validate()
        started = time.perf_counter()
        generation, reader = self._open()
        key = (generation.path.name, request)
        cached = self._cache.get(key)
        if cached is None:
            cached, complete = self._related(reader, request)
            # A text is rarely asked for twice: only documents' relatives are remembered.
            if complete and request.id is not None:
                self._remember(key, cached)
        title, url, hits = cached
        took = round((time.perf_counter() - started) * 1000, 2)
        return RelatedResponse(request.id, title, url, took, hits)

    def _related(self, reader, request: RelatedRequest):
        title, url, text = None, None, request.text
        if request.id is not None:
            stored = reader.get(request.id)
            if stored is None:
                raise DocumentNotFound(f"no document with id {request.id!r}")
            title, url = stored.get("title", ""), stored.get("url") or None
            text = f"{title}\n{stored.get('body', '')}"  # as indexed: the title prepended
        found = find_related(
            reader,
            analysis.analyse(text),
            self.settings.related_terms,
            request.limit,
            request.id,
            self.settings.search_time_limit,
        )
        matcher = Matcher(found.terms)
        hits = [self._hit(h.stored, h.score, matcher) for h in found.hits]
        return (title, url, hits), found.complete

    def suggest(self, text: str) -> list[str]:
        q = next(p for p in parameters(self.settings) if p.name == "q")
        check(q, text)
        return self.vocabulary().complete(text)

    def health(self) -> dict:
        generation, reader = self._open()
        return {
            "status": "ok",
            "documents": reader.count(),
            "engine": generation.meta["engine"],
            "generation": generation.number,
            "built_at": generation.meta["built_at"],
        }
