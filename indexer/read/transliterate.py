"""Arabic typed in Latin letters, read back as Arabic: Buckwalter exactly, Arabizi by candidates.

Readers on Latin keyboards write Arabic words two ways:

- Buckwalter, the one-to-one transliteration of linguists and corpora
  (``gz~p`` غزّة, ``mdnyyn`` مدنيين): read by a pure mapping, letter for letter.
- Arabizi, as people chat (``ghaza``, ``3arabi``, ``sa7afa``, ``madaniyeen``):
  digits for the letters Latin lacks (3 ع, 7 ح, 2 ء, 5 خ), digraphs (sh, kh,
  gh, th), short vowels written or not, one Latin letter for several Arabic
  ones.  A spelling has many readings; ``candidates`` keeps those the index
  holds, the most frequent first.

Pure functions: the index's vocabulary comes in as a ``Lexicon``; nothing
here reads a file or knows an engine.
"""

import re
from typing import Protocol

from indexer.analysis import is_stop_word
from indexer.analysis.normalise import normalise_word

# Tim Buckwalter's table (with the wasla and tatweel of its later versions).
# fmt: off
BUCKWALTER = {
    "'": "ء", "|": "آ", ">": "أ", "&": "ؤ", "<": "إ", "}": "ئ", "A": "ا", "b": "ب", "p": "ة",
    "t": "ت", "v": "ث", "j": "ج", "H": "ح", "x": "خ", "d": "د", "*": "ذ", "r": "ر", "z": "ز",
    "s": "س", "$": "ش", "S": "ص", "D": "ض", "T": "ط", "Z": "ظ", "E": "ع", "g": "غ", "_": "ـ",
    "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "Y": "ى",
    "y": "ي", "F": "ً", "N": "ٌ", "K": "ٍ", "a": "َ", "u": "ُ", "i": "ِ", "~": "ّ", "o": "ْ",
    "`": "ٰ", "{": "ٱ",
}
# fmt: on
# Written only in Buckwalter: a word holding one is read by the table first.
# (Arabizi ignores case; a capital may only start it.)
_BUCKWALTER_MARKS = re.compile(r"[|><&}*$~{`_]|.[A-Z]")
_VOWEL_LETTERS = re.compile("[aeiou]")

# Arabizi: each Latin unit and the letters it may stand for, in normalised
# spelling (hamza seats folded, so أ is ا and ة is ه, as in the index),
# space-separated, "-" for none; ":weight" is how likely a writer means it
# beside the others (1 if not given).  q is 2 in Cairo and Beirut, ث is said
# s or t there, ذ d or z.
# fmt: off
_CONSONANTS = {
    "b": "ب", "p": "ب", "t": "ت ط ث:0.3", "th": "ث ذ", "j": "ج", "dj": "ج", "g": "ج غ ق",
    "gh": "غ", "7": "ح", "7'": "خ", "h": "ه ح:0.5", "kh": "خ", "5": "خ", "x": "خ",
    "d": "د ض ذ:0.3", "dh": "ذ ض ظ", "r": "ر", "z": "ز ظ ذ", "s": "س ص ث:0.3", "sh": "ش",
    "ch": "ش", "c": "ك س", "9": "ص ق", "9'": "ض", "3": "ع", "3'": "غ", "q": "ق ك", "k": "ك ق",
    "f": "ف", "v": "ف ث", "l": "ل", "m": "م", "n": "ن", "w": "و", "y": "ي",
    "2": "ا ء و ي ق:0.3", "6": "ط", "6'": "ظ", "8": "ق غ",
}
# A vowel's letters by where it stands; "-" is a short vowel, which Arabic
# leaves unwritten.  A first vowel is always a letter: ا, or ع left out
# (omar, iraq); inside a word it may also be an ع left out (saudi, tamer); a
# last a is mostly ة or ا (ghaza, dunya), rarely ى.
_FIRST_VOWEL = {
    "a": "ا ع:0.3", "e": "ا ع:0.3 اي", "i": "ا اي ع:0.3 ي", "o": "ا او ع:0.3 و",
    "u": "ا او ع:0.3 و",
}
_INNER_VOWEL = {
    "a": "- ا ع:0.1", "e": "- ي ا ع:0.1", "i": "- ي ا ع:0.1", "o": "- و ع:0.1", "u": "- و ع:0.1",
}
_LAST_VOWEL = {"a": "ا ه -:0.1 ي:0.05", "e": "ه ي -:0.1", "i": "ي -:0.1", "o": "و -:0.1", "u": "و -:0.1"}
# Two vowel letters together are one long vowel.
_LONG_VOWELS = {"aa": "ا", "ee": "ي", "ii": "ي", "ie": "ي", "oo": "و", "ou": "و", "uu": "و"}
# A separator inside a word (al-qods), and an apostrophe (mas'ala, ma'a): a
# hamza on its seat is the seat's letter in the index, so any of them.
_SILENT = {"-": "-", "'": "- ء ع ا ي:0.5 و:0.5"}
# The commonest function words as they are chatted.  They are stop words,
# dropped from every index and so never counted: without them "ma3a" would
# read as معه, "min" as مين.
FUNCTION_WORDS = {
    spelling: arabic
    for arabic, spellings in {
        "في": "fi fee fy", "من": "min mn men", "عن": "3an 3n", "على": "3ala 3la 3al ala",
        "مع": "ma3 ma3a m3", "إلى": "ila ela ila2", "و": "wa w we", "يا": "ya", "لا": "la laa",
        "ما": "ma maa", "لم": "lam", "لن": "lan", "هذا": "hatha hadha haza hada hatha2",
        "هذه": "hathihi hadhihi hazihi hadi hayde", "هل": "hal", "كان": "kan kana",
        "بعد": "ba3d ba3ed", "قبل": "qabl abl 2abl", "بين": "bayn bein ben been",
        "حتى": "7atta 7ata hatta", "إن": "inna enna", "أن": "anna ann", "الذي": "alladhi allazi",
        "التي": "allati allaty", "عند": "3and 3end 3ind", "حول": "7awl 7ol 7awla",
        "خلال": "khilal 5ilal khelal 5elal", "منذ": "mundhu monzo munz", "غير": "ghayr gheir ghair",
        "كل": "kull kol kul koll", "أو": "aw ow aou", "ثم": "thumma thomma", "لكن": "lakin laken",
        "هو": "huwa howa houwa", "هي": "hiya heya hiye", "كيف": "kayf keif kif",
    }.items()
    for spelling in spellings.split()
}
# fmt: on
SPLIT_PAIR = 0.05  # g then h read apart (ghaza as جهاز): a writer would have meant غ
SPLIT_VOWELS = 0.2  # o then u read apart (mnesoub as منصب)
DOUBLED = 1.0  # a doubled Latin letter as one Arabic letter (its shadda)
SPOKEN_ARTICLE = 0.5  # a first l before a consonant as the article: lkas الكاس, l3arabiya
# The article before a sun letter, as it is said: ash-sham, ad-dawla, an-nas.
_SUN_ARTICLE = re.compile(r"[ae](sh|th|dh|[tdrzsn])-?(?=\1)")
# A reader types the bare word (madaniyeen) that the index may hold only with
# the article or a conjunction before it (المدنيين, والمدنيين).
PROCLITICS = ("", "ال", "و", "وال", "ب", "بال", "ل", "لل", "ف", "فال")
BEAM = 64  # readings kept at each position of a word
MAX_WORD = 30  # longer runs of Latin letters are not words
# Prefix lookups one query may make: a word of the news benchmark makes 70
# (p50), 340 (p99), 590 at most; 30 vowels make thousands.  Past it the
# query's other words stay as typed.
LOOKUPS = 4000

Readings = tuple[tuple[str, float], ...]  # (letters, weight) for one Latin unit


def _readings(spec: str) -> Readings:
    """``"ه ح:0.5"`` → ``(("ه", 1.0), ("ح", 0.5))``; ``-`` is no letter."""
    readings = []
    for part in spec.split():
        letters, _, weight = part.partition(":")
        readings.append(("" if letters == "-" else letters, float(weight or 1)))
    return tuple(readings)


_CONSONANT_READINGS = {unit: _readings(spec) for unit, spec in _CONSONANTS.items()}
_VOWEL_READINGS = {
    where: {vowel: _readings(spec) for vowel, spec in table.items()}
    for where, table in (("first", _FIRST_VOWEL), ("inner", _INNER_VOWEL), ("last", _LAST_VOWEL))
}
_LONG_VOWEL_READINGS = {pair: _readings(spec) for pair, spec in _LONG_VOWELS.items()}
_SILENT_READINGS = {char: _readings(spec) for char, spec in _SILENT.items()}


class Lexicon(Protocol):
    """The index's vocabulary, as ``candidates`` needs it."""

    def count(self, word: str) -> int:
        """Occurrences of a normalised word; 0 when the index does not hold it."""

    def prefix_count(self, prefix: str) -> int:
        """Occurrences of the words starting with ``prefix``; 0 when none does."""

    def written(self, word: str) -> str:
        """A word the index holds, as readers write it (غزه → غزة)."""


def buckwalter(word: str) -> str | None:
    """The Arabic of a word in Buckwalter transliteration; None if a character is not in the table.

    >>> buckwalter("gz~p"), buckwalter("mdnyyn"), buckwalter("ghaza!")
    ('غزّة', 'مدنيين', None)
    """
    if not word or any(c not in BUCKWALTER for c in word):
        return None
    return "".join(BUCKWALTER[c] for c in word)


_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile("[A-Za-z]")


def is_latin(text: str) -> bool:
    """True for a query written in Latin letters alone.

    >>> is_latin("ghaza"), is_latin("title:sa7afa -3arabi"), is_latin("غزة ghaza"), is_latin("2024")
    (True, True, False, False)
    """
    return _LATIN_LETTER.search(text) is not None and _ARABIC_LETTER.search(text) is None


def _units(word: str) -> list[list[tuple[int, Readings]]]:
    """For each position of a lower-cased Arabizi word: the (length, readings) of each unit starting there."""
    last = len(word) - 1
    table = []
    for pos, char in enumerate(word):
        here = []
        if pos == 0 and (sun := _SUN_ARTICLE.match(word)):
            here.append((sun.end(), (("ال", 1.0),)))
        if pos == 0 and char == "l" and word[1:2] not in ("", "l", *_INNER_VOWEL):
            here.append((1, (("ال", SPOKEN_ARTICLE),)))
        pair = word[pos : pos + 2]
        paired = len(pair) == 2 and pair in _CONSONANT_READINGS
        if paired:
            here.append((2, _CONSONANT_READINGS[pair]))
        if char in _CONSONANT_READINGS:
            readings = _CONSONANT_READINGS[char]
            if paired:  # g then h read apart: unlikely
                readings = tuple((letters, weight * SPLIT_PAIR) for letters, weight in readings)
            if pos and word[pos - 1] == char:  # a doubled letter: one letter with a shadda, or two
                readings += (("", DOUBLED),)
            here.append((1, readings))
        elif char in _VOWEL_READINGS["inner"]:
            where = "first" if pos == 0 else "last" if pos == last else "inner"
            readings = _VOWEL_READINGS[where][char]
            if pos and pair in _LONG_VOWEL_READINGS:  # (a first vowel is a letter of its own)
                here.append((2, _LONG_VOWEL_READINGS[pair]))
                readings = tuple((letters, weight * SPLIT_VOWELS) for letters, weight in readings)
            here.append((1, readings))
        elif char in _SILENT_READINGS:
            here.append((1, _SILENT_READINGS[char]))
        table.append(here)
    return table


def arabizi(word: str, lexicon: Lexicon) -> list[str]:
    """The readings of an Arabizi word that the lexicon holds, likeliest first (normalised).

    The words the index holds as typed; failing those, the ones it holds only
    after a proclitic (madaniyeen as مدنيين, for المدنيين); failing those, a
    stop word (in no index).
    """
    word = word.lower()
    if not 1 < len(word) <= MAX_WORD:
        return []
    units = _units(word)
    for clitics in ([""], PROCLITICS[1:]):
        complete = _beam(units, clitics, lexicon)
        scores = {}
        for (clitic, reading), weight in complete.items():
            scores[reading] = scores.get(reading, 0) + weight * lexicon.count(clitic + reading)
        if found := sorted(
            (r for r, score in scores.items() if score), key=lambda r: (-scores[r], r)
        ):
            return found
    stop_words = {
        r: weight for (clitic, r), weight in complete.items() if not clitic and is_stop_word(r)
    }
    return sorted(stop_words, key=lambda r: -stop_words[r])


def _beam(units, clitics, lexicon: Lexicon) -> dict[tuple[str, str], float]:
    """The whole readings of a word's units after each of ``clitics`` (clitic, reading) → weight.

    Left to right: a reading is kept only while some indexed word starts with
    it (after its clitic), and the BEAM likeliest (the weight of its letters
    times the occurrences of the words under it) go on.
    """
    # position → (clitic, reading so far) → (weight, occurrences of the words starting so)
    frontier = [{} for _ in range(len(units) + 1)]
    for clitic in clitics:
        if mass := lexicon.prefix_count(clitic):
            frontier[0][clitic, ""] = (1.0, mass)
    for pos, here in enumerate(units):
        kept = sorted(frontier[pos].items(), key=lambda item: (-item[1][0] * item[1][1], item[0]))
        for size, readings in here:
            ahead = frontier[pos + size]
            for (clitic, prefix), (weight, mass) in kept[:BEAM]:
                for letters, likely in readings:
                    key, weight_ahead = (clitic, prefix + letters), weight * likely
                    held = ahead.get(key)
                    if held is not None:
                        if held[0] < weight_ahead:
                            ahead[key] = (weight_ahead, held[1])
                        continue
                    mass_ahead = mass if not letters else lexicon.prefix_count(clitic + key[1])
                    if mass_ahead:
                        ahead[key] = (weight_ahead, mass_ahead)
    return {key: weight for key, (weight, _) in frontier[-1].items()}


def with_proclitics(reading: str, lexicon: Lexicon) -> int:
    """How often the index holds ``reading``, alone or after a proclitic (PROCLITICS)."""
    return sum(lexicon.count(clitic + reading) for clitic in PROCLITICS)


def written(reading: str, lexicon: Lexicon) -> str:
    """A reading as readers write it: its commonest written form, alone or after a proclitic."""
    forms = [clitic + reading for clitic in PROCLITICS]
    form = max(forms, key=lexicon.count)
    return lexicon.written(form)[len(form) - len(reading) :] if lexicon.count(form) else reading


def candidates(word: str, lexicon: Lexicon) -> list[str]:
    """The Arabic words (normalised) a Latin-letter word may be, likeliest first.

    A function word is read by FUNCTION_WORDS.  A word valid in Buckwalter
    whose reading the index holds is read by the table alone if it is marked
    as Buckwalter: a ~, $, * or the like, a capital inside it, or a capital
    and no vowel letter (Hdv, Alkbd); unmarked and without vowel letters
    (mdnyyn, qdrp), its reading is ranked among the Arabizi ones.  With vowel
    letters it is Arabizi: Buckwalter would read them as short vowels,
    which no one types alone (saudi as سَد).
    """
    if (function_word := FUNCTION_WORDS.get(word.lower())) is not None:
        return [normalise_word(function_word)]
    if len(word) < 2:  # a letter alone is an initial, a variable, a stray character
        return []
    found = arabizi(word, lexicon)
    exact = buckwalter(word)
    vowelled = _VOWEL_LETTERS.search(word) is not None
    if exact is None or (vowelled and not _BUCKWALTER_MARKS.search(word)):
        return found
    exact = normalise_word(exact)
    if not (with_proclitics(exact, lexicon) or is_stop_word(exact)):
        return found
    if _BUCKWALTER_MARKS.search(word) or (not vowelled and not word.islower()):
        return [exact] + [r for r in found if r != exact]
    return sorted({*found, exact}, key=lambda r: (-lexicon.count(r), r))


# A Latin word of a query (inner hyphens kept: al-qods); the query's own
# syntax (quotes, a leading -, title:) stays around it.
_WORD = re.compile(r"[A-Za-z0-9'|><&}*$~{`_]+(?:-[A-Za-z0-9'|><&}*$~{`_]+)*")
# The article written as a word of its own (el wozara): joined to its noun.
_LONE_ARTICLE = re.compile(r"(?<![\w'])([ae]l|il)\s+(?=[a-z0-9])", re.IGNORECASE)


class _Exhausted(Exception):
    pass


class _Budgeted:
    """A lexicon that allows LOOKUPS prefix lookups, then raises _Exhausted."""

    def __init__(self, lexicon: Lexicon, lookups: int):
        self._lexicon, self._left = lexicon, lookups
        self.count, self.written = lexicon.count, lexicon.written

    def prefix_count(self, prefix: str) -> int:
        self._left -= 1
        if self._left < 0:
            raise _Exhausted
        return self._lexicon.prefix_count(prefix)


def transliterate(query: str, lexicon: Lexicon) -> str | None:
    """The query with each Latin word replaced by its likeliest Arabic word, as
    readers write it; None when no word has a reading the lexicon holds.
    """
    budgeted, read = _Budgeted(lexicon, LOOKUPS), {}

    def arabic(match: re.Match) -> str:
        word = match.group()
        if word.isdigit() or match.string.startswith(":", match.end()):  # a number; title:
            return word
        if word not in read:
            try:
                found = candidates(word, budgeted)
            except _Exhausted:  # as typed, and so the words after it
                found = []
            read[word] = found and (FUNCTION_WORDS.get(word.lower()) or written(found[0], lexicon))
        return read[word] or word

    text = _WORD.sub(arabic, _LONE_ARTICLE.sub(r"\1-", query))
    return text if any(read.values()) else None
