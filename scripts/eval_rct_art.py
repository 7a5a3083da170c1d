"""How the effect extractor and its outcome link do on RCT-ART's result sentences (../shared/data/rct_art).

RCT-ART marks, in result sentences of RCT abstracts, each numeric result (``MEAS``), each outcome
(``OC``) and which outcome a result measures (``OC_RES``). Most ``MEAS`` spans are one arm's result
(``69 percent``, ``1.4 + or - 0.1``, ``n = 47``), which FORMAT.md says are not effects; the rest name a
comparison (a ratio, a difference, a number needed to treat). So three figures:

1. Measure recall: of the ``MEAS`` spans that are comparative estimates (the span or the few words
   before it name a comparative measure), the share an extracted effect overlaps. RCT-ART marks almost
   none (its ``MEAS`` are arm results; ``hazard ratio , 0.39`` is left unmarked), so beside it: of the
   comparative estimates printed in the sentences (a measure's name followed within a few words by a
   number, found by a pattern here), the share an extracted effect covers.
2. Arm results left alone: of the other ``MEAS`` spans, the share no extracted effect overlaps.
3. Link accuracy: for each ``MEAS`` span with exactly one ``OC_RES`` outcome, the link rules are run at
   the span as if it were an estimate (the words before it and its clause); a link counts as right when
   its phrase matches the outcome's text as ``score.py`` matches outcome names, and the share of spans
   left unlinked (null) is reported beside it.

Split: no split ships with the gold corpus, so sentences are split by a hash of their text: one in
three is the test split (``--split test``, the default), the rest train (``--split train``), ``all``
both. Nothing here is fitted; the train split is what rules were read against.

Usage: ``python scripts/eval_rct_art.py [--shared PATH] [--split test|train|all] [--show N] [--show-null N]``
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.extract.effects.links import outcome_at  # noqa: E402
from extractor.extract.effects.rules import find_effects  # noqa: E402
from extractor.textlayer import analyse  # noqa: E402

REPORTED = 0.5  # data/combine.json: effect_min_confidence
_NAMES = (
    r"(?:(?i:hazard|odds|risk|rate)\s+ratios?|(?i:relative\s+risk|risk\s+reduction|mean\s+difference|"
    r"number\s+needed\s+to\s+treat)|\b(?:HR|OR|RR|ARR|RRR|NNT|MD|WMD|SMD)\b)"
)
_COMPARATIVE = re.compile(_NAMES)
# A comparative estimate as printed: a measure's name and, within a few words, a number ("hazard ratio , 0.39").
_PRINTED = re.compile(rf"{_NAMES}[^.;()\d]{{0,25}}?(?:[=:,]\s*|\s)(?P<value>-?\d+(?:\.\d+)?)")


def split_of(text: str) -> str:
    """``test`` for one sentence in three (by a hash of its text), else ``train``."""
    return "test" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "train"


def load_matcher(shared: Path):
    """score.py's outcome-name matcher (standard library only), read in place."""
    spec = importlib.util.spec_from_file_location("score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.outcome_match


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--split", choices=("test", "train", "all"), default="test")
    parser.add_argument("--show", type=int, default=0, help="print this many wrong links")
    parser.add_argument(
        "--show-null", type=int, default=0, help="print this many spans left unlinked, with their sentence"
    )
    args = parser.parse_args()
    folder = args.shared / "data" / "rct_art" / "gold_corpus"
    if not folder.is_dir():
        sys.exit(f"{folder} is missing: give --shared, the folder holding data/rct_art")
    outcome_match = load_matcher(args.shared)
    sentences = comparative = found = arm = arm_left = linked = right = unlinked = printed = printed_found = 0
    wrong: list[str] = []
    nulls: list[str] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            text = record["text"]
            if args.split != "all" and split_of(text) != args.split:
                continue
            sentences += 1
            for match in _PRINTED.finditer(text):
                printed += 1
                printed_found += any(
                    (v.start or 0) <= match.start("value") < (v.end or 0)
                    for v in find_effects(analyse(text))
                    if v.confidence >= REPORTED
                )
            effects = [v for v in find_effects(analyse(text)) if v.confidence >= REPORTED]
            outcomes: dict[tuple[int, int], list[str]] = {}
            for relation in record.get("relations", []):
                if relation["label"] == "OC_RES":
                    head, child = relation["head_span"], relation["child_span"]
                    outcomes.setdefault((child["start"], child["end"]), []).append(
                        text[head["start"] : head["end"]]
                    )
            for span in record["spans"]:
                if span["label"] != "MEAS":
                    continue
                start, end = span["start"], span["end"]
                overlapped = any((v.start or 0) < end and start < (v.end or 0) for v in effects)
                if _COMPARATIVE.search(text[max(0, start - 30) : end]):
                    comparative += 1
                    found += overlapped
                else:
                    arm += 1
                    arm_left += not overlapped
                named = outcomes.get((start, end), [])
                if len(set(named)) != 1:
                    continue
                linked += 1
                predicted = outcome_at(text, start, end)
                if predicted is None:
                    unlinked += 1
                    if len(nulls) < args.show_null:
                        nulls.append(f"  {text[start:end]!r}: gold {named[0]!r} in {text!r}")
                elif outcome_match(named[0], predicted):
                    right += 1
                elif len(wrong) < args.show:
                    wrong.append(f"  {text[start:end]!r}: gold {named[0]!r}, linked {predicted!r}")
    share = lambda a, b: f"{a}/{b} = {a / b:.1%}" if b else f"{a}/0"  # noqa: E731
    print(f"RCT-ART result sentences ({args.split} split): {sentences}")
    print(
        f"Measure recall (comparative MEAS spans an extracted effect overlaps): {share(found, comparative)}"
    )
    print(
        f"Printed estimates found (a comparative measure's name and its number in the text): "
        f"{share(printed_found, printed)}"
    )
    print(f"Arm results left alone (other MEAS spans no effect overlaps): {share(arm_left, arm)}")
    print(f"Link accuracy (MEAS spans with one OC_RES outcome, linked to it): {share(right, linked)}")
    print(
        f"  of which left unlinked (null): {share(unlinked, linked)}; "
        f"accuracy among those linked: {share(right, linked - unlinked)}"
    )
    if wrong:
        print("Wrong links:")
        print("\n".join(wrong))
    if nulls:
        print("Left unlinked:")
        print("\n".join(nulls))


if __name__ == "__main__":
    main()
