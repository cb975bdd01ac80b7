"""Schemathesis against the app's own /openapi.json, in process (WSGI), over a real index.

Every operation is fuzzed with schema-valid and (where it has parameters)
schema-violating requests: no 5xx, and every response conforms to the
description (documented status code, content type, body schema).  The data
checks (valid requests accepted, invalid ones rejected) are run per operation
too; where they fail, the mismatch is marked xfail(strict) with the request.

Needs ``schemathesis`` (4.x).  The schema is loaded inside the tests, not with
``schemathesis.pytest.from_fixture``: that path sets ``request.node._nodeid``,
which pytest 9 no longer has.
"""

import json

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import content_type_conformance  # noqa: E402
from schemathesis.specs.openapi.checks import negative_data_rejection  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402
from schemathesis.specs.openapi.checks import response_headers_conformance  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402
from schemathesis.specs.openapi.checks import status_code_conformance  # noqa: E402

from indexer.settings import Settings  # noqa: E402
from search_api.app import create_app  # noqa: E402
from tests.conftest import SEEDS  # noqa: E402
from tests.fixtures_api import build_index  # noqa: E402

CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_schema_conformance, response_headers_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 40}

# (method, path): every operation of the description, and whether it takes query
# parameters (only those can be made schema-violating: any string is a valid path segment).
OPERATIONS = {
    ("GET", "/api/search"): True,
    ("GET", "/api/documents/{doc_id}"): False,
    ("GET", "/api/suggest"): True,
    ("GET", "/healthz"): False,
    ("GET", "/openapi.json"): False,
    ("GET", "/"): True,
    ("GET", "/static/{file}"): False,
}

# Dated, sourced articles, so hits carry every field the schema describes.
FEED = [
    {"id": "st-1", "title": "افتتاح معرض الكتاب في دمشق",
     "text": "افتتح معرض الكتاب الدولي في دمشق.",
     "date": "2024-03-10", "url": "https://news.example/1", "source": "سانا"},
    {"id": "st-2", "title": "وزير النفط يزور الحقول", "text": "زار وزير النفط حقول الشمال السوري.",
     "date": "2024-05-01", "url": "https://news.example/2", "source": "BBC عربي"},
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schemathesis")
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FEED), "utf-8")
    app = create_app(Settings(index_dir=build_index(folder / "index", [SEEDS, feed])))
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def fuzz(api_schema, method: str, path: str, mode: GenerationMode, checks) -> None:
    """Run ``checks`` on generated requests; raise schemathesis' failure report on the first."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=checks)

    run()


def test_the_description_lists_the_operations(api_schema):
    found = {(op.method.upper(), op.path) for op in
             (result.ok() for result in api_schema.get_all_operations())}
    # Schemathesis leaves out the operation it loaded the description from.
    assert found | {("GET", "/openapi.json")} == set(OPERATIONS)


def _cases():
    """(method, path, mode) for every operation; schema-violating only where there is a query."""
    for (method, path), has_query in OPERATIONS.items():
        for mode in GenerationMode:
            if mode is GenerationMode.POSITIVE or has_query:
                yield method, path, mode


@pytest.mark.parametrize("method, path, mode", [
    pytest.param(*case, id=f"{case[0]} {case[1]} {case[2].value}") for case in _cases()])
def test_responses_conform(api_schema, method, path, mode):
    """No 5xx; documented status codes and content types; bodies match their schemas."""
    fuzz(api_schema, method, path, mode, CONFORMANCE)


# Where the server is stricter or laxer than its description.  Each of these is
# a mismatch between search_api/openapi.py and the code, found by schemathesis.
SPEC_GAPS = {
    ("GET", "/api/search", "positive"): (
        "search_api/openapi.py:57 gives `page` a minimum but no maximum, while the server "
        "refuses any page > 10000: indexer/search.py:61 (page × per_page > 10000 → 400 "
        "page_too_deep: GET /api/search?q=x&page=2209&per_page=8) and search_api/resources.py:16 "
        "(over 18 digits → 400 invalid_parameter: "
        "GET /api/search?page=120494532882080677119408141485735936)"),
    ("GET", "/api/search", "negative"): (
        "search_api/resources.py:19-22 (text_param, also behind int_param) reads a blank value of "
        "any parameter as absent, which the schemas of search_api/openapi.py:57-66 do not allow "
        "(integers, enums, dates; 'An empty value counts as absent' is prose only): "
        "GET /api/search?kind=&page=&to=&source= → 200"),
    ("GET", "/", "positive"): (
        "search_api/openapi.py:100 declares the page's parameters plain strings ('As for "
        "/api/search'), but search_api/page.py:84-89 validates them as /api/search does: "
        "GET /?q=استقالة&kind=Oe → 400, GET /?per_page=abc → 400"),
}


def _data_check_params():
    for method, path, mode in _cases():
        gap = SPEC_GAPS.get((method, path, mode.value))
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        yield pytest.param(method, path, mode, marks=marks, id=f"{method} {path} {mode.value}")


@pytest.mark.parametrize("method, path, mode", list(_data_check_params()))
def test_valid_accepted_invalid_rejected(api_schema, method, path, mode):
    check = positive_data_acceptance if mode is GenerationMode.POSITIVE else negative_data_rejection
    fuzz(api_schema, method, path, mode, [not_a_server_error, check])
