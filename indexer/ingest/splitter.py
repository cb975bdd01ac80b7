"""Split a scraped headline ticker: headlines glued together with no separator.

Marked joins come first: an end mark (؟ ! …) or closing quote meeting the next
word, an opening quote or a number glued to a word, and letters that only end
a word (ة ى, tanween, the alef after fathatan) found inside one.  Unmarked joins
(شهراستقالة) come from a unigram lexicon: a word too rare to be listed is cut
where both halves are listed words and far likelier than the rare whole.
"""

import functools
import importlib.resources
import itertools
import math
import re
from typing import NamedTuple

from indexer.analysis.normalise import IN_WORD, normalise

# Log-odds a split must win by (tuned on `python -m bench.splitter --sweep`).
SPLIT_THRESHOLD = 11.0
# An unseen word costs a factor of 10 per letter, as in Norvig's segmenter:
# the longer a rare "word", the likelier it is two words glued together.
LETTER_COST = math.log(10)
MIN_PART = 3  # letters in each half: shorter halves are mostly affixes (يطلق|ان)
MAX_WORD = 40  # letters and marks: no pair of words is longer; cutting is quadratic

_LETTERS = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"  # tatweel (U+0640) left out
_MARKS = re.escape(IN_WORD)  # harakat, tatweel, invisible joiners
_LETTER = f"[{_LETTERS}]"
# Letters glued to a number as its unit: 2015م (year), 1436هـ (hijri), 100م (metres).
_UNIT = r"(?:هـ|[مه](?![\u0621-\u064a]))"
# What may begin a headline glued to the previous one.
_STARTS = re.compile(rf"[“«(\"\d]|{_LETTER}")
_MARKER = re.compile(
    # A lone period is no end mark: ".." joins phrases inside headlines.
    r"(?P<end>[؟?!…][.؟?!…]*[”»]*)"
    r"|(?P<close>[”»)])"  # brackets act as quotes: (فيديو)
    r"|(?P<open>[“«(])"
    r"|(?P<straight>\")"
    rf"|(?P<final>[ةى][{_MARKS}]*+(?=[^\Wء\d_]))"  # ى before ء is a hamza seat: الطوارىء
    # Fathatan is written on an alef (عاماً) or before one (عامًا); the
    # possessive ?+ stops that alef being taken for the next word's start.
    rf"|(?P<tanween>(?:(?<=ا)ً|ً[{_MARKS}]*+ا?+|[ٌٍ])[{_MARKS}]*+(?=[^\W\d_]))"
    rf"|(?P<to_digit>(?<=[{_LETTERS}{_MARKS}])(?=\d))"
    rf"|(?P<from_digit>[\d%]+(?=[“«]|{_LETTER})(?!{_UNIT}))"
)
_WORD = re.compile(rf"{_LETTER}[{_LETTERS}{_MARKS}]*")  # what the lexicon judges
# Bare prefixes (و ف, ب ك ل, ال, لل) or a word ending in tatweel: they attach
# to the quote or number after them (بـ«داعش», و«النصرة», بـ5), and are never
# the last word of a headline.
_PREFIX = re.compile(r"[وف]?(?:[بك]?(?:ال)?|لل?)|.*ـ")


class Lexicon(NamedTuple):
    """Log probabilities of the listed words, and of a word seen once."""

    logp: dict[str, float]
    once: float


@functools.cache
def lexicon() -> Lexicon:
    """The shipped frequency list (normalised word<TAB>count), loaded once."""
    path = importlib.resources.files("indexer.ingest").joinpath("data/lexicon.tsv")
    counts = {}
    for line in path.read_text("utf-8").splitlines():
        word, _, count = line.partition("\t")
        if count.isdigit():
            counts[word] = int(count)
    total = sum(counts.values()) or 1
    return Lexicon({w: math.log(c / total) for w, c in counts.items()}, math.log(1 / total))


def _word_before(line: str, pos: int) -> str:
    """The letters, digits and marks that end right before ``pos``, marks removed."""
    # Looking back MAX_WORD characters is enough to tell a bare prefix, and
    # keeps a long run of glued numbers and letters linear.
    start, stop = pos, max(0, pos - MAX_WORD)
    while start > stop and (line[start - 1].isalnum() or line[start - 1] in IN_WORD):
        start -= 1
    return "".join(ch for ch in line[start:pos] if ch not in IN_WORD or ch == "ـ")


def _after_word(line: str, pos: int) -> bool:
    """True when ``pos`` follows a word that is not a bare prefix."""
    word = _word_before(line, pos)
    return bool(word) and not _PREFIX.fullmatch(word)


def _starts_headline(line: str, pos: int) -> bool:
    return bool(_STARTS.match(line, pos))


def _marked_boundary(line: str, match: re.Match, quote_open: bool) -> int | None:
    """Where the marker ``match`` makes a headline start, or None."""
    kind, start, end = match.lastgroup, match.start(), match.end()
    if kind == "end":
        if quote_open and line.startswith('"', end):
            end += 1  # the straight quote closes this headline's quotation
        return end if _starts_headline(line, end) else None
    if kind == "close":
        return end if _after_word(line, start) and _starts_headline(line, end) else None
    if kind in ("open", "to_digit"):
        return start if _after_word(line, start) else None
    if kind == "straight":
        if not _after_word(line, start):
            return None
        # A straight quote closes the quotation open in this headline, else
        # it opens the next headline.
        if quote_open:
            return end if _starts_headline(line, end) else None
        return start
    return end  # final letter, tanween or number: the lookahead saw the next word


def marked_boundaries(line: str) -> list[int]:
    """Offsets where punctuation, quotes, numbers or final letters start a headline."""
    quotes = list(itertools.accumulate((ch == '"' for ch in line), initial=0))
    bounds = [0]
    for match in _MARKER.finditer(line):
        quote_open = (quotes[match.start()] - quotes[bounds[-1]]) % 2 == 1
        bound = _marked_boundary(line, match, quote_open)
        if bound is not None and bound > bounds[-1]:
            bounds.append(bound)
    return bounds[1:]


def _is_pair(head: str, tail: str, logp: dict[str, float]) -> bool:
    return (len(head) >= MIN_PART and len(tail) >= MIN_PART and head in logp
            and tail in logp and not _PREFIX.fullmatch(head))


def lexicon_cut(word: str, threshold: float = SPLIT_THRESHOLD) -> int | None:
    """Offset inside ``word`` (letters and marks) where two words meet, or None."""
    if len(word) > MAX_WORD:
        return None
    logp, once = lexicon()
    # Normalised letter by letter so that each cut has its normalised halves;
    # a mark normalises to "" and a cut before it is skipped.
    letters = [normalise(char) for char in word]
    whole = "".join(letters)
    if whole in logp:
        return None  # a listed (frequent) word is never split
    best, best_score = None, once - LETTER_COST * len(whole) + threshold
    for cut in range(1, len(word)):
        head, tail = "".join(letters[:cut]), "".join(letters[cut:])
        if letters[cut] and _is_pair(head, tail, logp):
            score = logp[head] + logp[tail]
            if score > best_score:
                best, best_score = cut, score
    return best


def boundaries(line: str, threshold: float = SPLIT_THRESHOLD) -> list[int]:
    """Offsets in ``line`` where a headline starts (the first one excluded)."""
    marked = marked_boundaries(line)
    found = set(marked)
    edges = [0, *marked, len(line)]
    for start, end in zip(edges, edges[1:]):
        for match in _WORD.finditer(line, start, end):
            cut = lexicon_cut(match.group(), threshold)
            if cut is not None:
                found.add(match.start() + cut)
    return sorted(found)


def split_ticker(line: str) -> list[str]:
    """The headlines of ``line``, as written there and in order."""
    edges = [0, *boundaries(line), len(line)]
    pieces = (line[start:end].strip() for start, end in zip(edges, edges[1:]))
    return [piece for piece in pieces if piece]
