"""Analysis for reindexing, in worker processes beside the engine's writer.

Analysis is most of a reindex's time, so records are read in
batches and each batch is parsed (a feed's JSON lines) and analysed by one of
a few worker processes while the main process feeds the engine; batches go
to the workers in turn and their results are read back in the same turn, so
records come back in their order, and a few batches are in flight at a time,
so memory stays bounded however large the input.  A worker counts the chunks
of every text it analyses once the main process, which alone sees every id,
has told it which were repeats, and, after its last batch, sends its
vocabulary counts once (so the main process analyses nothing and merges one
count per worker, not one per batch).  Workers are forked, ignore Ctrl-C (the
main process handles it) and die with it, so a killed reindex leaves no
process behind; a worker that dies fails the reindex instead of hanging it.
"""

import ctypes
import gc
import itertools
import multiprocessing
import os
import signal
import traceback
from collections import deque
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait

from indexer import schema
from indexer.analysis import field_streams
from indexer.document import Document
from indexer.errors import ReindexFailed
from indexer.schema import Streams
from indexer.vocabulary import FormCounter
from indexer.write.ingest.sources import Record
from indexer.write.ingest.sources import parsed

BATCH = 200  # records per task: amortises the round trip to a worker
AHEAD = 3  # batches in flight per worker
# Workers yield the cores to the main process and the engine's own threads
# (tantivy's one indexing thread is a reindex's longest path: with the workers
# at the same priority it got 60 % of a core and fell behind; 30,017 articles,
# medians of 6: 8.3 s at 0, 7.35 s at 4, 7.9 s at 10), and to a server on the
# same machine.
WORKER_NICENESS = 4
_PR_SET_PDEATHSIG = 1  # prctl option: a signal for the child when its parent dies


def document_streams(title: str, body: str) -> Streams | None:
    """The term streams of a document's fields; None if it has no content words."""
    streams = field_streams(title, body, schema.LEAD_TERMS)
    return schema.term_streams(streams) if streams else None


class _Analyser:
    """What a worker does with the records: parse feed lines, analyse each
    document's title and body, and count its words once it is known to be kept.

    The counting waits for the main process, the one that knows every id: a
    repeated id is refused or skipped there, and its words are not counted.
    """

    def __init__(self):
        self.forms = FormCounter()
        self._held = deque()  # each analysed batch's texts, until ``count``

    def analyse(self, items: list) -> list[tuple[Record | None, Streams | None]]:
        """Per item: its record if the item was parsed here (else None), and its streams."""
        results, texts = [], []
        for item in items:
            record = parsed(item)
            text = (record.title, record.body) if isinstance(record, Document) else None
            texts.append(text)
            streams = document_streams(*text) if text else None
            results.append((record if record is not item else None, streams))
        self._held.append(texts)
        return results

    def count(self, repeats: list[int]) -> None:
        """Count the words of the oldest batch analysed, but those of the repeats (positions)."""
        texts = self._held.popleft()
        for position in repeats:
            texts[position] = None
        for text in texts:
            if text is not None:
                self.forms.add(text[0])
                self.forms.add(text[1])
        self.forms.settle()


def _analyse_batch(items: list, analyser: _Analyser) -> list:
    return analyser.analyse(items)


class _Repeats:
    """Each record of a batch as analysed, with None for the streams of an id seen before."""

    def __init__(self):
        self._ids = set()

    def __call__(self, batch: list, results: list) -> tuple[list, list[int]]:
        pairs, repeats = [], []
        for position, (item, (record, streams)) in enumerate(zip(batch, results)):
            record = item if record is None else record
            if isinstance(record, Document):
                if record.id in self._ids:
                    repeats.append(position)
                    streams = None
                self._ids.add(record.id)
            pairs.append((record, streams))
        return pairs, repeats


def _batches(records: Iterable) -> Iterator[list]:
    records = iter(records)
    while batch := list(itertools.islice(records, BATCH)):
        yield batch


@contextmanager
def analysed(records: Iterable, processes: int, on_forms=lambda forms: None):
    """An iterator of (record, streams) for every record (a ``FeedLine`` parsed), in order.

    ``streams`` is None for anything but a document with content words.
    ``on_forms`` receives the vocabulary counts (``FormCounter.table``) of the analysed
    documents, in parts, when the block is left without an error after
    every record has come: the workers count while the block's last work
    (an engine's commit) runs.  With ``processes`` > 1 and more than one batch
    of records, workers start on entering: enter before the engine starts
    threads of its own (forking a process that runs threads is unsafe).
    """
    repeats, batches = _Repeats(), _batches(records)
    first = list(itertools.islice(batches, 2))  # one batch is not worth forking for
    batches = itertools.chain(first, batches)
    if processes <= 1 or len(first) < 2:
        analyser = _Analyser()
        pairs = _in_process(batches, repeats, analyser)
        yield pairs
        _require_exhausted(pairs)
        on_forms(analyser.forms.table())
        return
    workers = []
    try:
        workers.extend(_Worker() for _ in range(processes))
        pairs = _in_workers(workers, batches, repeats)
        yield pairs
        _require_exhausted(pairs)
        for worker in workers:
            on_forms(worker.receive())
    finally:
        for worker in workers:
            worker.stop()


def _require_exhausted(pairs) -> None:
    for _ in pairs:
        raise RuntimeError("left before every record was analysed: the vocabulary would be partial")


def _in_process(batches, repeats, analyser: _Analyser):
    for batch in batches:
        pairs, repeated = repeats(batch, _analyse_batch(batch, analyser))
        analyser.count(repeated)
        yield from pairs


def _in_workers(workers: list["_Worker"], batches, repeats):
    pending = deque()  # (batch, its worker), oldest first

    def oldest():
        batch, worker = pending.popleft()
        pairs, repeated = repeats(batch, worker.receive())
        worker.send(("count", repeated))
        return pairs

    turns = itertools.cycle(workers)
    for batch in batches:
        worker = next(turns)
        worker.send(("analyse", batch))
        pending.append((batch, worker))
        if len(pending) > AHEAD * len(workers):
            yield from oldest()
    while pending:
        yield from oldest()
    for worker in workers:  # no more batches: each sends its vocabulary
        worker.send(None)


class _Worker:
    """One forked analysis process: batches in through a queue, results back through a pipe."""

    def __init__(self):
        context = multiprocessing.get_context("fork")
        # A queue's feeder thread sends without blocking the main process, so
        # a worker waiting to hand back a large result can never deadlock it.
        self._inbox = context.Queue()
        self._results, results = context.Pipe(duplex=False)
        self._process = context.Process(target=_work, args=(self._inbox, results), daemon=True)
        self._process.start()
        results.close()

    def send(self, texts: list | None) -> None:
        self._inbox.put(texts)

    def receive(self):
        wait([self._results, self._process.sentinel])  # a result, or the worker's end
        try:
            if not self._results.poll():
                raise EOFError
            outcome = self._results.recv()
        except EOFError:
            self._process.join()
            raise ReindexFailed(
                f"an analysis worker died (exit code {self._process.exitcode})"
            ) from None
        if isinstance(outcome, _Failure):
            raise ReindexFailed(f"an analysis worker failed: {outcome.error}")
        return outcome

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._inbox.cancel_join_thread()  # its unsent batches are not needed
        self._inbox.close()
        self._results.close()


class _Failure:
    def __init__(self, exc: Exception):
        self.error = traceback.format_exception_only(exc)[-1].strip()  # one line: the CLI's rule


def _work(inbox, results) -> None:
    # NOTE: without this a kill -9 of the reindex would orphan its workers.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # PERF: analysis makes no reference cycles, but Python's cycle collector
    # walks its caches (hundreds of thousands of terms) again and again as
    # they grow: a quarter of a worker's time.
    gc.disable()
    os.nice(WORKER_NICENESS)
    analyser = _Analyser()
    try:
        while (message := inbox.get()) is not None:
            task, argument = message
            if task == "analyse":
                results.send(_analyse_batch(argument, analyser))
            else:
                analyser.count(argument)
        results.send(analyser.forms.table())
    except Exception as exc:  # noqa: BLE001 - reported to the main process, which fails the reindex
        results.send(_Failure(exc))
