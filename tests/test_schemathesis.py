"""Schemathesis against the app's own /openapi.json, in process (WSGI), over a real index.

Every operation is fuzzed with schema-valid and (where it has parameters)
schema-violating requests: no 5xx, and every response conforms to the
description (documented status code, content type, body schema).  The data
checks (valid requests accepted, invalid ones rejected) are run per operation
too, with no known failures: the description is derived from the declaration
the server validates with.

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

from indexer.read import MAX_RESULT_WINDOW  # noqa: E402
from indexer.settings import Settings  # noqa: E402
from search_api.app import create_app  # noqa: E402
from tests.conftest import SEEDS  # noqa: E402
from tests.fixtures_api import build_index  # noqa: E402

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 40}

# (method, path): every operation of the description, and whether it takes query
# parameters or a body (only those can be made schema-violating: any string is a
# valid path segment).
OPERATIONS = {
    ("GET", "/api/search"): True,
    ("POST", "/api/search"): True,
    ("GET", "/api/documents/{doc_id}"): False,
    ("GET", "/api/documents/{doc_id}/related"): True,
    ("POST", "/api/related"): True,
    ("GET", "/api/suggest"): True,
    ("GET", "/healthz"): False,
    ("GET", "/openapi.json"): False,
    ("GET", "/"): True,
    ("GET", "/related"): True,
    ("GET", "/static/{file}"): False,
}

# Dated, sourced articles, so hits carry every field the schema describes.
FEED = [
    {
        "id": "st-1",
        "title": "افتتاح معرض الكتاب في دمشق",
        "text": "افتتح معرض الكتاب الدولي في دمشق.",
        "date": "2024-03-10",
        "url": "https://news.example/1",
        "source": "سانا",
    },
    {
        "id": "st-2",
        "title": "وزير النفط يزور الحقول",
        "text": "زار وزير النفط حقول الشمال السوري.",
        "date": "2024-05-01",
        "url": "https://news.example/2",
        "source": "BBC عربي",
    },
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
    strategy = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        strategy = strategy.filter(keeps_the_rules_between_parameters)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=checks)

    run()


def keeps_the_rules_between_parameters(case) -> bool:
    """The two rules no JSON Schema can state, given in the description's words:
    page × per_page at most 10,000, and ``to`` not before ``from``."""
    values = case.body if isinstance(case.body, dict) else (case.query or {})
    given = {name: value for name, value in values.items() if value != ""}
    page, per_page = given.get("page", 1), given.get("per_page", 10)
    if int(page) * int(per_page) > MAX_RESULT_WINDOW:
        return False
    return not ("from" in given and "to" in given and given["to"] < given["from"])


def test_the_description_lists_the_operations(api_schema):
    found = {
        (op.method.upper(), op.path)
        for op in (result.ok() for result in api_schema.get_all_operations())
    }
    # Schemathesis leaves out the operation it loaded the description from.
    assert found | {("GET", "/openapi.json")} == set(OPERATIONS)


def _cases():
    """(method, path, mode) for every operation; schema-violating only where there is input."""
    for (method, path), has_query in OPERATIONS.items():
        for mode in GenerationMode:
            if mode is GenerationMode.POSITIVE or has_query:
                yield pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")


@pytest.mark.parametrize("method, path, mode", list(_cases()))
def test_responses_conform(api_schema, method, path, mode):
    """No 5xx; documented status codes and content types; bodies match their schemas."""
    fuzz(api_schema, method, path, mode, CONFORMANCE)


@pytest.mark.parametrize("method, path, mode", list(_cases()))
def test_valid_accepted_invalid_rejected(api_schema, method, path, mode):
    check = positive_data_acceptance if mode is GenerationMode.POSITIVE else negative_data_rejection
    fuzz(api_schema, method, path, mode, [not_a_server_error, check])
