"""Relevance benchmark: bahth's engines against a plain Whoosh baseline, in one run.

    python -m bench.relevance [CORPUS QUERIES QRELS] [--engines whoosh,tantivy]
                              [--analysis native[,python]] [--rankings single,two-stage:100]
                              [--news PATH | --no-news] [--json-out FILE]

Each engine indexes through ``reindex`` (into a temporary folder) and answers
every query through ``Searcher.search`` (the JSON API's function, default
query handling, per_page=100).  Datasets: CORPUS with titles dropped (the
headline figure: xquad's titles are English), CORPUS as given (bahth only),
and the news known-item test (1,000 titles of 4+ words over all bodies).
Baseline: plain Whoosh, StandardAnalyzer on the body text, BM25F defaults,
query words OR-ed.  Prints a table with the peers' figures, timings (">limit":
queries slower than the API's time limit, lifted here) and one JSON line per run.
Each engine runs with each analysis back-end named (``bahth-ENGINE``: the
compiled core; ``bahth-ENGINE-py``: the Python chain); the default is the
core where it is installed.  ``--rankings`` searches each bahth index with
each ranking (``two-stage:K``: re-scoring the top K), one row each.
``--engines opensearch`` uses the cluster BAHTH_OPENSEARCH_URL names (e.g. one
``deploy/opensearch/cluster start`` runs), under the alias ``bench-relevance``.
"""

import argparse
import functools
import json
import re
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

from bench import datasets
from bench.metrics import evaluate
from bench.systems import engine_and_analysis
from bench.systems import system_name
from indexer.analysis import native
from indexer.engines import get_engine
from indexer.errors import BadQuery
from indexer.errors import ConfigError
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.settings import ENGINES
from indexer.settings import Settings
from indexer.write.reindex import reindex

DEPTH = 100  # the API's largest page: enough for Recall@100
# NOTE: Whoosh collects in document order: a search cut off by the time limit keeps
# the early documents, the news known items, so load would raise the score.  Lift it.
TIME_LIMIT = 600.0
API_LIMIT_MS = Settings().search_time_limit * 1000
BASELINE = "baseline"
# Peers' reference figures: (xquad, news known-item).
PEERS = {
    "peer: Whoosh StandardAnalyzer": (
        {"mrr@10": 0.852, "ndcg@10": 0.873},
        {"mrr@10": 0.621, "recall@10": 0.852},
    ),
    "peer: Lucene ArabicAnalyzer": (
        {"mrr@10": 0.924, "ndcg@10": 0.938},
        {"mrr@10": 0.665, "recall@10": 0.878},
    ),
}
_SYNTAX = re.compile(r"[^\w\s]")  # everything QueryParser could read as an operator


@dataclass
class Run:
    system: str
    dataset: str
    metrics: dict
    docs: int
    index_seconds: float
    query_ms: list[float]

    def record(self, commit: str | None, stamp: str) -> dict:
        ms = sorted(self.query_ms)
        return {
            "bench": "relevance",
            "engine": self.system,
            "dataset": self.dataset,
            **{k: round(v, 4) for k, v in self.metrics.items() if k != "queries"},
            "queries": self.metrics["queries"],
            "docs": self.docs,
            "index_s": round(self.index_seconds, 1),
            "ms_per_query": round(statistics.fmean(ms), 2),
            "p50_ms": round(ms[len(ms) // 2], 2),
            "p95_ms": round(ms[int(len(ms) * 0.95)], 2),
            "over_api_limit": sum(t > API_LIMIT_MS for t in ms),
            "commit": commit,
            "time": stamp,
        }


_say = functools.partial(print, file=sys.stderr, flush=True)


def _progress(label: str, every: int = 2000):
    """Wraps a record iterator; a line on stderr every ``every`` records."""

    def wrap(records):
        started, count = time.perf_counter(), 0
        for count, record in enumerate(records, 1):
            if count % every == 0:
                elapsed = time.perf_counter() - started
                _say(f"  {label}: {count} records, {elapsed:.0f} s ({count / elapsed:.0f}/s)")
            yield record
        _say(f"  {label}: {count} records read")

    return wrap


def ranking_settings(ranking: str) -> dict:
    """``single``, ``two-stage`` or ``two-stage:K`` as Settings fields."""
    name, _, window = ranking.partition(":")
    return {"ranking": name} | ({"rerank_window": int(window)} if window else {})


def ranking_label(ranking: str) -> str:
    """The row's suffix: none for the settings' default ranking, as earlier runs were labelled."""
    return "" if Settings(**ranking_settings(ranking)) == Settings() else f" {ranking}"


def build_bahth(system: str, corpus: Path, where: Path, rankings: list[str]):
    """Index ``corpus`` with reindex; a search function over Searcher.search for each
    ranking (by its row label's suffix), and the doc count."""
    engine, analysis = engine_and_analysis(system)
    # The cluster, for opensearch, from BAHTH_OPENSEARCH_URL; an alias of the benchmark's own.
    settings = Settings.from_env(
        index_dir=where,
        engine=engine,
        analysis=analysis,
        search_time_limit=TIME_LIMIT,
        opensearch_index="bench-relevance",
    )
    skipped = []
    summary = reindex(
        settings,
        [corpus],
        skip_bad=True,
        warn=skipped.append,
        progress=_progress(f"{system} {corpus.name}"),
    )
    _say("\n".join(f"  {line}" for line in [summary.line(), *skipped[:5]]))

    def searching(searcher: Searcher):
        def search(q: str) -> list[str]:
            try:
                # The ranking, uncollapsed: a judged article's copy from another
                # paper must not hide it (collapsing is the page's grouping).
                request = SearchRequest(q, per_page=DEPTH, collapse=False)
                return [hit["id"] for hit in searcher.search(request).hits]
            except BadQuery as exc:  # e.g. a query over the length limit: counts as a miss
                _say(f"  query refused ({exc}): {q[:60]}")
                return []

        return search

    return {
        ranking_label(r): searching(Searcher(settings.replace(**ranking_settings(r))))
        for r in rankings
    }, summary.total


def build_baseline(corpus: Path, where: Path):
    """Plain Whoosh over the body text: StandardAnalyzer, BM25F defaults, words OR-ed."""
    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID
    from whoosh.fields import TEXT
    from whoosh.fields import Schema
    from whoosh.qparser import OrGroup
    from whoosh.qparser import QueryParser

    where.mkdir(parents=True)
    ix = index.create_in(
        str(where), Schema(id=ID(stored=True), text=TEXT(analyzer=StandardAnalyzer()))
    )
    writer = ix.writer(limitmb=512)
    for record in _progress(f"baseline {corpus.name}")(datasets.read_corpus(corpus)):
        writer.add_document(id=str(record["id"]), text=record["text"])
    writer.commit()
    searcher = ix.searcher()  # BM25F (B 0.75, K1 1.2) is Whoosh's default weighting
    parser = QueryParser("text", ix.schema, group=OrGroup)

    def search(q: str) -> list[str]:
        # Lower case too, so a stray AND / OR / NOT is a word, not an operator.
        query = parser.parse(_SYNTAX.sub(" ", q).lower())
        return [hit["id"] for hit in searcher.search(query, limit=DEPTH)]

    return {"": search}, searcher.doc_count()


def measure(system: str, build, dataset: datasets.Dataset, where: Path) -> list[Run]:
    """One index built by ``build``; a run of every query for each of its search functions."""
    _say(f"{system} on {dataset.name}: indexing {dataset.corpus.name}")
    started = time.perf_counter()
    searches, docs = build(dataset.corpus, where)
    index_seconds = time.perf_counter() - started
    measured = []
    for suffix, search in searches.items():
        runs, query_ms = {}, []  # progress on stderr every 250 queries
        for number, (query_id, text) in enumerate(dataset.queries.items(), 1):
            started = time.perf_counter()
            runs[query_id] = search(text)
            query_ms.append((time.perf_counter() - started) * 1000)
            if number % 250 == 0:
                _say(
                    f"  {system}{suffix}: {number} queries, {statistics.fmean(query_ms):.0f} ms each"
                )
        measured.append(
            Run(
                system + suffix,
                dataset.name,
                evaluate(runs, dataset.qrels),
                docs,
                index_seconds,
                query_ms,
            )
        )
    return measured


def commit_sha() -> str | None:
    """The checked-out commit, read from .git (no git process), or None."""
    git = datasets.ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        ref = head.removeprefix("ref: ")
        if ref == head or (git / ref).is_file():
            return (head if ref == head else (git / ref).read_text().strip())[:7]
        packed = (git / "packed-refs").read_text().splitlines()
        return next((line[:7] for line in packed if line.endswith(" " + ref)), None)
    except OSError:
        return None


MAIN_COLUMNS = (("mrr@10", 6), ("recall@10", 6), ("ndcg@10", 7), ("recall@100", 5))
NEWS_COLUMNS = (("mrr@10", 6), ("recall@10", 6))


def _cells(metrics: dict | None, columns) -> str:
    metrics = metrics or {}
    return " ".join(f"{metrics[k]:{w}.3f}" if k in metrics else f"{'–':>{w}}" for k, w in columns)


def table(runs: list[Run], notes: dict[str, str], main: str, news: str | None) -> str:
    found = {(r.system, r.dataset): r.metrics for r in runs}
    cols = f"{'':34} {'MRR@10':>6} {'R@10':>6} {'nDCG@10':>7} {'R@100':>5}  │ {'MRR@10':>6} {'R@10':>6}"
    lines = [f"{'system':34} {main[:26]:>26}  │ {'news known-item':>14}", cols, "─" * len(cols)]
    systems = list(dict.fromkeys([r.system for r in runs] + list(notes)))
    rows = [(s, found.get((s, main)), found.get((s, news)), notes.get(s)) for s in systems]
    rows += [
        (f"{s} (titles prepended)", found[s, f"{main}+titles"], None, None)
        for s in systems
        if (s, f"{main}+titles") in found
    ]
    rows += [(name, xquad, news_, None) for name, (xquad, news_) in PEERS.items()]
    for label, left, right, note in rows:
        if left or right:
            note = f"  ({note})" if note else ""
            lines.append(
                f"{label:34} {_cells(left, MAIN_COLUMNS)}  │ {_cells(right, NEWS_COLUMNS)}{note}"
            )
        else:
            lines.append(f"{label:34} {note or 'no result'}")
    return "\n".join(lines)


def timings(runs: list[Run]) -> str:
    lines = [
        f"{'system':16} {'dataset':22} {'docs':>6} {'index s':>8} {'docs/s':>7} "
        f"{'queries':>7} {'ms/query':>8} {'p50':>7} {'p95':>7} {'>limit':>6}"
    ]
    for run in runs:
        r = run.record(None, "")
        lines.append(
            f"{run.system:16} {run.dataset:22} {run.docs:6d} {run.index_seconds:8.1f} "
            f"{run.docs / run.index_seconds:7.0f} {len(run.query_ms):7d} "
            f"{r['ms_per_query']:8.2f} {r['p50_ms']:7.2f} {r['p95_ms']:7.2f} {r['over_api_limit']:6d}"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relevance", description=__doc__.split("\n")[0]
    )
    parser.add_argument("corpus", nargs="?", type=Path, default=datasets.XQUAD / "corpus.jsonl")
    parser.add_argument("queries", nargs="?", type=Path, default=datasets.XQUAD / "queries.jsonl")
    parser.add_argument("qrels", nargs="?", type=Path, default=datasets.XQUAD / "qrels.tsv")
    parser.add_argument(
        "--engines", default="whoosh,tantivy", help="bahth engines, comma-separated"
    )
    parser.add_argument(
        "--analysis",
        default="native" if native.available() else "python",
        help="analysis back-ends, each engine with each: native (the compiled "
        "core, the default where installed), python",
    )
    parser.add_argument(
        "--rankings",
        default="single",
        help="rankings of each bahth index, comma-separated: single, two-stage[:K]",
    )
    parser.add_argument("--news", type=Path, default=datasets.NEWS, help="news corpus (.jsonl.gz)")
    parser.add_argument("--no-news", action="store_true", help="skip the news known-item test")
    parser.add_argument("--json-out", type=Path, help="append the JSON lines to this file")
    args = parser.parse_args(argv)

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := sorted(set(engines) - set(ENGINES)):
        parser.error(f"unknown engine {', '.join(unknown)}: choose from {', '.join(ENGINES)}")
    backends = [b.strip() for b in args.analysis.split(",") if b.strip()]
    if unknown := sorted(set(backends) - {"native", "python"}):
        parser.error(f"unknown analysis back-end {', '.join(unknown)}: choose native, python")
    if "native" in backends and not native.available():
        parser.error("--analysis native: the compiled core is not installed")
    rankings = [r.strip() for r in args.rankings.split(",") if r.strip()]
    for ranking in rankings:
        try:
            Settings(**ranking_settings(ranking))
        except (ValueError, ConfigError) as exc:
            parser.error(f"--rankings {ranking}: {exc}")
    notes = {}
    for engine in engines:
        try:
            get_engine(engine, Settings())
        except ImportError as exc:
            notes[f"bahth-{engine}"] = f"skipped: engine does not import ({exc})"
            _say(f"note: bahth-{engine} {notes[f'bahth-{engine}']}")

    commit, stamp = commit_sha(), datetime.now(UTC).isoformat(timespec="seconds")
    runs, failed = [], False
    with tempfile.TemporaryDirectory(prefix="bahth-relevance-") as tmp:
        tmp = Path(tmp)
        sets = datasets.benchmark_sets(
            args.corpus, args.queries, args.qrels, None if args.no_news else args.news, tmp
        )
        systems = [(BASELINE, build_baseline)] + [
            (name, lambda c, w, name=name: build_bahth(name, c, w, rankings))
            for e in engines
            for name in (system_name(e, b) for b in backends)
        ]
        for number, dataset in enumerate(sets):
            for system, build in systems:
                if (
                    system == BASELINE
                    and not dataset.baseline
                    or system in notes
                    or f"bahth-{engine_and_analysis(system)[0]}" in notes
                ):
                    continue
                try:
                    runs += measure(system, build, dataset, tmp / f"{system}-{number}")
                except Exception as exc:  # NOTE: a half-built engine must not cost the other runs
                    traceback.print_exc()
                    notes[system] = f"failed: {type(exc).__name__}: {exc}"
                    failed = True

    records = [json.dumps(run.record(commit, stamp), ensure_ascii=False) for run in runs]
    news = sets[-1].name if not args.no_news else None
    print(table(runs, notes, sets[0].name, news), timings(runs), "\n".join(records), sep="\n\n")
    if args.json_out and records:
        with open(args.json_out, "a", encoding="utf-8") as out:
            out.write("\n".join(records) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
