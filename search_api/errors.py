"""Every error as ``{"error": {"code", "message"}}`` with a stable code and the right status.

Three handlers, the most specific winning: our own ``BahthError`` (its code's
status from ``indexer.errors.API_ERRORS``), falcon's ``HTTPError`` (unknown
route, wrong method; through the error serializer) and any other exception,
which is a bug: a 500 with a generic message for the client and the
traceback in the log only.  On the pages (``/``, ``/related``) the same errors
are shown as an HTML page instead, and so is an unknown route to a browser.
"""

import logging

import falcon

from indexer.errors import API_ERRORS
from indexer.errors import BahthError
from search_api import page

log = logging.getLogger("bahth.api")

# Codes for falcon's own errors, by status: the first code declared with it.
_HTTP_CODES = {error.status: code for code, error in reversed(API_ERRORS.items())}
INTERNAL_MESSAGE = "the server failed to answer this request; it has been logged"
# The index's own messages name server paths: clients get these, the log gets those.
PUBLIC_MESSAGES = {
    "index_unavailable": "no index is being served yet: run `bahth reindex` to build one",
    "index_incompatible": "the index was built by another version of bahth: run `bahth reindex`",
}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def _send(req, resp, code: str, message: str, exc: Exception | None = None) -> None:
    resp.status = API_ERRORS[code].status
    if req.path in page.PATHS:
        page.render_error(
            req, resp, code, getattr(exc, "parameter", None), getattr(exc, "rule", None)
        )
    else:
        resp.media = error_body(code, message)


def handle_bahth_error(req, resp, exc: BahthError, params) -> None:
    if exc.code not in API_ERRORS:  # a BahthError the API never expects here: treat as a bug
        handle_unexpected(req, resp, exc, params)
        return
    message = PUBLIC_MESSAGES.get(exc.code)
    if message:
        log.warning("%s %s: %s", req.method, req.relative_uri, exc.message)
    _send(req, resp, exc.code, message or exc.message, exc)


def handle_unexpected(req, resp, exc: Exception, params) -> None:
    log.exception("unhandled error on %s %s", req.method, req.relative_uri)
    _send(req, resp, "internal_error", INTERNAL_MESSAGE)


def serialize_http_error(req, resp, exc: falcon.HTTPError) -> None:
    """falcon's own errors (404 route, 405 method, ...) in our JSON shape.

    A 404 to a browser is a page, in the search page's look."""
    status = exc.status_code
    fallback = "internal_error" if status >= 500 else "bad_request"
    code = exc.code or _HTTP_CODES.get(status) or fallback
    if status == 404:
        message = f"no such route: {req.path}"
    elif status == 405:
        message = f"method {req.method} is not allowed on {req.path}"
    else:
        message = exc.description or exc.title
    if status == 404 and prefers_html(req):
        page.render_error(req, resp, code)
        return
    resp.content_type = falcon.MEDIA_JSON
    resp.media = error_body(code, message)


def prefers_html(req) -> bool:
    """A browser's Accept puts text/html first; curl's */* and API clients get JSON."""
    return req.client_prefers((falcon.MEDIA_JSON, falcon.MEDIA_HTML)) == falcon.MEDIA_HTML


def install(app: falcon.App) -> None:
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(BahthError, handle_bahth_error)
    app.set_error_serializer(serialize_http_error)
