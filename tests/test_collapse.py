"""One story once: the seed page's article as two sites ran it is one hit, on every engine,
through the search path and the JSON API; a different story on the same subject stays apart."""

import html
import re

import hypothesis
import pytest
from falcon.testing import TestClient
from hypothesis import given
from hypothesis import strategies as st

from indexer import schema
from indexer import signature
from indexer.engines.base import Filters
from indexer.engines.base import Hit
from indexer.engines.base import Results
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.read.collapse import THRESHOLD
from indexer.read.collapse import collapsed_page
from indexer.read.collapse import group
from indexer.read.query import parse_query
from indexer.read.ranking import engine_query
from indexer.signature import similarity
from indexer.signature import sketch
from indexer.write import pipeline
from indexer.write.ingest.seeds import parse_page
from indexer.write.reindex import reindex
from search_api.app import create_app
from tests.conftest import ENGINES
from tests.conftest import SEED_PAGE
from tests.test_engines import write_feed

SEED = next(
    d
    for d in parse_page(SEED_PAGE.read_text("utf-8").splitlines(), SEED_PAGE.name, "seed")
    if d.kind == "article"
)
PARAGRAPHS = SEED.body.split("\n\n")
# The agency copy: another title, a dateline, its last paragraph cut.
REPRINT_BODY = "دمشق - وكالات: " + "\n\n".join(PARAGRAPHS[:-1])
OTHER_STORY = (
    "قصفت طائرات التحالف الدولي مواقع لتنظيم داعش في ريف دير الزور الشرقي، وقال ناشطون إن "
    "مدنيين قتلوا في الغارات، بينما نفى التحالف في بيان استهداف أحياء سكنية وأكد أن "
    "عملياته تستهدف مقاتلي التنظيم وحدهم."
)
FEED = [
    {
        "id": "coalition-enab",
        "source": "enab",
        "url": "https://enab.example/coalition",
        "date": "2019-03-01",
        "title": SEED.title,
        "text": SEED.body,
    },
    {
        "id": "coalition-agency",
        "source": "zaman",
        "url": "https://zaman.example/1257",
        "date": "2019-03-01",
        "title": "التحالف يقر بمقتل أكثر من 1250 مدنياً بغاراته في سورية والعراق",
        "text": REPRINT_BODY,
    },
    {
        "id": "coalition-deir-ez-zor",
        "source": "enab",
        "date": "2019-03-05",
        "title": "غارات للتحالف على ريف دير الزور",
        "text": OTHER_STORY,
    },
]
QUERY = "التحالف الدولي المدنيين"


def signature_of(record: dict) -> frozenset[int]:
    return sketch(pipeline.document_streams(record["title"], record["text"])[schema.SIGNATURE])


def test_a_signature_is_the_smallest_hashes_of_the_shingles_one_by_one():
    words = pipeline.document_streams(SEED.title, SEED.body)["exact"].split()
    shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    hashes = sorted({signature._hash(s) for s in shingles})
    assert len(hashes) > signature.SKETCH_SIZE  # the sketch keeps only the smallest
    expected = " ".join(f"{h:08x}" for h in hashes[: signature.SKETCH_SIZE])
    assert signature.signature(" ".join(words)) == expected
    assert list(signature._hashes(sorted(shingles))) == [
        signature._hash(s) for s in sorted(shingles)
    ]


def test_the_reprint_is_near_the_original_and_the_other_story_far():
    original, reprint, other = (signature_of(r) for r in FEED)
    assert similarity(original, reprint) >= THRESHOLD
    assert similarity(original, other) < 0.2
    assert similarity(original, original) == 1.0
    assert group(
        [
            pipeline.document_streams(r["title"], r["text"])[schema.SIGNATURE]
            for r in (FEED[1], FEED[2], FEED[0])
        ]
    ) == [[0, 2], [1]]


def test_a_headline_too_short_to_compare_is_never_grouped():
    assert pipeline.document_streams("النفط", "")[schema.SIGNATURE] == ""
    assert group(["", ""]) == [[0], [1]]


@pytest.fixture(scope="module")
def build(tmp_path_factory, engine_settings):
    feed = write_feed(tmp_path_factory.mktemp("collapse-feed") / "feed.jsonl", FEED)
    built = {}

    def settings(engine: str):
        if engine not in built:
            built[engine] = engine_settings(engine, tmp_path_factory.mktemp(f"collapse-{engine}"))
            reindex(built[engine], [feed])
        return built[engine]

    return settings


@pytest.fixture(params=ENGINES)
def settings(request, build):
    return build(request.param)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_engine_reads_back_each_hits_signature(engine, engine_settings, tmp_path):
    short = {"id": "short", "date": "2019-03-02", "title": "التحالف", "text": "غارات"}
    settings = engine_settings(engine, tmp_path / "index")
    reindex(settings, [write_feed(tmp_path / "feed.jsonl", [*FEED, short])])
    reader = Searcher(settings).served().reader
    results = reader.search(
        engine_query(parse_query("التحالف")), Filters(), "relevance", 0, 10, 2.0
    )
    given = {
        r["id"]: pipeline.document_streams(r["title"], r["text"])[schema.SIGNATURE]
        for r in [*FEED, short]
    }
    assert given["short"] == "" and len(results.hits) == 4
    assert reader.signatures(results.hits) == [given[hit.id] for hit in results.hits]


def test_the_reprint_is_collapsed_under_the_best_ranked_copy(settings):
    response = Searcher(settings).search(SearchRequest(QUERY))
    first, second = response.hits
    assert {first["id"], first["also_in"][0]["id"]} == {"coalition-enab", "coalition-agency"}
    copy = next(r for r in FEED if r["id"] == first["also_in"][0]["id"])
    assert first["also_in"] == [
        {"id": copy["id"], "source": copy["source"], "url": copy["url"], "title": copy["title"]}
    ]
    assert (second["id"], second["also_in"]) == ("coalition-deir-ez-zor", [])
    assert response.total == 2  # each story once


def test_collapse_false_shows_every_copy(settings):
    response = Searcher(settings).search(SearchRequest(QUERY, collapse=False))
    assert sorted(h["id"] for h in response.hits) == sorted(r["id"] for r in FEED)
    assert response.total == 3 and all(h["also_in"] == [] for h in response.hits)


@pytest.mark.parametrize("window", [1, 2, 50])
def test_pages_neither_overlap_nor_skip(settings, window):
    searcher = Searcher(settings.replace(collapse_window=window))
    whole = searcher.search(SearchRequest(QUERY, per_page=10))
    paged = [
        h["id"]
        for page in (1, 2, 3)
        for h in searcher.search(SearchRequest(QUERY, page=page, per_page=1)).hits
    ]
    assert paged == [h["id"] for h in whole.hits]
    assert whole.total == len(paged) == (3 if window == 1 else 2)


@pytest.mark.parametrize(
    "value, collapsed", [("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_the_api_reads_collapse_as_a_boolean(build, value, collapsed):
    client = TestClient(create_app(build("whoosh")))
    hits = client.simulate_get("/api/search", params={"q": QUERY, "collapse": value}).json["hits"]
    assert len(hits) == (2 if collapsed else 3)
    posted = client.simulate_post("/api/search", json={"q": QUERY, "collapse": collapsed}).json[
        "hits"
    ]
    assert posted == hits


@pytest.mark.parametrize(
    "method, value", [("GET", "yes"), ("GET", "2"), ("POST", "true"), ("POST", 1)]
)
def test_the_api_refuses_another_collapse_value(build, method, value):
    client = TestClient(create_app(build("whoosh")))
    if method == "GET":
        result = client.simulate_get("/api/search", params={"q": QUERY, "collapse": value})
    else:
        result = client.simulate_post("/api/search", json={"q": QUERY, "collapse": value})
    assert result.status_code == 400
    assert result.json == {
        "error": {"code": "invalid_parameter", "message": "collapse must be true or false"}
    }


def test_the_page_names_the_other_sources_and_links_to_every_copy(build):
    client = TestClient(create_app(build("whoosh")))
    page = client.simulate_get("/", params={"q": QUERY}).text
    assert page.count('class="hit"') == 2 and "ورد أيضًا في:" in page
    copy = re.search(
        r'<p class="also-in">.*?<a href="([^"]+)"[^>]*><bdi>(\w+)</bdi></a>', page, re.S
    )
    assert (copy[1], copy[2]) in {
        ("https://zaman.example/1257", "zaman"),
        ("https://enab.example/coalition", "enab"),
    }
    every = re.search(r'<a class="show-all" href="([^"]+)">عرض كل النسخ</a>', page)[1]
    assert "collapse=false" in every
    expanded = client.simulate_get(html.unescape(every)).text
    assert expanded.count('class="hit"') == 3 and "ورد أيضًا في:" not in expanded
    back = re.search(r'<a href="([^"]+)">اجمع النسخ المتشابهة</a>', expanded)[1]
    assert client.simulate_get(html.unescape(back)).text.count('class="hit"') == 2


# The signatures of the feed's three stories (the first two one story, as above):
# a ranked list drawn from them has copies to group at any depth.
SIGNATURES = [pipeline.document_streams(r["title"], r["text"])[schema.SIGNATURE] for r in FEED]


@hypothesis.settings(max_examples=200, deadline=None)
@given(
    ranked=st.lists(st.sampled_from(SIGNATURES + [""]), max_size=40),
    window=st.integers(1, 12),
    per_page=st.integers(1, 5),
)
def test_collapsed_pages_cut_one_listing_and_the_first_takes_one_search(ranked, window, per_page):
    """Every page of ``collapsed_page`` is a slice of the same listing (the
    window's groups, then the results past it), whatever the window and page
    size; the first page is answered by one search."""
    hits = [
        Hit.of(1.0 / (rank + 1), {"id": str(rank), schema.SIGNATURE: s})
        for rank, s in enumerate(ranked)
    ]
    fetches = []

    def signatures(window: list[Hit]) -> list[str]:
        return [hit.stored[schema.SIGNATURE] for hit in window]

    def fetch(offset: int, limit: int) -> Results:
        fetches.append((offset, limit))
        return Results(len(hits), hits[offset : offset + limit])

    groups = group(ranked[:window])
    listing = [(str(g[0]), [str(i) for i in g[1:]]) for g in groups]
    listing += [(str(rank), []) for rank in range(window, len(hits))]
    paged = []
    for page in range(len(hits) // per_page + 2):
        fetches.clear()
        cut = collapsed_page(fetch, signatures, page * per_page, per_page, window)
        paged += [(h.id, [d.id for d in copies]) for h, copies in zip(cut.hits, cut.duplicates)]
        assert cut.total == len(listing)
        if page == 0:
            assert len(fetches) == 1
    assert paged == listing
