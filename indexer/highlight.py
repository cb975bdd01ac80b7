"""Highlighting in the ORIGINAL text: each matched word wrapped in <mark>.

Words are found with their offsets in the stored text (diacritics kept), so
a mark always covers the whole written word, marks included: never
``<mark>الرئيس</mark>ُ``.  Everything outside the marks is HTML-escaped.
"""

from functools import lru_cache
from html import escape
from itertools import compress
from operator import itemgetter
from operator import not_

from indexer.analysis import Term
from indexer.analysis import chunks
from indexer.analysis import is_stop_word
from indexer.analysis import spans
from indexer.analysis import stem

SNIPPET_CHARS = 240
_LEAD = 60  # context kept before the first match of the snippet window
_SCAN_BLOCK = 500  # characters analysed first while looking for a match; doubled each time


@lru_cache(maxsize=50_000)
def _stemmed_chunk(chunk: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """Light stems of a chunk's content words and their offsets in it.

    Highlighting needs neither roots nor exact forms: this skips the root
    stemmer (the dearest step of the analysis) and leaves analyse_chunk's
    cache, sized for indexing, to indexing.  Gives the stems of analyse_chunk.
    """
    found = [(stem(s.text), (s.start, s.end)) for s in spans(chunk) if not is_stop_word(s.text)]
    return tuple(s for s, _ in found), tuple(o for _, o in found)


_stems_of = itemgetter(0)


class Matcher:
    """Which written words count as a match for a query: those with a query word's light stem.

    (A word's exact form determines its stem, so exact matches are among them.)
    """

    def __init__(self, terms):
        self.stems = frozenset(t.stem for t in terms)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Offsets of the matching words in ``text``.

        PERF: the cost of a snippet: chunks are tested in C (split, cached
        stems, set tests); only the chunks that match are looked at here.
        """
        words, starts = chunks(text)
        stemmed = list(map(_stemmed_chunk, words))
        hits = compress(range(len(words)), map(not_, map(self.stems.isdisjoint, map(_stems_of, stemmed))))
        found = []
        for i in hits:
            stems, offsets = stemmed[i]
            found.extend((starts[i] + s, starts[i] + e) for stem_, (s, e) in zip(stems, offsets)
                         if stem_ in self.stems)
        return found


def mark(text: str, spans) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def highlight(text: str, matcher: Matcher) -> str:
    """The whole ``text`` as HTML with matches marked.

    >>> highlight("قال الرَّئِيسُ <b>", Matcher([Term("الرييس", "رييس", "ريس")]))
    'قال <mark>الرَّئِيسُ</mark> &lt;b&gt;'
    """
    return mark(text, matcher.spans(text))


def snippet(text: str, matcher: Matcher, width: int = SNIPPET_CHARS) -> str:
    """The window of ``text`` with the most matches, as HTML; the start if none match.

    PERF: only the first block of text holding a match is analysed (blocks
    are cut at white space, so words come out as in the whole text, and
    double in size from a paragraph): the cost per hit stays that of a
    paragraph or a few, not of the whole article.
    """
    if len(text) <= width:
        return highlight(text, matcher).strip()
    matches, scanned = _first_matches(text, matcher)
    start = _word_start(text, max(0, matches[_densest(matches, width)][0] - _LEAD)) if matches else 0
    end = _word_end(text, min(len(text), start + width))
    if end <= scanned:  # the window's matches are known: the text before the block held none
        html = mark(text[start:end], [(s - start, e - start) for s, e in matches if start <= s and e <= end])
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


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i
