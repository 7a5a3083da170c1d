"""Benchmark: field extraction speed on one core, against spaCy's bare tokenisation.

    .venv/bin/python scripts/bench_extract.py [--limit 2000] [--shared ../shared]

Reads the evidence-inference abstracts (``data/evidence_inference/annotations/
abstracts.tar.gz``) into memory, then times, on the same texts and in one
process: (1) spaCy blank English tokenisation alone (``nlp.make_doc``), the
floor any spaCy pipeline pays; (2) the whole per-document work of a run:
reading the text into a Document, study units, text layer, every field
extractor and the chooser, once with the rules alone and once with the
trained models too. Prints abstracts/s for each, their ratio, and the peak
resident memory of the process.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=2000, help="Number of abstracts (default 2000).")
    args = parser.parse_args()

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
