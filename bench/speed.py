"""Speed benchmark: indexing, single-process queries and the served API, with baselines in one run.

    python -m bench.speed [--news PATH] [--sizes 10000,30017] [--engines whoosh,tantivy]
                          [--analysis native,python] [--opensearch-url URL[,URL...]]
                          [--repeat 3] [--x10] [--service]
                          [--duration S] [--warmup S] [--quick] [--json-out FILE]

Indexing: ``bahth reindex`` (the real CLI, one subprocess per run) of the first
N news articles, and plain Whoosh (StandardAnalyzer over title + text) the same
way: docs/s, seconds, index MB, peak RSS.  Each engine runs with each analysis
back-end (``--analysis``): ``bahth-ENGINE`` with the compiled core,
``bahth-ENGINE-py`` with the Python chain, so the core's gain shows in one run.  ``--x10`` adds the corpus repeated
ten times with suffixed ids (with ``--service``, served too).  Queries: the
1,000 title queries (first articles with a 4+ word title), one process, no
results cache.  Service: ``bahth
serve`` and a bare Falcon app under the same gunicorn settings, loaded by wrk
at concurrency 16 after an untimed warm-up: uncached titles, then a mix with
repeated head queries (``--duration`` s each).  ``--quick`` runs it all at toy
scale (2,000 articles, 200 queries, 3 s phases, once) as a smoke test.
Tables show medians over the repeats; ratios are taken within a repeat.
Progress goes to stderr; one JSON line per measurement (and per median) to stdout.

With ``--opensearch-url`` (default: BAHTH_OPENSEARCH_URL) the opensearch engine
is measured too, under its own alias ``bench-speed`` (dropped at the end); its
index size is the cluster's store, primaries and replicas.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

from bench import datasets
from bench import load
from bench.relevance import commit_sha
from bench.systems import PYTHON_CHAIN
from bench.systems import engine_and_analysis
from bench.systems import system_name
from bench.timing import TreeMemory
from bench.timing import add_ratios
from bench.timing import disk_mb
from bench.timing import latency_summary
from bench.timing import medians
from bench.timing import table
from indexer.analysis import native
from indexer.settings import Settings

BASELINE = "baseline"
OPENSEARCH = "bahth-opensearch"
OPENSEARCH_ALIAS = "bench-speed"  # never the alias a site serves
OPENSEARCH_NOTE = (
    "bahth-opensearch: a 3-node cluster on one 2-core machine, beside the "
    "benchmark (correctness at scale, not a speed claim)"
)
TITLE_WORDS = 4
TARGETS = (
    "tantivy indexing ≥ 2,000 docs/s and ≥ 10× baseline; service ≥ 600 QPS, p99 ≤ 30 ms "
    "and ≥ 25 % of bare Falcon on uncached titles at c16; whoosh ≥ 1× baseline docs/s and "
    "≥ 3× its QPS; serving worker ≤ 300 MB RSS at 30k; at 300k (x10) p99 ≤ 60 ms "
    "(each for the compiled core; the -py rows show the Python chain beside it)"
)
_SYNTAX = re.compile(r"[^\w\s]")  # what Whoosh's QueryParser could read as syntax
_SUMMARY = re.compile(r"indexed (\d+) documents .* in ([\d.]+) s \((\d+) docs/s\)")
# Runs one indexing in a fresh interpreter and reports its own peak RSS on stderr.
CHILD = """import json, resource, sys
mode, argv = sys.argv[1], sys.argv[2:]
if mode == "bahth":
    from indexer.cli import main
    code = main(argv)
else:
    from bench.speed import build_baseline
    code = build_baseline(*argv)
usage = resource.getrusage
print("BENCH-RSS", json.dumps([usage(resource.RUSAGE_SELF).ru_maxrss,
      usage(resource.RUSAGE_CHILDREN).ru_maxrss]), file=sys.stderr)
sys.exit(code)
"""
# Analyses the first N articles twice in a fresh interpreter (cold caches, then warm),
# in CPU time: the analysis back-ends alone, without an engine or other processes.
ANALYSE = """import json, sys, time
from pathlib import Path
from bench import datasets
from indexer import analysis, schema
analysis.use(sys.argv[2])
texts = [(r.get("title") or "", r["text"]) for r in datasets.read_corpus(Path(sys.argv[1]))]
texts = texts[:int(sys.argv[3])]
seconds = []
for _ in range(2):
    started = time.process_time()
    for title, text in texts:
        analysis.field_streams(title, text, schema.LEAD_TERMS)
    seconds.append(time.process_time() - started)
print(json.dumps({"docs": len(texts), "cold_us": round(seconds[0] / len(texts) * 1e6, 1),
                  "warm_us": round(seconds[1] / len(texts) * 1e6, 1),
                  "docs_per_cpu_s": round(len(texts) / seconds[1])}))
"""
ANALYSED = 10_000  # articles the analysis alone is timed on (the Python chain's cold pass: ~15 s)
say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731


def analyse_once(backend: str, source: Path) -> dict:
    """The analysis alone, one back-end, in a fresh process: µs per article cold and warm."""
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE, str(source), backend, str(ANALYSED)],
        cwd=load.PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def build_baseline(source: str, where: str) -> int:
    """Plain Whoosh: StandardAnalyzer on title + text, one TEXT field (run in the child)."""
    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID
    from whoosh.fields import TEXT
    from whoosh.fields import Schema

    started = time.perf_counter()
    Path(where).mkdir(parents=True)
    ix = index.create_in(where, Schema(id=ID(stored=True), text=TEXT(analyzer=StandardAnalyzer())))
    writer, count = ix.writer(limitmb=512), 0  # the buffer bahth's Whoosh writer uses
    for count, record in enumerate(datasets.read_corpus(Path(source)), 1):  # noqa: B007 (read after)
        text = f"{record.get('title') or ''}\n{record['text']}"
        writer.add_document(id=str(record["id"]), text=text)
    writer.commit()
    seconds = time.perf_counter() - started
    print(f"indexed {count} documents (baseline) in {seconds:.1f} s ({count / seconds:.0f} docs/s)")
    return 0


def baseline_search(where: Path):
    from whoosh import index
    from whoosh.qparser import OrGroup
    from whoosh.qparser import QueryParser

    ix = index.open_dir(str(where))
    searcher, parser = ix.searcher(), QueryParser("text", ix.schema, group=OrGroup)

    def search(q: str) -> list[str]:
        # BM25F defaults; lower case so a stray AND / OR / NOT is a word, not an operator.
        query = parser.parse(_SYNTAX.sub(" ", q).lower())
        return [hit["id"] for hit in searcher.search(query, limit=10)]

    return search


def bahth_search(system: str, where: Path):
    from indexer.read import SearchRequest
    from indexer.read import Searcher
    from indexer.settings import Settings

    engine, analysis = engine_and_analysis(system)
    # The cluster, for opensearch, as bahth serve finds it: from the environment.
    searcher = Searcher(
        Settings.from_env(index_dir=where, engine=engine, analysis=analysis, cache_size=0)
    )  # cache off
    searcher.health()  # opens the reader
    return lambda q: searcher.search(SearchRequest(q, per_page=10)).hits


def index_once(system: str, source: Path, where: Path) -> dict:
    """One indexing run in a subprocess: docs/s and seconds (its own count), MB, peak RSS."""
    env = dict(os.environ)
    if system == BASELINE:
        argv = ["baseline", str(source), str(where)]
    else:
        engine, env["BAHTH_ANALYSIS"] = engine_and_analysis(system)
        argv = ["bahth", "reindex", "--index", str(where), "--engine", engine, str(source)]
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *argv],
        cwd=load.PROJECT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    sampler = TreeMemory(child.pid)
    sampler.start()
    out, err = child.communicate()
    wall, tree_mb = time.perf_counter() - started, sampler.stop()
    found = _SUMMARY.search(out)
    if child.returncode or not found:
        raise RuntimeError(
            f"{system} indexing failed ({child.returncode}): {out[-500:]} {err[-1500:]}"
        )
    own, helpers = json.loads(err.split("BENCH-RSS", 1)[1].splitlines()[0])
    generation = where / (where / "CURRENT").read_text().strip() if system != BASELINE else where
    docs, seconds = int(found[1]), float(found[2])
    size_mb = cluster_mb(generation) if system == OPENSEARCH else disk_mb(generation)
    return {
        "docs": docs,
        "seconds": seconds,
        "docs_per_s": int(found[3]),
        "wall_s": round(wall, 1),
        "index_mb": round(size_mb, 1),
        "rss_mb": round(own / 1024, 1),
        "helper_rss_mb": round(helpers / 1024, 1),
        "tree_pss_mb": round(tree_mb, 1),
    }


def cluster_mb(generation: Path) -> float:
    """The store of an opensearch generation's index in the cluster, all copies, in MB."""
    from indexer.engines.opensearch_cluster import connect
    from indexer.engines.opensearch_engine import MARKER

    name = json.loads((generation / "engine" / MARKER).read_text("utf-8"))["index"]
    es = connect(Settings.from_env())
    try:
        stats = es.indices.stats(index=name, metric="store")
        return stats["_all"]["total"]["store"]["size_in_bytes"] / 1e6
    finally:
        es.close()


def drop_opensearch_indexes() -> None:
    """The benchmark's indexes and alias, gone from the cluster."""
    from indexer.engines.opensearch_cluster import connect

    es = connect(Settings.from_env())
    try:
        names = list(es.indices.get(index=f"{OPENSEARCH_ALIAS}-*"))
        if names:
            es.indices.delete(index=",".join(names))
    finally:
        es.close()


def query_once(search, queries: list[str]) -> dict:
    # Not timed: the reader's lazily loaded parts, and the did-you-mean vocabulary.
    for q in [q + " الأخبار" for q in queries[:5]] + ["زخرفجة قططبلو"]:
        search(q)
    ms, errors, started = [], 0, time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        try:
            search(q)
        except Exception:  # noqa: BLE001 - a refused query counts, it must not end the run
            errors += 1
        ms.append((time.perf_counter() - t) * 1000)
    return latency_summary(ms, time.perf_counter() - started) | {"errors": errors}


def write_subsets(news: Path, sizes: list[int], x10: bool, tmp: Path) -> dict:
    """label → (size, JSONL of the first ``size`` articles); "+x10": the corpus ten times."""
    lines = [ln for ln in datasets._open(news) if ln.strip()]
    subsets = {}
    for size in sorted({min(s, len(lines)) for s in sizes}):
        path = tmp / f"news-{size}.jsonl"
        path.write_text("".join(lines[:size]), encoding="utf-8")
        subsets[str(size)] = (size, path)
    if x10:
        path = tmp / "news-x10.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for copy in range(10):
                for line in lines:
                    record = json.loads(line)
                    record["id"] = f"{record['id']}~{copy}"
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        subsets[f"{10 * len(lines)} (x10 repeat)"] = (10 * len(lines), path)
    return subsets


def titles_of(path: Path, count: int | None = None) -> list[str]:
    """Distinct titles of 4+ words, in corpus order (the first ``count``)."""
    found = {}
    for record in datasets.read_corpus(path):
        title = " ".join((record.get("title") or "").split())
        if len(title.split()) >= TITLE_WORDS:
            found.setdefault(title, None)
            if count and len(found) == count:
                break
    return list(found)


def report(meds: list[dict], repeat: int, warmup: float) -> str:
    """The three tables (medians of ``repeat`` runs) and the speed targets against them."""

    def rows(kind, columns):
        return [[m.get(c) for c in columns] for m in meds if m["kind"] == kind]

    index_cols = [
        "size",
        "system",
        "docs",
        "seconds",
        "docs_per_s",
        "ratio",
        "wall_s",
        "index_mb",
        "rss_mb",
        "tree_pss_mb",
    ]
    query_cols = [
        "size",
        "system",
        "queries",
        "qps",
        "ratio",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "errors",
    ]
    service_cols = [
        "size",
        "phase",
        "system",
        "qps",
        "ratio",
        "p50_ms",
        "p99_ms",
        "errors",
        "requests",
        "wrapped",
        "workers",
        "worker_rss_mb",
        "worker_hwm_mb",
    ]
    analysis_cols = ["size", "system", "docs", "cold_us", "warm_us", "docs_per_cpu_s", "ratio"]
    parts = [
        f"## Analysis alone (one process, CPU µs per article on the first {ANALYSED:,}, "
        "cold caches then warm; ratio = warm articles per CPU second ÷ the Python chain's)",
        table(analysis_cols, rows("analysis", analysis_cols)),
        f"## Indexing (medians of {repeat}; ratio = docs/s ÷ baseline's in the same run; "
        "rss = the indexing process's peak, tree_pss = peak of it and its helpers, summed)",
        table(index_cols, rows("index", index_cols)),
        "## Single-process queries (no results cache; ratio = QPS ÷ baseline's)",
        table(query_cols, rows("query", query_cols)),
    ]
    if any(m["kind"] == "service" for m in meds):
        parts += [
            f"## Service, concurrency 16, after {warmup:.0f} s of warm-up (ratio = QPS ÷ "
            "bare Falcon's in the same run; "
            "titles = uncached only, mix = 70 % uncached titles + 30 % repeated head "
            "queries)",
            table(service_cols, rows("service", service_cols)),
        ]
    if any(m["system"] == OPENSEARCH for m in meds):
        parts.append(OPENSEARCH_NOTE)
    return "\n\n".join(parts + ["## Targets: " + TARGETS, "\n".join(targets(meds))])


def targets(meds: list[dict]) -> list[str]:
    """The targets, checked for the compiled core's systems (the -py rows are for comparison)."""

    def line(ok, text):
        return f"{'MET ' if ok else 'MISS'}  {text}"

    out = []
    for m in meds:
        name, size = m["system"], m["size"]
        if name.endswith(PYTHON_CHAIN):
            continue
        if m["kind"] == "index" and name == "bahth-tantivy":
            out.append(
                line(
                    m["docs_per_s"] >= 2000 and m.get("ratio", 0) >= 10,
                    f"tantivy indexing at {size}: {m['docs_per_s']:.0f} docs/s ≥ 2,000, "
                    f"{m.get('ratio', float('nan')):.1f}× baseline ≥ 10×",
                )
            )
        if name == "bahth-whoosh" and m["kind"] in ("index", "query") and "ratio" in m:
            wanted = 1 if m["kind"] == "index" else 3
            out.append(
                line(
                    m["ratio"] >= wanted,
                    f"whoosh {m['kind']} at {size}: {m['ratio']:.2f}× baseline ≥ {wanted}×",
                )
            )
        if (
            m["kind"] == "service"
            and m.get("phase") == "titles"
            and name not in ("bare-falcon", OPENSEARCH)
        ):  # not a speed claim: no target
            if "x10" in size:  # the 300k target is the p99 alone
                out.append(
                    line(
                        m["p99_ms"] <= 60,
                        f"{name} service, uncached titles at {size}: p99 {m['p99_ms']:.1f} ms ≤ 60",
                    )
                )
                continue
            share = m.get("ratio", float("nan"))
            out.append(
                line(
                    m["qps"] >= 600 and m["p99_ms"] <= 30 and share >= 0.25,
                    f"{name} service, uncached titles at {size}: {m['qps']:.0f} QPS "
                    f"≥ 600, p99 {m['p99_ms']:.1f} ms ≤ 30, {share:.0%} of bare Falcon ≥ 25 %",
                )
            )
            out.append(
                line(
                    m["worker_hwm_mb"] <= 300,
                    f"{name} serving worker at {size}: peak RSS {m['worker_hwm_mb']:.0f} MB ≤ 300",
                )
            )
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.speed", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--news", type=Path, default=datasets.NEWS, help="news corpus (.jsonl[.gz])"
    )
    parser.add_argument("--sizes", default="10000,30017", help="comma-separated article counts")
    parser.add_argument("--engines", default="whoosh,tantivy", help="comma-separated bahth engines")
    parser.add_argument(
        "--analysis",
        default="native,python" if native.available() else "python",
        help="analysis back-ends, each engine with each (default: both, where "
        "the compiled core is installed)",
    )
    parser.add_argument(
        "--opensearch-url",
        default=os.environ.get("BAHTH_OPENSEARCH_URL"),
        help="also the opensearch engine on this cluster (default: "
        "BAHTH_OPENSEARCH_URL; e.g. deploy/opensearch/cluster start's URLs)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (medians)")
    parser.add_argument("--queries", type=int, default=1000, help="title queries")
    parser.add_argument(
        "--x10", action="store_true", help="also the corpus ten times (ids suffixed)"
    )
    parser.add_argument("--service", action="store_true", help="also measure bahth serve under wrk")
    parser.add_argument("--duration", type=float, help="seconds of load per phase (10; quick 3)")
    parser.add_argument(
        "--warmup", type=float, help="seconds of untimed load on each server first (10; quick 2)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 docs, 200 queries, 3 s phases, once, with --service",
    )
    parser.add_argument("--json-out", type=Path, help="append the JSON lines to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.queries, args.repeat = "2000", min(args.queries, 200), 1
        args.service = True
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (2.0 if args.quick else 10.0)
    args.failed = False
    backends = [b.strip() for b in args.analysis.split(",") if b.strip()]
    if "native" in backends and not native.available():
        parser.error("--analysis native: the compiled core is not installed")
    engines = [
        system_name(e.strip(), b) for e in args.engines.split(",") if e.strip() for b in backends
    ]
    if args.opensearch_url:
        # For every reindex, search and serve below, in this process and its children.
        os.environ.update(
            {
                "BAHTH_OPENSEARCH_URL": args.opensearch_url,
                "BAHTH_OPENSEARCH_INDEX": OPENSEARCH_ALIAS,
            }
        )
        engines = list(dict.fromkeys([*engines, OPENSEARCH]))
    systems = [BASELINE, *engines]
    commit, stamp = commit_sha(), datetime.now(UTC).isoformat(timespec="seconds")
    records = []

    def record(kind, system, label, repeat, metrics):
        records.append(
            {
                "bench": "speed",
                "kind": kind,
                "system": system,
                "size": label,
                "repeat": repeat,
                **metrics,
                "commit": commit,
                "time": stamp,
            }
        )
        say(f"  {kind} {system} {label} #{repeat}: {json.dumps(metrics, ensure_ascii=False)}")

    with tempfile.TemporaryDirectory(prefix="bahth-speed-") as tmp:
        tmp = Path(tmp)
        subsets = write_subsets(args.news, [int(s) for s in args.sizes.split(",")], args.x10, tmp)
        largest = max((k for k in subsets if "x10" not in k), key=lambda k: subsets[k][0])
        served = [largest] + [k for k in subsets if "x10" in k]  # with --service
        for label, (size, path) in subsets.items():
            queries = titles_of(path, args.queries)
            say(f"== {label} articles, {len(queries)} title queries")
            for repeat in range(1, args.repeat + 1):
                for backend in backends if "x10" not in label else ():
                    record(
                        "analysis",
                        f"analysis-{backend}",
                        label,
                        repeat,
                        analyse_once(backend, path),
                    )
                for system in systems:
                    where = tmp / f"ix-{system}-{size}"
                    subprocess.run(["rm", "-rf", str(where)], check=True)
                    try:
                        record("index", system, label, repeat, index_once(system, path, where))
                    except Exception as exc:  # noqa: BLE001
                        say(f"{system} indexing failed: {exc}")
                        args.failed = True
            for repeat in range(1, args.repeat + 1):
                for system in systems:
                    where = tmp / f"ix-{system}-{size}"
                    if not where.exists():
                        continue
                    search = (
                        baseline_search(where)
                        if system == BASELINE
                        else bahth_search(system, where)
                    )
                    record("query", system, label, repeat, query_once(search, queries))
                    del search
            if label not in served or not args.service:
                for system in systems:
                    subprocess.run(["rm", "-rf", str(tmp / f"ix-{system}-{size}")], check=True)
        for label in served if args.service else []:
            dirs = {s: tmp / f"ix-{s}-{subsets[label][0]}" for s in engines}
            titles = titles_of(subsets[largest][1])  # the x10 corpus has the same titles
            args.failed |= load.service(
                {s: d for s, d in dirs.items() if d.exists()},
                titles,
                label,
                tmp,
                args.repeat,
                args.duration,
                args.warmup,
                record,
                say,
            )
    if OPENSEARCH in engines:
        drop_opensearch_indexes()
    add_ratios(
        records,
        {
            "index": (BASELINE, "docs_per_s"),
            "query": (BASELINE, "qps"),
            "service": ("bare-falcon", "qps"),
            "analysis": ("analysis-python", "docs_per_cpu_s"),
        },
    )
    meds = medians(records)
    print(report(meds, args.repeat, args.warmup))
    lines = [json.dumps(r, ensure_ascii=False) for r in records + meds]
    print("\n".join(lines))
    if args.json_out:
        with open(args.json_out, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    return 1 if args.failed else 0


if __name__ == "__main__":
    sys.exit(main())
