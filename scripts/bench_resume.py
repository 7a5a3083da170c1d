"""Benchmark: a run killed half-way through one large file, resumed, against a full run of the file.

A benchmark, not a test. Three runs of ``extractor extract FILE --db <tmp>.db -q``:

1. a full run into a fresh database (timed);
2. a run into another fresh database, killed with SIGKILL once about half the file's records are
   stored (``--kill-at``, as a share of the records the full run stored);
3. the same command again on that database (timed): it reads the file again but extracts only
   the records not stored yet.

Prints both times (wall clock, and the CPU time of the process tree, steadier on a shared machine), how many records the killed run had stored, and the ratio; the resumed run should
take about ``1 - kill share`` of the full run, plus the time to read the file once more.

    .venv/bin/python scripts/bench_resume.py
    .venv/bin/python scripts/bench_resume.py --file ../shared/formats/screening_tables/X.xlsx --kill-at 0.5
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared"))
DEFAULT = SHARED / "formats" / "screening_tables" / "asreview_ACEInhibitors_debug_record_id.xlsx"


def command(path: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "extractor.cli", "extract", str(path), "--db", str(db), "-q"]


def stored(db: Path) -> int:
    """Documents committed to ``db`` so far (0 before the schema exists)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(path: Path, db: Path) -> tuple[float, float]:
    """Run the command to its end; returns (wall seconds, CPU seconds of its process tree)."""
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(command(path, db), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - started, _children_cpu() - cpu


def killed_run(path: Path, db: Path, at: int) -> tuple[int, float]:
    """Start a run and SIGKILL it once ``at`` records are stored; returns (records stored, seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(command(path, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                               start_new_session=True)
    while process.poll() is None and stored(db) < at:
        time.sleep(0.05)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return stored(db), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DEFAULT, help="One large multi-record file (XLSX, RIS, CSV).")
    parser.add_argument("--kill-at", type=float, default=0.5, help="Share of the records stored when the run is killed.")
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"{args.file}: not found; pass --file or set EXTRACTOR_SHARED")
    with tempfile.TemporaryDirectory() as folder:
        full_db, resumed_db = Path(folder) / "full.db", Path(folder) / "resumed.db"
        full = timed_run(args.file, full_db)
        total = stored(full_db)
        at, before_kill = killed_run(args.file, resumed_db, int(total * args.kill_at))
        resumed = timed_run(args.file, resumed_db)
        after = stored(resumed_db)
    print(f"file: {args.file} ({total} records)")
    print(f"full run:    {full[0]:.1f} s wall, {full[1]:.1f} s CPU")
    print(f"killed run:  {before_kill:.1f} s wall, {at} of {total} records stored ({at / max(total, 1):.0%})")
    print(f"resumed run: {resumed[0]:.1f} s wall ({resumed[0] / full[0]:.0%} of the full run), {resumed[1]:.1f} s CPU "
          f"({resumed[1] / full[1]:.0%}), {after} records stored")


if __name__ == "__main__":
    main()
