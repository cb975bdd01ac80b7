"""Faults during reindex: kill -9 at random moments loses nothing."""

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.catalog import Catalog
from tests.test_reindex import RESIGNATION
from tests.test_reindex import bahth
from tests.test_reindex import search_json
from tests.conftest import PROJECT


def processes_using(index):
    """Pids whose command line names ``index``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(index).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def big_feed(tmp_path_factory, seed_text):
    """Enough real Arabic paragraphs that a reindex takes a few seconds."""
    paragraphs = [p for p in seed_text.split("\n") if len(p) > 80]
    path = tmp_path_factory.mktemp("feed") / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(3000):
            text = " ".join(paragraphs[(i + k) % len(paragraphs)] for k in range(3))
            out.write(json.dumps({"id": f"p{i}", "title": f"فقرة {i}", "text": text}, ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("run", range(3))
def test_kill_9_during_reindex_keeps_the_served_index(tmp_path, big_feed, run):
    index = tmp_path / "index"
    assert bahth("reindex", "--index", index).returncode == 0
    served = Catalog(index).current_name()

    child = subprocess.Popen([sys.executable, "-m", "indexer", "reindex", "--index", str(index), str(big_feed)],
                             cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = index / "reindex.lock"
    deadline = time.monotonic() + 60
    while not lock.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(random.Random(run).uniform(0.0, 1.5))  # a random moment of the build
    assert child.poll() is None, "the reindex finished before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()

    # Its analysis workers get SIGKILL from the kernel as it dies: allow them a moment.
    deadline = time.monotonic() + 5
    while processes_using(index) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_using(index) == [], "the killed reindex left processes behind"
    assert Catalog(index).current_name() == served
    assert search_json(index, "استقاله")["hits"][0]["title"] == RESIGNATION
    again = bahth("reindex", "--index", index)
    assert again.returncode == 0, again.stderr
    assert "cleared a stale lock" in again.stderr
    assert Catalog(index).generations() == [served, Catalog(index).current_name()]


def test_ctrl_c_during_reindex_stops_it_cleanly(tmp_path, big_feed):
    index = tmp_path / "index"
    assert bahth("reindex", "--index", index).returncode == 0
    served = Catalog(index).current_name()

    child = subprocess.Popen([sys.executable, "-m", "indexer", "reindex", "--workers", "2", "--index",
                              str(index), str(big_feed)],
                             cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = index / "reindex.lock"
    deadline = time.monotonic() + 60
    while not lock.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # analysis workers running
    assert child.poll() is None, "the reindex finished before it could be interrupted"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)

    assert child.returncode == 130
    assert err.strip().splitlines()[-1] == "bahth: interrupted; the serving index is unchanged"
    assert processes_using(index) == [], "the interrupted reindex left processes behind"
    assert not lock.exists()
    assert Catalog(index).generations() == [served]
    assert search_json(index, "استقاله")["hits"][0]["title"] == RESIGNATION
