"""Benchmark: documents per second and peak memory of ``extractor extract`` on a corpus.

A benchmark, not a test. Each configuration (one per ``--workers`` value) runs
in a fresh process tree into a fresh database:

    bench (this script)
      -> wrapper (a tiny Python process that only waits)
           -> extractor extract ... --db <tmp>.db -q   (python -m extractor.cli)
                -> worker processes (with --workers 2 or more)

Two memory figures are reported for the extractor's process tree (the wrapper
itself is never counted):

- ``peak MB``: the largest *sum* of resident memory (VmRSS) over all live
  processes of the tree, sampled from /proc every 50 ms. This is what the
  machine has to hold; a spike shorter than the sampling interval can be missed.
- ``max proc MB``: the exact peak RSS of the largest single process
  (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in the wrapper, which covers the
  grandchild workers once they have been waited for).

Default corpus: the evidence-inference abstracts (``abstracts.tar.gz`` of
``.abst`` plain-text files) under ``<shared>/data/evidence_inference``,
unpacked once per run into a temporary folder.

    .venv/bin/python scripts/bench_ingest.py
    .venv/bin/python scripts/bench_ingest.py --limit 500 --workers 1 2 4
    .venv/bin/python scripts/bench_ingest.py --corpus corpus/
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.batch.discovery import discover  # noqa: E402

SAMPLE_SECONDS = 0.05
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024

# Runs one command, waits, and writes as JSON to the file named first its exit status, its process tree's CPU
# time and the peak RSS of its largest descendant (KiB on Linux); the wrapper's own start-up is not counted.
WRAPPER = """
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as handle:
    json.dump({"returncode": code, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss}, handle)
"""


@dataclass
class Result:
    """One configuration's figures."""

    corpus: str
    files: int
    documents: int
    failures: int
    workers: int
    seconds: float
    tree_peak_mb: float
    process_peak_mb: float
    returncode: int
    load: float  # 1-minute load average when the run ended

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- corpus


def default_corpus(shared: Path) -> Path:
    """The evidence-inference abstracts archive under ``shared``."""
    root = shared / "data" / "evidence_inference"
    found = sorted(root.rglob("abstracts.tar.gz")) if root.is_dir() else []
    if not found:
        sys.exit(f"no abstracts.tar.gz under {root}; give --corpus or --shared")
    return found[0]


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.endswith((".tar.gz", ".tgz", ".tar"))


def unpack(archive: Path, into: Path) -> Path:
    """Unpack a tar archive once; returns the folder holding its files."""
    print(f"unpacking {archive} ...", file=sys.stderr)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:  # Python before 3.11.4
            tar.extractall(into)  # noqa: S202
    return into


def keep_abstracts_only(folder: Path) -> int:
    """Cut unpacked evidence-inference ``.abst`` files (which also hold the article body) to title and abstract."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_extract import abstract_only

    count = 0
    for path in folder.rglob("*.abst"):
        path.write_text(abstract_only(path.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")
        count += 1
    return count


def select_files(source: Path, limit: int | None, work: Path) -> tuple[Path, int, int]:
    """The folder (or file) to ingest, how many input files it holds, and how many there were.

    Files are listed the way ``extractor extract`` lists them (sorted, no
    hidden or housekeeping files); with ``limit`` the first N are linked into a
    folder of their own.
    """
    files, _ = discover([str(source)])
    if limit is None or limit >= len(files):
        return source, len(files), len(files)
    chosen = work / "selected"
    base = source if source.is_dir() else source.parent
    for file in files[:limit]:
        target = chosen / file.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(file.resolve())
    return chosen, limit, len(files)


# ---------------------------------------------------------------- measuring


def process_tree(root: int) -> list[int]:
    """``root`` and all its live descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields start after the last ")"
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Measured:
    """One command's run, as the wrapper and the sampling of its process tree saw it."""

    seconds: float
    cpu: float
    tree_peak_mb: float
    process_peak_mb: float
    returncode: int
    messages: list[str]  # its stderr lines


def measure(command: list[str], report: Path, log: Path) -> Measured:
    """Run ``command`` under the wrapper, sampling its process tree's RSS; stderr goes to ``log``."""
    started = time.perf_counter()
    with open(log, "wb") as errors:
        wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, str(report), *command], cwd=REPO, stderr=errors)
        tree_peak = 0
        while wrapper.poll() is None:
            tree = [pid for pid in process_tree(wrapper.pid) if pid != wrapper.pid]
            tree_peak = max(tree_peak, sum(rss_kib(pid) for pid in tree))
            time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    usage = json.loads(report.read_text())
    return Measured(seconds, usage["cpu"], tree_peak / 1024, usage["maxrss_kib"] / 1024, usage["returncode"],
                    log.read_text(errors="replace").splitlines())


def extractor_command() -> list[str]:
    return [sys.executable, "-m", "extractor.cli", "extract"]


def run_one(corpus: Path, label: str, files: int, workers: int, work: Path) -> Result:
    """Ingest ``corpus`` with ``workers`` in a fresh process tree and database."""
    db = work / f"bench-w{workers}.db"
    for stale in work.glob(f"{db.name}*"):
        stale.unlink()
    report = work / f"rusage-w{workers}.json"
    # --follow-links: a --limit selection is a folder of links to the corpus's files
    command = [*extractor_command(), str(corpus), "--db", str(db), "--workers", str(workers), "-q", "--follow-links"]
    run = measure(command, report, work / f"stderr-w{workers}.log")
    if run.messages:
        print(f"  extractor wrote {len(run.messages)} lines to stderr; the first:", file=sys.stderr)
        for message in run.messages[:3]:
            print(f"    {message[:200]}", file=sys.stderr)
    with sqlite3.connect(db) as connection:
        documents = connection.execute("select count(*) from documents").fetchone()[0]
        failures = connection.execute("select count(*) from failures").fetchone()[0]
    connection.close()
    return Result(label, files, documents, failures, workers, run.seconds, run.tree_peak_mb, run.process_peak_mb,
                  run.returncode, load_average())


def load_average() -> float:
    """The 1-minute load average: well above the worker count means others shared the CPU."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


# ---------------------------------------------------------------- report


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{model}, {os.cpu_count()} cores ({usable} usable), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def table(results: list[Result]) -> str:
    header = ("corpus", "files", "documents", "failures", "workers", "seconds", "docs/s", "peak MB", "max proc MB",
              "load")
    rows = [
        (r.corpus, str(r.files), str(r.documents), str(r.failures), str(r.workers), f"{r.seconds:.1f}",
         f"{r.docs_per_second:.1f}", f"{r.tree_peak_mb:.0f}", f"{r.process_peak_mb:.0f}", f"{r.load:.1f}")
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(  # noqa: E731
        cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *(line(row) for row in rows)])


def main(argv: list[str] | None = None) -> int:
    """Parse options, run each configuration, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="folder, file or .tar.gz to ingest (default: evidence-inference abstracts)")
    parser.add_argument("--limit", type=int, help="ingest only the first N files (sorted by path)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to run (default: 1 2)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder (default: ../shared)")
    parser.add_argument("--whole-articles", action="store_true",
                        help="keep the article body of .abst files (default: title and abstract only)")
    args = parser.parse_args(argv)

    start_load = load_average()
    source = args.corpus or default_corpus(args.shared)
    if not source.exists():
        parser.error(f"{source}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as temp:
        work = Path(temp)
        folder = unpack(source, work / "corpus") if is_archive(source) else source
        trimmed = 0 if args.whole_articles or not is_archive(source) else keep_abstracts_only(folder)
        corpus, files, available = select_files(folder, args.limit, work)
        label = source.name if files == available else f"{source.name} (first {files} of {available})"
        if trimmed:
            label += " [title+abstract]"
        results = []
        for workers in args.workers:
            print(f"{label}: {files} files, {workers} worker(s) ...", file=sys.stderr)
            result = run_one(corpus, label, files, workers, work)
            if result.returncode not in (0, 1):  # 1 only means some files failed
                print(f"  extractor exited with status {result.returncode}", file=sys.stderr)
            results.append(result)
        shutil.rmtree(work / "corpus", ignore_errors=True)

    print(f"machine: {machine()}")
    print("command: python -m extractor.cli extract <corpus> --db <tmp>.db --workers N -q (fresh database each)")
    print("seconds: wall time of the whole command, start-up and database writes included")
    print(f"peak MB: largest sum of RSS over the extractor's process tree (main + workers), sampled every "
          f"{SAMPLE_SECONDS * 1000:.0f} ms from /proc")
    print("max proc MB: exact peak RSS of the largest single process (getrusage RUSAGE_CHILDREN in a wrapper)")
    print(f"load: 1-minute load average at the end of the run (it was {start_load:.1f} before the first); "
          "far above the worker count means other work shared the CPU")
    print()
    print(table(results))
    return 0 if all(r.returncode in (0, 1) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
