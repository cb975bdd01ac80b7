"""Every engine, one behaviour: real indexes built by ``reindex`` from the seed
page and a small feed of real Arabic sentences, searched through ``Searcher``
(opensearch on the session's real 3-node cluster)."""

import time

import pytest

from indexer import schema
from indexer.engines import get_engine
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import PhraseClause
from indexer.engines.base import TermClause
from indexer.errors import DocumentNotFound
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.read.query import parse_query
from indexer.read.ranking import engine_query
from indexer.settings import Settings
from indexer.synonyms import Synonyms
from indexer.synonyms import parse as parse_synonyms
from indexer.write.ingest.seeds import headline_id
from indexer.write.reindex import reindex
from tests.conftest import ENGINES
from tests.conftest import SEEDS
from tests.conftest import searchers
from tests.conftest import write_feed

ARTICLE = "000_49235c3dde4d8611"  # the seed page's article
ARTICLE_TITLE = "التحالف الدولي يعترف بقتله 1257 مدنياً عن طريق الخطأ في سورية والعراق"
RESIGNATION = headline_id("استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا")
OIL_MINISTER = headline_id(
    "وزير النفط السوري: سنبدأ التنقيب عن النفط والغاز في مناطق جديدة خلال أقل من شهر"
)
OIL_FIELDS = headline_id("حقول النفط السورية.. تراجع كارثي وأمل في الإحياء")
ROME_MEETING = headline_id("اجتماع أوروبي أميركي في روما حول الوضع في سوريا")
WASHINGTON_AID = headline_id("واشنطن تخطط لتخفيف القيود على المساعدات الإنسانية إلى سوريا")
SEED_DOCUMENTS = 16  # 15 headlines and the article

# Deliberately not in date order, so a date sort cannot pass by insertion order.
FEED = [
    {
        "id": "feed-cabinet",
        "date": "2020-02-14",
        "source": "zaman",
        "title": "الحكومةُ تعقدُ جلستَها الأسبوعيّة",
        "text": "ناقش مجلس الوزراء ملفات عدة بينها طلب استقالة قدمه أحد المديرين، وأرجأ البت فيه.",
    },
    {
        "id": "feed-oil",
        "date": "2015-07-21",
        "source": "enab",
        "title": "جولة ميدانية في حقول الشرق",
        "text": "زار الوفد الحكومي حقول النفط ومحطات الضخ المتوقفة منذ سنوات في سوريا.",
    },
    {
        "id": "feed-teachers-indefinite",
        "date": "2019-05-20",
        "source": "enab",
        "title": "حفل تكريم سنوي",
        "text": "كرمت الوزارة معلمين متقاعدين في حفل سنوي بالعاصمة.",
    },
    {
        "id": "feed-economy",
        "date": "2016-03-05",
        "source": "zaman",
        "title": "قراءة في المشهد الاقتصادي",
        "text": "يرى الخبراء أن الاقتصاد السوري النفط عماده الأول منذ عقود.",
    },
    {
        "id": "feed-prices",
        "date": "",
        "source": "enab",
        "title": "نشرة أسعار النفط",
        "text": "تراجعت أسعار النفط في الأسواق العالمية هذا الأسبوع.",
    },
    {
        "id": "feed-festival",
        "date": "2017-11-02T18:30:00Z",
        "source": "enab",
        "title": "<script>alert(1)</script> مهرجان دمشق السينمائي يعود",
        "text": "عاد مهرجان دمشق السينمائي بعد انقطاع طويل بمشاركة واسعة من صناع الأفلام.",
    },
    {
        "id": "feed-teachers-definite",
        "date": "2018-01-10",
        "source": "zaman",
        "title": "حفل تكريم رسمي",
        "text": "كرمت الوزارة المعلمين المتقاعدين في حفل رسمي بالعاصمة.",
    },
]
DATED_NEWEST_FIRST = [
    "feed-cabinet",
    "feed-teachers-indefinite",
    "feed-teachers-definite",
    "feed-festival",
    "feed-economy",
    "feed-oil",
]
ALL = "-زززز"  # excludes a word no document has: every document


@pytest.fixture(scope="module")
def build(tmp_path_factory, engine_settings):
    """An engine's index of the seeds and the feed, built once per module."""
    feed = write_feed(tmp_path_factory.mktemp("feed") / "feed.jsonl", FEED)

    def check(summary):
        assert (summary.kinds["article"], summary.kinds["headline"]) == (1 + len(FEED), 15)

    return searchers(tmp_path_factory, engine_settings, [SEEDS, feed], check)


@pytest.fixture(params=ENGINES)
def searcher(request, build) -> Searcher:
    return build(request.param)


def ids(searcher: Searcher, q: str, **options) -> list[str]:
    return [hit["id"] for hit in searcher.search(SearchRequest(q, **options)).hits]


def total(searcher: Searcher, q: str, **options) -> int:
    return searcher.search(SearchRequest(q, **options)).total


def test_count(searcher):
    assert searcher.health()["documents"] == SEED_DOCUMENTS + len(FEED)
    assert total(searcher, ALL, per_page=100) == SEED_DOCUMENTS + len(FEED)


def test_headline_ranks_first_for_its_word(searcher):
    # the cabinet article mentions a resignation in its body, the headline is about one
    assert ids(searcher, "استقاله") == [RESIGNATION, "feed-cabinet"]


@pytest.mark.parametrize("q", ["مدنيين", "المدنيون", "مَدَنِيًّا", "١٢٥٧"])
def test_inflections_diacritics_and_digits_find_the_article(searcher, q):
    assert ids(searcher, q) == [ARTICLE]


def test_boilerplate_is_not_indexed(searcher):
    assert total(searcher, "بريدك الإلكتروني") == 0


def test_guillemets_quote_text_and_make_no_phrase(searcher):
    assert set(ids(searcher, "«السوري النفط»")) == set(ids(searcher, "النفط السوري"))


def test_phrase_needs_the_words_in_order(searcher):
    assert ids(searcher, '"النفط السوري"') == [OIL_MINISTER]
    assert ids(searcher, '"السوري النفط"') == ["feed-economy"]
    # the same words unquoted match either order, and more
    assert {OIL_MINISTER, "feed-economy"} < set(ids(searcher, "النفط السوري"))


def test_excluded_word(searcher):
    with_oil = {OIL_MINISTER, OIL_FIELDS, "feed-oil", "feed-economy", "feed-prices"}
    assert set(ids(searcher, "النفط")) == with_oil
    # -السوري drops the documents with the stem سور (السورية is another stem)
    assert set(ids(searcher, "النفط -السوري")) == {OIL_FIELDS, "feed-oil", "feed-prices"}
    assert total(searcher, "النفط -السوري") == 3


def test_excluded_only_returns_every_other_document(searcher):
    assert set(ids(searcher, "-النفط", per_page=100)) == (
        set(ids(searcher, ALL, per_page=100)) - set(ids(searcher, "النفط"))
    )
    assert total(searcher, "-النفط") == SEED_DOCUMENTS + len(FEED) - 5


def test_title_restriction(searcher):
    assert set(ids(searcher, "title:النفط")) == {OIL_MINISTER, OIL_FIELDS, "feed-prices"}
    assert "feed-oil" in ids(searcher, "النفط")  # in its body only


def test_kind_filter(searcher):
    # feed-festival is in دمشق, Syria's capital by the default synonyms: found, ranked last
    assert set(ids(searcher, "سوريا")) == {
        ROME_MEETING,
        WASHINGTON_AID,
        "feed-oil",
        "feed-festival",
    }
    assert set(ids(searcher, "سوريا", kind="headline")) == {ROME_MEETING, WASHINGTON_AID}
    assert ids(searcher, "سوريا", kind="article") == ["feed-oil", "feed-festival"]


def test_source_filter(searcher):
    assert set(ids(searcher, ALL, source="zaman")) == {
        "feed-cabinet",
        "feed-economy",
        "feed-teachers-definite",
    }
    assert set(ids(searcher, "النفط", source="enab")) == {"feed-oil", "feed-prices"}
    assert total(searcher, "النفط", source="nowhere") == 0


def test_date_filter_is_inclusive_and_skips_undated(searcher):
    assert set(ids(searcher, ALL, date_from="2016-03-05", date_to="2018-01-10")) == {
        "feed-economy",
        "feed-festival",
        "feed-teachers-definite",
    }
    assert set(ids(searcher, ALL, date_from="2019-05-20")) == {
        "feed-cabinet",
        "feed-teachers-indefinite",
    }
    assert ids(searcher, ALL, date_to="2015-07-21") == ["feed-oil"]
    assert set(ids(searcher, "النفط", date_to="2016-12-31")) == {"feed-oil", "feed-economy"}


def test_date_sort_newest_first_undated_last(searcher):
    found = ids(searcher, ALL, sort="date", per_page=100)
    assert found[: len(DATED_NEWEST_FIRST)] == DATED_NEWEST_FIRST
    assert len(found) == SEED_DOCUMENTS + len(FEED)
    assert "feed-prices" in found[len(DATED_NEWEST_FIRST) :]
    oil = ids(searcher, "النفط", sort="date")
    assert oil[:2] == ["feed-economy", "feed-oil"]
    assert set(oil[2:]) == {OIL_MINISTER, OIL_FIELDS, "feed-prices"}


def test_pages_are_disjoint_and_make_up_the_top(searcher):
    q = "النفط السوري الثورة"
    top = ids(searcher, q, per_page=6)
    assert len(top) == 6 and total(searcher, q) > 6
    pages = [ids(searcher, q, page=p, per_page=2) for p in (1, 2, 3)]
    assert all(len(page) == 2 for page in pages)
    assert pages[0] + pages[1] + pages[2] == top
    assert total(searcher, q, page=3, per_page=2) == total(searcher, q)


def test_exact_form_outranks_another_inflection(searcher):
    # two documents alike but for the form of one word (same stem, same root);
    # others match the root علم only, and rank below both
    definite, indefinite = "feed-teachers-definite", "feed-teachers-indefinite"
    assert ids(searcher, "المعلمين")[:2] == [definite, indefinite]
    assert ids(searcher, "معلمين")[:2] == [indefinite, definite]


def test_a_question_with_a_word_no_document_holds_still_finds_its_answer(searcher):
    # question words are stop words; أستراليا is in no document: the rest still ranks the article first
    question = "كم مدنيا اعترف التحالف الدولي بقتلهم عن طريق الخطأ في أستراليا؟"
    assert total(searcher, "أستراليا") == 0
    assert ids(searcher, question)[0] == ARTICLE


def test_get_returns_the_stored_text(searcher):
    doc = searcher.document(ARTICLE)
    assert doc["title"] == ARTICLE_TITLE and doc["kind"] == "article"
    assert doc["body"].startswith("اعترف التحالف الدولي الذي تقوده الولايات المتحدة")
    cabinet = searcher.document("feed-cabinet")
    assert cabinet["title"] == "الحكومةُ تعقدُ جلستَها الأسبوعيّة"
    assert (cabinet["date"], cabinet["source"], cabinet["url"]) == ("2020-02-14", "zaman", None)
    assert searcher.document("feed-festival")["date"] == "2017-11-02"
    with pytest.raises(DocumentNotFound):
        searcher.document("feed-missing")


def test_markup_is_stored_as_text_and_escaped_in_results(searcher):
    assert searcher.document("feed-festival")["title"].startswith("<script>alert(1)</script>")
    [hit] = searcher.search(SearchRequest("مهرجان")).hits
    assert hit["id"] == "feed-festival" and hit["title"].startswith("<script>")
    assert "<script>" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]


def test_query_syntax_never_reaches_an_engine_parser(searcher):
    # characters that are operators in tantivy's and whoosh's query languages
    assert ids(searcher, 'النفط AND (OR* "') == ids(searcher, "النفط AND OR")
    assert ids(searcher, "title:") == []


@pytest.fixture
def scores(searcher):
    """Scores by id of an engine query, straight from the engine's reader."""
    generation = searcher.served().generation
    reader = get_engine(generation.meta["engine"], searcher.settings).reader(generation.engine_dir)

    def search(query: EngineQuery, filters: Filters | None = None) -> dict[str, float]:
        results = reader.search(query, filters or Filters(), "relevance", 0, 100, 2.0)
        assert results.total == len(results.hits)
        return {hit.id: hit.score for hit in results.hits}

    yield search
    reader.close()


OIL = TermClause(schema.STEM, "نفط")
OIL_EXACT = TermClause(schema.EXACT, "النفط")
OIL_TITLE = TermClause(schema.TITLE, "نفط")


def test_clause_scores_add_up_as_in_whoosh(scores):
    oil, oil_exact = scores(EngineQuery(should=(OIL,))), scores(EngineQuery(should=(OIL_EXACT,)))
    assert set(oil) == {OIL_MINISTER, OIL_FIELDS, "feed-oil", "feed-economy", "feed-prices"}
    assert all(score > 0 for score in oil.values())
    # a boost multiplies; should clauses add
    half = scores(EngineQuery(should=(TermClause(schema.STEM, "نفط", 0.5),)))
    assert half == pytest.approx({k: v / 2 for k, v in oil.items()})
    assert scores(EngineQuery(should=(OIL, OIL_EXACT))) == pytest.approx(
        {k: oil[k] + oil_exact.get(k, 0.0) for k in oil}
    )
    # a required term adds its score to the should clauses'
    title = scores(EngineQuery(should=(OIL_TITLE,)))
    assert scores(EngineQuery(should=(OIL,), must=(OIL_TITLE,))) == pytest.approx(
        {k: title[k] + oil[k] for k in title}
    )
    # a required phrase scores as its words do in the phrase (stem) field
    phrase = ("نفط", "سور")  # النفط السوري / النفط السورية
    words = [scores(EngineQuery(should=(TermClause(schema.PHRASE_FIELD, w),))) for w in phrase]
    found = scores(EngineQuery(must=(PhraseClause(schema.PHRASE_FIELD, phrase),)))
    assert found == pytest.approx({k: words[0][k] + words[1][k] for k in found})
    assert OIL_MINISTER in found
    # an exclusion removes, never rescales
    economy = TermClause(schema.EXACT, "الاقتصاد")
    assert scores(EngineQuery(should=(OIL,), must_not=(economy,))) == pytest.approx(
        {k: v for k, v in oil.items() if k != "feed-economy"}
    )


def test_an_optional_phrase_scores_its_words_times_its_boost_where_they_stand(scores):
    # a synonym of several words: an optional phrase at a lower weight
    phrase = ("نفط", "سور")
    words = [scores(EngineQuery(should=(TermClause(schema.PHRASE_FIELD, w),))) for w in phrase]
    required = scores(EngineQuery(must=(PhraseClause(schema.PHRASE_FIELD, phrase),)))
    optional = scores(EngineQuery(should=(PhraseClause(schema.PHRASE_FIELD, phrase, 0.3),)))
    assert optional == pytest.approx({k: 0.3 * (words[0][k] + words[1][k]) for k in required})
    oil = scores(EngineQuery(should=(OIL,)))
    both = scores(EngineQuery(should=(OIL, PhraseClause(schema.PHRASE_FIELD, phrase, 0.3))))
    assert both == pytest.approx({k: oil[k] + optional.get(k, 0.0) for k in oil})


def test_filters_select_without_scoring(scores):
    oil = scores(EngineQuery(should=(OIL,)))
    assert scores(EngineQuery(should=(OIL,)), Filters(source="enab")) == pytest.approx(
        {k: oil[k] for k in ("feed-oil", "feed-prices")}
    )
    assert scores(EngineQuery(should=(OIL,)), Filters(kind="headline", date_to="2020-01-01")) == {}
    assert scores(EngineQuery(should=(OIL,)), Filters(date_from="2016-03-05")) == pytest.approx(
        {"feed-economy": oil["feed-economy"]}
    )


@pytest.mark.parametrize(
    "q",
    [
        "النفط السوري",
        "حقول النفط",
        "الثورة",
        "السجون الأسد",
        "الوزارة المعلمين",
    ],
)
@pytest.mark.parametrize("engine", ENGINES[1:])
def test_engines_rank_alike(build, q, engine):
    whoosh, other = build("whoosh"), build(engine)
    top = ids(whoosh, q)[:3]
    assert len(top) == 3
    assert ids(other, q)[:3] == top
    assert total(other, q) == total(whoosh, q)


@pytest.mark.parametrize(
    "q", ["النفط السوري", "استقالة الرئيس", ARTICLE_TITLE, "الوزارة تكرم المعلمين"]
)
def test_embedded_engines_score_alike(build, q):
    """Whoosh rounds field lengths as tantivy (and Lucene) do: the same scores, not only the same order."""
    whoosh, tantivy = (
        build(engine).search(SearchRequest(q, per_page=50)).hits for engine in ("whoosh", "tantivy")
    )
    assert len(whoosh) > 1
    assert {h["id"]: h["score"] for h in whoosh} == pytest.approx(
        {h["id"]: h["score"] for h in tantivy}, rel=1e-4
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_incremental_add_update_delete(tmp_path, engine, engine_settings):
    settings = engine_settings(engine, tmp_path / "index")
    first = [
        {
            "id": "a",
            "date": "2015-07-21",
            "source": "enab",
            "title": "افتتاح معرض الكتاب",
            "text": "افتتح معرض الكتاب أبوابه للزوار بمشاركة مئات دور النشر.",
        },
        {
            "id": "b",
            "date": "2016-01-02",
            "source": "enab",
            "title": "انقطاع الكهرباء في حلب",
            "text": "عانت أحياء حلب من انقطاع الكهرباء ساعات طويلة.",
        },
        {
            "id": "c",
            "date": "2017-03-04",
            "source": "zaman",
            "title": "موسم حصاد القمح",
            "text": "بدأ المزارعون حصاد القمح في سهول حوران.",
        },
    ]
    reindex(settings, [write_feed(tmp_path / "first.jsonl", first)])
    searcher = Searcher(settings)
    assert ids(searcher, "الكهرباء") == ["b"]
    assert searcher.health()["generation"] == 1

    second = [
        {
            "id": "b",
            "date": "2016-01-03",
            "source": "enab",
            "title": "عودة الكهرباء إلى حلب",
            "text": "عادت الكهرباء إلى أحياء حلب بعد إصلاح المحطة.",
        },
        {
            "id": "d",
            "date": "2018-05-06",
            "source": "zaman",
            "title": "تساقط الثلوج في دمشق",
            "text": "شهدت دمشق تساقط الثلوج للمرة الأولى منذ سنوات.",
        },
    ]
    summary = reindex(
        settings,
        [write_feed(tmp_path / "second.jsonl", second)],
        incremental=True,
        delete_ids=["c"],
    )
    assert (summary.kinds["article"], summary.deleted, summary.total) == (2, 1, 3)
    assert searcher.health() == searcher.health() | {"generation": 2, "documents": 3}
    assert ids(searcher, "الكهرباء") == ["b"]  # replaced, not duplicated
    assert ids(searcher, "انقطاع") == []  # the old text is gone
    assert ids(searcher, "عوده") == ["b"]
    assert searcher.document("b")["title"] == "عودة الكهرباء إلى حلب"
    assert searcher.document("b")["date"] == "2016-01-03"
    assert ids(searcher, "القمح") == []
    with pytest.raises(DocumentNotFound):
        searcher.document("c")
    assert ids(searcher, "الكتاب") == ["a"]  # untouched
    assert ids(searcher, "الثلوج") == ["d"]
    assert ids(searcher, ALL, sort="date") == ["d", "b", "a"]
    assert ids(searcher, ALL, source="zaman") == ["d"]


def test_whoosh_ranks_a_plain_query_term_at_a_time_as_its_matchers_do(tmp_path):
    """Whoosh's fast path for OR queries gives the hits, scores, order and
    totals of its matcher path, across segments and deleted documents."""
    settings = Settings(index_dir=tmp_path / "index", engine="whoosh")
    reindex(settings, [SEEDS, write_feed(tmp_path / "feed.jsonl", FEED)])
    changed = [
        dict(FEED[1], text="عاد الوفد من حقول النفط في سوريا بعد جولة ميدانية."),
        {
            "id": "feed-new",
            "date": "2021-01-01",
            "source": "zaman",
            "title": "النفط السوري",
            "text": "ارتفع إنتاج النفط السوري في الحقول الشرقية.",
        },
    ]
    reindex(
        settings,
        [write_feed(tmp_path / "changed.jsonl", changed)],
        incremental=True,
        delete_ids=["feed-prices"],
    )
    generation = Searcher(settings).served().generation
    reader = get_engine("whoosh", settings).reader(generation.engine_dir)
    assert not reader._searcher.is_atomic()  # segments, and deleted documents in them
    reader._scored.kept_from = 1  # every term's scores kept, however few its postings
    # synonyms add optional phrases (of several words) and terms
    synonyms = Synonyms(parse_synonyms("دمشق, النفط السوري\nالحكومة, مجلس الوزراء, الوزارة"))
    for q in (
        "النفط السوري",
        "حقول النفط في سوريا",
        "استقالة الرئيس",
        "الحكومة تعقد جلستها",
        "مهرجان دمشق السينمائي",
        ARTICLE_TITLE,
    ):
        parsed = parse_query(q)
        query = engine_query(parsed, synonyms=synonyms.expand(parsed.words))
        for filters in (
            Filters(),
            Filters(source="enab"),
            Filters(kind="article", date_from="2016-01-01"),
        ):
            for depth in (10, 5):
                fast_total, fast, _ = reader._rank_terms(
                    query.should, filters, depth, time.perf_counter() + 2.0
                )
                slow_total, slow, _ = reader._rank_collected(
                    query, filters, "relevance", depth, 2.0
                )
                assert fast_total == slow_total
                assert [docnum for docnum, _ in fast] == [docnum for docnum, _ in slow]
                assert [score for _, score in fast] == pytest.approx([score for _, score in slow])
                # again, from the scores the reader kept of every term and phrase
                again = reader._rank_terms(query.should, filters, depth, time.perf_counter() + 2.0)
                assert again[:2] == (fast_total, fast)
    assert "feed-prices" not in {
        h.id
        for h in reader.search(
            engine_query(parse_query("أسعار النفط")), Filters(), "relevance", 0, 50, 2.0
        ).hits
    }
    reader.close()


@pytest.mark.parametrize("q", ["title:النفط سوريا", '"حقول النفط" الشرق', "النفط السوري"])
def test_a_filter_never_changes_a_score(searcher, q):
    unfiltered = {h["id"]: h["score"] for h in searcher.search(SearchRequest(q, per_page=100)).hits}
    filtered = searcher.search(SearchRequest(q, per_page=100, source="enab")).hits
    assert filtered and all(h["score"] == unfiltered[h["id"]] for h in filtered)
