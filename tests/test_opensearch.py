"""The opensearch engine against a real local 3-node cluster (deploy/opensearch/cluster).

Slow (about a minute: the cluster starts once for the module); needs java and
mvn, which the machine has.  The tests run in file order: the last one stops a node.
"""

import json
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from indexer.reindex import reindex
from indexer.search import SearchRequest
from indexer.search import Searcher
from indexer.settings import PROJECT_DIR
from indexer.settings import Settings

CLUSTER = PROJECT_DIR / "deploy" / "opensearch" / "cluster"
SEEDS = PROJECT_DIR / "seeds"
INDEX = "bahthtest"
HEADLINE = "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا"
ARTICLE = "000_49235c3dde4d8611"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("opensearch")
    started = time.monotonic()
    done = subprocess.run([str(CLUSTER), "start", "--nodes", "3", "--dir", str(directory)],
                          capture_output=True, text=True, timeout=300)
    try:
        assert done.returncode == 0, done.stderr
        urls = done.stdout.strip()
        assert urls == (directory / "urls").read_text().strip()
        print(f"cluster green in {time.monotonic() - started:.1f} s: {urls}")
        yield directory, urls.split(",")
    finally:
        subprocess.run([str(CLUSTER), "stop", "--dir", str(directory)], timeout=120)
        assert not (directory / "pids").exists(), "stop left its pids file"


@pytest.fixture(scope="module")
def settings(cluster, tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), engine="opensearch",
                        opensearch_url=",".join(cluster[1]), opensearch_index=INDEX)
    started = time.monotonic()
    summary = reindex(settings, [SEEDS])
    print(f"seeds indexed in {time.monotonic() - started:.1f} s: {summary.line()}")
    return settings


@pytest.fixture(scope="module")
def searcher(settings):
    return Searcher(settings)


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _ids(searcher, q, **kw):
    return [h["id"] for h in searcher.search(SearchRequest(q, **kw)).hits]


def test_misspelt_word_finds_the_headline_first(searcher):
    hits = searcher.search(SearchRequest("استقاله")).hits
    assert hits and hits[0]["title"] == HEADLINE
    assert "<mark>" in hits[0]["title_html"]


@pytest.mark.parametrize("q", ["مدنيين", "١٢٥٧"])
def test_article_found_by_word_and_by_digits(searcher, q):
    assert ARTICLE in _ids(searcher, q)


def test_words_of_the_page_furniture_find_nothing(searcher):
    assert searcher.search(SearchRequest("بريدك الإلكتروني")).total == 0


def test_phrase_in_order_only(searcher):
    assert searcher.search(SearchRequest('"مصطفى كواية"')).hits[0]["title"] == HEADLINE
    assert searcher.search(SearchRequest('"كواية مصطفى"')).total == 0


def test_exclusion(searcher):
    found = searcher.search(SearchRequest("استقالة"))
    assert found.total >= 1
    excluded = searcher.search(SearchRequest("استقالة -كواية")).hits
    assert all(h["title"] != HEADLINE for h in excluded)


def test_kind_filter(searcher):
    assert ARTICLE in _ids(searcher, "مدنيين", kind="article")
    assert ARTICLE not in _ids(searcher, "مدنيين", kind="headline")
    headlines = searcher.search(SearchRequest("استقاله", kind="headline")).hits
    assert headlines and all(h["kind"] == "headline" for h in headlines)


def test_document_and_health(searcher):
    doc = searcher.document(ARTICLE)
    assert doc["kind"] == "article" and doc["body"]
    health = searcher.health()
    assert health["engine"] == "opensearch" and health["documents"] >= 2


def test_index_has_two_shards_one_replica_behind_the_alias(cluster, searcher):
    _, urls = cluster
    generation = searcher.generation().number
    name = f"{INDEX}-{generation}"
    index = _get(f"{urls[0]}/{name}/_settings")[name]["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == ("2", "1")
    assert list(_get(f"{urls[0]}/_alias/{INDEX}")) == [name]
    assert _get(f"{urls[0]}/_cluster/health/{name}")["status"] == "green"


def test_incremental_delete_makes_a_new_index(settings, searcher, cluster):
    _, urls = cluster
    before = searcher.health()
    reindex(settings, [], incremental=True, delete_ids=[ARTICLE])
    after = searcher.health()
    assert after["generation"] == before["generation"] + 1
    assert after["documents"] == before["documents"] - 1
    assert ARTICLE not in _ids(searcher, "مدنيين")
    assert searcher.search(SearchRequest("استقاله")).hits[0]["title"] == HEADLINE
    # reindex moved the alias itself, once the new generation was published
    assert list(_get(f"{urls[0]}/_alias/{INDEX}")) == [f"{INDEX}-{after['generation']}"]


def test_searches_answer_with_a_node_down(cluster, settings):
    directory, urls = cluster
    pid, name, port = (directory / "pids").read_text().splitlines()[0].split()
    assert urls[0].endswith(f":{port}")
    os.kill(int(pid), signal.SIGTERM)  # the node every client tries first
    deadline = time.monotonic() + 30
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        try:
            if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[-1].split()[0] == "Z":
                break
        except OSError:
            break
        time.sleep(0.2)
    searcher = Searcher(settings)  # a new worker: opens a client on all the URLs
    hits = searcher.search(SearchRequest("استقاله")).hits
    assert hits and hits[0]["title"] == HEADLINE
    assert searcher.search(SearchRequest("مدنيين")).total >= 0
    assert searcher.document("headline-930dfa76168352ce")["title"] == HEADLINE
