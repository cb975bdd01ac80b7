"""EngineQuery and Filters → an engine's own query, matching and scoring as Whoosh does.

The shape is the same for every engine that builds its query from
constructors (tantivy, OpenSearch): a required clause adds its score, an
optional one adds its score when it matches, a phrase matches its words in
order and scores as the sum of its words' BM25 (as Whoosh's does),
exclusions and filters select and never score.  An engine gives the
primitives; the shape is written once, here.
"""

from typing import Generic
from typing import TypeVar

from indexer.engines.base import Clause
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import PhraseClause

Q = TypeVar("Q")  # the engine's query type


class Translation(Generic[Q]):
    # The primitives.
    def term(self, field: str, term: str, boost: float = 1.0) -> Q:
        raise NotImplementedError

    def phrase(self, field: str, terms: tuple[str, ...]) -> Q:
        """Matches the terms in order, adjacent; scored any way."""
        raise NotImplementedError

    def every(self) -> Q:
        raise NotImplementedError

    def boolean(self, must=(), should=(), must_not=(), select=(), boost: float = 1.0) -> Q:
        """``must`` and ``should`` score (``should`` alone: one must match); ``select``
        must match and scores nothing; ``boost`` weights the whole."""
        raise NotImplementedError

    def filters(self, filters: Filters) -> list[Q]:
        raise NotImplementedError

    # The shape.
    def matching(self, clause: Clause) -> Q:
        """Matches the clause, scored any way (for exclusions)."""
        terms = _terms(clause)
        if len(terms) == 1:
            return self.term(clause.field, terms[0])
        return self.phrase(clause.field, terms)

    def scored(self, clause: Clause) -> Q:
        """Matches the clause, scored as Whoosh scores it."""
        terms = _terms(clause)
        if len(terms) == 1:
            return self.term(clause.field, terms[0], clause.boost)
        words = [self.term(clause.field, t) for t in terms]
        return self.boolean(must=words, select=[self.matching(clause)], boost=clause.boost)

    def scoring(self, query: EngineQuery) -> Q:
        """The clauses that score: ``query`` without its exclusions."""
        should = [self.scored(c) for c in query.should]
        if query.must:
            return self.boolean(must=[self.scored(c) for c in query.must], should=should)
        return self.boolean(should=should) if should else self.every()

    def query(self, query: EngineQuery, filters: Filters) -> Q:
        main = self.scoring(query)
        must_not = [self.matching(c) for c in query.must_not]
        selected = self.filters(filters)
        if not must_not and not selected:
            return main
        return self.boolean(must=[main], must_not=must_not, select=selected)


def _terms(clause: Clause) -> tuple[str, ...]:
    return clause.terms if isinstance(clause, PhraseClause) else (clause.term,)
