"""Arabic analysis: text in, terms out.  Knows nothing of any search engine.

    text ─► normalise ─► words ─► drop stop words ─► (exact, light stem, root)

Two back-ends give the same terms, offsets and streams: ``chain``, in
Python, the reference; and the compiled core (``native``), several times
faster, used when it is installed unless ``use("python")`` says otherwise.
Tests hold the two equal on the whole news corpus and on arbitrary Unicode.
"""

from functools import update_wrapper

from indexer.analysis import chain
from indexer.analysis import native
from indexer.analysis.chain import EDGE_PUNCTUATION
from indexer.analysis.chain import Chunk
from indexer.analysis.chain import FieldStreams
from indexer.analysis.chain import Term
from indexer.analysis.chain import analyse_chunks
from indexer.analysis.chain import chunks
from indexer.analysis.chain import trim
from indexer.analysis.chain import trimmed_chunks
from indexer.analysis.normalise import normalise
from indexer.analysis.stem import root
from indexer.analysis.stem import stem
from indexer.analysis.stopwords import is_stop_word
from indexer.analysis.tokenise import spans
from indexer.analysis.tokenise import words

__all__ = [
    "BACKENDS",
    "EDGE_PUNCTUATION",
    "Chunk",
    "FieldStreams",
    "Term",
    "active_core",
    "analyse",
    "analyse_chunk",
    "analyse_chunks",
    "analyse_spans",
    "analyse_word",
    "backed",
    "backend",
    "chunk_stems",
    "chunks",
    "field_streams",
    "is_stop_word",
    "normalise",
    "root",
    "spans",
    "stem",
    "trim",
    "trimmed_chunks",
    "use",
    "words",
]

BACKENDS = ("auto", "native", "python")
_UNSET = object()
_core = _UNSET  # the compiled core in use, None for the Python chain; chosen on first use


def use(name: str) -> None:
    """Choose the back-end: ``native`` (an error without it), ``python``, or ``auto``."""
    global _core
    if name not in BACKENDS:
        raise ValueError(f"unknown analysis back-end {name!r}: choose one of {', '.join(BACKENDS)}")
    if name == "native" and not native.available():
        raise ValueError(
            "the native analysis core is not installed (it needs a Rust toolchain: see README)"
        )
    _core = None if name == "python" else native.core()


def active_core():
    """The compiled core in use, or None when the Python chain is."""
    global _core
    if _core is _UNSET:
        _core = native.core()
    return _core


def backend() -> str:
    """``native`` or ``python``: which back-end analyses."""
    return "python" if active_core() is None else "native"


def backed(reference, native_call):
    """``reference``, answered by ``native_call(core, *args)`` while a compiled core is in use.

    What the core refuses with a ValueError (a lone surrogate: it takes only
    valid Unicode, the chain any str) the reference answers.
    """

    def call(*args, **kwargs):
        core = active_core()
        if core is not None:
            try:
                return native_call(core, *args, **kwargs)
            except ValueError:
                pass
        return reference(*args, **kwargs)

    return update_wrapper(call, reference)


def _backed(reference, method: str, convert=lambda result: result):
    """``reference``, answered by the core's ``method`` when a core is in use."""
    return backed(reference, lambda core, *args: convert(getattr(core, method)(*args)))


def _chunk(found) -> Chunk:
    return Chunk(
        tuple(Term(e, s, r) for e, s, r, _, _ in found), tuple((a, b) for *_, a, b in found)
    )


analyse = _backed(chain.analyse, "analyse", lambda found: list(map(Term._make, found)))
analyse_word = _backed(chain.analyse_word, "word", lambda found: found and Term._make(found))
analyse_chunk = _backed(chain.analyse_chunk, "analyse_spans", _chunk)
analyse_spans = _backed(
    chain.analyse_spans,
    "analyse_spans",
    lambda found: [(Term(e, s, r), a, b) for e, s, r, a, b in found],
)
chunk_stems = _backed(
    chain.chunk_stems, "chunk_stems", lambda found: (tuple(found[0]), tuple(found[1]))
)
field_streams = _backed(
    chain.field_streams, "document_streams", lambda found: found and FieldStreams._make(found)
)
