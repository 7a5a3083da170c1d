"""The batch: discovery, skipping unchanged files, failures, resuming, workers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS
from extractor.batch import tasks
from extractor.batch.discovery import discover
from extractor.batch.options import ExtractOptions, Progress
from extractor.batch.run import run_extract
from extractor.readers.base import Limits
from extractor.store import Store

GOOD = (
    "A randomised trial of singing groups for mothers with postnatal depression\n\nAbstract\n"
    "Background: Singing may lift mood. Methods: We randomised 134 mothers to singing groups or usual care. "
    "Results: EPDS scores fell more with singing. Trial registration: ISRCTN01234567.\n"
)


def write_inputs(folder: Path, count: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"paper{index}.txt"
        path.write_text(GOOD.replace("134", str(100 + index)), encoding="utf-8")
        paths.append(path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    return paths


def test_discover_recurses_folders_and_skips_housekeeping(tmp_path: Path) -> None:
    write_inputs(tmp_path / "in")
    (tmp_path / "in" / "README.md").write_text("about this folder")
    (tmp_path / "in" / ".hidden.txt").write_text("hidden")
    (tmp_path / "in" / "sub").mkdir()
    (tmp_path / "in" / "sub" / "more.txt").write_text(GOOD)
    files, missing = discover([str(tmp_path / "in"), str(tmp_path / "nothing-here")])
    assert sorted(p.name for p in files) == ["broken.pdf", "empty.txt", "more.txt", "paper0.txt", "paper1.txt", "paper2.txt"]
    assert [m.kind for m in missing] == ["not_found"]


def test_discover_expands_globs(tmp_path: Path) -> None:
    write_inputs(tmp_path / "in")
    files, missing = discover([str(tmp_path / "in" / "paper*.txt")])
    assert len(files) == 3 and not missing


def test_batch_stores_good_files_and_records_each_bad_file_once(tmp_path: Path) -> None:
    write_inputs(tmp_path / "in")
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(tmp_path / "in")], store)
    assert summary.documents_written == 3
    assert summary.failures == 2
    kinds = sorted(row["kind"] for row in store.db.query("select kind from failures"))
    assert kinds == ["empty", "malformed"]
    assert store.document("paper1").title.startswith("A randomised trial of singing groups")


def test_rerun_skips_unchanged_files_and_force_redoes_them(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path / "in")
    store = Store(tmp_path / "x.db")
    run_extract([str(tmp_path / "in")], store)
    again = run_extract([str(tmp_path / "in")], store)
    assert again.files_skipped == 3 and again.documents_written == 0 and again.documents_unchanged == 3
    paths[0].write_text(GOOD.replace("134", "999"), encoding="utf-8")
    changed = run_extract([str(tmp_path / "in")], store)
    assert changed.documents_written == 1 and changed.files_skipped == 2
    forced = run_extract([str(tmp_path / "in")], store, ExtractOptions(force=True))
    assert forced.documents_written == 3 and forced.files_skipped == 0


class StopAfterThreeFiles(Progress):
    """Simulates a kill part-way through a batch."""

    def __init__(self) -> None:
        self.done = 0

    def file_done(self, path: str, size: int, documents: int) -> None:
        self.done += 1
        if self.done == 3:  # broken.pdf and empty.txt sort first and fail
            raise KeyboardInterrupt


def test_an_interrupted_batch_keeps_what_it_committed_and_resumes(tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", count=5)
    store = Store(tmp_path / "x.db")
    options = ExtractOptions(batch_size=1)
    with pytest.raises(KeyboardInterrupt):
        run_extract([str(tmp_path / "in")], store, options, StopAfterThreeFiles())
    kept = store.db["documents"].count
    assert kept >= 1
    assert store.db["runs"].get(1)["status"] == "interrupted"
    resumed = run_extract([str(tmp_path / "in")], store, options)
    assert store.db["documents"].count == 5
    assert resumed.files_skipped >= 1


def test_two_files_with_one_name_do_not_overwrite_each_other(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "paper.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b" / "paper.txt").write_text(GOOD.replace("singing", "dancing"), encoding="utf-8")
    store = Store(tmp_path / "x.db")
    run_extract([str(tmp_path / "a"), str(tmp_path / "b")], store)
    titles = {row["doc_id"]: row["title"] for row in store.db.query("select doc_id, title from documents")}
    assert set(titles) == {"paper", "paper~2"}
    assert "dancing" in titles["paper~2"]


def test_a_reader_that_hangs_is_stopped_by_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_reader(path, limits, fmt):
        import time

        time.sleep(5)
        yield from ()

    monkeypatch.setattr(tasks, "read_path", slow_reader)
    write_inputs(tmp_path / "in", count=1)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(tmp_path / "in" / "paper0.txt")], store, ExtractOptions(limits=Limits(max_seconds=0.2)))
    [row] = list(store.db.query("select kind, message from failures"))
    assert row["kind"] == "timeout"
    assert summary.failures == 1


def test_a_bug_in_a_reader_is_a_failure_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_reader(path, limits, fmt):
        raise ZeroDivisionError("oops")
        yield

    monkeypatch.setattr(tasks, "read_path", broken_reader)
    write_inputs(tmp_path / "in", count=2)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(tmp_path / "in" / "paper0.txt"), str(tmp_path / "in" / "paper1.txt")], store)
    assert summary.failures == 2
    assert {row["kind"] for row in store.db.query("select kind from failures")} == {"internal"}


def test_two_workers_store_the_same_documents_as_one(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    one = Store(tmp_path / "one.db")
    two = Store(tmp_path / "two.db")
    first = run_extract([str(folder)], one, ExtractOptions(workers=1))
    second = run_extract([str(folder)], two, ExtractOptions(workers=2))
    rows = lambda store: sorted((r["doc_id"], r["content_hash"]) for r in store.db.query(  # noqa: E731
        "select doc_id, content_hash from documents"))
    assert rows(one) == rows(two)
    assert first.failures == second.failures == 0
    assert first.documents_written >= 10
