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
"""


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
    """A search request the service will not run; ``code`` says which rule it broke."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
