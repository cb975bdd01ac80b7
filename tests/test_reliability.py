"""A real gunicorn under faults: a worker killed mid-load, the served index damaged on disk.

The long version, with reindexes under load and kill -9 of reindex, is
``python -m bench.reliability``.
"""

import os
import shutil
import signal
import threading
import time

import pytest
import requests

from indexer.catalog import Catalog
from indexer.settings import Settings
from indexer.write.reindex import reindex
from tests.conftest import SEEDS
from tests.fixtures_api import gunicorn

pytestmark = pytest.mark.server

WORKERS = 2
CLIENTS = 4
REQUESTS_PER_CLIENT = 75
# A sync worker serves one request at a time: only that one can be lost with it.
IN_FLIGHT_PER_WORKER = 1
QUERIES = ["استقالة", "النفط", "التحالف الدولي", "سوريا", "مدنيين", "الثورة السورية"]


def worker_pids(master: int) -> set[int]:
    """The live children of gunicorn's master, from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stream:
                fields = stream.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master and fields[0] != b"Z":  # ppid; zombies are dead
            found.add(int(entry))
    return found


def wait_for_workers(master: int, count: int, exclude=frozenset(), timeout: float = 20) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = worker_pids(master)
        if len(pids) == count and not pids & exclude:
            return pids
        time.sleep(0.05)
    pytest.fail(
        f"gunicorn had workers {worker_pids(master)}, not {count} new ones, after {timeout} s"
    )


def warm_every_worker(url: str, workers: int) -> None:
    """Enough requests that every worker has opened the index (each opens it on first use)."""
    for i in range(10 * workers):
        assert (
            requests.get(
                f"{url}/api/search", params={"q": QUERIES[i % len(QUERIES)]}, timeout=5
            ).status_code
            == 200
        )


def _client(url: str, index: int, results: list) -> None:
    session = requests.Session()
    for i in range(REQUESTS_PER_CLIENT):
        q = QUERIES[(index + i) % len(QUERIES)]
        try:
            status = session.get(f"{url}/api/search", params={"q": q}, timeout=10).status_code
        except requests.RequestException as exc:  # a connection the killed worker held
            status = repr(exc)
        results.append((time.monotonic(), status))


@pytest.fixture
def seed_index(tmp_path):
    directory = tmp_path / "index"
    reindex(Settings(index_dir=directory), [SEEDS])
    return directory


def test_sigkilled_worker_is_replaced_and_only_its_request_fails(seed_index, tmp_path):
    with gunicorn(seed_index, tmp_path, workers=WORKERS) as server:
        master = server.process.pid
        before = wait_for_workers(master, WORKERS)
        results = []
        clients = [
            threading.Thread(target=_client, args=(server.url, i, results)) for i in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        while len(results) < CLIENTS * REQUESTS_PER_CLIENT // 4:
            time.sleep(0.005)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        after = wait_for_workers(master, WORKERS, exclude={victim})
        replaced_at = time.monotonic()
        for thread in clients:
            thread.join(120)

        assert server.process.poll() is None, "the master died"
        assert len(after) == WORKERS and victim not in after and after - before, (before, after)
        assert len(results) == CLIENTS * REQUESTS_PER_CLIENT
        failures = [(t, s) for t, s in results if s != 200]
        assert len(failures) <= IN_FLIGHT_PER_WORKER, failures
        assert all(t <= replaced_at for t, _ in failures), (failures, replaced_at)
        # Every request after the replacement succeeds, on both workers.
        statuses = [
            requests.get(f"{server.url}/api/search", params={"q": q}, timeout=5).status_code
            for q in QUERIES * 10
        ]
        assert statuses == [200] * len(statuses)
        print(
            f"\nworker {victim} killed under {CLIENTS} clients; replaced by {after - before}; "
            f"{len(failures)} of {len(results)} requests failed: {failures}"
        )


# --- the served generation damaged on disk -------------------------------------------------


def damage(index_dir, how: str) -> None:
    """Delete or truncate every engine file of the served generation."""
    engine_dir = Catalog(index_dir).current().engine_dir
    for path in engine_dir.iterdir():
        if how == "delete":
            path.unlink()
        else:
            os.truncate(path, 0)


def statuses_and_codes(url: str) -> list[tuple[str, int, str | None]]:
    """(path, status, error code) for a few uncached searches and the health check."""
    out = []
    for path, params in [
        ("/api/search", {"q": "وزير النفط"}),
        ("/api/search", {"q": "الرسوم"}),
        ("/healthz", None),
        ("/api/search", {"q": "روما"}),
        ("/healthz", None),
    ]:
        result = requests.get(url + path, params=params, timeout=5)
        try:
            code = result.json()["error"]["code"] if result.status_code >= 400 else None
        except (ValueError, KeyError, TypeError):
            code = f"not the JSON error shape: {result.text[:80]!r}"
        out.append((path, result.status_code, code))
    return out


def assert_recovers(server, index_dir, engine: str) -> None:
    """A reindex brings 200s back, the same gunicorn serving."""
    master = server.process.pid
    summary = reindex(Settings(index_dir=index_dir, engine=engine), [SEEDS])
    deadline = time.monotonic() + 5
    while True:
        found = statuses_and_codes(server.url)
        if all(status == 200 for _, status, _ in found):
            break
        assert time.monotonic() < deadline, found
        time.sleep(0.1)
    health = requests.get(server.url + "/healthz", timeout=5).json()
    assert health["generation"] == summary.generation and health["documents"] == 16
    assert server.process.pid == master and server.process.poll() is None


OPEN_READER_BUG = (
    "BUG CurrentGeneration.get (indexer/read/current.py) reopens only when CURRENT names another "
    "generation: a worker that already opened the damaged one goes on answering 200, /healthz "
    "included, from the deleted files it still holds open (and dies of SIGBUS, both engines, "
    "when they are truncated under its mmaps)"
)


# The opensearch engine keeps no index files on this machine: there is nothing to damage here.
NO_LOCAL_FILES = pytest.mark.skip(
    reason="opensearch keeps its index in the cluster, not in files on this machine"
)


@pytest.mark.parametrize(
    "engine", ["whoosh", "tantivy", pytest.param("opensearch", marks=NO_LOCAL_FILES)]
)
@pytest.mark.xfail(strict=True, reason=OPEN_READER_BUG)
def test_deleted_engine_files_while_serving_are_503(engine, tmp_path):
    index_dir = tmp_path / "index"
    reindex(Settings(index_dir=index_dir, engine=engine), [SEEDS])
    with gunicorn(index_dir, tmp_path, workers=1) as server:  # one worker: it has the index open
        warm_every_worker(server.url, 1)
        damage(index_dir, "delete")
        found = statuses_and_codes(server.url)
        assert_recovers(server, index_dir, engine)  # checked first: this part holds
        expected = [(p, 503, "index_unavailable") for p, _, _ in found]
        assert found == expected


@pytest.mark.parametrize(
    "engine, how",
    [
        ("whoosh", "delete"),
        ("whoosh", "truncate"),
        ("tantivy", "delete"),
        ("tantivy", "truncate"),
        pytest.param("opensearch", "delete", marks=NO_LOCAL_FILES),
    ],
)
def test_damaged_index_is_503_in_new_workers_then_recovers(engine, how, tmp_path):
    """Damage the served generation, let gunicorn replace its workers (as after a crash):
    the new ones answer 503 JSON, the master stays up, and a reindex brings 200s back."""
    index_dir = tmp_path / "index"
    reindex(Settings(index_dir=index_dir, engine=engine), [SEEDS])
    with gunicorn(index_dir, tmp_path, workers=1) as server:
        master = server.process.pid
        warm_every_worker(server.url, 1)
        damage(index_dir, how)
        old = worker_pids(master)
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        wait_for_workers(master, 1, exclude=old)
        found = statuses_and_codes(server.url)
        assert server.process.poll() is None, "the master died"
        assert_recovers(server, index_dir, engine)
        expected = [(p, 503, "index_unavailable") for p, _, _ in found]
        assert found == expected, server.output()[-2000:]


def test_a_missing_generation_directory_is_503(tmp_path):
    """The whole served generation gone (not just its engine files): 503, then recovery."""
    index_dir = tmp_path / "index"
    reindex(Settings(index_dir=index_dir), [SEEDS])
    with gunicorn(index_dir, tmp_path, workers=1) as server:
        shutil.rmtree(Catalog(index_dir).current().path)
        old = worker_pids(server.process.pid)
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        wait_for_workers(server.process.pid, 1, exclude=old)
        found = statuses_and_codes(server.url)
        assert found == [(p, 503, "index_unavailable") for p, _, _ in found]
        assert_recovers(server, index_dir, "whoosh")
