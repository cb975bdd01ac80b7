"""Two-stage ranking: the first stage ranks every match, the full clause set
re-scores its top k; past the window, first-stage order.  Real indexes of the
seed page and the feed of tests/test_engines.py, Whoosh and tantivy; the
OpenSearch request body (its ``rescore`` phase) is checked as built."""

import dataclasses

import pytest

from indexer.engines.base import Filters
from indexer.engines.opensearch_engine import search_body
from indexer.engines.opensearch_queries import Queries
from indexer.errors import ConfigError
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.read.query import parse_query
from indexer.read.ranking import FIRST_STAGE_FIELDS
from indexer.read.ranking import engine_query
from indexer.read.ranking import first_stage
from indexer.settings import Settings
from indexer.write.reindex import reindex
from tests.conftest import SEEDS
from tests.conftest import SEED_HEADLINES
from tests.conftest import write_feed
from tests.test_engines import ALL
from tests.test_engines import FEED

EMBEDDED = ["whoosh", "tantivy"]
# Headlines pasted whole, a reader's words, a phrase, an exclusion, title:.
QUERIES = SEED_HEADLINES + [
    "النفط السوري",
    "حقول النفط في سوريا",
    "استقالة الرئيس",
    "الحكومة",
    "حفل تكريم المعلمين",
    "مهرجان دمشق السينمائي",
    '"النفط السوري"',
    "النفط -السوري",
    "title:النفط سوريا",
    '"حقول النفط" الشرق',
]
FILTERS = [{}, {"source": "enab"}, {"kind": "article", "date_from": "2016-01-01"}]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """engine → Settings of its index of the seeds and the feed, built once."""
    feed = write_feed(tmp_path_factory.mktemp("feed") / "feed.jsonl", FEED)
    built = {}
    for engine in EMBEDDED:
        settings = Settings(index_dir=tmp_path_factory.mktemp(engine), engine=engine, cache_size=0)
        reindex(settings, [SEEDS, feed])
        built[engine] = settings
    return built


def searcher(settings: Settings, window: int | None = None) -> Searcher:
    if window is None:
        return Searcher(settings)
    return Searcher(settings.replace(ranking="two-stage", rerank_window=window))


def ranked(searcher: Searcher, q: str, **options) -> tuple[int, list[tuple[str, float]]]:
    found = searcher.search(SearchRequest(q, per_page=100, **options))
    return found.total, [(hit["id"], hit["score"]) for hit in found.hits]


def first_stage_order(settings: Settings, q: str, window: int, **filters) -> list[str]:
    """The first stage's ranking alone, asked of the engine directly (a phrase
    no document holds relaxed to its words, as Searcher relaxes it)."""
    searcher = Searcher(settings)
    reader = searcher.served().reader
    parsed = parse_query(q)
    synonyms = searcher.served().synonyms.expand(
        parsed.words
    )  # the default list's, as Searcher adds them
    for phrases in (True, False):
        full = engine_query(parsed, phrases=phrases, synonyms=synonyms)
        first = dataclasses.replace(first_stage(full, window), rescore=None)
        found = reader.search(first, Filters(**filters), "relevance", 0, 100, 2.0).hits
        if found:
            break
    return [h.id for h in found]


def test_the_settings_choose_the_ranking_and_its_window():
    assert (Settings().ranking, Settings().rerank_window) == ("single", 200)
    settings = Settings.from_env({"BAHTH_RANKING": "two-stage", "BAHTH_RERANK_WINDOW": "150"})
    assert (settings.ranking, settings.rerank_window) == ("two-stage", 150)
    assert Settings.from_env(settings.to_env()).rerank_window == 150  # as gunicorn's workers get it
    with pytest.raises(ConfigError, match="BAHTH_RANKING"):
        Settings.from_env({"BAHTH_RANKING": "rerank"})
    with pytest.raises(ConfigError, match="BAHTH_RERANK_WINDOW"):
        Settings.from_env({"BAHTH_RERANK_WINDOW": "0"})


@pytest.mark.parametrize("engine", EMBEDDED)
def test_a_window_wider_than_the_matches_ranks_as_the_full_query(index, engine):
    """Every first-stage match re-scored: the full query's hits and scores,
    less those only it matches (by a root)."""
    single, two = searcher(index[engine]), searcher(index[engine], window=100)
    for q in QUERIES:
        for filters in FILTERS:
            total, found = ranked(two, q, **filters)
            first = set(first_stage_order(index[engine], q, 100, **filters))
            _, expected = ranked(single, q, **filters)
            assert total == len(first), (q, filters)
            assert found == [(i, score) for i, score in expected if i in first], (q, filters)


@pytest.mark.parametrize("engine", EMBEDDED)
def test_past_the_window_the_first_stage_order_stands(index, engine):
    settings, window = index[engine], 3
    two, single = searcher(settings, window=window), searcher(settings)
    q = "مرتضى منصور يهاجم الإعلاميين المصريين بسبب موقفهم من القيادة السورية"
    first = first_stage_order(settings, q, window)
    assert len(first) > window + 1
    total, found = ranked(two, q)
    ids = [i for i, _ in found]
    assert total == len(first)
    # The window: the first stage's top 3, in the full query's order and scores.
    full = dict(ranked(single, q)[1])
    assert set(ids[:window]) == set(first[:window])
    assert [s for _, s in found[:window]] == sorted((full[i] for i in ids[:window]), reverse=True)
    assert all(full[i] == s for i, s in found[:window])
    # Then the rest in first-stage order, each scoring no more than the window's last.
    assert ids[window:] == first[window:]
    assert max(s for _, s in found[window:]) <= found[window - 1][1]
    # A page across the boundary is that list's slice.
    page = two.search(SearchRequest(q, page=2, per_page=2))
    assert [h["id"] for h in page.hits] == ids[2:4] and page.total == total


@pytest.mark.parametrize("engine", EMBEDDED)
def test_a_date_sort_lists_the_first_stage_matches_newest_first(index, engine):
    two = searcher(index[engine], window=2)
    total, found = ranked(two, "حقول النفط في سوريا", sort="date")
    assert total == len(first_stage_order(index[engine], "حقول النفط في سوريا", 2))
    assert all(score == 0 for _, score in found)
    dates = [two.document(i)["date"] for i, _ in found if two.document(i)["date"]]
    assert dates == sorted(dates, reverse=True) and dates
    assert ranked(two, ALL, sort="date") == ranked(searcher(index[engine]), ALL, sort="date")


@pytest.mark.parametrize("window", [1, 3, 100])
def test_both_embedded_engines_rank_alike_in_two_stages(index, window):
    whoosh, tantivy = (searcher(index[e], window=window) for e in EMBEDDED)
    for q in QUERIES:
        w_total, w_found = ranked(whoosh, q)
        t_total, t_found = ranked(tantivy, q)
        assert w_total == t_total and [i for i, _ in w_found] == [i for i, _ in t_found], q


def test_the_opensearch_request_rescores_the_window_with_the_full_query():
    full = engine_query(parse_query("وزير النفط السوري"))
    two = first_stage(full, 150)
    queries = Queries()
    body = search_body(queries, two, Filters(source="enab"), "relevance", 20, 10, 2.0)
    # The first stage: the stem clauses alone, the filter selecting.
    clauses = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert [next(iter(c["term"])) for c in clauses] == list(FIRST_STAGE_FIELDS) * 3
    assert body["query"]["bool"]["filter"] == [{"term": {"source": "enab"}}]
    # The second: every clause, its score alone (the first stage's × 0), over 150 a shard.
    assert body["rescore"] == {
        "window_size": 150,
        "query": {
            "rescore_query": queries.scoring(full),
            "query_weight": 0.0,
            "rescore_query_weight": 1.0,
            "score_mode": "total",
        },
    }
    assert len(body["rescore"]["query"]["rescore_query"]["bool"]["should"]) == 12
    assert (body["from"], body["size"]) == (20, 10)
    # OpenSearch refuses a rescore beside a sort; by date, nothing is scored anyway.
    assert "rescore" not in search_body(queries, two, Filters(), "date", 0, 10, 2.0)
    assert "rescore" not in search_body(queries, full, Filters(), "relevance", 0, 10, 2.0)
