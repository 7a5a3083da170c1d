"""Rebuild the sentence-role model into models/sentence_roles/ and write its model card.

Trains on the train split of the evidence-inference structured abstracts, chooses the
regularisation on dev, and reports dev and test figures of the stored model, its size on disk
and its prediction speed.

    .venv/bin/python scripts/train_sentence_roles.py [--shared ../shared] [--out models/sentence_roles] [--seed 0]
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.models import sentence_roles  # noqa: E402
from extractor.models.cards import (  # noqa: E402
    METRICS_FILE,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)
from extractor.models.linear import MODEL_FILE, WEIGHTS_FILE, LinearModel  # noqa: E402

COMMAND = ".venv/bin/python scripts/train_sentence_roles.py"


def prediction_speed(out: Path, shared: Path, rounds: int = 3) -> dict[str, float]:
    """Sentences per second of ``predict_roles`` on the test abstracts, one call per abstract (best of rounds)."""
    examples, _ = sentence_roles.load_examples(shared)
    abstracts: dict[str, list[str]] = defaultdict(list)
    for example in examples["test"]:
        abstracts[example.article].append(example.sentence)
    model = LinearModel.load(out)
    started = time.perf_counter()
    LinearModel.load(out)
    load_seconds = time.perf_counter() - started
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for sentences in abstracts.values():
            sentence_roles.predict_roles(sentences, model=model)
        best = min(best, time.perf_counter() - started)
    count = sum(len(sentences) for sentences in abstracts.values())
    return {
        "sentences": count,
        "abstracts": len(abstracts),
        "sentences_per_second": count / best,
        "abstracts_per_second": len(abstracts) / best,
        "load_seconds": load_seconds,
    }


def _figure(value: float) -> str:
    return f"{value:.3f}"


def _figures_table(metrics: dict[str, Any]) -> list[str]:
    lines = ["| role | precision | recall | F1 | sentences |", "|---|---|---|---|---|"]
    for role in metrics["labels"]:
        row = metrics["per_class"][role]
        lines.append(
            f"| {role} | {_figure(row['precision'])} | {_figure(row['recall'])} | {_figure(row['f1'])} | {row['support']} |"
        )
    lines.append(f"| **accuracy** | | | {_figure(metrics['accuracy'])} | {metrics['n']} |")
    lines.append(f"| **macro-F1** | | | {_figure(metrics['macro_f1'])} | |")
    return lines


def _confusion_table(metrics: dict[str, Any]) -> list[str]:
    labels = metrics["labels"]
    lines = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, metrics["confusion"], strict=True):
        lines.append(f"| {label} | " + " | ".join(str(value) for value in row) + " |")
    return lines


def model_card(metrics: dict[str, Any], speed: dict[str, float], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    data = metrics["data"]
    counts = metrics["sentences"]
    roles = sentence_roles.ROLES
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    lines = [
        "# Sentence roles",
        "",
        "Role of each sentence of an abstract that has no headings: background, objective, methods, "
        "results or conclusions (`extractor/models/sentence_roles.py`, `predict_roles`).",
        "",
        f"- **Version** {metrics['version']}, trained {date.today().isoformat()} in {metrics['seconds']:.0f} s "
        f"(seed {seed}, Python {platform.python_version()}, scikit-learn {package_version('sklearn')}, "
        f"numpy {package_version('numpy')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** `{MODEL_FILE}` (settings, vocabularies, class labels), `{WEIGHTS_FILE}` (idf, "
        f"coefficients, intercepts; float32, no pickle), `{METRICS_FILE}` (every figure below); "
        f"{size_bytes / 1e6:.1f} MB in all. Loaded and run with numpy alone (`extractor.models.linear`).",
        "",
        "## Training data",
        "",
        "The structured abstracts of evidence-inference "
        "(`../shared/data/evidence_inference/annotations/abstracts.tar.gz`, PubMed Central RCT reports). "
        "Each `ABSTRACT.<HEADING>.` part gives its sentences the role of its heading (variants mapped: "
        "INTRODUCTION and CONTEXT to background, AIM and PURPOSE to objective, MATERIALS AND METHODS, "
        "DESIGN, SETTING, PARTICIPANTS, INTERVENTIONS, OUTCOME MEASURES to methods, FINDINGS to results, "
        "INTERPRETATION and DISCUSSION to conclusions; see `heading_role`). Parts whose heading has none of "
        "the five roles or mixes two (TRIAL REGISTRATION, FUNDING, METHODS AND RESULTS, BACKGROUND AND AIMS, "
        "an unheaded abstract) give no examples but stay in the abstract as neighbours and for positions. "
        "BODY parts are ignored. Headings are removed: each part's text is split into sentences by "
        "`extractor.textlayer.split_sentences`.",
        "",
        f"{data['abstracts']} abstracts, {data['abstracts_with_labelled_parts']} with at least one part "
        "with a role. Split **by article** with the dataset's own split files "
        "(`annotations/splits/{train,validation,test}_article_ids.txt`); the "
        f"{data['articles_split_by_hash']} articles they do not list are split 80/10/10 by the MD5 of the "
        "PMC id. The model is fitted on train, the regularisation chosen on dev, the figures reported on test.",
        "",
        "| split | articles | " + " | ".join(roles) + " | sentences |",
        "|---" * (len(roles) + 3) + "|",
    ]
    for split in sentence_roles.SPLITS:
        row = counts[split]
        lines.append(
            f"| {split} | {data['articles'][split]} | "
            + " | ".join(str(row.get(role, 0)) for role in roles)
            + f" | {sum(row.values())} |"
        )
    lines += [
        "",
        "## Model",
        "",
        "Multinomial logistic regression (scikit-learn, lbfgs, L2) over: TF-IDF of the sentence's words "
        f"and word pairs ({metrics['features']['sentence']} terms), TF-IDF of the words of the sentence before "
        f"({metrics['features']['previous']}) and after ({metrics['features']['next']}), all sublinear, "
        "seen twice or more in train, digits folded to `0`, `= < > % ±` kept as tokens; and "
        f"{metrics['features']['dense']} position features (relative position, five position buckets, first, "
        "second, last, second to last).",
        "",
        "Regularisation C chosen on dev by macro-F1:",
        "",
        "| C | dev accuracy | dev macro-F1 |",
        "|---|---|---|",
    ]
    for row in metrics["tuning"]:
        chosen = " (chosen)" if row["C"] == metrics["C"] else ""
        lines.append(f"| {row['C']:g}{chosen} | {_figure(row['accuracy'])} | {_figure(row['macro_f1'])} |")
    lines += ["", "## Test figures (held out)", "", *_figures_table(metrics["test"]), "", "Confusion matrix (test):", ""]
    lines += _confusion_table(metrics["test"])
    lines += ["", "## Dev figures", "", *_figures_table(metrics["dev"]), "", "Confusion matrix (dev):", ""]
    lines += _confusion_table(metrics["dev"])
    lines += [
        "",
        "## Speed",
        "",
        f"{speed['sentences_per_second']:,.0f} sentences/s ({speed['abstracts_per_second']:,.0f} abstracts/s), "
        f"`predict_roles` called once per test abstract ({speed['abstracts']} abstracts, {speed['sentences']} "
        f"sentences), one core, best of 3 on {platform.machine()} ({os.cpu_count()} cores); loading takes "
        f"{speed['load_seconds']:.2f} s.",
        "",
        "## Use and limits",
        "",
        "- `predict_roles(sentences, positions=None)` takes consecutive sentences of one abstract (their "
        "neighbours in the list are context) and optional `(index, count)` positions; it returns "
        "`(role, probability)` per sentence.",
        "- The labels come from the headings, so they carry the authors' habits: the aim sentence that ends "
        "a BACKGROUND part is labelled background, the same sentence under OBJECTIVE is objective. Most "
        "errors are between these two; methods/results and results/conclusions confusions come next.",
        "- Trained on reports of randomised trials (PubMed Central); other designs and fields are less "
        "certain. Registration, funding and other parts have no role of their own: their sentences get "
        "whichever of the five fits them best.",
    ]
    return "\n".join(lines) + "\n"




def main() -> int:
    args = trainer_arguments(__doc__, sentence_roles.DEFAULT_PATH)
    try:
        metrics = sentence_roles.train(args.shared, args.out, seed=args.seed)
    except sentence_roles.NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    speed = prediction_speed(args.out, args.shared)
    metrics["speed"] = speed
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, speed, size, args.seed))
    print(
        f"test accuracy {metrics['test']['accuracy']:.3f}, macro-F1 {metrics['test']['macro_f1']:.3f}; "
        f"dev accuracy {metrics['dev']['accuracy']:.3f}, macro-F1 {metrics['dev']['macro_f1']:.3f}; C={metrics['C']:g}; "
        f"{size / 1e6:.1f} MB; {speed['sentences_per_second']:,.0f} sentences/s; "
        f"{metrics['seconds']:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
