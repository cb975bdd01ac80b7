"""What facet counts cost: search latency with and without ``facets=source,section,date``.

    python -m bench.facets [--size 30000] [--engines tantivy,whoosh] [--queries 500] [--news PATH]

Indexes the first ``--size`` news articles on each engine (``reindex``, as
``bahth reindex`` does), then runs the same title queries (first articles
with a 4+ word title; every one a plain OR of its words, so each matches a
large part of the corpus, the costly case for counting) through ``Searcher``
in one process, results cache off: plain, then with all three facets, then
plain again (the two plain runs bound the noise).  Prints p50/p99 per run
and a JSON line per measurement.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench import datasets
from bench.speed import query_once
from bench.speed import titles_of
from bench.speed import write_subsets
from bench.timing import table
from indexer.engines.base import FACETS
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.settings import Settings
from indexer.write.reindex import reindex

RUNS = (("plain", None), ("facets", ",".join(FACETS)), ("plain again", None))


def measure(engine: str, corpus: Path, queries: list[str], where: Path) -> list[dict]:
    settings = Settings(index_dir=where / engine, engine=engine, cache_size=0)
    print(f"indexing {corpus.name} on {engine}", file=sys.stderr)
    reindex(settings, [corpus])
    searcher = Searcher(settings)
    found = []
    for label, facets in RUNS:
        print(f"{engine}: {len(queries)} queries, {label}", file=sys.stderr)
        metrics = query_once(
            lambda q, f=facets: searcher.search(SearchRequest(q, facets=f)), queries
        )
        found.append({"engine": engine, "run": label, **metrics})
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30_000, help="articles indexed")
    parser.add_argument("--engines", default="tantivy", help="comma-separated engines")
    parser.add_argument("--queries", type=int, default=500, help="title queries timed")
    parser.add_argument("--news", type=Path, default=datasets.NEWS, help="news corpus")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-facets-") as tmp:
        size, corpus = next(iter(write_subsets(args.news, [args.size], False, Path(tmp)).values()))
        queries = titles_of(corpus, args.queries)
        rows = []
        for engine in args.engines.split(","):
            rows += measure(engine, corpus, queries, Path(tmp))
    for row in rows:
        print(json.dumps({"benchmark": "facets", "articles": size, **row}, ensure_ascii=False))
    print(f"\n{size} articles, {len(queries)} title queries, one process, no results cache")
    columns = ("engine", "run", "p50_ms", "p95_ms", "p99_ms", "qps")
    print(table(columns, [[row[c] for c in columns] for row in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
