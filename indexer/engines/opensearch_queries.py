"""EngineQuery and Filters → OpenSearch query DSL, matching and scoring as Whoosh does.

Objects, never query strings: a reader's text never reaches a parser.
"""

from indexer import schema
from indexer.engines.base import Clause
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import PhraseClause
from indexer.engines.base import Rescore


class Queries:
    """EngineQuery → query DSL, with Whoosh's matching and scoring."""

    @staticmethod
    def term(field: str, term: str, boost: float = 1.0) -> dict:
        body = {"value": term}
        if boost != 1.0:
            body["boost"] = boost
        return {"term": {field: body}}

    def matching(self, clause: Clause) -> dict:
        """Matches the clause, scored any way (for exclusions and filters)."""
        if isinstance(clause, PhraseClause):
            if len(clause.terms) == 1:
                return self.term(clause.field, clause.terms[0])
            # Analysed by the field's whitespace analyzer: the terms, in order, adjacent.
            return {"match_phrase": {clause.field: {"query": " ".join(clause.terms), "slop": 0}}}
        return self.term(clause.field, clause.term)

    def scored(self, clause: Clause) -> dict:
        """Matches the clause, scored as Whoosh scores it."""
        if isinstance(clause, PhraseClause):
            if len(clause.terms) == 1:
                return self.term(clause.field, clause.terms[0], clause.boost)
            # Whoosh scores a phrase as the sum of its words' BM25; the phrase itself only selects.
            body = {
                "filter": [self.matching(clause)],
                "must": [self.term(clause.field, t) for t in clause.terms],
            }
            if clause.boost != 1.0:
                body["boost"] = clause.boost
            return {"bool": body}
        return self.term(clause.field, clause.term, clause.boost)

    def scoring(self, query: EngineQuery) -> dict:
        """The clauses that score: ``query`` without its exclusions."""
        should = [self.scored(c) for c in query.should]
        if query.must:
            # With a must, the should clauses only add to the score.
            return {"bool": {"must": [self.scored(c) for c in query.must], "should": should}}
        if should:
            return {"bool": {"should": should, "minimum_should_match": 1}}
        return {"match_all": {}}

    def rescore(self, rescore: Rescore) -> dict:
        """The ``rescore`` phase: the top ``window`` of each shard get the full
        query's score, the first stage's counting for nothing, so the window
        ranks as the full query alone ranks it."""
        return {
            "window_size": rescore.window,
            "query": {
                "rescore_query": self.scoring(rescore.query),
                "query_weight": 0.0,
                "rescore_query_weight": 1.0,
                "score_mode": "total",
            },
        }

    def query(self, query: EngineQuery, filters: Filters) -> dict:
        main = self.scoring(query)
        must_not = [self.matching(c) for c in query.must_not]
        found = self.filters(filters)
        if not must_not and not found:
            return main
        # Exclusions and filters select; they never score.
        return {"bool": {"must": [main], "must_not": must_not, "filter": found}}

    @staticmethod
    def filters(filters: Filters) -> list[dict]:
        found = [
            {"term": {name: getattr(filters, name)}}
            for name in schema.FILTER_FIELDS
            if getattr(filters, name)
        ]
        if filters.date_from or filters.date_to:
            for value in (filters.date_from, filters.date_to):
                if value and not schema.DATE_PATTERN.match(value):
                    raise ValueError(f"not {schema.DATE_SHAPE}: {value!r}")
            # YYYY-MM-DD keywords sort as dates; both bounds inclusive; no date is in no range.
            bounds = {}
            if filters.date_from:
                bounds["gte"] = filters.date_from
            if filters.date_to:
                bounds["lte"] = filters.date_to
            found.append({"range": {"date": bounds}})
        return found
