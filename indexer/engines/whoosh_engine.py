"""Whoosh: the pure-Python default engine.

Term streams arrive analysed, so every search field splits on spaces and
nothing else; BM25F (k1 1.2, b 0.75) scores each field and clause boosts
weight them.
"""

import shutil
from pathlib import Path

from whoosh import index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.collectors import TimeLimitCollector
from whoosh.fields import ID
from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema
from whoosh.scoring import BM25F
from whoosh.searching import TimeLimit

from indexer import schema
from indexer.engines.base import Engine
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import Hit
from indexer.engines.base import PhraseClause
from indexer.engines.base import Reader
from indexer.engines.base import Results
from indexer.engines.base import TermClause
from indexer.engines.base import Writer
from indexer.ingest.document import Document

_TERMS = SpaceSeparatedTokenizer()


def whoosh_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "source": ID(stored=True),
        "section": ID(stored=True),
        "date": ID(stored=True, sortable=True),
        "title": STORED(),
        "body": STORED(),
        "url": STORED(),
    }
    for name in schema.SEARCH_FIELDS:
        fields[name] = TEXT(analyzer=_TERMS, phrase=(name == schema.EXACT))
    return Schema(**fields)


class WhooshWriter(Writer):
    def __init__(self, ix):
        # A large buffer: postings spill to temporary runs (pickled) past it.
        self._writer = ix.writer(limitmb=1024)
        self._incremental = ix.doc_count_all() > 0

    def add(self, doc: Document, streams: dict[str, list[str]]) -> None:
        fields = {k: v for k, v in doc.to_dict().items() if k in schema.STORED_FIELDS}
        fields.update({name: " ".join(terms) for name, terms in streams.items()})
        if self._incremental:
            self._writer.update_document(**fields)
        else:
            self._writer.add_document(**fields)

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", doc_id)

    def commit(self) -> None:
        self._writer.commit(optimize=not self._incremental)

    def cancel(self) -> None:
        self._writer.cancel()


def _clause(clause) -> wq.Query:
    if isinstance(clause, PhraseClause):
        if len(clause.terms) == 1:
            return wq.Term(clause.field, clause.terms[0])
        return wq.Phrase(clause.field, list(clause.terms))
    return wq.Term(clause.field, clause.term, boost=clause.boost)


def whoosh_query(query: EngineQuery) -> wq.Query:
    should = wq.Or([_clause(c) for c in query.should]) if query.should else None
    if query.must:
        q = wq.And([_clause(c) for c in query.must])
        if should is not None:
            q = wq.AndMaybe(q, should)
    else:
        q = should if should is not None else wq.Every()
    if query.must_not:
        q = wq.AndNot(q, wq.Or([_clause(c) for c in query.must_not]))
    return q


def whoosh_filter(filters: Filters) -> wq.Query | None:
    parts = [wq.Term(f, getattr(filters, f)) for f in ("kind", "source") if getattr(filters, f)]
    if filters.date_from or filters.date_to:
        parts.append(wq.TermRange("date", filters.date_from or "0000", filters.date_to or "9999"))
    return wq.And(parts) if parts else None


class WhooshReader(Reader):
    def __init__(self, ix):
        self._ix = ix
        self._searcher = ix.searcher(weighting=BM25F())

    def search(self, query: EngineQuery, filters: Filters, sort: str, offset: int, limit: int,
               time_limit: float) -> Results:
        searcher = self._searcher
        sortedby = "date" if sort == "date" else None
        collector = searcher.collector(limit=offset + limit, sortedby=sortedby,
                                       reverse=bool(sortedby), filter=whoosh_filter(filters))
        timed = TimeLimitCollector(collector, timelimit=time_limit, use_alarm=False)
        timed_out = False
        try:
            searcher.search_with_collector(whoosh_query(query), timed)
        except TimeLimit:
            timed_out = True
        results = timed.results()
        hits = [
            Hit(hit["id"], float(hit.score or 0.0), dict(hit.fields()))
            for hit in list(results)[offset : offset + limit]
        ]
        return Results(total=results.estimated_length() if timed_out else len(results),
                       hits=hits, timed_out=timed_out)

    def get(self, doc_id: str) -> dict | None:
        return self._searcher.document(id=doc_id)

    def count(self) -> int:
        return self._searcher.doc_count()

    def close(self) -> None:
        self._searcher.close()


class WhooshEngine(Engine):
    name = "whoosh"

    def writer(self, location: Path, base: Path | None = None) -> Writer:
        if base is not None:
            shutil.copytree(base, location, dirs_exist_ok=True)
            return WhooshWriter(index.open_dir(str(location)))
        location.mkdir(parents=True, exist_ok=True)
        return WhooshWriter(index.create_in(str(location), whoosh_schema()))

    def reader(self, location: Path) -> Reader:
        return WhooshReader(index.open_dir(str(location)))
