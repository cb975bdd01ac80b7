"""Where a query goes: checked, parsed, turned into an engine query, ranked, shaped into hits.

The surface the service, the CLI and the benchmarks use; the modules beneath
are the steps (``searcher`` says in which order).
"""

from indexer.read.related import MAX_LIMIT as MAX_RELATED
from indexer.read.related import RelatedRequest
from indexer.read.related import RelatedResponse
from indexer.read.related import related_parameters
from indexer.read.request import MAX_RESULT_WINDOW
from indexer.read.request import SearchRequest
from indexer.read.request import parameters
from indexer.read.response import SearchResponse
from indexer.read.searcher import Searcher

__all__ = [
    "MAX_RELATED",
    "MAX_RESULT_WINDOW",
    "RelatedRequest",
    "RelatedResponse",
    "SearchRequest",
    "SearchResponse",
    "Searcher",
    "parameters",
    "related_parameters",
]
