"""Reliability under load and faults: a real gunicorn, reindexes, kill -9s, a damaged index.

    python -m bench.reliability [--requests 5000] [--concurrency 32] [--engine whoosh|tantivy]
                                [--reindexes 3] [--kills 10] [--articles 5000] [--seed 1]

(a) gunicorn (2 workers) over the first --articles news articles answers --requests requests
    (news titles, XQuAD questions, ~5% bad ones that must get their 400) from a thread pool,
    while reindexes run (incremental of a slice, full, ...) and a worker is SIGKILLed.
(b) ``python -m indexer reindex`` killed -9 at random moments: the service answers from the
    previous generation; the lock frees itself and the next reindex succeeds, naming the killed one.
(c) the served generation's engine files deleted, then truncated: what running and fresh
    workers answer (503 JSON wanted), whether the master stays up; recovery by a reindex.
Prints a table, then one JSON line per part.  Data is read from ../shared/data.
"""

import argparse
import fcntl
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed
from pathlib import Path

import requests

from bench import datasets
from indexer.catalog import LOCK
from indexer.catalog import Catalog

SLICE, POOL = 300, 200  # articles after the corpus (incremental reindexes); distinct queries
INVALID = {"per_page": "500", "page": "0", "sort": "bogus", "from": "2024-13-01"}
BAD = [({"q": "ب" * 501}, "query_too_long"), ({"q": "x", "page": "100000"}, "page_too_deep")] + [
    ({"q": "x", name: value}, "invalid_parameter") for name, value in INVALID.items()
]  # 400s


def write_feeds(tmp: Path, articles: int):
    """The first ``articles`` news articles and the SLICE after them, as .jsonl; their titles."""
    records = list(itertools.islice(datasets.read_corpus(datasets.NEWS), articles + SLICE))
    parts = {tmp / "corpus.jsonl": records[:articles], tmp / "slice.jsonl": records[articles:]}
    for path, part in parts.items():
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), "utf-8")
    titles = [[r["title"] for r in part if r.get("title")] for part in parts.values()]
    return *parts, *titles


def reindex_argv(index: Path, engine: str, source: Path, incremental: bool) -> list[str]:
    return (
        [sys.executable, "-m", "indexer", "reindex", "--index", str(index), "--engine", engine]
        + (["--incremental"] if incremental else [])
        + [str(source)]
    )


def run_reindex(index, engine, source, incremental=False) -> dict:
    started = time.monotonic()
    done = subprocess.run(
        reindex_argv(index, engine, source, incremental),
        cwd=datasets.ROOT,
        capture_output=True,
        text=True,
    )
    return {
        "kind": "incremental" if incremental else "full",
        "rc": done.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "stderr": done.stderr.strip()[-300:],
        "summary": done.stdout.strip(),
    }


def start_server(index: Path, engine: str, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = dict(os.environ, BAHTH_INDEX_DIR=str(index), BAHTH_ENGINE=engine, PYTHONUNBUFFERED="1")
    bind = url.removeprefix("http://")
    argv = [sys.executable, "-m", "indexer", "serve", "--bind", bind, "--workers", "2"]
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, cwd=datasets.ROOT, env=env, stdout=out, stderr=out)
    for _ in range(300):
        if health(url).get("http") == 200:
            return process, url
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not start: see {log}")


def processes():
    """(pid, parent pid, state, command line) of every process, from /proc."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
            yield int(pid), int(stat[1]), stat[0], Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue


def workers(master: int) -> list[int]:
    return sorted(pid for pid, ppid, state, _ in processes() if ppid == master and state != b"Z")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(status.split("VmRSS:")[1].split()[0]) / 1024, 1)


def wait_replaced(master: int, gone: set, count: int = 2, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while (
        len(pids := workers(master)) != count or gone & set(pids)
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def health(url: str) -> dict:
    try:
        result = requests.get(url + "/healthz", timeout=10)
        return result.json() | {"http": result.status_code}
    except (requests.RequestException, ValueError) as exc:
        return {"http": type(exc).__name__}


def request_mix(count: int, titles: list[str], rng: random.Random) -> list[tuple]:
    """``count`` requests as (params, wanted status, wanted error code); ~5% deliberately bad."""
    questions = list(datasets.load_queries(datasets.XQUAD / "queries.jsonl").values())
    good = rng.sample(titles, POOL) + rng.sample(questions, POOL)
    bad = [(params, 400, code) for params, code in BAD]
    return [
        rng.choice(bad) if rng.random() < 0.05 else ({"q": rng.choice(good)[:500]}, 200, None)
        for _ in range(count)
    ]


def one_request(url: str, item) -> dict:
    params, want, code = item
    started = time.perf_counter()
    try:
        result = requests.get(url + "/api/search", params=params, timeout=60)
    except requests.RequestException as exc:
        return {"ms": (time.perf_counter() - started) * 1000, "conn": type(exc).__name__}
    ms, got = (time.perf_counter() - started) * 1000, error_code(result)
    ok = result.status_code == want and got == code
    return {"ms": ms, "status": result.status_code, "ok": ok, "code": got}


def error_code(result) -> str | None:
    try:
        return result.json()["error"]["code"] if result.status_code >= 400 else None
    except (ValueError, KeyError, TypeError):
        return "not the JSON error shape"


def reindex_loop(index, engine, corpus, piece, count, out: list) -> None:
    for i in range(count):  # incremental of the slice first, then full, alternating
        out.append(run_reindex(index, engine, piece if i % 2 == 0 else corpus, i % 2 == 0))


def part_a(url, master, index, engine, corpus, piece, titles, args, rng) -> dict:
    mix = request_mix(args.requests, titles, rng)
    for item in mix[:20]:
        one_request(url, item)  # both workers open the index
    rss_before = {pid: rss_mb(pid) for pid in workers(master)}
    reindexes: list = []
    thread = threading.Thread(
        target=reindex_loop, args=(index, engine, corpus, piece, args.reindexes, reindexes)
    )
    results, killed, started = [], None, time.monotonic()
    thread.start()
    with ThreadPoolExecutor(args.concurrency) as pool:
        for future in as_completed([pool.submit(one_request, url, item) for item in mix]):
            results.append(future.result())
            if len(results) == len(mix) // 2:  # halfway: SIGKILL a worker
                killed = workers(master)[0]
                os.kill(killed, signal.SIGKILL)
    wall = time.monotonic() - started
    thread.join()
    after = wait_replaced(master, {killed})
    ms = sorted(r["ms"] for r in results)
    errors = Counter(f"{r['status']} {r['code']}" for r in results if "status" in r and not r["ok"])
    return {
        "part": "load",
        "engine": engine,
        "requests": len(results),
        "intended_4xx": sum(r.get("status") == 400 and r["ok"] for r in results),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "connection_errors": dict(Counter(r["conn"] for r in results if "conn" in r)),
        "p50_ms": round(ms[len(ms) // 2], 1),
        "p99_ms": round(ms[int(len(ms) * 0.99)], 1),
        "max_ms": round(ms[-1], 1),
        "qps": round(len(results) / wall, 1),
        "seconds": round(wall, 1),
        "killed_worker": killed,
        "workers_after": after,
        "rss_mb_before": rss_before,
        "rss_mb_after": {pid: rss_mb(pid) for pid in after},
        "reindexes": [{k: r[k] for k in ("kind", "rc", "seconds")} for r in reindexes],
        "generation_dirs_left": len(Catalog(index).generations()),
        "health": health(url),
    }


def kill_one(url, index, engine, piece, at: float, err: Path) -> dict:
    before = health(url).get("generation")
    with open(err, "w") as stream:
        child = subprocess.Popen(
            reindex_argv(index, engine, piece, True),
            cwd=datasets.ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stream,
        )
    try:
        child.wait(at)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
    killed = child.wait() == -signal.SIGKILL
    now = health(url)
    search = requests.get(url + "/api/search", params={"q": "النفط"}, timeout=30).status_code
    return {
        "at_s": round(at, 2),
        "killed": killed,
        "lock_free": lock_free(index),
        "generation": [before, now.get("generation")],
        "service_ok": now["http"] == 200 and search == 200,
        "told_of_the_killed_run": "was killed" in err.read_text(),
    }


def lock_free(index: Path) -> bool:
    """Whether no process holds the reindex lock (tried without taking it for long)."""
    with open(index / LOCK, "rb") as stream:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True  # closing the file released it


def part_b(url, index, engine, piece, kills, rng, tmp) -> dict:
    duration = run_reindex(index, engine, piece, incremental=True)["seconds"]  # kill within this
    rows = [
        kill_one(
            url,
            index,
            engine,
            piece,
            rng.uniform(0.3, max(0.5, 0.95 * duration)),
            tmp / f"kill-{i}.err",
        )
        for i in range(kills)
    ]
    lock_was_free = lock_free(index)
    final = run_reindex(index, engine, piece, incremental=True)
    killed = [r for r in rows if r["killed"]]
    return {
        "part": "kills",
        "engine": engine,
        "kills": len(killed),
        "finished_before_kill": len(rows) - len(killed),
        "killed_runs_that_published": sum(len(set(r["generation"])) > 1 for r in killed),
        "service_always_ok": all(r["service_ok"] for r in rows),
        "next_reindex_rc": final["rc"],
        "next_reindex_seconds": final["seconds"],
        "lock_free_before_it": lock_was_free,
        "it_told_of_the_killed_run": "was killed" in final["stderr"],
        "leftover_processes": [
            pid for pid, *_, command in processes() if str(index).encode() in command
        ],
        "generation_dirs_left": len(Catalog(index).generations()),
        "runs": rows,
    }


def damage(index: Path, how: str) -> None:
    for path in Catalog(index).current().engine_dir.iterdir():
        path.unlink() if how == "delete" else os.truncate(path, 0)


def burst(url: str, titles: list[str]) -> dict:
    """Statuses of searches for ``titles`` (each fifth a /healthz), as "503 index_unavailable"."""
    seen = Counter()
    for i, title in enumerate(titles):
        path, params = ("/healthz", None) if i % 5 == 4 else ("/api/search", {"q": title[:500]})
        try:
            result = requests.get(url + path, params=params, timeout=30)
            seen[f"{result.status_code} {error_code(result) or ''}".strip()] += 1
        except requests.RequestException as exc:
            seen[type(exc).__name__] += 1
    return dict(seen)


def part_c(url, server, index, engine, piece, titles, warm_titles) -> list[dict]:
    """``titles``: the slice's, never asked during the load, so no worker has them cached."""
    rows, master = [], server.pid
    for n, how in enumerate(("delete", "truncate")):
        unasked = titles[n * 100 : (n + 1) * 100]
        burst(url, warm_titles[:10])  # every worker opens the served generation
        damage(index, how)
        old = set(workers(master))
        running = burst(url, unasked[:50])
        for pid in set(workers(master)) & old:
            os.kill(pid, signal.SIGKILL)
        replaced = wait_replaced(master, old)
        fresh = burst(url, unasked[50:])
        up = server.poll() is None
        fix = run_reindex(index, engine, piece)  # full: an incremental would copy the damage
        rows.append(
            {
                "part": "damage",
                "engine": engine,
                "how": how,
                "running_workers": running,
                "fresh_workers": fresh,
                "workers_restarted": bool(set(replaced) - old),
                "master_up": up,
                "reindex_rc": fix["rc"],
                "reindex_seconds": fix["seconds"],
                "after_reindex": burst(url, titles[200:]),
                "health": health(url),
            }
        )
    return rows


def table(records: list[dict]) -> str:
    skip = {"part", "engine", "runs", "health", "how"}
    return "\n".join(
        f"{r['part'] + (' ' + r['how'] if 'how' in r else ''):<16} {key:<28} {value}"
        for r in records
        for key, value in r.items()
        if key not in skip
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reliability", description=__doc__.split("\n")[0]
    )
    for name, default in (
        ("requests", 5000),
        ("concurrency", 32),
        ("reindexes", 3),
        ("kills", 10),
        ("articles", 5000),
        ("seed", 1),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--engine", choices=("whoosh", "tantivy"), default="whoosh")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bahth-reliability-") as folder:
        tmp, index = Path(folder), Path(folder) / "index"
        corpus, piece, titles, slice_titles = write_feeds(tmp, args.articles)
        built = run_reindex(index, args.engine, corpus)
        print(built["seconds"], "s:", built["summary"] or built["stderr"], file=sys.stderr)
        server, url = start_server(index, args.engine, tmp / "gunicorn.log")
        try:
            load = part_a(url, server.pid, index, args.engine, corpus, piece, titles, args, rng)
            kills = part_b(url, index, args.engine, piece, args.kills, rng, tmp)
            damaged = part_c(url, server, index, args.engine, piece, slice_titles, titles)
        finally:
            server.terminate()
            server.wait(30)
    records = [load, kills, *damaged]
    lines = [json.dumps(r, ensure_ascii=False, default=str) for r in records]
    print(table(records), *lines, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
