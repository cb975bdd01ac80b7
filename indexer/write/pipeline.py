"""Analysis for reindexing, in worker processes beside the engine's writer.

Analysis is most of a reindex's time, so records are read in
batches and each batch of documents is analysed by one of a few worker
processes while the main process feeds the engine; batches go to the workers
in turn and their results are read back in the same turn, so records come
back in their order, and a few batches are in flight at a time, so memory
stays bounded however large the input.  A worker counts the chunks of every
text it analyses and, after its last batch, sends its vocabulary counts once
(so the main process analyses nothing and merges one count per worker, not
one per batch).  Workers are forked, ignore Ctrl-C (the main process handles
it) and die with it, so a killed reindex leaves no process behind; a worker
that dies fails the reindex instead of hanging it.
"""

import ctypes
import gc
import itertools
import multiprocessing
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

BATCH = 200  # records per task: amortises the round trip to a worker
AHEAD = 3  # batches in flight per worker
_PR_SET_PDEATHSIG = 1  # prctl option: a signal for the child when its parent dies


def document_streams(title: str, body: str) -> Streams | None:
    """The term streams of a document's fields; None if it has no content words."""
    streams = field_streams(title, body, schema.LEAD_TERMS)
    return schema.term_streams(streams) if streams else None


def _analyse_batch(texts: list[tuple[str, str] | None], forms: FormCounter) -> list[Streams | None]:
    """Each text's streams; its words are counted into ``forms``."""
    streams = []
    for text in texts:
        if text is None:
            streams.append(None)
            continue
        forms.add(text[0])
        forms.add(text[1])
        streams.append(document_streams(*text))
    forms.settle()
    return streams


class _Texts:
    """What a worker needs of each record: a document's title and body, nothing else.

    A repeated id is analysed once: the caller skips or refuses its repeats.
    """

    def __init__(self):
        self._ids = set()

    def __call__(self, batch: list) -> list[tuple[str, str] | None]:
        texts = []
        for record in batch:
            fresh = isinstance(record, Document) and record.id not in self._ids
            texts.append((record.title, record.body) if fresh else None)
            if fresh:
                self._ids.add(record.id)
        return texts


def _batches(records: Iterable) -> Iterator[list]:
    records = iter(records)
    while batch := list(itertools.islice(records, BATCH)):
        yield batch


@contextmanager
def analysed(records: Iterable, processes: int, on_forms=lambda forms: None):
    """An iterator of (record, streams) for every record, in order.

    ``streams`` is None for anything but a document with content words.
    ``on_forms`` receives the vocabulary counts (``FormCounter``) of the analysed
    documents, in parts, when the block is left without an error after
    every record has come: the workers count while the block's last work
    (an engine's commit) runs.  With ``processes`` > 1 and more than one batch
    of records, workers start on entering: enter before the engine starts
    threads of its own (forking a process that runs threads is unsafe).
    """
    texts, batches = _Texts(), _batches(records)
    first = list(itertools.islice(batches, 2))  # one batch is not worth forking for
    batches = itertools.chain(first, batches)
    if processes <= 1 or len(first) < 2:
        forms = FormCounter()
        pairs = _in_process(batches, texts, forms)
        yield pairs
        _require_exhausted(pairs)
        on_forms(forms.forms())
        return
    workers = []
    try:
        workers.extend(_Worker() for _ in range(processes))
        pairs = _in_workers(workers, batches, texts)
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


def _in_process(batches, texts, forms: FormCounter):
    for batch in batches:
        yield from zip(batch, _analyse_batch(texts(batch), forms))


def _in_workers(workers: list["_Worker"], batches, texts):
    pending = deque()  # (batch, its worker), oldest first
    turns = itertools.cycle(workers)
    for batch in batches:
        worker = next(turns)
        worker.send(texts(batch))
        pending.append((batch, worker))
        if len(pending) > AHEAD * len(workers):
            batch, worker = pending.popleft()
            yield from zip(batch, worker.receive())
    for worker in workers:  # no more batches: each counts its vocabulary after its last
        worker.send(None)
    while pending:
        batch, worker = pending.popleft()
        yield from zip(batch, worker.receive())


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
    forms = FormCounter()
    try:
        while (texts := inbox.get()) is not None:
            results.send(_analyse_batch(texts, forms))
        results.send(forms.forms())
    except Exception as exc:  # noqa: BLE001 - reported to the main process, which fails the reindex
        results.send(_Failure(exc))
