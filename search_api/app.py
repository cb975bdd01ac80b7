"""Building the falcon app: routes, security headers, CORS, error handling.

The app starts without an index: the Searcher opens the generation named by
CURRENT on each request, so requests get 503s until ``bahth reindex``
publishes one, and then answers, with no restart.
"""

import gc
from pathlib import Path
from urllib.parse import quote

import falcon
import orjson

from indexer import analysis
from indexer.errors import IndexUnavailable
from indexer.read import Searcher
from indexer.read import highlight
from indexer.settings import Settings
from search_api import errors
from search_api import page
from search_api import resources
from search_api.openapi import build_spec
from search_api.page import PageResource

STATIC_DIR = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CORS_PREFIXES = ("/api/", "/openapi.json")  # the page and its files are same-origin only


class SecurityHeaders:
    """On every response, errors and static files included."""

    def process_response(self, req, resp, resource, req_succeeded):
        resp.set_header("Content-Security-Policy", CSP)
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Referrer-Policy", "same-origin")


class ApiCORS(falcon.CORSMiddleware):
    """falcon's CORS policy, for the JSON API only."""

    def process_response(self, req, resp, resource, req_succeeded):
        if req.path.startswith(CORS_PREFIXES):
            # The answer depends on Origin: shared caches must keep one per origin.
            resp.append_header("Vary", "Origin")
            super().process_response(req, resp, resource, req_succeeded)


def create_app(settings: Settings | None = None, searcher: Searcher | None = None) -> falcon.App:
    settings = settings or Settings.from_env()
    # Constructing a Searcher reads nothing: it opens the index on first use.
    searcher = searcher or Searcher(settings)
    middleware = [SecurityHeaders()]
    if settings.cors_origins:
        middleware.append(ApiCORS(allow_origins=settings.cors_origins))
    app = falcon.App(middleware=middleware)
    app.add_route("/", PageResource(searcher))
    app.add_route(page.RELATED_PATH, page.RelatedPageResource(searcher))
    app.add_route("/api/search", resources.SearchResource(searcher))
    # :path so an id from a feed may contain "/".
    app.add_route("/api/documents/{doc_id:path}", resources.DocumentResource(searcher))
    app.add_route("/api/related", resources.RelatedResource(searcher))
    app.add_route("/api/suggest", resources.SuggestResource(searcher))
    app.add_route("/healthz", resources.HealthResource(searcher))
    app.add_route("/openapi.json", resources.OpenAPIResource(build_spec(settings)))
    # PERF: orjson encodes a page of ten hits in 11 µs, the standard library in 83.
    json_handler = falcon.media.JSONHandler(dumps=orjson.dumps, loads=orjson.loads)
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = json_handler
    app.add_static_route("/static", str(STATIC_DIR))
    errors.install(app)
    return app


def get_app():
    """The app each gunicorn worker serves (``indexer.serving``), configured from BAHTH_* variables.

    A worker builds what its first reader would otherwise wait for as it
    boots (the analysis core, the highlighter's character classes, the
    index's reader), then freezes its heap: the cycle collector no longer
    walks those long-lived objects on every collection of a request's.
    """
    settings = Settings.from_env()
    searcher = Searcher(settings)
    analysis.active_core()
    highlight.prepare()
    try:
        searcher.health()
    except (
        IndexUnavailable
    ):  # no index yet, or an incompatible one: requests get 503 until a reindex publishes one
        pass
    app = utf8_query_string(create_app(settings, searcher))
    if settings.gc_freeze:
        gc.freeze()
    return app


def utf8_query_string(app):
    """Accept a query string sent as raw UTF-8, as curl sends ``?q=مدنيين``.

    WSGI hands the request's bytes over decoded as Latin-1 (PEP 3333); bytes
    that are valid UTF-8 are re-encoded here as the percent-escapes a browser
    would have sent.  Anything else is passed on as it came.
    """

    def wsgi(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            try:
                text = query.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                text = None  # not UTF-8: left for the app to reject or read
            if text is not None:
                environ["QUERY_STRING"] = quote(text, safe="=&+%;/:,")
        return app(environ, start_response)

    return wsgi
