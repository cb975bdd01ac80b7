"""The ranking policy: which fields each query word is matched in, and how much it counts."""

from indexer import schema
from indexer.engines.base import EngineQuery
from indexer.engines.base import PhraseClause
from indexer.engines.base import Rescore
from indexer.engines.base import TermClause
from indexer.read.query import ParsedQuery
from indexer.synonyms import Expansion


def engine_query(
    parsed: ParsedQuery,
    *,
    phrases: bool = True,
    rerank_window: int | None = None,
    synonyms: tuple[Expansion, ...] = (),
) -> EngineQuery:
    """The ranking policy: which fields each query word is matched in, and how much it counts.

    ``phrases=False`` drops the quoted phrases' word-order requirement; their
    words still rank like any others.  With ``rerank_window``, ranked in two
    stages: ``first_stage`` of this query, its top ``rerank_window`` re-scored
    by all of it.  ``synonyms`` (``Synonyms.expand``) add optional matches
    in the stem field at ``schema.SYNONYM_WEIGHT``, one of several words as
    a phrase.
    """
    should, seen = [], set()
    for term in parsed.words:
        if term.exact in seen:
            continue
        seen.add(term.exact)
        should += [
            TermClause(schema.STEM, term.stem, schema.WEIGHTS[schema.STEM]),
            TermClause(schema.EXACT, term.exact, schema.WEIGHTS[schema.EXACT]),
            TermClause(schema.ROOT, term.root, schema.WEIGHTS[schema.ROOT]),
            TermClause(schema.LEAD, term.stem, schema.WEIGHTS[schema.LEAD]),
        ]
    should += [_synonym_clause(e.target.key) for e in synonyms]
    must = [
        PhraseClause(schema.PHRASE_FIELD, tuple(t.stem for t in p))
        for p in parsed.phrases
        if phrases
    ]
    must += [TermClause(schema.TITLE, t.stem) for t in parsed.title_terms]
    must_not = [
        TermClause(schema.STEM, p[0].stem)
        if len(p) == 1
        else PhraseClause(schema.PHRASE_FIELD, tuple(t.stem for t in p))
        for p in parsed.excluded
    ]
    # A clause repeated in the query is one condition, not many to evaluate.
    full = EngineQuery(tuple(should), tuple(dict.fromkeys(must)), tuple(dict.fromkeys(must_not)))
    return full if rerank_window is None else first_stage(full, rerank_window)


def _synonym_clause(stems: tuple[str, ...]) -> TermClause | PhraseClause:
    if len(stems) == 1:
        return TermClause(schema.STEM, stems[0], schema.SYNONYM_WEIGHT)
    return PhraseClause(schema.PHRASE_FIELD, stems, schema.SYNONYM_WEIGHT)


# The first stage's fields: a word matches in any inflection.  The exact and
# lead fields hold only words whose stem the stem field holds, so they never
# widen what matches; the root field does (words of one root, other stems).
FIRST_STAGE_FIELDS = (schema.STEM,)


def first_stage(full: EngineQuery, window: int) -> EngineQuery:
    """``full`` as two stages: its clauses over FIRST_STAGE_FIELDS, at their
    weights, rank every match; all its clauses re-score the top ``window``.

    The first stage's clauses are some of ``full``'s, so a document re-scored
    never scores less than one left in first-stage order past the window.
    """
    should = tuple(c for c in full.should if c.field in FIRST_STAGE_FIELDS)
    return EngineQuery(should, full.must, full.must_not, Rescore(full, window))
