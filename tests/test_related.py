"""Related articles on every engine: a stored article's, and a draft's, over a real index of the
seed page and a feed of Arabic news on four subjects (opensearch on the session's cluster)."""

import pytest
from falcon.testing import TestClient

from indexer import schema
from indexer.analysis import Term
from indexer.errors import DocumentNotFound
from indexer.read import RelatedRequest
from indexer.read import Searcher
from indexer.read.related import MAX_TEXT_CHARS
from indexer.read.related import distinctive
from search_api.app import create_app
from tests.conftest import ENGINES
from tests.conftest import SEEDS
from tests.conftest import searchers
from tests.conftest import write_feed

QUAKE_AID = "https://news.example/2024/quake-aid"  # a feed's link as id: it holds "/"
FEED = [
    {
        "id": "fair-open",
        "title": "افتتاح معرض دمشق الدولي للكتاب",
        "text": "افتتح معرض دمشق الدولي للكتاب دورته الجديدة بمشاركة مئتي دار نشر عربية وأجنبية، "
        "وتضم أجنحة المعرض آلاف العناوين في الأدب والتاريخ وكتب الأطفال.",
    },
    {
        "id": "fair-close",
        "title": "معرض دمشق للكتاب يختتم دورته",
        "text": "اختتم معرض دمشق الدولي للكتاب دورته بعد عشرة أيام زاره خلالها أكثر من خمسين ألف "
        "زائر، وقالت دور النشر إن مبيعات كتب الأطفال والروايات ارتفعت.",
    },
    {
        "id": "oil-prices",
        "title": "أسعار النفط ترتفع بعد قرار أوبك",
        "text": "ارتفعت أسعار النفط في الأسواق العالمية بعد قرار منظمة أوبك خفض الإنتاج، وبلغ سعر "
        "برميل خام برنت ثمانين دولارًا.",
    },
    {
        "id": "oil-opec",
        "title": "أوبك تخفض إنتاج النفط",
        "text": "قررت منظمة أوبك وحلفاؤها خفض إنتاج النفط مليون برميل يوميًا لدعم الأسعار، وتوقع "
        "محللون أن يرتفع سعر خام برنت.",
    },
    {
        "id": "quake",
        "title": "زلزال يضرب شمال سوريا",
        "text": "ضرب زلزال بقوة ست درجات شمال سوريا فجر اليوم، وانهارت مبانٍ سكنية في حلب وإدلب، "
        "وتعمل فرق الدفاع المدني على انتشال العالقين تحت الأنقاض.",
        "url": "https://news.example/2024/quake",
    },
    {
        "id": QUAKE_AID,
        "title": "وصول مساعدات إلى منكوبي الزلزال",
        "text": "وصلت قوافل المساعدات الإنسانية إلى المناطق المنكوبة بالزلزال في حلب وإدلب، وتضم "
        "خيامًا وأغذية وأدوية للعائلات التي فقدت منازلها تحت الأنقاض.",
    },
    {
        "id": "football",
        "title": "المنتخب يتأهل إلى نهائي كأس آسيا",
        "text": "تأهل المنتخب الوطني لكرة القدم إلى المباراة النهائية في كأس آسيا بعد فوزه بهدفين "
        "مقابل هدف.",
    },
]
ARTICLES = {record["id"] for record in FEED} | {"000_49235c3dde4d8611"}  # and the seed article
DRAFT = "توقعات بارتفاع أسعار النفط بعد اجتماع منظمة أوبك المقبل وخفض الإنتاج"


@pytest.fixture(scope="module")
def build(tmp_path_factory, engine_settings):
    """An engine's index of the seeds and the feed, built once per module."""
    feed = write_feed(tmp_path_factory.mktemp("feed") / "feed.jsonl", FEED)
    return searchers(tmp_path_factory, engine_settings, [SEEDS, feed])


@pytest.fixture(params=ENGINES)
def searcher(request, build) -> Searcher:
    return build(request.param)


@pytest.fixture(params=ENGINES)
def client(request, build) -> TestClient:
    searcher = build(request.param)
    return TestClient(create_app(searcher.settings, searcher))


def related(searcher: Searcher, **request) -> list[str]:
    return [hit["id"] for hit in searcher.related(RelatedRequest(**request)).hits]


@pytest.mark.parametrize(
    "article, closest",
    [
        ("fair-open", "fair-close"),
        ("fair-close", "fair-open"),
        ("oil-prices", "oil-opec"),
        ("oil-opec", "oil-prices"),
        ("quake", QUAKE_AID),
        (QUAKE_AID, "quake"),
    ],
)
def test_the_closest_article_is_the_other_of_its_subject(searcher, article, closest):
    found = related(searcher, id=article)
    assert found[0] == closest
    assert article not in found


def test_only_articles_are_related_never_headlines(searcher):
    # the seed headlines hold النفط and سوريا too
    found = set(related(searcher, id="oil-prices", limit=50)) | set(related(searcher, id="quake"))
    assert found and found <= ARTICLES


def test_an_article_sharing_no_distinctive_word_is_not_related(searcher):
    assert "football" not in related(searcher, id="fair-open", limit=50)


def test_a_draft_finds_the_articles_of_its_subject(searcher):
    assert set(related(searcher, text=DRAFT)[:2]) == {"oil-prices", "oil-opec"}


def test_half_of_an_article_finds_the_article_first(searcher):
    text = FEED[1]["text"]
    assert related(searcher, text=text[: len(text) // 2])[0] == "fair-close"


def test_limit(searcher):
    assert related(searcher, id="quake", limit=1) == [QUAKE_AID]


def test_a_text_of_stop_words_or_unknown_words_relates_to_nothing(searcher):
    assert related(searcher, text="في من إلى على") == []
    assert related(searcher, text="ززززز ققققق") == []


def test_the_response_names_the_article_and_marks_the_shared_words(searcher):
    response = searcher.related(RelatedRequest(id="quake", limit=1)).to_dict()
    assert (response["id"], response["title"]) == ("quake", "زلزال يضرب شمال سوريا")
    assert response["url"] == "https://news.example/2024/quake"
    hit = response["hits"][0]
    assert hit["title_html"] == "وصول مساعدات إلى منكوبي <mark>الزلزال</mark>"
    assert "<mark>حلب</mark>" in hit["snippet"] and "<mark>الأنقاض</mark>" in hit["snippet"]


def test_document_frequencies_of_the_stem_field(searcher):
    reader = searcher.served().reader
    frequencies = reader.doc_frequencies(schema.STEM, ["برنت", "زلزال", "ززززز"])
    assert frequencies == {"برنت": 2, "زلزال": 2, "ززززز": 0}


def test_an_unknown_document_is_not_found(searcher):
    with pytest.raises(DocumentNotFound):
        searcher.related(RelatedRequest(id="no-such-article"))


def test_a_stem_no_other_document_holds_cannot_relate_an_indexed_one():
    terms = [
        Term("دمشق", "دمشق", "دمشق"),
        Term("المعرض", "معرض", "عرض"),
        Term("المعرض", "معرض", "عرض"),
    ]
    frequencies = {"دمشق": 1, "معرض": 2}
    assert [t.stem for t, _ in distinctive(terms, frequencies, 10, 25, indexed=True)] == ["معرض"]
    # a draft is no document: a stem one article holds finds that one
    weighted = distinctive(terms, frequencies, 10, 25, indexed=False)
    assert [t.stem for t, _ in weighted] == ["معرض", "دمشق"]  # twice at idf 1.48 beats once at 1.99
    assert [t.stem for t, _ in distinctive(terms, frequencies, 10, 1, indexed=False)] == ["معرض"]


# --- the JSON API and the page ------------------------------------------------------------------


def test_get_related_of_a_document(client):
    result = client.simulate_get("/api/documents/oil-opec/related", params={"limit": "2"})
    assert result.status_code == 200
    assert [hit["id"] for hit in result.json["hits"]][0] == "oil-prices"
    assert len(result.json["hits"]) <= 2 and result.json["title"] == "أوبك تخفض إنتاج النفط"


def test_an_id_holding_slashes_is_read_whole(client):
    assert client.simulate_get(f"/api/documents/{QUAKE_AID}").json["id"] == QUAKE_AID
    result = client.simulate_get(f"/api/documents/{QUAKE_AID}/related")
    assert result.json["id"] == QUAKE_AID and result.json["hits"][0]["id"] == "quake"


def test_post_related_of_a_draft(client):
    result = client.simulate_post("/api/related", json={"text": DRAFT, "limit": 2})
    assert result.status_code == 200
    assert result.json["id"] is None and result.json["title"] is None
    assert {hit["id"] for hit in result.json["hits"]} == {"oil-prices", "oil-opec"}


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        ("/api/documents/no-such-article/related", None, 404, "not_found"),
        ("/api/documents/quake/related?limit=0", None, 400, "invalid_parameter"),
        ("/api/documents/quake/related?limit=51", None, 400, "invalid_parameter"),
        ("/api/related", {"text": ""}, 400, "invalid_parameter"),
        ("/api/related", {"text": " \n\t "}, 400, "invalid_parameter"),
        ("/api/related", {"limit": 3}, 400, "invalid_parameter"),
        ("/api/related", {"text": "النفط", "q": "النفط"}, 400, "invalid_parameter"),
        ("/api/related", {"text": "ن" * (MAX_TEXT_CHARS + 1)}, 400, "text_too_long"),
        ("/api/related", ["النفط"], 400, "invalid_body"),
    ],
)
def test_errors_are_json_with_a_stable_code(client, path, body, status, code):
    if body is None:
        result = client.simulate_get(path)
    else:
        result = client.simulate_post(path, json=body)
    assert result.status_code == status
    assert result.json["error"]["code"] == code


def test_a_text_of_the_longest_allowed_is_answered(client):
    text = ("وصلت قوافل المساعدات إلى حلب " * 1000)[:MAX_TEXT_CHARS]
    result = client.simulate_post("/api/related", json={"text": text})
    assert result.status_code == 200 and result.json["hits"][0]["id"] == QUAKE_AID


def test_each_hit_of_the_search_page_links_to_its_related_articles(client):
    page = client.simulate_get("/", params={"q": "زلزال"}).text
    assert 'href="/related?id=quake">مقالات ذات صلة</a>' in page
    assert 'href="/related?id=https%3A%2F%2Fnews.example%2F2024%2Fquake-aid"' in page
    # the link is a plain one: it works without JavaScript
    related_page = client.simulate_get("/related", params={"id": "quake"})
    assert related_page.status_code == 200
    assert related_page.headers["content-type"].startswith("text/html")
    assert "مقالات ذات صلة بـ" in related_page.text
    assert (
        '<a href="https://news.example/2024/quake">زلزال يضرب شمال سوريا</a>' in related_page.text
    )
    assert "وصول مساعدات إلى منكوبي" in related_page.text


def test_the_related_page_of_an_unknown_document_is_an_arabic_404(client):
    result = client.simulate_get("/related", params={"id": "no-such-article"})
    assert result.status_code == 404 and "الصفحة المطلوبة غير موجودة" in result.text
    assert client.simulate_get("/related").status_code == 400


def test_the_embedded_engines_rank_and_score_alike(build):
    for request in (RelatedRequest(id="fair-open"), RelatedRequest(text=DRAFT)):
        whoosh, tantivy = (build(engine).related(request).hits for engine in ("whoosh", "tantivy"))
        assert [(h["id"], h["score"]) for h in whoosh] == [(h["id"], h["score"]) for h in tantivy]
        assert len(whoosh) > 2
