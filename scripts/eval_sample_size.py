"""Benchmark the sample-size extractor on annotated abstracts and on the seed and dev corpus.

    .venv/bin/python scripts/eval_sample_size.py pico      # PICO corpus: abstracts with one total-participants span
    .venv/bin/python scripts/eval_sample_size.py ebm       # EBM-NLP hierarchical "3_p Sample size" test gold
    .venv/bin/python scripts/eval_sample_size.py ebm-dev   # the same labels on 184 dev abstracts (held out)
    .venv/bin/python scripts/eval_sample_size.py corpus --out tmp.jsonl   # records for ../shared/eval/score.py
    .venv/bin/python scripts/eval_sample_size.py speed     # find_sample_sizes throughput

The datasets are read in place from ../shared/data (or $EXTRACTOR_SHARED/data).
The corpus mode passes the gold design to ``choose_sample_size``: in the tool
the design comes from the design extractor.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.extract.common.number_words import COUNT, parse_count  # noqa: E402
from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes, sample_size_details  # noqa: E402
from extractor.textlayer import analyse  # noqa: E402

SHARED = Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared")).resolve()
PICO = SHARED / "data" / "pico_corpus_sociocom" / "pico_corpus_brat_annotated_files"
EBM_TOKENS = SHARED / "data" / "ebm_nlp" / "bepnye_v1_commit_9a2a49b" / "test.json"
EBM_HIER = SHARED / "data" / "ebm_nlp" / "bsaluja_hier_participants_v2" / "p2_p_gold.periods_removed.txt"
EBM_DEV_TOKENS = SHARED / "data" / "ebm_nlp" / "scibert_ebmnlp" / "dev.txt"
EBM_DEV_HIER = SHARED / "data" / "ebm_nlp" / "bsaluja_hier_participants_v2" / "p2_p_dev.periods_removed.txt"
_FIRST_COUNT = re.compile(rf"(?<![\w.]){COUNT}")


def headline(text: str, design: str | None = "rct") -> int | None:
    """The chosen n for one abstract."""
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else chosen.value["n"]


def first_count(span: str) -> int | None:
    match = _FIRST_COUNT.search(span)
    return parse_count(match.group()) if match else None


# -- PICO corpus ----------------------------------------------------------------------------------


def pico_items() -> Iterator[tuple[str, str, list[str]]]:
    """(PMID, abstract text, total-participants span texts) for every abstract."""
    for ann in sorted(PICO.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0].startswith("T") and parts[1].split()[0] == "total-participants":
                offsets = parts[1].split()[1:]
                spans.append(text[int(offsets[0]) : int(offsets[-1].split(";")[-1])])
        yield ann.stem, text, spans


def run_pico(misses: int) -> dict:
    one = matched = predicted_none = 0
    none_docs = none_predicted = 0
    missed: list[str] = []
    for pmid, text, spans in pico_items():
        if not spans:
            none_docs += 1
            none_predicted += headline(text) is None
            continue
        if len(spans) != 1:
            continue
        gold = first_count(spans[0])
        if gold is None:
            continue
        one += 1
        got = headline(text)
        predicted_none += got is None
        if got == gold:
            matched += 1
        else:
            missed.append(f"{pmid}: gold {gold} ({spans[0]!r}) got {got}")
    _report("PICO corpus, abstracts with one total-participants span", matched, one, missed, misses)
    print(f"  no prediction: {predicted_none}/{one}; abstracts with no span: {none_docs} "
          f"(no prediction on {none_predicted})")
    return {"pico_one_span": one, "pico_matched": matched}


# -- EBM-NLP -----------------------------------------------------------------------------------------


def ebm_items(split: str = "test") -> Iterator[tuple[str, str, list[str]]]:
    """(PMID, abstract text rebuilt from tokens, "3_p" span texts) of the hierarchical test gold, or of the
    dev documents whose tokens (with full stops) the SciBERT copy of EBM-NLP holds."""
    if split == "test":
        tokens = {pmid: [row[0] for row in rows] for pmid, rows in json.loads(EBM_TOKENS.read_text(encoding="utf-8")).items()}
    else:
        tokens = _conll_tokens(EBM_DEV_TOKENS)
    labelled: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in (EBM_HIER if split == "test" else EBM_DEV_HIER).read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            current = line.split()[-1]
            labelled[current] = []
        elif line.strip() and current is not None:
            parts = line.split()
            labelled[current].append((parts[0], parts[-1]))
    for pmid, rows in labelled.items():
        if pmid not in tokens:
            continue
        words = tokens[pmid]
        spans, run = [], []
        for word, label in rows:
            if label == "3_p":
                run.append(word)
            elif run:
                spans.append(" ".join(run))
                run = []
        if run:
            spans.append(" ".join(run))
        yield pmid, detokenise(words), spans


def _conll_tokens(path: Path) -> dict[str, list[str]]:
    """PMID -> tokens of a CoNLL file whose documents start with ``-DOCSTART- (PMID)``."""
    tokens: dict[str, list[str]] = {}
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            current = tokens.setdefault(line.split()[-1].strip("()"), [])
        elif line.strip():
            current.append(line.split()[0])
    return tokens


def detokenise(words: list[str]) -> str:
    text = " ".join(words)
    text = re.sub(r" ([.,;:)\]%])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return re.sub(r"\s+", " ", text)


def run_ebm(misses: int, split: str = "test") -> dict:
    with_span = first_matched = any_matched = 0
    none_docs = none_predicted = 0
    missed: list[str] = []
    for pmid, text, spans in ebm_items(split):
        got = headline(text)
        if not spans:
            none_docs += 1
            none_predicted += got is None
            continue
        values = [v for v in (first_count(s) for s in spans) if v is not None]
        if not values:
            continue
        with_span += 1
        first_matched += got == values[0]
        any_matched += got in values or (got is not None and got == sum(values))
        if got not in values:
            missed.append(f"{pmid}: gold {spans} got {got}")
    title = "test gold" if split == "test" else "dev documents"
    _report(f"EBM-NLP {title} (3_p Sample size), chosen n = first span", first_matched, with_span, missed, misses)
    print(f"  chosen n = any span (or their sum): {any_matched}/{with_span} = {any_matched / max(with_span, 1):.3f}")
    print(f"  abstracts with no span: {none_docs} (no prediction on {none_predicted})")
    return {"ebm_with_span": with_span, "ebm_first": first_matched, "ebm_any": any_matched}


def _report(title: str, matched: int, total: int, missed: list[str], misses: int) -> None:
    print(f"{title}: {matched}/{total} = {matched / max(total, 1):.3f}")
    random.Random(0).shuffle(missed)
    for line in missed[:misses]:
        print("  miss", line)


# -- seed and dev corpus ---------------------------------------------------------------------------


def run_corpus(out: Path, show: bool) -> None:
    from extractor.readers import tagged
    from extractor.readers.base import Limits
    from extractor.readers.text import parse_plain_text

    gold = {}
    for path in sorted((SHARED / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                gold[record["doc_id"]] = record
    records = []
    for path in sorted((SHARED / "corpus").glob("*/*.txt")):
        doc_id = path.stem
        studies = (gold.get(doc_id) or {}).get("studies") or [{}]
        if len(studies) > 1:
            continue  # multi-study documents are split by another module
        if doc_id.startswith("003_"):
            document = next(iter(tagged.read(path, Limits())))
        else:
            document = parse_plain_text(path.read_text(encoding="utf-8"), path)
        layer = analyse(document.text, document.sections)
        candidates = find_sample_sizes(layer)
        chosen = choose_sample_size(candidates, studies[0].get("design"))
        size = None if chosen is None else chosen.value
        records.append({"doc_id": doc_id, "studies": [{"sample_size": size}]})
        if show:
            print(f"{doc_id}: chose {size} gold {studies[0].get('sample_size')}")
            for c in candidates:
                print(f"    {c.role:16} {c.value} {c.confidence:.2f} {layer.text[c.start:c.end]!r}")
            print("    details", json.dumps(sample_size_details(candidates), default=str)[:400])
    out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    print(f"wrote {len(records)} records to {out}")
    scorer = SHARED / "eval" / "score.py"
    if scorer.exists():
        # all gold studies (multi-study documents count as misses until they are split), then one-study documents
        scratch = Path(tempfile.mkdtemp(prefix="eval_sample_size_"))
        single = scratch / "gold_single.jsonl"
        single.write_text("".join(json.dumps(g) + "\n" for g in gold.values() if len(g.get("studies") or []) <= 1),
                          encoding="utf-8")
        everything = scratch / "gold_all.jsonl"
        everything.write_text("".join(json.dumps(g) + "\n" for g in gold.values()), encoding="utf-8")
        for label, gold_file in (("all gold studies", everything), ("one-study documents", single)):
            result = subprocess.run([sys.executable, str(scorer), str(gold_file), str(out), "--json"],
                                    capture_output=True, text=True, check=True)
            figures = json.loads(result.stdout)
            size, unit = figures["sample_size"], figures["sample_size_unit"]
            print(f"score.py, {label}: sample_size accuracy {size.get('accuracy')} (n={size.get('n')}), "
                  f"unit accuracy {unit.get('accuracy')} (n={unit.get('n')})")


def run_speed(rounds: int = 3) -> None:
    """Throughput of find_sample_sizes alone (text layers built beforehand), best of a few rounds.

    CPU time is reported beside wall time: on a shared machine the wall clock also counts other processes.
    """
    layers = [analyse(text) for _, text, _ in pico_items()]
    find_sample_sizes(layers[0])  # load the lexicon
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for layer in layers:
            find_sample_sizes(layer)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print(f"find_sample_sizes: {len(layers)} abstracts in {best_wall:.2f}s wall ({len(layers) / best_wall:.0f}/s), "
          f"{best_cpu:.2f}s CPU ({len(layers) / best_cpu:.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["pico", "ebm", "ebm-dev", "corpus", "speed", "all"], nargs="?", default="all")
    parser.add_argument("--misses", type=int, default=15, help="how many misses to print")
    parser.add_argument("--out", type=Path, default=Path("tmp.jsonl"), help="corpus mode: where to write records")
    parser.add_argument("--show", action="store_true", help="corpus mode: print every candidate")
    args = parser.parse_args()
    if args.what in ("pico", "all"):
        run_pico(args.misses)
    if args.what in ("ebm", "all"):
        run_ebm(args.misses)
    if args.what in ("ebm-dev", "all"):
        run_ebm(args.misses, "dev")
    if args.what in ("corpus", "all"):
        run_corpus(args.out, args.show)
    if args.what in ("speed", "all"):
        run_speed()


if __name__ == "__main__":
    main()
