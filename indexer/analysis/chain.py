"""The analysis chain in Python: the reference every back-end must match.

    text ─► normalise ─► words ─► drop stop words ─► (exact, light stem, root)

The same chain serves documents and queries.  Text is cut at white space
and each chunk analysed once and cached (chunks follow Zipf's law, so nearly
every chunk of a new article is a cache hit); ``analyse_spans`` also gives
offsets into the original text, and ``chunks`` finds the chunks and their
offsets for the highlighter.  Both give the same terms.
"""

import re
from functools import lru_cache
from itertools import accumulate
from itertools import chain
from operator import itemgetter
from operator import methodcaller
from typing import NamedTuple

from indexer.analysis.stem import root
from indexer.analysis.stem import stem
from indexer.analysis.stopwords import is_stop_word
from indexer.analysis.tokenise import spans

_SPACES = re.compile(r"(\s+)")

# Punctuation that is never part of a word (no letter, digit or mark): a
# chunk has the terms of the chunk without it at its ends, so الرئيس، and
# «الرئيس share the cached analysis of الرئيس.  In news text half of the
# distinct chunks carry some.
EDGE_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~،؛؟«»…“”‘’–—•"
trim = methodcaller("strip", EDGE_PUNCTUATION)


class Term(NamedTuple):
    """One content word in its three search forms."""

    exact: str  # normalised, unstemmed: exact forms rank first
    stem: str  # light stem: the main matching form
    root: str  # ISRI root: recall across derived forms


@lru_cache(maxsize=300_000)
def analyse_word(word: str) -> Term | None:
    """The search forms of one normalised word; None for a stop word."""
    if is_stop_word(word):
        return None
    return Term(word, stem(word), root(word))


class Chunk(NamedTuple):
    """The content terms of one white-space-free chunk and their offsets in it."""

    terms: tuple[Term, ...]
    offsets: tuple[tuple[int, int], ...]


@lru_cache(maxsize=300_000)
def analyse_chunk(chunk: str) -> Chunk:
    """Content terms of one white-space-free chunk, with offsets in the chunk."""
    terms, offsets = [], []
    for span in spans(chunk):
        term = analyse_word(span.text)
        if term is not None:
            terms.append(term)
            offsets.append((span.start, span.end))
    return Chunk(tuple(terms), tuple(offsets))


def chunk_stems(chunk: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """The light stems of ``analyse_chunk``, and their offsets, without the rest.

    For the highlighter: it needs neither exact forms nor roots, the dearest
    step of the analysis, and keeps a cache of its own.
    """
    found = [(stem(s.text), (s.start, s.end)) for s in spans(chunk) if not is_stop_word(s.text)]
    return tuple(s for s, _ in found), tuple(o for _, o in found)


_terms_of = itemgetter(0)


def analyse(text: str) -> list[Term]:
    """Content terms of ``text`` in order.

    >>> [t.stem for t in analyse("قُتل المدنيون في الغارات")]
    ['قتل', 'مدن', 'غار']
    """
    return analyse_chunks(trimmed_chunks(text))


def trimmed_chunks(text: str) -> list[str]:
    """The white-space-free chunks of ``text``, edge punctuation trimmed: what
    indexing analyses and counts, each chunk trimmed once."""
    return list(map(trim, text.split()))


def analyse_chunks(chunks: list[str]) -> list[Term]:
    """Content terms of white-space-free chunks in order.

    Any chunks give the same terms; trimmed ones (``trimmed_chunks``) share
    cache entries.
    """
    # PERF: indexing's hot loop; map/chain keep it in C (3× a comprehension).
    return list(chain.from_iterable(map(_terms_of, map(analyse_chunk, chunks))))


def chunks(text: str) -> tuple[list[str], list[int]]:
    """The white-space-free chunks of ``text`` and where each starts, found in C.

    >>> chunks(" قال  الرئيس")
    (['', 'قال', 'الرئيس'], [0, 1, 6])
    """
    pieces = _SPACES.split(text)  # chunk, spaces, chunk, ...: chunks at even places
    return pieces[::2], list(accumulate(map(len, pieces), initial=0))[::2]


def analyse_spans(text: str) -> list[tuple[Term, int, int]]:
    """Content terms of ``text`` with their offsets in the original."""
    result = []
    for chunk, base in zip(*chunks(text)):
        terms, offsets = analyse_chunk(chunk)
        result.extend(
            (term, base + start, base + end) for term, (start, end) in zip(terms, offsets)
        )
    return result


class FieldStreams(NamedTuple):
    """A document's content terms as streams, each its terms joined by single spaces."""

    exact: str
    stem: str
    root: str
    lead: str  # the stems of the first ``lead_terms`` terms
    title: str  # the title's stems: the title's terms come first in the others


def field_streams(title: str, body: str, lead_terms: int) -> FieldStreams | None:
    """The streams of a document's terms; None if it has no content words.

    >>> field_streams("الرئيس يصل", "وصل الرئيسُ إلى لبنان", 2).lead
    'رييس يصل'
    """
    title_terms = analyse_chunks(trimmed_chunks(title))
    terms = title_terms + analyse_chunks(trimmed_chunks(body))
    if not terms:
        return None
    exacts, stems, roots = zip(*terms)
    return FieldStreams(
        " ".join(exacts),
        " ".join(stems),
        " ".join(roots),
        " ".join(stems[:lead_terms]),
        " ".join(t.stem for t in title_terms),
    )
