"""The OpenAPI 3.1 description served at ``/openapi.json``.

Written by hand to say what the server really does; tests/test_api.py checks
that it validates, that it lists exactly the app's routes and methods, and
that real responses match its schemas.
"""

from indexer.ingest.document import KINDS
from indexer.search import MAX_RESULT_WINDOW
from indexer.search import SORTS
from indexer.settings import Settings

STRING = {"type": "string"}
NULLABLE = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date", "examples": ["2024-12-08"]}
ERROR_CODES = ["invalid_parameter", "query_too_long", "page_too_deep", "not_found",
               "method_not_allowed", "index_unavailable", "index_incompatible", "internal_error"]
BLANK = " An empty value counts as absent."


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict | str, description: str) -> dict:
    schema = _ref(schema) if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": STRING}}}


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": STRING}


def _get(operation_id: str, summary: str, responses: dict, parameters=()) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = list(parameters)
    return {"get": operation}


def build_spec(settings: Settings) -> dict:
    max_q, max_per_page = settings.max_query_chars, settings.max_per_page
    q = _query("q", f"The query, up to {max_q} characters: words, \"a phrase\", -excluded, "
               "title:word. Missing or empty: no hits.",
               {"type": "string", "maxLength": max_q, "examples": ["استقالة"]})
    search_params = [
        q,
        _query("page", "1-based page number.", {"type": "integer", "minimum": 1, "default": 1}),
        _query("per_page", "Hits per page.",
               {"type": "integer", "minimum": 1, "maximum": max_per_page, "default": 10}),
        _query("kind", "Only this kind of document." + BLANK,
               {"type": "string", "enum": list(KINDS)}),
        _query("sort", "Ranking, or newest first." + BLANK,
               {"type": "string", "enum": list(SORTS), "default": "relevance"}),
        _query("from", "Earliest date, inclusive." + BLANK, DATE),
        _query("to", "Latest date, inclusive." + BLANK, DATE),
        _query("source", "Only documents from this source." + BLANK, STRING),
    ]
    unavailable = _json("Error", "No index yet (`index_unavailable`: run `bahth reindex`), or "
                                 "one built by another schema version (`index_incompatible`).")
    internal = _json("Error", "A bug: `internal_error` with a generic message; "
                              "the traceback is logged.")
    bad = _json("Error", "A bad parameter: `invalid_parameter`, `query_too_long`, or "
                         f"`page_too_deep` (page × per_page beyond {MAX_RESULT_WINDOW}).")
    paths = {
        "/api/search": _get("search", "Ranked, highlighted hits for a query", {
            "200": _json("SearchResponse", "One page of hits."),
            "400": bad, "500": internal, "503": unavailable,
        }, search_params),
        "/api/documents/{doc_id}": _get("getDocument", "One stored document", {
            "200": _json("Document", "The document as stored."),
            "404": _json("Error", "No document with this id (`not_found`)."),
            "500": internal, "503": unavailable,
        }, [_path_param("doc_id")]),
        "/api/suggest": _get("suggest", "Search-box completions for what has been typed", {
            "200": _json("Suggestions", "Up to 10 completions, most useful first."),
            "400": _json("Error", "`query_too_long`."),
            "500": internal, "503": unavailable,
        }, [q]),
        "/healthz": _get("health", "Whether an index is being served, and which", {
            "200": _json("Health", "Serving."), "500": internal, "503": unavailable,
        }),
        "/openapi.json": _get("openapi", "This document", {
            "200": _json({"type": "object"}, "The OpenAPI description."),
        }),
        "/": _get("searchPage", "The search page: right-to-left Arabic HTML, server-rendered", {
            "200": _html("The page, with results when q is given."),
            "400": _html("The page, explaining the bad parameter."),
            "500": _html("The page, saying that something went wrong."),
            "503": _html("The page, explaining that search is not available yet."),
        }, [q] + [_query(p["name"], "As for /api/search.", STRING) for p in search_params[1:]]),
        "/static/{file}": _get("staticFile", "The page's stylesheet and script", {
            "200": {"description": "The file.", "content": {
                "text/css": {"schema": STRING}, "text/javascript": {"schema": STRING}}},
            "404": _json("Error", "No such file (`not_found`)."),
        }, [_path_param("file")]),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "bahth", "version": "1.0.0",
                 "description": "Arabic full-text search over news headlines and articles. "
                                "Every error is `{\"error\": {\"code\", \"message\"}}` "
                                "with a stable code."},
        "paths": paths,
        "components": {"schemas": _schemas(max_per_page)},
    }


def _object(properties: dict, required=None, closed: bool = True) -> dict:
    schema = {"type": "object", "required": list(required or properties), "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


def _schemas(max_per_page: int) -> dict:
    marked = "as HTML: escaped, with matches in <mark>"
    return {
        "Error": _object({"error": _object({
            "code": {"type": "string", "examples": ERROR_CODES}, "message": STRING})}),
        "Hit": _object({
            "id": STRING, "kind": {"type": "string", "enum": list(KINDS)}, "title": STRING,
            "title_html": {"type": "string", "description": f"The title {marked}."},
            "snippet": {"type": "string", "description": f"The best passage {marked}."},
            "score": {"type": "number"}, "date": NULLABLE | {"format": "date"},
            "url": NULLABLE, "source": NULLABLE,
        }),
        "SearchResponse": _object({
            "query": STRING,
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": max_per_page},
            "took_ms": {"type": "number"},
            "hits": {"type": "array", "items": _ref("Hit")},
            "suggestion": NULLABLE | {"description": "A did-you-mean query, when hits are few."},
            "phrases_relaxed": {"type": "boolean", "description": (
                "True when no document holds a quoted phrase word for word, so the hits "
                "match its words in any order.")},
        }),
        # Open: a stored field added to the schema later is not a breaking change.
        "Document": _object({
            "id": STRING, "kind": {"type": "string", "enum": list(KINDS)}, "title": STRING,
            "body": STRING, "date": NULLABLE, "url": NULLABLE, "source": NULLABLE,
            "section": NULLABLE,
        }, required=["id", "kind", "title", "body"], closed=False),
        "Suggestions": _object({
            "query": STRING,
            "suggestions": {"type": "array", "maxItems": 10, "items": STRING},
        }),
        "Health": _object({
            "status": {"const": "ok"}, "documents": {"type": "integer", "minimum": 0},
            "engine": STRING, "generation": {"type": "integer"},
            "built_at": {"type": "string", "format": "date-time"},
        }),
    }
