"""Query-time synonyms: the file format, the expansions, and every engine ranking
exact matches above synonym matches (real indexes built by ``reindex``, each
with a synonyms file of its own, in one ranking and in two stages)."""

import pytest

from indexer.analysis import analyse
from indexer.errors import ConfigError
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.synonyms import DEFAULT
from indexer.synonyms import Synonyms
from indexer.synonyms import parse
from indexer.write.reindex import reindex
from tests.conftest import ENGINES
from tests.test_engines import write_feed

SYNONYMS = """\
# metonyms, multi-word entries, one one-way rule
الولايات المتحدة, أمريكا, واشنطن
الأمم المتحدة, المنظمة الدولية
تنظيم الدولة => داعش
"""
FEED = [
    {
        "id": "says-washington",
        "title": "واشنطن تفرض عقوبات جديدة على شركات الشحن",
        "text": "أعلنت واشنطن فرض عقوبات جديدة على شركات الشحن البحري.",
    },
    {
        "id": "says-united-states",
        "title": "عقوبات جديدة على شركات الطيران",
        "text": "أعلنت الولايات المتحدة فرض عقوبات جديدة على شركات الطيران.",
    },
    {
        "id": "says-un",
        "title": "قرار جديد بشأن اللاجئين",
        "text": "أصدرت الأمم المتحدة قرارا جديدا بشأن اللاجئين في المخيمات.",
    },
    {
        "id": "words-apart",
        "title": "قمة الأمم الأفريقية",
        "text": "اجتمعت الأمم الأفريقية في جبهة متحدة لبحث ملف اللاجئين.",
    },
    {
        "id": "says-daesh",
        "title": "هجوم في البادية",
        "text": "تبنى داعش هجوما على نقطة عسكرية في البادية.",
    },
]
RANKINGS = ["single", "two-stage"]


def expanded(synonyms: Synonyms, query: str) -> list[str]:
    return [e.target.text for e in synonyms.expand(tuple(analyse(query)))]


def test_equivalences_expand_each_way_and_rules_one_way():
    synonyms = Synonyms(parse(SYNONYMS))
    assert expanded(synonyms, "عقوبات واشنطن") == ["الولايات المتحدة", "أمريكا"]
    assert expanded(synonyms, "هجمات تنظيم الدولة") == ["داعش"]
    assert expanded(synonyms, "هجمات داعش") == []


def test_entries_match_every_spelling_and_clitic_the_analysis_folds():
    synonyms = Synonyms(parse(SYNONYMS))
    assert (
        expanded(synonyms, "امريكا")
        == expanded(synonyms, "أمريكا")
        == ["الولايات المتحدة", "واشنطن"]
    )
    assert expanded(synonyms, "قرار للأمم المتحدة") == ["المنظمة الدولية"]
    assert expanded(synonyms, "الأمم الأفريقية المتحدة") == []  # words apart are not the entry


def test_a_query_holding_two_equivalents_adds_only_the_third():
    synonyms = Synonyms(parse(SYNONYMS))
    assert expanded(synonyms, "أمريكا وواشنطن") == ["الولايات المتحدة"]


def test_a_target_holding_another_or_its_source_adds_nothing():
    synonyms = Synonyms(parse("داعش, تنظيم الدولة, تنظيم الدولة الإسلامية"))
    assert expanded(synonyms, "هجمات داعش") == ["تنظيم الدولة"]
    assert expanded(synonyms, "تنظيم الدولة") == ["داعش"]


def test_a_bad_line_is_named():
    with pytest.raises(ConfigError, match="news.txt:2:"):
        parse("أمريكا, واشنطن\nداعش => => تنظيم الدولة", "news.txt")
    with pytest.raises(ConfigError, match=":1:"):
        parse(", => داعش")


def test_the_default_list_loads_and_an_empty_file_turns_synonyms_off(tmp_path):
    news = Synonyms.load(DEFAULT)
    assert "تنظيم الدولة" in expanded(news, "داعش")
    assert "موسكو" in expanded(news, "روسيا")
    assert expanded(news, "الإدارة الأميركية") == ["أمريكي"]  # and the plural, the other way
    assert expanded(news, "الأمريكيين") == ["أميركي"]
    empty = tmp_path / "none.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    assert not Synonyms.load(empty)
    assert expanded(Synonyms.load(empty), "داعش") == []


@pytest.fixture(scope="module")
def build(tmp_path_factory, engine_settings):
    """An engine's index of FEED with SYNONYMS, built once per module."""
    folder = tmp_path_factory.mktemp("synonyms")
    feed = write_feed(folder / "feed.jsonl", FEED)
    (folder / "synonyms.txt").write_text(SYNONYMS, encoding="utf-8")
    built = {}

    def settings(engine: str):
        if engine not in built:
            made = engine_settings(
                engine,
                tmp_path_factory.mktemp(engine),
                synonyms=folder / "synonyms.txt",
                cache_size=0,
            )
            reindex(made, [feed])
            built[engine] = made
        return built[engine]

    return settings


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(params=RANKINGS)
def ranking(request) -> str:
    return request.param


@pytest.fixture
def searcher(build, engine, ranking) -> Searcher:
    return Searcher(build(engine).replace(ranking=ranking))


def search(searcher: Searcher, q: str):
    return searcher.search(SearchRequest(q))


def ids(searcher: Searcher, q: str) -> list[str]:
    return [hit["id"] for hit in search(searcher, q).hits]


def test_a_synonym_finds_a_multi_word_equivalent_ranked_below_the_exact_word(searcher):
    assert ids(searcher, "واشنطن") == ["says-washington", "says-united-states"]
    assert search(searcher, "واشنطن").synonyms == ["الولايات المتحدة", "أمريكا"]


def test_a_multi_word_synonym_is_a_phrase(searcher):
    # "الأمم ... متحدة" apart is not the UN
    assert ids(searcher, "المنظمة الدولية") == ["says-un"]


def test_exact_words_outrank_the_synonym_the_other_way_too(searcher):
    # the UN's المتحدة matches as a plain word, below both
    assert ids(searcher, "عقوبات الولايات المتحدة")[:2] == ["says-united-states", "says-washington"]


def test_a_one_way_rule(searcher):
    assert ids(searcher, "تنظيم الدولة") == ["says-daesh"]
    assert search(searcher, "داعش").synonyms == []


def test_synonyms_are_highlighted(searcher):
    hit = search(searcher, "واشنطن").hits[1]
    assert "<mark>الولايات</mark> <mark>المتحدة</mark>" in hit["snippet"]


def test_synonyms_change_with_the_index_they_were_reindexed_with(tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", FEED)
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text(SYNONYMS, encoding="utf-8")
    from indexer.settings import Settings

    settings = Settings(index_dir=tmp_path / "index", synonyms=synonyms, cache_size=0)
    reindex(settings, [feed])
    searcher = Searcher(settings)
    assert ids(searcher, "واشنطن") == ["says-washington", "says-united-states"]
    synonyms.write_text("", encoding="utf-8")  # edited: served as reindexed until the next reindex
    assert ids(searcher, "واشنطن") == ["says-washington", "says-united-states"]
    reindex(settings, [feed])
    assert ids(searcher, "واشنطن") == ["says-washington"]
    assert search(searcher, "واشنطن").synonyms == []
    synonyms.write_text("أمريكا, واشنطن\nداعش => => تنظيم\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="synonyms.txt:2:"):
        reindex(settings, [feed])
    assert searcher.served().generation.number == 2  # nothing was changed
