"""The app under a real gunicorn: Arabic queries, a reindex swap under load, graceful SIGTERM."""

import json
import socket
import threading
import time

import pytest
import requests

from indexer.reindex import reindex
from indexer.settings import Settings
from tests.conftest import SEEDS
from tests.fixtures_api import build_index
from tests.fixtures_api import gunicorn

pytestmark = pytest.mark.server

RESIGNATION = "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا"


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, engine):
    return build_index(tmp_path_factory.mktemp("server-index"), engine=engine)


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    with gunicorn(index_dir, tmp_path_factory.mktemp("server-log")) as running:
        yield running


def test_arabic_query_error_and_page(server, engine):
    result = requests.get(server.url + "/api/search", params={"q": "اِسْتِقَالَة"}, timeout=5)
    assert result.status_code == 200, server.output()
    assert result.headers["content-type"] == "application/json"
    assert result.headers["x-content-type-options"] == "nosniff"
    hit = result.json()["hits"][0]
    assert hit["title"] == RESIGNATION and "<mark>استقالة</mark>" in hit["title_html"]

    bad = requests.get(server.url + "/api/search", params={"q": "سوريا", "per_page": "500"},
                       timeout=5)
    assert bad.status_code == 400
    assert bad.json() == {"error": {"code": "invalid_parameter",
                                    "message": "per_page must be between 1 and 100"}}

    page = requests.get(server.url + "/", params={"q": "استقالة"}, timeout=5)
    assert page.status_code == 200 and "<mark>استقالة</mark>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]

    health = requests.get(server.url + "/healthz", timeout=5).json()
    assert (health["status"], health["documents"], health["engine"]) == ("ok", 16, engine)


def test_raw_utf8_query_string_as_curl_sends_it(server):
    """curl '127.0.0.1:8000/api/search?q=مدنيين' sends the Arabic bytes unescaped."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(b"GET /api/search?q=" + "مدنيين".encode() + b" HTTP/1.0\r\nHost: x\r\n\r\n")
        raw = b"".join(iter(lambda: conn.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200"), raw[:300]
    data = json.loads(body)
    assert data["query"] == "مدنيين"
    assert data["hits"][0]["id"] == "000_49235c3dde4d8611"
    assert "<mark>" in data["hits"][0]["snippet"]


def _hammer(url: str, count: int, statuses: list, failures: list) -> None:
    session = requests.Session()
    queries = ["استقالة", "النفط", "التحالف الدولي", "سوريا", "مدنيين"]
    for i in range(count):
        path, params = ("/healthz", None) if i % 5 == 4 else ("/api/search", {"q": queries[i % 5]})
        try:
            result = session.get(url + path, params=params, timeout=10)
        except requests.RequestException as exc:  # a dropped connection is a failure too
            failures.append(repr(exc))
            continue
        statuses.append(result.status_code)
        if not 200 <= result.status_code < 300:
            failures.append(f"{result.status_code} {path} {result.text[:200]}")


def test_reindex_swap_while_serving(server, index_dir, engine):
    generation = requests.get(server.url + "/healthz", timeout=5).json()["generation"]
    statuses, failures = [], []
    threads = [threading.Thread(target=_hammer, args=(server.url, 150, statuses, failures))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    while len(statuses) < 30 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    reindex(Settings(index_dir=index_dir, engine=engine), [SEEDS])
    answered_by_swap = len(statuses)
    for thread in threads:
        thread.join(60)
    assert not failures, f"{failures[:5]}\n{server.output()[-3000:]}"
    assert len(statuses) == 300 and answered_by_swap < 300  # requests ran on both sides of the swap

    # Every worker follows CURRENT: each answer shows the new generation soon after.
    deadline = time.monotonic() + 2
    while requests.get(server.url + "/healthz", timeout=5).json()["generation"] != generation + 1:
        assert time.monotonic() < deadline, "the new generation was not served within 2 s"
        time.sleep(0.05)
    seen = {requests.get(server.url + "/healthz", timeout=5).json()["generation"]
            for _ in range(10)}
    assert seen == {generation + 1}


def test_sigterm_shuts_down_cleanly(index_dir, tmp_path):
    with gunicorn(index_dir, tmp_path) as running:
        assert requests.get(running.url + "/healthz", timeout=5).status_code == 200
        assert running.stop() == 0, running.output()
        assert "Shutting down: Master" in running.output()
