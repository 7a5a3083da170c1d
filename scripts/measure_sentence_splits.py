"""Where the sentence splitter cuts what is one sentence: counts of suspect boundaries, by kind, on public texts.

Every boundary ``extractor.textlayer.analyse`` puts between two sentences A and B is looked at (those at
a heading or a blank line are left out: they are cuts by layout, not by punctuation) and counted under
the first kind it shows:

- ``bracket``: A leaves a bracket open that B closes ("(P =. 007)" cut after "=.").
- ``operator``: A ends with a statistic's ``=``, ``<``, ``>``, ``≤`` or ``≥`` and its mark ("p <.").
- ``ci``: A ends with "CI" or "interval" and its mark, B opens with a number ("95% CI. 1.2").
- ``abbreviation``: A ends with an abbreviation that does not end a sentence, B opens with no capital
  ("vs. 8", "approx. 200", "et al. (2019)", "Fig. 2", "No. 3", "e.g. 5", "cf. [12]").
- ``decimal``: a decimal point with a space after it ("0. 45", "17 . 1"), or B opening with one (".01"
  after a PDF's glyph for "<" read as "!": "p ! .01").
- ``list_item``: A is only an item number ("2.", "(b)", "iii.").
- ``line_statistic``: a cut at a line break with no sentence mark before it, B opening with a statistic
  ("p =", "95% CI", "OR 1.2") or a number.
- ``lowercase``: B starts with a lower-case word (a continuation), none of the above.

Beside the counts: sentences, sentences per text, sentences of more than 100 words, and sentence ends
likely missed (inside one sentence, a period after a word or number and then a word that commonly opens a
sentence: "30 min. The", "improved. We"): a splitter that stops cutting real sentence ends makes these. RCT-ART's texts are one result sentence each, so there
every cut is counted too (a few of its sentences do hold two).

Texts (read in place from ../shared/data): evidence-inference titles and abstracts (``abstracts.tar.gz``)
and the first ``--full-texts`` (300) of its full-text articles (``txt_files.tar.gz``, archive order),
RCT-ART result sentences (``rct_art/gold_corpus``), EBM-NLP test abstracts (``test.json`` tokens joined
as text is written), statcheck's manually extracted results (``raw_result``) and its four test papers
(PDF, read by the project's PDF reader). ``--corpus DIR`` adds the documents of a folder (e.g.
``../shared/corpus/dev``), read by the project's readers.

Usage: ``python scripts/measure_sentence_splits.py [--shared PATH] [--corpus DIR] [--show KIND:N]``
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tarfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.textlayer import analyse  # noqa: E402

KINDS = ("bracket", "operator", "ci", "abbreviation", "decimal", "list_item", "line_statistic", "lowercase")
LONG = 100  # words: a sentence longer than this is counted as over-long

_OPEN, _CLOSE = "([{", ")]}"
_OPERATOR = re.compile(r"[=<>≤≥]\s*[.!?]$")
_CI = re.compile(r"(?:\bCIs?|\binterval)\s*[.!?]$", re.I)
_ABBREVIATION = re.compile(
    r"(?:\b(?:vs|v|approx|et\s+al|fig|figs|no|nos|cf|ca|ref|refs|tab|eq|eqs|resp|p|pp)|\be\.g|\bi\.e|\beg|\bie)\s*\.$",
    re.I,
)
_DECIMAL = re.compile(r"(?:\d\s*\.|\s\.)$")
_ITEM = re.compile(r"^(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\))$", re.I)
_STATISTIC = re.compile(
    r"(?:[pP]\s*[=<>≤≥]|\d{2}\s*%\s*(?:CI|confidence)|(?:CI|OR|RR|HR|MD|SMD|d|g|r|t|F|β)\s*[=(:\d]|[-−–]?\.?\d)"
)
_HEADING_CUT = re.compile(r"\n[ \t]*\n")
_MISSED_END = re.compile(
    r"[a-z0-9%)\]]\.\s+(?:The|We|In|This|These|There|Our|It|Both|All|No|Patients|Participants|Children|Women|"
    r"Mothers|However|After|At|During|Among|Compared|Overall|Results|Mean|Median|Of|For|A|An)\s"
)


def bracket_open_in(text: str) -> int:
    """How many brackets ``text`` leaves open (never below zero)."""
    depth = 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE and depth:
            depth -= 1
    return depth


def closes_one(text: str) -> bool:
    """Whether ``text`` closes a bracket opened before it."""
    depth = 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth < 0:
                return True
    return False


def kind_of(document: str, a: tuple[int, int], b: tuple[int, int], layer_headings: set[int]) -> str | None:
    """The kind of a suspect boundary between sentences ``a`` and ``b`` (offsets), or None."""
    first, second = document[a[0] : a[1]], document[b[0] : b[1]]
    between = document[a[1] : b[0]]
    if a[0] in layer_headings or b[0] in layer_headings or _HEADING_CUT.search(between):
        return None
    if bracket_open_in(first) and closes_one(second):
        return "bracket"
    if _OPERATOR.search(first):
        return "operator"
    if _CI.search(first) and re.match(r"[-−–.\d]", second):
        return "ci"
    if _ABBREVIATION.search(first) and not second[:1].isupper():
        return "abbreviation"
    if ((_DECIMAL.search(first) and second[:1].isdigit() and not _ITEM.match(second.split(" ", 1)[0]))
            or re.match(r"\.\d", second)):
        return "decimal"
    if _ITEM.match(first.strip()):
        return "list_item"
    if ("\n" in between and not re.search(r"[.!?:;][\"'”’)\]]*$", first) and _STATISTIC.match(second)
            and not _ITEM.match(second.split(" ", 1)[0])):
        return "line_statistic"
    if second[:1].islower():
        return "lowercase"
    return None


# ------------------------------------------------------------------ texts


def evidence_inference(shared: Path) -> Iterator[tuple[str, str]]:
    from extractor.training.outcome_scorer import abstract_text

    with tarfile.open(shared / "data" / "evidence_inference" / "annotations" / "abstracts.tar.gz") as tar:
        for member in tar:
            found = re.search(r"PMC(\d+)\.abst$", member.name)
            handle = tar.extractfile(member) if member.isfile() and found else None
            if handle is not None:
                yield found.group(1), abstract_text(handle.read().decode("utf-8", errors="replace"))


def evidence_inference_full(shared: Path, limit: int) -> Iterator[tuple[str, str]]:
    """The first ``limit`` full-text articles of ``txt_files.tar.gz``, in the archive's order."""
    with tarfile.open(shared / "data" / "evidence_inference" / "annotations" / "txt_files.tar.gz") as tar:
        count = 0
        for member in tar:
            found = re.search(r"PMC(\d+)\.txt$", member.name)
            handle = tar.extractfile(member) if member.isfile() and found else None
            if handle is None:
                continue
            yield found.group(1), handle.read().decode("utf-8", errors="replace")
            count += 1
            if count >= limit:
                return


def rct_art(shared: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((shared / "data" / "rct_art" / "gold_corpus").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                yield f"{path.stem}:{number}", json.loads(line)["text"]


def ebm_nlp(shared: Path) -> Iterator[tuple[str, str]]:
    from extractor.training.outcome_spans import detokenised_spaces

    path = shared / "data" / "ebm_nlp" / "bepnye_v1_commit_9a2a49b" / "test.json"
    for pmid, rows in json.loads(path.read_text(encoding="utf-8")).items():
        words = [row[0] for row in rows]
        spaces = detokenised_spaces(words)
        yield pmid, "".join(word + (" " if space else "") for word, space in zip(words, spaces, strict=True))


def statcheck_results(shared: Path) -> Iterator[tuple[str, str]]:
    path = shared / "data" / "statcheck" / "test_materials" / "manually_extracted_stats.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            if row["raw_result"].strip():
                yield f"line {number}", row["raw_result"]


def read_documents(paths: list[Path]) -> Iterator[tuple[str, str]]:
    from extractor.readers import read_path
    from extractor.types import Document

    for path in paths:
        try:
            for item in read_path(path):
                if isinstance(item, Document) and item.text:
                    yield f"{path.name}:{item.doc_id}", item.text
        except Exception as error:  # noqa: BLE001 - a file the readers refuse is reported and skipped
            print(f"skipped {path}: {error}", file=sys.stderr)


def statcheck_papers(shared: Path) -> Iterator[tuple[str, str]]:
    folder = shared / "data" / "statcheck" / "test_materials" / "test_dir"
    yield from read_documents(sorted(folder.glob("*.pdf")))


# ------------------------------------------------------------------ measuring


def measure(texts: Iterator[tuple[str, str]], examples: dict[str, list[str]]) -> dict[str, object]:
    kinds: Counter[str] = Counter()
    sentences = long = documents = cut_single = missed = 0
    for name, text in texts:
        layer = analyse(text)
        documents += 1
        spans = [(s.start, s.end) for s in layer.sentences]
        headings = {s.start for s in layer.sentences if s.heading and text[s.start : s.end].strip().rstrip(":.")
                    .lower() == s.heading.lower().rstrip(":.")}
        sentences += len(spans)
        long += sum(1 for start, end in spans if len(text[start:end].split()) > LONG)
        cut_single += len(spans) > 1
        for start, end in spans:
            for found in _MISSED_END.finditer(text, start, end):
                if _ITEM.match(text[start : found.start() + 2].strip()):
                    continue  # "2. The ...": an item number opening its sentence
                missed += 1
                if len(examples["missed_end"]) < 40:
                    examples["missed_end"].append(f"{name}: {text[max(start, found.start() - 50):found.end() + 20]}"
                                                  .replace("\n", "⏎"))
        for a, b in zip(spans, spans[1:], strict=False):
            kind = kind_of(text, a, b, headings)
            if kind:
                kinds[kind] += 1
                if len(examples[kind]) < 40:
                    window = text[max(a[0], a[1] - 60) : min(b[1], b[0] + 40)].replace("\n", "⏎")
                    cut = a[1] - max(a[0], a[1] - 60)
                    examples[kind].append(f"{name}: {window[:cut]} ‖ {window[cut:].lstrip()}")
    return {"texts": documents, "sentences": sentences, "long": long, "kinds": kinds, "cut": cut_single,
            "missed": missed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--corpus", type=Path, help="also measure the documents of this folder")
    parser.add_argument("--full-texts", type=int, default=300,
                        help="evidence-inference full-text articles read (0: none)")
    parser.add_argument("--show", action="append", default=[], metavar="KIND:N",
                        help="print N examples of a kind (e.g. bracket:5, missed_end:5; 'all:3' for every kind)")
    args = parser.parse_args(argv)
    if not (args.shared / "data").is_dir():
        print(f"no data under {args.shared}: give --shared", file=sys.stderr)
        return 2
    sources = [
        ("evidence-inference abstracts", evidence_inference(args.shared)),
        ("RCT-ART result sentences", rct_art(args.shared)),
        ("EBM-NLP test abstracts", ebm_nlp(args.shared)),
        ("statcheck raw results", statcheck_results(args.shared)),
        ("statcheck test papers (PDF)", statcheck_papers(args.shared)),
    ]
    if args.full_texts:
        sources.insert(1, ("evidence-inference full texts", evidence_inference_full(args.shared, args.full_texts)))
    if args.corpus:
        sources.append((f"documents in {args.corpus}", read_documents(sorted(p for p in args.corpus.rglob("*")
                                                                              if p.is_file()))))
    show: dict[str, int] = {}
    for item in args.show:
        kind, _, number = item.partition(":")
        for name in (*KINDS, "missed_end") if kind == "all" else (kind,):
            show[name] = int(number or 5)
    print(f"{'texts':<32}{'n':>6}{'sents':>8}{'/text':>7}{'>100w':>7}{'missed':>7}{'suspect':>9}  by kind")
    for label, texts in sources:
        examples: dict[str, list[str]] = defaultdict(list)
        result = measure(texts, examples)
        kinds = result["kinds"]
        per_text = result["sentences"] / max(1, result["texts"])
        print(f"{label:<32}{result['texts']:>6}{result['sentences']:>8}{per_text:>7.2f}{result['long']:>7}{result['missed']:>7}"
              f"{sum(kinds.values()):>9}  " + " ".join(f"{k}={kinds[k]}" for k in KINDS if kinds[k]))
        if label.startswith("RCT-ART"):
            print(f"{'':<32}sentences cut in two or more: {result['cut']}")
        for kind, number in show.items():
            for line in examples.get(kind, [])[:number]:
                print(f"    [{kind}] {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
