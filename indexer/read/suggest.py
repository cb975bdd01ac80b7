"""Did-you-mean and search-box completions, from the display vocabulary.

Both answer in words as readers write them (see ``vocabulary``).  Completions
are the most frequent words starting with the last word typed, and titles
starting with the whole query; a correction replaces each unknown word by the
most frequent known word one edit away.
"""

import bisect
from array import array
from itertools import accumulate
from operator import gt
from pathlib import Path

from indexer.analysis import analyse_word
from indexer.analysis import normalise
from indexer.analysis import words
from indexer.vocabulary import TITLES
from indexer.vocabulary import VOCABULARY
from indexer.vocabulary import read_columns

ALPHABET = "ابتثجحخدذرزسشصضطظعغفقكلمنهويء"
MAX_COMPLETIONS = 10
_SCAN = 5000  # words examined per completion: bounds the cost of a one-letter prefix


class Packed:
    """Strings packed end to end in one UTF-8 blob, read back by position.

    A serving worker keeps a quarter of a million words: as a dict and list of
    str they cost about 70 MB, packed about 10.  Items go in and come back UTF-8
    encoded; sorted strings stay sorted as bytes (UTF-8 keeps code-point
    order), so ``bisect`` searches the packed form directly.
    """

    def __init__(self, items: list[bytes]):
        self._blob = b"".join(items)
        self._ends = array("I", accumulate(map(len, items)))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self)
        return self._blob[self._ends[i - 1] if i else 0 : self._ends[i]]

    def prefixed(self, prefix: str, limit: int):
        """Positions of the first ``limit`` items starting with ``prefix`` (items sorted)."""
        key = prefix.encode("utf-8")
        i = bisect.bisect_left(self, key)
        end = min(len(self), i + limit)
        while i < end and self[i].startswith(key):
            yield i
            i += 1

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Positions ``start:end`` of the items starting with ``prefix`` (items sorted)."""
        key = prefix.encode("utf-8")
        # No UTF-8 byte is 0xff: key + 0xff sorts after every item starting with key.
        return bisect.bisect_left(self, key), bisect.bisect_left(self, key + b"\xff")

    def find(self, item: str) -> int | None:
        """Position of ``item`` (items sorted), None if absent."""
        key = item.encode("utf-8")
        i = bisect.bisect_left(self, key)
        return i if i < len(self) and self[i] == key else None


class Vocabulary:
    def __init__(self, directory: Path):
        self._words, self._counts, self._displays = _load_words(directory / VOCABULARY)
        self._cumulative = None  # occurrences of the words before each position
        titles = sorted((normalise(title), title) for title in read_columns(directory / TITLES)[2])
        self._title_keys = Packed([key.encode("utf-8") for key, _ in titles])
        self._titles = Packed([title.encode("utf-8") for _, title in titles])

    def _display(self, i: int) -> str:
        return (self._displays[i] or self._words[i]).decode("utf-8")

    # The Lexicon of indexer.read.transliterate: how often the index holds a word, or words starting so.

    def count(self, word: str) -> int:
        found = self._words.find(word)
        return 0 if found is None else self._counts[found]

    def prefix_count(self, prefix: str) -> int:
        if self._cumulative is None:  # built on the first transliteration only
            self._cumulative = array("Q", [0]) + array("Q", accumulate(self._counts))
        start, end = self._words.prefix_range(prefix)
        return self._cumulative[end] - self._cumulative[start]

    def written(self, word: str) -> str:
        found = self._words.find(word)
        return word if found is None else self._display(found)

    def complete(self, text: str) -> list[str]:
        """Up to 10 completions of ``text`` for the search box."""
        typed = words(text)
        if not typed:
            return []
        whole = " ".join(typed)
        result = [
            self._titles[i].decode("utf-8")
            for i in self._title_keys.prefixed(whole, MAX_COMPLETIONS)
        ]
        head, last = text[: text.rstrip().rfind(" ") + 1] if len(typed) > 1 else "", typed[-1]
        candidates = sorted(self._words.prefixed(last, _SCAN), key=lambda i: -self._counts[i])
        for i in candidates:
            if len(result) >= MAX_COMPLETIONS:
                break
            phrase = head + self._display(i)
            if phrase not in result:
                result.append(phrase)
        return result

    def correct(self, text: str) -> str | None:
        """The query with unknown words replaced by known ones; None if nothing changes."""
        typed = words(text)
        changed, out = False, []
        for word in typed:
            known = self._words.find(word)
            if known is not None or analyse_word(word) is None or word.isdigit():
                out.append(word if known is None else self._display(known))
                continue
            best = max(self._edits(word), key=self._counts.__getitem__, default=None)
            changed |= best is not None
            out.append(word if best is None else self._display(best))
        return " ".join(out) if changed else None

    def _edits(self, word: str):
        """Positions of the known words one edit (delete, replace, insert, swap) from ``word``."""
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        for a, b in splits:
            for edit in (
                ([a + b[1:]] if b else [])
                + [a + c + b[1:] for c in ALPHABET if b]
                + [a + c + b for c in ALPHABET]
                + ([a + b[1] + b[0] + b[2:]] if len(b) > 1 else [])
            ):
                found = self._words.find(edit)
                if found is not None:
                    yield found


def _load_words(path: Path) -> tuple[Packed, array, Packed]:
    """Exact forms in order, their counts, their display forms ("" when the same).

    PERF: read in bulk, as bytes: a serving worker loads it on its first
    suggestion or correction, and again after each reindex.  Row by row it
    took 1.3 s at 258k words.
    """
    exacts, displays, counts = read_columns(path, bytes)
    if any(
        map(gt, exacts[:-1], exacts[1:])
    ):  # from an older version, or edited by hand: sorted once
        exacts, displays, counts = zip(*sorted(zip(exacts, displays, counts)))
    # Where they differ, mostly by a hamza or teh marbuta put back.
    displays = [b"" if display == exact else display for exact, display in zip(exacts, displays)]
    return Packed(exacts), array("I", map(int, counts)), Packed(displays)
