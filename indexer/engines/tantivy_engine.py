"""Tantivy: the compiled engine, for large collections.

The same semantics as the Whoosh engine: term streams arrive analysed, so
every search field is cut at white space and nothing else (tantivy's
"whitespace" tokenizer: no lowercasing, no stemming); BM25 (k1 1.2, b 0.75)
scores each clause and clause boosts weight them.  Queries are built with
tantivy's query constructors, never its query parser: a reader's text never
reaches a parser.

Scores follow Whoosh clause for clause: a required term adds its BM25, as in
a Whoosh ``And``; a required phrase matches the words in order and adds the
BM25 of each word, as a Whoosh phrase does; filters and exclusions never
change a score.  Only the IDF differs (tantivy ln(1 + (N - n + 0.5) / (n +
0.5)), Whoosh ln(N / (n + 1)) + 1), and each keeps field lengths in one lossy
byte of its own.
"""

import hashlib
import shutil
import struct
from functools import partial
from pathlib import Path

import tantivy

from indexer import schema
from indexer.document import Document
from indexer.engines.base import DATE_FACET
from indexer.engines.base import FACET_FIELDS
from indexer.engines.base import Engine
from indexer.engines.base import EngineQuery
from indexer.engines.base import Facets
from indexer.engines.base import Filters
from indexer.engines.base import Hit
from indexer.engines.base import Reader
from indexer.engines.base import Rescore
from indexer.engines.base import Results
from indexer.engines.base import Writer
from indexer.engines.facet_counts import CANDIDATES
from indexer.engines.facet_counts import DAY_CANDIDATES
from indexer.engines.facet_counts import bucket_counts
from indexer.engines.facet_counts import date_buckets
from indexer.engines.facet_counts import terms_facets
from indexer.engines.translation import Translation
from indexer.errors import IndexUnavailable
from indexer.schema import Streams
from indexer.signature import SKETCH_SIZE

HEAP_BYTES = 256_000_000  # a segment is written when full
# One indexing thread: documents land in segments in their order, so equal
# scores rank in the same order on every build (with two, the split of
# documents between threads varied, and MRR@10 with it by ±0.003).  The
# reindex's analysis workers use the other cores.
THREADS = 1
DATE_KEY = "date_key"  # the date as the integer YYYYMMDD, 0 for none: ranges and sorting
# The id as a 64-bit integer (``id_key``), a fast field: a first stage's top k
# are read as integers, without the stored documents (100 of those cost ten
# times the query), and found again by them.
ID_KEY = "id_key"
# The near-duplicate signature (up to SKETCH_SIZE 32-bit hashes) in fast
# fields, two hashes a column, beside their count: a collapse reads its
# window's signatures without their stored documents (the cost of a stored
# document is that of four signatures).
SIGNATURE_SIZE = "signature_size"
SIGNATURE_WORDS = tuple(f"signature_{i}" for i in range(SKETCH_SIZE // 2))
_WORDS = struct.Struct(f"<{len(SIGNATURE_WORDS)}Q")
# Stored, indexed whole (the "raw" tokenizer): looked up by id, filtered on.
RAW_FIELDS = ("id", "kind", "source", "section", "date")
# Fast (columnar) too: sorted on, or counted by facets' aggregations.
FAST_FIELDS = ("source", "section", "date")
# Stored only.  tantivy indexes every text field, so these are bytes fields
# (UTF-8): no postings, no term dictionary entry the size of an article.
BYTES_FIELDS = ("title", "body", "url")

Occur = tantivy.Occur
Query = tantivy.Query


def tantivy_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in RAW_FIELDS:
        builder.add_text_field(
            name,
            stored=True,
            fast=(name in FAST_FIELDS),
            tokenizer_name="raw",
            index_option="basic",
        )
    for name in BYTES_FIELDS:
        builder.add_bytes_field(name, stored=True)
    builder.add_integer_field(DATE_KEY, indexed=True, fast=True)
    builder.add_integer_field(ID_KEY, indexed=True, fast=True)
    for name in (SIGNATURE_SIZE, *SIGNATURE_WORDS):
        builder.add_unsigned_field(name, fast=True)
    for name in schema.SEARCH_FIELDS:
        # Positions only where phrases are matched; frequencies for BM25 elsewhere.
        builder.add_text_field(
            name,
            tokenizer_name="whitespace",
            index_option="position" if name == schema.PHRASE_FIELD else "freq",
        )
    return builder.build()


def date_key(date: str) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD (same order as the strings); 0 for none."""
    match = schema.DATE_PATTERN.match(date or "")
    return int("".join(match.groups())) if match else 0


def key_date(key: float) -> str:
    """The date of a ``date_key`` (YYYYMMDD), as YYYY-MM-DD."""
    digits = f"{int(key):08d}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def facet_aggregations(names: tuple[str, ...]) -> dict:
    """The aggregations counting ``names``: terms of each field; over the dated
    documents (``date_key`` from 1), the span, months (a histogram of YYYYMMDD by
    100: its keys are YYYYMM00) and days (complete when the span is short)."""
    aggs = {
        name: {"terms": {"field": name, "size": CANDIDATES, "segment_size": CANDIDATES}}
        for name in names
        if name in FACET_FIELDS
    }
    if DATE_FACET in names:
        aggs[DATE_FACET] = {
            "range": {"field": DATE_KEY, "ranges": [{"from": 1}]},
            "aggs": {
                "span": {"stats": {"field": DATE_KEY}},
                "months": {"histogram": {"field": DATE_KEY, "interval": 100, "min_doc_count": 1}},
                "days": {
                    "terms": {
                        "field": "date",
                        "size": DAY_CANDIDATES,
                        "segment_size": DAY_CANDIDATES,
                    }
                },
            },
        }
    return aggs


def facets_of(names: tuple[str, ...], found: dict) -> Facets:
    """Facets from the result of ``facet_aggregations``."""
    values = terms_facets(names, found)
    if DATE_FACET not in names:
        return Facets(values)
    dated = next(b for b in found[DATE_FACET]["buckets"] if b.get("from") == 1)
    first = last = None
    if dated["doc_count"]:
        first, last = key_date(dated["span"]["min"]), key_date(dated["span"]["max"])
    months = ((key_date(b["key"])[:7], b["doc_count"]) for b in dated["months"]["buckets"])
    return Facets(values, date_buckets(first, last, months, bucket_counts(dated["days"])))


def signature_words(signature: str) -> tuple[int, tuple[int, ...]]:
    """A signature's hash count and its hashes packed in SIGNATURE_WORDS integers.

    >>> signature_text(*signature_words("0a0b0c0d ffffffff 00000001"))
    '0a0b0c0d ffffffff 00000001'
    """
    hashes = bytes.fromhex(signature.replace(" ", ""))
    return len(hashes) // 4, _WORDS.unpack(hashes.ljust(_WORDS.size, b"\0"))


def signature_text(size: int, words: tuple[int, ...]) -> str:
    """The signature ``signature_words`` packed."""
    return _WORDS.pack(*words)[: 4 * size].hex(" ", 4)


def id_key(doc_id: str) -> int:
    """A document id as a signed 64-bit integer (BLAKE2b).  A window of k keys
    finds another document too with odds of k × N / 2^64 (5 × 10^-12 for 100
    of a million documents); it would only be re-scored with the window."""
    return int.from_bytes(
        hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big", signed=True
    )


def _tantivy_document(doc: Document, streams: Streams) -> tantivy.Document:
    tdoc = tantivy.Document()
    for name in RAW_FIELDS:
        value = getattr(doc, name)
        if value:  # absent reads back as "", as Whoosh stores it
            tdoc.add_text(name, value)
    for name in BYTES_FIELDS:
        value = getattr(doc, name)
        if value:
            tdoc.add_bytes(name, value.encode("utf-8"))
    tdoc.add_integer(DATE_KEY, date_key(doc.date))
    tdoc.add_integer(ID_KEY, id_key(doc.id))
    for name in schema.SEARCH_FIELDS:
        if streams[name]:
            tdoc.add_text(name, streams[name])
    if streams.get(schema.SIGNATURE):
        size, words = signature_words(streams[schema.SIGNATURE])
        tdoc.add_unsigned(SIGNATURE_SIZE, size)
        for name, word in zip(SIGNATURE_WORDS, words, strict=True):
            tdoc.add_unsigned(name, word)
    return tdoc


class TantivyWriter(Writer):
    def __init__(self, index: tantivy.Index, incremental: bool):
        self._writer = index.writer(heap_size=HEAP_BYTES, num_threads=THREADS)
        self._incremental = incremental

    def add(self, doc: Document, streams: Streams) -> None:
        if self._incremental:  # replace: a delete applies to documents added before it
            self._writer.delete_documents_by_term("id", doc.id)
        self._writer.add_document(_tantivy_document(doc, streams))

    def delete(self, doc_id: str) -> None:
        self._writer.delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        self._writer.commit()
        self._writer.wait_merging_threads()  # finish merges; releases the writer and its lock
        self._writer = None

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None  # dropped: threads stop, the lock is released


class _Queries(Translation[Query]):
    """EngineQuery → tantivy Query, with Whoosh's matching and scoring."""

    def __init__(self, tschema: tantivy.Schema):
        self.schema = tschema

    def term(self, field: str, term: str, boost: float = 1.0) -> Query:
        # 'freq': BM25 needs term frequencies, never positions.
        q = Query.term_query(self.schema, field, term, index_option="freq")
        return q if boost == 1.0 else Query.boost_query(q, boost)

    def phrase(self, field: str, terms: tuple[str, ...]) -> Query:
        return Query.phrase_query(self.schema, field, list(terms))

    def every(self) -> Query:
        return Query.all_query()

    def boolean(self, must=(), should=(), must_not=(), select=(), boost: float = 1.0) -> Query:
        if len(should) == 1 and not (must or must_not or select):
            q = should[0]  # one clause alone: itself, not a boolean of one
        else:
            clauses = [(Occur.Must, Query.const_score_query(q, 0.0)) for q in select]
            clauses += [(Occur.Must, q) for q in must]
            clauses += [(Occur.Should, q) for q in should]
            clauses += [(Occur.MustNot, q) for q in must_not]
            q = Query.boolean_query(clauses)
        return q if boost == 1.0 else Query.boost_query(q, boost)

    def filters(self, filters: Filters) -> list[Query]:
        found = [
            Query.term_query(self.schema, name, getattr(filters, name), index_option="basic")
            for name in schema.FILTER_FIELDS
            if getattr(filters, name)
        ]
        if filters.date_from or filters.date_to:
            # Both bounds inclusive; a document without a date is in no range.
            lower = date_key(filters.date_from) if filters.date_from else 1
            upper = date_key(filters.date_to) if filters.date_to else None
            if (filters.date_from and not lower) or (filters.date_to and not upper):
                raise ValueError(
                    f"not {schema.DATE_SHAPE}: {filters.date_from!r}, {filters.date_to!r}"
                )
            found.append(
                Query.range_query(
                    self.schema,
                    DATE_KEY,
                    tantivy.FieldType.Integer,
                    lower_bound=lower,
                    upper_bound=upper,
                )
            )
        return found


class TantivyReader(Reader):
    def __init__(self, index: tantivy.Index):
        self._index = index
        self._searcher = index.searcher()
        self._queries = _Queries(index.schema)

    def search(
        self,
        query: EngineQuery,
        filters: Filters,
        sort: str,
        offset: int,
        limit: int,
        time_limit: float,
    ) -> Results:
        # tantivy answers well inside any time limit we set: it is not enforced.
        q = self._queries.query(query, filters)
        searcher = self._searcher
        if sort == "date":  # newest first; the score is not computed (Whoosh gives 0 too)
            found = searcher.search(
                q,
                max(limit, 1),
                count=True,
                offset=offset,
                order_by_field=DATE_KEY,
                order=tantivy.Order.Desc,
            )
            ranked = [(0.0, address) for _, address in found.hits]
        elif query.rescore is None:
            found = searcher.search(q, max(limit, 1), count=True, offset=offset)
            ranked = found.hits
        else:
            found = searcher.search(q, max(query.rescore.window, offset + limit), count=True)
            ranked = self._rescored(query.rescore, found.hits)[offset:]
        stored = self._hit_fields
        hits = [
            Hit(float(score), partial(stored, address), address)
            for score, address in ranked[:limit]
        ]
        return Results(total=found.count, hits=hits)

    def signatures(self, hits: list[Hit]) -> list[str]:
        addresses = [hit.address for hit in hits]
        read = self._searcher.fast_field_values
        sizes = read(SIGNATURE_SIZE, addresses)  # None where a document has no signature
        columns = [read(name, addresses) for name in SIGNATURE_WORDS]
        return [
            signature_text(size, words) if size else ""
            for size, words in zip(sizes, zip(*columns, strict=True), strict=True)
        ]

    def facets(self, query: EngineQuery, filters: Filters, names: tuple[str, ...]) -> Facets:
        # The matching documents only, unscored: the scoring query's exclusions and filters.
        q = self._queries.query(query, filters)
        return facets_of(names, self._searcher.aggregate(q, facet_aggregations(names)))

    def _rescored(self, rescore: Rescore, ranked: list) -> list:
        """The top ``rescore.window`` of ``ranked`` scored by ``rescore.query`` and
        ranked by it, then the rest as they were."""
        window, rest = ranked[: rescore.window], ranked[rescore.window :]
        if not window:
            return ranked
        searcher = self._searcher
        keys = searcher.fast_field_values(ID_KEY, [address for _, address in window])
        # NOTE: one term query a key; a term_set_query of integers took 20 ms at 30k
        # documents, 15 times this.
        schema_ = self._index.schema
        in_window = Query.boolean_query(
            [(Occur.Should, Query.term_query(schema_, ID_KEY, key)) for key in keys]
        )
        # Selected by their keys, the window scores exactly as the full query
        # alone would score it (the selection adds 0).
        q = Query.boolean_query(
            [
                (Occur.Must, self._queries.scoring(rescore.query)),
                (Occur.Must, Query.const_score_query(in_window, 0.0)),
            ]
        )
        top = searcher.search(q, len(window), count=False).hits
        return top + rest

    def _stored(self, address: tantivy.DocAddress, keep_bytes: tuple[str, ...] = ()) -> dict:
        """The stored fields; those of ``keep_bytes`` as stored (UTF-8), the others decoded."""
        # PERF: get_first a field, not to_dict(), which converts the whole
        # document (a fifth of a search's time for its 20 hits).
        tdoc = self._searcher.doc(address)
        stored = {}
        for name in schema.STORED_FIELDS:  # the signature is read apart (``signatures``)
            value = tdoc.get_first(name)
            if value is None:
                value = ""
            elif isinstance(value, bytes) and name not in keep_bytes:
                value = value.decode("utf-8")
            stored[name] = value
        return stored

    def _hit_fields(self, address: tantivy.DocAddress) -> dict:
        return self._stored(address, keep_bytes=("body",))  # for its snippet alone (``Hit``)

    def get(self, doc_id: str) -> dict | None:
        q = Query.term_query(self._index.schema, "id", doc_id, index_option="basic")
        found = self._searcher.search(q, 1, count=False)
        if not found.hits:
            return None
        return self._stored(found.hits[0][1])

    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        doc_freq = self._searcher.doc_freq
        return {term: doc_freq(field, term) for term in terms}

    def count(self) -> int:
        return self._searcher.num_docs

    def close(self) -> None:
        self._searcher = self._index = None


class TantivyEngine(Engine):
    name = "tantivy"

    def writer(self, location: Path, base: Path | None = None) -> Writer:
        if base is not None:
            shutil.copytree(base, location, dirs_exist_ok=True)
            return TantivyWriter(_open(location), incremental=True)
        location.mkdir(parents=True, exist_ok=True)
        return TantivyWriter(
            tantivy.Index(tantivy_schema(), path=str(location), reuse=False), incremental=False
        )

    def reader(self, location: Path) -> Reader:
        return TantivyReader(_open(location))


def _open(location: Path) -> tantivy.Index:
    try:
        return tantivy.Index.open(str(location))
    except (ValueError, OSError) as exc:  # tantivy reports a damaged index as ValueError
        raise IndexUnavailable(
            f"cannot open the index in {location} ({exc}): run `bahth reindex`"
        ) from exc
