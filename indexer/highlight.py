"""Highlighting in the ORIGINAL text: each matched word wrapped in <mark>.

Words are found with their offsets in the stored text (diacritics kept), so
a mark always covers the whole written word, marks included: never
``<mark>الرئيس</mark>ُ``.  Everything outside the marks is HTML-escaped.
"""

from html import escape

from indexer.analysis import Term
from indexer.analysis import analyse_spans

SNIPPET_CHARS = 240
_LEAD = 60  # context kept before the first match of the snippet window


class Matcher:
    """Which written words count as a match for a query."""

    def __init__(self, terms):
        self.stems = {t.stem for t in terms}
        self.exacts = {t.exact for t in terms}

    def matches(self, term: Term) -> bool:
        return term.stem in self.stems or term.exact in self.exacts

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [(s, e) for term, s, e in analyse_spans(text) if self.matches(term)]


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
    """The window of ``text`` with the most matches, as HTML; the start if none match."""
    spans = matcher.spans(text)
    start = 0
    if spans and len(text) > width:
        best = max(range(len(spans)), key=lambda i: sum(1 for s, _ in spans[i:] if s < spans[i][0] + width))
        start = _word_start(text, max(0, spans[best][0] - _LEAD))
    end = _word_end(text, min(len(text), start + width))
    inside = [(s, e) for s, e in spans if s >= start and e <= end]
    html = mark(text[start:end], [(s - start, e - start) for s, e in inside])
    return ("… " if start > 0 else "") + html.strip() + (" …" if end < len(text) else "")


def _word_start(text: str, i: int) -> int:
    while 0 < i < len(text) and not text[i - 1].isspace():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i
