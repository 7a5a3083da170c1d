"""Benchmark of growth: documents/s and peak memory of ``extractor extract`` as the corpus grows.

A benchmark, not a test. For each corpus size (default 1k, 10k, 100k abstracts)
it writes a corpus shaped like the PubMed baseline (gzipped PubMed XML files of
up to 30,000 records each) into a temporary folder, then extracts it into a
fresh database with each configuration:

- ``local1``: ``--workers 1``        - ``local2``: ``--workers 2``
- ``dask2``: ``--executor dask --workers 2`` (a LocalCluster of two worker processes)

The abstracts are real: titles and abstracts of the screening sets in
``<shared>/screening/*.csv`` and of the evidence-inference abstracts
(``<shared>/data/evidence_inference/annotations/abstracts.tar.gz``, with their
section headings as labelled AbstractText). Where a size needs more records
than there are distinct abstracts, they are repeated with new PMIDs; the report
says how many are repeats. Every record gets a made-up PMID (90,000,000 + n).

Peak memory is the largest sum of RSS over the extractor's whole process tree
(main process, workers, Dask nanny and worker processes), sampled from /proc
every 50 ms, as in ``bench_ingest.py``. The last lines project the wall time of
the PubMed baseline (about 36 million records in about 1,200 files) from the
best rate measured. Timings on a shared machine are noisy: each row carries
the 1-minute load average at its end.

    .venv/bin/python scripts/bench_growth.py                       # 1k, 10k, 100k
    .venv/bin/python scripts/bench_growth.py --sizes 1000 10000 --configs local1 local2
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import SAMPLE_SECONDS, WRAPPER, load_average, machine, process_tree, rss_kib  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
RECORDS_PER_FILE = 30_000  # a PubMed baseline file holds about this many
BASELINE_RECORDS = 36_000_000
BASELINE_FILES = 1_200
CONFIGS = {
    "local1": ["--workers", "1"],
    "local2": ["--workers", "2"],
    "dask2": ["--executor", "dask", "--workers", "2"],
}


@dataclass
class Abstract:
    title: str
    parts: list[tuple[str, str]]  # (label, text); label "" when the abstract has no headings
    year: str | None = None


@dataclass
class Result:
    size: int
    config: str
    documents: int
    failures: int
    seconds: float
    peak_mb: float
    returncode: int
    load: float
    main_cpu: float = 0.0  # CPU seconds of the extractor's main process (the writer)
    other_cpu: float = 0.0  # CPU seconds of every other process of the tree (workers, Dask)

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- corpus


def screening_abstracts(shared: Path) -> Iterator[Abstract]:
    """Title and abstract of every screening record that has both."""
    csv.field_size_limit(1 << 30)
    for path in sorted((shared / "screening").glob("*.csv")):
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                title, abstract = (row.get("title") or "").strip(), (row.get("abstract") or "").strip()
                if title and len(abstract) > 200:
                    yield Abstract(title, [("", abstract)], (row.get("year") or "").strip()[:4] or None)


_HEADING = re.compile(r"^ABSTRACT\.(.*?):?\.$")


def evidence_inference_abstracts(shared: Path) -> Iterator[Abstract]:
    """Title and labelled abstract sections of the evidence-inference ``.abst`` files."""
    archive = shared / "data" / "evidence_inference" / "annotations" / "abstracts.tar.gz"
    if not archive.exists():
        return
    with tarfile.open(archive) as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            title, parts, label, lines, in_title = "", [], "", [], False
            for line in handle.read().decode("utf-8", errors="replace").splitlines():
                if line.startswith("BODY."):
                    break
                heading = _HEADING.match(line)
                if line == "TITLE.":
                    in_title = True
                elif heading:
                    if lines:
                        parts.append((label, " ".join(lines)))
                    label, lines, in_title = heading.group(1).strip().upper(), [], False
                elif line.strip():
                    if in_title:
                        title += (" " if title else "") + line.strip()
                    else:
                        lines.append(line.strip())
            if lines:
                parts.append((label, " ".join(lines)))
            if title and parts:
                yield Abstract(title, parts)


def distinct_abstracts(shared: Path) -> list[Abstract]:
    """Every usable abstract once (the same abstract text twice counts once)."""
    seen: set[str] = set()
    found: list[Abstract] = []
    for abstract in [*screening_abstracts(shared), *evidence_inference_abstracts(shared)]:
        key = " ".join(text for _, text in abstract.parts)[:300]
        if key not in seen:
            seen.add(key)
            found.append(abstract)
    return found


# control characters XML 1.0 forbids: a few screening exports carry them, PubMed's own files never do
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape(text: str) -> str:
    """Text as XML character data, with the characters XML forbids read as spaces."""
    return xml_escape(_XML_ILLEGAL.sub(" ", text))


def pubmed_article(pmid: int, abstract: Abstract) -> str:
    """One PubmedArticle as the baseline files hold it (the elements the reader uses)."""
    texts = "".join(
        f"<AbstractText Label={quoteattr(label)}>{escape(text)}</AbstractText>" if label
        else f"<AbstractText>{escape(text)}</AbstractText>"
        for label, text in abstract.parts
    )
    year = abstract.year if abstract.year and abstract.year.isdigit() else "2020"
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f"<DateRevised><Year>{year}</Year><Month>01</Month><Day>01</Day></DateRevised>"
        f'<Article PubModel="Print"><Journal><JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue>'
        f"<Title>Benchmark Journal</Title></Journal><ArticleTitle>{escape(abstract.title)}</ArticleTitle>"
        f"<Abstract>{texts}</Abstract><Language>eng</Language>"
        "<PublicationTypeList><PublicationType>Journal Article</PublicationType></PublicationTypeList></Article>"
        f'</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        "</ArticleIdList></PubmedData></PubmedArticle>\n"
    )


def write_corpus(folder: Path, size: int, abstracts: list[Abstract]) -> int:
    """``size`` records in gzipped PubMed XML files of up to 30,000 each; returns the number of repeats."""
    folder.mkdir(parents=True)
    for number, start in enumerate(range(0, size, RECORDS_PER_FILE), 1):
        with gzip.open(folder / f"pubmed00n{number:04d}.xml.gz", "wt", encoding="utf-8", compresslevel=6) as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>\n')
            for index in range(start, min(size, start + RECORDS_PER_FILE)):
                out.write(pubmed_article(90_000_000 + index, abstracts[index % len(abstracts)]))
            out.write("</PubmedArticleSet>\n")
    return max(0, size - len(abstracts))


# ---------------------------------------------------------------- measuring


def run_one(corpus: Path, size: int, config: str, work: Path) -> Result:
    """Extract ``corpus`` with one configuration in a fresh process tree and database."""
    import json
    import sqlite3

    db = work / f"growth-{size}-{config}.db"
    report = work / f"rusage-{size}-{config}.json"
    command = [sys.executable, "-c", "from extractor.cli import main; main()", "extract", str(corpus), "--db", str(db), "-q",
               *CONFIGS[config]]
    log = work / f"stderr-{size}-{config}.log"
    started = time.perf_counter()
    with open(log, "wb") as errors:
        wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, str(report), *command], cwd=REPO, stderr=errors)
        peak = 0
        cpu: dict[int, float] = {}  # pid -> CPU seconds last seen
        main_pid = None
        while wrapper.poll() is None:
            tree = [pid for pid in process_tree(wrapper.pid) if pid != wrapper.pid]
            peak = max(peak, sum(rss_kib(pid) for pid in tree))
            main_pid = main_pid or (tree[0] if tree else None)  # the extractor command itself
            for pid in tree:
                seconds = cpu_seconds(pid)
                if seconds is not None:
                    cpu[pid] = seconds
            time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    usage = json.loads(report.read_text())
    if usage["returncode"] not in (0, 1):
        print(f"  extractor exited with {usage['returncode']}; stderr: {log.read_text(errors='replace')[-800:]}",
              file=sys.stderr)
    with sqlite3.connect(db) as connection:
        documents = connection.execute("select count(*) from documents").fetchone()[0]
        failures = connection.execute("select count(*) from failures").fetchone()[0]
    connection.close()
    for stale in work.glob(f"{db.name}*"):
        stale.unlink()
    main_cpu = cpu.get(main_pid, 0.0)
    return Result(size, config, documents, failures, seconds, peak / 1024, usage["returncode"], load_average(),
                  main_cpu, sum(cpu.values()) - main_cpu)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a live process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return None


def table(results: list[Result]) -> str:
    header = ("records", "config", "documents", "failures", "seconds", "docs/s", "peak MB", "main CPU s",
              "other CPU s", "load")
    rows = [(f"{r.size:,}", r.config, f"{r.documents:,}", str(r.failures), f"{r.seconds:.1f}",
             f"{r.docs_per_second:.1f}", f"{r.peak_mb:.0f}", f"{r.main_cpu:.1f}", f"{r.other_cpu:.1f}",
             f"{r.load:.2f}") for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(  # noqa: E731
        cell.ljust(width) if i == 1 else cell.rjust(width) for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *(line(row) for row in rows)])


def idle_seconds(result: Result, workers: int, cores: int = 2) -> float:
    """Wall time the run would take on idle cores, from its CPU time (load-independent).

    The writer (main process) runs beside the workers; each worker is one
    process; together they cannot go faster than their CPU time over the cores.
    """
    total = result.main_cpu + result.other_cpu
    return max(total / cores, result.main_cpu, result.other_cpu / workers)


def projection(results: list[Result]) -> list[str]:
    """The PubMed baseline's wall time at each configuration's rate on the largest corpus measured."""
    lines = []
    largest = max(r.size for r in results)
    for result in results:
        if result.size == largest and result.docs_per_second:
            hours = BASELINE_RECORDS / result.docs_per_second / 3600
            lines.append(f"  {result.config}: {BASELINE_RECORDS / 1e6:.0f}M records at {result.docs_per_second:.0f} "
                         f"docs/s = {hours:,.1f} h ({hours / 24:.1f} days)")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Build each corpus, run each configuration, print the growth table and the projection."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000], help="corpus sizes")
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=["local1", "local2", "dask2"],
                        help="configurations to run (default: all three)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    args = parser.parse_args(argv)

    abstracts = distinct_abstracts(args.shared)
    if not abstracts:
        parser.error(f"no abstracts under {args.shared}/screening or {args.shared}/data/evidence_inference")
    start_load = load_average()
    results: list[Result] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_growth_") as temp:
        work = Path(temp)
        for size in args.sizes:
            corpus = work / f"corpus-{size}"
            repeats = write_corpus(corpus, size, abstracts)
            files = sorted(corpus.iterdir())
            megabytes = sum(f.stat().st_size for f in files) / 1e6
            notes.append(f"{size:,} records: {len(files)} file(s), {megabytes:.1f} MB gzipped, "
                         f"{repeats:,} repeats of earlier abstracts with new PMIDs")
            for config in args.configs:
                print(f"{size:,} records, {config} ...", file=sys.stderr)
                results.append(run_one(corpus, size, config, work))
                print(f"  {results[-1].docs_per_second:.1f} docs/s, {results[-1].peak_mb:.0f} MB", file=sys.stderr)
            for file in files:
                file.unlink()

    print(f"machine: {machine()}")
    print(f"abstracts: {len(abstracts):,} distinct real titles+abstracts from {args.shared}/screening/*.csv and "
          "data/evidence_inference abstracts.tar.gz, written as PubMed XML (.xml.gz, up to 30,000 records a file)")
    for note in notes:
        print(f"  {note}")
    print("command: extractor extract <corpus> --db <tmp>.db -q + the config's options (fresh db each)")
    print(f"peak MB: largest sum of RSS over the whole process tree, sampled every {SAMPLE_SECONDS * 1000:.0f} ms")
    print("main CPU s / other CPU s: CPU time of the extractor's main process (reading results, the SQLite writer) "
          "and of all other processes (workers; Dask scheduler, nannies, workers), from /proc")
    print(f"load: 1-minute load average at the end of each run (it was {start_load:.2f} before the first)")
    print()
    print(table(results))
    by = {(r.size, r.config): r for r in results}
    for size in args.sizes:
        one, two = by.get((size, "local1")), by.get((size, "local2"))
        if one and two and one.docs_per_second:
            print(f"{size:,} records: 2 workers / 1 worker = {two.docs_per_second / one.docs_per_second:.2f}x wall "
                  "time", end="")
            if two.main_cpu + two.other_cpu:
                ceiling = idle_seconds(one, 1) / idle_seconds(two, 2)
                print(f"; from CPU time, {ceiling:.2f}x on two idle cores (CPU s: main {one.main_cpu:.0f} + workers "
                      f"{one.other_cpu:.0f} with 1 worker, main {two.main_cpu:.0f} + workers {two.other_cpu:.0f} "
                      "with 2)", end="")
            print()
    print(f"projected PubMed baseline (~{BASELINE_RECORDS / 1e6:.0f}M records, ~{BASELINE_FILES:,} files) on this "
          "machine, from the largest corpus run:")
    for line in projection(results):
        print(line)
    return 0 if all(r.returncode in (0, 1) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
