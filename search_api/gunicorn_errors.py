"""gunicorn's own error answers in the API's JSON shape.

gunicorn answers by itself, before the app sees them, the requests it cannot
parse (a malformed request line, a header over its limit), with an HTML page.
Its one writer of those pages, ``gunicorn.util.write_error``, is replaced in
each worker by one that writes ``{"error": {"code", "message"}}`` with a
declared code, so that every error a client gets is the documented JSON.
"""

import json
from http import HTTPStatus

from gunicorn import util

from indexer.errors import API_ERRORS
from search_api.errors import error_body

# gunicorn's statuses, as codes; any other (417, 501, ...) is a bad_request.
CODES = {
    400: "bad_request",
    413: "request_too_large",
    414: "request_too_large",
    431: "request_header_too_large",
    500: "internal_error",
}


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """``gunicorn.util.write_error``'s signature and job, in JSON."""
    code = CODES.get(status_int, "bad_request")
    status = API_ERRORS[code].status
    body = json.dumps(error_body(code, mesg or reason)).encode()  # ASCII: escapes what came in
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("ascii") + body)


def install() -> None:
    util.write_error = write_error
