"""The field registry: a field declared once flows to extraction, --jsonl, show, export and corrections."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.extract import fields
from extractor.extract.registry import FieldSpec, UnitContext
from extractor.extract.vocabulary import DESIGNS
from extractor.types import ExtractedValue

_FUNDER = re.compile(r"\bfunded by (?:the )?(?P<funder>[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+)*)")


def _find_funders(context: UnitContext) -> list[ExtractedValue]:
    text = context.document.text
    return [ExtractedValue("funder", " ".join(match.group("funder").split()), match.start("funder"), match.end("funder"), 0.9,
                           "rule:funder.v1")
            for match in _FUNDER.finditer(text, context.start, context.end)]


FUNDER = FieldSpec(name="funder", record_key="funders", multiple=True, title="Funders", find=_find_funders,
                   rule_floor=None, csv_columns=("funders",), style="bold")

ABSTRACT = """Peer phone calls for new fathers: a randomised controlled trial

Abstract
Background: Fathers of newborns report low mood and little support. We tested weekly peer phone calls.
Methods: 120 fathers were randomised to peer calls or usual care. The trial was funded by the Example
Family Trust. The primary outcome was the Edinburgh Postnatal Depression Scale (EPDS) at 12 weeks.
Results: Scores fell more with peer calls (mean difference -1.2, 95% CI -2.3 to -0.1; p = 0.03).
Conclusions: Peer calls helped fathers' mood.
"""


@pytest.fixture
def funder_field() -> Iterator[FieldSpec]:
    fields.register(FUNDER)
    yield FUNDER
    fields.unregister(FUNDER.name)


def run(*args: str):
    return CliRunner(env={"COLUMNS": "250"}).invoke(cli, list(args), catch_exceptions=False)


def export(db: Path, fmt: str) -> str:
    out = db.with_suffix(f".{fmt}")
    assert run("export", "--db", str(db), "--format", fmt, "--out", str(out)).exit_code == 0
    return out.read_text(encoding="utf-8")


def test_a_registered_field_flows_to_jsonl_show_export_and_corrections(tmp_path: Path, funder_field) -> None:
    (tmp_path / "fathers.txt").write_text(ABSTRACT, encoding="utf-8")
    db, out = tmp_path / "x.db", tmp_path / "x.jsonl"
    run("extract", str(tmp_path / "fathers.txt"), "--db", str(db), "--jsonl", str(out), "-q")

    study = json.loads(out.read_text(encoding="utf-8"))["studies"][0]
    assert study["funders"] == ["Example Family Trust"]
    assert list(study)[-1] == "funders"  # after the built-in fields, in registry order

    shown = run("show", "fathers", "--db", str(db)).output
    assert "funder" in shown and "Example Family Trust" in shown

    table = export(db, "csv")
    row = next(csv.DictReader(io.StringIO(table)))
    assert row["funders"] == "Example Family Trust"
    exported = json.loads(export(db, "jsonl").splitlines()[0])
    assert exported["studies"][0]["funders"] == ["Example Family Trust"]

    result = run("correct", "fathers", "funder", "Other   Foundation", "--replaces", "Example Family Trust",
                 "--db", str(db), "--annotator", "ana")
    assert result.exit_code == 0
    exported = json.loads(export(db, "jsonl").splitlines()[0])
    assert exported["studies"][0]["funders"] == ["Other Foundation"]
    assert "Other Foundation" in run("show", "fathers", "--db", str(db)).output


def test_a_field_not_registered_is_refused_by_correct(tmp_path: Path) -> None:
    (tmp_path / "fathers.txt").write_text(ABSTRACT, encoding="utf-8")
    db = tmp_path / "x.db"
    run("extract", str(tmp_path / "fathers.txt"), "--db", str(db), "-q")
    result = CliRunner().invoke(cli, ["correct", "fathers", "funder", "X", "--db", str(db), "--annotator", "a"])
    assert result.exit_code != 0
    assert "design, sample_size, outcome, effect, registration" in result.output


@pytest.mark.parametrize("value", ["banana", "cluster-rct-ish", "RCTs"])
def test_a_design_outside_the_vocabulary_is_refused_with_the_labels(tmp_path: Path, value: str) -> None:
    (tmp_path / "fathers.txt").write_text(ABSTRACT, encoding="utf-8")
    db = tmp_path / "x.db"
    run("extract", str(tmp_path / "fathers.txt"), "--db", str(db), "-q")
    result = CliRunner().invoke(cli, ["correct", "fathers", "design", value, "--db", str(db), "--annotator", "a"])
    assert result.exit_code == 1
    assert f"{value!r} is not a design" in result.output
    assert ", ".join(DESIGNS) in result.output.replace("\n", " ")


@pytest.mark.parametrize(("typed", "stored"), [("RCT", "rct"), ("cluster rct", "cluster_rct"),
                                                ("non-randomised trial", "non_randomised_trial")])
def test_a_design_is_stored_as_its_label(tmp_path: Path, typed: str, stored: str) -> None:
    (tmp_path / "fathers.txt").write_text(ABSTRACT, encoding="utf-8")
    db = tmp_path / "x.db"
    run("extract", str(tmp_path / "fathers.txt"), "--db", str(db), "-q")
    assert run("correct", "fathers", "design", typed, "--db", str(db), "--annotator", "a").exit_code == 0
    exported = json.loads(export(db, "jsonl").splitlines()[0])
    assert exported["studies"][0]["design"] == stored


def test_built_in_fields_cannot_be_unregistered() -> None:
    with pytest.raises(ValueError, match="built-in"):
        fields.unregister("design")


def test_a_record_key_is_held_by_one_field() -> None:
    clash = FieldSpec(name="arms", record_key="outcomes", multiple=True, title="Arms", find=lambda context: [])
    with pytest.raises(ValueError, match="taken"):
        fields.register(clash)
