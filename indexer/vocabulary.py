"""The display vocabulary: every indexed word in its most common written form.

Suggestions and did-you-mean speak in words a reader recognises (المدرسة),
never in normalised or stemmed forms (المدرسه, مدرس).  Built during reindex,
stored beside the engine's files as ``vocabulary.tsv`` (exact form, display
form, count; sorted by exact form, so a server loads it in one pass) and
``titles.tsv`` (id, kind, title).
"""

import re
from collections import Counter
from operator import methodcaller
from pathlib import Path

from indexer.analysis import active_core
from indexer.analysis import analyse_chunk
from indexer.analysis import analyse_word
from indexer.analysis import backed
from indexer.analysis import native
from indexer.analysis import trimmed_chunks
from indexer.analysis.normalise import IN_WORD
from indexer.analysis.normalise import is_plain_arabic
from indexer.analysis.normalise import normalise_word

_MARKS = re.compile(f"[{re.escape(IN_WORD)}]")
VOCABULARY = "vocabulary.tsv"
TITLES = "titles.tsv"
# Distinct chunks counted before they are expanded into forms (about 500 MB
# in a reindex worker): bounds the memory however many texts come.
CHUNKS_HELD = 500_000


def display_form(surface: str) -> str:
    """The written word without diacritics and tatweel: رَئِيسًا → رئيسا."""
    return _MARKS.sub("", surface)


def _chunk_forms(chunk: str) -> tuple[tuple[str, str], ...]:
    if is_plain_arabic(chunk):  # PERF: most chunks: one word, displayed as written
        term = analyse_word(normalise_word(chunk))
        return ((term.exact, chunk),) if term else ()
    return tuple(
        (term.exact, display_form(chunk[start:end]))
        for term, (start, end) in zip(*analyse_chunk(chunk))
    )


def _forms_of(chunk_counts: Counter) -> Counter:
    """(exact form, display form) → occurrences in chunks counted ``chunk_counts``."""
    core = active_core()
    if core is None:
        return _chunk_counts_forms(chunk_counts)
    forms, refused = core.forms_of(chunk_counts)
    forms = Counter(forms)
    forms.update(_chunk_counts_forms({chunk: chunk_counts[chunk] for chunk in refused}))
    return forms


def _chunk_counts_forms(chunk_counts) -> Counter:
    forms = Counter()
    for chunk, count in chunk_counts.items():
        for form in _chunk_forms(chunk):
            forms[form] += count
    return forms


class FormCounter:
    """(exact form, display form) → occurrences, over the content words of many texts.

    PERF: the chunks of each text are counted (in C, or in the compiled
    core) and each distinct chunk is expanded into its forms once, every
    CHUNKS_HELD distinct chunks and at the end: far cheaper than expanding
    every chunk of every text.
    """

    def __init__(self):
        core = active_core()
        self._native = native.form_counter(core) if core is not None else None
        self._chunks = Counter()  # trimmed chunk → occurrences, since the last expansion
        self._forms = Counter()

    def add(self, text: str) -> None:
        """Count one text's chunks, edge punctuation trimmed (a word's forms do
        not depend on the punctuation beside it)."""
        if self._native is not None:
            try:
                return self._native.add(text)
            except ValueError:  # a lone surrogate: counted by the chain
                pass
        self._chunks.update(trimmed_chunks(text))

    def settle(self) -> None:
        """Expand the chunks counted so far if they are many (between texts)."""
        if len(self._chunks) > CHUNKS_HELD:
            self._expand()
        if self._native is not None and self._native.held() > CHUNKS_HELD:
            self._native.expand()

    def table(self) -> bytes:
        """The forms of every text added, as lines of ``exact\tdisplay\tcount``.

        PERF: bytes, not a Counter: a reindex worker hands a few hundred
        thousand forms to the main process, and a Counter's pickling, its
        unpickling and the merge were a fifth of a reindex.
        """
        self._expand()
        table = self._native.table() if self._native is not None else b""
        return table + _table(self._forms)

    def _expand(self) -> None:
        self._forms.update(_forms_of(self._chunks))
        self._chunks = Counter()


def count_forms(texts) -> Counter:
    """(exact form, display form) → occurrences, over the content words of ``texts``.

    >>> count_forms(["الرَّئِيسُ يصل", "الرئيس"])
    Counter({('الرييس', 'الرئيس'): 2, ('يصل', 'يصل'): 1})
    """
    counter = FormCounter()
    for text in texts:
        counter.add(text)
    return table_counts(counter.table())


def _table(forms: Counter) -> bytes:
    return "".join(f"{exact}\t{display}\t{n}\n" for (exact, display), n in forms.items()).encode()


def table_counts(table: bytes) -> Counter:
    """(exact form, display form) → occurrences in a table of ``FormCounter.table``
    (or a vocabulary file), a pair's rows summed."""
    counts = Counter()
    for pair in zip(*columns(table.decode("utf-8"))):
        counts[pair[:2]] += int(pair[2])
    return counts


def _vocabulary_file(tables) -> bytes:
    """The vocabulary file of form tables: per exact form, its most common
    display form and its total, sorted by exact form.  In Python:
    ``vocabulary_file`` is this, made by the compiled core when it is in use."""
    totals, best = {}, {}  # exact form → occurrences; → (occurrences, display form)
    counts = Counter()
    for table in tables:
        counts.update(table_counts(table))
    for (exact, display), count in counts.items():
        totals[exact] = totals.get(exact, 0) + count
        held = best.get(exact)
        # The most common display form; of equals the smallest, so the
        # file does not depend on the order documents were counted in.
        if held is None or count > held[0] or (count == held[0] and display < held[1]):
            best[exact] = (count, display)
    return "".join(
        f"{exact}\t{best[exact][1]}\t{totals[exact]}\n" for exact in sorted(best)
    ).encode()


vocabulary_file = backed(
    _vocabulary_file, lambda _core, tables: native.bahth_native.vocabulary_file(list(tables))
)


class VocabularyBuilder:
    def __init__(self):
        self._tables = []  # of FormCounter.table: their forms summed when written
        self.titles = {}  # id → (kind, title)

    def add_forms(self, table: bytes) -> None:
        """Add the forms of indexed documents (a ``FormCounter.table``)."""
        self._tables.append(table)

    def add_title(self, doc_id: str, kind: str, title: str) -> None:
        if title:
            self.titles[doc_id] = (kind, title)

    def forget(self, doc_id: str) -> None:
        self.titles.pop(doc_id, None)

    def load(self, directory: Path) -> None:
        """Start from a previous build (incremental reindex)."""
        if (directory / VOCABULARY).exists():  # its rows are a table: a form each
            self._tables.append((directory / VOCABULARY).read_bytes())
        ids, kinds, titles = read_columns(directory / TITLES)
        self.titles.update(zip(ids, zip(kinds, titles)))

    def write(self, directory: Path) -> None:
        (directory / VOCABULARY).write_bytes(vocabulary_file(self._tables))
        with open(directory / TITLES, "w", encoding="utf-8") as out:
            out.writelines(
                f"{doc_id}\t{kind}\t{_one_line(title)}\n"
                for doc_id, (kind, title) in self.titles.items()
            )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def read_columns(path: Path, kind: type = str) -> tuple[list, list, list]:
    """The three columns of a file written here, as ``str`` or UTF-8 ``bytes``;
    empty if there is no file.  Lines of another width are skipped.
    """
    data = path.read_bytes() if path.exists() else b""
    return columns(data.decode("utf-8") if kind is str else data)


def columns(data: str | bytes) -> tuple[list, list, list]:
    """The three columns of lines of tab-separated text; lines of another width skipped."""
    tab, newline = ("\t", "\n") if isinstance(data, str) else (b"\t", b"\n")
    lines = data.split(newline)
    if not lines[-1]:
        lines.pop()  # the last line's break
    if set(map(methodcaller("count", tab), lines)) == {2}:
        # PERF: every line has three columns (as written here): one split for all.
        fields = tab.join(lines).split(tab)
        return fields[0::3], fields[1::3], fields[2::3]
    rows = [row for row in map(methodcaller("split", tab), lines) if len(row) == 3]
    return tuple(map(list, zip(*rows))) if rows else ([], [], [])
