"""Stop words: function words that carry no topic.

The list is arabic-stopwords' 13k inflected forms (و/ف/ب/ل clitics and
pronoun suffixes already spelled out, so a light stemmer need not guess),
normalised exactly like the tokens, plus question words readers type.
"""

from functools import cache

from arabicstopwords.arabicstopwords import stopwords_list

from indexer.analysis.normalise import normalise

# Question and vocative words readers put in a natural-language query.
EXTRA = ("لماذا", "ولماذا", "لمن", "يا", "هلا", "أيا")


@cache
def stop_words() -> frozenset[str]:
    return frozenset(normalise(w) for w in (*stopwords_list(), *EXTRA))


def is_stop_word(word: str) -> bool:
    """True for a normalised function word.

    >>> is_stop_word("الذي"), is_stop_word("الرييس")
    (True, False)
    """
    return word in stop_words()
