"""Stored estimates for synthesis: outcome matching, corrections first, selection, exports and the command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy import stats

from extractor.cli import cli
from extractor.store import Store, prepare_record
from extractor.synthesis.analysis import synthesize
from extractor.synthesis.convert import Estimate
from extractor.synthesis.records import EffectRecord, effect_records, instrument_of, outcome_match
from extractor.types import Correction, Document, ExtractedValue, Metadata, StudyUnit

PHQ = "Depressive symptoms (PHQ-9) were lower with peers (SMD=-0.30, 95% CI -0.48 to -0.11) and over 6 months (SMD=-0.22, 95% CI -0.35 to -0.09)."
SLEEP = "Mothers (n = 40 and n = 38) reported fewer depressive symptoms, d = 0.40, and better sleep, MD = 12, p = 0.2, b = 3.1."
RATIO = "Postnatal depression was less frequent (RR 0.59, 95% CI 0.39 to 0.89)."


def _effect(text: str, evidence: str, measure: str, value: float, ci: list[float] | None, outcome: str,
            p: float | None = None) -> ExtractedValue:
    start = text.index(evidence)
    return ExtractedValue("effect", {"measure": measure, "value": value, "ci": ci, "p": p}, start,
                          start + len(evidence), 0.8, "rule:effects.measure.v1", chosen=True,
                          attributes={"outcome": outcome, "p_operator": "=" if p is not None else None,
                                      "ci_level": 95.0 if ci else None, "adjusted": False})


def _document(doc_id: str, text: str, authors: list[str] | None = None, year: int | None = None) -> Document:
    return Document(doc_id=doc_id, source_path=f"/tmp/{doc_id}.txt", format="text", text=text,
                    metadata=Metadata(authors=authors or [], year=year))


def _design(value: str) -> ExtractedValue:
    return ExtractedValue("design", value, None, None, 0.9, "rule:design.v1", chosen=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "s.db")
    run_id = store.start_run("extract", {}, [], "test")
    documents = [
        _document("peers", PHQ, ["Rahman, A", "Sikander, S"], 2019),
        _document("sleep", SLEEP),
        _document("peers_abstract", PHQ),
        _document("screening", RATIO),
    ]
    arms = [ExtractedValue("sample_size", {"n": n, "unit": "mothers"}, None, None, 0.8, "rule:ss.v1",
                           role="arm", attributes={"arm": arm}) for n, arm in ((40, "intervention"), (38, "control"))]
    studies = {
        "peers": [StudyUnit(0, None, 0, len(PHQ), [
            _design("cluster_rct"),
            _effect(PHQ, "SMD=-0.30, 95% CI -0.48 to -0.11", "SMD", -0.30, [-0.48, -0.11], "PHQ-9"),
            _effect(PHQ, "SMD=-0.22, 95% CI -0.35 to -0.09", "SMD", -0.22, [-0.35, -0.09], "PHQ-9"),
        ])],
        "sleep": [StudyUnit(0, None, 0, len(SLEEP), [
            _design("rct"), *arms,
            _effect(SLEEP, "d = 0.40", "d", 0.40, None, "depressive symptoms"),
            _effect(SLEEP, "MD = 12, p = 0.2", "MD", 12.0, None, "sleep", p=0.2),
            _effect(SLEEP, "b = 3.1", "b", 3.1, None, "sleep"),
        ])],
        "peers_abstract": [StudyUnit(0, None, 0, len(PHQ), [
            _design("cluster_rct"),
            _effect(PHQ, "SMD=-0.30, 95% CI -0.48 to -0.11", "SMD", -0.30, [-0.48, -0.11], "PHQ-9"),
        ])],
        "screening": [StudyUnit(0, None, 0, len(RATIO), [
            _design("rct"), _effect(RATIO, "RR 0.59, 95% CI 0.39 to 0.89", "RR", 0.59, [0.39, 0.89], "postnatal depression"),
        ])],
    }
    store.write_records([prepare_record(document, studies.get(document.doc_id, [])) for document in documents],
                        [], [], run_id, "")
    return store


@pytest.mark.parametrize(
    ("outcome", "query", "expected"),
    [
        ("PHQ-9 total", "PHQ-9", "instrument"),
        ("PHQ-9 total", "depression", "construct"),
        ("EPDS", "depression", "construct"),
        ("HADS", "depression", "construct"),
        ("postnatal depression", "depression", "outcome"),
        ("depressive symptoms", "depression", "outcome"),
        ("anxiety", "depression", None),
        ("EPDS", "PHQ-9", "construct"),
        (None, "depression", None),
    ],
)
def test_an_outcome_matches_by_instrument_name_or_construct(outcome: str | None, query: str,
                                                            expected: str | None) -> None:
    instrument, construct = instrument_of(outcome)
    record = EffectRecord("doc", 0, "doc", None, outcome, instrument, construct, Estimate("SMD", 0.1), None, None,
                          None, "rule:x")
    assert outcome_match(record, query) == expected


def test_each_record_keeps_its_document_span_and_study_label(store: Store) -> None:
    records = {(r.doc_id, r.estimate.value): r for r in effect_records(store)}
    first = records[("peers", -0.30)]
    assert first.study == "Rahman 2019"
    assert PHQ[first.start : first.end] == first.evidence == "SMD=-0.30, 95% CI -0.48 to -0.11"
    assert first.instrument == "PHQ-9" and first.construct == "depression"
    sleep = records[("sleep", 0.40)]
    assert sleep.study == "sleep" and sleep.estimate.group_sizes == (40, 38)
    assert sleep.conversion.scale == "SMD" and sleep.conversion.based_on == "groups of 40 and 38"


def test_synthesis_pools_one_estimate_per_study_and_says_why_others_are_left_out(store: Store) -> None:
    result = synthesize(store, "depression", "SMD")
    pooled = [(r.doc_id, r.estimate.value) for r in result.included]
    assert pooled == [("peers", -0.30), ("sleep", 0.40)]
    reasons = {(r.doc_id, r.estimate.value): r.note for r in result.excluded}
    assert reasons[("peers", -0.22)].startswith("another estimate of this study")
    assert reasons[("peers_abstract", -0.30)] == "repeats the estimate of peers"
    assert "cannot be put on the SMD scale" in reasons[("screening", 0.59)]
    assert result.pooled.k == 2
    assert result.notes == ["pooled on the SMD scale from SMD, d", "only randomised trials pooled (design families are "
                            "not mixed; --allow-mixed mixes them)"]


def test_a_design_filter_and_all_estimates_change_what_is_pooled(store: Store) -> None:
    only_trials = synthesize(store, "depression", "SMD", designs=["cluster_rct"], all_estimates=True)
    assert [(r.doc_id, r.estimate.value) for r in only_trials.included] == [("peers", -0.30), ("peers", -0.22)]
    assert any("not independent" in note for note in only_trials.notes)


def test_the_scale_defaults_to_the_one_most_estimates_reach(store: Store) -> None:
    assert synthesize(store, "depression").scale == "SMD"


def test_an_annotators_correction_takes_precedence_and_keeps_the_evidence_link(store: Store) -> None:
    before = {"measure": "SMD", "value": -0.30, "ci": [-0.48, -0.11], "p": None}
    after = {"measure": "SMD", "value": -0.35, "ci": [-0.52, -0.18], "p": None}
    store.add_correction(Correction("peers", 0, "effect", before, after, "ana", "2026-01-01T00:00:00+00:00"))
    [corrected] = [r for r in effect_records(store) if r.doc_id == "peers" and r.corrected]
    assert corrected.estimate.value == -0.35 and corrected.source == "annotator:ana"
    assert corrected.outcome == "PHQ-9" and corrected.evidence == "SMD=-0.30, 95% CI -0.48 to -0.11"
    assert not any(r.doc_id == "peers" and r.estimate.value == -0.30 for r in effect_records(store))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_export_metafor_has_yi_vi_and_the_source_columns(store: Store) -> None:
    result = run("export", "--db", store.path, "--format", "metafor")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 7
    first = next(row for row in rows if row["doc_id"] == "peers")
    assert (first["measure"], float(first["yi"]), first["evidence"]) == ("SMD", -0.3, "SMD=-0.30, 95% CI -0.48 to -0.11")
    assert float(first["vi"]) == pytest.approx(((-0.11 + 0.48) / (2 * 1.959964)) ** 2, rel=1e-5)
    assert PHQ[int(first["start"]) : int(first["end"])] == first["evidence"]
    assert "SE = (upper - lower)" in first["formula"]
    sleep_md = next(row for row in rows if row["doc_id"] == "sleep" and row["reported_measure"] == "MD")
    assert float(sleep_md["sei"]) == pytest.approx(12 / stats.t.isf(0.1, 76), rel=1e-5)  # p and df = 40 + 38 - 2
    coefficient = next(row for row in rows if row["reported_measure"] == "b")
    assert coefficient["yi"] == coefficient["vi"] == "" and "regression coefficient" in coefficient["flag"]


def test_export_revman_writes_log_ratios_and_leaves_out_what_has_no_se(store: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(run("export", "--db", store.path, "--format", "revman").stdout)))
    ratio = next(row for row in rows if row["doc_id"] == "screening")
    assert ratio["Effect measure"] == "RR" and float(ratio["Estimate"]) == pytest.approx(-0.527633, abs=1e-6)
    assert [row["Effect measure"] for row in rows if row["doc_id"] == "sleep"] == ["SMD", "MD"]
    assert {"Study ID", "Estimate", "SE"} <= set(rows[0])


def test_export_jsonl_gives_each_effect_its_evidence_and_conversion(store: Store) -> None:
    lines = [json.loads(line) for line in run("export", "--db", store.path).stdout.splitlines()]
    effect = next(line for line in lines if line["doc_id"] == "screening")["studies"][0]["effects"][0]
    assert effect["evidence"]["text"] == "RR 0.59, 95% CI 0.39 to 0.89"
    assert effect["synthesis"]["scale"] == "RR" and effect["synthesis"]["vi"] > 0


def test_synthesize_command_writes_the_plot_the_table_and_the_summary(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("synthesize", "--db", store.path, "--outcome", "depression", "--measure", "SMD", "--out", str(out),
                 "--method", "dl")
    assert result.exit_code == 0, result.stderr
    assert (out / "forest.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (out / "forest.svg").read_text()
    summary = list(csv.DictReader((out / "summary.csv").open()))
    assert [row["pooled"] for row in summary].count("1") == 2
    pooled = json.loads((out / "pooled.json").read_text())
    assert pooled["method"] == "dl" and pooled["k"] == 2
    assert result.stdout.splitlines()[0].startswith("pooled\tstudy")
    assert any(line.startswith("# depression on SMD") for line in result.stdout.splitlines())


@pytest.mark.parametrize(("args", "message"), [
    (["--outcome", "loneliness"], "no stored effect estimate matches"),
    (["--outcome", "sleep", "--measure", "MD"], "nothing to pool"),
])
def test_synthesize_reports_what_cannot_be_pooled_in_one_line(store: Store, args: list[str], message: str,
                                                              tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["synthesize", "--db", store.path, "--out", str(tmp_path), *args])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_corrected_effect_without_a_number_is_passed_over(store: Store) -> None:
    store.add_correction(Correction("screening", 0, "effect", None, {"measure": "RR", "value": "about 0.6"}, "ana",
                                    "2026-01-01T00:00:00+00:00"))
    assert [r.estimate.value for r in effect_records(store) if r.doc_id == "screening"] == [0.59]


def test_jsonl_export_survives_a_corrected_effect_without_a_number(store: Store) -> None:
    store.add_correction(Correction("screening", 0, "effect", None, {"measure": "RR", "value": "about 0.6"}, "ana",
                                    "2026-01-01T00:00:00+00:00"))
    lines = [json.loads(line) for line in run("export", "--db", store.path).stdout.splitlines()]
    effects = next(line for line in lines if line["doc_id"] == "screening")["studies"][0]["effects"]
    assert [("synthesis" in effect) for effect in effects] == [True, False]


def test_synthesis_of_the_shared_corpus_links_every_row_to_its_evidence(tmp_path: Path) -> None:
    from conftest import shared_path

    corpus = shared_path("corpus")
    db = tmp_path / "corpus.db"
    CliRunner().invoke(cli, ["extract", str(corpus), "--db", str(db), "-q"])
    store = Store(db)
    result = synthesize(store, "depression", "SMD", designs=["rct", "cluster_rct"], keep_shared=True)
    assert result.pooled.k >= 2
    for record in result.records:
        document = store.document(record.doc_id)
        assert document is not None and document.text[record.start : record.end] == record.evidence
    assert all(record.conversion.poolable for record in result.included)
    assert all(record.note for record in result.excluded)


def test_the_shared_corpus_depression_synthesis_pools_no_cross_sectional_estimate_and_warns_of_a12_and_b18(
        tmp_path: Path) -> None:
    from conftest import shared_path

    corpus = shared_path("corpus")
    db = tmp_path / "corpus.db"
    CliRunner().invoke(cli, ["extract", str(corpus), "--db", str(db), "-q"])
    result = synthesize(Store(db), "depression")
    assert not [r.doc_id for r in result.included if r.estimate.design in ("cross_sectional", "cohort", "case_control")]
    assert {r.estimate.design for r in result.included} <= {"rct", "cluster_rct"}
    [warning] = [w for w in result.warnings if "a12_" in w and "b18_" in w]
    assert "share participants" in warning
    cross_sectional = [r for r in result.records if r.doc_id.startswith("a35_")]
    assert cross_sectional and all(r.note and "observational" in r.note for r in cross_sectional)
