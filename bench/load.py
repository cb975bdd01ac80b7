"""Load for the service benchmark: a gunicorn server under ``wrk`` (or a thread-based fallback).

Requests cycle through a file of URL paths, one a line; with several wrk
threads each takes every n-th path, so no path is sent twice until the list
wraps (reported as ``wrapped``): uncached queries stay uncached.
"""

import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from bench.systems import engine_and_analysis
from bench.timing import percentile
from bench.timing import tree_pids

PROJECT = Path(__file__).resolve().parent.parent
CONCURRENCY = 16
BOOT_SECONDS = 60

WRK_SCRIPT = r"""
local paths, threads, counter = {}, {}, 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  stride = tonumber(args[2])
  counter = tid
end
function request()
  local path = paths[(counter % #paths) + 1]
  counter = counter + stride
  return wrk.format("GET", path)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK-JSON {"requests": %d, "duration_us": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %.1f}\n', summary.requests, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def search_path(q: str) -> str:
    return "/api/search?q=" + quote(q, safe="")


def write_paths(path: Path, queries: list[str]) -> Path:
    path.write_text("".join(search_path(q) + "\n" for q in queries), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, path: str, timeout: float = 5) -> int:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@contextmanager
def server(
    kind: str,
    log: Path,
    index_dir: Path | None = None,
    engine: str | None = None,
    workers: int | None = None,
    analysis: str = "auto",
):
    """``bahth serve`` (kind "bahth") or the bare Falcon app under the same gunicorn config.

    Yields (url, master pid).  Workers default to the config's (2 × cores + 1).
    """
    port = free_port()
    bind = f"127.0.0.1:{port}"
    more = ["--workers", str(workers)] if workers else []
    if kind == "bahth":
        argv = [
            sys.executable,
            "-m",
            "indexer",
            "serve",
            "--index",
            str(index_dir),
            "--engine",
            engine,
            "--bind",
            bind,
            *more,
        ]
    else:
        argv = [sys.executable, "-m", "bench.bare_app", "--bind", bind, *more]
    with open(log, "wb") as out:  # a file, not a pipe: an unread pipe blocks the access log
        process = subprocess.Popen(
            argv,
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1", BAHTH_ANALYSIS=analysis),
        )
    url = f"http://{bind}"
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{kind} server exited with {process.returncode}: "
                    + log.read_text(errors="replace")[-2000:]
                )
            try:
                if _get(url, "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} server not ready in {BOOT_SECONDS} s")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def worker_memory(master: int) -> dict:
    """RSS now and peak (VmHWM) of the biggest worker, and the master's RSS, in MB."""

    def status(pid):
        fields = {}
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024
        except OSError:
            pass
        return fields

    workers = [status(pid) for pid in tree_pids(master) if pid != master]
    return {
        "workers": len(workers),
        "worker_rss_mb": round(max((w.get("VmRSS", 0) for w in workers), default=0), 1),
        "worker_hwm_mb": round(max((w.get("VmHWM", 0) for w in workers), default=0), 1),
        "master_rss_mb": round(status(master).get("VmRSS", 0), 1),
    }


def run_wrk(url: str, paths: Path, seconds: float, tmp: Path, threads: int = 1) -> dict:
    script = tmp / "paths.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    argv = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(CONCURRENCY),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
        "--",
        str(paths),
        str(threads),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(
            f"wrk failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}"
        )
    raw = json.loads(line.removeprefix("WRK-JSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "qps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "errors": sum(raw[k] for k in ("connect", "read", "write", "status", "timeout")),
        "non_2xx": raw["status"],
        "seconds": round(seconds, 2),
    }


def run_threads(url: str, paths: Path, seconds: float, tmp: Path = None, threads: int = 0) -> dict:
    """The fallback without wrk: CONCURRENCY threads, one connection each, closed loop."""
    lines = paths.read_text(encoding="utf-8").splitlines()
    counter, latencies, errors = itertools.count(), [], [0, 0]  # [all errors, non-2xx]
    host, port = url.removeprefix("http://").split(":")
    deadline = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.perf_counter() < deadline:
            path = lines[next(counter) % len(lines)]
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    errors[0] += 1
                    errors[1] += 1
                latencies.append((time.perf_counter() - started) * 1000)
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.close()

    workers = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "qps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "mean_ms": round(sum(latencies) / max(len(latencies), 1), 2),
        "errors": errors[0],
        "non_2xx": errors[1],
        "seconds": round(elapsed, 2),
    }


def load_generator():
    """(name, function): wrk if it is on PATH, else the thread-based fallback."""
    return ("wrk", run_wrk) if shutil.which("wrk") else ("python-threads", run_threads)


def mixed(titles: list[str], heads: list[str]) -> list[str]:
    """Seven uncached titles, then three head queries (cycling: repeated, so cached), and so on."""
    mix = []
    for n, title in enumerate(titles):
        mix.append(title)
        if n % 7 == 6:
            mix += [heads[(n // 7 * 3 + k) % len(heads)] for k in range(3)]
    return mix


def service(
    index_dirs: dict,
    titles: list[str],
    label: str,
    tmp: Path,
    repeat: int,
    seconds: float,
    warmup: float,
    record,
    say,
) -> bool:
    """Per repeat: the bare app, then each ``bahth-ENGINE`` index; a warm-up, then two phases:
    "titles" (uncached titles only) and "mix" (other titles and repeated head queries).

    Returns whether a server failed.
    """
    name, run = load_generator()
    words = Counter(w for t in titles for w in t.split() if len(w) > 3)
    heads = [w for w, _ in words.most_common(40)]  # frequent title words: head queries
    rest, spare = titles[1::2], min(2000, len(titles) // 6)
    phases = {
        "titles": write_paths(tmp / "titles.txt", titles[0::2]),
        "mix": write_paths(tmp / "mix.txt", mixed(rest[: -spare or None], heads)),
    }
    # Warm-up: titles no phase sends, head queries, and words found nowhere, so that every
    # worker has opened the index and loaded the did-you-mean vocabulary before it is timed.
    nowhere = [f"زخرفجة{n} قططبلو" for n in range(20)]
    warm = write_paths(tmp / "warm.txt", mixed(rest[-spare:] if spare else heads, heads + nowhere))
    failed = False
    for number in range(1, repeat + 1):
        for system in ["bare-falcon", *index_dirs]:
            kind, (engine, analysis) = (
                ("bare", (None, "auto"))
                if system == "bare-falcon"
                else ("bahth", engine_and_analysis(system))
            )
            say(
                f"service {system} repeat {number}: {warmup:.0f} s warm-up, {seconds:.0f} s "
                f"per phase, {name}"
            )
            try:
                log = tmp / f"{system}-{number}.log"
                with server(kind, log, index_dirs.get(system), engine, analysis=analysis) as (
                    url,
                    pid,
                ):
                    run(url, warm, warmup, tmp)
                    for phase, paths in phases.items():
                        result = run(url, paths, seconds, tmp)
                        lines = len(paths.read_text(encoding="utf-8").splitlines())
                        record(
                            "service",
                            system,
                            label,
                            number,
                            {
                                "phase": phase,
                                **result,
                                **worker_memory(pid),
                                "concurrency": CONCURRENCY,
                                "generator": name,
                                "wrapped": result["requests"] > lines,
                            },
                        )
            except Exception as exc:  # noqa: BLE001 - one failed server must not cost the rest
                say(f"service {system} failed: {exc!r}")
                failed = True
    return failed
