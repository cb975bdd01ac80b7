"""Split a scraped headline ticker: headlines glued together with no separator.

Marked joins come first: an end mark (؟ ! …) or closing quote meeting the next
word, an opening quote or a number glued to a word, letters that only end a
word (ة ى, tanween, the alef after fathatan) found inside one, and a bidi mark
after a letter or a closing quote.  Unmarked joins (شهراستقالة) are left to a
small logistic model: every cut inside a word is scored by the word counts and letter
trigrams of the news texts, how often titles start or end with each half, the
collocations the halves make with the words beside them, and whether a half
is a listed word with affixes; a word's best cut is kept when it scores above
zero, a second cut inside one of its parts only above a penalty.  The tables
and weights are built by ``python -m bench.build_lexicon`` from a training
part of the news corpus and loaded on the first split; ``python -m
bench.splitter`` scores them on the rest.
"""

import array
import bisect
import collections
import functools
import importlib.resources
import itertools
import json
import math
import re
import sys
import zlib
from collections.abc import Iterator
from typing import NamedTuple

from indexer.analysis.normalise import IN_WORD
from indexer.analysis.normalise import normalise
from indexer.analysis.stem import stem
from indexer.write.ingest.affixes import affixed

LEXICON = "lexicon.tsv"  # normalised word<TAB>count, from news texts and titles
TITLE_WORDS = "title_words.tsv"  # word<TAB>titles<TAB>first word of<TAB>last word of
TOTALS = "*"  # the title table's row of totals
# three letters<TAB>words they are in (^^ and $ padding), after a row of
# totals: occurrences of unlisted words, of all words
TRIGRAMS = "letter_trigrams.tsv"
PAIRS = "collocations.bin"  # pair_hash of frequent, associated word pairs: uint32, little-endian
WEIGHTS = "cut_weights.json"  # the weights of FEATURES, tuned by bench.build_lexicon
# What is known of a cut inside a word: a constant; how much likelier two
# words are than one, by the word counts and by the letters; how apt the head
# is to end a title and the tail to start one; which of the head, the tail
# and the whole are listed; a tail starting with the article; a short part;
# whether the word before and the head, the tail and the word after, or the
# whole and either neighbour are a collocation of the news texts; whether
# the whole, unlisted, is a listed word with affixes (يقلعون: يقلع); whether
# the halves are a collocation written glued (فماهي); a tail that is the د
# of د. (doctor), a common first word; whether the head, the tail, unlisted,
# are listed words with affixes (بالمطلقات); a cut inside a part of a word
# already cut, which would make that part a one-word title (rare: 0.5 %).
FEATURES = (
    "bias",
    "gain",
    "letter_gain",
    "head_ends",
    "tail_starts",
    "head_unlisted",
    "tail_unlisted",
    "whole_listed",
    "tail_article",
    "short_part",
    "head_after_before",
    "tail_before_after",
    "whole_beside",
    "whole_inflected",
    "halves_together",
    "tail_doctor",
    "head_affixed",
    "tail_affixed",
    "in_part",
)
SMOOTHING = 25.0  # titles' worth of the average rate a word's own rates are pulled to
MIN_PART = 3  # letters in each half, unless both halves are listed words
MIN_LISTED = 2  # letters in a listed half: لم, هل, في
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
    # ر between digits is a decimal comma in Saudi print (7ر5 is 7.5).
    rf"|(?P<to_digit>(?<=[{_LETTERS}{_MARKS}])(?<!\dر)(?=\d))"
    rf"|(?P<from_digit>[\d%]+(?=[“«]|{_LETTER})(?!{_UNIT}|ر\d))"
    # A left- or right-to-left mark after a word, a closing quote or an end
    # mark, before a word, quote or number: titles end with one (three times
    # as often as they start with one), words never hold one.
    rf"|(?P<bidi>(?<=[{_LETTERS}{_MARKS}”»)\"؟?!…])[\u200e\u200f]+(?=[“«(\"\d]|{_LETTER}))"
)
# A number inside guillemets or curly quotes is part of the quoted name
# («آيفون6S», «أبرامز إم1»), when the quote closes soon after it.
_QUOTED = {"«": "»", "“": "”"}
QUOTED_NAME = 40  # characters: a quoted name closes within them
_WORD = re.compile(rf"{_LETTER}[{_LETTERS}{_MARKS}]*")  # what the lexicon judges
# Bare prefixes (و ف, ب ك ل, ال, لل) or a word ending in tatweel: they attach
# to the quote or number after them (بـ«داعش», و«النصرة», بـ5), and are never
# the last word of a headline.
_PREFIX = re.compile(r"[وف]?(?:[بك]?(?:ال)?|لل?)|.*ـ")


class Tables(NamedTuple):
    """The shipped tables, as loaded: counts, turned into log odds only when asked."""

    counts: dict[str, int]  # occurrences of each listed word
    log_total: float  # log of the occurrences of all words
    titled: dict[str, tuple[int, ...]]  # titles a word is in, starts, ends
    start_rate: float  # titles started per title word, on average
    end_rate: float
    trigrams: dict[str, float]  # log P(letter | two before) in words padded with ^^ and $
    unseen: dict[str, float]  # log P of a letter never seen after those two
    pairs: array.array  # pair_hash of the collocations, sorted
    unlisted: float  # log of the share of the words (occurrences) left out of the lexicon


class Model(NamedTuple):
    tables: Tables
    weights: tuple[float, ...]  # one per feature, as FEATURES lists them


def _data(name: str):
    return importlib.resources.files("indexer.write.ingest").joinpath(f"data/{name}")


def _read_counts(name: str) -> dict[str, tuple[int, ...]]:
    """word<TAB>count[<TAB>count...] lines, as word → counts."""
    # PERF: one split of the whole file and slices of it, not a split per
    # line: the lexicon's 60,000 lines load in a third of the time.
    text = _data(name).read_text("utf-8")
    table = {}
    if text.startswith(TOTALS):  # the row of totals may have its own columns
        first, _, text = text.partition("\n")
        word, *counts = first.split("\t")
        table[word] = tuple(int(count) for count in counts)
    columns = text.partition("\n")[0].count("\t") + 1
    fields = text.split()
    counts = zip(*(map(int, fields[i::columns]) for i in range(1, columns)))
    table.update(zip(fields[::columns], counts))
    return table


def _edge_odds(word: str, column: int, average: float, t: Tables) -> float:
    """log(rate / average) of ``word`` starting (1) or ending (2) the titles it is in, smoothed."""
    counts = t.titled.get(word)
    if counts is None:
        return 0.0
    return math.log((counts[column] + SMOOTHING * average) / (counts[0] + SMOOTHING) / average)


def _read_lexicon() -> dict[str, int]:
    fields = _data(LEXICON).read_text("utf-8").split()
    return dict(zip(fields[::2], map(int, fields[1::2])))


@functools.cache
def tables() -> Tables:
    """The shipped word tables (see ``bench.build_lexicon``), loaded once."""
    trigrams = _read_counts(TRIGRAMS)
    unlisted, total = trigrams.pop(TOTALS)
    titled = _read_counts(TITLE_WORDS)
    words, starts, ends = titled.pop(TOTALS)
    return Tables(
        _read_lexicon(),
        math.log(total),
        titled,
        starts / words,
        ends / words,
        *_letter_model(trigrams),
        _read_pairs(),
        math.log(unlisted / total),
    )


def pair_hash(first: str, second: str) -> int:
    """The 32-bit key of a pair of normalised words in the collocation file."""
    return zlib.crc32(f"{first} {second}".encode())


def _read_pairs() -> array.array:
    """The sorted collocation keys, searched by bisection: a set of them
    would cost more to build than a reindex of a few pages looks them up."""
    keys = array.array("I")
    keys.frombytes(_data(PAIRS).read_bytes())
    if sys.byteorder == "big":
        keys.byteswap()  # stored little-endian
    return keys


def _letter_model(
    trigrams: dict[str, tuple[int, ...]],
) -> tuple[dict[str, float], dict[str, float]]:
    """Add-one smoothed log P(letter | two letters before), and of an unseen letter."""
    contexts = collections.Counter()
    for trigram, (n,) in trigrams.items():
        contexts[trigram[:2]] += n
    size = len({trigram[2] for trigram in trigrams}) + 1
    logp = {t: math.log((n + 1) / (contexts[t[:2]] + size)) for t, (n,) in trigrams.items()}
    return logp, {c: -math.log(n + size) for c, n in contexts.items()}


@functools.cache
def model() -> Model:
    """The tables and the weights tuned on them, loaded once."""
    shipped = json.loads(_data(WEIGHTS).read_text("utf-8"))
    if tuple(shipped["features"]) != FEATURES:
        raise ValueError(f"{WEIGHTS} weighs {shipped['features']}, not {FEATURES}: rebuild it")
    return Model(tables(), tuple(shipped["weights"]))


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
    return end  # final letter, tanween, number or bidi mark: the lookahead saw the next word


def _in_quoted_name(line: str, pos: int, since: int) -> bool:
    """True when ``pos`` is inside a quotation opened after ``since`` and closed soon after ``pos``."""
    for opening, closing in _QUOTED.items():
        opened = line.rfind(opening, since, pos)
        if opened >= 0 and line.rfind(closing, opened, pos) < 0:
            closed = line.find(closing, pos, pos + QUOTED_NAME)
            if closed >= 0 and line.find(opening, pos, closed) < 0:
                return True
    return False


def marked_boundaries(line: str) -> list[int]:
    """Offsets where punctuation, quotes, numbers or final letters start a headline."""
    quotes = list(itertools.accumulate((ch == '"' for ch in line), initial=0))
    bounds = [0]
    for match in _MARKER.finditer(line):
        quote_open = (quotes[match.start()] - quotes[bounds[-1]]) % 2 == 1
        if match.lastgroup in ("to_digit", "from_digit") and _in_quoted_name(
            line, match.start(), bounds[-1]
        ):
            continue
        bound = _marked_boundary(line, match, quote_open)
        if bound is not None and bound > bounds[-1]:
            bounds.append(bound)
    return bounds[1:]


class Place(NamedTuple):
    """A word between two marked boundaries, and the normalised words just
    before and after it in the same headline run ("" at a boundary)."""

    word: str
    start: int
    before: str
    after: str
    dotted: bool = False  # a period follows: a title may start with د. (doctor)
    part: bool = False  # a part of a word cut already


def _logp(word: str, t: Tables) -> float:
    """A listed word's log probability, or an unlisted word's by its letters."""
    listed = t.counts.get(word)
    if listed is not None:
        return math.log(listed) - t.log_total
    padded = f"^^{word}$"
    return t.unlisted + sum(
        _letter_logp(padded[i : i + 2], padded[i + 2], t) for i in range(len(word) + 1)
    )


def _letter_logp(context: str, letter: str, t: Tables) -> float:
    trigram = context + letter
    return t.trigrams.get(trigram) or t.unseen.get(context, -t.log_total)


def letter_gain(head: str, tail: str, t: Tables) -> float:
    """How much likelier the letters make two words than one: only the
    letters around the cut differ between the two readings."""
    before = ("^^" + head)[-2:]
    second = tail[1:2] or "$"
    apart = (
        _letter_logp(before, "$", t)
        + _letter_logp("^^", tail[0], t)
        + _letter_logp("^" + tail[0], second, t)
    )
    together = _letter_logp(before, tail[0], t) + _letter_logp(before[1] + tail[0], second, t)
    return apart - together


def _collocation(first: str, second: str, t: Tables) -> float:
    if not (first and second):
        return 0.0
    key = pair_hash(first, second)
    at = bisect.bisect_left(t.pairs, key)
    return float(at < len(t.pairs) and t.pairs[at] == key)


def cut_features(
    head: str, tail: str, whole: str, place: Place, t: Tables, known: tuple[float, float, float]
) -> tuple[float, ...]:
    """The features (FEATURES) of cutting the normalised ``whole`` into ``head`` and
    ``tail``; ``known``, the same for every cut, is the whole's log probability,
    and its beside and inflected features."""
    whole_logp, beside, inflected = known
    return (
        1.0,
        _logp(head, t) + _logp(tail, t) - whole_logp,
        letter_gain(head, tail, t),
        _edge_odds(head, 2, t.end_rate, t),
        _edge_odds(tail, 1, t.start_rate, t),
        float(head not in t.counts),
        float(tail not in t.counts),
        float(whole in t.counts),
        float(tail.startswith("ال")),
        float(min(len(head), len(tail)) < MIN_PART),
        _collocation(place.before, head, t),
        _collocation(tail, place.after, t),
        beside,
        inflected,
        _collocation(head, tail, t),
        float(tail == "د"),
        float(head not in t.counts and affixed(head, t.counts)),
        float(tail not in t.counts and affixed(tail, t.counts)),
        float(place.part),
    )


@functools.lru_cache(maxsize=1024)
def _letter_form(char: str) -> str:
    return normalise(char)


def candidate_cuts(place: Place, t: Tables) -> list[tuple[int, tuple[float, ...]]]:
    """Offsets inside the word (letters and marks) where two words could meet, with their features."""
    word = place.word
    if len(word) > MAX_WORD:
        return []
    # Normalised letter by letter so that each cut has its normalised halves;
    # a mark normalises to "" and a cut before it is skipped.
    letters = [_letter_form(char) for char in word]
    whole = "".join(letters)
    known = (
        _logp(whole, t),
        _collocation(place.before, whole, t) + _collocation(whole, place.after, t),
        float(whole not in t.counts and (stem(whole) in t.counts or affixed(whole, t.counts))),
    )
    result = []
    for cut in range(1, len(word)):
        head, tail = "".join(letters[:cut]), "".join(letters[cut:])
        if not letters[cut] or _PREFIX.fullmatch(head):
            continue
        if min(len(head), len(tail)) < MIN_LISTED and not (place.dotted and tail == "د"):
            continue
        if min(len(head), len(tail)) < MIN_PART and not (head in t.counts and tail in t.counts):
            continue  # a short half must be a listed word (لم, هل, في), not an affix
        result.append((cut, cut_features(head, tail, whole, place, t, known)))
    return result


def word_cuts(place: Place, m: Model) -> list[int]:
    """Offsets in the line where headlines meet inside the word: the best cut
    that scores above zero, then again in each part (a one-word headline has two)."""
    best, best_score = None, 0.0
    for cut, features in candidate_cuts(place, m.tables):
        score = sum(w * f for w, f in zip(m.weights, features))
        if score > best_score:
            best, best_score = cut, score
    if best is None:
        return []
    word, start = place.word, place.start
    head = Place(word[:best], start, place.before, "", part=True)
    tail = Place(word[best:], start + best, "", place.after, place.dotted, part=True)
    return [*word_cuts(head, m), start + best, *word_cuts(tail, m)]


def unmarked_words(line: str, marked: list[int]) -> Iterator[Place]:
    """The words between the marked boundaries, which only the tables can cut."""
    for start, end in itertools.pairwise([0, *marked, len(line)]):
        matches = list(_WORD.finditer(line, start, end))
        words = [normalise(match.group()) for match in matches]
        for number, match in enumerate(matches):
            # A neighbour counts only across plain spaces: not across a quote or a number.
            before = (
                words[number - 1]
                if number and line[matches[number - 1].end() : match.start()].isspace()
                else ""
            )
            after = (
                words[number + 1]
                if number + 1 < len(matches)
                and line[match.end() : matches[number + 1].start()].isspace()
                else ""
            )
            yield Place(
                match.group(), match.start(), before, after, line.startswith(".", match.end())
            )


def boundaries(line: str, m: Model | None = None) -> list[int]:
    """Offsets in ``line`` where a headline starts (the first one excluded),
    by the shipped model unless another is given."""
    marked = marked_boundaries(line)
    found = set(marked)
    m = m or model()
    for place in unmarked_words(line, marked):
        found.update(word_cuts(place, m))
    return sorted(found)


def split_ticker(line: str) -> list[str]:
    """The headlines of ``line``, as written there and in order."""
    edges = [0, *boundaries(line), len(line)]
    pieces = (line[start:end].strip() for start, end in zip(edges, edges[1:]))
    return [piece for piece in pieces if piece]
