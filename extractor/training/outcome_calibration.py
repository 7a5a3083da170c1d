"""Rebuilding ``models/outcome/``: the calibration of the stored confidence of reported outcome names.

A reported outcome name's stored confidence should be the chance that it names an outcome an expert
marked. The only public labels with the convention of the report on held-out data (``extractor
evaluate``) are EBM-NLP's expert-labelled test abstracts (191, outcome spans marked exhaustively): the
crowd-labelled EBM-NLP documents accept about half the names against two thirds on the expert ones,
and the Weng lab consensus spans (``evidence_outcomes``) under half, so a map fitted on either would
move the confidences away from the expert figure. The expert abstracts are therefore split in two
halves by the MD5 of their PMID: the map is fitted on half ``FIT`` and the other half, ``HELD_OUT``,
is never used for fitting and is where its figures are reported; the same map fitted on the held-out
half and read on the fit half is reported beside as a check (cross-fitting).

The map is Platt scaling of the raw confidence (``models.calibration.fit_platt``), one curve for the
rules' names and the outcome-span model's: on two-fold and five-fold cross-fitting by document over the
expert abstracts it gave a lower expected calibration error than an isotonic curve or curves per rule
shrunk toward a common one (log loss: per-rule curves were a little lower, but the error of their
reliability tables higher, on a few dozen names per rule). It ``applies`` to the stored confidence only:
outcomes are chosen on the raw confidences as before (the floors in ``data/combine.json`` are read on
them) and only the confidence stored on the values changes, so no choice moves.

    extractor train outcome_calibration [--shared ../shared]
    .venv/bin/python scripts/calibrate_outcomes.py [--shared ../shared] [--out models/outcome]

Run it after every model and rule change that moves outcomes (it extracts with the current code and
models, and fits on the raw confidences the values keep).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from ..evaluation import FIT, HELD_OUT, expert_half, outcome_names_score
from ..models.calibration import CALIBRATION_FILE, Calibration, fit_platt, reliability
from ..models.paths import model_dir
from .common import NoTrainingData, hash_bucket, trainer_arguments, write_metrics_and_card

NAME = "outcome"
VERSION = 1
DEFAULT_PATH = model_dir(NAME)
# the sources the curve covers: the rules' outcome names and the outcome-span model's (a table's given
# outcomes, rule:units.table, and annotators' values keep their confidence)
KINDS = ("rule:outcomes", "model:outcome_spans")


def fit(judged: Sequence[dict[str, Any]]) -> Calibration:
    """The outcome calibration fitted on judged names (``evaluation.outcome_names_score``'s ``judged``)."""
    if not judged:
        raise NoTrainingData("no reported outcome names to calibrate on")
    curve = fit_platt([row["raw"] for row in judged], [row["right"] for row in judged])
    return Calibration(NAME, dict.fromkeys(KINDS, curve), applies="stored")


def compare_methods(judged: Sequence[dict[str, Any]], folds: Sequence[int] = (2, 5)) -> dict[str, dict[str, float]]:
    """Out-of-fold expected calibration error of the raw confidence, a Platt map and an isotonic curve, by
    cross-fitting folded by document (MD5 of the PMID), for each number of folds: what chose Platt scaling."""
    from ..models.calibration import fit_isotonic

    report: dict[str, dict[str, float]] = {}
    for count in folds:
        mapped: dict[str, list[float]] = {"raw": [], "platt": [], "isotonic": []}
        rights: list[bool] = []
        for fold in range(count):
            train_rows = [row for row in judged if hash_bucket(row["doc_id"], count) != fold]
            test_rows = [row for row in judged if hash_bucket(row["doc_id"], count) == fold]
            if not train_rows or not test_rows:
                continue
            raw, right = [row["raw"] for row in train_rows], [row["right"] for row in train_rows]
            platt, isotonic = fit_platt(raw, right), fit_isotonic(raw, right, smoothing=2.0, min_count=10)
            for row in test_rows:
                mapped["raw"].append(row["raw"])
                mapped["platt"].append(platt(row["raw"]))
                mapped["isotonic"].append(isotonic(row["raw"]))
                rights.append(row["right"])
        report[f"{count}_folds"] = {name: reliability(values, rights)["ece"] for name, values in mapped.items()}
    return report


def _figures(rows: Sequence[dict[str, Any]], table: Calibration) -> dict[str, Any]:
    rights = [row["right"] for row in rows]
    mapped = [table.probability(row["source"], row["raw"]) for row in rows]
    return {"abstracts": len({row["doc_id"] for row in rows}), "names": len(rows),
            "raw": reliability([row["raw"] for row in rows], rights),
            "calibrated": reliability([row["raw"] if p is None else p for row, p in zip(rows, mapped, strict=True)],
                                      rights)}  # fmt: skip


def train(shared: Path) -> tuple[Calibration, dict[str, Any]]:
    """The map fitted on half ``FIT`` of the expert abstracts, and its figures on both halves (raw and mapped),
    with the cross-fitting check (fitted on ``HELD_OUT``, read on ``FIT``)."""
    from .outcome_scorer import EBM_TEST, conll_texts

    started = time.perf_counter()
    path = Path(shared) / EBM_TEST
    if not path.is_file():
        raise NoTrainingData(f"{path} not found: pass the folder that holds data/ (--shared)")
    # the raw confidences are kept on the values (``raw_confidence``), so a committed map does not bias the fit
    figures = outcome_names_score(list(conll_texts(path, "test")))
    halves = {half: [row for row in figures["judged"] if expert_half(row["doc_id"]) == half] for half in (FIT, HELD_OUT)}
    table = fit(halves[FIT])
    check = fit(halves[HELD_OUT])
    metrics = {
        "name": NAME, "version": VERSION, "trained": date.today().isoformat(),
        "data": f"{EBM_TEST} (EBM-NLP expert test abstracts), halves by MD5 of the PMID",
        "names": {"precision": figures["precision"], "recall": figures["recall"], "f1": figures["f1"],
                  "texts": figures["texts"], "predicted": figures["predicted"]},
        "fit_half": {"half": FIT, **_figures(halves[FIT], table)},
        "held_out_half": {"half": HELD_OUT, **_figures(halves[HELD_OUT], table)},
        "cross_fit_check": {"fitted_on": HELD_OUT, "read_on": FIT, **_figures(halves[FIT], check)},
        "method_choice": compare_methods(figures["judged"]),
        "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    return table, metrics


def _reliability_table(table: dict[str, Any]) -> list[str]:
    lines = ["| confidence | names | mean confidence | share right |", "|---|---|---|---|"]
    for row in table["bins"]:
        lines.append(f"| {row['low']:.1f}-{row['high']:.1f} | {row['n']} | {row['confidence']:.3f} | "
                     f"{row['accuracy']:.3f} |")
    return lines


def model_card(metrics: dict[str, Any], table: Calibration, size: int) -> str:
    fitted, held, check = metrics["fit_half"], metrics["held_out_half"], metrics["cross_fit_check"]
    curve = table.kinds[KINDS[0]]
    points = ", ".join(f"{x:.1f} -> {curve(x):.3f}" for x in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0))
    return "\n".join([
        "# Outcome confidence calibration",
        "",
        "The stored confidence of a reported outcome name mapped to the chance that it names an outcome an expert "
        "marked (`calibration.json`, read by `extractor/models/calibration.py` and applied in `extractor/extract/"
        "choice.py`, `stored_probabilities`). It `applies` to the stored confidence only: outcomes are still chosen "
        "on their raw confidences (the floors of `extractor/data/combine.json`), so it changes no choice; the raw "
        "confidence is kept on each value as `raw_confidence`. Sources covered: " + ", ".join(f"`{k}`" for k in KINDS)
        + " (a table's given outcomes and annotators' values keep their confidence).",
        "",
        f"- **Rebuild** (from the repository root, with `../shared` beside it, after any change that moves outcomes): "
        f"`.venv/bin/extractor train outcome_calibration` (or `.venv/bin/python scripts/calibrate_outcomes.py`). "
        f"Extracts the abstracts with the current code and models and fits on the raw confidence each value keeps; "
        f"{metrics['seconds']:.0f} s on {date.today().isoformat()}.",
        f"- **Files** `calibration.json` (the curve as 41 knots of a Platt sigmoid; JSON), `metrics.json`; "
        f"{size / 1e3:.0f} kB in all.",
        "",
        "## Data",
        "",
        f"`../shared/{metrics['data']}`: the only public labels whose convention is the one the report is judged on "
        "(a reported name is right when it matches an expert's outcome span, as FORMAT.md matches outcome names). "
        "The EBM-NLP crowd-labelled documents accept about half the reported names against two thirds here, and the "
        "Weng lab consensus spans under half (most names of the outcome-statement and lexicon rules rejected), so a "
        "map fitted on them moves the confidences away from this convention. So the expert abstracts are split by the MD5 of the PMID: the map is "
        f"fitted on half {FIT} ({fitted['abstracts']} abstracts with a reported name, {fitted['names']} names) and "
        f"reported on half {HELD_OUT} ({held['abstracts']} abstracts, {held['names']} names), which no fit has seen. "
        "Both halves are part of the public test split of EBM-NLP, and half A now is a fitting set: its figures below "
        "are as fitted, not held out.",
        "",
        "## Figures (expected calibration error, 10 equal bins; right: the name matches an expert outcome)",
        "",
        "| names of | raw confidence | calibrated |",
        "|---|---|---|",
        f"| half {HELD_OUT}, held out: {held['names']} | {held['raw']['ece']:.3f} | {held['calibrated']['ece']:.3f} |",
        f"| half {FIT}, fitted on: {fitted['names']} | {fitted['raw']['ece']:.3f} | {fitted['calibrated']['ece']:.3f} "
        "(as fitted) |",
        f"| half {FIT}, map fitted on half {HELD_OUT} instead (cross-fit check) | {check['raw']['ece']:.3f} | "
        f"{check['calibrated']['ece']:.3f} |",
        "",
        f"Share right: half {HELD_OUT} {held['raw']['accuracy']:.3f}, half {FIT} {fitted['raw']['accuracy']:.3f}. "
        f"Names P {metrics['names']['precision']:.3f}, R {metrics['names']['recall']:.3f}, F1 "
        f"{metrics['names']['f1']:.3f} over all {metrics['names']['texts']} abstracts (unchanged by the map).",
        "",
        f"The curve: {points}.",
        "",
        f"Reliability of the calibrated confidence, half {HELD_OUT} (held out):",
        "",
        *_reliability_table(held["calibrated"]),
        "",
        "## Method",
        "",
        "Platt scaling (sigmoid of a line in the logit of the raw confidence, two parameters, ridge 1e-3), one curve "
        "for every covered source, chosen by cross-fitting folded by document over all the expert abstracts "
        "(out-of-fold expected calibration error; isotonic: pool-adjacent-violators, blocks of 10 names or more):",
        "",
        "| folds | raw | Platt | isotonic |",
        "|---|---|---|---|",
        *[f"| {name.split('_')[0]} | {row['raw']:.3f} | {row['platt']:.3f} | {row['isotonic']:.3f} |"
          for name, row in metrics["method_choice"].items()],
        "",
        "Curves per rule were tried too and left out: a rule has a few dozen names here. The error of a table of "
        "about 250 names is itself uncertain by a few hundredths (`extractor evaluate` prints its bootstrap range and "
        "what a perfectly calibrated source would show).",
        "",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """Refit the calibration from the command-line arguments (``trainer_arguments``); the exit status."""
    args = trainer_arguments(__doc__, DEFAULT_PATH, argv)
    try:
        table, metrics = train(args.shared)
    except NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / CALIBRATION_FILE).write_text(json.dumps(table.as_json(
        fitted_on=f"EBM-NLP expert test abstracts, half {FIT} by MD5 of the PMID ({metrics['fit_half']['names']} "
        f"reported names); half {HELD_OUT} held out", trainer="extractor.training.outcome_calibration"),
        indent=1) + "\n", encoding="utf-8")  # fmt: skip
    write_metrics_and_card(out, metrics, lambda size: model_card(metrics, table, size))
    held = metrics["held_out_half"]
    print(f"outcome calibration: half {HELD_OUT} (held out) ECE {held['raw']['ece']:.3f} raw -> "
          f"{held['calibrated']['ece']:.3f} calibrated over {held['names']} names", file=sys.stderr)
    return 0
