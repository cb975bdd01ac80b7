"""Arabic analysis: text in, terms out.  Knows nothing of any search engine.

    text ─► normalise ─► words ─► drop stop words ─► (exact, light stem, root)

The same chain serves documents and queries.  Text is cut at white space
and each chunk analysed once and cached (chunks follow Zipf's law, so nearly
every chunk of a new article is a cache hit); ``analyse_spans`` also gives
offsets into the original text, for highlighting.  Both give the same terms.
"""

import re
from functools import lru_cache
from typing import NamedTuple

from indexer.analysis.normalise import normalise
from indexer.analysis.stem import root
from indexer.analysis.stem import stem
from indexer.analysis.stopwords import is_stop_word
from indexer.analysis.tokenise import spans
from indexer.analysis.tokenise import words

__all__ = ["Term", "analyse", "analyse_spans", "analyse_word", "analyse_chunk", "normalise", "stem", "root",
           "words", "spans", "is_stop_word"]


_CHUNK = re.compile(r"\S+")


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


@lru_cache(maxsize=300_000)
def analyse_chunk(chunk: str) -> tuple[tuple[Term, int, int], ...]:
    """Content terms of one white-space-free chunk, with offsets in the chunk."""
    result = []
    for span in spans(chunk):
        term = analyse_word(span.text)
        if term is not None:
            result.append((term, span.start, span.end))
    return tuple(result)


def analyse(text: str) -> list[Term]:
    """Content terms of ``text`` in order.

    >>> [t.stem for t in analyse("قُتل المدنيون في الغارات")]
    ['قتل', 'مدن', 'غار']
    """
    return [term for chunk in text.split() for term, _, _ in analyse_chunk(chunk)]


def analyse_spans(text: str) -> list[tuple[Term, int, int]]:
    """Content terms of ``text`` with their offsets in the original."""
    return [
        (term, chunk.start() + start, chunk.start() + end)
        for chunk in _CHUNK.finditer(text)
        for term, start, end in analyse_chunk(chunk.group())
    ]
