"""Stemming: Lucene's light10 rules with guards, and an ISRI root.

light10 (Larkey et al.) strips one definite-article prefix and a chain of
suffixes.  Our guards: the pronoun suffixes light10 ignores (كم هم هن نا
كما هما), a minimum stem of three letters for the suffixes we add, and
protected names that light10 would cut into other words.  Input words are
already normalised (ة→ه, أ→ا).  Both functions are pure and cached: word
frequencies follow Zipf, so a cache makes stemming nearly free.  The caches
are bounded for the serving workers' memory; ``analyse_word`` caches the
whole result in front of these.
"""

from functools import cache
from functools import lru_cache
from importlib import resources

from indexer.analysis.isri import isri_root
from indexer.analysis.normalise import normalise

# light10's prefixes, longest first so وال wins over و; (prefix, min word length).
PREFIXES = (("وال", 5), ("بال", 5), ("كال", 5), ("فال", 5), ("لل", 4), ("ال", 4), ("و", 4))
# light10's suffixes, in its order; each removal keeps at least 2 letters.
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Object pronouns light10 misses; removed first, keeping at least 3 letters.
PRONOUN_SUFFIXES = ("كما", "هما", "كم", "هم", "هن", "نا")
# The alef of accusative tanween (رئيسًا → رييسا once normalised).
ACCUSATIVE_ALEF = ("ا", 5)


@cache
def protected_words() -> frozenset[str]:
    text = resources.files("indexer.analysis").joinpath("data/protected.txt").read_text("utf-8")
    words = (normalise(line.strip()) for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


def _strip_prefix(word: str) -> str:
    for prefix, min_length in PREFIXES:
        if word.startswith(prefix) and len(word) >= min_length:
            return word[len(prefix) :]
    return word


def _article(prefix: str) -> bool:
    """Whether a stripped prefix holds the definite article (وال, بال, لل, ال...)."""
    return prefix.endswith("ال") or prefix == "لل"


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Light stem of a normalised word.

    >>> [stem(w) for w in ("والمكتبات", "مدنيين", "المدنيون", "مدرستهم", "لبنان")]
    ['مكتب', 'مدن', 'مدن', 'مدرس', 'لبنان']
    >>> {stem(w) for w in ("العراق", "والعراق", "بالعراق", "للعراق")}, stem("عراق")
    ({'العراق'}, 'عراق')
    >>> stem("مدنيا") == stem("مدنيين")
    True
    """
    protected = protected_words()
    if word in protected:
        return word
    bare = _strip_prefix(word)
    if bare in protected:
        return bare
    if "ال" + bare in protected:
        # A name listed with its article: والعراق, بالعراق and للعراق are
        # العراق; without the article (عراق, مدينه) the word is itself.
        return "ال" + bare if _article(word[: len(word) - len(bare)]) else bare
    for suffix in PRONOUN_SUFFIXES:
        if bare.endswith(suffix) and len(bare) >= len(suffix) + 3:
            bare = bare[: -len(suffix)]
            # A pronoun turns teh marbuta back into teh: مدرستهم is مدرسة + هم.
            if bare.endswith("ت") and len(bare) >= 5:
                bare = bare[:-1] + "ه"
            break
    else:
        alef, min_length = ACCUSATIVE_ALEF
        if bare.endswith(alef) and len(bare) >= min_length:
            bare = bare[:-1]
    for suffix in SUFFIXES:
        if bare.endswith(suffix) and len(bare) >= len(suffix) + 2:
            bare = bare[: -len(suffix)]
    return bare


@lru_cache(maxsize=100_000)
def root(word: str) -> str:
    """ISRI root of a normalised word, for recall across derived forms.

    >>> root("والمكتبات"), root("يكتبون")
    ('كتب', 'كتب')
    """
    light = stem(word)
    if light in protected_words():
        return light
    return isri_root(word)
