"""The OpenAPI 3.1 description served at ``/openapi.json``.

Derived, not restated: the search parameters from ``indexer.read.parameters``
(the declaration the server validates with), the error codes from
``indexer.errors.API_ERRORS``.  The response shapes are declared here once;
tests/test_schemathesis.py checks real responses against them.
"""

from indexer.document import KINDS
from indexer.engines.base import FACET_FIELDS
from indexer.engines.facet_counts import FACET_SIZE
from indexer.errors import API_ERRORS
from indexer.read import MAX_RELATED
from indexer.read import parameters
from indexer.read import related_parameters
from indexer.settings import Settings
from search_api.resources import BOOLEAN_WORDS

STRING = {"type": "string"}
NULLABLE = {"type": ["string", "null"]}
HEAD_NOTE = " HEAD is answered wherever GET is, with the headers only."


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict | str, description: str) -> dict:
    schema = _ref(schema) if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": STRING}}}


def _errors(*codes: str) -> dict:
    """The responses for these codes, one per status, each code with its meaning."""
    by_status = {}
    for code in codes:
        by_status.setdefault(API_ERRORS[code].status, []).append(code)
    return {
        str(status): _json(
            "Error", "; ".join(f"`{code}`: {API_ERRORS[code].meaning}" for code in group) + "."
        )
        for status, group in by_status.items()
    }


def _query(parameter) -> dict:
    schema = parameter.schema
    description = parameter.description
    text = schema["type"] == "string" and not {"enum", "format", "pattern"} & set(schema)
    if schema["type"] == "boolean":  # a query string spells it out
        schema = {"anyOf": [schema, {"type": "string", "enum": list(BOOLEAN_WORDS)}]}
    if not text:  # an HTML form sends its unset fields empty: "" counts as absent
        schema = {"anyOf": [schema, {"const": ""}]}
        description += " Empty counts as absent."
    return {
        "name": parameter.name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": STRING}


def _operation(operation_id: str, summary: str, responses: dict, params=()) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "responses": responses}
    if params:
        operation["parameters"] = list(params)
    return operation


def build_spec(settings: Settings) -> dict:
    search_params = parameters(settings)
    query = [_query(p) for p in search_params]
    q = next(p for p in query if p["name"] == "q")
    unavailable = _errors("index_unavailable", "index_incompatible")
    internal = _errors("internal_error")
    hits = _json("SearchResponse", "One page of hits.")
    body = {
        "type": "object",
        "additionalProperties": False,
        "properties": {p.name: p.schema | {"description": p.description} for p in search_params},
    }
    related_params = related_parameters()
    limit = [_query(p) for p in related_params if p.name == "limit"]
    related = _json("RelatedResponse", "The closest articles, closest first.")
    related_body = {
        "type": "object",
        "additionalProperties": False,
        "required": ["text"],
        "properties": {p.name: p.schema | {"description": p.description} for p in related_params},
    }
    paths = {
        "/api/search": {
            "get": _operation(
                "search",
                "Ranked, highlighted hits for a query",
                {
                    "200": hits,
                    **_errors("invalid_parameter", "query_too_long", "page_too_deep"),
                    **internal,
                    **unavailable,
                },
                query,
            ),
            "post": _operation(
                "searchPost",
                "The same search, its parameters as a JSON body (for queries too long for a URL)",
                {
                    "200": hits,
                    **_errors(
                        "invalid_parameter",
                        "query_too_long",
                        "page_too_deep",
                        "invalid_body",
                        "request_too_large",
                        "unsupported_media_type",
                    ),
                    **internal,
                    **unavailable,
                },
            )
            | {
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}}
            },
        },
        "/api/documents/{doc_id}": {
            "get": _operation(
                "getDocument",
                "One stored document",
                {
                    "200": _json("Document", "The document as stored."),
                    **_errors("not_found"),
                    **internal,
                    **unavailable,
                },
                [_path_param("doc_id")],
            )
        },
        "/api/documents/{doc_id}/related": {
            "get": _operation(
                "relatedArticles",
                "The articles closest to a stored document (more like this: "
                "its most distinctive stems by tf-idf), itself left out",
                {
                    "200": related,
                    **_errors("invalid_parameter", "not_found"),
                    **internal,
                    **unavailable,
                },
                [_path_param("doc_id"), *limit],
            )
        },
        "/api/related": {
            "post": _operation(
                "relatedToText",
                "The articles closest to a text not in the index (a draft)",
                {
                    "200": related,
                    **_errors(
                        "invalid_parameter",
                        "text_too_long",
                        "invalid_body",
                        "request_too_large",
                        "unsupported_media_type",
                    ),
                    **internal,
                    **unavailable,
                },
            )
            | {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": related_body}},
                }
            }
        },
        "/api/suggest": {
            "get": _operation(
                "suggest",
                "Search-box completions for what has been typed",
                {
                    "200": _json("Suggestions", "Up to 10 completions, most useful first."),
                    **_errors("query_too_long"),
                    **internal,
                    **unavailable,
                },
                [q],
            )
        },
        "/healthz": {
            "get": _operation(
                "health",
                "Whether an index is being served, and which",
                {
                    "200": _json("Health", "Serving."),
                    **internal,
                    **unavailable,
                },
            )
        },
        "/openapi.json": {
            "get": _operation(
                "openapi",
                "This document",
                {
                    "200": _json({"type": "object"}, "The OpenAPI description."),
                },
            )
        },
        "/": {
            "get": _operation(
                "searchPage",
                "The search page: right-to-left Arabic HTML, server-rendered",
                {
                    "200": _html("The page, with results when q is given."),
                    "400": _html("The page, explaining the bad parameter."),
                    "500": _html("The page, saying that something went wrong."),
                    "503": _html("The page, explaining that search is not available yet."),
                },
                query,
            )
        },
        "/related": {
            "get": _operation(
                "relatedPage",
                "The articles related to one document, as a page (linked from "
                "each hit of the search page)",
                {
                    "200": _html("The page listing them."),
                    "400": _html("The page, explaining the bad parameter."),
                    "404": _html("The page, saying there is no such document."),
                    "500": _html("The page, saying that something went wrong."),
                    "503": _html("The page, explaining that search is not available yet."),
                },
                [
                    {
                        "name": "id",
                        "in": "query",
                        "required": True,
                        "schema": STRING | {"minLength": 1},
                        "description": "The document's id.",
                    },
                    *limit,
                ],
            )
        },
        "/static/{file}": {
            "get": _operation(
                "staticFile",
                "The page's stylesheet and script",
                {
                    "200": {
                        "description": "The file.",
                        "content": {
                            "text/css": {"schema": STRING},
                            "text/javascript": {"schema": STRING},
                        },
                    },
                    "404": {
                        "description": "No such file (`not_found`): a page to a browser that "
                        "asks for HTML, JSON otherwise.",
                        "content": {
                            "application/json": {"schema": _ref("Error")},
                            "text/html": {"schema": STRING},
                        },
                    },
                },
                [_path_param("file")],
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bahth",
            "version": "1.0.0",
            "description": "Arabic full-text search over news headlines and articles. "
            'Every error is `{"error": {"code", "message"}}` '
            "with a stable code." + HEAD_NOTE,
        },
        "paths": paths,
        "components": {"schemas": _schemas(settings.max_per_page)},
    }


def _object(properties: dict, required=None, closed: bool = True) -> dict:
    schema = {"type": "object", "required": list(required or properties), "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


def _facets_schema() -> dict:
    """The ``facets`` of a reply: only those asked for, over all the query's matches."""
    count = {"type": "integer", "minimum": 1}
    values = {
        "type": "array",
        "maxItems": FACET_SIZE,
        "description": "The commonest values, most first (ties by value).",
        "items": _object({"value": STRING, "count": count}),
    }
    date = _object(
        {
            "interval": {"type": "string", "enum": ["month", "day"]},
            "buckets": {
                "type": "array",
                "description": "Oldest first; months YYYY-MM, days "
                "YYYY-MM-DD; only those with matches.",
                "items": _object({"key": STRING, "count": count}),
            },
        }
    )
    schema = _object({**{name: values for name in FACET_FIELDS}, "date": date})
    return schema | {
        "required": [],
        "description": "Present when facets were asked for, with those asked for.",
    }


def _schemas(max_per_page: int) -> dict:
    marked = "as HTML: escaped, with matches in <mark>"
    return {
        "Error": _object(
            {
                "error": _object(
                    {"code": {"type": "string", "enum": list(API_ERRORS)}, "message": STRING}
                )
            }
        ),
        "Hit": _object(
            {
                "id": STRING,
                "kind": {"type": "string", "enum": list(KINDS)},
                "title": STRING,
                "title_html": {"type": "string", "description": f"The title {marked}."},
                "snippet": {"type": "string", "description": f"The best passage {marked}."},
                "score": {"type": "number"},
                "date": NULLABLE | {"format": "date"},
                "url": NULLABLE,
                "source": NULLABLE,
                "also_in": {
                    "type": "array",
                    "items": _ref("Copy"),
                    "description": (
                        "The same story from other sources (near-duplicates among the top results), "
                        "best-ranked first; empty with collapse=false."
                    ),
                },
            }
        ),
        "Copy": _object({"id": STRING, "source": NULLABLE, "url": NULLABLE, "title": STRING}),
        "SearchResponse": _object(
            {
                "query": STRING,
                "total": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Matching documents, each collapsed story counted once.",
                },
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": max_per_page},
                "took_ms": {"type": "number"},
                "hits": {"type": "array", "items": _ref("Hit")},
                "suggestion": NULLABLE
                | {"description": "A did-you-mean query, when hits are few."},
                "phrases_relaxed": {
                    "type": "boolean",
                    "description": (
                        "True when no document holds a quoted phrase word for word, so the hits "
                        "match its words in any order."
                    ),
                },
                "transliterated": NULLABLE
                | {
                    "description": (
                        "The Arabic searched instead of a query typed in Latin letters that found "
                        "little as typed (Arabizi or Buckwalter: ghaza, gz~p → غزة); the hits are its. "
                        "Null when the query was searched as typed; transliterate=off always does."
                    )
                },
                "facets": _ref("Facets"),
                "synonyms": {
                    "type": "array",
                    "items": STRING,
                    "description": (
                        "Entries of the index's synonyms file the query was widened by, as "
                        "written there; their matches rank below the query's own words."
                    ),
                },
            },
            required=[
                "query",
                "total",
                "page",
                "per_page",
                "took_ms",
                "hits",
                "suggestion",
                "phrases_relaxed",
                "transliterated",
                "synonyms",
            ],
        ),
        "Facets": _facets_schema(),
        # Open: a stored field added to the schema later is not a breaking change.
        "Document": _object(
            {
                "id": STRING,
                "kind": {"type": "string", "enum": list(KINDS)},
                "title": STRING,
                "body": STRING,
                "date": NULLABLE,
                "url": NULLABLE,
                "source": NULLABLE,
                "section": NULLABLE,
            },
            required=["id", "kind", "title", "body"],
            closed=False,
        ),
        "RelatedResponse": _object(
            {
                "id": NULLABLE | {"description": "The document they relate to; null for a text."},
                "title": NULLABLE | {"description": "Its title."},
                "url": NULLABLE | {"description": "Its URL."},
                "took_ms": {"type": "number"},
                "hits": {
                    "type": "array",
                    "maxItems": MAX_RELATED,
                    "items": _ref("Hit"),
                    "description": (
                        "The hits, their words shared with the text (its distinctive stems) in <mark>."
                    ),
                },
            }
        ),
        "Suggestions": _object(
            {
                "query": STRING,
                "suggestions": {"type": "array", "maxItems": 10, "items": STRING},
            }
        ),
        "Health": _object(
            {
                "status": {"const": "ok"},
                "documents": {"type": "integer", "minimum": 0},
                "engine": STRING,
                "generation": {"type": "integer"},
                "built_at": {"type": "string", "format": "date-time"},
            }
        ),
    }
