"""Synthesis that refuses to mix: design families apart, converted measures left out, shared participants, labels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.store import Store, prepare_record
from extractor.synthesis.analysis import synthesize
from extractor.synthesis.overlap import latest_time_point, trial_names
from extractor.synthesis.records import distinct_labels, effect_records, first_author_surname, study_label
from extractor.synthesis.summary import summary_lines
from extractor.types import Document, ExtractedValue, Metadata, StudyUnit

# Texts of our own: four small trials of a made-up programme for low mood, a survey, and a follow-up.
TRIAL_A = ("In the Harbour Steps trial we randomised 160 mothers to the programme. At 6 months, low mood was lower "
           "(SMD -0.30, 95% CI -0.55 to -0.05).")
TRIAL_B = "A second trial of 220 fathers found less low mood at 3 months (SMD -0.20, 95% CI -0.40 to 0.00)."
TRIAL_C = "A trial in 90 carers: low mood fell (SMD -0.45, 95% CI -0.80 to -0.10)."
SURVEY = "In a survey of 3000 pupils, low mood was linked with screen time (OR 2.50, 95% CI 2.00 to 3.10)."
TRIAL_OR = "A trial of 300 parents: fewer had low mood (OR 0.60, 95% CI 0.40 to 0.90)."
FOLLOW_UP = ("The same 160 mothers in 24 clusters, seen again at 3 years of age of their children. "
             "Low mood (SMD -0.10, 95% CI -0.35 to 0.15).")


def _effect(text: str, evidence: str, measure: str, value: float, ci: list[float], outcome: str) -> ExtractedValue:
    start = text.index(evidence)
    return ExtractedValue("effect", {"measure": measure, "value": value, "ci": ci, "p": None}, start,
                          start + len(evidence), 0.9, "rule:effects.measure.v1", chosen=True,
                          attributes={"outcome": outcome, "ci_level": 95.0})


def _value(field: str, value: object, role: str | None = None) -> ExtractedValue:
    return ExtractedValue(field, value, None, None, 0.9, "rule:test.v1", chosen=True, role=role)


def _study(text: str, design: str, estimate: tuple[str, str, float, list[float]], outcome: str = "low mood",
           enrolled: int | None = None, clusters: int | None = None) -> list[StudyUnit]:
    values = [_value("design", design), _effect(text, *estimate, outcome=outcome)]
    if enrolled:
        values.append(_value("sample_size", {"n": enrolled, "unit": "mothers"}, "enrolled"))
    if clusters:
        values.append(ExtractedValue("sample_size", {"n": clusters, "unit": "clusters"}, None, None, 0.9,
                                     "rule:test.v1", role="clusters"))
    return [StudyUnit(0, None, 0, len(text), values)]


def _store(tmp_path: Path, documents: list[tuple[Document, list[StudyUnit]]]) -> Store:
    store = Store(tmp_path / "s.db")
    run_id = store.start_run("extract", {}, [], "test")
    store.write_records([prepare_record(document, units) for document, units in documents], [], [], run_id, "")
    return store


def _document(doc_id: str, text: str, authors: list[str] | None = None, year: int | None = None,
              registrations: list[str] | None = None) -> Document:
    document = Document(doc_id=doc_id, source_path=f"/tmp/{doc_id}.txt", format="text", text=text,
                        metadata=Metadata(authors=authors or [], year=year))
    from extractor.identifiers import attach_identifiers

    if registrations:
        document.text += " Registered as " + ", ".join(registrations) + "."
    attach_identifiers(document)
    return document


@pytest.fixture
def mixed(tmp_path: Path) -> Store:
    return _store(tmp_path, [
        (_document("trial_a", TRIAL_A), _study(TRIAL_A, "rct", ("SMD -0.30, 95% CI -0.55 to -0.05", "SMD", -0.30,
                                                                 [-0.55, -0.05]))),
        (_document("trial_b", TRIAL_B), _study(TRIAL_B, "rct", ("SMD -0.20, 95% CI -0.40 to 0.00", "SMD", -0.20,
                                                                 [-0.40, 0.00]))),
        (_document("survey", SURVEY), _study(SURVEY, "cross_sectional", ("OR 2.50, 95% CI 2.00 to 3.10", "OR", 2.5,
                                                                         [2.0, 3.1]))),
        (_document("trial_or", TRIAL_OR), _study(TRIAL_OR, "rct", ("OR 0.60, 95% CI 0.40 to 0.90", "OR", 0.6,
                                                                    [0.4, 0.9]))),
    ])


def test_by_default_a_cross_sectional_estimate_is_not_pooled_with_trials(mixed: Store) -> None:
    result = synthesize(mixed, "low mood", "SMD")
    assert sorted(r.doc_id for r in result.included) == ["trial_a", "trial_b"]
    notes = {r.doc_id: r.note for r in result.excluded}
    assert "observational studies are not pooled with randomised trials" in notes["survey"]
    assert result.family == "randomised"


def test_an_estimate_converted_from_another_kind_of_measure_is_left_out_unless_mixing_is_allowed(mixed: Store) -> None:
    notes = {r.doc_id: r.note for r in synthesize(mixed, "low mood", "SMD").excluded}
    assert notes["trial_or"] == "OR converted to SMD: another kind of measure, pooled only with --allow-mixed"
    mixed_result = synthesize(mixed, "low mood", "SMD", allow_mixed=True)
    assert sorted(r.doc_id for r in mixed_result.included) == ["survey", "trial_a", "trial_b", "trial_or"]
    assert any("design families mixed" in note for note in mixed_result.notes)


def test_the_summary_lists_what_was_left_out_and_why(mixed: Store, tmp_path: Path) -> None:
    lines = summary_lines(synthesize(mixed, "low mood", "SMD"))
    assert "# left out (another design family): survey (cross_sectional)" in lines
    assert "# left out (converted from another kind of measure): trial_or (rct)" in lines
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["synthesize", "--db", mixed.path, "--outcome", "low mood", "--measure", "SMD",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = {row["doc_id"]: row for row in csv.DictReader((out / "summary.csv").open())}
    assert rows["survey"]["pooled"] == "0" and "observational" in rows["survey"]["not_pooled_because"]
    assert rows["trial_a"]["pooled"] == "1"


def test_without_a_measure_the_family_and_then_its_scale_are_chosen(mixed: Store) -> None:
    result = synthesize(mixed, "low mood")
    assert (result.family, result.scale) == ("randomised", "SMD")


@pytest.mark.parametrize(("second", "reason"), [
    (_document("trial_a_again", TRIAL_C, registrations=["NCT01234567"]), "both registered as NCT01234567"),
    (_document("trial_a_named", TRIAL_C + " The Harbour Steps trial went on."), "both name the trial harbour steps"),
])
def test_a_second_report_of_one_trial_is_warned_about_and_left_out(tmp_path: Path, second: Document,
                                                                   reason: str) -> None:
    first = _document("trial_a", TRIAL_A, registrations=["NCT01234567"] if "NCT" in second.text else None)
    store = _store(tmp_path, [
        (first, _study(first.text, "rct", ("SMD -0.30, 95% CI -0.55 to -0.05", "SMD", -0.30, [-0.55, -0.05]))),
        (_document("trial_b", TRIAL_B), _study(TRIAL_B, "rct", ("SMD -0.20, 95% CI -0.40 to 0.00", "SMD", -0.20,
                                                                 [-0.40, 0.00]))),
        (second, _study(second.text, "rct", ("SMD -0.45, 95% CI -0.80 to -0.10", "SMD", -0.45, [-0.80, -0.10]))),
    ])
    result = synthesize(store, "low mood", "SMD")
    [warning] = result.warnings
    assert warning.startswith(f"trial_a and {second.doc_id} share participants")
    assert reason.lower() in warning.lower() and f"kept trial_a, left out {second.doc_id}" in warning
    assert sorted(r.doc_id for r in result.included) == ["trial_a", "trial_b"]
    both = synthesize(store, "low mood", "SMD", keep_shared=True)
    assert len(both.included) == 3 and "both pooled (--keep-shared)" in both.warnings[0]


def test_a_follow_up_of_the_same_participants_is_left_out_and_named_as_the_later_report(tmp_path: Path) -> None:
    store = _store(tmp_path, [
        (_document("follow", FOLLOW_UP), _study(FOLLOW_UP, "cluster_rct", ("SMD -0.10, 95% CI -0.35 to 0.15", "SMD",
                                                                           -0.10, [-0.35, 0.15]), enrolled=160,
                                                 clusters=24)),
        (_document("trial_a", TRIAL_A), _study(TRIAL_A, "cluster_rct", ("SMD -0.30, 95% CI -0.55 to -0.05", "SMD",
                                                                        -0.30, [-0.55, -0.05]), enrolled=160,
                                                clusters=24)),
        (_document("trial_b", TRIAL_B), _study(TRIAL_B, "rct", ("SMD -0.20, 95% CI -0.40 to 0.00", "SMD", -0.20,
                                                                 [-0.40, 0.00]), enrolled=220)),
    ])
    result = synthesize(store, "low mood", "SMD")
    [warning] = result.warnings
    assert "the same 160 participants in 24 clusters" in warning
    assert "follow is a follow-up at 36 months against 6" in warning and "kept trial_a" in warning
    assert sorted(r.doc_id for r in result.included) == ["trial_a", "trial_b"]


def test_trials_of_the_same_size_without_other_signs_are_not_taken_as_one(tmp_path: Path) -> None:
    store = _store(tmp_path, [
        (_document("trial_a", TRIAL_B), _study(TRIAL_B, "rct", ("SMD -0.20, 95% CI -0.40 to 0.00", "SMD", -0.20,
                                                                 [-0.40, 0.00]), enrolled=220)),
        (_document("trial_c", TRIAL_C), _study(TRIAL_C, "rct", ("SMD -0.45, 95% CI -0.80 to -0.10", "SMD", -0.45,
                                                                 [-0.80, -0.10]), enrolled=220)),
    ])
    result = synthesize(store, "low mood", "SMD")
    assert result.warnings == [] and len(result.included) == 2


def test_too_few_estimates_left_still_show_the_table_and_exit_1(tmp_path: Path) -> None:
    store = _store(tmp_path, [
        (_document("trial_a", TRIAL_A), _study(TRIAL_A, "rct", ("SMD -0.30, 95% CI -0.55 to -0.05", "SMD", -0.30,
                                                                 [-0.55, -0.05]))),
        (_document("survey", SURVEY), _study(SURVEY, "cross_sectional", ("OR 2.50, 95% CI 2.00 to 3.10", "OR", 2.5,
                                                                         [2.0, 3.1]))),
    ])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["synthesize", "--db", store.path, "--outcome", "low mood", "--measure", "SMD",
                                      "--out", str(out)])
    assert result.exit_code == 1
    assert "nothing to pool" in result.stderr and "Traceback" not in result.stderr
    assert "# left out (another design family): survey (cross_sectional)" in result.stdout
    assert (out / "summary.csv").exists()


@pytest.mark.parametrize(("author", "surname"), [
    ("Rahman, Atif", "Rahman"), ("Rahman A", "Rahman"), ("Jester Jennifer M.", "Jester"), ("Atif Rahman", "Rahman"),
    ("van der Berg JA", "van der Berg"), ("Ludwig van Beethoven", "van Beethoven"), ("  ", None),
])
def test_the_first_authors_surname_is_read_from_each_stored_form(author: str, surname: str | None) -> None:
    assert first_author_surname(author) == surname


@pytest.mark.parametrize(("authors", "year", "label"), [
    (["Okafor, Ada", "Lind, Bo"], 2021, "Okafor 2021"), (["Okafor, Ada"], None, "doc"), ([], 2021, "doc"),
])
def test_a_study_is_labelled_first_author_year_else_its_doc_id(authors: list[str], year: int | None,
                                                               label: str) -> None:
    document = Document(doc_id="doc", source_path="/tmp/doc", format="text", text="x",
                        metadata=Metadata(authors=authors, year=year))
    assert study_label(document, StudyUnit(0, None, 0, 1), 1) == label


def test_two_documents_with_one_label_become_a_and_b(tmp_path: Path) -> None:
    store = _store(tmp_path, [
        (_document(doc_id, text, ["Okafor, Ada"], 2021), _study(text, "rct", estimate))
        for doc_id, text, estimate in (
            ("one", TRIAL_A, ("SMD -0.30, 95% CI -0.55 to -0.05", "SMD", -0.30, [-0.55, -0.05])),
            ("two", TRIAL_B, ("SMD -0.20, 95% CI -0.40 to 0.00", "SMD", -0.20, [-0.40, 0.00])))
    ])
    records = list(effect_records(store))
    distinct_labels(records)
    assert [r.study for r in records] == ["Okafor 2021a", "Okafor 2021b"]


def test_of_one_study_the_estimate_tied_to_the_asked_outcome_is_pooled_first(tmp_path: Path) -> None:
    text = "Mood scores (PHQ-9 SMD -0.50, 95% CI -0.90 to -0.10) and maternal depression (SMD -0.25, 95% CI -0.45 to -0.05)."
    units = [StudyUnit(0, None, 0, len(text), [
        _value("design", "rct"),
        _effect(text, "SMD -0.50, 95% CI -0.90 to -0.10", "SMD", -0.5, [-0.9, -0.1], "PHQ-9"),
        _effect(text, "SMD -0.25, 95% CI -0.45 to -0.05", "SMD", -0.25, [-0.45, -0.05], "maternal depression"),
    ])]
    store = _store(tmp_path, [
        (_document("mood", text), units),
        (_document("trial_b", TRIAL_B), _study(TRIAL_B, "rct", ("SMD -0.20, 95% CI -0.40 to 0.00", "SMD", -0.20,
                                                                 [-0.40, 0.00]), outcome="depression")),
    ])
    result = synthesize(store, "depression", "SMD")
    assert [(r.doc_id, r.estimate.value) for r in result.included] == [("mood", -0.25), ("trial_b", -0.20)]
    [other] = [r for r in result.excluded if r.doc_id == "mood"]
    assert other.note == "another estimate of this study is pooled (one matched on its own outcome)"


@pytest.mark.parametrize(("text", "months"), [
    ("Visits were at 3 and 6 months post childbirth.", 6.0),
    ("Mothers aged 18 years or more; at 3 years of age children were seen.", 36.0),
    ("Outcomes at 36-months postnatal.", 36.0),
    ("A 12-month follow-up.", 12.0),
    ("Women aged 18 years or over.", None),
])
def test_the_latest_time_point_a_text_names(text: str, months: float | None) -> None:
    assert latest_time_point(text) == months


@pytest.mark.parametrize(("text", "names"), [
    ("The Harbour Steps Trial (HST) enrolled mothers.", {"hst", "harbour steps trial"}),
    ("In the Harbour Steps trial, and the Randomised Controlled trial.", {"harbour steps trial"}),
    ("Results of the BRIGHT-2 trial are given.", {"bright-2", "bright-2 trial"}),
    ("An RCT study of CBT trial arms; PHQ-9 study scores.", set()),
])
def test_trial_names_a_text_gives(text: str, names: set[str]) -> None:
    assert trial_names(text) == names
