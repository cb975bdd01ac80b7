"""Whoosh: the pure-Python default engine.

Term streams arrive analysed, so search fields take the list of terms as it
is and count it (no tokenizer); BM25F (k1 1.2, b 0.75) scores each field and
clause boosts weight them.
"""

import shutil
from math import log
from array import array
from collections import Counter
from collections import defaultdict
from pathlib import Path

from whoosh import index
from whoosh import matching
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.system import pack_uint
from whoosh.collectors import TimeLimitCollector
from whoosh.fields import ID
from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema
from whoosh.scoring import BM25F
from whoosh.scoring import BM25FScorer
from whoosh.searching import TimeLimit

from indexer import schema
from indexer.schema import Streams
from indexer.engines.base import Engine
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import Hit
from indexer.engines.base import PhraseClause
from indexer.engines.base import Reader
from indexer.engines.base import Results
from indexer.engines.base import Writer
from indexer.errors import IndexUnavailable
from indexer.ingest.document import Document

class TermsField(TEXT):
    """A TEXT field fed analysed terms (a term stream), counted directly.

    PERF: skips Whoosh's tokenizer and Token objects, the largest cost of
    ``add_document`` once analysis is done elsewhere.
    """

    def index(self, value, **kwargs):
        terms = value.split()
        if self.format.supports("positions"):
            positions = defaultdict(list)
            for position, term in enumerate(terms):
                positions[term].append(position)
            for term, found in positions.items():
                yield term.encode("utf-8"), len(found), float(len(found)), self.format.encode(found)
        else:
            for term, count in Counter(terms).items():
                yield term.encode("utf-8"), count, float(count), pack_uint(count)


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
        # Streams are space-separated terms; TermsField splits them without the analyzer.
        fields[name] = TermsField(analyzer=SpaceSeparatedTokenizer(), phrase=(name == schema.PHRASE_FIELD))
    return Schema(**fields)


class WhooshWriter(Writer):
    def __init__(self, ix):
        self._incremental = ix.doc_count_all() > 0
        # A large buffer: postings spill to pickled temporary runs past it.
        # NOTE: procs > 1 was tried: no faster here, and a kill -9 of the
        # reindex left its worker processes running.
        self._writer = ix.writer(limitmb=512)

    def add(self, doc: Document, streams: Streams) -> None:
        fields = {k: v for k, v in doc.to_dict().items() if k in schema.STORED_FIELDS}
        fields.update(streams)
        if self._incremental:
            self._writer.update_document(**fields)
        else:
            self._writer.add_document(**fields)

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", doc_id)

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        self._writer.cancel()


class _AndNotMatcher(matching.AndNotMatcher):
    # Whoosh's own skips the first excluded document unless both sides start
    # on it (whoosh-community/whoosh#419).
    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(wq.AndNot):
    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context),
                              self.b.matcher(searcher, searcher.boolean_context()))


class _Select(wq.ConstantScoreQuery):
    """Matches as its child and adds 0 to the score (Whoosh reads a 0.0
    constant as "not given" and adds 1.0)."""

    def __init__(self, child):
        super().__init__(child, 0.0)

    def matcher(self, searcher, context=None):
        ids = array("I", self.child.matcher(searcher, searcher.boolean_context()).all_ids())
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, weights=array("f", [0.0]) * len(ids))


class _WeightedTerm(wq.Term):
    """A term whose boost weights its scores in the scorer.

    PERF: Whoosh applies a boost by wrapping the term's matcher in another,
    a few Python calls more for every posting; the scorer of
    ``LuceneIdfBM25F`` takes the boost as its query weight instead.
    """

    def matcher(self, searcher, context=None):
        field = searcher.schema[self.fieldname]
        text = field.to_bytes(self.text)
        if (self.fieldname, text) not in searcher.reader():
            return matching.NullMatcher()
        weighting = context.weighting if context is not None else searcher.weighting
        return searcher.postings(self.fieldname, text, weighting=weighting, qf=self.boost)


def _clause(clause) -> wq.Query:
    if isinstance(clause, PhraseClause):
        if len(clause.terms) == 1:
            return wq.Term(clause.field, clause.terms[0])
        return wq.Phrase(clause.field, list(clause.terms))
    return _WeightedTerm(clause.field, clause.term, boost=clause.boost)


def whoosh_query(query: EngineQuery) -> wq.Query:
    should = wq.Or([_clause(c) for c in query.should]) if query.should else None
    if query.must:
        q = wq.And([_clause(c) for c in query.must])
        if should is not None:
            q = wq.AndMaybe(q, should)
    else:
        q = should if should is not None else wq.Every()
    if query.must_not:
        q = _AndNot(q, wq.Or([_clause(c) for c in query.must_not]))
    return q


def _filtered(q: wq.Query, filters: Filters) -> wq.Query:
    """``q`` restricted by ``filters``, which add nothing to the score.

    NOTE: filters go into the query, not the collector: TimeLimitCollector
    bypasses a wrapped collector's filter, and an empty allow-set is taken
    for "no filter".
    """
    parts = [wq.Term(f, getattr(filters, f)) for f in ("kind", "source") if getattr(filters, f)]
    if filters.date_from or filters.date_to:
        parts.append(wq.TermRange("date", filters.date_from or "0000", filters.date_to or "9999"))
    if not parts:
        return q
    return wq.And([q, _Select(wq.And(parts))])


class LuceneIdfBM25F(BM25F):
    """BM25F with the idf of Lucene and tantivy, ln(1 + (N - n + 0.5) / (n + 0.5)).

    Whoosh's own idf, log(N / (n + 1)) + 1, adds 1 to every term: with
    Lucene's, the embedded engines score the same statistics the same way
    (neutral on both relevance sets).  Each field's length normalisation is
    computed once per segment instead of for every posting scored.  ``qf``,
    which Whoosh's BM25F ignores, is the clause's weight (``_WeightedTerm``).
    """

    def __init__(self):
        super().__init__()
        self._norms = {}  # (segment reader id, field) → K1 × (1 - B + B × length / average)

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        return log(1 + (parent.doc_count_all() - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, BM25FScorer):
            scorer = _NormScorer(scorer, self._field_norms(searcher, fieldname, scorer), qf)
        return scorer

    def _field_norms(self, searcher, fieldname, scorer) -> list[float]:
        key = (id(searcher.reader()), fieldname)
        if key not in self._norms:
            k1, b, average = scorer.K1, scorer.B, scorer.avgfl
            self._norms[key] = [k1 * ((1 - b) + b * searcher.doc_field_length(docnum, fieldname, 1) / average)
                                for docnum in range(searcher.doc_count_all())]
        return self._norms[key]


class _NormScorer(BM25FScorer):
    """A BM25F scorer reading each document's length normalisation from a list.

    PERF: scoring a posting was a column read and a byte decoding of the
    field length: a third of a Whoosh query's time.  Scores are unchanged.
    """

    def __init__(self, scorer: BM25FScorer, norms: list[float], weight: float):
        self.__dict__.update(scorer.__dict__)
        self._norms = norms
        self._weight = weight
        self._lift = weight * scorer.idf * (scorer.K1 + 1)

    def _score(self, weight, length):  # the block quality bounds: weighted as scores are
        return self._weight * super()._score(weight, length)

    def score(self, matcher):
        tf = matcher.weight()
        return self._lift * tf / (tf + self._norms[matcher.id()])


class WhooshReader(Reader):
    def __init__(self, ix):
        self._ix = ix
        self._searcher = ix.searcher(weighting=LuceneIdfBM25F())

    def search(self, query: EngineQuery, filters: Filters, sort: str, offset: int, limit: int,
               time_limit: float) -> Results:
        searcher = self._searcher
        by_date = sort == "date"
        collector = searcher.collector(limit=offset + limit, sortedby="date" if by_date else None,
                                       reverse=by_date)
        timed = TimeLimitCollector(collector, timelimit=time_limit, use_alarm=False)
        timed_out = False
        try:
            searcher.search_with_collector(_filtered(whoosh_query(query), filters), timed)
        except TimeLimit:
            timed_out = True
        results = timed.results()
        hits = [
            # Sorted by date, Whoosh puts the sort key where the score was.
            Hit(hit["id"], 0.0 if by_date else float(hit.score), dict(hit.fields()))
            for hit in results[offset : offset + limit]
        ]
        # NOTE: len(results) counts the matches again, with no time limit: after
        # a time-out, the matches scored so far are the total.
        total = results.scored_length() if timed_out else len(results)
        return Results(total=total, hits=hits, timed_out=timed_out)

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
            return WhooshWriter(_open(location))
        location.mkdir(parents=True, exist_ok=True)
        return WhooshWriter(index.create_in(str(location), whoosh_schema()))

    def reader(self, location: Path) -> Reader:
        return WhooshReader(_open(location))


def _open(location: Path):
    try:
        return index.open_dir(str(location))
    # A damaged file fails in whatever way its parser does (a truncated one
    # raises TypeError deep inside Whoosh): any failure here means the index
    # cannot be served.
    except Exception as exc:
        raise IndexUnavailable(
            f"cannot open the index in {location} ({type(exc).__name__}: {exc}): run `bahth reindex`"
        ) from exc
