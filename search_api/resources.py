"""The JSON API resources, and reading a search request from query parameters.

Each responder is a thin adapter: parameters in, ``Searcher`` call, dict out.
Errors are raised, not caught: ``search_api.errors`` turns them into JSON.
"""

import re

import falcon

from indexer.errors import BadQuery
from indexer.search import SearchRequest
from indexer.search import Searcher

DEFAULT_PER_PAGE = 10
_INTEGER = re.compile(r"^-?[0-9]{1,18}$")  # int() would also take "1_000", " 7" and "٣"


def text_param(req: falcon.Request, name: str) -> str | None:
    """A parameter's value; blank counts as absent, as an HTML form sends unset fields."""
    value = req.get_param(name)
    return value if value is not None and value.strip() else None


def int_param(req: falcon.Request, name: str, default: int) -> int:
    value = text_param(req, name)
    if value is None:
        return default
    if not _INTEGER.match(value.strip()):
        raise BadQuery("invalid_parameter", f"{name} must be a whole number")
    return int(value)


def search_request(req: falcon.Request) -> SearchRequest:
    """The SearchRequest the page and the API both run; the Searcher validates it."""
    return SearchRequest(
        q=req.get_param("q") or "",
        page=int_param(req, "page", 1),
        per_page=int_param(req, "per_page", DEFAULT_PER_PAGE),
        kind=text_param(req, "kind"),
        sort=text_param(req, "sort") or "relevance",
        date_from=text_param(req, "from"),
        date_to=text_param(req, "to"),
        source=text_param(req, "source"),
    )


class SearchResource:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        resp.media = self.searcher.search(search_request(req)).to_dict()


class DocumentResource:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp, doc_id):
        resp.media = self.searcher.document(doc_id)


class SuggestResource:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        q = req.get_param("q") or ""
        resp.media = {"query": q, "suggestions": self.searcher.suggest(q)[:10]}


class HealthResource:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        # No index raises IndexUnavailable: a 503 tells the load balancer to wait.
        resp.media = self.searcher.health()
        resp.cache_control = ["no-store"]


class OpenAPIResource:
    def __init__(self, spec: dict):
        self.spec = spec

    def on_get(self, req, resp):
        resp.media = self.spec
