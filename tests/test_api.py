"""The JSON API and the search page, in process, over indexes built from real Arabic
sources, on every engine (the API and the page know no engine)."""

import json
import logging
import re
import shutil
from html import unescape
from urllib.parse import quote

import pytest
from falcon import inspect as falcon_inspect
from falcon.testing import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from indexer.errors import API_ERRORS
from indexer.read import highlight
from indexer.settings import Settings
from indexer.write.reindex import reindex
from search_api.app import CSP
from search_api.app import create_app
from search_api.app import get_app
from search_api.page import ERROR_TEXT
from search_api.page import date_range
from tests.conftest import ENGINES
from tests.conftest import PROJECT
from tests.conftest import SEEDS

RESIGNATION = "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا"
ARTICLE_ID = "000_49235c3dde4d8611"  # the seed page's article
ARTICLE_TITLE = "التحالف الدولي يعترف بقتله 1257 مدنياً عن طريق الخطأ في سورية والعراق"
SYRIAN_HEADLINES = 4  # headlines matching السورية (the article matches too)
SYRIAN = quote("السورية")  # as it appears in the page's links


# Two dated articles from a feed, for dates, links and mixed-script sources.
FEED = [
    {
        "id": "feed-book-fair-open",
        "title": "افتتاح معرض الكتاب في دمشق بمشاركة 200 دار نشر",
        "text": "افتتح معرض الكتاب الدولي في دمشق أبوابه يوم الأحد بمشاركة أكثر من 200 دار نشر "
        "عربية وأجنبية، ويستمر المعرض عشرة أيام.",
        "date": "2024-03-10",
        "url": "https://news.example/book-fair",
        "source": "BBC عربي",
    },
    {
        "id": "feed-book-fair-close",
        "title": "معرض الكتاب يختتم دورته بزيارة 50 ألف شخص",
        "text": "اختتم معرض الكتاب في دمشق دورته بعد أن زاره أكثر من 50 ألف شخص خلال عشرة أيام.",
        "date": "2024-03-20",
        "url": "javascript:alert(1)",
        "source": "سانا",
    },
]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture(scope="module")
def settings(engine, engine_settings, tmp_path_factory):
    """The settings of an index of the seeds on ``engine``."""
    settings = engine_settings(engine, tmp_path_factory.mktemp(f"api-{engine}"))
    reindex(settings, [SEEDS])
    return settings


@pytest.fixture(scope="module")
def client(settings):
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def feed_client(engine, engine_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("feed")
    feed = folder / "feed.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in FEED]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = engine_settings(engine, folder / "index")
    reindex(settings, [feed])
    return TestClient(create_app(settings))


def search(client, **params):
    result = client.simulate_get("/api/search", params=params)
    assert result.status_code == 200, result.text
    return result.json


def titles(body):
    return [hit["title"] for hit in body["hits"]]


# --- search -------------------------------------------------------------------------------


def test_search_returns_the_exact_shape(client):
    body = search(client, q="استقاله")
    hit = body["hits"][0]
    assert body == {
        "query": "استقاله",
        "total": 1,
        "page": 1,
        "per_page": 10,
        "took_ms": body["took_ms"],
        "hits": [hit],
        "suggestion": None,
        "phrases_relaxed": False,
        "transliterated": None,
        "synonyms": [],
    }
    assert isinstance(body["took_ms"], float)
    assert hit == {
        "id": hit["id"],
        "kind": "headline",
        "title": RESIGNATION,
        "title_html": "<mark>استقالة</mark> مصطفى كواية بعد أيام من انتخابه رئيسًا",
        "snippet": "<mark>استقالة</mark> مصطفى كواية بعد أيام من انتخابه رئيسًا",
        "score": hit["score"],
        "date": None,
        "url": None,
        "source": None,
        "also_in": [],
    }
    assert hit["id"].startswith("headline-") and hit["score"] > 0


def test_search_names_the_synonyms_it_added(client):
    # The default news list: the capital stands for the country, as headlines use it.
    body = search(client, q="أمريكا")
    assert body["synonyms"] == ["الولايات المتحدة", "أميركا", "واشنطن"]
    assert body["hits"][0]["title_html"].startswith("<mark>واشنطن</mark> تخطط")
    assert (
        '<p class="synonyms">تشمل النتائج أيضًا المرادفات: <bdi>الولايات المتحدة</bdi>، '
        "<bdi>أميركا</bdi>، <bdi>واشنطن</bdi></p>"
    ) in page(client, q="أمريكا")
    assert 'class="synonyms"' not in page(client, q="استقالة")


def test_article_snippet_is_highlighted(client):
    body = search(client, q="مدنيين")
    article = next(hit for hit in body["hits"] if hit["kind"] == "article")
    assert article["id"] == ARTICLE_ID and article["title"] == ARTICLE_TITLE
    assert "<mark>المدنيين</mark>" in article["snippet"]


def test_diacritised_query_marks_the_whole_written_word(client):
    hit = search(client, q="مَدَنِيًّا")["hits"][0]
    # The tanween is part of the word: inside the mark, not left after it.
    assert "1257 <mark>مدنياً</mark> عن" in hit["title_html"]


def test_phrase_must_appear_in_order(client):
    body = search(client, q='"التحالف الدولي"')
    assert titles(body) == [ARTICLE_TITLE] and body["phrases_relaxed"] is False
    # The phrase is a requirement: other words add hits only among documents holding it.
    assert titles(search(client, q='"التحالف الدولي" سوريا')) == [ARTICLE_TITLE]
    assert search(client, q="التحالف الدولي سوريا")["total"] > 1


def test_a_phrase_no_document_holds_is_relaxed_to_its_words(client):
    # No document has الدولي التحالف in that order: its words rank instead, and the reply says so.
    body = search(client, q='"الدولي التحالف"')
    assert body["phrases_relaxed"] is True
    assert titles(body)[0] == ARTICLE_TITLE
    assert "<mark>التحالف</mark> <mark>الدولي</mark>" in body["hits"][0]["snippet"]
    assert 'class="relaxed"' in page(client, q='"الدولي التحالف"')
    assert 'class="relaxed"' not in page(client, q='"التحالف الدولي"')
    nothing = search(client, q='"زمردة فيروزية"')
    assert (nothing["total"], nothing["phrases_relaxed"]) == (0, False)


def test_excluded_word_removes_documents(client):
    assert search(client, q="النفط")["total"] == 2
    oil_fields = "حقول النفط السورية.. تراجع كارثي وأمل في الإحياء"
    assert titles(search(client, q="النفط -وزير")) == [oil_fields]


def test_title_prefix_searches_titles_only(client):
    assert "article" in {hit["kind"] for hit in search(client, q="الثورة")["hits"]}
    body = search(client, q="title:الثورة")
    assert body["total"] == 2 and {hit["kind"] for hit in body["hits"]} == {"headline"}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_missing_or_empty_query_is_an_empty_result(client, params):
    body = search(client, **params)
    assert (body["total"], body["hits"], body["suggestion"]) == (0, [], None)


def test_pages_through_all_results(client):
    pages = [search(client, q="السورية", per_page=2, page=n) for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [SYRIAN_HEADLINES + 1] * 4
    assert [len(p["hits"]) for p in pages] == [2, 2, 1, 0]
    ids = [hit["id"] for p in pages for hit in p["hits"]]
    assert len(set(ids)) == SYRIAN_HEADLINES + 1


def test_pages_through_headlines_only(client):
    pages = [search(client, q="السورية", kind="headline", per_page=2, page=n) for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [SYRIAN_HEADLINES] * 3
    assert [len(p["hits"]) for p in pages] == [2, 2, 0]
    assert {hit["kind"] for p in pages for hit in p["hits"]} == {"headline"}


def test_kind_filter(client):
    body = search(client, q="السورية", kind="article")
    assert (body["total"], titles(body)) == (1, [ARTICLE_TITLE])


def test_did_you_mean(client):
    body = search(client, q="اسقالة")
    assert (body["total"], body["suggestion"]) == (0, "استقالة")


# --- dates, sources and links, from a feed --------------------------------------------------


def test_newest_first(feed_client):
    body = search(feed_client, q="معرض الكتاب", sort="date")
    assert [hit["date"] for hit in body["hits"]] == ["2024-03-20", "2024-03-10"]


def test_date_range(feed_client):
    body = search(feed_client, **{"q": "معرض الكتاب", "from": "2024-03-15", "to": "2024-03-31"})
    assert [hit["id"] for hit in body["hits"]] == ["feed-book-fair-close"]


def test_page_shows_dates_sources_and_only_web_links(feed_client):
    html = feed_client.simulate_get("/", params={"q": "معرض"}).text
    assert '<time datetime="2024-03-20"><bdi>2024-03-20</bdi></time>' in html
    assert "<bdi>BBC عربي</bdi>" in html
    assert '<a href="https://news.example/book-fair">' in html
    assert "javascript:" not in html


def _facet_links(html: str) -> dict[str, str]:
    """The facets' links of a page: text → href."""
    nav = html[html.index('<nav class="facets"') : html.index("</nav>")]
    return {
        unescape(text): unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)">(?:<bdi>)?([^<]+)', nav)
    }


def test_page_facets_are_links_that_filter(feed_client):
    html = feed_client.simulate_get("/", params={"q": "معرض الكتاب"}).text
    assert "<h2>المصدر</h2>" in html and "<h2>التاريخ (حسب اليوم)</h2>" in html
    links = _facet_links(html)
    assert set(links) == {"BBC عربي", "سانا", "2024-03-10", "2024-03-20"}
    by_source = feed_client.simulate_get(links["سانا"]).text
    assert "زيارة 50 ألف شخص" in by_source and "بمشاركة 200 دار" not in by_source
    assert '<strong aria-current="true"><bdi>سانا</bdi></strong>' in by_source
    assert "الكل" in _facet_links(by_source)  # back to every source
    by_day = feed_client.simulate_get(links["2024-03-10"]).text
    assert "بمشاركة 200 دار" in by_day and "زيارة 50 ألف شخص" not in by_day


@pytest.mark.parametrize(
    "interval, key, first, last",
    [
        ("month", "2024-02", "2024-02-01", "2024-02-29"),
        ("month", "2023-12", "2023-12-01", "2023-12-31"),
        ("day", "2024-03-10", "2024-03-10", "2024-03-10"),
    ],
)
def test_a_date_bucket_links_to_its_days(interval, key, first, last):
    assert date_range(interval, key) == (first, last)


# --- documents, suggestions, health ------------------------------------------------------------


def test_document(client):
    result = client.simulate_get(f"/api/documents/{ARTICLE_ID}")
    assert result.status_code == 200
    doc = result.json
    assert set(doc) == {"id", "kind", "title", "body", "date", "url", "source", "section"}
    assert (doc["id"], doc["kind"], doc["title"]) == (ARTICLE_ID, "article", ARTICLE_TITLE)
    assert "مدنياً قتلوا" in doc["body"]


def test_suggest_completes_real_words(client):
    result = client.simulate_get("/api/suggest", params={"q": "است"})
    assert result.status_code == 200
    body = result.json
    assert body["query"] == "است"
    assert "استقالة" in body["suggestions"] and RESIGNATION in body["suggestions"]
    assert 1 <= len(body["suggestions"]) <= 10
    assert all(word.startswith("است") for word in body["suggestions"])


def test_suggest_nothing_typed(client):
    assert client.simulate_get("/api/suggest").json == {"query": "", "suggestions": []}


def test_health(client, engine):
    result = client.simulate_get("/healthz")
    assert result.status_code == 200
    body = result.json
    assert body == {
        "status": "ok",
        "documents": 16,
        "engine": engine,
        "generation": 1,
        "built_at": body["built_at"],
    }
    assert re.match(r"^\d{4}-\d{2}-\d{2}T", body["built_at"])


# --- errors --------------------------------------------------------------------------------------

LONG_QUERY = "ا" * 501

ERRORS = [
    # (method, path, params, status, code, message)
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "page": "0"},
        400,
        "invalid_parameter",
        "page must be between 1 and 10000",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "page": "-3"},
        400,
        "invalid_parameter",
        "page must be between 1 and 10000",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "page": "two"},
        400,
        "invalid_parameter",
        "page must be a whole number",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "page": "1.5"},
        400,
        "invalid_parameter",
        "page must be a whole number",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "per_page": "0"},
        400,
        "invalid_parameter",
        "per_page must be between 1 and 100",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "per_page": "101"},
        400,
        "invalid_parameter",
        "per_page must be between 1 and 100",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "per_page": "١٠"},
        400,
        "invalid_parameter",
        "per_page must be a whole number",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "page": "1001"},
        400,
        "page_too_deep",
        "results beyond the first 10000 are not served; narrow the query",
    ),
    (
        "GET",
        "/api/search",
        {"q": LONG_QUERY},
        400,
        "query_too_long",
        "q is longer than 500 characters",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "sort": "popular"},
        400,
        "invalid_parameter",
        "sort must be one of: relevance, date",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "kind": "video"},
        400,
        "invalid_parameter",
        "kind must be one of: headline, article",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "from": "2024-13-01"},
        400,
        "invalid_parameter",
        "from must be a date YYYY-MM-DD",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "to": "yesterday"},
        400,
        "invalid_parameter",
        "to must be a date YYYY-MM-DD",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "from": "2024-03-20", "to": "2024-03-10"},
        400,
        "invalid_parameter",
        "to (2024-03-10) is before from (2024-03-20)",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "kind": " "},
        400,
        "invalid_parameter",
        "kind must be one of: headline, article",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "facets": "source,author"},
        400,
        "invalid_parameter",
        "facets must be a comma-separated list of: source, section, date",
    ),
    (
        "GET",
        "/api/search",
        {"q": "سوريا", "collapse": "no"},
        400,
        "invalid_parameter",
        "collapse must be true or false",
    ),
    (
        "GET",
        "/api/suggest",
        {"q": LONG_QUERY},
        400,
        "query_too_long",
        "q is longer than 500 characters",
    ),
    ("GET", "/api/documents/no-such-id", {}, 404, "not_found", "no document with id 'no-such-id'"),
    ("GET", "/api/nothing-here", {}, 404, "not_found", "no such route: /api/nothing-here"),
    ("GET", "/static/missing.js", {}, 404, "not_found", "no such route: /static/missing.js"),
    (
        "PUT",
        "/api/search",
        {},
        405,
        "method_not_allowed",
        "method PUT is not allowed on /api/search",
    ),
    (
        "POST",
        "/api/suggest",
        {},
        405,
        "method_not_allowed",
        "method POST is not allowed on /api/suggest",
    ),
    (
        "DELETE",
        "/api/documents/x",
        {},
        405,
        "method_not_allowed",
        "method DELETE is not allowed on /api/documents/x",
    ),
]


@pytest.mark.parametrize(
    "method, path, params, status, code, message",
    ERRORS,
    ids=[f"{e[0]} {e[1]} {e[4]} {i}" for i, e in enumerate(ERRORS)],
)
def test_error_json(client, method, path, params, status, code, message):
    result = client.simulate_request(method, path, params=params)
    assert result.status_code == status
    assert result.headers["content-type"] == "application/json"
    assert result.json == {"error": {"code": code, "message": message}}


def test_405_says_what_is_allowed(client):
    assert client.simulate_put("/api/search").headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.simulate_post("/healthz").headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=سوريا",
        "/api/search?q=سوريا",
        f"/api/documents/{ARTICLE_ID}",
        "/api/suggest?q=سو",
        "/healthz",
        "/openapi.json",
        "/static/style.css",
        "/api/search?page=0",
        "/nothing-here",
    ],
)
def test_head_answers_as_get_without_a_body(client, path):
    got, head = client.simulate_get(path), client.simulate_head(path)
    assert head.status_code == got.status_code and head.text == ""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert got.headers["content-length"] == str(len(got.content))
    if "took_ms" in got.text:  # measured per request: its digits may differ by a few
        assert abs(int(head.headers["content-length"]) - len(got.content)) <= 8
    else:
        assert head.headers["content-length"] == got.headers["content-length"]


def test_date_range_ending_before_it_starts_is_refused_not_empty(feed_client):
    result = feed_client.simulate_get(
        "/api/search", params={"q": "معرض الكتاب", "from": "2024-03-31", "to": "2024-03-15"}
    )
    assert result.status_code == 400
    assert result.json == {
        "error": {
            "code": "invalid_parameter",
            "message": "to (2024-03-15) is before from (2024-03-31)",
        }
    }
    same_day = search(feed_client, **{"q": "معرض الكتاب", "from": "2024-03-20", "to": "2024-03-20"})
    assert [hit["id"] for hit in same_day["hits"]] == ["feed-book-fair-close"]


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/nothing-here", "/api/nothing-here", "/static/missing.css"])
def test_unknown_route_is_a_page_to_a_browser_and_json_to_others(client, path):
    page_404 = client.simulate_get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page_404.status_code == 404
    assert page_404.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="ar" dir="rtl">' in page_404.text
    assert '<link rel="stylesheet" href="/static/style.css">' in page_404.text
    assert "الصفحة المطلوبة غير موجودة" in page_404.text and 'name="q"' in page_404.text
    assert page_404.headers["content-security-policy"] == CSP
    for accept in ("*/*", "application/json", None):
        result = client.simulate_get(path, headers={"Accept": accept} if accept else None)
        assert result.status_code == 404 and result.headers["content-type"] == "application/json"
        assert result.json == {"error": {"code": "not_found", "message": f"no such route: {path}"}}


@pytest.mark.parametrize(
    "params, detail",
    [
        ({"page": "two"}, "يجب أن تكون قيمة «الصفحة» عددًا صحيحًا."),
        ({"per_page": "500"}, "قيمة «عدد النتائج في الصفحة» خارج الحدود المسموح بها."),
        ({"kind": "video"}, "قيمة «النوع» ليست من الخيارات المعروضة."),
        ({"from": "2024-02-30"}, "يجب أن تكون قيمة «من» تاريخًا صحيحًا (سنة-شهر-يوم)."),
        (
            {"from": "2024-03-20", "to": "2024-03-10"},
            "تاريخ «إلى» يسبق تاريخ «من». اجعله بعده أو مثله.",
        ),
    ],
)
def test_bad_parameter_on_the_page_is_told_in_arabic(client, params, detail):
    result = client.simulate_get("/", params={"q": "سوريا"} | params)
    assert result.status_code == 400 and result.headers["content-type"].startswith("text/html")
    assert 'value="سوريا"' in result.text
    assert "في الطلب قيمة غير صالحة" in result.text
    assert f'<p class="detail">{detail}</p>' in result.text
    api = client.simulate_get("/api/search", params={"q": "سوريا"} | params).json["error"]
    assert api["message"] not in result.text  # the English is for developers, in the JSON


def test_too_long_query_on_the_page_is_told_in_arabic(client):
    result = client.simulate_get("/", params={"q": LONG_QUERY})
    assert result.status_code == 400 and "نص البحث طويل جدًا" in result.text
    assert "characters" not in result.text


def test_every_error_code_is_documented_and_has_arabic_text(client):
    spec = client.simulate_get("/openapi.json").json
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"][
        "enum"
    ] == list(API_ERRORS)
    assert set(ERROR_TEXT) == set(API_ERRORS)
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| status | code | when |") :].split("\n\n")[0]
    rows = re.findall(r"^\| (\d{3}) \| `(\w+)` \|", table, re.M)
    assert sorted(rows) == sorted((str(e.status), code) for code, e in API_ERRORS.items())


# --- POST /api/search ------------------------------------------------------------------------


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body, ensure_ascii=False)
    return client.simulate_post("/api/search", body=data, headers={"Content-Type": content_type})


def test_post_answers_as_get(feed_client):
    params = {"q": "معرض الكتاب", "sort": "date", "per_page": 1, "page": 2, "from": "2024-03-01"}
    got = search(feed_client, **params)
    posted = post(feed_client, params, "application/json; charset=utf-8")
    assert posted.status_code == 200, posted.text
    assert posted.json | {"took_ms": 0} == got | {"took_ms": 0}
    assert [hit["id"] for hit in posted.json["hits"]] == ["feed-book-fair-open"]


def test_post_takes_a_query_too_long_for_a_url_and_refuses_it_as_get_would(client):
    accepted = post(client, {"q": " ".join(["استقالة"] * 62)})  # 495 characters
    assert accepted.status_code == 200 and accepted.json["hits"][0]["title"] == RESIGNATION
    refused = post(client, {"q": "ا" * 2000})
    assert refused.status_code == 400
    assert refused.json == {
        "error": {"code": "query_too_long", "message": "q is longer than 500 characters"}
    }


POST_ERRORS = [
    # (body, content type, status, code, message)
    (
        {"q": "سوريا", "page": "2"},
        "application/json",
        400,
        "invalid_parameter",
        "page must be a whole number",
    ),
    (
        {"q": "سوريا", "page": True},
        "application/json",
        400,
        "invalid_parameter",
        "page must be a whole number",
    ),
    (
        {"q": "سوريا", "per_page": 0},
        "application/json",
        400,
        "invalid_parameter",
        "per_page must be between 1 and 100",
    ),
    (
        {"q": "سوريا", "page": 1001},
        "application/json",
        400,
        "page_too_deep",
        "results beyond the first 10000 are not served; narrow the query",
    ),
    ({"q": ["سوريا"]}, "application/json", 400, "invalid_parameter", "q must be a string"),
    (
        {"q": "سوريا", "kind": None},
        "application/json",
        400,
        "invalid_parameter",
        "kind must not be null",
    ),
    (
        {"q": "سوريا", "perpage": 5},
        "application/json",
        400,
        "invalid_parameter",
        "perpage is not a search parameter",
    ),
    (
        {"q": "سوريا", "from": "2024-05-01", "to": "2024-01-01"},
        "application/json",
        400,
        "invalid_parameter",
        "to (2024-01-01) is before from (2024-05-01)",
    ),
    (
        '{"q": "سوريا"',
        "application/json",
        400,
        "invalid_body",
        "the body must be a JSON object of search parameters",
    ),
    (
        b"\xff\xfe",
        "application/json",
        400,
        "invalid_body",
        "the body must be a JSON object of search parameters",
    ),
    (
        ["سوريا"],
        "application/json",
        400,
        "invalid_body",
        "the body must be a JSON object of search parameters",
    ),
    (
        "q=سوريا",
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
        "the body must be JSON, sent as application/json",
    ),
    (
        json.dumps({"q": "سوريا", "source": "س" * 70_000}),
        "application/json",
        413,
        "request_too_large",
        "the body is longer than 65536 bytes",
    ),
]


@pytest.mark.parametrize(
    "body, content_type, status, code, message",
    POST_ERRORS,
    ids=[f"{e[3]} {i}" for i, e in enumerate(POST_ERRORS)],
)
def test_post_errors(client, body, content_type, status, code, message):
    result = post(client, body, content_type)
    assert result.status_code == status
    assert result.headers["content-type"] == "application/json"
    assert result.json == {"error": {"code": code, "message": message}}


def test_unexpected_error_is_a_500_without_a_traceback(settings, caplog):
    class Broken:
        def on_get(self, req, resp):
            return {}["missing"]  # a real bug: KeyError

    app = create_app(settings)
    app.add_route("/api/broken", Broken())
    with caplog.at_level(logging.ERROR, logger="bahth.api"):
        result = TestClient(app).simulate_get("/api/broken")
    assert result.status_code == 500
    message = "the server failed to answer this request; it has been logged"
    assert result.json == {"error": {"code": "internal_error", "message": message}}
    assert "Traceback" not in result.text and "KeyError" in caplog.text


NO_INDEX = {
    "error": {
        "code": "index_unavailable",
        "message": "no index is being served yet: run `bahth reindex` to build one",
    }
}


def test_no_index_is_503_then_recovers_after_reindex(tmp_path):
    app_client = TestClient(create_app(Settings(index_dir=tmp_path / "index")))
    for path in ("/api/search?q=سوريا", "/api/suggest?q=سو", "/healthz", "/api/documents/x"):
        result = app_client.simulate_get(path)
        assert (result.status_code, result.json) == (503, NO_INDEX), path
    page = app_client.simulate_get("/", params={"q": "سوريا"})
    assert page.status_code == 503 and "البحث غير متاح الآن" in page.text
    assert str(tmp_path) not in page.text  # no server paths to clients
    assert app_client.simulate_get("/").status_code == 200  # the empty search box needs no index

    reindex(Settings(index_dir=tmp_path / "index"), [SEEDS])
    assert app_client.simulate_get("/healthz").json["documents"] == 16
    assert search(app_client, q="استقالة")["hits"][0]["title"] == RESIGNATION


def test_index_of_another_schema_is_503(settings, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(settings.index_dir, copy)
    meta = next(copy.glob("gen-*/meta.json"))
    meta.write_text(json.dumps(json.loads(meta.read_text()) | {"schema_version": 0}))
    app_client = TestClient(create_app(settings.replace(index_dir=copy)))
    result = app_client.simulate_get("/api/search", params={"q": "سوريا"})
    assert result.status_code == 503
    assert result.json["error"]["code"] == "index_incompatible"


# --- OpenAPI --------------------------------------------------------------------------------------


def _template(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path)  # {doc_id:path} → {doc_id}


def test_openapi_is_valid_and_lists_every_route(client):
    spec = client.simulate_get("/openapi.json").json
    validate_openapi(spec)
    app = client.app
    # HEAD is GET without the body: said once in the description, not listed per route.
    assert "HEAD is answered wherever GET is" in spec["info"]["description"]
    routes = {
        _template(route.path): {
            m.method.lower() for m in route.methods if not m.internal and m.method != "HEAD"
        }
        for route in falcon_inspect.inspect_routes(app)
    }
    for static in falcon_inspect.inspect_static_routes(app):
        routes[static.prefix.rstrip("/") + "/{file}"] = {"get"}
    # Served by the documents' route, which takes the whole path (an id may hold "/").
    routes["/api/documents/{doc_id}/related"] = routes["/api/documents/{doc_id}"]
    assert {path: set(ops) for path, ops in spec["paths"].items()} == routes


def test_responses_match_the_openapi_schemas(client):
    spec = client.simulate_get("/openapi.json").json

    def check(path, params, status):
        result = client.simulate_get(path, params=params)
        assert result.status_code == status
        route = "/api/documents/{doc_id}" if path.startswith("/api/documents/") else path
        response = spec["paths"][route]["get"]["responses"][str(status)]
        schema = response["content"]["application/json"]["schema"]
        # The components travel with the schema so that its $refs resolve.
        Draft202012Validator(schema | {"components": spec["components"]}).validate(result.json)

    check("/api/search", {"q": "مدنيين"}, 200)
    check("/api/search", {"q": "اسقالة"}, 200)
    check("/api/search", {"q": "madaniyeen"}, 200)  # searched as مدنيين
    check("/api/search", {"page": "0"}, 400)
    check(f"/api/documents/{ARTICLE_ID}", {}, 200)
    check("/api/documents/nope", {}, 404)
    check("/api/suggest", {"q": "ال"}, 200)
    check("/healthz", {}, 200)


# --- the page ----------------------------------------------------------------------------------


def page(client, **params):
    result = client.simulate_get("/", params=params)
    assert result.status_code == 200
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    return result.text


def test_page_is_arabic_rtl_with_highlighted_results(client):
    html = page(client, q="استقالة")
    assert '<html lang="ar" dir="rtl">' in html
    assert 'name="q" value="استقالة"' in html
    assert "<mark>استقالة</mark> مصطفى كواية" in html
    assert '<span class="kind kind-headline">عنوان</span>' in html
    assert '<script src="/static/app.js" defer></script>' in html


def test_page_shows_article_label_and_snippet(client):
    html = page(client, q="مدنيين")
    assert '<span class="kind kind-article">مقال</span>' in html
    assert re.search(r'<p class="snippet" dir="auto">.*<mark>المدنيين</mark>', html, re.S)


def test_page_without_query_shows_the_search_box(client):
    html = page(client)
    assert 'name="q" value=""' in html and "autofocus" in html and 'class="hits"' not in html


def test_page_empty_result_and_did_you_mean(client):
    html = page(client, q="اسقالة", kind="headline")
    assert "لا توجد نتائج لـ «<bdi>اسقالة</bdi>»" in html
    assert f'هل تقصد: <a href="/?q={quote("استقالة")}&amp;kind=headline">' in html


def test_page_pagination_keeps_query_and_filters(client):
    first = page(client, q="السورية", per_page="2", sort="date")
    next_href = re.search(r'<a class="next" rel="next" href="([^"]+)">التالي', first).group(1)
    assert next_href == f"/?q={SYRIAN}&amp;sort=date&amp;per_page=2&amp;page=2"
    assert 'class="prev" rel="prev"' not in first
    second = page(client, q="السورية", per_page="2", sort="date", page="2")
    assert "الصفحة <bdi>2</bdi> من <bdi>3</bdi>" in second
    prev_href = re.search(r'<a class="prev" rel="prev" href="([^"]+)">→ السابق', second).group(1)
    assert prev_href == f"/?q={SYRIAN}&amp;sort=date&amp;per_page=2"
    assert '<input type="hidden" name="per_page" value="2">' in second
    assert '<option value="date" selected>' in second


def test_page_past_the_last_page_links_back(client):
    html = page(client, q="السورية", per_page="2", page="9")
    assert "لا توجد نتائج في هذه الصفحة" in html
    assert f'<a class="prev" rel="prev" href="/?q={SYRIAN}&amp;per_page=2&amp;page=3">' in html


@pytest.mark.parametrize(
    "attack, escaped",
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('"><img src=x onerror=alert(1)>', "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
    ],
)
def test_page_escapes_user_input(client, attack, escaped):
    html = page(client, q=attack)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert f'name="q" value="{escaped}"' in html  # kept in the box, as text
    assert f"<title>{escaped} — بحث</title>" in html


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=سوريا", "/api/search?q=سوريا", "/healthz", "/static/style.css", "/api/nothing-here"],
)
def test_security_headers(client, path):
    headers = client.simulate_get(path).headers
    assert (
        headers["content-security-policy"]
        == (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        == CSP
    )
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_static_files(client):
    css = client.simulate_get("/static/style.css")
    js = client.simulate_get("/static/app.js")
    assert css.status_code == js.status_code == 200
    assert css.headers["content-type"].startswith("text/css") and "mark" in css.text
    assert "javascript" in js.headers["content-type"] and "/api/suggest" in js.text


def test_no_cors_by_default(client):
    headers = client.simulate_get(
        "/api/search", params={"q": "سوريا"}, headers={"Origin": "https://news.example"}
    ).headers
    assert "access-control-allow-origin" not in headers


def test_cors_when_configured(settings):
    cors = TestClient(create_app(settings.replace(cors_origins=("https://news.example",))))
    allowed = cors.simulate_get(
        "/api/search", params={"q": "سوريا"}, headers={"Origin": "https://news.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://news.example"
    assert "Origin" in allowed.headers["vary"]
    other = cors.simulate_get("/api/search", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = cors.simulate_options(
        "/api/suggest",
        headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]
    page_headers = cors.simulate_get("/", headers={"Origin": "https://news.example"}).headers
    assert "access-control-allow-origin" not in page_headers  # the page is not an API


def test_a_booting_worker_builds_the_highlighters_character_classes(monkeypatch, tmp_path):
    # Built on a worker's first search instead, they cost that reader 0.15 s.
    monkeypatch.setenv("BAHTH_INDEX_DIR", str(tmp_path))
    highlight._unsafe.cache_clear()
    get_app()
    assert highlight._unsafe.cache_info().currsize == 2
