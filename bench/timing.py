"""Small helpers for the speed benchmark: percentiles, medians, memory, aligned tables."""

import math
import os
import statistics
import threading
from pathlib import Path


def percentile(values, p: float) -> float:
    """The ``p``-th percentile (0-100) by linear interpolation; nan for no values.

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    >>> percentile([5.0], 99)
    5.0
    """
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(ms: list[float], seconds: float) -> dict:
    """p50/p95/p99/mean in milliseconds and queries per second over ``seconds`` of wall time."""
    return {
        "queries": len(ms),
        "qps": round(len(ms) / seconds, 1) if seconds else math.nan,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else math.nan,
        **{f"p{p}_ms": round(percentile(ms, p), 2) for p in (50, 95, 99)},
    }


def median(values) -> float:
    """The median of the numbers among ``values`` (None and nan left out); nan if none."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not math.isnan(v)]
    return statistics.median(numbers) if numbers else math.nan


def tree_pids(root: int) -> list[int]:
    """``root`` and every live descendant, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def memory_mb(pid: int, keys=("Pss:", "VmRSS:")) -> float:
    """A process's proportional set size (shared pages split between sharers), else its RSS."""
    for name, key in (("smaps_rollup", keys[0]), ("status", keys[1])):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            continue
    return 0.0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process tree every ``every`` s; ``peak_mb`` is the highest."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.wait(self.every):
            self.peak_mb = max(self.peak_mb, sum(memory_mb(p) for p in tree_pids(self.pid)))

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak_mb


def disk_mb(path: Path) -> float:
    """Space used under ``path`` as ``du`` counts it (allocated blocks)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(folder, name)).st_blocks * 512
    return total / 2**20


def table(headers: list[str], rows: list[list]) -> str:
    """A markdown table with aligned columns; floats get 1 decimal (2 below 10)."""

    def cell(v):
        if isinstance(v, float):
            return "–" if math.isnan(v) else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"
        return "–" if v is None else str(v)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(row):
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *map(line, cells)])


def _group(record: dict) -> tuple:
    return record["kind"], record["system"], record["size"], record.get("phase")


def add_ratios(records: list[dict], reference: dict[str, tuple[str, str]]) -> None:
    """``ratio`` = metric / the reference system's, for the same kind, size, phase and repeat.

    reference: kind → (reference system, metric), e.g. {"query": ("baseline", "qps")}.
    """

    def same(r):
        return r["kind"], r["size"], r.get("phase"), r["repeat"]

    refs = {same(r): r for r in records if reference.get(r["kind"], ("",))[0] == r["system"]}
    for r in records:
        system, metric = reference.get(r["kind"], (None, None))
        base = refs.get(same(r), {}).get(metric)
        if base and r.get(metric) is not None:
            r["ratio"], r["ratio_of"] = round(r[metric] / base, 2), f"{metric} / {system}"


def medians(records: list[dict]) -> list[dict]:
    """One record per kind, system, size and phase: numbers are medians over the repeats,
    flags true if any run's was; ``runs`` counts the repeats."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(_group(r), []).append(r)
    out = []
    for runs in groups.values():
        merged = {}
        for key in dict.fromkeys(k for r in runs for k in r):
            values = [r[key] for r in runs if key in r]
            if isinstance(values[0], bool):
                merged[key] = any(values)
            elif isinstance(values[0], (int, float)) and key != "repeat":
                merged[key] = round(median(values), 2)
            else:
                merged[key] = values[0]
        out.append(merged | {"repeat": "median", "runs": len(runs)})
    return out
