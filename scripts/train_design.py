"""Rebuild the design model into models/design/ and write its model card and metrics.json.

Weak labels from the design corpus, the titles of the screening sets and MEDLINE exports in
../shared/formats (deciding phrase masked); fitted on train, C and class weighting chosen on dev,
probabilities calibrated on dev by one temperature; figures on test and the RCT-vs-rest AUROC on
the held-out robotreviewer MEDLINE records.

    .venv/bin/python scripts/train_design.py [--shared ../shared] [--out models/design] [--seed 0]
"""

from __future__ import annotations

import platform
import sys
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.models import design  # noqa: E402
from extractor.models.annotated import annotated_studies  # noqa: E402
from extractor.models.cards import (  # noqa: E402
    METRICS_FILE,
    annotation_line,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)
from extractor.models.linear import MODEL_FILE, WEIGHTS_FILE  # noqa: E402

COMMAND = ".venv/bin/python scripts/train_design.py"


def _figure(value: float) -> str:
    return f"{value:.3f}"


def _figures_table(metrics: dict[str, Any]) -> list[str]:
    lines = ["| design | precision | recall | F1 | records |", "|---|---|---|---|---|"]
    for label in metrics["labels"]:
        row = metrics["per_class"][label]
        lines.append(f"| {label} | {_figure(row['precision'])} | {_figure(row['recall'])} | {_figure(row['f1'])} "
                     f"| {row['support']} |")  # fmt: skip
    lines.append(f"| **accuracy** | | | {_figure(metrics['accuracy'])} | {metrics['n']} |")
    lines.append(f"| **macro-F1** | | | {_figure(metrics['macro_f1'])} | |")
    calibration = metrics["calibration"]
    lines += ["", f"Calibration: expected calibration error {_figure(calibration['ece'])}, Brier "
              f"{_figure(calibration['brier'])}, log loss {_figure(calibration['log_loss'])}. Accuracy by source: "
              + ", ".join(f"{source} {_figure(row['accuracy'])} ({row['n']})"
                          for source, row in metrics["by_source"].items()) + "."]  # fmt: skip
    return lines


def _counts_table(rows: dict[str, dict[str, int]], first: str) -> list[str]:
    labels = [label for label in design.LABELS if any(label in row for row in rows.values())]
    lines = [f"| {first} | " + " | ".join(labels) + " | all |", "|---" * (len(labels) + 2) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(row.get(label, 0)) for label in labels)
                     + f" | {sum(row.values())} |")  # fmt: skip
    return lines


def _annotation_line(metrics: dict[str, Any]) -> str:
    used = (metrics.get("data") or {}).get("labels_by_source", {}).get("annotations", {})
    return annotation_line(metrics, sum(used.values()), "studies used as examples")


def model_card(metrics: dict[str, Any], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    data = metrics["data"]
    medline = metrics["medline"]
    rules = medline["rules"]
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    lines = [
        "# Study design",
        "",
        "Design label of a study (the 14 labels of `../shared/eval/FORMAT.md`, those with training records) from "
        "its title and abstract, with calibrated probabilities (`extractor/models/design.py`, `predict_design`). "
        "Extraction consults it when the rules' design has confidence below `design_rule_trusted` and keeps its label when the probability reaches `design_model_min_probability` (`extractor/data/combine.json`: 0.6 and 0.8); its value's source is `model:design@<version>`.",
        "",
        f"- **Version** {metrics['version']}, trained {date.today().isoformat()} in {metrics['seconds']:.0f} s "
        f"(seed {seed}, Python {platform.python_version()}, scikit-learn {package_version('sklearn')}, "
        f"numpy {package_version('numpy')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** `{MODEL_FILE}` (settings, vocabulary, classes, C, temperature), `{WEIGHTS_FILE}` (idf, "
        f"coefficients, intercepts; float32, no pickle), `{METRICS_FILE}` (every figure below); "
        f"{size_bytes / 1e6:.1f} MB in all. Loaded and run with numpy alone (`extractor.models.linear`).",
        "",
        "## Training data (weak labels)",
        "",
        "- `../shared/data/design_corpus/design.jsonl`: the label given from an explicit statement; the "
        "statement (`evidence`) is masked.",
        "- `../shared/screening/*.csv` (~14,000 records): the rule cues of `extractor/extract/design.py` run on "
        f"the **title alone**; a record counts when the chosen cue stands in the title with confidence >= "
        f"{design.TITLE_CONFIDENCE} and the record has an abstract of {design.MIN_ABSTRACT}+ characters. "
        "Input: title + abstract, the title's cue phrase masked wherever it occurs.",
        f"- `../shared/formats/{{{','.join(design.FORMAT_FOLDERS)}}}`: MEDLINE publication types mapped by the "
        "`publication_types` table of `extractor/data/design.json` (records whose types give one label); the "
        "rule cues of that label found in the text are masked.",
        f"- `annotations/*.jsonl` (annotators' records, found again in `--documents` by content hash): "
        f"{_annotation_line(metrics)}; they always go to train.",
        "",
        f"The deciding phrase becomes the word `{design.MASK}`, so the model has to learn the wording around design "
        "statements (allocation, follow-up, search strategy, interviews...) rather than the statement. Digits are "
        "folded to `0`. Records are deduplicated by normalised title (design corpus first, then exports, then "
        "screening) and any title of the held-out MEDLINE set is dropped; the rest are split 80/10/10 by the "
        "MD5 of the normalised title.",
        "",
        f"Found: {', '.join(f'{source} {count}' for source, count in data['found'].items())}; dropped: "
        f"{', '.join(f'{reason} {count}' for reason, count in data['dropped'].items()) or 'none'}; "
        f"kept {data['kept']}.",
        "",
        *_counts_table(data["labels_by_source"], "source"),
        "",
        *_counts_table(data["labels_by_split"], "split"),
        "",
        "## Model",
        "",
        "Multinomial logistic regression (scikit-learn, lbfgs, L2) over TF-IDF of words and word pairs of "
        f"title + abstract ({metrics['features']['text']} terms seen in 2+ training records, at most "
        f"{design.MAX_TERMS}, sublinear). For each C and class weighting, one temperature is fitted on dev by "
        "log loss; the pair with the lowest calibrated dev log loss is kept (dev macro-F1 swings with single "
        "records of the small classes, so it only breaks ties). The chosen temperature "
        f"T = {metrics['temperature']:g} is folded into the stored weights (probabilities are softmax(scores / T)).",
        "",
        "| C | class weight | dev accuracy | dev macro-F1 | temperature | dev log loss |",
        "|---|---|---|---|---|---|",
    ]
    for row in metrics["tuning"]:
        chosen = (
            " (chosen)"
            if row["C"] == metrics["C"] and (row["balanced"] == bool(metrics["class_weight"]))
            else ""
        )
        weight = "balanced" if row["balanced"] else "none"
        lines.append(
            f"| {row['C']:g}{chosen} | {weight} | {_figure(row['accuracy'])} | {_figure(row['macro_f1'])} "
            f"| {row['temperature']:g} | {_figure(row['log_loss'])} |"
        )
    lines += [
        "",
        "## Test figures (held-out split, deciding phrase masked)",
        "",
        *_figures_table(metrics["test"]),
        "",
        "Macro-F1 is over the labels that occur in test or are predicted there (a label predicted "
        "with no test record counts as F1 0); several have fewer than five test records, so it is noisy.",
        "",
        "## RCT vs rest on MEDLINE (held out, never trained on)",
        "",
        f"`../shared/data/robotreviewer_trialstreamer/robotreviewer/pubmed_test.txt`: {medline['records']} records, "
        f'{medline["randomised"]} with publication type "Randomized Controlled Trial" (the label); input is '
        f"title + abstract only, publication types hidden, nothing masked. {medline['with_abstract']} records "
        "have an abstract; the rest are scored on the title alone.",
        "",
        "| | AUROC | precision | recall | F1 |",
        "|---|---|---|---|---|",
        f"| model, P(rct) + P(cluster_rct) | {_figure(medline['auroc'])} | "
        f"{_figure(medline['model_at_0.5']['precision'])} | {_figure(medline['model_at_0.5']['recall'])} | "
        f"{_figure(medline['model_at_0.5']['f1'])} |",
        f"| model, records with an abstract | {_figure(medline['auroc_with_abstract'])} | | | |",
        f"| rules (`find_design`, no publication types) | - | {_figure(rules['precision'])} | "
        f"{_figure(rules['recall'])} | {_figure(rules['f1'])} |",
        "",
        "Model precision/recall at probability 0.5. Rules: the chosen label is rct or cluster_rct.",
        "",
        "## Dev figures",
        "",
        *_figures_table(metrics["dev"]),
        "",
        "## Use and limits",
        "",
        "- `predict_design(text)` takes a title and abstract (`record_text(title, abstract)`) and returns every "
        "known label with its probability, most probable first.",
        "- The labels are weak: a title cue or publication type, not a reading of the study. The screening sets "
        "are medical (drug classes, toxicology, neurology) plus one software-engineering set, so rct, case "
        "report and reviews dominate; cohort, case-control, cross-sectional, mixed methods and umbrella reviews "
        "have few records and low recall. Rules should decide when the text states the design.",
        "- Calibrated on dev of the same weak-label sources, phrase masked; calibration on other populations is "
        "not measured. On the MEDLINE records P(rct) + P(cluster_rct) >= 0.5 over-calls randomised trials "
        f"(precision {_figure(medline['model_at_0.5']['precision'])}, recall "
        f"{_figure(medline['model_at_0.5']['recall'])}); extraction therefore uses the stricter 0.8 on the top label.",
    ]
    return "\n".join(lines) + "\n"




def main() -> int:
    args = trainer_arguments(__doc__, design.DEFAULT_PATH)
    try:
        annotated = annotated_studies(args.annotations, args.documents)
        metrics = design.train(args.shared, args.out, seed=args.seed, annotated=annotated.studies)
        metrics["annotations"] = annotated.info()
    except design.NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, size, args.seed))
    medline = metrics["medline"]
    print(
        f"test accuracy {metrics['test']['accuracy']:.3f}, macro-F1 {metrics['test']['macro_f1']:.3f}; "
        f"MEDLINE RCT AUROC {medline['auroc']:.3f} (rules P {medline['rules']['precision']:.3f} "
        f"R {medline['rules']['recall']:.3f}); C={metrics['C']:g}; {size / 1e6:.1f} MB; "
        f"{metrics['seconds']:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
