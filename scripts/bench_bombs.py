"""Benchmark: peak memory and outcome of ``extractor extract`` on compression bombs and a huge text file.

    .venv/bin/python scripts/bench_bombs.py [--scale 1.0] [--timeout 120] [--only pptx_paragraphs ...]

Builds each hostile input in a temporary folder (small on disk, large
unpacked), runs ``extractor extract FILE --db TMP.db --timeout T`` on it under
``/usr/bin/time -v`` (peak RSS of the command), and prints, per bomb: its size
on disk and unpacked, the wall time, the peak RSS, and the outcome (the
``failed ...`` line the tool printed, or how many documents it stored). The
target is a peak under 600 MB, or a clear failure line within the time limit.
Without ``/usr/bin/time`` (Debian package ``time``) the peak is read from
``resource.getrusage(RUSAGE_CHILDREN)`` instead, which is the same figure for
one child.

``--scale`` multiplies every unpacked size (1.0: 1 GiB of slide paragraphs,
2 GiB of media, 1 GiB of shared strings, 1 GiB in one cell, 4 GiB of gzip
spaces, a 200 MB text file; then bombs just inside the limits, which are
read rather than refused).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import hostile_inputs  # noqa: E402  (the builders the tests use, at full size here)

GIB = 1 << 30
MIB = 1 << 20

# name -> (file name, builder(path, unpacked bytes), unpacked bytes at scale 1)
BOMBS: dict[str, tuple[str, Callable[[Path, int], Path], int]] = {
    "pptx_paragraphs": ("paragraphs.pptx", hostile_inputs.pptx_paragraph_bomb, GIB),
    "pptx_media": ("media.pptx", hostile_inputs.pptx_media_bomb, 2 * GIB),
    "xlsx_shared_strings": ("strings.xlsx", hostile_inputs.xlsx_shared_strings_bomb, GIB),
    "xlsx_one_cell": ("cell.xlsx", hostile_inputs.xlsx_sheet_bomb, GIB),
    "pubmed_gzip_spaces": ("spaces.xml.gz", hostile_inputs.pubmed_gzip_bomb, 4 * GIB),
    "text_200mb": ("big.txt", hostile_inputs.big_text_file, 200 * 1000 * 1000),
    # Just inside the limits (a .pptx part 8 MiB and all its XML 32 MiB; other parts 64 MiB): what a bomb
    # that passes the checks costs.
    "pptx_paragraphs_7mb": ("paragraphs7.pptx", hostile_inputs.pptx_paragraph_bomb, 7 * MIB),
    "pptx_6_slides_30mb": ("slides30.pptx", hostile_inputs.pptx_slides_bomb, 30 * MIB),
    "xlsx_shared_strings_60mb": ("strings60.xlsx", hostile_inputs.xlsx_shared_strings_bomb, 60 * MIB),
    "xlsx_one_cell_60mb": ("cell60.xlsx", hostile_inputs.xlsx_sheet_bomb, 60 * MIB),
    "pubmed_gzip_spaces_60mb": ("spaces60.xml.gz", hostile_inputs.pubmed_gzip_bomb, 60 * MIB),
}


def unpacked_size(path: Path) -> int:
    """Bytes the file unpacks to (zip parts' declared sizes, gzip's stream), or its size."""
    import gzip
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    if path.read_bytes()[:2] == b"\x1f\x8b":
        total = 0
        with gzip.open(path, "rb") as handle:
            while block := handle.read(16 * MIB):
                total += len(block)
        return total
    return path.stat().st_size


def run(path: Path, db: Path, timeout: float, use_time: bool) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, output) of one ``extractor extract`` run."""
    command = [str(REPO / ".venv" / "bin" / "extractor"), "extract", str(path), "--db", str(db),
               "--timeout", str(timeout)]
    if use_time:
        command = ["/usr/bin/time", "-v", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout * 4 + 120)
    wall = time.perf_counter() - start
    output = done.stdout + done.stderr
    if use_time:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        peak_kb = int(match.group(1)) if match else 0
    else:
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_kb = peak_kb if peak_kb > before else before  # the children's maximum so far
    return wall, peak_kb / 1024, done.returncode, output


def outcome(output: str, db: Path) -> str:
    """The tool's failure line, or how many documents it stored."""
    failed = [line.strip() for line in output.splitlines() if line.startswith("failed ")]
    stored = 0
    if db.exists():
        with sqlite3.connect(db) as connection:
            stored = connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    text = f"{stored} document(s) stored"
    if failed:
        text += "; " + " | ".join(failed)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every unpacked size")
    parser.add_argument("--timeout", type=float, default=120.0, help="extractor extract --timeout")
    parser.add_argument("--only", nargs="*", choices=sorted(BOMBS), help="run these bombs only")
    args = parser.parse_args()
    use_time = Path("/usr/bin/time").exists()
    print(f"peak RSS from {'/usr/bin/time -v' if use_time else 'resource.getrusage(RUSAGE_CHILDREN)'}; "
          f"target: under 600 MB or a clear failure line within --timeout {args.timeout:.0f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-bombs-") as folder:
        for name, (file_name, build, unpacked) in BOMBS.items():
            if args.only and name not in args.only:
                continue
            path = Path(folder) / file_name
            build(path, int(unpacked * args.scale))
            db = Path(folder) / f"{name}.db"
            wall, peak, code, output = run(path, db, args.timeout, use_time)
            failed = any(line.startswith("failed ") for line in output.splitlines())
            verdict = "OK" if peak < 600 or (wall < args.timeout and failed) else "OVER TARGET"
            print(f"{name:20} disk {path.stat().st_size / MIB:8.1f} MB  unpacked {unpacked_size(path) / MIB:8.0f} MB  "
                  f"wall {wall:6.1f} s  peak RSS {peak:7.0f} MB  exit {code}  {verdict}\n"
                  f"{'':20} {outcome(output, db)}", flush=True)
            path.unlink()
            for leftover in Path(folder).glob(f"{name}.db*"):
                leftover.unlink()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
