"""Every error as ``{"error": {"code", "message"}}`` with a stable code and the right status.

Three handlers, the most specific winning: our own ``BahthError`` (code →
status from ``STATUS``), falcon's ``HTTPError`` (unknown route, wrong method;
through the error serializer) and any other exception, which is a bug: a 500
with a generic message for the client and the traceback in the log only.
On the search page (``/``) the same errors are shown as an HTML page instead.
"""

import logging

import falcon

from indexer.errors import BahthError
from search_api import page

log = logging.getLogger("bahth.api")

STATUS = {
    "invalid_parameter": 400,
    "query_too_long": 400,
    "page_too_deep": 400,
    "not_found": 404,
    "method_not_allowed": 405,
    "index_unavailable": 503,
    "index_incompatible": 503,
    "internal_error": 500,
}

# Codes for falcon's own errors, by status; others get a slug of their title.
_HTTP_CODES = {400: "invalid_parameter", 404: "not_found", 405: "method_not_allowed",
               500: "internal_error"}
INTERNAL_MESSAGE = "the server failed to answer this request; it has been logged"
# The index's own messages name server paths: clients get these, the log gets those.
PUBLIC_MESSAGES = {
    "index_unavailable": "no index is being served yet: run `bahth reindex` to build one",
    "index_incompatible": "the index was built by another version of bahth: run `bahth reindex`",
}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def _send(req, resp, status: int, code: str, message: str) -> None:
    resp.status = status
    if req.path == page.PATH:
        page.render_error(req, resp, status, code, message)
    else:
        resp.media = error_body(code, message)


def handle_bahth_error(req, resp, exc: BahthError, params) -> None:
    status = STATUS.get(exc.code)
    if status is None:  # a BahthError the API never expects here: treat as a bug
        handle_unexpected(req, resp, exc, params)
        return
    message = PUBLIC_MESSAGES.get(exc.code)
    if message:
        log.warning("%s %s: %s", req.method, req.relative_uri, exc.message)
    _send(req, resp, status, exc.code, message or exc.message)


def handle_unexpected(req, resp, exc: Exception, params) -> None:
    log.exception("unhandled error on %s %s", req.method, req.relative_uri)
    _send(req, resp, 500, "internal_error", INTERNAL_MESSAGE)


def serialize_http_error(req, resp, exc: falcon.HTTPError) -> None:
    """falcon's own errors (404 route, 405 method, ...) in our JSON shape."""
    status = exc.status_code
    code = exc.code or _HTTP_CODES.get(status) or exc.title.lower().replace(" ", "_")
    if status == 404:
        message = f"no such route: {req.path}"
    elif status == 405:
        message = f"method {req.method} is not allowed on {req.path}"
    else:
        message = exc.description or exc.title
    resp.content_type = falcon.MEDIA_JSON
    resp.media = error_body(code, message)


def install(app: falcon.App) -> None:
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(BahthError, handle_bahth_error)
    app.set_error_serializer(serialize_http_error)
