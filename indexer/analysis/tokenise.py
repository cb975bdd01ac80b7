"""Tokenising: words of normalised text, with or without offsets.

``words`` is the fast path for indexing and queries (normalise the whole text,
then split).  ``spans`` keeps character offsets into the ORIGINAL text for
highlighting: it finds raw words first, marks and tatweel included, and
normalises each one, so a vowelled word is one token and its marks stay
inside its span.
"""

import re
from typing import NamedTuple

from indexer.analysis.normalise import IN_WORD
from indexer.analysis.normalise import is_plain_arabic
from indexer.analysis.normalise import normalise
from indexer.analysis.normalise import normalise_word

# NOTE: Python's \w does not match Arabic combining marks, so a vowelled word
# would fall apart at every haraka; raw words take the marks in explicitly.
RAW_WORD = re.compile(rf"(?:[^\W_]|[{re.escape(IN_WORD)}])+")
WORD = re.compile(r"[^\W_]+")


class Span(NamedTuple):
    """A normalised word and where it stands in the original text."""

    text: str
    start: int
    end: int


def words(text: str) -> list[str]:
    """Normalised words of ``text`` in order.

    >>> words("وَقَالَ الرَّئِيسُ: ١٢٥٧")
    ['وقال', 'الرييس', '1257']
    """
    return WORD.findall(normalise(text))


def spans(text: str) -> list[Span]:
    """Normalised words of ``text`` with their offsets in ``text``.

    A raw word that normalises to several words (a ligature such as ﷺ) gives
    each of them the raw word's span; one that normalises to nothing (marks
    alone) gives none.
    """
    if is_plain_arabic(text):  # PERF: most chunks of a text are one word of plain letters
        return [Span(normalise_word(text), 0, len(text))]
    result = []
    for match in RAW_WORD.finditer(text):
        for word in WORD.findall(normalise_word(match.group())):
            result.append(Span(word, match.start(), match.end()))
    return result
