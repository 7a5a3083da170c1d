"""The design chooser's calibration on public data, with the current rules and the committed model and map.

Prints, for the design trainer's splits (``extractor.training.design``: the dev and test splits of the
sources whose labels do not come from the rule cues, and the two halves of the MEDLINE AUROC records),
the stored confidence's expected calibration error beside what a perfectly calibrated source of the
same confidences would show at that size (``models.calibration.ece_noise``), the chance such a source
scores at or under ``--bar``, and the pooled held-out table. Then it asks whether a second map on the
chosen label's stored confidence, one Platt curve per source (the rules' pick or the model's), would help:
5-fold cross-validation folded by title over the records the committed map was fitted on (dev and the
MEDLINE fit half), log loss and ECE of the out-of-fold confidences against leaving them as they are.
Nothing is written.

    .venv/bin/python scripts/eval_design_calibration.py [--shared ../shared] [--bar 0.05]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.models.calibration import calibration, ece_noise, fit_platt, pooled, reliability  # noqa: E402
from extractor.models.design import DEFAULT_PATH  # noqa: E402
from extractor.models.linear import LinearModel  # noqa: E402
from extractor.training import design  # noqa: E402
from extractor.training.common import hash_bucket, hash_split  # noqa: E402

FOLDS = 5


def rows_by_split(shared: Path) -> dict[str, list[design.ChooserRow]]:
    """The chooser rows of each split, as ``training.design.train`` builds them, on the committed model."""
    held = design.medline_held_out(shared)
    examples, _ = design.load_examples(shared, {r.key for r in held if r.key})
    model = LinearModel.load(DEFAULT_PATH)
    rows = {split: design.chooser_rows(model, [e for e in examples[split]
                                               if e.source.split("/")[0] in design.CALIBRATION_SOURCES])
            for split in ("dev", "test")}  # fmt: skip
    medline = design.medline_chooser_rows(model, held)
    rows["medline_fit"] = [r for r in medline if hash_split(r.key, dev=range(5), test=()) == "dev"]
    rows["medline"] = [r for r in medline if hash_split(r.key, dev=range(5), test=()) != "dev"]
    return rows


def picks(rows: list[design.ChooserRow], table, limits) -> list[tuple[str, str, float, bool]]:
    """(title key, who chose: rule or model, stored confidence, right) of each answered record."""
    found = []
    for row in rows:
        label, confidence = design.simulate_choice(row, table, limits)
        if label is None:
            continue
        by_rule = row.rule is not None and label == row.rule[0] and confidence == table.probability(
            design.RULE_KIND, row.rule[1])
        found.append((row.key, "rule" if by_rule else "model", confidence, label == row.label))
    return found


def log_loss(probabilities: list[float], right: list[bool]) -> float:
    p = np.clip(np.asarray(probabilities), 1e-4, 1 - 1e-4)
    y = np.asarray(right, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--bar", type=float, default=0.05, help="the ECE asked for")
    args = parser.parse_args(argv)
    from extractor.extract.thresholds import thresholds

    table = calibration("design")
    if table is None or not (args.shared / design.MEDLINE_HELD_OUT).is_file():
        print("no models/design/calibration.json, or no MEDLINE records under --shared", file=sys.stderr)
        return 2
    limits = {k: float(v) for k, v in thresholds().items() if k.startswith("design_")}
    rows = rows_by_split(args.shared)
    tables = {}
    for split, split_rows in rows.items():
        found = picks(split_rows, table, limits)
        tables[split] = reliability([f[2] for f in found], [f[3] for f in found])
        noise = ece_noise(tables[split], draws=20000)
        fitted = " (the map was fitted on it)" if split in ("dev", "medline_fit") else " (held out)"
        print(f"{split}{fitted}: {len(split_rows)} records, {tables[split]['n']} answered, accuracy "
              f"{np.mean([f[3] for f in found]):.3f}, ECE {tables[split]['ece']:.3f}; perfectly calibrated: "
              f"{noise['calibrated_mean']:.3f} on average, {noise['calibrated_p95']:.3f} at the 95th percentile; "
              f"bootstrap 90% {noise['bootstrap_low']:.3f}-{noise['bootstrap_high']:.3f}")
        by = {who: [f for f in found if f[1] == who] for who in ("rule", "model")}
        print("    " + "; ".join(f"{who} chose {len(v)}: mean confidence {np.mean([f[2] for f in v]):.3f}, share "
                                  f"right {np.mean([f[3] for f in v]):.3f}" for who, v in by.items() if v))
        counts = np.array([b["n"] for b in tables[split]["bins"]])
        means = np.array([b["confidence"] for b in tables[split]["bins"]])
        draws = np.random.default_rng(0).binomial(counts, means, size=(20000, len(counts)))
        under = float(((np.abs(draws - counts * means).sum(axis=1) / counts.sum()) <= args.bar).mean())
        print(f"    a perfectly calibrated source of these confidences scores ECE <= {args.bar} in {under:.1%} of draws")
    both = pooled([tables["test"], tables["medline"]])
    noise = ece_noise(both, draws=20000)
    print(f"held-out pooled (test + medline): {both['n']} answered, ECE {both['ece']:.3f}; perfectly calibrated: "
          f"{noise['calibrated_mean']:.3f} on average, {noise['calibrated_p95']:.3f} at the 95th percentile")
    # a second map on the stored confidence, per source, by 5-fold CV over the map's own fitting records
    fit_rows = picks(rows["dev"] + rows["medline_fit"], table, limits)
    out_of_fold: list[float] = []
    right: list[bool] = []
    for fold in range(FOLDS):
        train = [f for f in fit_rows if hash_bucket(f[0], FOLDS) != fold]
        curves = {who: fit_platt([f[2] for f in train if f[1] == who], [f[3] for f in train if f[1] == who])
                  for who in ("rule", "model")}  # fmt: skip
        for f in fit_rows:
            if hash_bucket(f[0], FOLDS) == fold:
                out_of_fold.append(curves[f[1]](f[2]))
                right.append(f[3])
    stored = [f[2] for f in fit_rows]
    truth = [f[3] for f in fit_rows]
    print(f"a second map per source on the stored confidence, {FOLDS}-fold CV by title over the {len(fit_rows)} "
          f"fitting records: log loss {log_loss(out_of_fold, right):.4f} against {log_loss(stored, truth):.4f} "
          f"unchanged; ECE {reliability(out_of_fold, right)['ece']:.3f} against {reliability(stored, truth)['ece']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
