"""The compiled analysis core (``bahth_native``, built from ``native/``), fed this package's tables.

The core is an accelerator with this package as its reference: it gets
every word list and affix from the Python modules, and the normalisation of
each BMP character as computed here by Python's own ``unicodedata``, so
both agree on one Unicode version.  A chunk holding a character whose
normalisation depends on its neighbours (``_foldable_alone`` says which) is
tokenised by the reference ``spans``, called back from the core.
"""

import unicodedata
from array import array
from functools import cache

from indexer.analysis import isri
from indexer.analysis import stem
from indexer.analysis.chain import EDGE_PUNCTUATION
from indexer.analysis.normalise import IN_WORD
from indexer.analysis.normalise import normalise
from indexer.analysis.stopwords import stop_words
from indexer.analysis.tokenise import RAW_WORD
from indexer.analysis.tokenise import WORD
from indexer.analysis.tokenise import spans

# The core's behaviour this package expects (native/src/lib.rs VERSION): bumped
# with any change to what the core computes or takes.  A core built from an older
# native/ (the package upgraded, the core not rebuilt) would index other terms
# than the chain: it is left unused, and the chain serves.
CORE_VERSION = 4

try:
    import bahth_native
except ImportError:  # no Rust toolchain at install time: the Python chain serves alone
    bahth_native = None
if bahth_native is not None and getattr(bahth_native, "VERSION", None) != CORE_VERSION:
    bahth_native = None

# The table's flags, as native/src/lib.rs reads them.
DELETED, RAW, IS_WORD, SPACE, UNSAFE, MARK = (1 << bit for bit in range(24, 30))
_BMP = 0x10000
_HANGUL = range(0x1100, 0x1200), range(0xAC00, 0xD7A4)  # jamo compose algorithmically


def available() -> bool:
    return bahth_native is not None


@cache
def core():
    """The core, built once per process; None without the compiled module."""
    if bahth_native is None:
        return None
    return bahth_native.Core(
        char_table().tolist(),
        sorted(stop_words()),
        {
            "protected": sorted(stem.protected_words()),
            "prefixes": list(stem.PREFIXES),
            "suffixes": list(stem.SUFFIXES),
            "pronoun_suffixes": list(stem.PRONOUN_SUFFIXES),
            "accusative": stem.ACCUSATIVE_ALEF,
            "isri_stop_words": sorted(isri.STOP_WORDS),
        },
        EDGE_PUNCTUATION,
        _reference_spans,
    )


def form_counter(core):
    """The core's ``vocabulary.FormCounter``: chunks counted and expanded into forms in Rust."""
    return bahth_native.FormCounter(core)


def _reference_spans(chunk: str) -> list[tuple[str, int, int]]:
    return [tuple(span) for span in spans(chunk)]


def char_table() -> array:
    """One entry per BMP code point: its normalised form and flags (about 0.1 s)."""
    seconds = _composition_seconds()
    table = array("I", bytes(4 * _BMP))
    for code in range(_BMP):
        char = chr(code)
        flags = (
            (SPACE if char.isspace() else 0)
            | (RAW if RAW_WORD.fullmatch(char) else 0)
            | (MARK if char in IN_WORD else 0)
        )
        folded = normalise(char) if not 0xD800 <= code < 0xE000 else None
        if folded is None or not _foldable_alone(char, folded, seconds):
            table[code] = flags | UNSAFE
        elif not folded:
            table[code] = flags | DELETED
        else:
            table[code] = flags | ord(folded) | (IS_WORD if WORD.fullmatch(folded) else 0)
    return table


def _foldable_alone(char: str, folded: str, seconds: frozenset[str]) -> bool:
    """Whether ``char`` normalises as ``folded`` in any text of such characters.

    It must be its own NFKC form, compose with nothing (no second of a
    canonical pair, no jamo), reorder with nothing that stays (a combining
    mark must be one normalisation deletes), lower-case alone (not Σ, whose
    case depends on the word's end) and fold to at most one such character.
    """
    if unicodedata.normalize("NFKC", char) != char or char in seconds or char == "Σ":
        return False
    if any(ord(char) in block for block in _HANGUL):
        return False
    if unicodedata.combining(char) and char not in IN_WORD:
        return False
    if len(char.lower()) != 1 or len(folded) > 1:
        return False
    return not folded or (
        folded not in seconds and not unicodedata.combining(folded) and normalise(folded) == folded
    )


def _composition_seconds() -> frozenset[str]:
    """The second characters of the BMP's canonical pairs: they may compose with what precedes."""
    seconds = set()
    for code in range(_BMP):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)
