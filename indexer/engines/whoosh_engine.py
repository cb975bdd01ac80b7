"""Whoosh: the pure-Python default engine.

Term streams arrive analysed, so search fields take the list of terms as it
is and count it (no tokenizer); BM25F (k1 1.2, b 0.75) scores each field and
clause boosts weight them.
"""

import functools
import heapq
import shutil
import threading
import time
from array import array
from collections import Counter
from collections import OrderedDict
from collections import defaultdict
from math import log
from pathlib import Path

from whoosh import index
from whoosh import matching
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.collectors import TimeLimitCollector
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN
from whoosh.fields import ID
from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.scoring import BM25FScorer
from whoosh.searching import TimeLimit
from whoosh.system import pack_uint

from indexer import schema
from indexer.document import Document
from indexer.engines.base import DATE_FACET
from indexer.engines.base import Engine
from indexer.engines.base import EngineQuery
from indexer.engines.base import Facets
from indexer.engines.base import Filters
from indexer.engines.base import Hit
from indexer.engines.base import PhraseClause
from indexer.engines.base import Reader
from indexer.engines.base import Rescore
from indexer.engines.base import Results
from indexer.engines.base import TermClause
from indexer.engines.base import Writer
from indexer.engines.facet_counts import from_values
from indexer.engines.whoosh_postings import RebuildWriter
from indexer.errors import IndexUnavailable
from indexer.schema import Streams


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
        schema.SIGNATURE: STORED(),
    }
    for name in schema.SEARCH_FIELDS:
        # Streams are space-separated terms; TermsField splits them without the analyzer.
        fields[name] = TermsField(
            analyzer=SpaceSeparatedTokenizer(), phrase=(name == schema.PHRASE_FIELD)
        )
        fields[_length_column(name)] = COLUMN(NumericColumn("I"))
    return Schema(**fields)


def _length_column(field: str) -> str:
    """The column of a search field's exact lengths (Whoosh's own are rounded to its own byte code)."""
    return f"{field}_length"


def lucene_length(length: int) -> int:
    """A field length as Lucene's one-byte norm keeps it (SmallFloat.intToByte4), as tantivy does too.

    Exact below 24, then four significant bits, rounded down:

    >>> [lucene_length(n) for n in (23, 40, 41, 55, 57, 200, 300)]
    [23, 40, 40, 54, 56, 200, 280]
    """
    if length < _EXACT_LENGTHS:
        return length
    rest = length - _EXACT_LENGTHS
    shift = max(rest.bit_length() - 4, 0)
    return _EXACT_LENGTHS + (rest >> shift << shift)


_EXACT_LENGTHS = 24


def whoosh_fields(doc: Document, streams: Streams) -> dict:
    """The values of ``whoosh_schema``'s fields for one document."""
    fields = {k: v for k, v in doc.to_dict().items() if k in schema.STORED_FIELDS}
    fields.update(streams)
    fields.update(
        {
            _length_column(name): streams[name].count(" ") + 1 if streams[name] else 0
            for name in schema.SEARCH_FIELDS
        }
    )
    return fields


class WhooshWriter(Writer):
    def __init__(self, ix):
        self._incremental = ix.doc_count_all() > 0
        if self._incremental:
            # A large buffer: postings spill to pickled temporary runs past it.
            # NOTE: procs > 1 was tried: no faster here, and a kill -9 of the
            # reindex left its worker processes running.
            self._writer = ix.writer(limitmb=512)
        else:  # a fresh generation: segments written straight from the streams
            self._writer = RebuildWriter(ix, schema.SEARCH_FIELDS)

    def add(self, doc: Document, streams: Streams) -> None:
        fields = whoosh_fields(doc, streams)
        if self._incremental:
            self._writer.update_document(**fields)
        else:
            self._writer.add_document(fields)

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
        return _AndNotMatcher(
            self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context())
        )


class _AndMaybeMatcher(matching.AndMaybeMatcher):
    # Whoosh's own skips its optional side to the id asked for, not to the one
    # its required side landed on, so the optional side's score went missing
    # (a phrase or title: query with a filter lost its words' scores).
    def skip_to(self, id):
        if not self.a.is_active():
            raise matching.ReadTooFar
        moved = self.a.skip_to(id)
        if self.a.is_active() and self.b.is_active():
            moved = self.b.skip_to(self.a.id()) or moved
        return moved


class _AndMaybe(wq.AndMaybe):
    matcherclass = _AndMaybeMatcher


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
            return _WeightedTerm(clause.field, clause.terms[0], boost=clause.boost)
        # Scored as the sum of its words' BM25, times its boost (Whoosh's Phrase).
        return wq.Phrase(clause.field, list(clause.terms), boost=clause.boost)
    return _WeightedTerm(clause.field, clause.term, boost=clause.boost)


def whoosh_query(query: EngineQuery) -> wq.Query:
    should = wq.Or([_clause(c) for c in query.should]) if query.should else None
    if query.must:
        q = wq.And([_clause(c) for c in query.must])
        if should is not None:
            q = _AndMaybe(q, should)
    else:
        q = should if should is not None else wq.Every()
    if query.must_not:
        q = _AndNot(q, wq.Or([_clause(c) for c in query.must_not]))
    return q


def _selection(filters: Filters) -> wq.Query | None:
    """The documents ``filters`` allow, as a query; None when they allow all."""
    parts = [wq.Term(f, getattr(filters, f)) for f in schema.FILTER_FIELDS if getattr(filters, f)]
    if filters.date_from or filters.date_to:
        parts.append(wq.TermRange("date", filters.date_from or "0000", filters.date_to or "9999"))
    return wq.And(parts) if parts else None


def _filtered(q: wq.Query, filters: Filters) -> wq.Query:
    """``q`` restricted by ``filters``, which add nothing to the score.

    NOTE: filters go into the query, not the collector: TimeLimitCollector
    bypasses a wrapped collector's filter, and an empty allow-set is taken
    for "no filter".
    """
    selection = _selection(filters)
    return q if selection is None else wq.And([q, _Select(selection)])


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
            scorer = _NormScorer(
                scorer,
                self.field_norms(searcher, fieldname),
                self.lift(searcher, fieldname, text, qf),
            )
        return scorer

    def field_norms(self, searcher, fieldname) -> list[float]:
        """K1 × (1 - B + B × length / average length) of each document of ``searcher``'s segment.

        Lengths are rounded as Lucene's and tantivy's norms round them, so
        the engines score the same term streams alike (+0.002 MRR@10 on
        xquad-ar for Whoosh, whose own byte code rounds them up).
        """
        key = (id(searcher.reader()), fieldname)
        if key not in self._norms:
            k1, b = self.K1, self._field_B.get(fieldname, self.B)
            average = searcher.get_parent().avg_field_length(fieldname) or 1
            lengths = searcher.reader().column_reader(_length_column(fieldname))
            self._norms[key] = [
                k1 * ((1 - b) + b * lucene_length(length) / average) for length in lengths
            ]
        return self._norms[key]

    def lift(self, searcher, fieldname, text, weight) -> float:
        """A posting's score is lift × tf / (tf + norm)."""
        return weight * self.idf(searcher, fieldname, text) * (self.K1 + 1)


class _NormScorer(BM25FScorer):
    """A BM25F scorer reading each document's length normalisation from a list.

    PERF: scoring a posting was a column read and a byte decoding of the
    field length: a third of a Whoosh query's time.  The lengths are those of
    ``LuceneIdfBM25F.field_norms``.
    """

    def __init__(self, scorer: BM25FScorer, norms: list[float], lift: float):
        self.__dict__.update(scorer.__dict__)
        self._norms = norms
        self._lift = lift  # LuceneIdfBM25F.lift, as the term-at-a-time path scores

    def supports_block_quality(self):
        # NOTE: Whoosh bounds a block's scores from its own rounding of the
        # lengths, not ours: skipping blocks on those bounds could drop hits.
        return False

    def score(self, matcher):
        tf = matcher.weight()
        return self._lift * tf / (tf + self._norms[matcher.id()])


def _blocks(matcher):
    """A term's postings as (docnums, term frequencies) blocks, deleted documents included.

    PERF: reads Whoosh's posting blocks directly (private to its W3 codec,
    pinned with whoosh-reloaded): a loop over a block is a tenth of the cost
    of stepping a matcher posting by posting.
    """
    if isinstance(matcher, FilterMatcher):  # deletions: the caller skips them
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    docnums, tfs = [], []  # a term with a few postings, stored inline
    while matcher.is_active():
        docnums.append(matcher.id())
        tfs.append(matcher.weight())
        matcher.next()
    yield docnums, tfs


def _term_at_a_time(
    searcher, weighting: LuceneIdfBM25F, clauses, deadline: float, scored: "_ScoredPostings"
) -> tuple[dict, bool]:
    """Global docnum → score for an OR of weighted terms, and whether the deadline cut it short.

    Scores each term's postings in turn (as Whoosh's BM25F with
    ``LuceneIdfBM25F`` would, clause weights included) instead of advancing
    one matcher per term document by document.
    """
    scores = {}
    terms, phrases = _split(clauses)
    segments = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
    for segment, base in segments:
        for clause in terms:
            if time.perf_counter() > deadline:
                return scores, True
            docnums, term_scores = scored.get(segment, base, weighting, clause)
            if not scores:  # the first term's scores as they are (0.0 + x is x)
                scores = dict(zip(docnums, term_scores))
                continue
            get = scores.get
            for key, score in zip(docnums, term_scores):
                scores[key] = get(key, 0.0) + score
    get = scores.get
    for clause in phrases:
        if time.perf_counter() > deadline:
            return scores, True
        for key, score in scored.phrase(searcher, weighting, clause).items():
            scores[key] = get(key, 0.0) + score
    return scores, False


def _split(clauses) -> tuple[list[TermClause], list[PhraseClause]]:
    """(terms, phrases): a phrase of one word is a term."""
    terms, phrases = [], []
    for clause in clauses:
        if isinstance(clause, TermClause):
            terms.append(clause)
        elif len(clause.terms) == 1:
            terms.append(TermClause(clause.field, clause.terms[0], clause.boost))
        else:
            phrases.append(clause)
    return terms, phrases


def _phrase_scores(searcher, weighting: LuceneIdfBM25F, phrase: PhraseClause, docnums=None) -> dict:
    """Global docnum → score of the documents holding ``phrase`` (of those ``docnums``):
    its words' BM25 summed, times its boost, as Whoosh's Phrase scores them."""
    matched = set(searcher.docs_for_query(wq.Phrase(phrase.field, list(phrase.terms))))
    if docnums is not None:
        matched.intersection_update(docnums)
    words = [TermClause(phrase.field, term, phrase.boost) for term in phrase.terms]
    return _score_window(searcher, weighting, words, sorted(matched))


def _window_scores(searcher, weighting: LuceneIdfBM25F, clauses, docnums) -> dict:
    """``_score_window`` of any should clauses, phrases included."""
    terms, phrases = _split(clauses)
    scores = _score_window(searcher, weighting, terms, docnums)
    for phrase in phrases:
        for docnum, score in _phrase_scores(searcher, weighting, phrase, docnums).items():
            scores[docnum] += score
    return scores


class _Docs(wq.Query):
    """Matches the documents of these (index-wide) numbers and adds 0 to their scores."""

    def __init__(self, docnums):
        self.docnums = sorted(docnums)

    def __eq__(self, other):
        return type(other) is type(self) and other.docnums == self.docnums

    def __hash__(self):
        return hash(tuple(self.docnums))

    def estimate_size(self, ixreader):
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        parent = searcher.get_parent()
        base = 0 if parent is searcher else parent._offset_for_subsearcher(searcher)
        end = base + searcher.doc_count_all()
        ids = array("I", [d - base for d in self.docnums if base <= d < end])
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, weights=array("f", [0.0]) * len(ids))


def _score_window(searcher, weighting: LuceneIdfBM25F, clauses, docnums) -> dict:
    """Global docnum → score of an OR of weighted terms over these documents only,
    the very sums ``_term_at_a_time`` makes (clause by clause, in order).

    Each term's postings are skipped to the documents (block skipping), not read.
    """
    scores = dict.fromkeys(docnums, 0.0)
    segments = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
    for segment, base in segments:
        reader = segment.reader()
        end = base + reader.doc_count_all()
        local = sorted(d - base for d in docnums if base <= d < end)
        if not local:
            continue
        for clause in clauses:
            text = searcher.schema[clause.field].to_bytes(clause.term)
            if (clause.field, text) not in reader:
                continue
            lift = weighting.lift(segment, clause.field, text, clause.boost)
            norms = weighting.field_norms(segment, clause.field)
            postings = reader.postings(clause.field, text)
            for docnum in local:
                if postings.is_active() and postings.id() < docnum:
                    postings.skip_to(docnum)
                if not postings.is_active():
                    break
                if postings.id() == docnum:
                    tf = postings.weight()
                    scores[base + docnum] += lift * tf / (tf + norms[docnum])
    return scores


def _top(scores: dict, depth: int) -> list[tuple[int, float]]:
    """The ``depth`` best (docnum, score) in Whoosh's order: higher score first, then lower docnum.

    PERF: the depth-th best score is found among the bare floats, then only
    the documents scoring that or more are sorted (ties at it included).
    """
    if depth <= 0 or not scores:
        return []
    least = heapq.nlargest(depth, scores.values())[-1]
    best = [(docnum, score) for docnum, score in scores.items() if score >= least]
    best.sort(key=lambda item: (-item[1], item[0]))
    return best[:depth]


def _plain(query: EngineQuery) -> bool:
    """A reader's plain words: an OR of weighted terms (and synonyms' phrases), scored term at a time."""
    return not query.must and not query.must_not and bool(query.should)


def _field_values(searcher, field: str) -> dict[int, str]:
    """Index-wide docnum → the document's value of an ID field, read from its postings
    (one pass over the field's terms: cheaper than the stored fields of every match)."""
    values = {}
    for text in searcher.reader().field_terms(field):
        if text:
            for docnum in searcher.docs_for_query(wq.Term(field, text)):
                values[docnum] = text
    return values


def _term_scores(segment, base: int, weighting: LuceneIdfBM25F, clause: TermClause):
    """(global docnums, scores) of a term clause's postings in one segment, deleted documents left out."""
    reader = segment.reader()
    docnums, scores = array("q"), array("d")  # a double keeps a float as it is
    text = segment.schema[clause.field].to_bytes(clause.term)
    if (clause.field, text) not in reader:
        return docnums, scores
    deleted = reader.deleted_docs_set if reader.has_deletions() else ()
    lift = weighting.lift(segment, clause.field, text, clause.boost)
    norms = weighting.field_norms(segment, clause.field)
    for block, tfs in _blocks(reader.postings(clause.field, text)):
        for docnum, tf in zip(block, tfs):
            if docnum not in deleted:
                docnums.append(base + docnum)
                scores.append(lift * tf / (tf + norms[docnum]))
    return docnums, scores


# Postings whose scores a reader keeps (16 bytes each: 32 MB), of the terms with
# at least SCORED_FROM postings (shorter lists cost little to read again).
SCORED_POSTINGS = 2_000_000
SCORED_FROM = 64


class _ScoredPostings:
    """``_term_scores`` of term clauses, the frequent terms' kept, and the scores of
    phrases over the whole index (least recently used out first).

    PERF: reading and decoding posting blocks and scoring each posting in
    Python was most of a title query; the frequent terms, the longest lists,
    come back in most queries, and a reader's statistics (idf, lengths) never
    change.  A phrase (a synonym such as الولايات المتحدة) reads its words'
    positions whatever it matches: a third of the queries holding one.
    """

    def __init__(self, budget: int = SCORED_POSTINGS, kept_from: int = SCORED_FROM):
        self.budget, self.kept_from = budget, kept_from
        self._kept = OrderedDict()  # key → (scores, postings)
        self._size = 0
        self._lock = threading.Lock()

    def get(self, segment, base: int, weighting: LuceneIdfBM25F, clause: TermClause):
        return self._kept_or(
            (base, clause.field, clause.term, clause.boost),
            lambda: _term_scores(segment, base, weighting, clause),
            lambda found: len(found[0]),
            self.kept_from,
        )

    def phrase(self, searcher, weighting: LuceneIdfBM25F, clause: PhraseClause) -> dict:
        return self._kept_or(
            ("phrase", clause.field, clause.terms, clause.boost),
            lambda: _phrase_scores(searcher, weighting, clause),
            len,
            0,
        )

    def _kept_or(self, key, compute, postings, least: int):
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found[0]
        value = compute()
        size = postings(value)
        if least <= size <= self.budget:
            with self._lock:
                if key not in self._kept:
                    self._kept[key] = (value, size)
                    self._size += size
                while self._size > self.budget:
                    self._size -= self._kept.popitem(last=False)[1][1]
        return value


# Filters whose documents a reader keeps (a set of 30,000 numbers is about 1 MB).
ALLOWED_CACHE = 16


def _allowed_documents(searcher, filters: Filters) -> frozenset[int] | None:
    """The numbers of the documents ``filters`` allow; None when they allow all."""
    selection = _selection(filters)
    if selection is None:
        return None
    return frozenset(searcher.docs_for_query(selection))


class WhooshReader(Reader):
    def __init__(self, ix):
        self._ix = ix
        self._searcher = ix.searcher(weighting=LuceneIdfBM25F())
        self._values = {}  # field → _field_values, read on the first facet asked for
        # PERF: listing the 30,000 articles a kind filter allows took 40 % of a
        # related-articles query, which always asks for articles; a reader's
        # generation never changes, so neither does the set.
        # (Of the searcher, not of self: no cycle keeps a replaced reader alive.)
        self._scored = _ScoredPostings()
        self._allowed = functools.lru_cache(maxsize=ALLOWED_CACHE)(
            functools.partial(_allowed_documents, self._searcher)
        )

    def facets(self, query: EngineQuery, filters: Filters, names: tuple[str, ...]) -> Facets:
        matched = self._matching(query, filters)
        values = {name: [self._field_values(name).get(d, "") for d in matched] for name in names}
        return from_values(names, values, values.get(DATE_FACET, ()))

    def _field_values(self, field: str) -> dict[int, str]:
        if field not in self._values:
            self._values[field] = _field_values(self._searcher, field)
        return self._values[field]

    def _matching(self, query: EngineQuery, filters: Filters) -> list[int]:
        """The index-wide docnums of the documents ``query`` and ``filters`` match."""
        searcher = self._searcher
        if not _plain(query):
            return list(searcher.docs_for_query(_filtered(whoosh_query(query), filters)))
        terms, phrases = _split(query.should)
        # A plain query's postings read in blocks, as _term_at_a_time does;
        # synonyms' phrases matched whole.
        matched = {d for phrase in phrases for d in searcher.docs_for_query(_clause(phrase))}
        segments = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
        for segment, base in segments:
            reader = segment.reader()
            deleted = reader.deleted_docs_set if reader.has_deletions() else ()
            for clause in terms:
                text = searcher.schema[clause.field].to_bytes(clause.term)
                if (clause.field, text) in reader:
                    for docnums, _ in _blocks(reader.postings(clause.field, text)):
                        matched.update(base + d for d in docnums if d not in deleted)
        allowed = self._allowed(filters)
        if allowed is not None:
            matched.intersection_update(allowed)
        return list(matched)

    def search(
        self,
        query: EngineQuery,
        filters: Filters,
        sort: str,
        offset: int,
        limit: int,
        time_limit: float,
    ) -> Results:
        rescore = query.rescore if sort == "relevance" else None
        depth = offset + limit if rescore is None else max(rescore.window, offset + limit)
        deadline = time.perf_counter() + time_limit
        if sort == "relevance" and _plain(query):
            total, ranked, timed_out = self._rank_terms(query.should, filters, depth, deadline)
        else:
            total, ranked, timed_out = self._rank_collected(query, filters, sort, depth, time_limit)
        if rescore is not None:
            ranked = self._rescored(rescore, ranked, time_limit)
        stored_fields = self._searcher.stored_fields
        hits = [
            Hit(score, functools.partial(stored_fields, docnum))
            for docnum, score in ranked[offset : offset + limit]
        ]
        return Results(total=total, hits=hits, timed_out=timed_out)

    def _rank_collected(
        self,
        query: EngineQuery,
        filters: Filters,
        sort: str,
        depth: int,
        time_limit: float,
        selected: wq.Query | None = None,
    ):
        """Any query, through Whoosh's matchers and collectors: (total, [(docnum, score)], timed out)."""
        searcher = self._searcher
        by_date = sort == "date"
        collector = searcher.collector(
            limit=depth, sortedby="date" if by_date else None, reverse=by_date
        )
        timed = TimeLimitCollector(collector, timelimit=time_limit, use_alarm=False)
        timed_out = False
        q = _filtered(whoosh_query(query), filters)
        try:
            searcher.search_with_collector(q if selected is None else wq.And([q, selected]), timed)
        except TimeLimit:
            timed_out = True
        results = timed.results()
        # Sorted by date, Whoosh puts the sort key where the score was.
        ranked = [(docnum, 0.0 if by_date else float(score)) for docnum, score in results.items()]
        # NOTE: len(results) counts the matches again, with no time limit: after
        # a time-out, the matches scored so far are the total.
        total = results.scored_length() if timed_out else len(results)
        return total, ranked, timed_out

    def _rank_terms(self, clauses, filters: Filters, depth: int, deadline: float):
        """A reader's plain query (an OR of weighted terms), ranked as Whoosh would rank it."""
        searcher = self._searcher
        scores, timed_out = _term_at_a_time(
            searcher, searcher.weighting, clauses, deadline, self._scored
        )
        allowed = self._allowed(filters)
        if allowed is not None:
            scores = {docnum: score for docnum, score in scores.items() if docnum in allowed}
        return len(scores), _top(scores, depth), timed_out

    def _rescored(
        self, rescore: Rescore, ranked: list[tuple[int, float]], time_limit: float
    ) -> list[tuple[int, float]]:
        """The top ``rescore.window`` of ``ranked`` scored by ``rescore.query`` and
        ranked by it, then the rest as they were."""
        window, rest = ranked[: rescore.window], ranked[rescore.window :]
        if not window:
            return ranked
        docnums = [docnum for docnum, _ in window]
        full = rescore.query
        if _plain(full):
            scores = _window_scores(self._searcher, self._searcher.weighting, full.should, docnums)
        else:  # the full query over these documents alone (they match it: it widens the first stage)
            _, found, _ = self._rank_collected(
                full, Filters(), "relevance", len(window), time_limit, selected=_Docs(docnums)
            )
            scores = dict(found)
        top = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return top + rest

    def get(self, doc_id: str) -> dict | None:
        return self._searcher.document(id=doc_id)

    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        # The segments' term dictionaries, as the idf of LuceneIdfBM25F reads them.
        reader = self._searcher.reader()
        return {term: reader.doc_frequency(field, term) for term in terms}

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
