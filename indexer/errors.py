"""Errors raised where things go wrong, turned into HTTP or CLI errors at the edge.

    BahthError                 every error of ours; ``code`` is stable, for clients
    ├── ConfigError            a setting or flag with a bad value
    ├── BadDocument            a source record that cannot be indexed (file:line: reason)
    ├── ReindexBusy            another reindex holds the lock
    ├── ReindexFailed          the new index could not be written (disk, permissions)
    ├── IndexUnavailable       no index yet, or it cannot be read
    │   └── IndexIncompatible  built by another schema version
    ├── DocumentNotFound       no document with that id
    └── BadQuery               a search request the service will not run

``API_ERRORS`` declares every code a client of the JSON API can get, with its
HTTP status and meaning: the API, its OpenAPI description and the search
page derive theirs from it, and a test checks README's table against it.
"""

from typing import NamedTuple


class ApiError(NamedTuple):
    status: int
    meaning: str


API_ERRORS = {
    "invalid_parameter": ApiError(400, "a parameter with a bad value, or `to` before `from`"),
    "query_too_long": ApiError(400, "q longer than the limit (500 characters)"),
    "text_too_long": ApiError(
        400, "a related-articles text longer than the limit (20,000 characters)"
    ),
    "page_too_deep": ApiError(400, "a page beyond the first 10,000 results"),
    "invalid_body": ApiError(400, "a POST body that is not a JSON object"),
    "bad_request": ApiError(400, "a request that is not valid HTTP"),
    "not_found": ApiError(404, "unknown document or route"),
    "method_not_allowed": ApiError(405, "a method the route does not take"),
    "request_too_large": ApiError(413, "a body beyond the server's limit"),
    "unsupported_media_type": ApiError(415, "a POST body that is not application/json"),
    "request_header_too_large": ApiError(431, "a header beyond the server's limit"),
    "internal_error": ApiError(500, "a bug; the traceback goes to the log only"),
    "index_unavailable": ApiError(503, "no index yet, or it cannot be read: run `bahth reindex`"),
    "index_incompatible": ApiError(503, "built by another schema version: run `bahth reindex`"),
}


class BahthError(Exception):
    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(BahthError):
    code = "invalid_setting"


class BadDocument(BahthError):
    code = "bad_document"

    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.source, self.line, self.reason = source, line, reason

    def __reduce__(self):  # pickled from the analysis workers, which parse feed lines
        return type(self), (self.source, self.line, self.reason)


class ReindexBusy(BahthError):
    code = "reindex_running"


class ReindexFailed(BahthError):
    code = "reindex_failed"


class IndexUnavailable(BahthError):
    code = "index_unavailable"


class IndexIncompatible(IndexUnavailable):
    code = "index_incompatible"


class DocumentNotFound(BahthError):
    code = "not_found"


class BadQuery(BahthError):
    """A search request the service will not run; ``code`` says which kind of rule it
    broke, ``parameter`` and ``rule`` which one (for the page's Arabic message)."""

    def __init__(
        self, code: str, message: str, parameter: str | None = None, rule: str | None = None
    ):
        super().__init__(message)
        self.code, self.parameter, self.rule = code, parameter, rule
