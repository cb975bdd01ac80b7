"""Is an unlisted word a listed one with clitics and endings?  (بالمطلقات: مطلقة)

The ticker splitter's lexicon holds the word forms seen twice in the news; a rare
form of a common word (بهروب, طائرتنا, سيهزم) is unlisted, and its letters
alone would have it cut into listed pieces (به|روب).  Stripping the
prefixes and suffixes a word can carry and finding the rest listed tells
such a word from two words glued.  Words are normalised (ة→ه, أ→ا).
"""

import functools
from collections.abc import Container

# Conjunction, preposition, article, future س: each chain as written glued.
PREFIXES = (
    "",
    "و",
    "ف",
    "ب",
    "ك",
    "ل",
    "ال",
    "وال",
    "فال",
    "بال",
    "كال",
    "لل",
    "ولل",
    "فلل",
    "وب",
    "فب",
    "وك",
    "ول",
    "فل",
    "س",
    "وس",
    "فس",
)
# Endings: pronouns, the sound plurals and duals, verb persons.  One that
# starts with ت may stand for a ة the ending replaced (طائرتنا: طائرة).
SUFFIXES = (
    "",
    "ه",
    "ها",
    "هما",
    "هم",
    "هن",
    "ك",
    "كم",
    "كما",
    "نا",
    "ني",
    "ي",
    "وا",
    "ون",
    "ين",
    "ان",
    "ات",
    "تين",
    "تان",
    "ته",
    "تها",
    "تهم",
    "تنا",
    "تي",
    "يه",
    "يها",
    "يهم",
    "وه",
    "وها",
    "وهم",
    "تم",
    "تما",
    "تن",
    "يا",
)
MIN_CORE = 3  # letters left: shorter cores are listed by chance (بهروب: هر)


def _by_length(affixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(affixes, key=len))


_PREFIXES, _SUFFIXES = _by_length(PREFIXES), _by_length(SUFFIXES)
# The future س only before a verb's person prefix: سيهزم, ستبدأ.
_VERB_PERSON = "يتنا"


@functools.lru_cache(maxsize=65_536)
def _cores(word: str) -> tuple[str, ...]:
    """What may be left of ``word`` once a prefix and a suffix are taken off (both not nothing)."""
    cores = []
    for prefix in _PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix) :]
        if prefix.endswith("س") and not rest.startswith(tuple(_VERB_PERSON)):
            continue
        for suffix in _SUFFIXES:
            if not (prefix or suffix) or not rest.endswith(suffix):
                continue
            core = rest[: len(rest) - len(suffix)]
            if len(core) >= MIN_CORE:
                cores.append(core)
                if suffix.startswith("ت") or suffix == "ات":
                    cores.append(core + "ه")  # the ة the ending took the place of
    return tuple(cores)


def affixed(word: str, listed: Container[str]) -> bool:
    """True when ``word`` is a ``listed`` word with a prefix or suffix (or both) it may carry."""
    return any(core in listed for core in _cores(word))
