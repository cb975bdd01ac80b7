"""Reindex: build a new generation from sources and swap it in atomically.

The served index is never touched: a full rebuild writes a new generation; an
incremental one copies the current generation and changes the copy.  Any
failure (bad input, full disk, Ctrl-C) removes the unfinished generation and
leaves CURRENT as it was; a kill -9 leaves an unpublished directory that the
next reindex removes (its lock, an OS lock, is freed as it dies).
"""

import gc
import json
import os
import select
import shutil
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path

from indexer import analysis
from indexer import schema
from indexer import synonyms
from indexer.catalog import Catalog
from indexer.document import Document
from indexer.engines import get_engine
from indexer.english import counted
from indexer.errors import BadDocument
from indexer.errors import ConfigError
from indexer.errors import IndexUnavailable
from indexer.errors import ReindexFailed
from indexer.settings import Settings
from indexer.vocabulary import VocabularyBuilder
from indexer.write.ingest.sources import read_sources_unparsed
from indexer.write.pipeline import analysed

# For tests only: a FIFO where a reindex waits, at its first record, until the
# test closes the FIFO's other end; meanwhile the test interrupts or kills it
# mid-build (lock held, workers running) without guessing at timing.
HOLD_ENV = "BAHTH_TEST_HOLD_REINDEX"


@dataclass
class Summary:
    kinds: Counter = field(default_factory=Counter)
    deleted: int = 0
    skipped: int = 0
    repeated_headlines: int = 0
    seconds: float = 0.0
    generation: int = 0
    total: int = 0

    def line(self) -> str:
        indexed = sum(self.kinds.values())
        rate = indexed / self.seconds if self.seconds else 0.0
        kinds = ", ".join(counted(n, k) for k, n in sorted(self.kinds.items())) or "no documents"
        return (
            f"indexed {counted(indexed, 'document')} ({kinds}), deleted {self.deleted}, "
            f"skipped {self.skipped} bad, in {self.seconds:.1f} s ({rate:.0f} docs/s); "
            f"generation {self.generation} now serves {counted(self.total, 'document')}"
        )


def reindex(
    settings: Settings,
    sources: list[Path],
    *,
    incremental: bool = False,
    skip_bad: bool = False,
    delete_ids=(),
    progress=None,
    warn=lambda msg: None,
) -> Summary:
    """Build and publish a new generation.

    Args:
        progress: wraps the record iterator (a tqdm bar on a terminal), or None.
        warn: receives one line per skipped record, and one if the reindex before was killed.

    Raises:
        BadDocument: a bad record (without ``skip_bad``); nothing was changed.
        ReindexBusy: another reindex is running.
        ReindexFailed: the new index could not be written (disk, permissions).
    """
    analysis.use(settings.analysis)
    # A bad synonyms file stops the reindex before it starts.
    synonyms_text = _synonyms_text(settings.synonyms)
    catalog = Catalog(settings.index_dir)
    started = time.perf_counter()
    try:
        with catalog.lock(on_killed=warn):
            catalog.remove_unused()  # leftovers of a build that was killed
            base = _base_generation(catalog, settings) if incremental else None
            path = catalog.new_generation()
            try:
                summary = _build(
                    settings,
                    path,
                    base,
                    sources,
                    skip_bad,
                    delete_ids,
                    progress,
                    warn,
                    synonyms_text,
                )
                catalog.publish(path)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            # After the swap: a failure here must not remove what is served.
            get_engine(settings.engine, settings).publish(path / "engine")
            catalog.remove_unused()
    except OSError as exc:
        raise ReindexFailed(f"cannot write the index in {settings.index_dir}: {exc}") from exc
    summary.seconds = time.perf_counter() - started
    return summary


def _base_generation(catalog: Catalog, settings: Settings):
    try:
        base = catalog.current()
    except IndexUnavailable:
        return None  # nothing to update yet: build from scratch
    if base.meta["engine"] != settings.engine:
        raise ConfigError(
            f"the current index was built by {base.meta['engine']}, not {settings.engine}: "
            "run a full reindex to change engines"
        )
    return base


def _synonyms_text(path: Path) -> str:
    """The synonyms file's text, checked: ConfigError naming its line if it is not valid."""
    text = synonyms.read(path)
    synonyms.parse(text, str(path))
    return text


def _build(
    settings, path, base, sources, skip_bad, delete_ids, progress, warn, synonyms_text
) -> Summary:
    engine = get_engine(settings.engine, settings)
    vocabulary = VocabularyBuilder()
    if base:
        vocabulary.load(base.path)
    summary = Summary()
    seen = {}  # id → origin, to report duplicates
    # The analysis workers fork first: the engine's writer may start threads.
    hold = os.environ.get(HOLD_ENV)
    writer = committed = None
    with _cycle_collector_paused(), ThreadPoolExecutor(1) as committer:
        try:
            with analysed(
                read_sources_unparsed(sources), settings.reindex_workers, vocabulary.add_forms
            ) as records:
                writer = engine.writer(path / "engine", base.engine_dir if base else None)
                for record, streams in progress(records) if progress else records:
                    if hold:
                        _wait_until_closed(hold)
                        hold = None
                    if isinstance(record, Document):
                        record = _index(record, streams, seen, writer, vocabulary, summary)
                    if isinstance(record, BadDocument):
                        if not skip_bad:
                            raise record
                        summary.skipped += 1
                        warn(f"skipped {record.message}")
                for doc_id in delete_ids:
                    writer.delete(doc_id)
                    vocabulary.forget(doc_id)
                    summary.deleted += 1
                # PERF: the engine commits (tantivy's without the GIL) while the
                # workers' vocabulary counts come in and are written, rather
                # than one after the other.
                committed = committer.submit(writer.commit)
            vocabulary.write(path)
            committed.result()
        except BaseException:
            if committed is not None:
                wait([committed])  # a writer is never cancelled mid-commit
            if writer is not None and (committed is None or committed.exception() is not None):
                writer.cancel()
            raise
    # Serving reads the synonyms of its generation: they change with the index, never before it.
    (path / synonyms.FILE).write_text(synonyms_text, encoding="utf-8")
    reader = engine.reader(path / "engine")
    summary.total = reader.count()
    reader.close()
    summary.generation = int(path.name.split("-")[-1])
    meta = {
        "schema_version": schema.SCHEMA_VERSION,
        "engine": engine.name,
        "generation": summary.generation,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": summary.total,
        "synonyms": str(settings.synonyms),
    }
    (path / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return summary


@contextmanager
def _cycle_collector_paused():
    """Python's cycle collector off for the block, as it was after it.

    PERF: a writer holds the build's postings in millions of containers (a
    Whoosh rebuild: arrays and lists per term), which the collector walked
    again and again as they grew: a quarter of a Whoosh reindex's time.  A
    build makes no garbage cycles worth collecting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _index(doc, streams, seen, writer, vocabulary, summary):
    """Index one document; a BadDocument if it cannot be."""
    source, line = doc.origin
    if doc.id in seen:
        if doc.kind == "headline":  # the ticker is site-wide: one document per headline
            summary.repeated_headlines += 1
            return None
        first = seen[doc.id]
        return BadDocument(
            source, line, f"duplicate id {doc.id!r} (first at {first[0]}:{first[1]})"
        )
    if streams is None:
        return BadDocument(
            source, line, "no searchable text (only marks, punctuation or stop words)"
        )
    seen[doc.id] = doc.origin
    writer.add(doc, streams)
    vocabulary.add_title(doc.id, doc.kind, doc.title)
    summary.kinds[doc.kind] += 1
    return None


def _wait_until_closed(fifo: str) -> None:
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        # Polled, not one blocking read: a signal that lands on another thread
        # (a queue's feeder) interrupts no system call of this one.
        while not select.select([fd], [], [], 0.1)[0] or os.read(fd, 4096):
            pass
    finally:
        os.close(fd)
