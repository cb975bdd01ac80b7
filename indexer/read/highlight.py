"""Highlighting in the ORIGINAL text: each matched word wrapped in <mark>.

Words are found with their offsets in the stored text (diacritics kept), so
a mark always covers the whole written word, marks included: never
``<mark>الرئيس</mark>ُ``.  Everything outside the marks is HTML-escaped.
"""

import re
import unicodedata
from functools import cache
from functools import lru_cache
from html import escape
from itertools import compress
from operator import itemgetter
from operator import not_

from indexer.analysis import Term  # noqa: F401 (the doctests build Terms)
from indexer.analysis import active_core
from indexer.analysis import chunk_stems
from indexer.analysis import chunks
from indexer.analysis import normalise
from indexer.analysis.normalise import LETTER_FOLDS

SNIPPET_CHARS = 240
_LEAD = 60  # context kept before the first match of the snippet window
_SCAN_BLOCK = 500  # characters analysed first while looking for a match; doubled each time


# Snippets analyse only words that may match: a cache of its own, sized for
# serving, so the indexing-sized analyse_chunk cache stays unfilled.
_stemmed_chunk = lru_cache(maxsize=50_000)(chunk_stems)


_stems_of = itemgetter(0)


class Matcher:
    """Which written words count as a match for a query: those with a query word's light stem.

    (A word's exact form determines its stem, so exact matches are among them.)
    """

    def __init__(self, terms):
        self.stems = frozenset(t.stem for t in terms)
        self._stem_list = sorted(self.stems)
        self._needles = _needles(self.stems)
        numbers = any(_NUMBER.fullmatch(s) for s in self.stems)
        self._unsafe = _unsafe(numbers) if self._needles is not None else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Offsets of the matching words in ``text``.

        PERF: a snippet's cost.  A word with a query stem holds the stem's
        letters once its letters are folded, so only the chunks where a
        stem's letters occur can match: finding them is a few substring
        searches in C, and only those chunks (and any holding a character
        normalisation deletes or expands) are analysed.  The compiled core,
        when in use, tokenises every word and stems those holding a stem.
        """
        found = _native("match_spans", text, self)
        if found is not None:
            return found
        if self._needles is None:
            return self._spans_of_chunks(*chunks(text))
        found = {_word_start(text, odd.start()) for odd in self._unsafe.finditer(text)}
        folded = text.encode("utf-32-le", "surrogatepass")[::4].translate(
            _FOLD
        )  # a byte a character
        for needle in self._needles:
            at = folded.find(needle)
            while at >= 0:
                found.add(_word_start(text, at))
                at = folded.find(needle, at + 1)
        starts = sorted(found)
        return self._spans_of_chunks([_REST_OF_WORD.match(text, s).group() for s in starts], starts)

    def _spans_of_chunks(self, words: list[str], starts: list[int]) -> list[tuple[int, int]]:
        """Matches in the given chunks of a text, which start at ``starts``: tested in C."""
        stemmed = list(map(_stemmed_chunk, words))
        hits = compress(
            range(len(words)), map(not_, map(self.stems.isdisjoint, map(_stems_of, stemmed)))
        )
        found = []
        for i in hits:
            stems, offsets = stemmed[i]
            found.extend(
                (starts[i] + s, starts[i] + e)
                for stem_, (s, e) in zip(stems, offsets)
                if stem_ in self.stems
            )
        return found


# Text is searched by the low byte of each character's code point, with
# letters folded as normalisation folds them, one Arabic letter to another.
# A character of another block may look like an Arabic letter (J like ي):
# such a chunk is analysed for nothing, but no match is missed.
_ARABIC_FOLDS = {k: v for k, v in LETTER_FOLDS.items() if ord(k) >> 8 == ord(v) >> 8 == 0x06}
_FOLD = bytes.maketrans(
    bytes(ord(k) & 0xFF for k in _ARABIC_FOLDS),
    bytes(ord(v) & 0xFF for v in _ARABIC_FOLDS.values()),
)
_LETTERS = re.compile("[\u0621-\u064a\u066e-\u06d3]+")
_NUMBER = re.compile("[0-9]+")


def _needles(stems) -> tuple[bytes, ...] | None:
    """What to look for in folded text; None unless every stem is Arabic letters or digits."""
    if not all(_LETTERS.fullmatch(s) or _NUMBER.fullmatch(s) for s in stems):
        return None  # Latin is lower-cased, which no fold of bytes can do: chunk by chunk
    # Light stemming only cuts letters off a normalised word: its stem is a
    # substring of it (tests hold it to that).
    return tuple(s.encode("utf-32-le")[::4] for s in stems)


@cache
def _unsafe(numbers: bool) -> re.Pattern:
    """Characters whose words must be analysed to know their stems.

    Those normalisation deletes (marks, tatweel) or expands (ligatures),
    combining marks (they may compose with a neighbour), those it folds
    into an Arabic letter from another block (presentation forms; past the
    BMP, Arabic mathematical letters: all of it is listed) and, with
    ``numbers``, every digit but ASCII (each folds to ASCII).
    """
    odd, digits = _odd_characters()
    return re.compile(f"[{re.escape(odd + digits if numbers else odd)}\U00010000-\U0010ffff]")


@cache
def _odd_characters() -> tuple[str, str]:
    """The BMP's characters ``_unsafe`` always lists, and its other digits: one
    pass over it (about 0.15 s), once per process.
    """
    odd, digits = [], []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = normalise(char)
        if folded == char and not unicodedata.combining(char):
            continue
        if (
            len(folded) != 1
            or unicodedata.combining(char)
            or _LETTERS.fullmatch(folded)
            and char not in _ARABIC_FOLDS
        ):
            odd.append(char)
        elif folded.isdigit():
            digits.append(char)
    return "".join(odd), "".join(digits)


def prepare() -> None:
    """Build the character classes now, not on a process's first search (0.15 s)."""
    _unsafe(False)
    _unsafe(True)


def mark(text: str, spans) -> str:
    """``text`` escaped, each span in <mark>; a repeated span (the words of a
    ligature share its span) is marked once.

    >>> mark("ﷺ <", [(0, 1), (0, 1)])
    '<mark>ﷺ</mark> &lt;'
    """
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def _native(method: str, text: str, matcher: Matcher, *more):
    """The compiled core's ``method`` for a snippet or a highlight; None without a core."""
    core = active_core()
    if core is None:
        return None
    try:
        return getattr(core, method)(text, matcher._stem_list, *more)
    except ValueError:  # a lone surrogate: only the chain takes it
        return None


def highlight(text: str, matcher: Matcher) -> str:
    """The whole ``text`` as HTML with matches marked.

    >>> highlight("قال الرَّئِيسُ <b>", Matcher([Term("الرييس", "رييس", "ريس")]))
    'قال <mark>الرَّئِيسُ</mark> &lt;b&gt;'
    """
    html = _native("highlight", text, matcher)
    return mark(text, matcher.spans(text)) if html is None else html


def snippet(text: str | bytes, matcher: Matcher, width: int = SNIPPET_CHARS) -> str:
    """The window of ``text`` with the most matches, as HTML; the start if none match.

    ``text`` may come as its UTF-8 bytes, as a hit's body may (``Hit``): the
    compiled core reads them as they are.

    PERF: only the first block of text holding a match is analysed (blocks
    are cut at white space, so words come out as in the whole text, and
    double in size from a paragraph): the cost per hit stays that of a
    paragraph or a few, not of the whole article.  The compiled core, when
    in use, does the same steps.
    """
    html = _native("snippet", text, matcher, width, _LEAD, _SCAN_BLOCK)
    if html is not None:
        return html
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if len(text) <= width:
        return highlight(text, matcher).strip()
    matches, scanned = _first_matches(text, matcher)
    start = (
        _word_start(text, max(0, matches[_densest(matches, width)][0] - _LEAD)) if matches else 0
    )
    end = _word_end(text, min(len(text), start + width))
    if end <= scanned:  # the window's matches are known: the text before the block held none
        html = mark(
            text[start:end], [(s - start, e - start) for s, e in matches if start <= s and e <= end]
        )
    else:
        html = highlight(text[start:end], matcher)
    return ("… " if start > 0 else "") + html.strip() + (" …" if end < len(text) else "")


def _first_matches(text: str, matcher: Matcher) -> tuple[list[tuple[int, int]], int]:
    """The matches in the first block of ``text`` holding any, and where that block ends."""
    start, block = 0, _SCAN_BLOCK
    while start < len(text):
        end = _word_end(text, min(len(text), start + block))
        found = matcher.spans(text[start:end])
        if found:
            return [(s + start, e + start) for s, e in found], end
        start, block = end, block * 2
    return [], len(text)


def _densest(spans: list[tuple[int, int]], width: int) -> int:
    """Index of the span that starts the window of ``width`` with the most spans."""
    best, best_count, j = 0, 0, 0
    for i, (s, _) in enumerate(spans):
        while j < len(spans) and spans[j][0] < s + width:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    return best


def _word_start(text: str, i: int) -> int:
    while 0 < i < len(text) and not text[i - 1].isspace():
        i -= 1
    return i


_REST_OF_WORD = re.compile(r"\S*")


def _word_end(text: str, i: int) -> int:
    return _REST_OF_WORD.match(text, i).end()  # PERF: in C
