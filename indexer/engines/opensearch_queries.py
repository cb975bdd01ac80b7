"""EngineQuery and Filters → OpenSearch query DSL, matching and scoring as Whoosh does.

Objects, never query strings: a reader's text never reaches a parser.
"""

from indexer import schema
from indexer.engines.base import Filters
from indexer.engines.base import Rescore
from indexer.engines.translation import Translation


class Queries(Translation[dict]):
    """EngineQuery → query DSL, with Whoosh's matching and scoring."""

    @staticmethod
    def term(field: str, term: str, boost: float = 1.0) -> dict:
        body = {"value": term}
        if boost != 1.0:
            body["boost"] = boost
        return {"term": {field: body}}

    @staticmethod
    def phrase(field: str, terms: tuple[str, ...]) -> dict:
        # Analysed by the field's whitespace analyzer: the terms, in order, adjacent.
        return {"match_phrase": {field: {"query": " ".join(terms), "slop": 0}}}

    @staticmethod
    def every() -> dict:
        return {"match_all": {}}

    @staticmethod
    def boolean(must=(), should=(), must_not=(), select=(), boost: float = 1.0) -> dict:
        body = {}
        for key, clauses in (
            ("must", must),
            ("should", should),
            ("must_not", must_not),
            ("filter", select),
        ):
            if clauses:
                body[key] = list(clauses)
        if should and not must:
            body["minimum_should_match"] = 1  # beside a must, should clauses only add to the score
        if boost != 1.0:
            body["boost"] = boost
        return {"bool": body}

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
