"""Hostile and odd requests, in process, over a real index, for every engine.

The index holds the seeds and a generated feed of 2,000 articles cut from the
seed article's sentences (and one article with markup in its title).  Each
query's cost must stay bounded (a 200 within ``BUDGET_S``); operators and
wildcards are plain words; deep pages, bad parameters, odd bytes and path
tricks get a 4xx with the JSON error shape, never a 5xx or a file's content.
The worst latency seen is printed (run with ``-s`` to see it).
"""

import json
import random
import re
import time
from itertools import pairwise
from urllib.parse import quote

import pytest
from falcon.testing import TestClient
from markupsafe import escape  # as the page's templates escape

from indexer.read import MAX_RESULT_WINDOW
from indexer.settings import Settings
from indexer.write.reindex import reindex
from search_api.app import create_app
from tests.conftest import ENGINES
from tests.conftest import SEEDS

FEED_SIZE = 2000
BUDGET_S = 3.0  # a query of 500 characters of real words answers within this
# Any legal query: the engine's time limit, and once more for what whoosh does outside it
# (building the union matcher, recounting: see test_search_time_limit_bounds_a_query).
HARD_BOUND_S = 2 * Settings().search_time_limit + 1.0
MAX_Q = Settings().max_query_chars

XSS_ID = "feed-xss"
XSS_TITLE = "<script>alert(1)</script> ثغرة أمنية في موقع إخباري"
XSS_BODY = "كشف باحثون ثغرة <img src=x onerror=alert(1)> في موقع إخباري عربي."
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# (engine, label) → seconds, for the printed worst case.
LATENCIES: dict[tuple[str, str], float] = {}


# --- the corpus ----------------------------------------------------------------------------


def article_sentences(seed_text: str) -> list[str]:
    """The seed page's sentences of four words or more (ticker and article alike)."""
    found = []
    for line in seed_text.splitlines():
        for sentence in re.split(r"(?<=[.!؟?])\s*", line):
            if len(sentence.split()) >= 4 and "بريدك" not in sentence:
                found.append(sentence.strip())
    return found


def write_feed(path, sentences: list[str], count: int = FEED_SIZE):
    """``count`` articles of three seed sentences each, titled by a sentence's first words."""
    rng = random.Random(20241208)
    sources = ["سانا", "BBC عربي", "الجزيرة", "عنب بلدي"]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            record = {
                "id": f"gen-{i:05d}",
                "title": " ".join(rng.choice(sentences).split()[: rng.randint(4, 9)]),
                "text": " ".join(rng.sample(sentences, 3)),
                "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "source": sources[i % len(sources)],
                "url": f"https://news.example/{i}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        xss = {
            "id": XSS_ID,
            "title": XSS_TITLE,
            "text": XSS_BODY,
            "date": "2024-12-08",
            "url": "javascript:alert(1)",
            "source": "<b>مصدر</b>",
        }
        out.write(json.dumps(xss, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def sentences(seed_text):
    return article_sentences(seed_text)


@pytest.fixture(scope="module")
def feed(tmp_path_factory, sentences):
    return write_feed(tmp_path_factory.mktemp("hostile-feed") / "feed.jsonl", sentences)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture(scope="module")
def settings(engine, feed, tmp_path_factory, engine_settings):
    settings = engine_settings(engine, tmp_path_factory.mktemp(f"hostile-{engine}"))
    summary = reindex(settings, [SEEDS, feed])
    assert summary.total == FEED_SIZE + 1 + 16  # the feed, its markup article, the seeds
    return settings


@pytest.fixture(scope="module")
def client(settings, engine):
    yield TestClient(create_app(settings))
    worst = max(((s, label) for (e, label), s in LATENCIES.items() if e == engine), default=None)
    if worst:
        print(f"\n[{engine}] worst query latency: {worst[0] * 1000:.0f} ms ({worst[1]})")


# --- helpers -------------------------------------------------------------------------------


def get(client, path, *, label=None, engine=None, query_string=None, **params):
    """A GET that is never a 5xx; timed and recorded when ``label`` is given."""
    started = time.perf_counter()
    result = client.simulate_get(path, params=params or None, query_string=query_string)
    elapsed = time.perf_counter() - started
    if label:
        LATENCIES[(engine, label)] = elapsed
    assert result.status_code < 500, f"{path} {params or query_string!r}: {result.text[:300]}"
    return result, elapsed


def assert_error(result, status: int, code: str):
    """Exactly ``{"error": {"code", "message"}}``, as JSON, with this status and code."""
    assert result.status_code == status, result.text[:300]
    assert result.headers["content-type"] == "application/json"
    body = json.loads(result.text)
    assert list(body) == ["error"] and sorted(body["error"]) == ["code", "message"], body
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str), body


def ids(result) -> list[str]:
    return [hit["id"] for hit in result.json["hits"]]


def fill(tokens, length: int = MAX_Q, sep: str = " ") -> str:
    """As many whole tokens as fit in ``length`` characters."""
    out = ""
    for token in tokens:
        if len(out) + len(sep) + len(token) > length:
            break
        out = f"{out}{sep}{token}" if out else token
    return out


def article_words(seed_text: str) -> list[str]:
    article = "\n".join(line for line in seed_text.splitlines()[1:] if len(line) > 80)
    return article.split()


# --- long queries --------------------------------------------------------------------------


def test_501_characters_is_query_too_long(client):
    for path in ("/api/search", "/api/suggest"):
        result, _ = get(client, path, q="ب" * (MAX_Q + 1))
        assert_error(result, 400, "query_too_long")
    page, _ = get(client, "/", q="ب" * (MAX_Q + 1))
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


def test_500_characters_of_real_words_within_budget(client, engine, seed_text):
    q = " ".join(article_words(seed_text))[:MAX_Q]
    assert len(q) == MAX_Q
    for extra in ({}, {"sort": "date"}, {"per_page": "100"}, {"page": "100", "per_page": "100"}):
        label = "500 chars of the article" + (f" {extra}" if extra else "")
        result, elapsed = get(client, "/api/search", q=q, label=label, engine=engine, **extra)
        assert result.status_code == 200, result.text[:300]
        assert result.json["total"] > 100 and elapsed < BUDGET_S, (elapsed, result.json["total"])
    suggest, elapsed = get(client, "/api/suggest", q=q, label="suggest 500 chars", engine=engine)
    assert suggest.status_code == 200 and elapsed < BUDGET_S


def short_tokens() -> str:
    """500 characters of distinct one- and two-letter Arabic tokens (~180 of them)."""
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
    return fill(list(letters) + [a + b for a in letters for b in letters])


def single_characters() -> str:
    """250 distinct one-character tokens in 499 characters: Arabic letters, then other scripts."""
    pool = (
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةىپچژگکیڤ"
        + "abcdefghijklmnopqrstuvwxyz"
        + "0123456789"
        + "٠١٢٣٤٥٦٧٨٩"
        + "αβγδεζηθικλμνξοπρστυφχψω"
        + "абвгдежзийклмнопрстуфхцчшщъыьэюя"
        + "אבגדהוזחטיכלמנסעפצקרשת"
        + "ԱԲԳԴԵԶԷԸԹԺԻԼԽԾԿՀՁՂՃՄՅՆՇՈՉՊՋՌՍՎՏՐՑՒՓՔՕՖ"
        + "กขคฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
        + "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ"
    )
    tokens = list(dict.fromkeys(pool))[:250]
    assert len(tokens) == 250
    return " ".join(tokens)


def adversarial_queries(seed_text: str) -> dict[str, dict]:
    """Legal queries (≤ 500 characters) built to be expensive, by label."""
    vocabulary = list(dict.fromkeys(article_words(seed_text)))
    return {
        "distinct article words": {"q": fill(vocabulary)},
        "distinct words, newest first": {"q": fill(vocabulary[::-1]), "sort": "date"},
        "~180 distinct 1-2 letter tokens": {"q": short_tokens()},
        "250 distinct 1-char tokens": {"q": single_characters()},
        "one 500-letter word": {"q": "س" * MAX_Q},
        "distinct two-word phrases": {"q": fill(f'"{a} {b}"' for a, b in pairwise(vocabulary))},
        "one 500-character phrase": {"q": '"' + fill(vocabulary, MAX_Q - 2) + '"'},
        "500 characters of exclusions": {"q": fill("-" + w for w in vocabulary)},
        "500 characters of title: terms": {"q": fill("title:" + w for w in vocabulary)},
        "deepest page, 100 per page": {"q": fill(vocabulary), "page": "100", "per_page": "100"},
    }


def test_expensive_queries_within_budget(client, engine, seed_text):
    rows = []
    for label, params in adversarial_queries(seed_text).items():
        assert len(params["q"]) <= MAX_Q, label
        result, elapsed = get(client, "/api/search", label=label, engine=engine, **params)
        assert result.status_code == 200, (label, result.text[:300])
        rows.append((elapsed, label, result.json["total"]))
    print(f"\n[{engine}] expensive queries:")
    for elapsed, label, total in sorted(rows, reverse=True):
        print(f"  {elapsed * 1000:7.0f} ms  total={total:<5} {label}")
    assert all(elapsed < HARD_BOUND_S for elapsed, _, _ in rows), rows


def test_search_time_limit_bounds_a_query(settings, engine):
    """With a 0.1 s search time limit, the costliest legal query we found answers within 1 s."""
    client = TestClient(create_app(settings.replace(search_time_limit=0.1)))
    q = fill(['"التحالف الدولي"'] * 40)  # 29 copies of one required phrase, 492 characters
    result, elapsed = get(
        client, "/api/search", label="29 copies of one phrase (limit 0.1 s)", engine=engine, q=q
    )
    assert result.status_code == 200
    assert elapsed < 1.0, f"{elapsed:.2f} s"


# --- operators and wildcards are plain words -----------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "*",
        "?",
        "~",
        "title:*",
        "*:*",
        "-",
        "title:",
        '"',
        '""',
        '-"',
        'title:"',
        "(",
        ")",
        "AND OR NOT",
        "\\",
        "%",
        "ال*",
    ],
)
def test_operator_only_queries_are_plain_words(client, q):
    result, _ = get(client, "/api/search", q=q)
    assert result.status_code == 200, result.text[:300]
    assert result.json["query"] == q
    if q != "ال*":  # nothing searchable in these: no hits, never "every document"
        assert result.json["total"] == 0 and result.json["hits"] == []


@pytest.mark.parametrize(
    "odd, plain",
    [
        ("التحالف*", "التحالف"),
        ("*التحالف*", "التحالف"),
        ("التحالف?", "التحالف"),
        ("التحالف~2", "التحالف 2"),
        ("title:النفط*", "title:النفط"),
        ('"التحالف الدولي', "التحالف الدولي"),  # an unbalanced quote is not a phrase
        ('التحالف الدولي"', "التحالف الدولي"),
        ("\u202eسوريا\u202c", "سوريا"),  # RTL override
        ("\u202dسوريا\u202c", "سوريا"),  # LTR override
        ("\u2067سوريا\u2069 \u200fالنفط\u200e", "سوريا النفط"),  # isolates and marks
    ],
)
def test_odd_forms_read_as_the_plain_words(client, odd, plain):
    odd_result, _ = get(client, "/api/search", q=odd)
    plain_result, _ = get(client, "/api/search", q=plain)
    assert odd_result.status_code == plain_result.status_code == 200
    assert plain_result.json["total"] > 0
    assert odd_result.json["total"] == plain_result.json["total"]
    assert ids(odd_result) == ids(plain_result)
    page, _ = get(client, "/", q=odd)
    assert page.status_code == 200 and f'value="{escape(odd)}"' in page.text


# --- pagination ----------------------------------------------------------------------------


def test_deep_pages(client, engine):
    # page × per_page beyond MAX_RESULT_WINDOW (10,000) is refused before any search runs.
    for page, per_page in (("100000", None), ("1001", "10"), ("101", "100"), ("9" * 18, None)):
        params = {"page": page} | ({"per_page": per_page} if per_page else {})
        result, _ = get(client, "/api/search", q="سوريا", **params)
        assert_error(result, 400, "page_too_deep")
    # Exactly at the window: served (past the last hit, so empty), within the budget.
    for page, per_page in (("1000", "10"), ("100", "100")):
        result, elapsed = get(
            client,
            "/api/search",
            q="سوريا",
            page=page,
            per_page=per_page,
            label=f"page={page}&per_page={per_page}",
            engine=engine,
        )
        assert result.status_code == 200 and elapsed < BUDGET_S
        body = result.json
        assert body["page"] == int(page) and body["hits"] == []
        assert 0 < body["total"] < MAX_RESULT_WINDOW
    page, _ = get(client, "/", q="سوريا", page="100000")
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


@pytest.mark.parametrize(
    "name, value",
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", str(10**19)),
        ("page", "1e3"),
        ("page", "%D9%A3"),
        ("page", "%00"),
        ("per_page", "0"),
        ("per_page", "101"),
        ("per_page", "%D9%A1%D9%A0"),
        ("sort", "%ED%A0%80"),
        ("kind", "%00"),
        ("from", "2024-02-30"),
        ("to", "0000-01-01"),
    ],
)
def test_bad_parameters_are_400_json(client, name, value):
    result, _ = get(client, "/api/search", query_string=f"q=x&{name}={value}")
    assert_error(result, 400, "invalid_parameter")
    page, _ = get(client, "/", query_string=f"q=x&{name}={value}")
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


# --- odd bytes -----------------------------------------------------------------------------

ODD_QUERY_STRINGS = [
    "q=%00",
    "q=%D8%B3%00%D9%88",
    "q=%ED%A0%80",
    "q=%ED%B0%80%ED%A0%80",
    "q=%E0%A4",
    "q=%FF%FE",
    "q=%zz%",
    "q=%",
    "q=%%",
    "q=%D8",
    "q=%D8%B3%ff",
    "q=%u0633",
    "q=%2",
    "q=a&q=%00",
    "q=%D8%B3%C0%AF",
    "%00=%00",
    "q",
    "=&=&&",
    "q=%0D%0AX-Injected:%201",
]


@pytest.mark.parametrize("query_string", ODD_QUERY_STRINGS)
@pytest.mark.parametrize("path", ["/api/search", "/api/suggest", "/"])
def test_odd_bytes_in_the_query_string_are_handled(client, path, query_string):
    result, _ = get(client, path, query_string=query_string)
    assert result.status_code == 200, result.text[:300]
    assert "X-Injected" not in result.headers
    if path != "/":
        json.loads(result.text)


@pytest.mark.parametrize(
    "doc_id",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "../../meta.json",
        "..%2F..%2Fmeta.json",
        "%2E%2E%2F%2E%2E%2FCURRENT",
        "..%5C..%5Cmeta.json",
        "gen-000001%2Fmeta.json",
        "%2Fetc%2Fpasswd",
        "a%2Fb",
        "%00",
        "%ED%A0%80",
        "%FF",
        "..",
        ".",
        "",
        "gen-00000%00",
        "file:%2F%2F%2Fetc%2Fpasswd",
    ],
)
def test_document_ids_never_reach_files(client, doc_id):
    result, _ = get(client, "/api/documents/" + doc_id)
    assert_error(result, 404, "not_found")
    assert "root:" not in result.text and "schema_version" not in result.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2F..%2Fpyproject.toml",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%5C..%5Cpyproject.toml",
        "/static/app.js%00.css",
        "/static/%00",
        "/api/documents",
        "/api/search/",
        "/api//search",
        "/%ED%A0%80",
    ],
)
def test_path_tricks_are_404_json(client, path):
    result, _ = get(client, path)
    assert_error(result, 404, "not_found")
    assert "[project]" not in result.text and "import" not in result.text


def test_a_real_document_is_served(client):
    result, _ = get(client, "/api/documents/gen-00007")
    assert result.status_code == 200 and result.json["id"] == "gen-00007"


# --- markup in the index -------------------------------------------------------------------


def test_markup_in_a_title_is_escaped_in_html_and_verbatim_in_json(client):
    result, _ = get(client, "/api/search", q="ثغرة")
    assert result.status_code == 200
    [hit] = result.json["hits"]
    assert hit["id"] == XSS_ID and hit["title"] == XSS_TITLE  # plain JSON keeps it verbatim
    assert XSS_ESCAPED in hit["title_html"] and "<script" not in hit["title_html"]
    assert "<mark>ثغرة</mark>" in hit["title_html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit["snippet"] and "<img" not in hit["snippet"]

    document, _ = get(client, "/api/documents/" + quote(XSS_ID))
    assert document.json["title"] == XSS_TITLE and document.json["body"] == XSS_BODY

    page, _ = get(client, "/", q="ثغرة")
    assert page.status_code == 200 and XSS_ESCAPED in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "javascript:" not in page.text and "<b>مصدر</b>" not in page.text
    assert "&lt;b&gt;مصدر&lt;/b&gt;" in page.text
