"""Near-duplicate signatures: a bottom-k MinHash sketch of a document's word shingles.

One article republished by several sites (an agency story, a press release)
differs by a dateline, a credit line or a sentence.  Its shingles (runs of
SHINGLE_WORDS consecutive words of the normalised text, stop words out)
barely change, so the Jaccard similarity of two versions' shingle sets stays
high while two different stories on one subject share few.  The sketch keeps
the SKETCH_SIZE smallest hashes of the shingles (Broder's bottom-k MinHash):
one hash a shingle, a fixed size whatever the length, and the Jaccard of two
documents is estimated from their sketches alone (exact below SKETCH_SIZE
shingles).  Pure and deterministic: CRC-32 mixed, not Python's salted ``hash``.
"""

import array
import sys
import zlib

from indexer import analysis
from indexer.analysis import native

SHINGLE_WORDS = 3
SKETCH_SIZE = 64  # standard error of the estimate about 0.05 at a Jaccard of 0.8


_MASK = 0xFFFFFFFF
# A 32-bit hash a 64-bit lane of one integer: the mixing below works on every
# lane at once, as no step carries into the next lane (a product of two
# 32-bit numbers fits in 64 bits, and each shift is masked).
_LANE = (_MASK).to_bytes(8, "little")


def _hash(shingle: str) -> int:
    """A 32-bit hash: CRC-32 (in C) through MurmurHash3's finaliser, which breaks
    CRC's linearity so the smallest hashes are a fair sample of the shingles.
    PERF: half the time of BLAKE2b, which was as slow as the whole analysis."""
    h = zlib.crc32(shingle.encode("utf-8"))
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    return h ^ (h >> 16)


def _hashes(shingles) -> array.array:
    """``_hash`` of every shingle, mixed in one integer.

    PERF: a few operations on one large integer instead of five a shingle in
    Python: a third of a reindex's analysis time, before.
    """
    lanes = array.array("Q", map(zlib.crc32, map(str.encode, shingles)))
    if sys.byteorder == "big":
        lanes.byteswap()
    mask = int.from_bytes(_LANE * len(lanes), "little")
    h = int.from_bytes(lanes, "little")
    h ^= h >> 16 & mask
    h = h * 0x85EBCA6B & mask
    h ^= h >> 13 & mask
    h = h * 0xC2B2AE35 & mask
    h ^= h >> 16 & mask
    mixed = array.array("Q", h.to_bytes(8 * len(lanes), "little"))
    if sys.byteorder == "big":
        mixed.byteswap()
    return mixed


def signature(words: str) -> str:
    """The sketch of space-separated normalised words: hex hashes, ascending, space-separated.

    "" for fewer than SHINGLE_WORDS words: too little text to call two documents the same.

    >>> signature("وزير نفط يزور حقول") == signature("وزير  نفط يزور حقول")
    True
    >>> signature("وزير نفط")
    ''
    """
    return terms_signature(words.split())


def terms_signature(terms: list[str]) -> str:
    """``signature`` of the words, split."""
    # A shingle's repeats hash alike: the set of hashes is the shingles' set's.
    shingles = map(" ".join, zip(*(terms[i:] for i in range(SHINGLE_WORDS))))
    smallest = array.array("I", sorted(set(_hashes(shingles)))[:SKETCH_SIZE])
    if sys.byteorder == "little":  # hex digits most significant first
        smallest.byteswap()
    return smallest.tobytes().hex(" ", 4)


def _stream_signature(stream: str, skip: int) -> str:
    """The signature of a term stream's terms past the first ``skip``, or of all
    of them when fewer than SHINGLE_WORDS remain; made by the compiled core
    when it is in use (a third of the analysis workers' time in Python)."""
    words = stream.split()
    body = words[skip:]
    return terms_signature(body if len(body) >= SHINGLE_WORDS else words)


stream_signature = analysis.backed(
    _stream_signature,
    lambda _core, stream, skip: native.bahth_native.stream_signature(
        stream, skip, SHINGLE_WORDS, SKETCH_SIZE
    ),
)


def sketch(signature_text: str) -> frozenset[int]:
    """A stored signature read back as its set of hashes."""
    # PERF: one hex decode and one array, not an int() a hash (a tenth of a page's time).
    hashes = array.array("I", bytes.fromhex(signature_text.replace(" ", "")))
    if sys.byteorder == "little":  # written big-endian: the hashes' order is their values'
        hashes.byteswap()
    return frozenset(hashes)


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """The estimated Jaccard similarity of the two documents whose sketches these are.

    The SKETCH_SIZE smallest hashes of both sketches together are a random
    sample of the union's shingles; the share of them in both sketches
    estimates the share of the union in both documents.  0 if either is empty.
    """
    if not a or not b:
        return 0.0
    union = a | b  # PERF: set operations and sorted() in C; heapq.nsmallest was 20 ms a page
    both = a & b
    if len(union) <= SKETCH_SIZE:  # every shingle of both documents: exact
        return len(both) / len(union)
    return len(both.intersection(sorted(union)[:SKETCH_SIZE])) / SKETCH_SIZE


def near(a: frozenset[int], b: frozenset[int], threshold: float) -> bool:
    """True when ``similarity(a, b) >= threshold``, refused cheaply where it cannot be.

    The sample holds at least the larger sketch's size, so reaching the
    threshold needs that share of it in both sketches.
    """
    return len(a & b) >= threshold * max(len(a), len(b)) and similarity(a, b) >= threshold
