"""The app under a real gunicorn: Arabic queries, a reindex swap under load, graceful SIGTERM."""

import json
import socket
import threading
import time

import pytest
import requests

from indexer.settings import Settings
from indexer.write.reindex import reindex
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

    bad = requests.get(
        server.url + "/api/search", params={"q": "سوريا", "per_page": "500"}, timeout=5
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "error": {"code": "invalid_parameter", "message": "per_page must be between 1 and 100"}
    }

    page = requests.get(server.url + "/", params={"q": "استقالة"}, timeout=5)
    assert page.status_code == 200 and "<mark>استقالة</mark>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]

    health = requests.get(server.url + "/healthz", timeout=5).json()
    assert (health["status"], health["documents"], health["engine"]) == ("ok", 16, engine)


def raw_request(server, request: bytes) -> tuple[int, dict, bytes]:
    """Send bytes as they are (no client library to tidy them); the status, headers and body."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(request)
        raw = b"".join(iter(lambda: conn.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def test_raw_utf8_query_string_as_curl_sends_it(server):
    """curl '127.0.0.1:8000/api/search?q=مدنيين' sends the Arabic bytes unescaped."""
    request = b"GET /api/search?q=" + "مدنيين".encode() + b" HTTP/1.0\r\nHost: x\r\n\r\n"
    status, _, body = raw_request(server, request)
    assert status == 200, body[:300]
    data = json.loads(body)
    assert data["query"] == "مدنيين"
    assert data["hits"][0]["id"] == "000_49235c3dde4d8611"
    assert "<mark>" in data["hits"][0]["snippet"]


LONG_QUERY = ("استقالة مصطفى كواية " * 100)[:2000]  # 2,000 characters, 10 KB in a URL


def test_a_query_too_long_for_a_url_is_the_apps_own_json_error(server):
    result = requests.get(server.url + "/api/search", params={"q": LONG_QUERY}, timeout=5)
    assert len(result.request.url) > 8190  # past the most gunicorn allows short of no limit
    assert result.status_code == 400, result.text[:300]
    assert result.headers["content-type"] == "application/json"
    assert result.json() == {
        "error": {"code": "query_too_long", "message": "q is longer than 500 characters"}
    }
    page = requests.get(
        server.url + "/", params={"q": LONG_QUERY}, timeout=5, headers={"Accept": "text/html"}
    )
    assert page.status_code == 400 and "نص البحث طويل جدًا" in page.text


def test_post_searches_with_the_query_in_a_json_body(server):
    posted = requests.post(
        server.url + "/api/search", json={"q": "اِسْتِقَالَة", "per_page": 1}, timeout=5
    )
    assert posted.status_code == 200, posted.text[:300]
    assert [hit["title"] for hit in posted.json()["hits"]] == [RESIGNATION]
    too_long = requests.post(server.url + "/api/search", json={"q": LONG_QUERY}, timeout=5)
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "query_too_long"


def test_head_as_curl_i_sends_it(server):
    for path in ("/", "/healthz", "/api/search?q=" + "سوريا"):
        status, headers, body = raw_request(
            server, f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        )
        assert (status, body) == (200, b""), path
        assert int(headers["content-length"]) > 0, path


@pytest.mark.parametrize(
    "request_bytes, status, code",
    [
        (b"NOT A REQUEST\r\n\r\n", 400, "bad_request"),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
            431,
            "request_header_too_large",
        ),
    ],
)
def test_what_gunicorn_answers_itself_is_json_too(server, request_bytes, status, code):
    got_status, headers, body = raw_request(server, request_bytes)
    assert (got_status, headers["content-type"]) == (status, "application/json"), body[:300]
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]


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
    threads = [
        threading.Thread(target=_hammer, args=(server.url, 150, statuses, failures))
        for _ in range(2)
    ]
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
    seen = {
        requests.get(server.url + "/healthz", timeout=5).json()["generation"] for _ in range(10)
    }
    assert seen == {generation + 1}


def test_sigterm_shuts_down_cleanly(index_dir, tmp_path):
    with gunicorn(index_dir, tmp_path) as running:
        assert requests.get(running.url + "/healthz", timeout=5).status_code == 200
        assert running.stop() == 0, running.output()
        assert "Shutting down: Master" in running.output()
