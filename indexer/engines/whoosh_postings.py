"""Whoosh segments written from postings gathered in memory: a full rebuild's writer.

PERF: Whoosh's own ``add_document`` sends every posting through a pool of
tuples that is sorted, re-read and handed to its codec one posting at a time,
each looking up its document's length again: four fifths of a rebuild's
time with the ~620 postings an article of the search fields.  Here each
field's term streams are counted into per-term arrays as documents come, and
at the commit each term's postings go to the codec's postings writer a block
at a time.  The files are those Whoosh writes (same codec, blocks and
statistics), so searches read and score them alike.
"""

import ctypes
import multiprocessing
import os
import signal
import zlib
from array import array
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.codec.whoosh3 import byte_to_length
from whoosh.codec.whoosh3 import length_to_byte
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS
from whoosh.system import pack_int
from whoosh.system import pack_long
from whoosh.system import pack_uint
from whoosh.system import pack_ushort

# Postings held before a segment is written and the next one started: bounds
# memory (about 20 bytes a posting) whatever the corpus; a single segment
# holds some 38,000 news articles.
SEGMENT_POSTINGS = 24_000_000


class SegmentPostings:
    """The postings of one segment's documents: field → term → (docnums, weights, values)."""

    def __init__(self, schema, stream_fields):
        self._schema = schema
        self._streams = frozenset(stream_fields)
        self._terms = {}  # field → term → (docnums, weights or frequencies, values or None)
        self._lengths = defaultdict(dict)  # field → docnum → length, rounded as Whoosh keeps it
        self._postings = Counter()  # field → its postings
        self._single_positions = defaultdict(dict)  # field → position → its bytes alone

    @property
    def count(self) -> int:
        """Postings held."""
        return self._postings.total()

    def add_stream(self, name: str, docnum: int, stream: str) -> int:
        """Count a term stream (terms joined by spaces) of document ``docnum``; its length."""
        terms = stream.split()
        if not terms:
            return 0
        table = self._terms.setdefault(name, {})
        if self._schema[name].format.supports("positions"):
            grouped = defaultdict(list)
            for position, term in enumerate(terms):
                grouped[term].append(position)
            encode = self._schema[name].format.encode
            # PERF: most terms stand once in a document: their positions' bytes are kept.
            single = self._single_positions[name]
            for term, found in grouped.items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("I"), array("I"), [])
                entry[0].append(docnum)
                entry[1].append(len(found))
                if len(found) == 1:
                    value = single.get(found[0])
                    if value is None:
                        value = single[found[0]] = encode(found)
                else:
                    value = encode(found)
                entry[2].append(value)
            self._postings[name] += len(grouped)
        else:
            counts = Counter(terms)
            for term, count in counts.items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("I"), array("I"), None)
                entry[0].append(docnum)
                entry[1].append(count)
            self._postings[name] += len(counts)
        self._lengths[name][docnum] = byte_to_length(length_to_byte(len(terms)))
        return len(terms)

    def add_indexed(self, name: str, docnum: int, value) -> int:
        """Any other indexed field's value, through the field's own ``index``; its length."""
        spec = self._schema[name]
        table = self._terms.setdefault(name, {})
        length = 0
        for tbytes, freq, weight, vbytes in spec.index(value):
            entry = table.get(tbytes)
            if entry is None:
                entry = table[tbytes] = (array("I"), array("f"), [])
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
            self._postings[name] += 1
            if spec.scorable:
                length += freq
        if length:
            self._lengths[name][docnum] = byte_to_length(length_to_byte(length))
        return length

    def write(self, fieldwriter) -> None:
        """Every field's terms, in Whoosh's order, through ``fieldwriter`` (a W3FieldWriter).

        PERF: encoding the postings is most of a commit, in pure Python: the
        larger fields' share is encoded in a forked process beside this one.
        """
        codec = fieldwriter._codec
        settings = (codec._blocklimit, codec._compression)
        assert codec._inlinelimit <= 1  # no inlined postings: every term's are in the file
        names = sorted(self._terms)
        # The parent also places every field: it keeps the lighter share (about
        # half the postings, but not the positions field, the costliest a posting).
        here = _larger_half({name: self._postings[name] for name in names})
        beside = set(names) - here
        with _Forked(lambda: {name: self._encoded(name, *settings) for name in beside}) as child:
            encoded = {name: self._encoded(name, *settings) for name in names if name not in beside}
            encoded.update(child.result())
        for name in names:
            fieldwriter.start_field(name, self._schema[name])
            encoded.pop(name).write(fieldwriter)
            fieldwriter.finish_field()

    def _encoded(self, name: str, blocklimit: int, compression: int) -> "_EncodedField":
        table, lengths = self._terms[name], self._lengths[name]
        streamed = name in self._streams
        blocks = _Blocks(self._schema[name].format, blocklimit, compression)
        # A str's order is its UTF-8 bytes' order: the order of Whoosh's pool.
        for term in sorted(table):
            docnums, weights, values = table[term]
            if streamed:
                if values is None:
                    values = [pack_uint(count) for count in weights]
                blocks.add(term.encode("utf-8"), docnums, array("f", weights), values, lengths)
            else:
                blocks.add(term, docnums, weights, values, lengths)
        return blocks.encoded()


def _larger_half(sizes: dict[str, int]) -> set[str]:
    """Names whose sizes sum to about half the total (at least one), the largest first."""
    half, total, chosen = sum(sizes.values()) / 2, 0, set()
    for name in sorted(sizes, key=sizes.get, reverse=True):
        if not chosen or total + sizes[name] <= half:
            chosen.add(name)
            total += sizes[name]
    return chosen


# A block's pickle this long or longer is compressed: below it zlib saves a
# few bytes at best (most terms' one block of a posting or two), and its
# blocks are read without decompressing (W3 keeps the level in each block).
COMPRESSED_FROM = 128


@dataclass
class _EncodedField:
    """A field's posting lists as bytes, and each term's info with offsets within them."""

    postings: bytes
    terms: list[bytes]
    infos: list[bytes]  # W3TermInfo.to_bytes up to the extent, which comes once placed
    offsets: array  # where each term's postings start in ``postings``
    sizes: array

    def write(self, fieldwriter) -> None:
        """Into the started field of a W3FieldWriter: the postings, then the terms' rows."""
        base = fieldwriter._postfile.tell()
        fieldwriter._postfile.write(self.postings)
        field_id = pack_ushort(fieldwriter._fieldid)
        rows = zip(self.terms, self.infos, self.offsets, self.sizes)
        _add_rows(
            fieldwriter._tindex,
            [field_id + term for term in self.terms],
            [info + pack_long(base + offset) + pack_int(size) for _, info, offset, size in rows],
        )


def _add_rows(tindex, keys: list[bytes], values: list[bytes]) -> None:
    """OrderedHashWriter.add of each (key, value), keys in order, in one write.

    PERF: its three writes, position look-up and order check a row were a
    tenth of a commit.  Private to whoosh.filedb.filetables, pinned with whoosh-reloaded.
    """
    if not keys:
        return
    if keys[0] <= tindex.lastkey:
        raise ValueError(f"keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
    dbfile, hashfn, buckets, index = tindex.dbfile, tindex.hashfn, tindex.buckets, tindex.index
    position, rows = dbfile.tell(), []
    for key, value in zip(keys, values):
        row = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
        rows.append(row)
        index.append(position)
        code = hashfn(key)
        buckets[code & 255].append((code, position))
        position += len(row)
    dbfile.write(b"".join(rows))
    tindex.lastkey = keys[-1]


class _Blocks:
    """A field's posting lists encoded as W3PostingsWriter writes them (short blocks uncompressed).

    PERF: its ``add_posting`` and ``_write_block`` cost some 40 µs a term in
    Python calls and attribute look-ups, for a few hundred thousand terms of
    one or two postings; here a term's blocks are built in one function.
    Private to Whoosh's W3 codec, pinned with whoosh-reloaded
    (tests/test_whoosh_postings.py compares every term with Whoosh's own writer).
    """

    def __init__(self, fieldformat, blocklimit: int, compression: int):
        self._limit = blocklimit
        self._compression = compression
        self._fixed_size = fieldformat.fixed_value_size()
        self._parts, self._terms, self._infos = [], [], []
        self._offsets, self._sizes = array("Q"), array("I")
        self._size = 0

    def add(self, tbytes: bytes, docnums, weights, values, lengths) -> None:
        limit, compression, fixed = self._limit, self._compression, self._fixed_size
        info = W3TermInfo()
        parts = [WHOOSH3_HEADER_MAGIC]
        count = len(docnums)
        for start in range(0, count, limit):
            end = start + limit
            ids, block_weights = docnums[start:end], weights[start:end]
            found = [lengths[d] for d in ids if d in lengths]
            minlength = min(found) if found else None
            maxlength = max(found) if found else 0
            maxweight = max(0, max(block_weights))
            _add_block(info, ids, block_weights, minlength, maxlength, maxweight)
            block_values = [v for v in values[start:end] if v]
            if fixed is None or fixed < 0:
                mini_values = tuple(block_values)
            elif fixed == 0:
                mini_values = None
            else:
                mini_values = b"".join(block_values)
            data = dumps((_deltas(ids), _mini_weights(block_weights), mini_values), 2)
            packed = compression if len(data) >= COMPRESSED_FROM else 0
            if packed:
                data = zlib.compress(data, packed)
            stats = (len(ids), ids[-1], maxweight, packed)
            head = dumps((*stats, length_to_byte(minlength), length_to_byte(maxlength)), 2)
            size = len(head) + len(data)
            parts += (pack_int(-size if end >= count else size), head, data)
        postings = b"".join(parts)
        info.set_extent(0, 0)
        packed_info = info.to_bytes()
        self._parts.append(postings)
        self._terms.append(tbytes)
        self._infos.append(packed_info[: len(packed_info) - _EXTENT_SIZE])
        self._offsets.append(self._size)
        self._sizes.append(len(postings))
        self._size += len(postings)

    def encoded(self) -> _EncodedField:
        postings = b"".join(self._parts)
        return _EncodedField(postings, self._terms, self._infos, self._offsets, self._sizes)


_EXTENT_SIZE = len(pack_long(0) + pack_int(0))


class _Forked:
    """``work()`` run in a forked process while the block runs; ``result()`` waits for it.

    The child sends its result through a pipe and exits at once (the
    parent's files and writers are the parent's to close), and dies with the
    parent.
    """

    def __init__(self, work):
        self._work = work

    def __enter__(self):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_forked, args=(self._work, send), daemon=True)
        self._process.start()
        send.close()
        return self

    def result(self):
        try:
            outcome = self._receive.recv()
        except EOFError:
            self._process.join()
            raise OSError(f"a postings encoder died (exit code {self._process.exitcode})") from None
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def __exit__(self, *exc):
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _run_forked(work, send) -> None:
    # NOTE: without this a kill -9 of the reindex would orphan the child.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        outcome = work()
    except Exception as exc:  # noqa: BLE001 - raised again in the parent
        outcome = exc
    send.send(outcome)
    send.close()
    os._exit(0)


_PR_SET_PDEATHSIG = 1  # prctl option: a signal for the child when its parent dies


def _add_block(info, ids, weights, minlength, maxlength, maxweight) -> None:
    """W3TermInfo.add_block of one block's statistics."""
    info._weight += sum(weights)
    info._df += len(ids)
    info._minlength = minlength if info._minlength is None else min(info._minlength, minlength)
    info._maxlength = max(info._maxlength, maxlength)
    info._maxweight = max(info._maxweight, maxweight)
    if info._minid is None:
        info._minid = ids[0]
    info._maxid = ids[-1]


def _deltas(ids) -> tuple:
    """Each id less the one before it (the first as it is), as W3's blocks keep them."""
    return (ids[0], *(b - a for a, b in zip(ids, ids[1:])))


def _mini_weights(weights):
    """None when every weight is 1, the weight when all are equal, else all of them."""
    if weights.count(1.0) == len(weights):
        return None
    if weights.count(weights[0]) == len(weights):
        return weights[0]
    return tuple(weights)


class RebuildWriter:
    """Documents into fresh segments of ``ix``, one after another (docnums in the order added)."""

    def __init__(self, ix, stream_fields, segment_postings: int = SEGMENT_POSTINGS):
        self._ix = ix
        self._streams = frozenset(stream_fields)
        self._segment_postings = segment_postings
        self._start()

    def _start(self) -> None:
        self._writer = self._ix.writer()
        self._postings = SegmentPostings(self._writer.schema, self._streams)

    def add_document(self, fields: dict) -> None:
        """As Whoosh's ``add_document`` stores, columns and indexes ``fields``."""
        if self._postings.count > self._segment_postings:
            self._write_segment()
            self._start()
        writer = self._writer
        schema, perdoc, docnum = writer.schema, writer.perdocwriter, writer.docnum
        perdoc.start_doc(docnum)
        for name in sorted(fields):  # Whoosh's order: the same stored and column files
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if name in self._streams:
                length = self._postings.add_stream(name, docnum, value)
            elif field.indexed:
                length = self._postings.add_indexed(name, docnum, value)
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1

    def _write_segment(self) -> None:
        # merge=False: earlier segments of this build are as large; merging is Python's slow path.
        self._postings.write(self._writer.fieldwriter)
        self._writer.commit(merge=False)

    def commit(self) -> None:
        self._write_segment()

    def cancel(self) -> None:
        self._writer.cancel()

    def delete_by_term(self, field: str, text: str) -> None:
        self._writer.delete_by_term(field, text)
