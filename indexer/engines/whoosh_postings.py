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

from array import array
from collections import Counter
from collections import defaultdict

from whoosh.codec.whoosh3 import byte_to_length
from whoosh.codec.whoosh3 import length_to_byte
from whoosh.system import pack_uint

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
        self.count = 0

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
            for term, found in grouped.items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("I"), array("I"), [])
                entry[0].append(docnum)
                entry[1].append(len(found))
                entry[2].append(encode(found))
            self.count += len(grouped)
        else:
            counts = Counter(terms)
            for term, count in counts.items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("I"), array("I"), None)
                entry[0].append(docnum)
                entry[1].append(count)
            self.count += len(counts)
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
            self.count += 1
            if spec.scorable:
                length += freq
        if length:
            self._lengths[name][docnum] = byte_to_length(length_to_byte(length))
        return length

    def write(self, fieldwriter) -> None:
        """Every field's terms, in Whoosh's order, through ``fieldwriter`` (its codec's)."""
        for name in sorted(self._terms):
            table, lengths = self._terms[name], self._lengths[name]
            streamed = name in self._streams
            fieldwriter.start_field(name, self._schema[name])
            # A str's order is its UTF-8 bytes' order: the order of Whoosh's pool.
            for term in sorted(table):
                docnums, weights, values = table[term]
                if streamed:
                    fieldwriter.start_term(term.encode("utf-8"))
                    if values is None:
                        values = [pack_uint(count) for count in weights]
                    weights = array("f", weights)
                else:
                    fieldwriter.start_term(term)
                _add_term(fieldwriter._postwriter, docnums, weights, values, lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()


def _add_term(postwriter, docnums, weights, values, lengths) -> None:
    """One term's postings into a started W3PostingsWriter, as its ``add_posting`` buffers
    them one by one: full blocks written, the last left to ``finish_postings``."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        end = start + limit
        ids = docnums[start:end]
        found = [lengths[d] for d in ids if d in lengths]
        postwriter._ids = ids
        postwriter._weights = weights[start:end]
        postwriter._values = [v for v in values[start:end] if v]
        postwriter._maxweight = max(0, max(postwriter._weights))
        postwriter._minlength = min(found) if found else None
        postwriter._maxlength = max(found) if found else 0


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
