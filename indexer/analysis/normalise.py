"""Normalisation: one spelling for every way a reader may type an Arabic word.

Superset of Lucene's ArabicNormalizer: NFKC (presentation forms, ligatures),
marks and invisible characters deleted, letter variants folded, every decimal
digit to ASCII, Latin lower-cased.  Works on any string; tokenising keeps
offsets by normalising one raw token at a time (see ``tokenise``).
"""

import re
import sys
import unicodedata

from pyarabic import araby

# Marks and invisible characters that never change which word is meant.  The
# harakat (fathatan .. sukun, shadda among them) and tatweel are pyarabic's
# tables, which tests hold to Unicode's (U+064B..U+0652, U+0640).
HARAKAT = "".join(sorted(araby.TASHKEEL))
MADDA_HAMZA_MARKS = "\u0653\u0654\u0655"  # combining madda, hamza above/below
EXTENDED_MARKS = "".join(map(chr, range(0x0656, 0x0660)))  # subscript alef etc.
DAGGER_ALEF = "\u0670"
QURANIC_MARKS = "".join(map(chr, range(0x06D6, 0x06EE)))
TATWEEL = araby.TATWEEL
# Invisible characters that sit inside a word: deleted.
IN_WORD_INVISIBLE = "\u00ad\u061c\u200c\u200d"  # soft hyphen, ALM, ZWNJ, ZWJ
# Invisible characters that sit between words in scraped text: a word break.
BREAKING_INVISIBLE = (
    "\u200b\u200e\u200f"  # zero-width space, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # BOM / zero-width no-break space
)
# Everything deleted; these may also appear inside a word (see tokenise).
IN_WORD = (
    HARAKAT
    + MADDA_HAMZA_MARKS
    + EXTENDED_MARKS
    + DAGGER_ALEF
    + QURANIC_MARKS
    + TATWEEL
    + IN_WORD_INVISIBLE
)

# Letter variants folded to one form (Lucene's rules, plus wasla, hamza seats
# and the Persian/Urdu letters typed on Farsi keyboards).
LETTER_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ئ": "ي",
    "ی": "ي",
    "ے": "ي",
    "ة": "ه",
    "ۀ": "ه",
    "ہ": "ه",
    "ؤ": "و",
    "ک": "ك",
}


def _digit_folds():
    """Every Unicode decimal digit (Arabic-Indic, Persian, Devanagari...) to 0-9."""
    folds = {}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Nd" and code > 0x7F:
            folds[code] = str(unicodedata.digit(char))
    return folds


_TABLE = str.maketrans(
    {
        **{ord(c): None for c in IN_WORD},
        **{ord(c): " " for c in BREAKING_INVISIBLE},
        **{ord(k): v for k, v in LETTER_FOLDS.items()},
    }
)
_TABLE.update(_digit_folds())


def _once(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_TABLE)


# Arabic letters alone (no marks, digits or Latin): NFKC and lower() leave
# them as they are, so folding the letters is the whole normalisation.
_PLAIN_ARABIC = re.compile("[\u0621-\u063a\u0641-\u064a]+")


def is_plain_arabic(word: str) -> bool:
    return _PLAIN_ARABIC.fullmatch(word) is not None


def normalise_word(word: str) -> str:
    """``normalise`` for one raw word, with a fast path for plain Arabic letters."""
    if is_plain_arabic(word):
        return word.translate(_TABLE)
    return normalise(word)


def normalise(text: str) -> str:
    """Return the search form of ``text``.

    >>> normalise("الْعَرَبِيَّةُ")
    'العربيه'
    >>> normalise("إسلام ١٢٥٧")
    'اسلام 1257'
    """
    # NOTE: lower() and deleting marks can leave a string that NFKC changes
    # again (a Latin letter meeting a combining mark); repeat to a fixed point
    # so that normalise(normalise(x)) == normalise(x) always.
    result = _once(text)
    for _ in range(3):
        again = _once(result)
        if again == result:
            break
        result = again
    return result
