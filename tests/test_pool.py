"""The worker pool loses nothing silently and never hangs: a worker killed at any moment costs at most the task it
was reading, which is recorded; its unstarted tasks are read by another worker; the run's status tells the truth."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.batch.events import DocumentDone, Failed, TaskDone
from extractor.batch.executors import local
from extractor.batch.options import ExtractOptions
from extractor.batch.run import run_extract
from extractor.batch.tasks import Task
from extractor.cli import cli
from extractor.store import Store

pytestmark = pytest.mark.slow  # worker processes; `make test` runs these, `make test-fast` leaves them out

REPO = Path(__file__).resolve().parents[1]
GUARD_SECONDS = 300  # a pool that has not finished in this long has hung


def write_abstracts(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"trial{number:04d}.txt"
        path.write_text(f"A randomised trial of programme {number}\n\nWe randomly assigned {40 + number} adults "
                        f"to the programme or usual care. Anxiety fell (SMD -0.{number % 9 + 1}0, 95% CI -0.90 to "
                        "-0.05).\n", encoding="utf-8")
        paths.append(path)
    return paths


def run_pool(tasks: list[Task], options: ExtractOptions, on_message=None) -> tuple[list, list[str]]:
    """Every event list of a pool over ``tasks`` (``on_message(pool, worker, message)`` sees each message first),
    under a wall-clock guard."""
    notices: list[str] = []
    pool = local.Pool(options, 1, notices.append)
    if on_message is not None:
        absorb = pool.absorb

        def watched(worker, message):
            on_message(pool, worker, message)
            return absorb(worker, message)

        pool.absorb = watched
    events: list = []
    failure: list[BaseException] = []

    def consume() -> None:
        try:
            for chunk in pool.events(local.batches(tasks, lambda path: 100, files=4)):
                events.extend(chunk)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            failure.append(error)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    assert not thread.is_alive(), "the pool hung"
    if failure:
        raise failure[0]
    return events, notices


def tasks_of(paths: list[Path]) -> list[Task]:
    return [Task(str(path), number, "text") for number, path in enumerate(paths, 1)]


def options(**changes) -> ExtractOptions:
    return ExtractOptions(workers=2, use_models=False, **changes)


def test_every_task_ends_once_and_a_worker_killed_mid_task_costs_that_task_only(tmp_path: Path) -> None:
    tasks = tasks_of(write_abstracts(tmp_path / "in", 24))
    killed: list[int] = []

    def kill_on_start(pool, worker, message):
        if not killed and any(isinstance(item, local.TaskStarted) and item.number == 6 for item in message):
            killed.append(worker.process.pid)
            os.kill(worker.process.pid, signal.SIGKILL)

    events, notices = run_pool(tasks, options(), kill_on_start)
    done = Counter(event.number for event in events if isinstance(event, TaskDone))
    assert killed and sorted(done) == list(range(1, 25)) and set(done.values()) == {1}
    crashes = [event.failure for event in events if isinstance(event, Failed)]
    assert len(crashes) <= 1 and all(failure.kind == "crash" and "died" in failure.message for failure in crashes)
    stored = {event.record.source_path for event in events if isinstance(event, DocumentDone)}
    assert len(stored) + len(crashes) == 24
    assert any("lost" in notice for notice in notices)


def test_a_worker_killed_while_it_waits_for_work_costs_nothing(tmp_path: Path) -> None:
    tasks = tasks_of(write_abstracts(tmp_path / "in", 20))
    killed: list[int] = []

    def kill_when_idle(pool, worker, message):
        # once it has done a batch and asks for the next: it is blocked reading its pipe, holding no task
        if len(killed) < 2 and worker.number < 2 and any(isinstance(i, local.Ready) for i in message) and \
                any(isinstance(i, TaskDone) for i in message) is False and worker.was_ready:
            killed.append(worker.number)
            os.kill(worker.process.pid, signal.SIGKILL)

    events, _ = run_pool(tasks, options(), kill_when_idle)
    assert killed
    assert not [event for event in events if isinstance(event, Failed)]
    assert sorted(event.number for event in events if isinstance(event, TaskDone)) == list(range(1, 21))


def test_a_worker_that_stops_answering_is_killed_and_its_task_recorded(tmp_path: Path) -> None:
    tasks = tasks_of(write_abstracts(tmp_path / "in", 12))
    stopped: list[int] = []

    def stop_on_start(pool, worker, message):
        pool.stall_seconds = 2.0
        if not stopped and any(isinstance(item, local.TaskStarted) and item.number == 3 for item in message):
            stopped.append(worker.process.pid)
            os.kill(worker.process.pid, signal.SIGSTOP)  # alive, silent: as if stuck in native code

    events, _ = run_pool(tasks, options(), stop_on_start)
    assert stopped
    failures = [event.failure for event in events if isinstance(event, Failed)]
    assert [f.kind for f in failures] in ([], ["crash"])  # [] when it had finished task 3 already
    assert all("sent nothing" in f.message for f in failures)
    assert sorted(event.number for event in events if isinstance(event, TaskDone)) == list(range(1, 13))


def test_workers_retire_by_documents_and_their_successors_finish_the_run(tmp_path: Path) -> None:
    tasks = tasks_of(write_abstracts(tmp_path / "in", 16))
    events, notices = run_pool(tasks, options(documents_per_worker=3))
    assert sorted(event.number for event in events if isinstance(event, TaskDone)) == list(range(1, 17))
    assert sum("retired" in notice for notice in notices) >= 2
    assert not [event for event in events if isinstance(event, Failed)]


def test_small_files_go_to_workers_in_batches() -> None:
    tasks = [Task(f"f{n}.txt", n) for n in range(1, 11)]
    sizes = {f"f{n}.txt": 10 for n in range(1, 11)} | {"f5.txt": 995}
    assert [[t.number for t in b] for b in local.batches(tasks, sizes.__getitem__, files=3, byte_limit=1000)] == [
        [1, 2, 3], [4], [5], [6, 7, 8], [9, 10]]
    piece = Task("big.xml", 11, "pubmed_xml", chunk=1, chunks=0, data=b"<x/>")
    assert [len(b) for b in local.batches([*tasks[:2], piece, *tasks[2:4]], sizes.__getitem__, files=3)] == [
        2, 1, 2]
    assert local.batch_files(2000, 2) == local.BATCH_FILES and local.batch_files(10, 2) == 1


def test_batches_shrink_as_the_run_nears_its_end_so_the_workers_finish_together() -> None:
    tasks = [Task(f"f{n}.txt", n) for n in range(1, 2001)]
    cut = list(local.batches(tasks, lambda path: 10, total_files=2000, workers=2))
    assert [task.number for batch in cut for task in batch] == list(range(1, 2001))  # each once, in order
    sizes = [len(batch) for batch in cut]
    assert sizes[0] == local.BATCH_FILES and sizes[-1] == 1 and sizes == sorted(sizes, reverse=True)
    assert sum(sizes[-8:]) <= 8  # the last files go one or two at a time


def dying_worker(*args) -> None:
    """A worker that cannot start (as an install that cannot import would)."""
    os._exit(7)


def test_workers_that_cannot_start_end_the_run_incomplete_and_the_same_command_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_abstracts(tmp_path / "in", 40)
    db = tmp_path / "x.db"
    monkeypatch.setattr(local, "_worker", dying_worker)
    runner = CliRunner()
    first = runner.invoke(cli, ["extract", str(tmp_path / "in"), "--db", str(db), "--workers", "2",
                                "--rules-only"])
    assert first.exit_code == 3, first.output
    assert "40 files were not read" in first.output and "run the same command" in first.output
    store = Store(db)
    assert store.db["runs"].get(1)["status"] == "incomplete"
    store.close()
    monkeypatch.undo()
    second = runner.invoke(cli, ["extract", str(tmp_path / "in"), "--db", str(db), "--workers", "2",
                                 "--rules-only", "-q"])
    assert second.exit_code == 0, second.output
    store = Store(db)
    assert store.db["runs"].get(2)["status"] == "complete"
    assert store.db["documents"].count == 40


def test_a_run_is_complete_only_when_every_file_was_read(tmp_path: Path) -> None:
    write_abstracts(tmp_path / "in", 5)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(tmp_path / "in")], store, ExtractOptions(use_models=False))
    assert (summary.status, summary.files_read, summary.files_unread) == ("complete", 5, 0)


@pytest.mark.parametrize("seed", [11])
def test_twenty_kills_over_a_thousand_files_lose_only_the_tasks_they_hit(tmp_path: Path, seed: int) -> None:
    """The stress test: SIGKILL to a random worker at random moments, 20 times, over 1,000 files."""
    command = [sys.executable, str(REPO / "scripts" / "kill_workers.py"), "--synthetic", "1000", "--kills", "20",
               "--after", "50", "--every", "0.6", "--jitter", "--seed", str(seed), "--resume",
               "--guard", str(GUARD_SECONDS), "--json"]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO,
                                       timeout=3 * GUARD_SECONDS).stdout)
    first = result["first"]
    assert not first["hung"] and not result.get("resume", {}).get("hung")
    assert first["killed"] >= 15  # the run lasted long enough to be hit
    assert first["exit"] in (1, 3, 0)
    crashes = result["failures_by_kind"].get("crash", 0)
    assert crashes <= first["killed"]
    assert set(result["failures_by_kind"]) <= {"crash"}
    assert result["adds_up"], result  # stored + recorded failures = every file
    assert result["files_stored"] >= 1000 - first["killed"]
    last = result["runs"][-1]
    assert last["status"] == "complete"


def test_a_dask_worker_killed_mid_run_costs_no_file_and_the_run_is_complete(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    command = [sys.executable, str(REPO / "scripts" / "kill_workers.py"), "--synthetic", "400", "--kills", "2",
               "--after", "30", "--every", "2", "--seed", "4", "--rules-only", "--executor", "dask",
               "--guard", str(GUARD_SECONDS), "--json"]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO,
                                       timeout=2 * GUARD_SECONDS).stdout)
    assert not result["first"]["hung"] and result["first"]["killed"] >= 1
    assert result["adds_up"], result
    assert set(result["failures_by_kind"]) <= {"crash"}
    assert result["runs"][-1]["status"] == "complete"
    assert result["first"]["exit"] == (1 if result["failures_by_kind"] else 0)


def test_close_stops_a_worker_whose_ready_is_not_read_yet_and_does_not_wait_for_one_still_starting() -> None:
    # A worker that finished its batch sends Ready after its last TaskDone; when the pool closes between the two,
    # the stop message must still reach it (it used to be left to the 5 s terminate, now and then, at run end).
    pool = local.Pool(options(), 1, lambda notice: None)
    pool.spawn()
    worker = next(iter(pool.workers.values()))
    assert worker.results.poll(GUARD_SECONDS), "the worker never started"
    pool.absorb(worker, worker.results.recv())  # its first Ready
    assert worker.ready and worker.was_ready
    pool.send(worker, [])  # an empty batch: it runs nothing, then sends Ready again
    assert worker.results.poll(GUARD_SECONDS)
    assert not worker.ready and not worker.held  # its Ready waits unread on the pipe
    pool.spawn()  # a second worker, closed while it is still starting (never ready)
    starting = [w for w in pool.workers.values() if w is not worker][0]
    process, fresh = worker.process, starting.process
    pool.close()
    assert process.exitcode == 0  # it read the stop message and returned; not terminated (-SIGTERM)
    assert fresh.exitcode is not None and not fresh.is_alive()
