"""Sample-size candidates that appear or vanish between two versions of the rules, on public abstracts.

    .venv/bin/python scripts/eval_sample_size_candidates.py --write /tmp/after.json [--limit 2000]
    .venv/bin/python scripts/eval_sample_size_candidates.py --write /tmp/before.json --repo /tmp/old_checkout
    .venv/bin/python scripts/eval_sample_size_candidates.py --compare /tmp/before.json /tmp/after.json

``--write`` runs ``find_sample_sizes`` of the checkout ``--repo`` (default this one) on the evidence-inference
abstracts (``data/evidence_inference/annotations/abstracts.tar.gz``, the first ``--limit``), then on every
EBM-NLP and PICO corpus abstract of the trainer's train and dev splits (``load_abstracts``; the test split
is left alone), and stores each abstract's candidates that have a role as (n, role, unit) with a snippet.
``--compare`` prints the totals, the counts by role of the candidates that appeared and vanished, and each
of them with its snippet, so that a rule change is judged on abstracts nobody here read, not on the one
text that prompted it.

    .venv/bin/python scripts/eval_sample_size_candidates.py --headlines /tmp/after_headlines.json [--repo ...]
    .venv/bin/python scripts/eval_sample_size_candidates.py --compare /tmp/before_headlines.json /tmp/after_headlines.json

``--headlines`` extracts whole (``extract_document``: design, study units, the chooser) the 1,000 PubMedQA
abstracts (``data/pubmedqa_mesh``; observational studies mostly, which the EBM-NLP and PICO corpora lack)
and the screening-set records whose title names a review, and stores each study's design and headline size;
``--compare`` of two such files prints every headline that moved.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _abstracts(shared: Path, limit: int) -> list[tuple[str, str]]:
    sys.path.insert(0, str(REPO / "scripts"))
    from bench_extract import load_abstracts as evidence_inference

    from extractor.training.sample_size import load_abstracts

    texts = [(f"ei/{name}", text) for name, text in evidence_inference(shared, limit)]
    splits = load_abstracts(shared)
    for split in ("train", "dev"):
        texts += [(f"{a.source}/{a.doc_id}", a.text) for a in splits[split] if a.source in ("ebm", "pico")]
    return texts


def write(shared: Path, limit: int, out: Path, repo: Path) -> None:
    texts = _abstracts(shared, limit)  # read with this checkout's loaders, so both runs see the same texts
    for name in [n for n in sys.modules if n == "extractor" or n.startswith("extractor.")]:
        del sys.modules[name]
    sys.path.insert(0, str(repo.resolve()))
    from extractor.extract.sample_size.rules import find_sample_sizes
    from extractor.textlayer import analyse

    found: dict[str, list[list]] = {}
    for key, text in texts:
        rows = []
        for c in find_sample_sizes(analyse(text)):
            if c.role is None:
                continue
            snippet = text[max(0, c.start - 60) : c.end + 40].replace("\n", " ")
            rows.append([c.value["n"], c.role, c.value.get("unit"), snippet])
        found[key] = rows
    out.write_text(json.dumps(found), encoding="utf-8")
    print(f"{len(found)} abstracts, {sum(len(v) for v in found.values())} candidates -> {out}")


def _headline_texts(shared: Path) -> list[tuple[str, str | None, str]]:
    """(key, title, abstract) of the PubMedQA abstracts and the screening-set reviews."""
    import csv
    import re

    from extractor.training.sample_size import REVIEW_TITLE, SCREENING

    texts: list[tuple[str, str | None, str]] = []
    path = shared / "data" / "pubmedqa_mesh" / "pubmedqa_pqal_with_design_mesh.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts.append((f"pubmedqa/{row['pmid']}", None, row.get("abstract_full") or " ".join(row["abstract_context"])))
    csv.field_size_limit(10**8)
    seen: set[str] = set()
    for table in sorted((shared / SCREENING).glob("*.csv")):
        with table.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                title, abstract = (row.get("title") or "").strip(), (row.get("abstract") or "").strip()
                key = re.sub(r"\W+", " ", title.lower()).strip()
                if title and len(abstract) > 100 and REVIEW_TITLE.search(title) and key not in seen:
                    seen.add(key)
                    texts.append((f"review/{key[:80]}", title, abstract))
    return texts


def write_headlines(shared: Path, out: Path, repo: Path) -> None:
    texts = _headline_texts(shared)
    for name in [n for n in sys.modules if n == "extractor" or n.startswith("extractor.")]:
        del sys.modules[name]
    sys.path.insert(0, str(repo.resolve()))
    from extractor.extract.document import extract_document
    from extractor.interchange import interchange_record
    from extractor.readers.base import make_document

    found: dict[str, list[list]] = {}
    for key, title, abstract in texts:
        document = make_document(fmt="text", path=Path("abstract.txt"), title=title, abstract=abstract)
        studies = interchange_record(document, extract_document(document))["studies"]
        found[key] = [[s.get("design"), (s["sample_size"] or {}).get("n"), (s["sample_size"] or {}).get("unit"),
                       abstract[:160]] for s in studies]
    out.write_text(json.dumps(found), encoding="utf-8")
    print(f"{len(found)} abstracts -> {out}")


def compare(before_path: Path, after_path: Path) -> None:
    before = json.loads(before_path.read_text(encoding="utf-8"))
    after = json.loads(after_path.read_text(encoding="utf-8"))
    if any(key.startswith(("pubmedqa/", "review/")) for key in before):
        moved = [key for key in sorted(before.keys() & after.keys())
                 if [row[:3] for row in before[key]] != [row[:3] for row in after[key]]]
        print(f"abstracts {len(before.keys() & after.keys())}; headlines moved {len(moved)}")
        for key in moved:
            print(f"  {key}: {[row[:3] for row in before[key]]} -> {[row[:3] for row in after[key]]}: "
                  f"{after[key][0][3] if after[key] else ''}")
        return
    appeared: list[tuple[str, list]] = []
    vanished: list[tuple[str, list]] = []
    for key in sorted(before.keys() & after.keys()):
        old = Counter(tuple(row[:3]) for row in before[key])
        new = Counter(tuple(row[:3]) for row in after[key])
        for row in after[key]:
            if (new - old)[tuple(row[:3])]:
                appeared.append((key, row))
        for row in before[key]:
            if (old - new)[tuple(row[:3])]:
                vanished.append((key, row))
    print(f"abstracts {len(before.keys() & after.keys())}; candidates before {sum(map(len, before.values()))}, "
          f"after {sum(map(len, after.values()))}; appeared {len(appeared)}, vanished {len(vanished)}")
    for title, rows in (("appeared", appeared), ("vanished", vanished)):
        print(f"{title} by role: {dict(Counter(row[1] for _, row in rows))}")
        for key, (n, role, unit, snippet) in rows:
            print(f"  {title[0]} {key}: {n} {role} {unit}: ...{snippet}...")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=2000, help="evidence-inference abstracts to read")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose rules are run (--write)")
    parser.add_argument("--write", type=Path, help="store the candidates here")
    parser.add_argument("--headlines", type=Path, help="store the headline of every PubMedQA abstract and review here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.compare:
        compare(*args.compare)
    elif args.write:
        write(args.shared, args.limit, args.write, args.repo)
    elif args.headlines:
        write_headlines(args.shared, args.headlines, args.repo)
    else:
        parser.error("give --write FILE, --headlines FILE or --compare BEFORE AFTER")


if __name__ == "__main__":
    main()
