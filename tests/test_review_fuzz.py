"""No input makes the review app answer 500: random query and form parameters on every route (issue 16).

Values mix random text (control characters, NUL, quotes, FTS5 operators, huge numbers, deep brackets)
with each parameter's meaningful values, so the fuzzing gets past the first checks into the store,
the correction service and the triage session. Forms carry the page's valid CSRF token. Examples are
derandomized so CI sees the same inputs.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import CORPUS
from extractor.cli import cli
from extractor.extract.fields import names
from extractor.review.app import create_app
from extractor.store_triage import TriageStore
from extractor.triage.criteria import Criteria

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out; `make test` runs them

PAGE = "example_pubmed_page"
OTHER = "example_citations/1"
QUEUE = ["q", "page", "design", "field", "status"]
GET_ROUTES = {  # each page's parameters
    "/": QUEUE, "/next": [*QUEUE, "after"], "/agreement": ["first", "second"],
    "/screen": ["skip", "show", "last", "decided"], f"/doc/{PAGE}": QUEUE,
}
SIZE = '{"n": 240, "unit": "mothers"}'
VALID_FORMS = {  # each write's valid form, which the fuzzing changes, empties or adds to
    "/correct": {"doc": PAGE, "study": "0", "field": "sample_size", "action": "edit", "before": SIZE,
                 "value": "241"},
    "/undo": {"doc": PAGE},
    "/done": {"doc": PAGE, "queue": "status=todo"},
    "/consensus": {"doc": PAGE, "study": "0", "field": "sample_size", "first": "ana", "second": "bob",
                   "choice": "custom", "value": "241"},
    "/screen/decide": {"doc": PAGE, "decision": "include", "skip": OTHER},
}
WRITE_PARAMETERS = {  # each write's parameters: its form's and the optional ones
    "/correct": [*VALID_FORMS["/correct"], "start", "end", "reason", "queue"],
    "/undo": ["doc", "correction", "queue"], "/done": ["doc", "queue", "reopen"],
    "/consensus": [*VALID_FORMS["/consensus"]], "/screen/decide": [*VALID_FORMS["/screen/decide"], "reason"],
}
KNOWN = {  # each parameter's meaningful values, mixed into the random ones
    "q": ["anxiety", '"postnatal anxiety"', '"', "NOT", "a*", "NEAR(a b)"],
    "page": ["1", "2", "0", "-1", "9223372036854775807", "1" + "0" * 30],
    "design": ["rct", "cohort"], "field": [*names(), "colour"], "status": ["all", "todo", "done"],
    "after": [PAGE, OTHER], "first": ["ana", "bob"], "second": ["ana", "bob"], "skip": [PAGE, OTHER],
    "show": [PAGE, OTHER], "last": [PAGE], "decided": ["include", "maybe"],
    "doc": [PAGE, OTHER, "nope"], "study": ["0", "1", "-1", "9" * 30],
    "action": ["accept", "edit", "reject", "add"],
    "before": [SIZE, "null", "[" * 100_000, "1e999999", '"'],
    "value": ["241", "x", "", "241 mothers", "OR 1.5 (95% CI 0.8 to 2.1)"],
    "start": ["0", "5", "-3", "99999999999999999999"], "end": ["10", "4", "abc"],
    "reason": ["x" * 2000], "queue": ["status=todo", "page=99999999999999999999", "q=%22"],
    "reopen": ["1"], "correction": ["1", "999", "x"], "choice": ["first", "second", "custom", "other"],
    "decision": ["include", "exclude", "maybe", "yes"], "token": ["x"],
}
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["\x00", "\r\n", "%", "\\", "[[[[", "1e309", "nan", "-0", "１２", "🙂", "ǅ", "\u202e"])


def value_of(key: str) -> st.SearchStrategy[str]:
    # known values twice as often as random text: they get the request past the first checks
    return st.one_of(st.sampled_from(KNOWN[key]), st.sampled_from(KNOWN[key]), text) if key in KNOWN else text


def parameters(keys: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A few of these parameters (or an unknown one), repeats allowed, each with a known or a random value."""
    key = st.sampled_from([*keys, "other", "token"])
    return st.lists(key.flatmap(lambda name: st.tuples(st.just(name), value_of(name))), max_size=6)


Call = tuple[str, list[tuple[str, str]]]  # a route and its parameters


def route_and_parameters(routes: dict[str, list[str]]) -> st.SearchStrategy[Call]:
    return st.sampled_from(sorted(routes)).flatmap(
        lambda route: st.tuples(st.just(route), parameters(routes[route])))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("fuzz")
    extracted = folder / "extracted.db"
    for name in (f"{PAGE}.txt", "example_citations.ris"):
        result = CliRunner().invoke(cli, ["extract", str(CORPUS / name), "--db", str(extracted), "-q"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    path = folder / "review.db"
    with sqlite3.connect(extracted) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    tstore = TriageStore(path)
    tstore.set_criteria(Criteria(designs=("rct",), outcome_keywords=("anxiety",)), "", "fuzz")
    tstore.close()
    # raise_server_exceptions: an exception inside a route fails the test with its traceback
    return TestClient(create_app(path, "ana"), base_url="http://127.0.0.1", follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" content="([^"]+)"', client.get("/agreement").text).group(1)


FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(call=route_and_parameters(GET_ROUTES))
@example(call=("/", [("q", '"')]))  # the reproductions in issue 16
@example(call=("/", [("q", "\x00")]))
@example(call=("/", [("page", "9223372036854775807")]))
def test_no_query_makes_a_page_fail(client: TestClient, call: Call) -> None:
    route, query = call
    response = client.get(route, params=query)
    assert response.status_code < 500, (route, query, response.text[:500])


@FUZZ
@given(call=route_and_parameters(WRITE_PARAMETERS), dropped=st.sets(st.sampled_from(sorted(KNOWN))))
@example(call=("/correct", [("before", "[" * 100_000)]), dropped=set())  # a reproduction in issue 16
def test_no_form_makes_a_write_fail(client: TestClient, call: Call,
                                    dropped: set[str]) -> None:
    route, changes = call
    changed = {**VALID_FORMS[route], **dict(changes)}
    form = {key: value for key, value in changed.items() if key not in dropped}
    body = urlencode([("csrf", csrf_of(client)), *form.items()])
    response = client.post(route, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code != 415, (route, form)
    assert response.status_code < 500, (route, form, response.text[:500])
    assert response.status_code != 403, (route, form, response.text[:500])  # the token was valid


@FUZZ
@given(doc_id=text | st.sampled_from([PAGE, OTHER, "a" * 5000, "../../etc/passwd", "%00"]))
def test_no_document_address_makes_the_record_page_fail(client: TestClient, doc_id: str) -> None:
    response = client.get("/doc/" + quote(doc_id, safe=""))
    assert response.status_code < 500, (doc_id, response.text[:500])
