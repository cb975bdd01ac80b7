"""Facet counts on every engine: real indexes of real Arabic articles built by
``reindex``, counted through ``Searcher`` (opensearch on the session's cluster)."""

import pytest

from indexer.engines.facet_counts import FACET_SIZE
from indexer.engines.facet_counts import top_values
from indexer.errors import BadQuery
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.settings import Settings
from indexer.write.reindex import reindex
from tests.conftest import ENGINES
from tests.test_engines import write_feed

ECONOMY, POLITICS = "اقتصاد", "سياسة"
ENAB, ZAMAN, SANA = "عنب بلدي", "زمان الوصل", "سانا"
FEED = [
    {
        "id": "oil-may",
        "date": "2024-05-02",
        "source": ENAB,
        "section": ECONOMY,
        "title": "ارتفاع أسعار النفط في الأسواق المحلية",
        "text": "ارتفعت أسعار النفط والمحروقات في دمشق للمرة الثانية هذا الشهر.",
    },
    {
        "id": "oil-may-late",
        "date": "2024-05-28",
        "source": ZAMAN,
        "section": ECONOMY,
        "title": "وزارة النفط تعلن خطة لزيادة الإنتاج",
        "text": "أعلنت وزارة النفط خطة لزيادة إنتاج الحقول الشرقية خلال عام.",
    },
    {
        "id": "oil-june",
        "date": "2024-06-10",
        "source": ENAB,
        "section": ECONOMY,
        "title": "تراجع إنتاج حقول النفط",
        "text": "تراجع إنتاج حقول النفط بسبب نقص قطع الغيار.",
    },
    {
        "id": "oil-old",
        "date": "2023-01-15",
        "source": SANA,
        "section": POLITICS,
        "title": "مباحثات حول عقود النفط",
        "text": "بحث وزير الخارجية مع نظيره عقود التنقيب عن النفط.",
    },
    {
        "id": "oil-undated",
        "date": "",
        "source": ENAB,
        "title": "نشرة أسعار النفط",
        "text": "تراجعت أسعار النفط في الأسواق العالمية هذا الأسبوع.",
    },
    {
        "id": "election",
        "date": "2024-05-02",
        "source": SANA,
        "section": POLITICS,
        "title": "انتخابات المجالس المحلية",
        "text": "بدأ التصويت في انتخابات المجالس المحلية صباح اليوم.",
    },
]


@pytest.fixture(scope="module")
def build(tmp_path_factory, engine_settings):
    feed = write_feed(tmp_path_factory.mktemp("facets-feed") / "feed.jsonl", FEED)
    built = {}

    def searcher(engine: str) -> Searcher:
        if engine not in built:
            settings = engine_settings(engine, tmp_path_factory.mktemp(f"facets-{engine}"))
            reindex(settings, [feed])
            built[engine] = Searcher(settings)
        return built[engine]

    return searcher


@pytest.fixture(params=ENGINES)
def searcher(request, build) -> Searcher:
    return build(request.param)


def facets(searcher: Searcher, q: str, names="source,section,date", **options) -> dict:
    return searcher.search(SearchRequest(q, facets=names, **options)).to_dict()["facets"]


def values(*pairs) -> list[dict]:
    return [{"value": value, "count": count} for value, count in pairs]


def dates(interval: str, *pairs) -> dict:
    return {"interval": interval, "buckets": [{"key": k, "count": n} for k, n in pairs]}


def test_counts_every_match_not_just_the_page(searcher):
    assert facets(searcher, "النفط", per_page=1) == {
        "source": values((ENAB, 3), (ZAMAN, 1), (SANA, 1)),  # ties by value: ز before س
        "section": values((ECONOMY, 3), (POLITICS, 1)),
        # 2023-01 to 2024-06: by month, the undated article in no bucket
        "date": dates("month", ("2023-01", 1), ("2024-05", 2), ("2024-06", 1)),
    }


def test_every_page_and_order_of_a_query_has_its_counts(searcher):
    first = facets(searcher, "النفط", "date,source", per_page=2)
    assert facets(searcher, "النفط", "source,date", per_page=2, page=2, sort="date") == first
    assert facets(searcher, "النفط", "source", section=POLITICS) == {"source": values((SANA, 1))}


def test_a_short_span_of_dates_is_counted_by_day(searcher):
    got = facets(searcher, "النفط", "date", date_from="2024-05-01")
    assert got == {"date": dates("day", ("2024-05-02", 1), ("2024-05-28", 1), ("2024-06-10", 1))}


def test_facets_follow_the_filters(searcher):
    got = facets(searcher, "النفط", "source,section", section=ECONOMY, source=ENAB)
    assert got == {"source": values((ENAB, 2)), "section": values((ECONOMY, 2))}


def test_section_filter_selects_hits(searcher):
    hits = searcher.search(SearchRequest("النفط", section=POLITICS)).hits
    assert [hit["id"] for hit in hits] == ["oil-old"]


def test_excluded_words_leave_their_documents_out_of_the_counts(searcher):
    got = facets(searcher, "النفط -أسعار", "source")
    assert got == {"source": values((ZAMAN, 1), (SANA, 1), (ENAB, 1))}


def test_a_relaxed_phrase_counts_the_matches_of_its_words(searcher):
    response = searcher.search(SearchRequest('"النفط الانتخابات"', facets="section"))
    assert response.phrases_relaxed
    assert response.to_dict()["facets"] == {"section": values((ECONOMY, 3), (POLITICS, 2))}


def test_no_match_and_no_query_count_nothing(searcher):
    empty = {"source": [], "date": dates("month")}
    assert facets(searcher, "زززز", "date,source") == empty
    assert facets(searcher, "", "date,source") == empty


def test_facets_only_when_asked(searcher):
    assert "facets" not in searcher.search(SearchRequest("النفط")).to_dict()
    # the cached reply of one request is not another's
    assert list(facets(searcher, "النفط", "section")) == ["section"]


@pytest.mark.parametrize("names", ["author", "source,", "source, date", "SOURCE", "source\n"])
def test_unknown_facet_is_refused(names):
    with pytest.raises(BadQuery) as refused:
        SearchRequest("النفط", facets=names).validate(Settings())
    assert (refused.value.code, refused.value.parameter) == ("invalid_parameter", "facets")


def test_top_values_keeps_the_commonest_ties_by_value():
    counts = [(f"مصدر {n:02d}", 1) for n in range(30)] + [("وكالة", 5), ("", 9)]
    top = top_values(counts)
    assert len(top) == FACET_SIZE
    assert top[:2] == [("وكالة", 5), ("مصدر 00", 1)]
