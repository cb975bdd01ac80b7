"""The speed benchmark end to end at toy scale: real reindex runs, queries and gunicorn servers."""

import json
import os
import subprocess
import sys

import pytest

from indexer.analysis import native
from indexer.write.ingest.sources import read_sources
from tests.conftest import PROJECT
from tests.conftest import SEEDS

# Each engine with each analysis back-end there is: -py is the Python chain.
BACKENDS = ["native", "python"] if native.available() else ["python"]
SUFFIXES = ["" if b == "native" else "-py" for b in BACKENDS]
SYSTEMS = {"baseline"} | {f"bahth-{e}{s}" for e in ("whoosh", "tantivy") for s in SUFFIXES}
KEYS = {
    "analysis": {"docs", "cold_us", "warm_us", "docs_per_cpu_s"},
    "index": {"docs", "seconds", "docs_per_s", "wall_s", "index_mb", "rss_mb", "tree_pss_mb"},
    "query": {"queries", "qps", "p50_ms", "p95_ms", "p99_ms", "errors"},
    "service": {
        "phase",
        "requests",
        "qps",
        "p50_ms",
        "p99_ms",
        "errors",
        "worker_rss_mb",
        "worker_hwm_mb",
        "concurrency",
        "generator",
    },
}


def tiny_news(path):
    """A JSONL feed of the seed page's real Arabic headlines and articles, three times over."""
    docs = [d for d in read_sources([SEEDS]) if hasattr(d, "title") and d.title]
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(3):
            for doc in docs:
                record = {
                    "id": f"{doc.id}-{copy}",
                    "title": doc.title,
                    "text": doc.body or doc.title,
                    "date": doc.date,
                    "source": "seed",
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(docs) * 3


def quick_run(news, flags: list[str], timeout: float, env=None) -> subprocess.CompletedProcess:
    """``python -m bench.speed --quick`` on ``news``, one second of load a phase."""
    return subprocess.run(
        [sys.executable, "-m", "bench.speed", "--quick", "--news", str(news), "--duration", "1"]
        + flags,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.mark.server  # the service phase runs gunicorn
def test_quick_run_prints_tables_and_json_lines(tmp_path):
    news = tmp_path / "news.jsonl"
    count = tiny_news(news)
    json_out = tmp_path / "speed.jsonl"
    done = quick_run(
        news,
        ["--analysis", ",".join(BACKENDS), "--json-out", str(json_out)],
        timeout=400,
        # the embedded engines only, whatever the environment names
        env={k: v for k, v in os.environ.items() if k != "BAHTH_OPENSEARCH_URL"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for heading in ("## Indexing", "## Single-process queries", "## Service", "## Targets"):
        assert heading in done.stdout
    assert "| size |" in done.stdout and "bare-falcon" in done.stdout

    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert json_out.read_text(encoding="utf-8").splitlines() == [
        line for line in done.stdout.splitlines() if line.startswith("{")
    ]
    runs = [r for r in records if r["repeat"] == 1]
    medians = [r for r in records if r["repeat"] == "median"]
    assert len(runs) == len(medians)  # --quick: one run of each
    for kind, keys in KEYS.items():
        found = [r for r in runs if r["kind"] == kind]
        expected = {
            "service": SYSTEMS - {"baseline"} | {"bare-falcon"},
            "analysis": {f"analysis-{b}" for b in BACKENDS},
        }.get(kind, SYSTEMS)
        assert {r["system"] for r in found} == expected, kind
        for r in found:
            assert keys <= set(r), (kind, keys - set(r))
            assert r["bench"] == "speed" and r["size"] == str(count)
            assert r["ratio"] > 0
    for r in runs:
        if r["kind"] == "analysis":
            assert r["docs"] == count and 0 < r["warm_us"] and 0 < r["cold_us"]
        elif r["kind"] == "index":
            assert r["docs"] == count and r["docs_per_s"] > 0 and r["index_mb"] > 0
        elif r["kind"] == "query":
            assert r["errors"] == 0 and r["queries"] > 0 and r["p50_ms"] <= r["p99_ms"]
        else:
            assert r["requests"] > 0 and r["errors"] == 0 and r["workers"] >= 1


def test_opensearch_is_measured_beside_the_others_and_its_indexes_dropped(
    tmp_path, opensearch_cluster
):
    news = tmp_path / "news.jsonl"
    count = tiny_news(news)
    done = quick_run(
        news,
        ["--warmup", "1", "--engines", "tantivy", "--analysis", BACKENDS[0]]
        + ["--opensearch-url", ",".join(opensearch_cluster.urls())],
        timeout=170,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = [
        json.loads(line)
        for line in done.stdout.splitlines()
        if line.startswith("{") and json.loads(line)["repeat"] == 1
    ]
    found = {kind: {r["system"]: r for r in runs if r["kind"] == kind} for kind in KEYS}
    tantivy = f"bahth-tantivy{SUFFIXES[0]}"
    assert set(found["index"]) == set(found["query"]) == {"baseline", tantivy, "bahth-opensearch"}
    assert set(found["service"]) == {"bare-falcon", tantivy, "bahth-opensearch"}
    index, query = found["index"]["bahth-opensearch"], found["query"]["bahth-opensearch"]
    assert index["docs"] == count and index["index_mb"] > 0
    assert query["errors"] == 0 and query["queries"] > 0
    assert found["service"]["bahth-opensearch"]["errors"] == 0
    assert found["service"]["bahth-opensearch"]["requests"] > 0
    assert "bahth-opensearch: a 3-node cluster on one 2-core machine" in done.stdout
    targets = done.stdout.split("## Targets", 1)[1].split("\n{", 1)[0]  # before the JSON lines
    assert "tantivy" in targets and "opensearch" not in targets  # no speed claim
    assert opensearch_cluster.get("/_cat/indices/bench-speed-*?format=json") == []


def test_targets_hold_each_size_to_its_own_rules():
    from bench.speed import targets

    service = {
        "kind": "service",
        "phase": "titles",
        "system": "bahth-tantivy",
        "worker_hwm_mb": 250,
    }
    lines = targets(
        [
            service | {"size": "30017", "qps": 650, "p99_ms": 45, "ratio": 0.3},
            service | {"size": "300170 (x10 repeat)", "qps": 200, "p99_ms": 55},
            service | {"system": "bahth-tantivy-py", "size": "30017", "qps": 100, "p99_ms": 90},
            {
                "kind": "index",
                "system": "bahth-tantivy",
                "size": "30017",
                "docs_per_s": 2100,
                "ratio": 9.5,
            },
            {
                "kind": "index",
                "system": "bahth-whoosh",
                "size": "30017",
                "docs_per_s": 300,
                "ratio": 1.2,
            },
            {"kind": "query", "system": "bahth-whoosh", "size": "30017", "qps": 50, "ratio": 2.5},
        ]
    )
    assert lines == [
        "MISS  bahth-tantivy service, uncached titles at 30017: 650 QPS ≥ 600, p99 45.0 ms ≤ 30, "
        "30% of bare Falcon ≥ 25 %",
        "MET   bahth-tantivy serving worker at 30017: peak RSS 250 MB ≤ 300",
        "MET   bahth-tantivy service, uncached titles at 300170 (x10 repeat): p99 55.0 ms ≤ 60",
        "MISS  tantivy indexing at 30017: 2100 docs/s ≥ 2,000, 9.5× baseline ≥ 10×",
        "MET   whoosh index at 30017: 1.20× baseline ≥ 1×",
        "MISS  whoosh query at 30017: 2.50× baseline ≥ 3×",
    ]
