"""Analysis for reindexing, in worker processes beside the engine's writer.

Analysis is pure Python and most of a reindex's time, so records are read in
batches and each batch of documents is analysed by a pool of processes while
the main process feeds the engine; a few batches are in flight at a time, so
memory stays bounded however large the input.  A batch gives each document's
term streams and the batch's vocabulary counts (so the main process analyses
nothing).  Records come back in their order.  Workers are forked, ignore
Ctrl-C (the main process handles it) and die with it, so a killed reindex
leaves no process behind.
"""

import ctypes
import gc
import itertools
import multiprocessing
import signal
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from indexer import schema
from indexer.analysis import analyse
from indexer.ingest.document import Document
from indexer.schema import Streams
from indexer.vocabulary import count_forms

BATCH = 200  # records per task: amortises the round trip to a worker
AHEAD = 3  # batches in flight per worker
_PR_SET_PDEATHSIG = 1  # prctl option: a signal for the child when its parent dies


def document_streams(title: str, body: str) -> Streams | None:
    """The term streams of a document's fields; None if it has no content words.

    The title's terms are the text's first terms (``Document.text``), so
    title and body are analysed once each.
    """
    title_terms = analyse(title)
    terms = title_terms + analyse(body)
    return schema.term_streams(terms, title_terms) if terms else None


def _analyse_batch(texts: list[tuple[str, str] | None]) -> tuple[list[Streams | None], Counter]:
    streams = [document_streams(*text) if text else None for text in texts]
    return streams, count_forms(part for text in texts if text for part in text)


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


def _start_worker() -> None:
    # NOTE: without this a kill -9 of the reindex would orphan its workers.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # PERF: analysis makes no reference cycles, but Python's cycle collector
    # walks its caches (hundreds of thousands of terms) again and again as
    # they grow: a quarter of a worker's time.
    gc.disable()


def _batches(records: Iterable) -> Iterator[list]:
    records = iter(records)
    while batch := list(itertools.islice(records, BATCH)):
        yield batch


@contextmanager
def analysed(records: Iterable, processes: int, on_forms=lambda forms: None):
    """An iterator of (record, streams) for every record, in order.

    ``streams`` is None for anything but a document with content words.
    ``on_forms`` receives each batch's vocabulary counts (``count_forms``)
    before its records come.  With ``processes`` > 1 and more than one
    batch of records, a pool starts on entering: enter before the engine
    starts threads of its own (forking a process that runs threads is unsafe).
    """
    texts, batches = _Texts(), _batches(records)
    first = list(itertools.islice(batches, 2))  # one batch is not worth forking for
    batches = itertools.chain(first, batches)
    if processes <= 1 or len(first) < 2:
        yield (pair for batch in batches for pair in _pairs(batch, _analyse_batch(texts(batch)), on_forms))
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_start_worker) as pool:
        submitted = ((b, pool.apply_async(_analyse_batch, (texts(b),))) for b in batches)
        yield _in_order(submitted, AHEAD * processes, on_forms)


def _in_order(submitted, ahead: int, on_forms):
    pending = deque()
    for batch_and_result in submitted:
        pending.append(batch_and_result)
        if len(pending) > ahead:
            batch, result = pending.popleft()
            yield from _pairs(batch, result.get(), on_forms)
    while pending:
        batch, result = pending.popleft()
        yield from _pairs(batch, result.get(), on_forms)


def _pairs(batch: list, analysed_batch, on_forms) -> Iterator[tuple[object, Streams | None]]:
    streams, forms = analysed_batch
    on_forms(forms)
    return zip(batch, streams)
