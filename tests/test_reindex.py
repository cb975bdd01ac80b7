"""The operator's commands: reindex and search, exit codes, and nothing lost on failure."""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from indexer.catalog import Catalog
from indexer.cli import main
from indexer.settings import Settings
from indexer.write.reindex import HOLD_ENV
from tests.conftest import PROJECT
from tests.conftest import SEEDS

pytestmark = pytest.mark.cli

RESIGNATION = "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا"


def bahth(*args, env=None):
    """Run the real command in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "indexer", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@contextmanager
def held_reindex(index, *args, sigint=signal.SIG_DFL, **popen):
    """A real ``bahth reindex`` child, held at its first record (lock taken, workers
    running) until ``release()`` or the end of the block, when it goes on.

    ``sigint``: the SIGINT disposition it starts with (a background job's is SIG_IGN).
    """
    fifo = index.parent / f"hold-{index.name}"
    os.mkfifo(fifo)
    child = subprocess.Popen(
        [sys.executable, "-m", "indexer", "reindex", "--index", str(index), *map(str, args)],
        cwd=PROJECT,
        env={**os.environ, HOLD_ENV: str(fifo)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
        **popen,
    )
    holding = _open_when_waiting(fifo, child)
    child.release = lambda: os.close(holding) if holding is not None else None
    try:
        yield child
    finally:
        try:
            child.release()
        except OSError:  # released already
            pass
        child.wait(120)
        fifo.unlink()


def _open_when_waiting(fifo, child, limit=120):
    """The FIFO's writing end, once the child is waiting on its reading end."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        if child.poll() is not None:
            pytest.fail(f"the reindex exited ({child.returncode}) before its first record")
        time.sleep(0.01)
    child.kill()
    pytest.fail(f"the reindex did not reach its first record in {limit} s")


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("index")
    result = bahth("reindex", "--index", index)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 16 documents (1 article, 15 headlines)")
    return index


def search_json(index, query):
    result = bahth("search", "--json", "--index", index, query)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_search_json_puts_the_headline_first(seed_index):
    data = search_json(seed_index, "استقاله")
    assert data["query"] == "استقاله"
    assert data["hits"][0]["title"] == RESIGNATION
    assert data["hits"][0]["kind"] == "headline"
    assert set(data["hits"][0]) == {"id", "kind", "title", "score", "date", "url", "source"}


@pytest.mark.parametrize("query", ["مدنيين", "المدنيون", "مَدَنِيًّا", "١٢٥٧", "1257"])
def test_spelling_variants_find_the_article(seed_index, query):
    data = search_json(seed_index, query)
    assert data["hits"][0]["id"] == "000_49235c3dde4d8611"


def test_boilerplate_finds_nothing(seed_index):
    assert search_json(seed_index, "بريدك الإلكتروني")["total"] == 0


def test_env_var_names_the_index(seed_index):
    result = bahth("search", "--json", "استقاله", env={"BAHTH_INDEX_DIR": str(seed_index)})
    assert json.loads(result.stdout)["hits"][0]["title"] == RESIGNATION


def test_usage_errors_exit_2():
    assert bahth("reindex", "--no-such-flag").returncode == 2
    assert bahth("search").returncode == 2
    assert bahth("reindex", "--delete", "x").returncode == 2  # --delete needs --incremental


def test_search_without_an_index_says_to_reindex(tmp_path):
    result = bahth("search", "--index", tmp_path / "none", "سوريا")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("run `bahth reindex` to build one")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_failed_reindex_leaves_the_serving_index_untouched(tmp_path):
    index = tmp_path / "index"
    assert main(["reindex", "--index", str(index)]) == 0
    before = Catalog(index).current_name()
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "نص سليم"}\n{"id": "b", "text": 7}\n', encoding="utf-8")
    result = bahth("reindex", "--index", index, feed)
    assert result.returncode == 1
    assert result.stderr.strip() == f"bahth: {feed}:2: 'text' must be a string, not int"
    assert Catalog(index).current_name() == before
    assert Catalog(index).generations() == [before]  # the unfinished build was removed
    assert search_json(index, "استقاله")["hits"][0]["title"] == RESIGNATION


def test_skip_bad_indexes_the_rest(tmp_path):
    index = tmp_path / "index"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"id": "a", "text": "أمطار غزيرة على الرياض"}\n{bad\n'
        '{"id": "a", "text": "تكرار المعرف"}\n{"id": "c", "text": "ـــ ً ٌ ؟!"}\n',
        encoding="utf-8",
    )
    result = bahth("reindex", "--index", index, "--skip-bad", feed)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 1 document (1 article), deleted 0, skipped 3 bad")
    assert f"{feed}:3: duplicate id 'a' (first at {feed}:1)" in result.stderr
    assert f"{feed}:4: no searchable text" in result.stderr
    assert [h["id"] for h in search_json(index, "الرياض")["hits"]] == ["a"]


def test_incremental_adds_updates_and_deletes(tmp_path):
    index = tmp_path / "index"
    assert main(["reindex", "--index", str(index)]) == 0
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"id": "n1", "title": "أمطار غزيرة", "text": "هطلت أمطار غزيرة على الرياض"}\n',
        encoding="utf-8",
    )
    assert main(["reindex", "--index", str(index), "--incremental", str(feed)]) == 0
    assert search_json(index, "أمطار")["hits"][0]["id"] == "n1"
    feed.write_text(
        '{"id": "n1", "title": "رياح قوية", "text": "هبت رياح قوية على جدة"}\n', encoding="utf-8"
    )
    assert main(["reindex", "--index", str(index), "--incremental", str(feed)]) == 0
    assert search_json(index, "أمطار")["total"] == 0
    assert search_json(index, "رياح")["hits"][0]["title"] == "رياح قوية"
    headline = search_json(index, "استقاله")["hits"][0]["id"]
    assert main(["reindex", "--index", str(index), "--incremental", "--delete", headline]) == 0
    assert headline not in [h["id"] for h in search_json(index, "استقاله")["hits"]]
    assert search_json(index, "رياح")["total"] == 1
    assert len(Catalog(index).generations()) == 2  # older generations are cleaned up


def test_a_second_reindex_is_refused_while_one_runs(tmp_path):
    index = tmp_path / "index"
    with held_reindex(index, stdout=subprocess.DEVNULL) as first:
        second = bahth("reindex", "--index", index)
        assert second.returncode == 1
        assert second.stderr == (
            f"bahth: another reindex (pid {first.pid}) is running on {index}; nothing was changed\n"
        )
        assert Catalog(index).current_name() is None
    assert first.returncode == 0
    assert Catalog(index).current_name() == "gen-000001"


def test_a_killed_reindex_frees_its_lock(tmp_path):
    index = tmp_path / "index"
    with held_reindex(index) as killed:
        killed.kill()
        killed.wait()
    after = bahth("reindex", "--index", index)
    assert after.returncode == 0, after.stderr
    assert after.stderr == (
        f"bahth: the reindex before (pid {killed.pid}) was killed; "
        "its unfinished build is removed\n"
    )
    assert Catalog(index).generations() == ["gen-000001"]  # the killed build, removed, and anew
    assert search_json(index, "استقاله")["hits"][0]["title"] == RESIGNATION


def test_search_counts_its_results_in_english(seed_index):
    one = bahth("search", "--index", seed_index, "الصنمين")
    assert one.stdout.splitlines()[0] == "1 result for 'الصنمين'"
    many = bahth("search", "--index", seed_index, "النفط")
    assert many.stdout.splitlines()[0].endswith(" results for 'النفط'")
    none = bahth("search", "--index", seed_index, "بريدك الإلكتروني")
    assert none.stdout == "0 results for 'بريدك الإلكتروني'\n"
    latin = bahth("search", "--index", seed_index, "madaniyeen")
    assert latin.stdout.splitlines()[0] == "1 result for 'madaniyeen' (searched as 'مدنيين')"


def test_an_index_of_another_schema_version_is_refused(tmp_path):
    index = tmp_path / "index"
    assert main(["reindex", "--index", str(index)]) == 0
    meta_path = Catalog(index).current().path / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "schema_version": 0}))
    result = bahth("search", "--index", index, "سوريا")
    assert result.returncode == 1
    assert "built by schema version 0" in result.stderr and "run `bahth reindex`" in result.stderr


def test_an_unwritable_index_location_fails_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = bahth("reindex", "--index", blocker / "index")
    assert result.returncode == 1
    assert result.stderr.startswith(f"bahth: cannot write the index in {blocker / 'index'}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_seeds_are_the_default_source(seed_index):
    assert Settings().seeds_dir == SEEDS
    assert sorted(p.name for p in SEEDS.iterdir()) == ["000_49235c3dde4d8611.txt"]
