"""Searching: the one path from a reader's request to ranked, highlighted hits.

The CLI, the JSON API, the page and the relevance benchmark all call
``Searcher.search``.  A request is checked (``request``), parsed (``query``),
turned into an engine query by the ranking policy (``ranking``), widened by
synonyms, read back from Latin letters when that finds more
(``transliterate``), its copies of one story grouped (``collapse``), and its
hits shaped and marked (``response``, ``highlight``).
"""

import time
from dataclasses import replace
from typing import NamedTuple

from indexer import analysis
from indexer import schema
from indexer.engines import facet_counts
from indexer.engines.base import EngineQuery
from indexer.engines.base import Facets
from indexer.engines.base import Reader
from indexer.engines.base import Results
from indexer.errors import DocumentNotFound
from indexer.read.cache import Cache
from indexer.read.collapse import Page
from indexer.read.collapse import collapsed_page
from indexer.read.current import CurrentGeneration
from indexer.read.current import Served
from indexer.read.highlight import Matcher
from indexer.read.parameter import check
from indexer.read.query import parse_query
from indexer.read.ranking import engine_query
from indexer.read.related import RelatedRequest
from indexer.read.related import RelatedResponse
from indexer.read.related import find_related
from indexer.read.request import SearchRequest
from indexer.read.request import parameters
from indexer.read.response import SearchResponse
from indexer.read.response import copy_link
from indexer.read.response import hit
from indexer.read.transliterate import is_latin
from indexer.read.transliterate import transliterate
from indexer.settings import Settings

FEW_RESULTS = 3  # below this, offer a did-you-mean


class Found(NamedTuple):
    """A page of a query's hits, as remembered: the reply's fields but the request's."""

    total: int
    hits: list[dict]
    phrases_relaxed: bool = False  # quoted phrases no document holds, ranked as words
    synonyms: tuple[str, ...] = ()  # the entries the query was widened by
    transliterated: str | None = None  # the Arabic searched instead of the Latin letters
    suggestion: str | None = None
    complete: bool = True  # not cut short by the time limit (then not remembered)


NOTHING = Found(0, [])


class Searcher:
    """Searches the current generation of one index; safe to share between threads."""

    def __init__(self, settings: Settings):
        self.settings = settings
        analysis.use(settings.analysis)
        self.cache = Cache(settings.cache_size)
        self.current = CurrentGeneration(settings, on_swap=self.cache.clear)

    def served(self) -> Served:
        """The generation served now (reopened after a reindex swapped one in)."""
        return self.current.get()

    def search(self, request: SearchRequest) -> SearchResponse:
        request.validate(self.settings)
        started = time.perf_counter()
        names = request.facet_names
        if not request.q.strip():  # the empty search box: nothing to look up
            facets = facet_counts.empty(names) if names else None
            return SearchResponse(request.q, 0, request.page, request.per_page, 0.0, facets=facets)
        served = self.served()
        # A page's hits and its query's facets are cached apart: one count
        # serves every page and order of a query, and the page asking for
        # facets shares its hits with the API not asking.
        page = replace(request, facets=None)
        key = (served.name, page)
        found = self.cache.get(key)
        if found is None:
            found = self._found(served, page)
            if found.complete:
                self.cache.put(key, found)
        facets = (
            self._facets(served, request, found.transliterated or request.q, found.phrases_relaxed)
            if names
            else None
        )
        return SearchResponse(
            query=request.q,
            total=found.total,
            page=request.page,
            per_page=request.per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=found.hits,
            suggestion=found.suggestion,
            phrases_relaxed=found.phrases_relaxed,
            transliterated=found.transliterated,
            facets=facets,
            synonyms=list(found.synonyms),
        )

    def _found(self, served: Served, request: SearchRequest) -> Found:
        found = self._ranked(served, request, request.q)
        if found is None:  # only stop words or punctuation: nothing to rank by
            return NOTHING
        # Latin letters that find little as typed: Arabic typed on a Latin
        # keyboard, read back.  (An Arabic query never pays for this.)
        if found.total < FEW_RESULTS and request.transliterate == "auto" and is_latin(request.q):
            arabic = transliterate(request.q, served.vocabulary)
            read_back = self._ranked(served, request, arabic) if arabic else None
            if read_back is not None:
                complete = found.complete and read_back.complete
                if read_back.total > found.total:
                    found = read_back._replace(transliterated=arabic)
                found = found._replace(complete=complete)
        if found.total < FEW_RESULTS:
            suggestion = served.vocabulary.correct(found.transliterated or request.q)
            found = found._replace(suggestion=suggestion)
        return found

    def _ranked(self, served: Served, request: SearchRequest, q: str) -> Found | None:
        """The page of ``q``'s hits the request asks for; None if ``q`` has nothing to rank by."""
        parsed = parse_query(q)
        if parsed.empty:
            return None
        window = self.settings.rerank_window if self.settings.ranking == "two-stage" else None
        expansions = served.synonyms.expand(parsed.words)
        results = self._page(
            served.reader, request, engine_query(parsed, rerank_window=window, synonyms=expansions)
        )
        # No document holds a quoted phrase word for word (a misremembered
        # title, a question quoting a name spelt otherwise): rather than
        # nothing, rank by its words and say so, as web search engines do.
        relaxed = bool(parsed.phrases) and results.total == 0 and not results.timed_out
        if relaxed:
            words_only = engine_query(
                parsed, phrases=False, rerank_window=window, synonyms=expansions
            )
            results = self._page(served.reader, request, words_only)
        matcher = Matcher(parsed.words + tuple(t for e in expansions for t in e.target.terms))
        hits = [
            hit(h.stored, h.score, matcher, [copy_link(d.stored) for d in duplicates])
            for h, duplicates in zip(results.hits, results.duplicates, strict=True)
        ]
        return Found(
            results.total,
            hits,
            phrases_relaxed=relaxed and results.total > 0,
            synonyms=tuple(e.target.text for e in expansions),
            complete=not results.timed_out,
        )

    def _page(self, reader: Reader, request: SearchRequest, query: EngineQuery) -> Page:
        """The request's page of ``query``'s results, one story once if it asks."""

        def fetch(offset: int, limit: int) -> Results:
            return reader.search(
                query, request.filters, request.sort, offset, limit, self.settings.search_time_limit
            )

        offset = (request.page - 1) * request.per_page
        if request.collapse:
            return collapsed_page(
                fetch, reader.signatures, offset, request.per_page, self.settings.collapse_window
            )
        results = fetch(offset, request.per_page)
        return Page(results.total, results.hits, [[] for _ in results.hits], results.timed_out)

    def _facets(self, served: Served, request: SearchRequest, q: str, relaxed: bool) -> Facets:
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
        key = (served.name, counted, q)
        facets = self.cache.get(key)
        if facets is None:
            parsed = parse_query(q)
            if parsed.empty:
                facets = facet_counts.empty(names)
            else:
                query = engine_query(
                    parsed, synonyms=served.synonyms.expand(parsed.words), phrases=not relaxed
                )
                facets = served.reader.facets(query, request.filters, names)
            self.cache.put(key, facets)
        return facets

    def document(self, doc_id: str) -> dict:
        stored = self.served().reader.get(doc_id)
        if stored is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return {name: stored.get(name) or None for name in schema.STORED_FIELDS} | {
            "id": stored["id"],
            "kind": stored["kind"],
            "title": stored.get("title", ""),
            "body": stored.get("body", ""),
        }

    def related(self, request: RelatedRequest) -> RelatedResponse:
        """The articles closest to a stored document or to a text (``read.related``)."""
        request.validate()
        started = time.perf_counter()
        served = self.served()
        key = (served.name, request)
        cached = self.cache.get(key)
        if cached is None:
            cached, complete = self._related(served.reader, request)
            # A text is rarely asked for twice: only documents' relatives are remembered.
            if complete and request.id is not None:
                self.cache.put(key, cached)
        title, url, hits = cached
        took = round((time.perf_counter() - started) * 1000, 2)
        return RelatedResponse(request.id, title, url, took, hits)

    def _related(self, reader: Reader, request: RelatedRequest):
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
        hits = [hit(h.stored, h.score, matcher) for h in found.hits]
        return (title, url, hits), found.complete

    def suggest(self, text: str) -> list[str]:
        q = next(p for p in parameters(self.settings) if p.name == "q")
        check(q, text)
        return self.served().vocabulary.complete(text)

    def health(self) -> dict:
        served = self.served()
        return {
            "status": "ok",
            "documents": served.reader.count(),
            "engine": served.generation.meta["engine"],
            "generation": served.generation.number,
            "built_at": served.generation.meta["built_at"],
        }
