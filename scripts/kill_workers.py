"""Probe: kill worker processes of a running `extractor extract` and check that nothing is lost silently.

    .venv/bin/python scripts/kill_workers.py --abstracts 1500 --kills 6           # evidence-inference abstracts
    .venv/bin/python scripts/kill_workers.py --synthetic 1000 --kills 20 --seed 3  # abstracts written here
    .venv/bin/python scripts/kill_workers.py ... --json                            # one JSON line, for tests

Writes the documents as one ``.txt`` file each into a temporary folder, starts
``extractor extract DIR --db DB --workers N -q``, and once ``--after`` documents
are stored kills a worker with SIGKILL (one of the run's worker processes, at
random, seeded) every ``--every`` seconds until ``--kills`` workers are dead.
Then it waits for the run under a wall-clock guard (a run still going after
``--guard`` seconds is a hang: it is killed and reported). With ``--resume`` it
runs the same command again when the first run ended incomplete.

Prints: the exit status, the ``runs`` row (status, files seen, documents
written, failures), how many of the files are stored, the failures recorded
with their kind, and whether stored + failed adds up to the files seen.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

SUBJECTS = ["adolescents with depression", "parents of toddlers", "adults with insomnia", "children with asthma",
            "older adults after a fall", "pregnant women who smoke", "students with test anxiety"]
OUTCOMES = ["symptom scores", "sleep quality", "quit rates", "parenting stress", "falls", "anxiety scores"]


def synthetic_abstract(number: int, rng: random.Random) -> str:
    """A short trial abstract written here (no third-party text): title, methods, results."""
    subject, outcome = rng.choice(SUBJECTS), rng.choice(OUTCOMES)
    n = rng.randint(20, 900)
    effect = rng.uniform(-0.9, 0.9)
    return (f"A randomised trial {number} of a brief programme for {subject}\n\n"
            f"Methods: We randomly assigned {n} {subject} to the programme or usual care.\n"
            f"Results: The programme changed {outcome} (SMD {effect:.2f}, 95% CI {effect - 0.3:.2f} to "
            f"{effect + 0.3:.2f}; p = 0.0{rng.randint(1, 9)}).\n")


def write_inputs(folder: Path, synthetic: int, abstracts: int, shared: Path, seed: int) -> int:
    rng = random.Random(seed)
    count = 0
    if synthetic:
        for number in range(synthetic):
            (folder / f"doc{number:05d}.txt").write_text(synthetic_abstract(number, rng), encoding="utf-8")
            count += 1
    if abstracts:
        from bench_extract import load_abstracts

        for name, text in load_abstracts(shared, abstracts):
            (folder / f"{Path(name).stem}.txt").write_text(text, encoding="utf-8")
            count += 1
    return count


def workers_of(pid: int) -> list[int]:
    """The run's worker processes: its children started by multiprocessing's spawn (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(int(entry.name))
    return found


def stored_documents(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_once(command: list[str], db: Path, kills: int, after: int, every: float, guard: float,
             rng: random.Random, jitter: bool = False) -> dict:
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed: list[int] = []
    hung = False
    while process.poll() is None:
        if time.monotonic() - started > guard:
            hung = True
            process.kill()
            break
        if len(killed) < kills and stored_documents(db) >= after:
            workers = workers_of(process.pid)
            if workers:
                victim = rng.choice(workers)
                try:
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)
                except ProcessLookupError:
                    pass
            time.sleep(rng.uniform(0, every) if jitter else every)
        else:
            time.sleep(0.05)
    stderr = process.communicate()[1] or ""
    return {"exit": process.returncode, "killed": len(killed), "hung": hung,
            "seconds": round(time.monotonic() - started, 1), "stderr_lines": stderr.splitlines()[-20:]}


def report(db: Path, files: int) -> dict:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        runs = [dict(row) for row in connection.execute(
            "select id, status, files_seen, files_skipped, documents_written, failures from runs order by id")]
        stored = connection.execute("select count(distinct source_path) from documents").fetchone()[0]
        kinds = dict(connection.execute("select kind, count(*) from failures group by kind").fetchall())
        failed_files = connection.execute(
            "select count(distinct path) from failures where path not in (select source_path from documents)"
        ).fetchone()[0]
        complete = connection.execute("select count(*) from sources where status = 'complete'").fetchone()[0]
    return {"files": files, "runs": runs, "files_stored": stored, "files_failed": failed_files,
            "sources_complete": complete, "failures_by_kind": kinds,
            "adds_up": stored + failed_files == files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=0, help="abstracts written here (no data needed)")
    parser.add_argument("--abstracts", type=int, default=0, help="evidence-inference abstracts from ../shared")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--after", type=int, default=100, help="documents stored before the first kill")
    parser.add_argument("--every", type=float, default=0.7, help="seconds between kills")
    parser.add_argument("--jitter", action="store_true", help="a random pause between 0 and --every seconds instead")
    parser.add_argument("--guard", type=float, default=900, help="seconds before a run counts as hung")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--executor", choices=["local", "dask"], default="local",
                        help="dask: a LocalCluster of --workers processes (its nannies restart a killed worker)")
    parser.add_argument("--resume", action="store_true", help="run the same command again if the run is incomplete")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not args.synthetic and not args.abstracts:
        parser.error("give --synthetic N or --abstracts N")
    with tempfile.TemporaryDirectory() as temporary:
        work = args.keep or Path(temporary)
        inputs = work / "in"
        inputs.mkdir(parents=True, exist_ok=True)
        files = write_inputs(inputs, args.synthetic, args.abstracts, args.shared, args.seed)
        db = work / "run.db"
        command = [str(Path(sys.executable).parent / "extractor"), "extract", str(inputs), "--db", str(db),
                   "--workers", str(args.workers), "--executor", args.executor, "-q",
                   *(["--rules-only"] if args.rules_only else [])]
        rng = random.Random(args.seed)
        first = run_once(command, db, args.kills, args.after, args.every, args.guard, rng, args.jitter)
        result = {"command": " ".join(command), "first": first}
        if args.resume and not first["hung"] and first["exit"] == 3:
            result["resume"] = run_once(command, db, 0, 0, 0, args.guard, rng)
        result.update(report(db, files))
        result["db"] = str(db)
    if args.json:
        print(json.dumps(result))
        return
    print(f"command: {result['command']}")
    for name in ("first", "resume"):
        if name in result:
            run = result[name]
            print(f"{name} run: exit {run['exit']}, {run['killed']} workers killed, {run['seconds']} s"
                  + (", HUNG (killed by the guard)" if run["hung"] else ""))
    for run in result["runs"]:
        print(f"runs row {run['id']}: status={run['status']} files_seen={run['files_seen']} "
              f"documents_written={run['documents_written']} failures={run['failures']}")
    print(f"files: {files}; stored: {result['files_stored']}; failed: {result['files_failed']} "
          f"{result['failures_by_kind']}; stored + failed = seen: {result['adds_up']}")


if __name__ == "__main__":
    main()
