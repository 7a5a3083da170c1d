"""Batch runs: resuming inside one large file, progress by records, empty inputs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from rich.console import Console

from extractor.batch import tasks
from extractor.batch.options import ExtractOptions, Progress
from extractor.batch.run import run_extract
from extractor.batch.sizing import expected_records
from extractor.cli import cli
from extractor.reporting import RichProgress, _DoneColumn
from extractor.store import Store

ROWS = 60


def _row(index: int) -> tuple[str, str, str, int]:
    title = f"Peer support number {index} for new fathers: a randomised trial"
    abstract = (f"We randomised {100 + index} fathers to weekly peer groups or usual care. Low mood scores fell "
                f"more with peers (SMD -0.{index % 9 + 1}0, 95% CI -0.60 to -0.05).")
    return title, abstract, "Okafor, Ada; Lind, Bo", 2000 + index % 20


def write_workbook(path: Path, rows: int = ROWS, changed: int | None = None) -> Path:
    """A workbook of our own: a header row and ``rows`` records (row ``changed`` gets another abstract)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["title", "abstract", "authors", "year"])
    for index in range(1, rows + 1):
        title, abstract, authors, year = _row(index)
        if index == changed:
            abstract += " The groups met online."
        sheet.append([title, abstract, authors, year])
    workbook.save(path)
    return path


class StopAfter(Progress):
    """Simulates a kill part-way through one file: stops once ``limit`` records are committed."""

    def __init__(self, limit: int) -> None:
        self.limit, self.done, self.stopped = limit, 0, False

    def documents(self, count: int) -> None:
        self.done += count
        if self.done >= self.limit and not self.stopped:
            self.stopped = True
            raise KeyboardInterrupt


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The doc_ids extracted (not merely read) in this test, in order."""
    seen: list[str] = []
    original = tasks.process_document

    def counting(document, use_models=True):  # type: ignore[no-untyped-def]
        seen.append(document.doc_id)
        return original(document, use_models)

    monkeypatch.setattr(tasks, "process_document", counting)
    return seen


def _stopped_run(tmp_path: Path, workbook: Path, limit: int = 20) -> Store:
    store = Store(tmp_path / "x.db")
    with pytest.raises(KeyboardInterrupt):
        run_extract([str(workbook)], store, ExtractOptions(batch_size=10, use_models=False), StopAfter(limit))
    assert store.db["runs"].get(1)["status"] == "interrupted"
    return store


def test_a_run_stopped_inside_a_workbook_resumes_at_its_first_record_not_stored(tmp_path: Path,
                                                                                extracted: list[str]) -> None:
    workbook = write_workbook(tmp_path / "records.xlsx")
    store = _stopped_run(tmp_path, workbook)
    stored = store.db["documents"].count
    assert 10 <= stored < ROWS
    extracted.clear()
    jsonl = io.StringIO()
    resumed = run_extract([str(workbook)], store, ExtractOptions(batch_size=10, use_models=False), jsonl=jsonl)
    assert resumed.status == "complete"
    assert len(extracted) == ROWS - stored  # only the records not stored yet were extracted
    assert extracted[0] == f"records/{stored + 1}"
    assert (resumed.documents_unchanged, resumed.documents_written) == (stored, ROWS - stored)
    assert store.db["documents"].count == ROWS
    assert len(jsonl.getvalue().splitlines()) == ROWS  # every record's line, the kept ones from the store
    assert {json.loads(line)["doc_id"] for line in jsonl.getvalue().splitlines()} == {
        f"records/{index}" for index in range(1, ROWS + 1)}


def test_a_record_changed_since_the_stopped_run_is_extracted_again(tmp_path: Path, extracted: list[str]) -> None:
    workbook = write_workbook(tmp_path / "records.xlsx")
    store = _stopped_run(tmp_path, workbook)
    stored = store.db["documents"].count
    write_workbook(workbook, changed=2)
    extracted.clear()
    run_extract([str(workbook)], store, ExtractOptions(batch_size=10, use_models=False))
    assert "records/2" in extracted and "records/1" not in extracted
    assert len(extracted) == ROWS - stored + 1
    assert "online" in store.document("records/2").abstract


def test_force_extracts_every_record_again(tmp_path: Path, extracted: list[str]) -> None:
    workbook = write_workbook(tmp_path / "records.xlsx")
    store = _stopped_run(tmp_path, workbook)
    extracted.clear()
    run_extract([str(workbook)], store, ExtractOptions(batch_size=10, use_models=False, force=True))
    assert len(extracted) == ROWS


def test_a_resumed_run_stores_what_a_full_run_stores_rows_sharing_a_doi_included(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["title", "abstract", "doi"])
    for index in range(1, 31):
        title, abstract, _, _ = _row(index)
        sheet.append([title, abstract + (" Second copy." if index == 25 else ""),
                      "10.1000/same" if index in (3, 25) else f"10.1000/r{index}"])
    workbook.save(tmp_path / "dup.xlsx")
    (tmp_path / "full").mkdir()
    full = Store(tmp_path / "full" / "x.db")
    run_extract([str(tmp_path / "dup.xlsx")], full, ExtractOptions(batch_size=10, use_models=False))
    resumed = _stopped_run(tmp_path, tmp_path / "dup.xlsx", limit=10)
    run_extract([str(tmp_path / "dup.xlsx")], resumed, ExtractOptions(batch_size=10, use_models=False))
    assert resumed.content_hashes() == full.content_hashes()
    assert [unit.values for unit in resumed.studies("dup/10.1000/r20")] == [
        unit.values for unit in full.studies("dup/10.1000/r20")]


RIS = "".join(f"TY  - JOUR\nTI  - Walking groups {index}\nAB  - Mothers walked together.\nER  - \n\n"
              for index in range(7))
CSV = "title,abstract\n" + "".join(f"Sleep advice {index},Parents were given advice.\n" for index in range(5))


@pytest.mark.parametrize(("name", "content", "fmt", "count"), [
    ("refs.ris", RIS, "ris", 7), ("refs.csv", CSV, "table", 5), ("paper.txt", "One paper.", "text", 1),
    ("refs.xlsx", None, "table", ROWS), ("odd.bin", "x", None, None),
])
def test_records_are_counted_ahead_for_the_eta(tmp_path: Path, name: str, content: str | None, fmt: str | None,
                                               count: int | None) -> None:
    path = tmp_path / name
    if content is None:
        write_workbook(path)
    else:
        path.write_text(content, encoding="utf-8")
    assert expected_records(path, fmt) == count


class Heard(Progress):
    def __init__(self) -> None:
        self.expected: list[int] = []

    def records_expected(self, total: int) -> None:
        self.expected.append(total)


def test_a_run_of_one_large_file_reports_its_records_to_the_progress_bar(tmp_path: Path) -> None:
    workbook = write_workbook(tmp_path / "records.xlsx")
    heard = Heard()
    run_extract([str(workbook)], Store(tmp_path / "x.db"), ExtractOptions(use_models=False), heard)
    assert heard.expected == [ROWS]


def test_the_progress_bar_shows_records_done_of_those_expected_not_files() -> None:
    progress = RichProgress(Console(file=io.StringIO()), quiet=True)
    progress.start(1, 1_000_000)
    progress.records_expected(2544)
    progress.documents(500)
    task = progress.bar.tasks[0]
    assert str(_DoneColumn().render(task)) == "500/2,544 records"
    assert (task.completed, task.total) == (500, 2544)  # the ETA runs on records


def test_without_a_count_the_progress_bar_shows_files_and_records() -> None:
    progress = RichProgress(Console(file=io.StringIO()), quiet=True)
    progress.start(30, 1_000_000)
    progress.documents(12)
    assert str(_DoneColumn().render(progress.bar.tasks[0])) == "0/30 files  12 records"


@pytest.mark.parametrize(("make", "message"), [
    (lambda root: str((root / "empty").mkdir() or root / "empty"), "the folder holds no files to read"),
    (lambda root: str(root / "nothing-*.ris"), "no file matches this glob"),
    (lambda root: str((root / "only").mkdir() or (root / "only" / "README.md").write_text("notes") and root / "only"),
     "the folder holds no files to read"),
])
def test_an_input_that_gives_no_file_says_so_on_stderr_and_exits_2(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    result = CliRunner().invoke(cli, ["extract", target, "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert message in result.stderr and target in result.stderr and "nothing to read" in result.stderr
    assert result.stdout == ""


def test_an_empty_folder_beside_files_to_read_is_a_notice_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "paper.txt").write_text("Mothers walked together in groups; mood improved.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "empty"), str(tmp_path / "paper.txt"), "--db",
                                      str(tmp_path / "x.db"), "--rules-only"])
    assert result.exit_code == 0, result.stderr
    assert "holds no files to read" in result.stderr


def test_a_folder_of_links_leading_outside_it_says_to_give_follow_links(tmp_path: Path) -> None:
    (tmp_path / "paper.txt").write_text("Mothers walked together in groups; mood improved.", encoding="utf-8")
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "paper.txt").symlink_to(tmp_path / "paper.txt")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "links"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "1 link leading outside it left out: give --follow-links to read it" in result.stderr
    followed = CliRunner().invoke(cli, ["extract", str(tmp_path / "links"), "--db", str(tmp_path / "x.db"),
                                        "--follow-links", "--rules-only"])
    assert followed.exit_code == 0, followed.stderr
