"""Did-you-mean and search-box completions, from the display vocabulary.

Both answer in words as readers write them (see ``vocabulary``).  Completions
are the most frequent words starting with the last word typed, and titles
starting with the whole query; a correction replaces each unknown word by the
most frequent known word one edit away.
"""

import bisect
from pathlib import Path

from indexer.analysis import analyse_word
from indexer.analysis import normalise
from indexer.analysis import words
from indexer.vocabulary import TITLES
from indexer.vocabulary import VOCABULARY
from indexer.vocabulary import _rows

ALPHABET = "ابتثجحخدذرزسشصضطظعغفقكلمنهويء"
MAX_COMPLETIONS = 10
_SCAN = 5000  # words examined per completion: bounds the cost of a one-letter prefix


class Vocabulary:
    def __init__(self, directory: Path):
        self.count, self.display = {}, {}
        for exact, display, count in _rows(directory / VOCABULARY, 3):
            self.count[exact] = int(count)
            self.display[exact] = display
        self._sorted = sorted(self.count)
        self.titles = [(normalise(title), title) for _, _, title in _rows(directory / TITLES, 3)]

    def complete(self, text: str) -> list[str]:
        """Up to 10 completions of ``text`` for the search box."""
        typed = words(text)
        if not typed:
            return []
        whole = " ".join(typed)
        result = [title for norm, title in self.titles if norm.startswith(whole)][:MAX_COMPLETIONS]
        head, last = text[: text.rstrip().rfind(" ") + 1] if len(typed) > 1 else "", typed[-1]
        lo = bisect.bisect_left(self._sorted, last)
        candidates = []
        for exact in self._sorted[lo : lo + _SCAN]:
            if not exact.startswith(last):
                break
            candidates.append(exact)
        candidates.sort(key=lambda w: -self.count[w])
        for exact in candidates:
            if len(result) >= MAX_COMPLETIONS:
                break
            phrase = head + self.display[exact]
            if phrase not in result:
                result.append(phrase)
        return result

    def correct(self, text: str) -> str | None:
        """The query with unknown words replaced by known ones; None if nothing changes."""
        typed = words(text)
        changed, out = False, []
        for word in typed:
            if word in self.count or analyse_word(word) is None or word.isdigit():
                out.append(self.display.get(word, word))
                continue
            best = max(self._edits(word), key=lambda w: self.count[w], default=None)
            changed |= best is not None
            out.append(self.display[best] if best else word)
        return " ".join(out) if changed else None

    def _edits(self, word: str):
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        for a, b in splits:
            for edit in (
                [a + b[1:]] if b else []
            ) + [a + c + b[1:] for c in ALPHABET if b] + [a + c + b for c in ALPHABET] + (
                [a + b[1] + b[0] + b[2:]] if len(b) > 1 else []
            ):
                if edit in self.count:
                    yield edit
