"""Every part of a value corrected (an effect's outcome link, measure, CI and p; a count's role), with honest
evidence, through `correct`, the review app and annotation files, kept across re-runs. Text of our own
(``correction_texts``)."""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import pytest
from rich.console import Console

with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from correction_texts import DOC, LONELINESS, SIZE, TEXT, WELL_BEING, extracted, invoke

from extractor.annotations import agreement, comparable, export_annotations
from extractor.corrections import CorrectionError, record_correction
from extractor.extract.choice import apply_corrections
from extractor.reporting import render_studies
from extractor.review.app import create_app
from extractor.review.record import value_of_parts
from extractor.store import Store
from extractor.types import Correction, ExtractedValue, StudyUnit


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return extracted(tmp_path)


def study(db: Path, names: set[str] | None = None) -> dict:
    """The document's first study as `extractor export` writes it."""
    lines = [json.loads(line) for line in invoke("export", "--db", db).stdout.splitlines()]
    record = next(line for line in lines if line["doc_id"] == DOC)["studies"][0]
    keys = ("measure", "value", "ci", "p", "outcome")  # FORMAT.md's (export adds evidence and conversions)
    return {**record, "effects": [{key: effect[key] for key in keys} for effect in record["effects"]]}


def chosen(db: Path, field: str) -> list:
    [unit] = Store(db).studies(DOC)
    return [value for value in unit.values if value.field == field and value.chosen]


def corrections(db: Path) -> list[dict]:
    return list(Store(db).db.query("select * from corrections order by id"))


def quote(db: Path, value) -> str | None:
    return None if value.start is None else TEXT[value.start : value.end]


def test_the_tool_reads_what_the_tests_below_correct(db: Path) -> None:
    record = study(db)
    assert record["sample_size"] == SIZE and record["effects"] == [LONELINESS, WELL_BEING]
    [size] = chosen(db, "sample_size")
    assert size.role == "randomised" and quote(db, size) is not None


# ---------------------------------------------------------------- `extractor correct`


def test_correct_changes_an_effects_outcome_link_and_ci(db: Path) -> None:
    result = invoke("correct", DOC, "effect", "MD 1.8 [0.3, 3.4] p=0.03 on WEMWBS", "--replaces",
                    json.dumps(WELL_BEING), "--db", db, "--annotator", "ana")
    assert result.exit_code == 0, result.stderr
    assert study(db)["effects"] == [LONELINESS, {**WELL_BEING, "ci": [0.3, 3.4], "outcome": "WEMWBS"}]


def test_correct_with_json_null_removes_the_link_and_without_one_keeps_it(db: Path) -> None:
    keep = invoke("correct", DOC, "effect", "SMD -2.4 [-3.9, -0.9] p=0.004", "--replaces", json.dumps(LONELINESS),
                  "--db", db, "--annotator", "ana")
    assert keep.exit_code == 0, keep.stderr
    changed = {**LONELINESS, "measure": "SMD", "p": 0.004}
    assert changed in study(db)["effects"] and LONELINESS not in study(db)["effects"]  # the link kept
    drop = invoke("correct", DOC, "effect", json.dumps({**changed, "outcome": None}), "--replaces",
                  json.dumps(changed), "--db", db, "--annotator", "ana")
    assert drop.exit_code == 0, drop.stderr
    effects = study(db)["effects"]
    assert {**changed, "outcome": None} in effects and changed not in effects


def test_correct_changes_a_count_and_keeps_its_role(db: Path) -> None:
    assert invoke("correct", DOC, "sample_size", "68", "--db", db, "--annotator", "ana").exit_code == 0
    [size] = chosen(db, "sample_size")
    # the text states 68 as the analysed count; the annotator changed the number only, so the role stays
    assert (size.value, size.role) == ({"n": 68, "unit": "adults"}, "randomised")
    assert (size.start, size.attributes["evidence"]) == (None, "by hand")  # not the quote of the 73
    console = Console(file=io.StringIO(), width=240)
    render_studies(console, Store(db).document(DOC), Store(db).studies(DOC))
    [row] = [line for line in console.file.getvalue().splitlines() if "sample_size" in line]
    assert "(entered by hand)" in row and "randomised" in row and "n = 38" not in row


def test_correct_role_alone_changes_only_the_role(db: Path) -> None:
    result = invoke("correct", DOC, "sample_size", "--role", "analysed", "--db", db, "--annotator", "ana")
    assert result.exit_code == 0, result.stderr
    [size] = chosen(db, "sample_size")
    assert (size.value, size.role, size.attributes["evidence"]) == (SIZE, "analysed", "kept")
    assert "73 older adults" in quote(db, size)  # the value is as it was: its own evidence stays


@pytest.mark.parametrize(("args", "message"), [
    (["sample_size", "--role", "counted"], "'counted' is not a role of a sample_size value"),
    (["design", "--role", "randomised"], "design values have no role"),
])
def test_correct_refuses_a_role_the_field_does_not_have(db: Path, args: list[str], message: str) -> None:
    result = invoke("correct", DOC, *args, "--db", db, "--annotator", "ana")
    assert result.exit_code == 1 and message in result.stderr
    assert corrections(db) == []


# ---------------------------------------------------------------- evidence and role, in the service


def test_a_selection_becomes_the_evidence_and_accepting_keeps_the_values_own(db: Path) -> None:
    store = Store(db)
    start = TEXT.index("68 completed")
    record_correction(store, DOC, 0, "sample_size", SIZE, {"n": 68, "unit": "adults"}, "ana", start=start,
                      end=start + 2, role="analysed")
    [size] = chosen(db, "sample_size")
    assert (quote(db, size), size.attributes["evidence"], size.role) == ("68", "selection", "analysed")
    record_correction(store, DOC, 0, "effect", WELL_BEING, WELL_BEING, "ana")  # accept
    [accepted] = [value for value in chosen(db, "effect") if value.source == "annotator:ana"]
    assert (quote(db, accepted), accepted.attributes["evidence"]) == ("MD 1.8, 95% CI 0.2 to 3.4; p = 0.03", "kept")


def test_a_rejection_keeps_no_evidence_or_role(db: Path) -> None:
    record_correction(Store(db), DOC, 0, "sample_size", SIZE, None, "ana", start=0, end=5, role="analysed")
    [row] = corrections(db)
    assert (row["start"], row["role"], row["evidence"]) == (None, None, None) and chosen(db, "sample_size") == []


def test_an_unknown_kind_of_evidence_is_refused(db: Path) -> None:
    with pytest.raises(CorrectionError, match="not a kind of evidence"):
        record_correction(Store(db), DOC, 0, "design", "rct", "rct", "ana", evidence="guessed")


# ---------------------------------------------------------------- never lost, never overwritten


def test_every_corrected_part_survives_extract_force(db: Path, tmp_path: Path) -> None:
    store = Store(db)
    record_correction(store, DOC, 0, "effect", WELL_BEING, {**WELL_BEING, "ci": [0.3, 3.4], "outcome": "WEMWBS"},
                      "ana")
    record_correction(store, DOC, 0, "effect", LONELINESS, {**LONELINESS, "outcome": None}, "ana")
    record_correction(store, DOC, 0, "sample_size", SIZE, {"n": 68, "unit": "adults"}, "ana", role="analysed")
    before = study(db)
    result = invoke("extract", tmp_path / f"{DOC}.txt", "--db", db, "--force", "-q")
    assert result.exit_code == 0, result.stderr
    assert study(db) == before
    assert {**WELL_BEING, "ci": [0.3, 3.4], "outcome": "WEMWBS"} in before["effects"]
    assert {**LONELINESS, "outcome": None} in before["effects"]
    [size] = chosen(db, "sample_size")
    assert (size.value["n"], size.role, size.attributes["evidence"]) == (68, "analysed", "by hand")
    assert len(corrections(db)) == 3  # a re-run adds and changes no correction


# ---------------------------------------------------------------- annotation files


def exported(db: Path) -> list[dict]:
    handle = io.StringIO()
    export_annotations(Store(db), handle)
    records = [{key: value for key, value in json.loads(line).items() if key not in ("exported_at", "annotators")}
               for line in handle.getvalue().splitlines()]
    for record in records:  # corrections made in another order list their spans in another order
        for entry in record["studies"]:
            entry["spans"].sort(key=lambda span: json.dumps(span, sort_keys=True))
    return records


def test_comparable_tells_effects_apart_by_their_outcome_link() -> None:
    assert comparable("effect", WELL_BEING) != comparable("effect", {**WELL_BEING, "outcome": "WEMWBS"})
    assert comparable("effect", {**WELL_BEING, "outcome": None}) == comparable(
        "effect", {key: value for key, value in WELL_BEING.items() if key != "outcome"})


def test_a_corrected_link_and_role_make_the_round_trip(db: Path, tmp_path: Path) -> None:
    store = Store(db)
    record_correction(store, DOC, 0, "effect", WELL_BEING, {**WELL_BEING, "outcome": "WEMWBS"}, "ana")
    record_correction(store, DOC, 0, "sample_size", SIZE, SIZE, "ana", role="analysed")  # only the role
    path = tmp_path / "ana.jsonl"
    assert invoke("annotations", "export", "--db", db, "--out", path).exit_code == 0
    fresh = extracted(tmp_path, "fresh.db")
    result = invoke("annotations", "import", path, "--db", fresh)
    # the link: the estimate read as "well-being" out, the one on WEMWBS in; the role: one correction
    assert result.exit_code == 0 and "3 corrections added" in result.stderr, result.stderr
    assert exported(fresh) == exported(db)
    [size] = chosen(fresh, "sample_size")
    assert (size.role, size.attributes["evidence"], quote(fresh, size) is not None) == ("analysed", "kept", True)
    assert {**WELL_BEING, "outcome": "WEMWBS"} in study(fresh)["effects"]
    again = invoke("annotations", "import", path, "--db", fresh)
    assert "0 corrections added" in again.stderr


def test_a_value_entered_by_hand_is_imported_as_entered_by_hand(db: Path, tmp_path: Path) -> None:
    record_correction(Store(db), DOC, 0, "effect", LONELINESS, {**LONELINESS, "ci": [-3.9, -0.8]}, "ana")
    path = tmp_path / "ana.jsonl"
    invoke("annotations", "export", "--db", db, "--out", path)
    [span] = [s for s in json.loads(path.read_text())["studies"][0]["spans"] if s["source"] == "annotator:ana"]
    assert (span["start"], span["origin"]) == (None, "by hand")
    fresh = extracted(tmp_path, "fresh.db")
    invoke("annotations", "import", path, "--db", fresh)
    [added] = [row for row in corrections(fresh) if row["value_after"]]
    assert (added["start"], added["evidence"]) == (None, "by hand")


def test_annotators_who_link_an_effect_to_different_outcomes_disagree(db: Path) -> None:
    store = Store(db)
    record_correction(store, DOC, 0, "effect", WELL_BEING, {**WELL_BEING, "outcome": "WEMWBS"}, "ana")
    record_correction(store, DOC, 0, "effect", WELL_BEING, {**WELL_BEING, "outcome": "mental well-being"}, "bob")
    result = agreement(store, "ana", "bob")
    assert [(d.field, d.study_index) for d in result.disagreements] == [("effect", 0)]


# ---------------------------------------------------------------- the effects view


def test_the_effects_view_gives_the_stored_link_beside_the_phrase_read(db: Path) -> None:
    rows = list(Store(db).db.query("select value, outcome, outcome_phrase from effects where chosen order by value"))
    assert [(row["value"], row["outcome"], row["outcome_phrase"]) for row in rows] == [
        (-2.4, "UCLA Loneliness Scale", "loneliness"), (1.8, "well-being", "well-being")]


# ---------------------------------------------------------------- the review app (forms; the browser test drives it)


def client_of(db: Path) -> tuple[TestClient, str]:
    client = TestClient(create_app(db, "ana"), base_url="http://127.0.0.1")
    return client, re.search(r'name="csrf" content="([^"]+)"', client.get("/").text).group(1)


def post(db: Path, **values: str):
    client, csrf = client_of(db)
    return client.post("/correct", data={"csrf": csrf, "doc": DOC, "study": "0", **values}, follow_redirects=False)


def parts(effect: dict, **changes: str) -> dict[str, str]:
    values = {"part-measure": effect["measure"], "part-value": str(effect["value"]),
              "part-ci_low": str(effect["ci"][0]), "part-ci_high": str(effect["ci"][1]), "part-p": str(effect["p"]),
              "part-outcome": effect["outcome"]}
    return {**values, **{f"part-{key}": value for key, value in changes.items()}}


def test_the_record_page_offers_each_part_of_an_effect_and_a_counts_role(db: Path) -> None:
    client, _ = client_of(db)
    html = client.get(f"/doc/{DOC}").text
    assert 'name="part-outcome" value="well-being"' in html and 'name="part-ci_low" value="0.2"' in html
    assert '<option value="UCLA Loneliness Scale">' in html  # the study's outcomes offered for the link
    assert re.search(r'<select name="role" aria-label="role">.*?<option selected>randomised</option>', html, re.S)


def test_the_app_corrects_an_effects_link_and_ci_from_its_parts(db: Path) -> None:
    response = post(db, action="edit", field="effect", before=json.dumps(WELL_BEING),
                    **parts(WELL_BEING, ci_low="0.3", outcome="WEMWBS"))
    assert response.status_code == 303, response.text
    [row] = corrections(db)
    assert json.loads(row["value_after"]) == {**WELL_BEING, "ci": [0.3, 3.4], "outcome": "WEMWBS"}
    assert (row["start"], row["evidence"]) == (None, "by hand")
    client, _ = client_of(db)
    assert "entered by hand (no evidence)" in client.get(f"/doc/{DOC}").text


def test_the_app_clears_a_link_left_empty_and_drops_an_emptied_ci(db: Path) -> None:
    post(db, action="edit", field="effect", before=json.dumps(LONELINESS),
         **parts(LONELINESS, outcome=" ", ci_low="", ci_high="", p=""))
    [row] = corrections(db)
    assert json.loads(row["value_after"]) == {"measure": "MD", "value": -2.4, "ci": None, "p": None}


def test_an_app_edit_over_a_selection_takes_it_and_keeps_the_role(db: Path) -> None:
    start = TEXT.index("68 completed")
    response = post(db, action="edit", field="sample_size", before=json.dumps(SIZE), **{"part-n": "68",
                    "part-unit": "adults"}, role="", start=str(start), end=str(start + 12))
    assert response.status_code == 303, response.text
    [size] = chosen(db, "sample_size")
    assert (quote(db, size), size.attributes["evidence"], size.role) == ("68 completed", "selection", "randomised")


def test_an_app_edit_of_the_role_alone_keeps_the_evidence(db: Path) -> None:
    post(db, action="edit", field="sample_size", before=json.dumps(SIZE), **{"part-n": "73", "part-unit": "adults"},
         role="analysed")
    [size] = chosen(db, "sample_size")
    assert (size.value, size.role, size.attributes["evidence"]) == (SIZE, "analysed", "kept")
    assert "73 older adults" in quote(db, size)


@pytest.mark.parametrize(("changes", "message"), [
    ({"ci_low": "0.3", "ci_high": ""}, "only one end of the confidence interval"),
    ({"ci_low": "3.4", "ci_high": "0.2"}, "runs backwards"),
    ({"value": "big"}, "is not a number"),
    ({"value": ""}, "no value given"),
    ({"p": "1.5"}, "is not a probability"),
    ({"measure": "QQ"}, "is not an effect measure"),
    ({"measure": ""}, "no measure given"),
])
def test_bad_parts_are_refused_with_a_reason(db: Path, changes: dict, message: str) -> None:
    response = post(db, action="edit", field="effect", before=json.dumps(WELL_BEING), **parts(WELL_BEING, **changes))
    assert response.status_code == 400 and message in response.text.replace("&#39;", "'")
    assert corrections(db) == []


@pytest.mark.parametrize(("values", "message"), [
    ({"part-n": "many", "part-unit": "adults"}, "is not a whole number"),
    ({"part-n": "68", "role": "everyone"}, "'everyone' is not a role of a sample_size value"),
])
def test_bad_count_parts_are_refused_with_a_reason(db: Path, values: dict, message: str) -> None:
    response = post(db, action="edit", field="sample_size", before=json.dumps(SIZE), **values)
    assert response.status_code == 400 and message in response.text.replace("&#39;", "'")
    assert corrections(db) == []


def test_parts_are_read_only_for_fields_of_parts() -> None:
    assert value_of_parts("design", {"value": "rct"}) is None
    with pytest.raises(CorrectionError, match="edited as one value"):
        value_of_parts("design", {"part-value": "rct"})
    assert json.loads(value_of_parts("sample_size", {"part-n": "1,024", "part-unit": ""})) == {"n": 1024, "unit": None}
    assert json.loads(value_of_parts("effect", {"part-measure": "OR", "part-value": "\u22120.5"}))["value"] == -0.5


def test_pooling_and_the_metafor_export_take_the_corrected_link_and_no_borrowed_quote(db: Path) -> None:
    from extractor.synthesis.records import effect_records

    store = Store(db)
    record_correction(store, DOC, 0, "effect", WELL_BEING, {**WELL_BEING, "ci": [0.3, 3.4], "outcome": "WEMWBS"},
                      "ana")
    record_correction(store, DOC, 0, "effect", LONELINESS, {**LONELINESS, "outcome": None}, "ana")
    records = {record.estimate.value: record for record in effect_records(Store(db))}
    assert (records[1.8].outcome, records[1.8].evidence, records[1.8].start) == ("WEMWBS", None, None)
    assert (records[-2.4].outcome, records[-2.4].evidence) == (None, None)  # the link removed stays removed
    metafor = invoke("export", "--db", db, "--format", "metafor").stdout
    assert "WEMWBS" in metafor and "well-being" not in metafor and "MD 1.8, 95% CI" not in metafor


def test_an_annotation_file_with_an_unknown_role_is_refused_naming_it(db: Path, tmp_path: Path) -> None:
    record_correction(Store(db), DOC, 0, "sample_size", SIZE, SIZE, "ana", role="analysed")
    path = tmp_path / "ana.jsonl"
    invoke("annotations", "export", "--db", db, "--out", path)
    path.write_text(path.read_text().replace('"role": "analysed"', '"role": "everybody"'))
    fresh = extracted(tmp_path, "fresh.db")
    result = invoke("annotations", "import", path, "--db", fresh)
    assert result.exit_code == 1 and "'everybody' is not a role of a sample_size value" in result.stderr
    assert "ana.jsonl" in result.stderr and corrections(fresh) == []


# ---------------------------------------------------------------- a re-run that changes a machine estimate's link


def _estimates(*outcomes: str | None) -> StudyUnit:
    values = [ExtractedValue("effect", {**WELL_BEING, "outcome": outcome} if outcome else
                             {key: value for key, value in WELL_BEING.items() if key != "outcome"},
                             100 + 50 * i, 130 + 50 * i, 0.9, "rule:effects.measure.v1", chosen=True)
              for i, outcome in enumerate(outcomes)]
    return StudyUnit(0, None, 0, 400, values=values)


@pytest.mark.parametrize(("before", "machine_now"), [
    ({key: value for key, value in WELL_BEING.items() if key != "outcome"}, "WEMWBS"),  # made before links were read
    (WELL_BEING, "WEMWBS"),  # the re-run links the estimate elsewhere
    (WELL_BEING, None),  # the re-run no longer links it
])
def test_a_correction_replaces_its_estimate_after_a_rerun_changed_the_link(before: dict, machine_now: str | None
                                                                           ) -> None:
    after = {**WELL_BEING, "ci": [0.3, 3.4], "outcome": "mental well-being"}
    [unit] = apply_corrections([_estimates(machine_now)], [Correction(DOC, 0, "effect", before, after, "ana", "t")])
    assert [value.value for value in unit.values if value.chosen] == [after]  # one estimate, not two


def test_two_machine_estimates_with_the_same_numbers_are_not_guessed_between() -> None:
    after = {**WELL_BEING, "outcome": "mental well-being"}
    before = {**WELL_BEING, "outcome": "loneliness"}  # no longer stored: which of the two it was is unknown
    [unit] = apply_corrections([_estimates("WEMWBS", "UCLA")], [Correction(DOC, 0, "effect", before, after, "ana", "t")])
    assert len([value for value in unit.values if value.chosen]) == 3  # nothing dropped on a guess
