"""The batch under hostile conditions (issue 15 item 6, issue 16's links): odd names, unreadable folders,
links out of the folder, the database among its inputs, runs killed outright, damaged databases, and
several processes on one database at once."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import extractor.store
from extractor.batch import discovery
from extractor.batch.discovery import discover
from extractor.batch.options import ExtractOptions, Progress
from extractor.batch.run import run_extract
from extractor.cli import cli
from extractor.store import DatabaseBusy, Store
from extractor.types import Correction

REPO = Path(__file__).resolve().parents[1]
RULES = ExtractOptions(use_models=False)
TRIAL = ("Evening light and sleep: a randomised controlled trial number {i}\n\nAbstract\nMethods: We randomised "
         "{n} adults with insomnia to dim evening light or usual light for 8 weeks. Results: Sleep onset latency "
         "fell by 12 minutes (mean difference -12.0, 95% CI -18.5 to -5.5; p < 0.001). "
         "Trial registration: NCT0999{i:04d}.\n")


def trials(folder: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` one-abstract text files, each with its own sample size and registration."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = folder / f"trial{i:05d}.txt"
        path.write_text(TRIAL.format(i=i, n=100 + i), encoding="utf-8")
        paths.append(path)
    return paths


class Notes(Progress):
    """A front end that keeps the notices and failures it is shown."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.failures: list = []

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def failure(self, failure) -> None:  # noqa: ANN001
        self.failures.append(failure)


def extractor_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from extractor.cli import main; main()", *args]


def stored(db: Path) -> dict[str, list[tuple]]:
    """What a database holds, without run ids and time stamps: for comparing two runs' results."""
    with sqlite3.connect(db) as connection:
        return {
            "documents": connection.execute(
                "select doc_id, source_path, title, abstract, content_hash, extraction_version from documents "
                "order by doc_id").fetchall(),
            "values": connection.execute(
                'select doc_id, study_id, field, value, start, "end", chosen, source from extracted_values '
                "order by doc_id, study_id, field, value, start").fetchall(),
            "studies": connection.execute("select study_id, label, start, \"end\" from studies order by study_id")
            .fetchall(),
            "identifiers": connection.execute(
                'select doc_id, scheme, value, start, "end" from identifiers order by doc_id, scheme, value').fetchall(),
            "sources": connection.execute(
                "select path, sha256, documents, failures, status from sources order by path").fetchall(),
        }


# ---------------------------------------------------------------- names, folders, links, the store's own files


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="the file system must accept names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_one_failure_and_the_batch_goes_on(tmp_path: Path) -> None:
    trials(tmp_path / "in", 2)
    bad = os.path.join(os.fsencode(tmp_path / "in"), b"bad\xffname.txt")
    with open(bad, "wb") as handle:
        handle.write(TRIAL.format(i=7, n=70).encode())
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(tmp_path / "in")], store, RULES)
    assert summary.documents_written == 2
    [failure] = store.run_failures(summary.run_id)
    assert failure["kind"] == "bad_name" and failure["path"].endswith("bad\\xffname.txt")
    assert "rename" in failure["hint"]
    assert store.db.execute("select status from runs").fetchone()[0] == "complete"


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="the file system must accept names that are not UTF-8")
def test_a_folder_whose_name_is_not_utf8_is_one_failure_for_all_it_holds(tmp_path: Path) -> None:
    trials(tmp_path / "in", 1)
    folder = os.path.join(os.fsencode(tmp_path / "in"), b"caf\xe9")
    trials(Path(os.fsdecode(folder)), 3, start=10)
    files, failures = discover([str(tmp_path / "in")])
    assert [p.name for p in files] == ["trial00000.txt"]
    assert [(f.kind, f.path.endswith("caf\\xe9")) for f in failures] == [("bad_name", True)]


def test_an_unreadable_folder_is_a_failure_row_and_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: tests run as root here, and root reads a chmod 000 folder all the same.
    trials(tmp_path / "in", 2)
    trials(tmp_path / "in" / "locked", 2, start=5)
    real_scandir = os.scandir

    def scandir(path):  # noqa: ANN001, ANN202
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    store, progress = Store(tmp_path / "x.db"), Notes()
    summary = run_extract([str(tmp_path / "in")], store, RULES, progress)
    assert summary.documents_written == 2
    [row] = store.run_failures(summary.run_id)
    assert row["path"] == str(tmp_path / "in" / "locked") and row["kind"] == "io"
    assert row["message"] == "cannot read the folder: Permission denied" and "chmod" in row["hint"]
    assert [f.path for f in progress.failures] == [row["path"]]  # the line on stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads a chmod 000 folder anyway (the simulated test above covers it)")
def test_a_chmod_000_folder_is_reported(tmp_path: Path) -> None:
    trials(tmp_path / "in", 1)
    trials(tmp_path / "in" / "locked", 1, start=5)
    (tmp_path / "in" / "locked").chmod(0)
    try:
        files, failures = discover([str(tmp_path / "in")])
    finally:
        (tmp_path / "in" / "locked").chmod(0o755)
    assert [p.name for p in files] == ["trial00000.txt"]
    assert [(f.path, f.kind) for f in failures] == [(str(tmp_path / "in" / "locked"), "io")]


@pytest.mark.parametrize(("follow_links", "expected"), [
    (False, ["copy.dat", "trial00000.txt"]),
    (True, ["copy.dat", "outside.txt", "trial00000.txt", "trial00009.txt"]),
])
def test_links_leading_out_of_the_folder_are_read_only_when_asked(tmp_path: Path, follow_links: bool,
                                                                  expected: list[str]) -> None:
    [inside] = trials(tmp_path / "in", 1)
    (tmp_path / "secret.txt").write_text("not literature: a file outside the input folder")
    trials(tmp_path / "elsewhere", 1, start=9)
    (tmp_path / "in" / "outside.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "in" / "elsewhere").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "in" / "loop").symlink_to(tmp_path / "in", target_is_directory=True)
    (tmp_path / "in" / "inside_link.txt").symlink_to(tmp_path / "in" / "copy.dat")
    (tmp_path / "in" / "copy.dat").write_text(TRIAL.format(i=3, n=30))
    (tmp_path / "in" / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    notes = Notes()
    files, failures = discover([str(tmp_path / "in")], follow_links=follow_links, notice=notes.notice)
    # inside_link.txt leads to copy.dat, inside the folder: read once; the loop is not entered
    assert sorted(p.name for p in files) == expected and not failures
    assert inside in files
    if follow_links:
        assert notes.notices == []
    else:
        [line] = notes.notices
        assert line.startswith("2 links leading out of the input folder skipped: ")
        assert f"outside.txt -> {tmp_path / 'secret.txt'}" in line and "--follow-links" in line


def test_the_cli_skips_links_out_of_the_folder_with_a_note_and_follows_them_when_asked(tmp_path: Path) -> None:
    trials(tmp_path / "in", 1)
    trials(tmp_path / "elsewhere", 1, start=9)
    (tmp_path / "in" / "linked.txt").symlink_to(tmp_path / "elsewhere" / "trial00009.txt")
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "--db", str(db), "--rules-only"])
    assert result.exit_code == 0, result.output
    assert "1 link leading out of the input folder skipped" in result.stderr.replace("\n", "")
    assert Store(db).db["documents"].count == 1
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "--db", str(db), "--rules-only", "-q",
                                      "--follow-links"])
    assert result.exit_code == 0, result.output
    assert Store(db).db["documents"].count == 2


def test_a_database_inside_the_input_folder_is_not_read_as_input(tmp_path: Path) -> None:
    trials(tmp_path / "in", 3)
    db = tmp_path / "in" / "x.db"
    store = Store(db)
    store.db.execute("create table if not exists scratch (x)")  # the WAL and shared-memory files exist now
    (tmp_path / "in" / "x.db-journal").write_bytes(b"")  # as a rollback journal would
    assert (tmp_path / "in" / "x.db-wal").exists() and (tmp_path / "in" / "x.db-shm").exists()
    summary = run_extract([str(tmp_path / "in")], store, RULES)
    assert summary.files_seen == 3 and summary.failures == 0
    assert {row["path"] for row in store.db.query("select path from sources")} == {
        str(p) for p in sorted((tmp_path / "in").glob("trial*.txt"))}
    # named one by one (a shell glob), the same
    summary = run_extract([str(tmp_path / "in" / "*")], store, ExtractOptions(use_models=False, force=True))
    assert summary.files_seen == 3 and summary.failures == 0


# ---------------------------------------------------------------- runs killed outright


def hold_a_run(db: Path) -> subprocess.Popen:
    """A process that starts a run on ``db`` and then sleeps, as a batch killed mid-way would have left it."""
    process = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from extractor.store import Store; "
        "Store(sys.argv[1]).start_run('extract', {}, [], 'test'); print('started', flush=True); time.sleep(300)"),
        str(db)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "started"
    return process


def statuses(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("select status from runs order by id")]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="tells processes apart through /proc")
def test_a_run_killed_outright_is_marked_interrupted_and_a_live_one_is_left_running(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    Store(db).close()
    killed, alive = hold_a_run(db), hold_a_run(db)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        store = Store(db)
        other_host = store.start_run("extract", {}, [], "test")
        store.db.execute("update runs set host = 'another-host', pid = ? where id = ?", [killed.pid, other_host])
        reused = store.start_run("extract", {}, [], "test")  # a dead run's pid taken by a live process since
        store.db.execute("update runs set process_started = '1' where id = ?", [reused])
        store.db.conn.commit()
        assert store.mark_interrupted_runs() == [1, 4]
        assert statuses(db) == ["interrupted", "running", "running", "interrupted"]
        assert store.mark_interrupted_runs() == []  # nothing twice
    finally:
        alive.kill()
        alive.wait()
    assert Store(db).mark_interrupted_runs() == [2]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="tells processes apart through /proc")
def test_the_next_extract_marks_a_killed_run_interrupted(tmp_path: Path) -> None:
    trials(tmp_path / "in", 2)
    db = tmp_path / "x.db"
    killed = hold_a_run(db)
    killed.kill()
    killed.wait(timeout=30)
    summary = run_extract([str(tmp_path / "in")], Store(db), RULES)
    assert summary.status == "complete" and statuses(db) == ["interrupted", "complete"]


def test_runs_recorded_before_the_upgrade_are_left_as_they_were(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    run_id = store.start_run("extract", {}, [], "test")
    store.db.execute("update runs set pid = null, host = null where id = ?", [run_id])
    store.db.conn.commit()
    assert store.mark_interrupted_runs() == [] and statuses(tmp_path / "x.db") == ["running"]
    row = next(store.db.query("select pid, host from runs"))
    assert row == {"pid": None, "host": None}
    fresh = store.start_run("extract", {}, [], "test")
    row = next(store.db.query("select pid, host from runs where id = ?", [fresh]))
    assert row == {"pid": os.getpid(), "host": socket.gethostname()}


# ---------------------------------------------------------------- damaged databases


def scribble(db: Path, seed: int) -> None:
    """Random bytes over one b-tree page in the middle of the database file (past its header page).

    A b-tree page, not an overflow or free page: damage to those is only found by reading the rows.
    """
    data = bytearray(db.read_bytes())
    page = 4096
    btree = [number for number in range(2, len(data) // page) if data[number * page] in (2, 5, 10, 13)]
    rng = random.Random(seed)
    start = page * rng.choice(btree[len(btree) // 4 : -1])
    data[start : start + page] = rng.randbytes(page)
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_extract_refuses_a_scribbled_database_with_one_line(tmp_path: Path, seed: int) -> None:
    trials(tmp_path / "in", 40)
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "--db", str(db), "--rules-only", "-q"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    scribble(db, seed)
    damaged = db.read_bytes()
    trials(tmp_path / "in", 5, start=100)
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "--db", str(db), "--rules-only", "-q"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert f"Error: {db}: " in line and ("the database is damaged" in line or "not a usable SQLite database" in line)
    assert db.read_bytes() == damaged  # nothing written into it


def test_quick_check_passes_a_sound_database(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    run_extract([str(p) for p in trials(tmp_path / "in", 3)], store, RULES)
    assert store.integrity_problem() is None


# ---------------------------------------------------------------- several processes on one database


def start_batch(source: Path, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(extractor_command("extract", str(source), "--db", str(db), "--rules-only", "-q", *extra),
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_extract_runs_at_once_give_the_result_of_one_clean_run(tmp_path: Path) -> None:
    trials(tmp_path / "in", 300)
    clean = tmp_path / "clean.db"
    assert start_batch(tmp_path / "in", clean).wait(timeout=600) == 0
    db = tmp_path / "x.db"
    first = start_batch(tmp_path / "in", db, "--workers", "2")
    second = start_batch(tmp_path / "in", db)
    try:
        results = [(process.wait(timeout=600), process.stderr.read()) for process in (first, second)]
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
    assert results == [(0, ""), (0, "")]
    assert statuses(db) == ["complete", "complete"]
    assert stored(db) == stored(clean)


def a_correction(value: str = "anxiety") -> Correction:
    return Correction("trial00000", 0, "outcome", None, value, "ana", "2026-01-01T00:00:00+00:00")


def test_a_correction_holds_the_write_lock_before_it_reads(tmp_path: Path) -> None:
    """The lost corrections: a transaction that read the schema, then found that a batch had committed since,
    got "database is locked" at once, whatever the busy timeout. Here another connection tries to commit
    just as the correction inserts its row."""
    db = tmp_path / "x.db"
    store = Store(db)
    other = sqlite3.connect(db, timeout=0.1)
    waited: list[str] = []

    def batch_commits_now(sql: str) -> None:
        if sql.startswith('INSERT INTO "corrections"') and not waited:
            try:
                with other:
                    other.execute("insert into reviews (doc_id, annotator, status, created_at) "
                                  "values ('d', 'batch', 'done', 'now')")
                waited.append("committed in between")
            except sqlite3.OperationalError as error:
                waited.append(str(error))

    store.db.conn.set_trace_callback(batch_commits_now)
    correction_id = store.add_correction(a_correction())
    store.db.conn.set_trace_callback(None)
    assert waited == ["database is locked"]  # the other writer waited for the correction, not the reverse
    assert [row["id"] for row in store.correction_rows("trial00000")] == [correction_id]


def hold_the_write_lock(db: Path, seconds: float) -> threading.Thread:
    """Another connection (a batch writing one large transaction) holding the write lock for ``seconds``."""
    ready = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(db, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait()
    return thread


def test_a_correction_waits_and_retries_while_a_batch_holds_the_lock(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extractor.store, "BUSY_TIMEOUT_MS", 100)  # shorter than the batch's transaction
    store = Store(tmp_path / "x.db")
    holder = hold_the_write_lock(tmp_path / "x.db", 0.3)
    started = time.monotonic()
    store.add_correction(a_correction())
    waited = time.monotonic() - started
    holder.join()
    assert waited >= 0.2 and len(store.correction_rows("trial00000")) == 1


def test_a_correction_that_never_gets_the_lock_is_refused_whole_with_a_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from extractor.review.app import create_app

    db = tmp_path / "x.db"
    run_extract([str(p) for p in trials(tmp_path / "in", 1)], Store(db), RULES)
    monkeypatch.setattr(extractor.store, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(extractor.store, "LOCKED_RETRIES", 1)
    holder = hold_the_write_lock(db, 3)
    try:
        with pytest.raises(DatabaseBusy, match="the database stayed locked; the correction was not recorded"):
            Store(db).add_correction(a_correction())
        app = TestClient(create_app(db, "bob"), base_url="http://127.0.0.1")
        csrf = app.get("/").text.split('name="csrf" content="', 1)[1].split('"', 1)[0]
        response = app.post("/correct", follow_redirects=False, data={
            "csrf": csrf, "doc": "trial00000", "study": "0", "action": "add", "field": "outcome", "value": "anxiety"})
    finally:
        holder.join()
    assert response.status_code == 503 and "the correction was not recorded" in response.text
    assert Store(db).correction_rows("trial00000") == []


@pytest.mark.slow
def test_corrections_made_while_a_batch_writes_are_never_lost(tmp_path: Path) -> None:
    """200 corrections, through ``extractor correct`` and the review app, while a 2-worker batch writes."""
    with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from extractor.review.app import create_app

    db = tmp_path / "x.db"
    trials(tmp_path / "seed", 1, start=9999)
    assert CliRunner().invoke(cli, ["extract", str(tmp_path / "seed"), "--db", str(db), "-q", "--rules-only"]
                              ).exit_code == 0
    doc_id = "trial09999"
    trials(tmp_path / "in", 2500)
    batch = start_batch(tmp_path / "in", db, "--workers", "2")
    try:
        deadline = time.monotonic() + 300
        while Store(db).db["documents"].count < 50:  # the workers are writing
            assert batch.poll() is None and time.monotonic() < deadline, "the batch ended before it wrote"
            time.sleep(0.2)
        app = TestClient(create_app(db, "bob"), base_url="http://127.0.0.1")
        csrf = app.get("/").text.split('name="csrf" content="', 1)[1].split('"', 1)[0]
        made, refused = 0, []
        for attempt in range(200):
            if attempt % 2:
                response = app.post("/correct", follow_redirects=False, data={
                    "csrf": csrf, "doc": doc_id, "study": "0", "action": "add", "field": "outcome",
                    "value": f"outcome {attempt}"})
                ok = response.status_code == 303
            else:
                result = CliRunner().invoke(cli, ["correct", doc_id, "outcome", f"outcome {attempt}", "--db", str(db),
                                                  "--annotator", "ana"])
                ok = result.exit_code == 0
            made += ok
            if not ok:
                refused.append(attempt)
        during = batch.poll() is None
    finally:
        batch.kill()
        batch.wait()
    assert refused == [] and made == 200
    with sqlite3.connect(db) as connection:
        rows = connection.execute("select annotator, value_after from corrections order by id").fetchall()
    assert rows == [("bob" if i % 2 else "ana", f'"outcome {i}"') for i in range(200)]
    assert during, "the batch finished before the corrections did: give it more files"
