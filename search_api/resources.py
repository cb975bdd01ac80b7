"""The JSON API resources, and reading a search request from a query string or a JSON body.

Each responder is a thin adapter: parameters in, ``Searcher`` call, dict out.
Errors are raised, not caught: ``search_api.errors`` turns them into JSON.
Every resource answers HEAD as GET (falcon sends the headers only).
"""

import json
import re

import falcon

from indexer.errors import BadQuery
from indexer.read import RelatedRequest
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.read import parameters
from indexer.read import related_parameters

_INTEGER = re.compile(r"^-?[0-9]{1,18}$")  # int() would also take "1_000", " 7" and "٣"
BOOLEAN_WORDS = {"true": True, "1": True, "false": False, "0": False}  # a boolean in a query string
MAX_BODY_BYTES = 64 * 1024  # a search's body is a few KB at most
# A related-articles text of the most characters allowed, each written as JSON's
# longest escape (a surrogate pair, \uXXXX\uXXXX: 12 bytes a character), fits.
RELATED_BODY_BYTES = 256 * 1024


class Readable:
    """HEAD wherever GET: uptime checks and ``curl -I`` ask for the headers only."""

    def on_head(self, req, resp, **params):
        self.on_get(req, resp, **params)


def query_values(req: falcon.Request, declared) -> dict:
    """The values of the ``declared`` parameters in a query string, by attribute.

    An empty value counts as absent, as an HTML form sends unset fields; whole
    numbers and true/false/1/0 arrive as text (any other text is left for validation to refuse).
    """
    values = {}
    for parameter in declared:
        value = req.get_param(parameter.name)
        if value is None or value == "":
            continue
        if parameter.schema["type"] == "integer" and _INTEGER.match(value):
            value = int(value)
        elif parameter.schema["type"] == "boolean" and value in BOOLEAN_WORDS:
            value = BOOLEAN_WORDS[value]
        values[parameter.attribute] = value
    return values


def query_request(req: falcon.Request, searcher: Searcher) -> SearchRequest:
    """The SearchRequest of a query string, as the page and ``GET /api/search`` take it."""
    return SearchRequest(**query_values(req, parameters(searcher.settings)))


def body_values(req: falcon.Request, declared, what: str, max_bytes: int = MAX_BODY_BYTES) -> dict:
    """The values of a ``POST`` body, a JSON object of the ``declared`` parameters, by attribute.

    ``what`` names one of them in the messages refusing a body.
    """
    media_type = (req.content_type or "").split(";")[0].strip().lower()
    if media_type != falcon.MEDIA_JSON:
        raise BadQuery("unsupported_media_type", "the body must be JSON, sent as application/json")
    raw = req.bounded_stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise BadQuery("request_too_large", f"the body is longer than {max_bytes} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
        body = None
    if not isinstance(body, dict):
        raise BadQuery("invalid_body", f"the body must be a JSON object of {what}s")
    declared = {p.name: p for p in declared}
    values = {}
    for name, value in body.items():
        if name not in declared:
            raise BadQuery("invalid_parameter", f"{name} is not a {what}", name, "unknown")
        if value is None:  # absent is how to leave a parameter out
            raise BadQuery("invalid_parameter", f"{name} must not be null", name, "type")
        if (
            isinstance(value, float)
            and value.is_integer()
            and declared[name].schema["type"] == "integer"
        ):
            value = int(value)  # 2.0 is an integer to JSON Schema, and so to us
        values[declared[name].attribute] = value
    return values


def body_request(req: falcon.Request, searcher: Searcher) -> SearchRequest:
    """The SearchRequest of ``POST /api/search``: a JSON object of the same parameters."""
    return SearchRequest(**body_values(req, parameters(searcher.settings), "search parameter"))


class SearchResource(Readable):
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        resp.media = self.searcher.search(query_request(req, self.searcher)).to_dict()

    def on_post(self, req, resp):
        """For queries too long for a URL; answers exactly as GET would."""
        resp.media = self.searcher.search(body_request(req, self.searcher)).to_dict()


RELATED_SUFFIX = "/related"
# What GET /api/documents/{id}/related reads from its query string.
RELATED_QUERY = tuple(p for p in related_parameters() if p.name == "limit")


def related_request(req: falcon.Request, doc_id: str) -> RelatedRequest:
    """The related articles of the document ``doc_id``, as a query string asks for them."""
    return RelatedRequest(id=doc_id, **query_values(req, RELATED_QUERY))


class DocumentResource(Readable):
    """``/api/documents/{id}``, and ``/api/documents/{id}/related``: an id may hold "/"
    (a feed's link), so one route takes the whole path and its end decides."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp, doc_id):
        if doc_id.endswith(RELATED_SUFFIX):
            request = related_request(req, doc_id.removesuffix(RELATED_SUFFIX))
            resp.media = self.searcher.related(request).to_dict()
        else:
            resp.media = self.searcher.document(doc_id)


class RelatedResource:
    """``POST /api/related``: the articles closest to a text not in the index (a draft)."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_post(self, req, resp):
        values = body_values(
            req, related_parameters(), "related-articles parameter", RELATED_BODY_BYTES
        )
        resp.media = self.searcher.related(RelatedRequest(**values)).to_dict()


class SuggestResource(Readable):
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        q = req.get_param("q") or ""
        resp.media = {"query": q, "suggestions": self.searcher.suggest(q)[:10]}


class HealthResource(Readable):
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        # No index raises IndexUnavailable: a 503 tells the load balancer to wait.
        resp.media = self.searcher.health()
        resp.cache_control = ["no-store"]


class OpenAPIResource(Readable):
    def __init__(self, spec: dict):
        self.spec = spec

    def on_get(self, req, resp):
        resp.media = self.spec
