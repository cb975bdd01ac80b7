"""Reindex analysis in worker processes: the same terms, in order, as analysing in-process."""

import json
import os
import signal
from collections import Counter

import pytest

from indexer import vocabulary
from indexer.document import Document
from indexer.errors import BadDocument
from indexer.errors import ReindexFailed
from indexer.vocabulary import count_forms
from indexer.vocabulary import table_counts
from indexer.write import pipeline
from indexer.write.ingest.seeds import parse_page
from indexer.write.ingest.sources import read_sources_unparsed
from tests.conftest import SEED_PAGE
from tests.test_reindex import bahth


def counted(forms: Counter):
    """An ``on_forms`` that sums the vocabulary tables it is given into ``forms``."""
    return lambda table: forms.update(table_counts(table))


@pytest.fixture(scope="module")
def records(seed_text):
    """The seed page's documents many times over (several batches), with bad records among them."""
    page = [
        d
        for d in parse_page(seed_text.splitlines(), SEED_PAGE.name, "seed")
        if isinstance(d, Document)
    ]
    count = pipeline.BATCH * 7 + 13  # more than the batches in flight, and a partial last one
    result = []
    for i in range(count):
        doc = page[i % len(page)]
        result.append(
            Document(f"{doc.id}-{i}", doc.kind, doc.title, doc.body, origin=(SEED_PAGE.name, i))
        )
        if i % 97 == 0:
            result.append(BadDocument("feed.jsonl", i, "missing title"))
    result.append(Document("marks-only", "headline", "، ؛ ...", origin=("feed.jsonl", 1)))
    return result


def test_workers_give_the_in_process_streams_in_order(records):
    forms = {1: Counter(), 2: Counter()}
    with pipeline.analysed(records, 1, counted(forms[1])) as pairs:
        alone = list(pairs)
    with pipeline.analysed(iter(records), 2, counted(forms[2])) as pairs:
        pooled = list(pairs)
    assert [r for r, _ in pooled] == records
    assert pooled == alone
    assert forms[1] == forms[2]
    assert forms[1]["الثوره", "الثورة"] > 0
    by_id = {r.id: s for r, s in pooled if isinstance(r, Document)}
    assert by_id[records[0].id] == pipeline.document_streams(records[0].title, records[0].body)
    assert by_id["marks-only"] is None
    assert all(s is None for r, s in pooled if isinstance(r, BadDocument))


@pytest.mark.parametrize("held", [vocabulary.CHUNKS_HELD, 40])
def test_the_vocabulary_counts_every_word_of_every_document(records, monkeypatch, held):
    # With few chunks held, each worker expands its counts many times over.
    monkeypatch.setattr(vocabulary, "CHUNKS_HELD", held)
    forms = Counter()
    with pipeline.analysed(iter(records), 2, counted(forms)) as pairs:
        list(pairs)
    documents = {r.id: r for r in records if isinstance(r, Document)}.values()
    assert forms == count_forms(part for d in documents for part in (d.title, d.body))


@pytest.mark.parametrize("processes", [1, 2])
def test_the_vocabulary_comes_on_leaving_so_a_commit_overlaps_its_counting(records, processes):
    forms = Counter()
    with pipeline.analysed(iter(records), processes, counted(forms)) as pairs:
        list(pairs)
        assert not forms  # the block's last work (the commit) runs while the workers count
    assert forms["الثوره", "الثورة"] > 0


@pytest.mark.parametrize("read", [1, -1])  # the first record; all but the last
@pytest.mark.parametrize("processes", [1, 2])
def test_leaving_before_the_last_record_is_refused_not_a_partial_vocabulary(
    records, processes, read
):
    forms = Counter()
    with pytest.raises(RuntimeError, match="before every record"):
        with pipeline.analysed(iter(records), processes, counted(forms)) as pairs:
            for _ in range(read % len(records)):
                next(pairs)
    assert not forms


def test_a_repeated_id_is_analysed_once():
    first = Document("h1", "headline", "استقالة مصطفى كواية")
    repeat = Document("h1", "headline", "استقالة مصطفى كواية")
    forms = Counter()
    with pipeline.analysed([first, repeat], 1, counted(forms)) as pairs:
        (_, streams), (_, again) = pairs
    assert streams["stem"] == "استقال مصطف كوا" and again is None
    assert forms == {("استقاله", "استقالة"): 1, ("مصطفي", "مصطفى"): 1, ("كوايه", "كواية"): 1}


def test_feed_lines_are_parsed_in_the_workers_and_a_repeat_counted_once(tmp_path):
    article = {"title": "استقالة مصطفى كواية", "text": "قُتل المدنيون في الغارات"}
    lines = [json.dumps({"id": f"a{i}", **article}, ensure_ascii=False) for i in range(600)]
    lines[pipeline.BATCH + 5] = lines[0]  # a repeat, in another worker's batch
    lines[7] = '{"id": "a7", "title": }'
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen = {}
    for processes in (1, 2):
        forms = Counter()
        with pipeline.analysed(read_sources_unparsed([feed]), processes, counted(forms)) as pairs:
            seen[processes] = [(str(r) if isinstance(r, BadDocument) else r, s) for r, s in pairs]
        # Every article once: neither the bad line nor the repeat is counted.
        assert forms["استقاله", "استقالة"] == len(lines) - 2
    assert seen[1] == seen[2]
    assert seen[2][7] == (f"{feed}:8: invalid JSON: Expecting value at column 23", None)
    first, repeat = seen[2][0], seen[2][pipeline.BATCH + 5]
    assert repeat[0] == first[0] and first[1]["stem"] and repeat[1] is None


def test_streams_follow_the_analysis():
    streams = pipeline.document_streams("استقالة مصطفى كواية", "قُتل المدنيون في الغارات")
    assert streams["stem"] == "استقال مصطف كوا قتل مدن غار"
    assert streams["exact"] == "استقاله مصطفي كوايه قتل المدنيون الغارات"
    assert streams["root"].split()[3:] == ["قتل", "دني", "غرا"]
    assert streams["title_stem"] == "استقال مصطف كوا"
    assert pipeline.document_streams("في من", "على") is None


def test_reindex_with_workers_serves_the_same_results(tmp_path):
    for workers in ("1", "2"):
        done = bahth("reindex", "--workers", workers, "--index", tmp_path / workers)
        assert done.returncode == 0, done.stderr
    one, two = (
        bahth("search", "--json", "--index", tmp_path / w, "الثورة السورية").stdout for w in "12"
    )
    assert one == two and '"total": 0' not in one


def test_reindex_rejects_zero_workers(tmp_path):
    done = bahth("reindex", "--workers", "0", "--index", tmp_path)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == ["bahth: reindex workers must be at least 1, not 0"]


def _dies_on_the_third_batch(original, death):
    seen = []

    def analyse_batch(texts, forms):
        seen.append(texts)  # each forked worker counts its own batches
        if len(seen) == 2:
            death()
        return original(texts, forms)

    return analyse_batch


@pytest.mark.parametrize("death", ["killed", "raises"])
def test_a_worker_that_dies_fails_the_reindex_instead_of_hanging_it(records, monkeypatch, death):
    def die():
        if death == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        raise MemoryError("analysis ran out of memory")

    # Workers are forked: they run the patched function.
    monkeypatch.setattr(
        pipeline, "_analyse_batch", _dies_on_the_third_batch(pipeline._analyse_batch, die)
    )
    with pytest.raises(ReindexFailed) as failed:
        with pipeline.analysed(iter(records), 2) as pairs:
            for _ in pairs:
                pass
    expected = (
        "died (exit code -9)" if death == "killed" else "MemoryError: analysis ran out of memory"
    )
    assert expected in failed.value.message


def test_the_workers_yield_the_cores_to_the_reindex_and_to_a_server(records, monkeypatch):
    expected = min(os.nice(0) + pipeline.WORKER_NICENESS, 19)
    original = pipeline._analyse_batch

    def analyse_batch(items, analyser):
        if os.nice(0) != expected:  # forked: a failure here fails the reindex
            raise RuntimeError(f"a worker runs at niceness {os.nice(0)}, not {expected}")
        return original(items, analyser)

    monkeypatch.setattr(pipeline, "_analyse_batch", analyse_batch)
    with pipeline.analysed(iter(records), 2) as pairs:
        assert len(list(pairs)) == len(records)
