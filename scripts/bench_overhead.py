"""Benchmark: CPU ms per document of each stage of ``extractor extract`` around field extraction, in one process.

A benchmark, not a test. The evidence-inference abstracts are written as one
``.txt`` file each into a temporary folder (as ``bench_extract.py
--whole-process`` does); then, file by file, CPU time (``process_time``, the
steadier figure on a shared machine) is taken for what a worker does (format
detection, reading, field extraction, building the ready-to-insert rows,
pickling the events it sends) and for what the parent of a worker pool does
with them (unpickling, the writer's batched SQLite transactions). Process
start-up (imports, models) is left out: the first file is read once to warm up.

    .venv/bin/python scripts/bench_overhead.py [--limit 1000] [--models on|off] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STAGES = ("detect", "read", "extract", "rows", "pickle")


def measure(paths: list[str], use_models: bool) -> tuple[dict[str, float], float, float, float]:
    """CPU seconds by worker stage, then unpickling and the writer's, and the pickled bytes per document."""
    from extractor.batch.events import DocumentDone, TaskDone
    from extractor.batch.options import ExtractOptions, Progress, RunSummary
    from extractor.batch.tasks import prepare, process_document
    from extractor.batch.writer import Writer
    from extractor.readers import detect_format, read_path
    from extractor.store import Store

    clock = time.process_time
    spent = dict.fromkeys(STAGES, 0.0)
    messages = []
    for number, path in enumerate(paths, 1):
        start = clock()
        fmt = detect_format(Path(path))
        read = clock()
        documents = list(read_path(path, None, fmt))
        extract = clock()
        done = [process_document(document, use_models) for document in documents]
        rows = clock()
        records = [prepare(document, units) for document, units in done]
        sent = clock()
        events = [*(DocumentDone(record) for record in records), TaskDone(path, fmt, len(records), 0, 1, number)]
        messages.append(pickle.dumps(events, protocol=pickle.HIGHEST_PROTOCOL))
        end = clock()
        for stage, took in zip(STAGES, (read - start, extract - read, rows - extract, sent - rows, end - sent), strict=True):
            spent[stage] += took
    with tempfile.TemporaryDirectory(prefix="bench-overhead-db-") as scratch:
        store = Store(Path(scratch) / "bench.db")
        run_id = store.start_run("extract", {}, [], "bench")
        sizes = {path: (os.path.getsize(path), "0" * 64) for path in paths}
        writer = Writer(store, run_id, ExtractOptions(), RunSummary(run_id=run_id), Progress(), None, sizes)
        start = clock()
        arrived = [pickle.loads(message) for message in messages]
        unpickled = clock()
        for events in arrived:
            for event in events:
                writer.handle(event)
        writer.flush()
        written = clock()
        store.close()
    return spent, unpickled - start, written - unpickled, sum(map(len, messages)) / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=1000, help="Number of abstracts (default 1000).")
    parser.add_argument("--models", choices=["on", "off"], default="on")
    parser.add_argument("--repeat", type=int, default=1, help="Runs; the fastest of each stage counts.")
    args = parser.parse_args()

    from bench_extract import load_abstracts

    from extractor.batch.tasks import Task, process_task
    from extractor.readers.base import Limits

    texts = load_abstracts(args.shared, args.limit)
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as scratch:
        folder = Path(scratch)
        for number, (name, text) in enumerate(texts):
            (folder / f"{number:05d}-{Path(name).stem}.txt").write_text(text, encoding="utf-8")
        paths = sorted(str(path) for path in folder.iterdir())
        list(process_task(Task(paths[0], 1), Limits(), args.models == "on"))  # imports and models, once
        runs = [measure(paths, args.models == "on") for _ in range(max(1, args.repeat))]
    n = len(paths)
    best = {stage: min(run[0][stage] for run in runs) for stage in STAGES}
    print(f"{n} evidence-inference abstracts as .txt files, models {args.models}, CPU ms per document "
          f"(fastest of {len(runs)}); load {os.getloadavg()[0]:.1f}")
    print("worker: " + ", ".join(f"{stage} {1000 * best[stage] / n:.3f}" for stage in STAGES)
          + f"; outside extraction {1000 * (sum(best.values()) - best['extract']) / n:.3f}")
    print(f"parent: unpickle {1000 * min(run[1] for run in runs) / n:.3f}, writer {1000 * min(run[2] for run in runs) / n:.3f}; "
          f"{runs[0][3]:.0f} pickled bytes per document")


if __name__ == "__main__":
    main()
