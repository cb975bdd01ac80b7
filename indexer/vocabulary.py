"""The display vocabulary: every indexed word in its most common written form.

Suggestions and did-you-mean speak in words a reader recognises (المدرسة),
never in normalised or stemmed forms (المدرسه, مدرس).  Built during reindex,
stored beside the engine's files as ``vocabulary.tsv`` (exact form, display
form, count; most frequent first) and ``titles.tsv`` (id, kind, title).
"""

import re
from collections import Counter
from collections import defaultdict
from pathlib import Path

from indexer.analysis import analyse_chunk
from indexer.analysis.normalise import IN_WORD

_MARKS = re.compile("[%s]" % re.escape(IN_WORD))
VOCABULARY = "vocabulary.tsv"
TITLES = "titles.tsv"


def display_form(surface: str) -> str:
    """The written word without diacritics and tatweel: رَئِيسًا → رئيسا."""
    return _MARKS.sub("", surface)


class VocabularyBuilder:
    def __init__(self):
        # PERF: counting the raw chunks of text is one C-speed update per
        # document; chunks are resolved into words once, when written.
        self._chunks = Counter()
        self._surfaces = defaultdict(Counter)  # exact form → Counter of display forms
        self.titles = {}  # id → (kind, title)

    def add(self, text: str, doc_id: str, kind: str, title: str) -> None:
        self._chunks.update(text.split())
        if title:
            self.titles[doc_id] = (kind, title)

    def forget(self, doc_id: str) -> None:
        self.titles.pop(doc_id, None)

    def load(self, directory: Path) -> None:
        """Start from a previous build (incremental reindex)."""
        for exact, display, count in _rows(directory / VOCABULARY, 3):
            self._surfaces[exact][display] += int(count)
        for doc_id, kind, title in _rows(directory / TITLES, 3):
            self.titles[doc_id] = (kind, title)

    def write(self, directory: Path) -> None:
        for chunk, count in self._chunks.items():
            for term, start, end in analyse_chunk(chunk):
                self._surfaces[term.exact][chunk[start:end]] += count
        self._chunks.clear()
        rows = []
        for exact, surfaces in self._surfaces.items():
            counts = Counter()
            for surface, count in surfaces.items():
                counts[display_form(surface)] += count
            display, _ = counts.most_common(1)[0]
            rows.append((sum(counts.values()), exact, display))
        rows.sort(key=lambda r: (-r[0], r[1]))
        with open(directory / VOCABULARY, "w", encoding="utf-8") as out:
            out.writelines(f"{exact}\t{display}\t{count}\n" for count, exact, display in rows)
        with open(directory / TITLES, "w", encoding="utf-8") as out:
            out.writelines(
                f"{doc_id}\t{kind}\t{_one_line(title)}\n" for doc_id, (kind, title) in self.titles.items()
            )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _rows(path: Path, width: int):
    if not path.exists():
        return
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == width:
                yield parts
