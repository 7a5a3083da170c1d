"""How the outcomes extraction reports do on public held-out texts, as names (what a user reads).

    .venv/bin/python scripts/eval_outcomes_public.py [--shared ../shared] [--ei-limit N] [--rules-only] [--split dev]

Each text is extracted as a user's copy (``parse_plain_text``, models on unless ``--rules-only``), and the
outcome values chosen for its study units are compared with the text's annotation by name, as
``../shared/eval/FORMAT.md`` matches outcome names (``names_match``; an item of a listed annotation counts):

* **EBM-NLP expert test gold** (``data/ebm_nlp/scibert_ebmnlp/test.txt``, 191 abstracts): outcome spans are
  marked exhaustively, so precision (a reported name matches some outcome span of its abstract) and recall (a
  distinct gold outcome name is matched by some reported name) are both meaningful.
* **evidence-inference test articles** (the corpus's own test split): the prompts name the outcomes the
  annotators picked, not every outcome, so recall of the prompts' distinct outcomes is the figure; the share
  of reported names matching a prompt outcome is printed as a lower bound on precision.

With ``--split dev``, the public dev texts instead: EBM-NLP's crowd-labelled documents and the Weng lab consensus
abstracts that the outcome-span tagger held out (both exhaustive). Changes are checked there; the test figures
are taken before and after. The outcome scorer does not train on these dev documents (it trains on the
PICO corpus documents the tagger held out), so its thresholds can be tuned here.

Nothing here is fitted; the outcome rules were not read against these texts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.evaluation import outcome_names_score as score  # noqa: E402
from extractor.evaluation import reliability_lines  # noqa: E402
from extractor.training.outcome_scorer import (  # noqa: E402
    EBM_TEST,
    conll_texts,
    ebm_dev_texts,
    ei_texts,
    weng_texts,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--ei-limit", type=int, default=400, help="evidence-inference test articles read (0: all)")
    parser.add_argument("--rules-only", action="store_true", help="extract without the trained models")
    parser.add_argument("--split", choices=("test", "dev"), default="test",
                        help="dev: the public dev texts changes are checked against (EBM-NLP crowd-labelled and Weng "
                             "lab consensus documents the outcome-span tagger held out); test: the held-out figures")
    parser.add_argument("--dump", type=Path, help="write each text's reported and annotated names here (JSONL)")
    args = parser.parse_args(argv)
    data = args.shared
    if not (data / EBM_TEST).exists():
        print(f"{data / EBM_TEST} not found: pass the folder that holds data/ (--shared)", file=sys.stderr)
        return 2
    use_models = not args.rules_only
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    if args.split == "dev":
        return dev_figures(data, use_models, dump)
    ebm = list(conll_texts(data / EBM_TEST, "test"))
    figures = score(ebm, use_models, dump)
    print(f"EBM-NLP test ({figures['texts']} abstracts, exhaustive): outcome names P {figures['precision']:.3f} "
          f"R {figures['recall']:.3f} F1 {figures['f1']:.3f} (predicted {figures['predicted']}, "
          f"gold {figures['gold']})")
    print("\n".join(reliability_lines("  stored confidence of the reported names (right: matches an outcome span)",
                                       figures["reliability"])))
    ei = sorted((t for t in ei_texts(args.shared) if t.split == "test"), key=lambda t: t.doc_id)
    if args.ei_limit:
        ei = ei[: args.ei_limit]
    figures = score(ei, use_models, dump)
    print(f"evidence-inference test ({figures['texts']} articles, prompts not exhaustive): recall of prompt "
          f"outcomes {figures['recall']:.3f} (gold {figures['gold']}); reported names matching a prompt "
          f"{figures['precision']:.3f} (predicted {figures['predicted']}, a lower bound on precision)")
    if dump is not None:
        dump.close()
    return 0


def dev_figures(data: Path, use_models: bool, dump: Any) -> int:
    """The public dev texts: EBM-NLP's crowd-labelled documents and the Weng lab consensus abstracts that the
    outcome-span tagger held out (its dev documents), both marked exhaustively. Changes are checked here; the
    test figures are taken at the end."""
    ebm = ebm_dev_texts(data)
    weng = list(weng_texts(data))
    for title, texts in (("EBM-NLP dev (crowd-labelled)", ebm), ("Weng lab consensus dev", weng)):
        figures = score(texts, use_models, dump)
        print(f"{title} ({figures['texts']} abstracts, exhaustive): outcome names P {figures['precision']:.3f} "
              f"R {figures['recall']:.3f} F1 {figures['f1']:.3f} (predicted {figures['predicted']}, "
              f"gold {figures['gold']})")
    if dump is not None:
        dump.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
