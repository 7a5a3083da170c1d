"""Benchmark: field extraction speed, against spaCy's bare tokenisation.

    .venv/bin/python scripts/bench_extract.py [--limit 2000] [--shared ../shared]
    .venv/bin/python scripts/bench_extract.py --whole-process [--limit 2000] [--workers 1 2] [--repeat 1]
        [--against ../main]

In-process mode (the default):

Reads the evidence-inference abstracts (``data/evidence_inference/annotations/
abstracts.tar.gz``) into memory, then times, on the same texts and in one
process: (1) spaCy blank English tokenisation alone (``nlp.make_doc``), the
floor any spaCy pipeline pays; (2) the whole per-document work of a run:
reading the text into a Document, study units, text layer, every field
extractor and the chooser, once with the rules alone and once with the
trained models too. Prints abstracts/s for each, their ratio, and the peak
resident memory of the process.

Whole-process mode (``--whole-process``), what a user waits for: the same
abstracts are written as one ``.txt`` file each into a temporary folder, then
``extractor extract DIR --db <fresh>.db -q`` runs as a subprocess with each
worker count, models on and off (``--rules-only``), beside the spaCy floor
measured in the same run: a subprocess that imports spaCy, builds blank
English plus the sentencizer, reads every file and pipes the texts through it.
Each row prints wall seconds, files/s, x floor, the CPU time (user + sys) of
the process tree (``getrusage(RUSAGE_CHILDREN)`` in a small wrapper that runs
the command, so worker grandchildren are counted once they are waited for),
CPU x floor CPU, the peak sum of resident memory over the tree (sampled from
/proc every 50 ms) and the 1-minute load. On a shared machine wall time is
noisy; CPU time is the steadier comparison. With ``--repeat R`` each row is
the fastest of R runs (wall and CPU taken separately). With ``--against
CHECKOUT`` every configuration runs with this checkout and then with the other
one (its own ``.venv``), so before/after figures are taken at the same load;
the last lines give this checkout's CPU and wall time as a multiple of the other's.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def abstract_only(text: str) -> str:
    """Title and abstract of an evidence-inference ``.abst`` file (they also hold the body).

    ``TITLE.`` / ``ABSTRACT.METHODS.`` heading lines become a title line and
    ``METHODS:`` headings, as a user's copy of an abstract would have them.
    """
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("BODY."):
            break
        if line == "TITLE.":
            continue
        if line.startswith("ABSTRACT.") and line.endswith("."):
            heading = line[len("ABSTRACT."):-1].strip()
            lines.append(f"{heading}:" if heading else "Abstract")
            continue
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def load_abstracts(shared: Path, limit: int) -> list[tuple[str, str]]:
    archive = shared / "data" / "evidence_inference" / "annotations" / "abstracts.tar.gz"
    if not archive.exists():
        raise SystemExit(f"{archive} not found: pass --shared pointing at the shared folder")
    texts: list[tuple[str, str]] = []
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            text = abstract_only(handle.read().decode("utf-8", errors="replace"))
            texts.append((Path(member.name).name, text))
            if len(texts) >= limit:
                break
    return texts


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# The floor: start Python, import spaCy, read every .txt file of the folder, tokenise and split sentences.
FLOOR = """
import sys
from pathlib import Path
import spacy
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
texts = (path.read_text(encoding="utf-8") for path in sorted(Path(sys.argv[1]).glob("*.txt")))
print(sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=64)))
"""


@dataclass
class Run:
    """One whole-process configuration's best figures."""

    label: str
    seconds: float
    cpu: float
    tree_peak_mb: float
    process_peak_mb: float
    documents: int
    load: float


def run_command(command: list[str], work: Path, name: str) -> tuple[float, float, float, float]:
    """Wall seconds, CPU seconds of the tree, peak tree RSS MB and largest-process RSS MB of one command."""
    from bench_ingest import measure

    run = measure(command, work / f"{name}.json", work / f"{name}.stderr")
    if run.returncode != 0 or run.messages:
        print(f"  {name}: exit {run.returncode}, {len(run.messages)} lines on stderr", file=sys.stderr)
        for message in run.messages[:5]:
            print(f"    {message[:200]}", file=sys.stderr)
    return run.seconds, run.cpu, run.tree_peak_mb, run.process_peak_mb


def against_python(checkout: Path) -> Path:
    """The interpreter of another checkout (its ``.venv``), which has that checkout's package installed."""
    python = checkout / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} not found: run `make install` in {checkout} first")
    return python


def whole_process(texts: list[tuple[str, str]], workers: list[int], models: list[str], repeat: int,
                  against: Path | None = None) -> None:
    """Write the texts as .txt files, then time the floor and ``extractor extract`` of the folder."""
    import sqlite3

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as scratch:
        work = Path(scratch)
        folder = work / "abstracts"
        folder.mkdir()
        for number, (name, text) in enumerate(texts):
            (folder / f"{number:05d}-{Path(name).stem}.txt").write_text(text, encoding="utf-8")
        n = len(texts)
        print(f"corpus: {n} evidence-inference abstracts as .txt files, "
              f"{sum(len(t.split()) for _, t in texts) / n:.0f} words each on average")
        print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"load before: {os.getloadavg()[0]:.1f}")
        runs: list[Run] = []

        def best(label: str, command: list[str], db: Path | None) -> Run:
            figures = []
            for attempt in range(repeat):
                if db is not None:
                    for stale in work.glob(f"{db.name}*"):
                        stale.unlink()
                figures.append(run_command(command, work, f"{label.replace(' ', '_')}-{attempt}"))
            documents = n
            if db is not None:
                with sqlite3.connect(db) as connection:
                    documents = connection.execute("select count(*) from documents").fetchone()[0]
                connection.close()
            run = Run(label, min(f[0] for f in figures), min(f[1] for f in figures),
                      max(f[2] for f in figures), max(f[3] for f in figures), documents, os.getloadavg()[0])
            runs.append(run)
            return run

        floor = best("spaCy floor", [sys.executable, "-c", FLOOR, str(folder)], None)
        # Each checkout's own interpreter; -P: its installed package, not one found in the current folder.
        checkouts = [("", sys.executable)] + ([(" [against]", str(against_python(against)))] if against else [])
        for mode in models:
            for count in workers:
                for suffix, python in checkouts:  # with --against, the two checkouts run one after the other
                    db = work / f"w{count}-{mode}{suffix.strip(' []')}.db"
                    command = [python, "-P", "-m", "extractor.cli", "extract", str(folder), "--db", str(db), "-q",
                               "--workers", str(count), *(["--rules-only"] if mode == "off" else [])]
                    best(f"extract, models {mode}, {count} worker{'s' if count > 1 else ''}{suffix}", command, db)
        print(f"{'run':34s} {'seconds':>8s} {'files/s':>8s} {'x floor':>8s} {'CPU s':>7s} {'x floor CPU':>11s} "
              f"{'peak MB':>8s} {'max proc MB':>11s} {'docs':>5s} {'load':>5s}")
        for run in runs:
            print(f"{run.label:34s} {run.seconds:8.2f} {n / run.seconds:8.0f} {run.seconds / floor.seconds:8.2f} "
                  f"{run.cpu:7.2f} {run.cpu / floor.cpu:11.2f} {run.tree_peak_mb:8.0f} {run.process_peak_mb:11.0f} "
                  f"{run.documents:5d} {run.load:5.1f}")
        by_label = {run.label: run for run in runs}
        for mode in models:
            one, two = by_label.get(f"extract, models {mode}, 1 worker"), by_label.get(f"extract, models {mode}, 2 workers")
            if one and two:
                print(f"models {mode}: 2 workers are {one.seconds / two.seconds:.2f}x one worker (wall)")
        for run in runs:
            other = by_label.get(f"{run.label} [against]")
            if other:
                print(f"{run.label}: CPU {run.cpu / other.cpu:.2f}x, wall {run.seconds / other.seconds:.2f}x "
                      f"that of {against}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=2000, help="Number of abstracts (default 2000).")
    parser.add_argument("--whole-process", action="store_true",
                        help="Time `extractor extract DIR` as a subprocess over the abstracts written as files.")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Worker counts (whole-process).")
    parser.add_argument("--models", nargs="+", choices=["on", "off"], default=["on", "off"],
                        help="With the models, without (--rules-only), or both (whole-process).")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each configuration; the fastest counts.")
    parser.add_argument("--against", type=Path, default=None,
                        help="Another checkout (with its .venv) to time beside this one, configuration by "
                             "configuration (whole-process): before/after figures taken at the same load.")
    args = parser.parse_args()
    if args.whole_process:
        whole_process(load_abstracts(args.shared, args.limit), args.workers, args.models, max(1, args.repeat),
                      args.against)
        return

    from extractor.extract.document import extract_document
    from extractor.identifiers import attach_identifiers
    from extractor.readers.text import parse_plain_text
    from extractor.textlayer import blank_pipeline

    texts = load_abstracts(args.shared, args.limit)
    words = sum(len(text.split()) for _, text in texts)
    nlp = blank_pipeline()
    for _, text in texts[:50]:  # warm caches and lexicons
        nlp.make_doc(text)
        extract_document(attach_identifiers(parse_plain_text(text, "warm.txt")))

    started = time.perf_counter()
    for _, text in texts:
        nlp.make_doc(text)
    tokenise_s = time.perf_counter() - started

    def extract_all(use_models: bool) -> tuple[float, int]:
        started = time.perf_counter()
        values = 0
        for name, text in texts:
            document = attach_identifiers(parse_plain_text(text, name))
            for unit in extract_document(document, use_models=use_models):
                values += len(unit.values)
        return time.perf_counter() - started, values

    rules_s, rules_values = extract_all(use_models=False)
    extract_s, values = extract_all(use_models=True)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(texts)
    print(f"corpus: evidence-inference abstracts, {n} texts, {words / n:.0f} words each on average")
    print(f"machine: {cpu_model()}, {platform.python_implementation()} {platform.python_version()}, one core")
    print(f"{'step':44s} {'seconds':>8s} {'abstracts/s':>12s}")
    print(f"{'spaCy blank English tokenisation only':44s} {tokenise_s:8.2f} {n / tokenise_s:12.0f}")
    print(f"{'read + extract every field, rules only':44s} {rules_s:8.2f} {n / rules_s:12.0f}")
    print(f"{'read + extract every field, rules + models':44s} {extract_s:8.2f} {n / extract_s:12.0f}")
    print(f"ratio extract / tokenise: rules only {rules_s / tokenise_s:.1f}x, with models "
          f"{extract_s / tokenise_s:.1f}x the time of bare tokenisation")
    print(f"candidate values produced: rules only {rules_values} ({rules_values / n:.1f} per abstract), "
          f"with models {values} ({values / n:.1f} per abstract)")
    print(f"peak resident memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
