"""OpenSearch: the clustered engine, for collections served by several machines.

The same semantics as the Whoosh and tantivy engines: term streams arrive
analysed and are sent as space-joined strings into fields cut by the
``whitespace`` analyzer (no lowercasing, no stemming); BM25 (k1 1.2, b 0.75),
from the whole index's statistics, not each shard's, scores each clause and
clause boosts weight them.  Queries are query DSL objects
(``opensearch_queries``); the client and its failures are ``opensearch_cluster``.

An engine ``location`` is a generation directory the catalog made
(``INDEX_DIR/gen-000007/engine``); its index lives in the cluster as the
concrete index ``<name>-7`` (the cluster, ``name`` and the index sizes come
from ``Settings.opensearch_*``).  The directory keeps only ``opensearch.json``,
naming that index.  ``publish`` points the alias ``<name>`` at a published
generation and drops older ones.
"""

import json
import re
from pathlib import Path

try:  # optional: only an installation using this engine needs opensearch-py
    from opensearchpy import helpers
except ImportError:  # pragma: no cover
    helpers = None

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
from indexer.engines.base import Results
from indexer.engines.base import Writer
from indexer.engines.facet_counts import CANDIDATES
from indexer.engines.facet_counts import DAY_CANDIDATES
from indexer.engines.facet_counts import FACET_SIZE
from indexer.engines.facet_counts import bucket_counts
from indexer.engines.facet_counts import date_buckets
from indexer.engines.facet_counts import terms_facets
from indexer.engines.opensearch_cluster import NotFoundError
from indexer.engines.opensearch_cluster import OpenSearch
from indexer.engines.opensearch_cluster import cluster_errors
from indexer.engines.opensearch_cluster import connect
from indexer.engines.opensearch_cluster import missing_index
from indexer.engines.opensearch_queries import Queries
from indexer.errors import IndexUnavailable
from indexer.errors import ReindexFailed
from indexer.schema import Streams
from indexer.settings import Settings

MARKER = "opensearch.json"
BATCH_DOCS = 500  # documents per bulk request
BATCH_BYTES = 20_000_000  # and at most this many bytes
REQUEST_TIMEOUT = 120  # seconds, for bulk, reindex and waiting for replicas
# Searched (analysed elsewhere) or stored whole and filtered on; the rest is only stored.
KEYWORD_FIELDS = ("id", "kind", "source", "section", "date")
STORED_ONLY = ("title", "body", "url", schema.SIGNATURE)
DAY = "day"  # the subfield ``date.day``: the date as a date
_GENERATION = re.compile(r"^gen-(\d+)$")


def index_name(location: Path, alias: str) -> str:
    """``.../gen-000007/engine`` → ``<alias>-7``."""
    location = Path(location)
    for part in (location.name, location.parent.name):
        match = _GENERATION.match(part)
        if match:
            return f"{alias}-{int(match.group(1))}"
    raise ValueError(f"{location} is not inside a generation directory (gen-NNNNNN)")


def _stored_index(location: Path, alias: str) -> str:
    """The index a built generation names (independent of a later change of the alias)."""
    try:
        return json.loads((Path(location) / MARKER).read_text("utf-8"))["index"]
    except (OSError, ValueError, KeyError):
        return index_name(location, alias)


def index_body(shards: int, replicas: int) -> dict:
    search_fields = {
        name: {
            "type": "text",
            "analyzer": "whitespace",
            # Positions only where phrases are matched; frequencies for BM25 elsewhere.
            "index_options": "positions" if name == schema.PHRASE_FIELD else "freqs",
            "similarity": "bm25",
        }
        for name in schema.SEARCH_FIELDS
    }
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "refresh_interval": "-1",  # refreshed by commit()
                "similarity": {"bm25": {"type": "BM25", "k1": 1.2, "b": 0.75}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                **{name: {"type": "keyword"} for name in KEYWORD_FIELDS},
                # The date as a date too, for the date facet's monthly histogram.
                "date": {
                    "type": "keyword",
                    "fields": {DAY: {"type": "date", "format": "yyyy-MM-dd"}},
                },
                **{
                    name: {"type": "keyword", "index": False, "doc_values": False}
                    for name in STORED_ONLY
                },
                **search_fields,
            },
        },
    }


def _source(doc: Document, streams: Streams) -> dict:
    source = {name: getattr(doc, name) for name in schema.STORED_FIELDS if getattr(doc, name)}
    source.update((name, terms) for name, terms in streams.items() if terms)
    return source


class OpenSearchWriter(Writer):
    def __init__(self, es: "OpenSearch", settings: Settings, location: Path, base: Path | None):
        self._es = es
        self._replicas = settings.opensearch_replicas
        self._name = index_name(location, settings.opensearch_index)
        self._actions = []
        self._bytes = 0
        with cluster_errors(ReindexFailed, self._name):
            # A build killed before publishing may have left an index of this name.
            es.indices.delete(index=self._name, ignore_unavailable=True)
            if base is None:
                # No replicas while loading (each document is indexed once); commit() adds them.
                es.indices.create(
                    index=self._name, body=index_body(settings.opensearch_shards, replicas=0)
                )
            else:
                self._clone(_stored_index(base, settings.opensearch_index))
        location.mkdir(parents=True, exist_ok=True)
        (location / MARKER).write_text(json.dumps({"index": self._name}) + "\n", encoding="utf-8")

    def _clone(self, base: str) -> None:
        """The new index as a copy of ``base``, segment files and all (the _clone API:
        core OpenSearch, no reindex module, no re-analysis).  Cloning needs the
        source write-blocked for a moment; it is served, never written, anyway."""
        es = self._es
        es.indices.put_settings(index=base, body={"index.blocks.write": True})
        try:
            es.indices.clone(
                index=base,
                target=self._name,
                body={
                    "settings": {
                        "index.number_of_replicas": 0,
                        "index.refresh_interval": "-1",
                        "index.blocks.write": None,
                    }
                },
                params={"wait_for_active_shards": "all"},
                request_timeout=REQUEST_TIMEOUT,
            )
        finally:
            es.indices.put_settings(index=base, body={"index.blocks.write": None})

    def add(self, doc: Document, streams: Streams) -> None:
        source = _source(doc, streams)
        self._push(
            {"_op_type": "index", "_index": self._name, "_id": doc.id, "_source": source},
            sum(len(v) * 2 for v in source.values()),
        )

    def delete(self, doc_id: str) -> None:
        self._push({"_op_type": "delete", "_index": self._name, "_id": doc_id}, 100)

    def _push(self, action: dict, size: int) -> None:
        # In order: a delete or re-add applies after the earlier actions on that id.
        self._actions.append(action)
        self._bytes += size
        if len(self._actions) >= BATCH_DOCS or self._bytes >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._actions:
            with cluster_errors(ReindexFailed, self._name):
                self._bulk()
        self._actions, self._bytes = [], 0

    def _bulk(self) -> None:
        helpers.bulk(
            self._es,
            self._actions,
            chunk_size=BATCH_DOCS,
            max_chunk_bytes=BATCH_BYTES * 2,
            ignore_status=(404,),  # deleting an id that is not there
            request_timeout=REQUEST_TIMEOUT,
        )

    def commit(self) -> None:
        self._flush()
        with cluster_errors(ReindexFailed, self._name):
            self._replicate()

    def _replicate(self) -> None:
        """Replicas and a refresh, now that the documents are in: green, or an error."""
        self._es.indices.put_settings(
            index=self._name,
            body={
                "index": {"number_of_replicas": self._replicas, "refresh_interval": None},
            },
        )
        self._es.indices.refresh(index=self._name)
        health = self._es.cluster.health(
            index=self._name,
            wait_for_status="green",
            timeout=f"{REQUEST_TIMEOUT}s",
            request_timeout=REQUEST_TIMEOUT + 10,
        )
        if health.get("timed_out"):
            raise OSError(
                f"index {self._name}: replicas not allocated within {REQUEST_TIMEOUT} s "
                f"(cluster {health.get('status')}, "
                f"{health.get('number_of_nodes')} nodes)"
            )

    def cancel(self) -> None:
        self._actions = []
        with cluster_errors(ReindexFailed, self._name):
            self._es.indices.delete(index=self._name, ignore_unavailable=True)


def _stored(source: dict) -> dict:
    return {name: source.get(name) or "" for name in schema.HIT_FIELDS}


def search_body(
    queries: Queries,
    query: EngineQuery,
    filters: Filters,
    sort: str,
    offset: int,
    limit: int,
    time_limit: float,
) -> dict:
    """The body of the _search request for one page of results."""
    body = {
        "query": queries.query(query, filters),
        "from": offset,
        "size": limit,
        "track_total_hits": True,
        "_source": list(schema.HIT_FIELDS),
        "timeout": f"{max(int(time_limit * 1000), 1)}ms",
    }
    if sort == "date":  # newest first, undated last; no score (Whoosh gives 0 too)
        body["sort"] = [{"date": {"order": "desc", "missing": "_last"}}]
    elif query.rescore is not None:  # OpenSearch refuses a rescore with a sort
        body["rescore"] = queries.rescore(query.rescore)
    return body


def facets_body(
    queries: Queries, query: EngineQuery, filters: Filters, names: tuple[str, ...]
) -> dict:
    """The body of the _search request counting the facets ``names`` (no hits)."""
    aggs = {
        name: {
            "terms": {
                "field": name,
                "size": FACET_SIZE,
                "shard_size": CANDIDATES,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        }
        for name in names
        if name in FACET_FIELDS
    }
    if DATE_FACET in names:
        day = f"date.{DAY}"
        aggs |= {
            "first": {"min": {"field": day, "format": "yyyy-MM-dd"}},
            "last": {"max": {"field": day, "format": "yyyy-MM-dd"}},
            "months": {
                "date_histogram": {
                    "field": day,
                    "calendar_interval": "month",
                    "format": "yyyy-MM",
                    "min_doc_count": 1,
                }
            },
            "days": {
                "terms": {"field": "date", "size": DAY_CANDIDATES, "shard_size": DAY_CANDIDATES}
            },
        }
    return {
        "query": queries.query(query, filters),
        "size": 0,
        "track_total_hits": False,
        "aggs": aggs,
    }


def facets_of(names: tuple[str, ...], found: dict) -> Facets:
    """Facets from the aggregations of ``facets_body``."""
    values = terms_facets(names, found)
    if DATE_FACET not in names:
        return Facets(values)
    first, last = (found[end].get("value_as_string") for end in ("first", "last"))
    months = ((b["key_as_string"], b["doc_count"]) for b in found["months"]["buckets"])
    return Facets(values, date_buckets(first, last, months, bucket_counts(found["days"])))


class OpenSearchReader(Reader):
    def __init__(self, es: "OpenSearch", name: str):
        self._es = es
        self._name = name
        self._queries = Queries()

    def search(
        self,
        query: EngineQuery,
        filters: Filters,
        sort: str,
        offset: int,
        limit: int,
        time_limit: float,
    ) -> Results:
        body = search_body(self._queries, query, filters, sort, offset, limit, time_limit)
        with cluster_errors(IndexUnavailable, self._name):
            # NOTE: dfs first: BM25 from the whole index's statistics, not each shard's, so
            # a document scores (and ranks) as it does in the embedded engines.
            found = self._es.search(
                index=self._name,
                body=body,
                params={"search_type": "dfs_query_then_fetch"},
                request_timeout=time_limit + 10,
            )
        hits = [
            Hit.of(float(h.get("_score") or 0.0), _stored(h.get("_source", {})))
            for h in found["hits"]["hits"]
        ]
        return Results(
            total=found["hits"]["total"]["value"], hits=hits, timed_out=bool(found.get("timed_out"))
        )

    def facets(self, query: EngineQuery, filters: Filters, names: tuple[str, ...]) -> Facets:
        body = facets_body(self._queries, query, filters, names)
        with cluster_errors(IndexUnavailable, self._name):
            found = self._es.search(index=self._name, body=body)
        return facets_of(names, found.get("aggregations", {}))

    def get(self, doc_id: str) -> dict | None:
        if not doc_id:  # the client refuses an empty id; no document has one
            return None
        with cluster_errors(IndexUnavailable, self._name):
            try:
                found = self._es.get(
                    index=self._name,
                    id=doc_id,
                    params={"_source_includes": ",".join(schema.STORED_FIELDS)},
                )
            except NotFoundError as exc:
                if missing_index(exc):
                    raise
                return None  # no such document
        return _stored(found["_source"]) if found.get("found") else None

    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        if not terms:
            return {}
        # One request for all the terms: a filters aggregation counts, on every
        # shard, the documents holding each (named by its place in the list).
        body = {
            "size": 0,
            "track_total_hits": False,
            "aggs": {
                "df": {
                    "filters": {
                        "filters": {
                            str(i): Queries.term(field, term) for i, term in enumerate(terms)
                        }
                    }
                }
            },
        }
        with cluster_errors(IndexUnavailable, self._name):
            found = self._es.search(index=self._name, body=body)
        buckets = found["aggregations"]["df"]["buckets"]
        return {term: int(buckets[str(i)]["doc_count"]) for i, term in enumerate(terms)}

    def count(self) -> int:
        with cluster_errors(IndexUnavailable, self._name):
            return int(self._es.count(index=self._name)["count"])

    def close(self) -> None:
        self._es.close()


class OpenSearchEngine(Engine):
    name = "opensearch"

    def __init__(self, settings: Settings):
        self.settings = settings

    def writer(self, location: Path, base: Path | None = None) -> Writer:
        return OpenSearchWriter(
            connect(self.settings),
            self.settings,
            Path(location),
            Path(base) if base is not None else None,
        )

    def reader(self, location: Path) -> Reader:
        return OpenSearchReader(
            connect(self.settings), _stored_index(location, self.settings.opensearch_index)
        )

    def publish(self, location: Path) -> None:
        """Point the alias ``<name>`` at the generation at ``location`` in one atomic
        ``_aliases`` call, then delete the concrete indexes ``<name>-N`` older than
        the one before it (kept, as the catalog keeps its directory, for workers
        still finishing a request on it)."""
        alias = self.settings.opensearch_index
        es = connect(self.settings)
        target = _stored_index(location, alias)
        try:
            with cluster_errors(ReindexFailed, target):
                self._move_alias(es, alias, target)
        finally:
            es.close()

    @staticmethod
    def _move_alias(es: "OpenSearch", alias: str, target: str) -> None:
        try:
            holders = list(es.indices.get_alias(name=alias))
        except NotFoundError:
            holders = []
        actions = [
            {"remove": {"index": index, "alias": alias}} for index in holders if index != target
        ]
        actions.append({"add": {"index": target, "alias": alias}})
        es.indices.update_aliases(body={"actions": actions})
        pattern = re.compile(rf"^{re.escape(alias)}-(\d+)$")
        keep_from = int(target.rsplit("-", 1)[1]) - 1
        existing = es.indices.get(index=f"{alias}-*", params={"expand_wildcards": "open,closed"})
        old = [
            name for name in existing if (m := pattern.match(name)) and int(m.group(1)) < keep_from
        ]
        if old:
            es.indices.delete(index=",".join(old), ignore_unavailable=True)
