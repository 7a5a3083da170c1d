"""A batch stopped from outside: SIGTERM unwinds like Ctrl-C, and a killed run leaves no worker behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_scale import baseline

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out; `make test` runs them

REPO = Path(__file__).resolve().parents[1]


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_batch(tmp_path: Path) -> tuple[subprocess.Popen, Path, list[int]]:
    """``extractor extract`` with two workers over a long PubMed file, once its workers are busy."""
    source = baseline(tmp_path / "in", range(1, 6001))
    db = tmp_path / "x.db"
    process = subprocess.Popen([sys.executable, "-c", "from extractor.cli import main; main()", "extract",
                                str(source), "--db", str(db), "--workers", "2", "--rules-only", "-q"],
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and process.poll() is None:
        workers = [pid for pid in children(process.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        if len(workers) >= 2 and db.exists():
            with sqlite3.connect(db) as connection:
                if connection.execute("select count(*) from documents").fetchone()[0] > 0:
                    break
        time.sleep(0.2)
    if process.poll() is not None or len(workers) < 2:
        pytest.skip("the batch ended before it could be stopped (a very fast machine)")
    return process, db, workers


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads process trees from /proc")
def test_sigterm_stops_the_workers_and_marks_the_run_interrupted(tmp_path: Path) -> None:
    process, db, workers = start_batch(tmp_path)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 130
    assert b"interrupted" in process.stderr.read()
    assert wait_gone(workers, 15) == []
    with sqlite3.connect(db) as connection:
        assert connection.execute("select status from runs").fetchone()[0] == "interrupted"
        assert connection.execute("select count(*) from documents").fetchone()[0] > 0  # what was written stays


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads process trees from /proc")
def test_workers_of_a_killed_run_exit_on_their_own(tmp_path: Path) -> None:
    process, _, workers = start_batch(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert wait_gone(workers, 30) == []
