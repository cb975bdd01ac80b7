"""Faults during reindex: kill -9 at random moments loses nothing."""

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from indexer.catalog import Catalog
from tests.test_reindex import RESIGNATION
from tests.test_reindex import bahth
from tests.test_reindex import held_reindex
from tests.test_reindex import search_json

pytestmark = pytest.mark.cli


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
        for i in range(12000):  # a few seconds even for the Whoosh writer at full speed
            text = " ".join(paragraphs[(i + k) % len(paragraphs)] for k in range(3))
            out.write(
                json.dumps({"id": f"p{i}", "title": f"فقرة {i}", "text": text}, ensure_ascii=False)
                + "\n"
            )
    return path


@pytest.mark.parametrize("run", range(3))
def test_kill_9_during_reindex_keeps_the_served_index(tmp_path, big_feed, run):
    index = tmp_path / "index"
    assert bahth("reindex", "--index", index).returncode == 0
    served = Catalog(index).current_name()

    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with held_reindex(index, big_feed, **quiet) as child:
        child.release()
        # A random moment of the build: it takes seconds, the longest wait 1.5 s.
        time.sleep(random.Random(run).uniform(0.0, 1.5))
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
    assert f"the reindex before (pid {child.pid}) was killed" in again.stderr
    assert Catalog(index).generations() == [served, Catalog(index).current_name()]


# A shell starts a background job (`make test &`) with SIGINT ignored: Ctrl-C
# must stop a reindex started either way.
@pytest.mark.parametrize("sigint", [signal.SIG_DFL, signal.SIG_IGN], ids=["default", "ignored"])
def test_ctrl_c_during_reindex_stops_it_cleanly(tmp_path, big_feed, sigint):
    index = tmp_path / "index"
    assert bahth("reindex", "--index", index).returncode == 0
    served = Catalog(index).current_name()

    pipes = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    with held_reindex(index, "--workers", "2", big_feed, sigint=sigint, **pipes) as child:
        child.send_signal(signal.SIGINT)  # while it waits at its first record
        _, err = child.communicate(timeout=60)

    assert child.returncode == 130
    assert err.strip().splitlines()[-1] == "bahth: interrupted; the serving index is unchanged"
    assert processes_using(index) == [], "the interrupted reindex left processes behind"
    assert Catalog(index).generations() == [served]
    assert search_json(index, "استقاله")["hits"][0]["title"] == RESIGNATION
