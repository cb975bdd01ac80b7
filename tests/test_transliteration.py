"""Queries typed in Latin letters: Arabizi and Buckwalter spellings of words of the
seed page and the news corpus, read back alone (``indexer.read.transliterate``) and
searched on every engine through the JSON API and the page."""

import json

import pytest
from falcon.testing import TestClient

from bench.datasets import NEWS
from bench.transliteration import build_vocabulary
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.read.transliterate import BUCKWALTER
from indexer.read.transliterate import buckwalter
from indexer.read.transliterate import candidates
from indexer.read.transliterate import transliterate
from indexer.settings import Settings
from indexer.write.reindex import reindex
from search_api.app import create_app
from tests.conftest import ENGINES
from tests.conftest import SEEDS

ARTICLE_ID = "000_49235c3dde4d8611"  # the seed page's article: المدنيين, التحالف, سورية
# Three articles naming a club in Latin letters: "roma" finds them as typed.
FEED = [
    {"id": f"roma-{n}", "title": title, "text": "تقرير رياضي من العاصمة الإيطالية."}
    for n, title in enumerate(["فوز كبير لنادي Roma", "مدرب Roma يتحدث", "جماهير Roma تحتفل"])
]


@pytest.fixture(scope="module")
def vocabulary(tmp_path_factory):
    """The seed page's display vocabulary, as a reindex writes it."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("seed-vocabulary"))
    reindex(settings, [SEEDS])
    return Searcher(settings).served().vocabulary


# --- reading back -------------------------------------------------------------------------


def test_buckwalter_is_read_letter_for_letter():
    assert buckwalter("Alt~HAluf") == "التّحالُف"
    assert buckwalter("<irAn") == "إِران"
    assert buckwalter("mdnyyn") == "مدنيين" and buckwalter("3arabi") is None
    assert len(set(BUCKWALTER.values())) == len(BUCKWALTER)  # one to one: it reads back exactly


@pytest.mark.parametrize(
    "typed, arabic",
    [
        ("madaniyeen", "مدنيين"),  # the index holds only المدنيين
        ("el-naft", "النفط"),
        ("alnaft", "النفط"),
        ("esti2ala", "استقالة"),
        ("7oqool", "حقول"),
        ("at-ta7aluf", "التحالف"),  # the article said as it is before a sun letter
        ("ettahaluf", "التحالف"),
        ("al-assad", "الأسد"),
        ("washinton", "واشنطن"),
        ("rousia", "روسيا"),
        ("dar3a", "درعا"),
        ("el-sijoun", "السجون"),
        ("ta2theer", "تأثير"),
        ("el-ma3loumat", "المعلومات"),
        ("gharat", "غارات"),
        # Buckwalter
        ("mdnyyn", "مدنيين"),
        ("AlnfT", "النفط"),
        ("Hmlp", "حملة"),
        ("swryp", "سورية"),
    ],
)
def test_a_seed_word_typed_in_latin_letters_is_read_back(vocabulary, typed, arabic):
    assert transliterate(typed, vocabulary) == arabic


def test_the_query_language_is_kept_around_the_words(vocabulary):
    typed = '"el tahaluf el dawli" -rousia title:naft 1257 fi souria'
    assert transliterate(typed, vocabulary) == '"التحالف الدولي" -روسيا title:نفط 1257 في سورية'


def test_letters_of_no_indexed_word_are_not_read(vocabulary):
    assert transliterate("xyzzy qwxz", vocabulary) is None
    # A letter alone is no word: x would be خ, < إ (in Buckwalter).
    assert transliterate('"><img src=x onerror=alert(1)>', vocabulary) is None
    assert candidates("gz~p", vocabulary) == []  # غزة: a word of no seed


def test_a_query_of_endless_vowels_is_read_only_as_far_as_its_lookups_go(vocabulary):
    vowels = " ".join("aeiouaeiouaeiouaeiouaeiouaei" + letter for letter in "abcdefghijklmnop")
    read = transliterate(f"madaniyeen {vowels} el-naft", vocabulary)
    assert read.startswith("مدنيين aeiou") and read.endswith(" el-naft")  # LOOKUPS spent
    assert transliterate("el-naft", vocabulary) == "النفط"


@pytest.mark.corpus
@pytest.mark.skipif(not NEWS.exists(), reason="the news corpus is not beside the project")
def test_news_words_typed_as_people_chat_are_read_back(tmp_path):
    news, _ = build_vocabulary(NEWS, tmp_path)
    for typed, arabic in [
        ("ghaza", "غزة"),
        ("gz~p", "غزة"),
        ("3arabi", "عربي"),
        ("alsa3oudiya", "السعودية"),
        ("erriyad", "الرياض"),
        ("mostashfa", "مستشفى"),
        ("7ukoomah", "حكومة"),
        ("iran", "إيران"),
        ("amrika", "أمريكا"),
        ("khaled", "خالد"),
        ("dimashq", "دمشق"),
    ]:
        assert transliterate(typed, news) == arabic, typed
    assert "صحافه" in candidates("sa7afa", news)[:3]  # after صحفي, which it may mean


# --- searching ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def settings(request, engine_settings, tmp_path_factory):
    """An index of the seeds and FEED on each engine."""
    folder = tmp_path_factory.mktemp(f"translit-{request.param}")
    feed = folder / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FEED), encoding="utf-8"
    )
    settings = engine_settings(request.param, folder / "index")
    reindex(settings, [SEEDS, feed])
    return settings


@pytest.fixture(scope="module")
def client(settings):
    return TestClient(create_app(settings))


def search(client, **params) -> dict:
    result = client.simulate_get("/api/search", params=params)
    assert result.status_code == 200, result.text
    return result.json


def test_a_latin_query_that_finds_nothing_is_searched_in_arabic(client):
    body = search(client, q="madaniyeen")
    assert (body["query"], body["transliterated"], body["suggestion"]) == (
        "madaniyeen",
        "مدنيين",
        None,
    )
    assert [hit["id"] for hit in body["hits"]] == [ARTICLE_ID]
    assert "<mark>المدنيين</mark>" in body["hits"][0]["snippet"]


def test_a_buckwalter_phrase_is_searched_in_arabic(client):
    body = search(client, q='"Alt~HAluf Aldwly"')
    assert body["transliterated"] == '"التحالف الدولي"' and body["total"] == 1


def test_off_searches_as_typed(client):
    body = search(client, q="madaniyeen", transliterate="off")
    assert (body["total"], body["transliterated"]) == (0, None)


def test_a_latin_query_that_finds_enough_as_typed_is_left_alone(client, settings):
    assert (
        transliterate("roma", Searcher(settings).served().vocabulary) == "روما"
    )  # the seed's headline
    body = search(client, q="roma", collapse="false")  # three copies of one headline
    assert body["transliterated"] is None
    assert sorted(hit["id"] for hit in body["hits"]) == ["roma-0", "roma-1", "roma-2"]


def test_an_arabic_query_is_never_transliterated(client):
    body = search(client, q="اسقالة")
    assert (body["total"], body["suggestion"], body["transliterated"]) == (0, "استقالة", None)


def test_the_same_search_is_answered_from_the_cache_alike(settings):
    searcher = Searcher(settings)
    first = searcher.search(SearchRequest("7oqool el-naft"))
    again = searcher.search(SearchRequest("7oqool el-naft"))
    assert first.transliterated == again.transliterated == "حقول النفط"
    assert first.hits == again.hits and first.total == again.total >= 2


def test_an_unknown_transliterate_value_is_refused(client):
    result = client.simulate_get("/api/search", params={"q": "ghaza", "transliterate": "yes"})
    assert result.status_code == 400
    assert result.json["error"] == {
        "code": "invalid_parameter",
        "message": "transliterate must be one of: auto, off",
    }


def test_the_page_says_what_it_searched_and_links_to_the_query_as_typed(client):
    html = client.simulate_get("/", params={"q": "madaniyeen", "kind": "article"}).text
    as_typed = "/?q=madaniyeen&amp;kind=article&amp;transliterate=off"
    assert (
        '<p class="transliterated">نتائج البحث عن «<strong><bdi>مدنيين</bdi></strong>». '
        f'<a href="{as_typed}">ابحث عن «<bdi>madaniyeen</bdi>» كما كُتب</a></p>'
    ) in html
    assert "<mark>المدنيين</mark>" in html
    typed = client.simulate_get(as_typed.replace("&amp;", "&")).text
    assert (
        'class="transliterated"' not in typed
        and "لا توجد نتائج لـ «<bdi>madaniyeen</bdi>»" in typed
    )
    assert 'class="transliterated"' not in client.simulate_get("/", params={"q": "مدنيين"}).text


def test_the_page_escapes_what_it_searched(client):
    html = client.simulate_get("/", params={"q": '"el-naft"'}).text
    assert "<bdi>&#34;النفط&#34;</bdi>" in html and "<bdi>&#34;el-naft&#34;</bdi>" in html
