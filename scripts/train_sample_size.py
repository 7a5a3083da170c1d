"""Rebuild the sample-size ranker into models/sample_size/ and write its model card.

Trains on the PICO corpus train split and the EBM-NLP labelled dev documents (train part), chooses
the regularisation by cross-validation on train and the abstention threshold on dev, and reports
the rules' headline and the ranker's on dev and on the held-out tests (PICO test split, EBM-NLP test
gold), with the stored model's size and speed.

    .venv/bin/python scripts/train_sample_size.py [--shared ../shared] [--out models/sample_size] [--seed 0]
"""

from __future__ import annotations

import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.models import sample_size  # noqa: E402
from extractor.models.annotated import annotated_studies  # noqa: E402
from extractor.models.cards import (  # noqa: E402
    METRICS_FILE,
    annotation_line,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)
from extractor.models.linear import MODEL_FILE, WEIGHTS_FILE, LinearModel  # noqa: E402

COMMAND = ".venv/bin/python scripts/train_sample_size.py"
SOURCES = {"pico": "PICO corpus", "ebm": "EBM-NLP"}


def prediction_speed(out: Path, shared: Path, rounds: int = 3) -> dict[str, float]:
    """Abstracts per second of ``rank_sample_sizes`` on the test abstracts (candidates found beforehand)."""
    abstracts = sample_size.load_abstracts(shared)["test"]
    found = [sample_size.candidates_of(a.text) for a in abstracts]
    model = LinearModel.load(out)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for layer, candidates in found:
            sample_size.rank_sample_sizes(candidates, layer, model)
        best = min(best, time.perf_counter() - started)
    return {"abstracts": len(found), "abstracts_per_second": len(found) / best}


def _figure(value: float) -> str:
    return f"{value:.3f}"


def _results_table(split: dict[str, Any], threshold: float) -> list[str]:
    lines = [
        "| data | abstracts with gold | rules exact match | ranker exact match | "
        f"ranker coverage at {threshold:g} | ranker precision at {threshold:g} | answered without a gold span "
        "(rules / ranker) |",
        "|---|---|---|---|---|---|---|",
    ]
    for source, title in SOURCES.items():
        if source not in split:
            continue
        rules, ranker = split[source]["rules"], split[source]["ranker"]
        lines.append(
            f"| {title} | {rules['abstracts']} | {_figure(rules['exact_match'])} ({rules['matched']}) | "
            f"{_figure(ranker['exact_match'])} ({ranker['matched']}) | {_figure(ranker['coverage'])} | "
            f"{_figure(ranker['precision'])} | {rules['answered_without_span']} / {ranker['answered_without_span']} "
            f"of {rules['abstracts_without_span']} |"
        )
    return lines


def _annotation_line(metrics: dict[str, Any]) -> str:
    used = (metrics["counts"].get("train") or {}).get("annotations", {}).get("abstracts", 0)
    return annotation_line(metrics, used, "studies with a headline size used")


def model_card(metrics: dict[str, Any], speed: dict[str, float], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    counts = metrics["counts"]
    threshold = metrics["threshold"]
    lines = [
        "# Sample-size ranker",
        "",
        "Which of the rule candidates (`extractor.extract.sample_size.rules.find_sample_sizes`) is the headline "
        "sample size of an abstract, with a probability; abstains below a threshold "
        "(`extractor/models/sample_size.py`, `rank_sample_sizes`, `choose_with_model`). Extraction uses it "
        "when the rules choose no headline size (`extractor/extract/sample_size/__init__.py`, a model hook of the chooser); its value's source is "
        "`model:sample_size@<version>`.",
        "",
        f"- **Version** {metrics['version']}, trained {date.today().isoformat()} in {metrics['seconds']:.0f} s "
        f"(seed {seed}, Python {platform.python_version()}, scikit-learn {package_version('sklearn')}, "
        f"numpy {package_version('numpy')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** `{MODEL_FILE}` (settings, vocabularies, threshold), `{WEIGHTS_FILE}` (idf, coefficients, "
        f"intercept; float32, no pickle), `{METRICS_FILE}` (every figure below); {size_bytes / 1e3:.0f} kB in all. "
        "Loaded and run with numpy alone (`extractor.models.linear`).",
        "",
        "## Training data",
        "",
        "- **PICO corpus** (`../shared/data/pico_corpus_sociocom`, 1,011 breast-cancer RCT abstracts, brat): "
        "the gold headline is the count of the abstract's one `total-participants` span; abstracts with several "
        "such spans are left out (the headline is not marked), abstracts with none are kept only to count how "
        "often a headline is given where the gold has none. Split 80/10/10 train/dev/test by the MD5 of the PMID; "
        "PMIDs that are EBM-NLP test documents are left out.",
        "- **EBM-NLP** hierarchical participants labels (`../shared/data/ebm_nlp/bsaluja_hier_participants_v2`, "
        "`3_p` sample size): the gold headline is the first count of the first span (as in "
        "`scripts/eval_sample_size.py`). The labelled dev documents whose tokens with full stops exist (by PMID in "
        "`scibert_ebmnlp/dev.txt`, or matched by their letters and digits in the unnamed `bepnye_v1_commit_9a2a49b/"
        "dev.txt`) are split 90/10 train/dev by the MD5 of the PMID; the test gold (`p2_p_gold`, text from "
        "`bepnye_v1_commit_9a2a49b/test.json`) is the held-out test.",
        "- **Annotators' records** (`annotations/*.jsonl`, documents found again in `--documents` by content "
        f"hash): {_annotation_line(metrics)}; they always go to train.",
        "",
        "Each abstract is read by `extractor.textlayer.analyse` and `find_sample_sizes`; every candidate with a "
        "role is an example, positive when its number equals the gold headline count (a restatement or a sum of "
        "arms with the same number counts too).",
        "",
        "| split | data | abstracts | with gold | gold among candidates | candidates | positive |",
        "|---|---|---|---|---|---|---|",
    ]
    for split in sample_size.SPLITS:
        for source, title in SOURCES.items():
            row = counts[split][source]
            lines.append(
                f"| {split} | {title} | {row['abstracts']} | {row['with_gold']} | {row['gold_among_candidates']} | "
                f"{row['candidates']} | {row['positive_candidates']} |"
            )
    features = metrics["features"]
    lines += [
        "",
        "## Model",
        "",
        "Binary logistic regression (scikit-learn, lbfgs, L2) over each candidate: category tokens "
        f"({features['category']}: role, unit kind, form, cue, rule source, section role of its sentence, "
        "sum-of-arms, attributes such as arm / planned / stage / each, unit noun, magnitude bucket and role x "
        f"magnitude, the rules' choice), TF-IDF of up to {sample_size.WINDOW} words before ({features['before']} "
        f"terms, words and pairs) and after ({features['after']}) the count, digits folded to `0`; and "
        f"{features['dense']} dense features (rule confidence, relative position in the text and by sentence, "
        "largest / first count of its role, largest overall, chosen by `choose_sample_size(candidates, None)`, "
        "same number as the rules' choice, log10 n, how many candidates share the number). The top-scoring "
        "candidate is the headline.",
        "",
        f"C chosen by {sample_size.FOLDS}-fold cross-validation on train (folds by document id; dev has too few "
        "abstracts to tell values apart):",
        "",
        "| C | train CV exact match | dev exact match |",
        "|---|---|---|",
    ]
    for row in metrics["tuning"]:
        chosen = " (chosen)" if row["C"] == metrics["C"] else ""
        lines.append(f"| {row['C']:g}{chosen} | {_figure(row['train_cv_exact_match'])} | "
                     f"{_figure(row['dev_exact_match'])} |")  # fmt: skip
    lines += [
        "",
        f"Abstention threshold {threshold:g}: the lowest top probability at which the dev precision (PICO and "
        f"EBM-NLP dev together) reaches {metrics['target_precision']:g}, or the most precise if none does:",
        "",
        "| threshold | dev coverage | dev precision |",
        "|---|---|---|",
    ]
    for row in metrics["threshold_tuning"]:
        lines.append(f"| {row['threshold']:g} | {_figure(row['coverage'])} | {_figure(row['precision'])} |")
    lines += [
        "",
        "## Test figures (held out)",
        "",
        "Exact match: the chosen n equals the gold count, over abstracts with a gold count (an abstention or no "
        "candidate is a miss). Rules: `choose_sample_size(candidates, None)`. Ranker coverage and precision: "
        f"share of abstracts answered with top probability >= {threshold:g}, and share of those answers right.",
        "",
        *_results_table(metrics["test"], threshold),
        "",
        "Per arm (PICO abstracts with one intervention- and one control-participants span): both arm counts "
        f"among the rules' arm details (`sample_size_details`) in {_figure(metrics['test']['arms']['both_arms_in_rule_details'])}"
        f", among any candidates in {_figure(metrics['test']['arms']['both_arms_among_candidates'])} of "
        f"{metrics['test']['arms']['abstracts']} test abstracts. The ranker does not choose arms yet.",
        "",
        "## Dev figures",
        "",
        *_results_table(metrics["dev"], threshold),
        "",
        "## Speed",
        "",
        f"{speed['abstracts_per_second']:,.0f} abstracts/s for `rank_sample_sizes` alone (candidates found "
        f"beforehand), {speed['abstracts']} test abstracts, one core, best of 3 on {platform.machine()}.",
        "",
        "## Use and limits",
        "",
        "- `rank_sample_sizes(candidates, layer)` returns `(candidate, probability)` pairs, most probable first; "
        "`choose_with_model(candidates, layer)` returns the top candidate or None under the stored threshold, "
        "with its probability.",
        "- The ranker can only pick a number the rules found: abstracts whose gold count is no candidate "
        "(see 'gold among candidates') are misses for both.",
        "- No design is passed: the training abstracts are (mostly) RCTs; reviews and cluster trials are left "
        "to the rules' design-aware choice.",
        "- The test sets are small (PICO test has about 60 abstracts with a gold count): one abstract moves "
        "exact match by 1.6 points.",
    ]
    return "\n".join(lines) + "\n"




def main() -> int:
    args = trainer_arguments(__doc__, sample_size.DEFAULT_PATH)
    try:
        annotated = annotated_studies(args.annotations, args.documents)
        metrics = sample_size.train(args.shared, args.out, seed=args.seed, annotated=annotated.studies)
        metrics["annotations"] = annotated.info()
    except sample_size.NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    speed = prediction_speed(args.out, args.shared)
    metrics["speed"] = speed
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, speed, size, args.seed))
    for source, title in SOURCES.items():
        figures = metrics["test"][source]
        print(
            f"{title} test: rules {figures['rules']['exact_match']:.3f}, ranker {figures['ranker']['exact_match']:.3f} "
            f"(coverage {figures['ranker']['coverage']:.3f}, precision {figures['ranker']['precision']:.3f} "
            f"at {metrics['threshold']:g})",
            file=sys.stderr,
        )
    print(f"C={metrics['C']:g}; {size / 1e3:.0f} kB; {speed['abstracts_per_second']:,.0f} abstracts/s; "
          f"{metrics['seconds']:.0f} s", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
