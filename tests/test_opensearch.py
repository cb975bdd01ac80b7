"""The opensearch engine against the session's real 3-node cluster (tests/conftest.py):
shards and replicas, the alias moved by a reindex, a reindex swap under queries,
a node that stops and rejoins, and a cluster or index out of reach.  The
behaviour every engine shares is in test_engines.py and test_api.py.
"""

import threading
import time
import urllib.request

import pytest
from falcon.testing import TestClient

from indexer.cli import main
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.write.reindex import reindex
from search_api.app import create_app
from tests.conftest import SEEDS
from tests.fixtures_api import free_port

HEADLINE = "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا"
HEADLINE_ID = "headline-930dfa76168352ce"
ARTICLE = "000_49235c3dde4d8611"
SEED_DOCUMENTS = 16


@pytest.fixture(scope="module")
def settings(opensearch_cluster, tmp_path_factory):
    # cache off: each search below reaches the cluster
    settings = opensearch_cluster.settings(tmp_path_factory.mktemp("index"), cache_size=0)
    started = time.monotonic()
    summary = reindex(settings, [SEEDS])
    print(f"seeds indexed in {time.monotonic() - started:.1f} s: {summary.line()}")
    return settings


@pytest.fixture(scope="module")
def searcher(settings):
    return Searcher(settings)


def _ids(searcher, q, **kw):
    return [h["id"] for h in searcher.search(SearchRequest(q, **kw)).hits]


def test_index_has_two_shards_one_replica_behind_the_alias(opensearch_cluster, settings, searcher):
    alias = settings.opensearch_index
    name = f"{alias}-{searcher.served().generation.number}"
    index = opensearch_cluster.get(f"/{name}/_settings")[name]["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == ("2", "1")
    assert list(opensearch_cluster.get(f"/_alias/{alias}")) == [name]
    assert opensearch_cluster.get(f"/_cluster/health/{name}")["status"] == "green"


def test_incremental_delete_makes_a_new_index(opensearch_cluster, settings, searcher):
    before = searcher.health()
    reindex(settings, [], incremental=True, delete_ids=[ARTICLE])
    after = searcher.health()
    assert after["generation"] == before["generation"] + 1
    assert after["documents"] == before["documents"] - 1
    assert ARTICLE not in _ids(searcher, "مدنيين")
    assert searcher.search(SearchRequest("استقاله")).hits[0]["title"] == HEADLINE
    # reindex moved the alias itself, once the new generation was published
    alias = settings.opensearch_index
    assert list(opensearch_cluster.get(f"/_alias/{alias}")) == [f"{alias}-{after['generation']}"]


def test_full_reindexes_swap_under_queries(opensearch_cluster, settings, searcher):
    """Searches run without pause while two full reindexes move the alias: none fails,
    none comes back empty, and both new generations answer some of them."""
    answered, failures, stop = [], [], threading.Event()

    def search_until_stopped():
        while not stop.is_set():
            try:
                found = searcher.search(SearchRequest("استقاله"))
                answered.append(
                    (
                        searcher.served().generation.number,
                        found.total,
                        [h["title"] for h in found.hits[:1]],
                    )
                )
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(exc))

    first = searcher.health()["generation"]
    thread = threading.Thread(target=search_until_stopped)
    thread.start()
    try:
        time.sleep(0.5)
        for _ in range(2):
            reindex(settings, [SEEDS])
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(60)
    assert failures == []
    assert {(total, titles[0]) for _, total, titles in answered} == {(1, HEADLINE)}
    generations = {generation for generation, _, _ in answered}
    assert {first, first + 1, first + 2} <= generations, generations
    alias = settings.opensearch_index
    assert list(opensearch_cluster.get(f"/_alias/{alias}")) == [f"{alias}-{first + 2}"]
    assert searcher.health()["documents"] == SEED_DOCUMENTS


def test_a_node_stops_and_rejoins(opensearch_cluster, settings):
    """The node holding a primary of the index stops: searches answer from the
    replicas and the index is yellow; the node starts again (same ports, same
    data) and the cluster is green with every document searchable."""
    searcher = Searcher(settings)
    name = f"{settings.opensearch_index}-{searcher.served().generation.number}"
    shards = opensearch_cluster.get(f"/_cat/shards/{name}?format=json")
    node = int(next(s["node"] for s in shards if s["prirep"] == "p").removeprefix("node-"))
    other = (node + 1) % 3
    stopped = opensearch_cluster.run("stop-node", str(node))
    assert stopped.returncode == 0, stopped.stderr
    try:
        health = opensearch_cluster.get(
            f"/_cluster/health/{name}?wait_for_nodes=2&wait_for_status=yellow&timeout=60s",
            node=other,
        )
        assert (health["status"], health["number_of_nodes"]) == ("yellow", 2)
        searcher = Searcher(settings)  # a new worker: opens a client on all the URLs
        assert searcher.search(SearchRequest("استقاله")).hits[0]["title"] == HEADLINE
        assert searcher.document(HEADLINE_ID)["title"] == HEADLINE
        assert searcher.health()["documents"] == SEED_DOCUMENTS
    finally:
        started = opensearch_cluster.run("start-node", str(node), timeout=300)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == opensearch_cluster.urls()[node]
    health = opensearch_cluster.get("/_cluster/health?wait_for_status=green&timeout=120s")
    assert (health["status"], health["number_of_nodes"]) == ("green", 3)
    searcher = Searcher(settings)
    assert searcher.health()["documents"] == SEED_DOCUMENTS
    assert len(_ids(searcher, "-زززز", per_page=100)) == SEED_DOCUMENTS
    shards = opensearch_cluster.get(f"/_cat/shards/{name}?format=json")
    assert [s["state"] for s in shards] == ["STARTED"] * 4


def test_a_cluster_out_of_reach_is_503_and_a_failed_reindex(settings, tmp_path, capsys):
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = TestClient(create_app(settings.replace(opensearch_url=nobody)))
    for path in ("/api/search?q=استقاله", "/api/documents/" + HEADLINE_ID, "/healthz"):
        result = app.simulate_get(path)
        assert (result.status_code, result.json["error"]["code"]) == (503, "index_unavailable")
    code = main(
        [
            "reindex",
            "--index",
            str(tmp_path / "index"),
            "--engine",
            "opensearch",
            "--opensearch-url",
            nobody,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("bahth: the opensearch cluster does not answer")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_an_index_deleted_in_the_cluster_is_503_until_a_reindex(opensearch_cluster, tmp_path):
    settings = opensearch_cluster.settings(tmp_path / "index")
    reindex(settings, [SEEDS])
    app = TestClient(create_app(settings))
    assert app.simulate_get("/api/search", params={"q": "استقاله"}).json["total"] == 1
    name = f"{settings.opensearch_index}-1"
    request = urllib.request.Request(opensearch_cluster.urls()[0] + "/" + name, method="DELETE")
    urllib.request.urlopen(request, timeout=60).close()
    for path in ("/api/search?q=سوريا", "/api/documents/" + HEADLINE_ID, "/healthz"):
        result = app.simulate_get(path)
        assert (result.status_code, result.json["error"]["code"]) == (503, "index_unavailable")
    reindex(settings, [SEEDS])
    assert app.simulate_get("/api/search", params={"q": "استقاله"}).json["total"] == 1


def test_nodes_listen_below_the_ephemeral_range_and_are_recorded(opensearch_cluster):
    """No outgoing connection can take a node's port between choosing and binding it."""
    opensearch_cluster.urls()
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    records = [
        line.split() for line in (opensearch_cluster.directory / "pids").read_text().splitlines()
    ]
    assert [name for _, name, _, _ in records] == ["node-0", "node-1", "node-2"]
    for pid, name, port, started in records:
        stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[-1].split()
        assert int(stat[19]) == int(started)  # the recorded process, not a recycled pid
        command = (opensearch_cluster.directory / name / "command.json").read_text()
        ports = [int(port)] + [
            int(part.split("=")[1])
            for part in command.split('"')
            if part.startswith("transport.port=")
        ]
        assert len(ports) == 2 and all(p < low for p in ports), ports
