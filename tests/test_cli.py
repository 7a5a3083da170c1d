"""The command line: extract, show, export, stats, failures, help, start-up."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import CORPUS, REPO
from extractor.cli import cli

PAPER = (
    "Brief parent coaching by phone for toddler sleep problems: a randomised controlled trial\n\n"
    "Abstract\nBackground: Sleep problems are common. Methods: 90 families were randomised. "
    "Registration: ACTRN12620000123456.\n"
)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "coaching.txt").write_text(PAPER, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "locked.pdf").write_bytes(b"not really a pdf but named like one\x00\x01")
    return folder


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_extract_reports_each_bad_file_once_and_exits_1(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = run("extract", str(inputs), "--db", str(db), "--jsonl", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == 2
    assert any("empty.txt" in line and "empty" in line for line in failed)
    assert any("locked.pdf" in line for line in failed)
    assert "Traceback" not in result.output + result.stderr
    [record] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert record["doc_id"] == "coaching"
    assert record["title"].startswith("Brief parent coaching by phone")
    assert record["studies"][0]["registrations"] == ["ACTRN12620000123456"]


def test_extract_of_the_bundled_corpus_succeeds(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = run("extract", str(CORPUS), "--db", str(db), "-q")
    assert result.exit_code == 0, result.stderr
    stats = json.loads(run("stats", "--db", str(db), "--json").stdout)
    assert stats["documents"] >= 10
    assert stats["last_run"]["failures"] == 0


def test_show_prints_the_record_and_json(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    run("extract", str(inputs), "--db", str(db), "-q")
    shown = run("show", "coaching", "--db", str(db))
    assert shown.exit_code == 0
    assert "Brief parent coaching by phone" in shown.stdout
    assert "ACTRN12620000123456" in shown.stdout
    as_json = json.loads(run("show", "coaching", "--db", str(db), "--json").stdout)
    assert as_json["doc_id"] == "coaching"
    assert as_json["text"][as_json["title_span"][0] : as_json["title_span"][1]] == as_json["title"]


def test_show_of_an_unknown_document_is_one_clear_line(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    run("extract", str(inputs), "--db", str(db), "-q")
    result = CliRunner().invoke(cli, ["show", "coach", "--db", str(db)])
    assert result.exit_code == 1
    assert "no such document" in result.stderr and "coaching" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_writes_every_record(inputs: Path, tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "x.db"
    run("extract", str(inputs), "--db", str(db), "-q")
    result = run("export", "--db", str(db), "--format", fmt)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows[0]["registrations"] == "ACTRN12620000123456"
    assert [row["doc_id"] for row in rows] == ["coaching"]


def test_failures_lists_the_last_runs_failures(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    run("extract", str(inputs), "--db", str(db), "-q")
    lines = run("failures", "--db", str(db)).stdout.splitlines()
    assert len(lines) == 2 and all("\t" in line for line in lines)


def test_commands_on_a_missing_database_say_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "extractor extract" in result.stderr


def test_a_file_that_is_not_a_database_is_refused_cleanly(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are notes, not SQLite " * 100)
    result = CliRunner().invoke(cli, ["stats", "--db", str(bogus)])
    assert result.exit_code == 1
    assert "not a usable SQLite database" in result.stderr


def _commands(group: click.Group) -> list[tuple[str, click.Command]]:
    return [(name, command) for name, command in group.commands.items()]


@pytest.mark.parametrize(("name", "command"), _commands(cli))
def test_every_command_has_help_text(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{name} has no help"
    result = run(name, "--help")
    assert result.exit_code == 0 and "Usage" in result.stdout


def test_light_commands_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys; import extractor.cli; "
        "heavy = [m for m in ('pdfplumber', 'pdfminer', 'pptx', 'openpyxl', 'sqlite_utils', 'rich') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert output.stdout.strip() == ""


def test_console_script_turns_errors_into_one_line(tmp_path: Path) -> None:
    extractor = Path(sys.executable).parent / "extractor"
    if not extractor.exists():
        pytest.skip("console script not installed in this environment")
    result = subprocess.run([str(extractor), "extract", str(tmp_path / "missing.txt"), "--db", str(tmp_path / "x.db"), "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "missing.txt" in result.stderr and "no such file" in result.stderr


def test_evaluate_prints_each_committed_models_held_out_figures() -> None:
    result = run("evaluate", "--no-gold")
    assert result.exit_code == 0
    blocks = {block.split()[0]: block for block in result.stdout.split("\n") if block and not block.startswith(" ")}
    assert set(blocks) >= {"sentence_roles", "design", "sample_size", "outcome_spans"}
    text = result.stdout
    assert "test: accuracy" in text and "macro_f1" in text
    assert "medline: auroc" in text  # the design model's RCT-vs-rest figure
    assert "ebm.ranker.exact_match" in text and "overlap_f1" in text  # nested figures are printed by their path
    assert "per_class" not in text  # breakdowns stay in the model cards


def test_evaluate_prints_the_reported_outcomes_reliability_on_public_held_out_abstracts() -> None:
    """Issue 17: per field, a reliability table of the stored confidence on held-out public data; outcomes are
    scored as extraction reports them now, on EBM-NLP's expert test abstracts."""
    from conftest import shared_path

    shared = shared_path("data", "ebm_nlp", "scibert_ebmnlp", "test.txt").parents[3]
    result = run("evaluate", "--no-gold", "--shared", str(shared))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("outcome names, public EBM-NLP expert test"))
    assert "191 abstracts" in lines[header]
    assert lines[header + 1].startswith("  raw confidence, all abstracts") and "ECE" in lines[header + 1]
    # the calibration's fitting half is named as such; the other half is reported as held out
    halves = [line for line in lines[header:] if line.startswith("  half ")]
    assert [("fitted on it" in line, "held out" in line) for line in halves] in (
        [(True, False), (False, True)], [(False, False), (False, False)])  # no calibration committed: neither
    assert any(line.startswith("  stored confidence, half B") and "ECE" in line for line in lines[header:])


def test_evaluate_without_the_public_data_leaves_the_outcome_table_out(tmp_path: Path) -> None:
    result = run("evaluate", "--no-gold", "--shared", str(tmp_path))
    assert result.exit_code == 0
    assert "outcome names, public" not in result.stdout


def test_train_refuses_an_unknown_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["train", "--shared", str(tmp_path), "no_such_model"])
    assert result.exit_code == 1
    assert "no trainer for no_such_model" in result.stderr


def test_evaluate_against_the_shared_gold_prints_field_scores() -> None:
    from conftest import shared_path

    shared = shared_path("gold").parent
    result = run("evaluate", "--shared", str(shared))
    assert result.exit_code == 0
    assert "design" in result.stdout and "effects" in result.stdout


def test_the_cli_runs_as_a_module() -> None:
    """Regression: command modules imported ``extractor.cli`` back, so ``python -m extractor.cli`` failed."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "extractor.cli", "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "review" in result.stdout and "extract" in result.stdout
