"""The design chooser's calibration on public data, with the current rules and the committed model.

The records are every public record the model was not trained on whose label does not come from the rule
cues (``extractor.training.design.calibration_rows``: the dev and test splits of the design corpus, MEDLINE
exports and PubMedQA, and the held-out MEDLINE AUROC records whose publication types give one label).

1. The committed map (``models/design/calibration.json``) on each group, as it stands: its ``fitted_on``
   says which groups it saw.
2. Ways to map the confidences, each judged cross-fitted (5 folds by title: each record's map is fitted on
   the other folds, and the chooser replays the choice with it, since the map applies to the choice):
   Platt per source (what the trainer ships), smoothed isotonic curves, and Platt with a second Platt curve
   per branch (the rules' pick or the model's) on the stored confidence. Accuracy, log loss, Brier and ECE
   of the out-of-fold confidences; the ECE beside what a perfectly calibrated source would show at that size
   (``models.calibration.ece_noise``), over all records and by group.
3. The reliability table of the shipped method, cross-fitted.

4. With ``--train-folds``: the train split's records of those sources too, each judged by a model refitted on
   the train split without its fold (``training.design.fold_model_rows``; a few minutes), the shipped method
   cross-fitted over them and the records above, by group and by source.

``--write`` then refits the shipped map on the records of 1-3 and rewrites ``calibration.json``, the chooser
figures of ``metrics.json`` and the card's chooser section (``training.design.refit_calibration``; with
``--train-folds``, the figure of 4 is written too); the model itself is not retrained. Without it nothing is
written.

    .venv/bin/python scripts/eval_design_calibration.py [--shared ../shared] [--train-folds] [--write]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.models.calibration import (  # noqa: E402
    Calibration,
    Curve,
    calibration,
    ece_noise,
    fit_isotonic,
    fit_platt,
    reliability,
)
from extractor.models.design import DEFAULT_PATH  # noqa: E402
from extractor.models.linear import LinearModel  # noqa: E402
from extractor.training import design  # noqa: E402
from extractor.training.common import hash_bucket  # noqa: E402

FOLDS = design.CROSS_FIT_FOLDS
Pick = tuple[str | None, float | None]


def groups_of(shared: Path) -> dict[str, list[design.ChooserRow]]:
    """The calibration records by group, as ``training.design.refit_calibration`` builds them."""
    held = design.medline_held_out(shared)
    examples, _ = design.load_examples(shared, {r.key for r in held if r.key})
    return design.calibration_rows(LinearModel.load(DEFAULT_PATH), examples, held)


def kinds_fitter(fit: Callable[[Sequence[float], Sequence[bool]], Curve]) -> Callable[..., Calibration]:
    """A map of one curve per source (rules' pick, model's top label), each fitted by ``fit``."""

    def fitter(rows: Sequence[design.ChooserRow]) -> Calibration:
        ruled = [r for r in rows if r.rule is not None]
        kinds = {design.MODEL_KIND: fit([r.model[1] for r in rows], [r.model[0] == r.label for r in rows])}
        if ruled:
            kinds[design.RULE_KIND] = fit([r.rule[1] for r in ruled], [r.rule[0] == r.label for r in ruled])
        return Calibration("design", kinds)

    return fitter


def branch(row: design.ChooserRow, label: str | None, table: Calibration) -> str:
    """Who a pick came from: the rules or the model."""
    rule_probability = table.probability(design.RULE_KIND, row.rule[1]) if row.rule else None
    return "rule" if row.rule is not None and label == row.rule[0] and rule_probability is not None else "model"


def cross_fit(rows: list[design.ChooserRow], limits: dict[str, float], fitter: Callable[..., Calibration],
              second: bool = False) -> list[Pick]:
    """Out-of-fold (label, stored confidence) of each row; ``second``: a Platt curve per branch on the stored
    confidence, fitted on the training folds' own choices, maps it once more."""
    picks: list[Pick] = [(None, None)] * len(rows)
    for fold in range(FOLDS):
        train = [r for r in rows if hash_bucket(r.key, FOLDS) != fold]
        table = fitter(train)
        after: dict[str, Curve] = {}
        if second:
            chosen = [(r, *design.simulate_choice(r, table, limits)) for r in train]
            for who in ("rule", "model"):
                mine = [(c, label == r.label) for r, label, c in chosen if label is not None
                        and branch(r, label, table) == who]
                if mine:
                    after[who] = fit_platt([m[0] for m in mine], [m[1] for m in mine])
        for k, row in enumerate(rows):
            if hash_bucket(row.key, FOLDS) == fold:
                label, confidence = design.simulate_choice(row, table, limits)
                if label is not None and branch(row, label, table) in after:
                    confidence = after[branch(row, label, table)](confidence)
                picks[k] = (label, confidence)
    return picks


def summary(rows: Sequence[design.ChooserRow], picks: Sequence[Pick]) -> dict[str, float]:
    answered = [(c, label == r.label) for r, (label, c) in zip(rows, picks, strict=True) if label is not None]
    p = np.clip([a[0] for a in answered], 1e-4, 1 - 1e-4)
    y = np.array([a[1] for a in answered], dtype=np.float64)
    table = reliability(p, y)
    return {"accuracy": float(np.mean([label == r.label for r, (label, _) in zip(rows, picks, strict=True)])),
            "answered": len(answered), "log_loss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
            "brier": float(np.mean((p - y) ** 2)), "ece": table["ece"], "table": table}  # fmt: skip


def ece_line(name: str, table: dict) -> str:
    noise = ece_noise(table, draws=20000)
    return (f"{name}: {table['n']} answered, ECE {table['ece']:.3f} (perfectly calibrated: {noise['calibrated_mean']:.3f}"
            f" on average, {noise['calibrated_p95']:.3f} at the 95th percentile; bootstrap 90% "
            f"{noise['bootstrap_low']:.3f}-{noise['bootstrap_high']:.3f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--write", action="store_true", help="refit the map on all records and write it")
    parser.add_argument("--train-folds", action="store_true",
                        help="also judge the train split's calibration-source records by models refitted without "
                             "their fold, and cross-fit the shipped map over them too (a few minutes)")
    args = parser.parse_args(argv)
    from extractor.extract.thresholds import thresholds

    if not (args.shared / design.MEDLINE_HELD_OUT).is_file():
        print(f"no MEDLINE records under {args.shared}: pass --shared", file=sys.stderr)
        return 2
    limits = {k: float(v) for k, v in thresholds().items() if k.startswith("design_")}
    groups = groups_of(args.shared)
    everything = [r for rows in groups.values() for r in rows]
    committed = calibration("design")
    if committed is not None:
        print("1. the committed map, as it stands (see calibration.json's fitted_on for what it saw)")
        for group, rows in [*groups.items(), ("all", everything)]:
            found = summary(rows, [design.simulate_choice(r, committed, limits) for r in rows])
            print("   " + ece_line(f"{group}, {len(rows)} records, accuracy {found['accuracy']:.3f}", found["table"]))
    anchors = design.choice_anchors(committed, limits) if committed is not None else None
    through = (lambda rows: design.fit_chooser_calibration(rows, anchors)) if anchors else None
    methods: dict[str, tuple[Callable[..., Calibration], bool]] = {
        **({"Platt per source, the committed map's floor points kept (shipped)": (through, False)}
           if through else {}),
        "Platt per source, free": (kinds_fitter(fit_platt), False),
        "isotonic, smoothing 1, blocks of 1+": (kinds_fitter(lambda x, y: fit_isotonic(x, y, 1.0, 1)), False),
        "isotonic, smoothing 2, blocks of 5+": (kinds_fitter(lambda x, y: fit_isotonic(x, y, 2.0, 5)), False),
        "isotonic, smoothing 5, blocks of 10+": (kinds_fitter(lambda x, y: fit_isotonic(x, y, 5.0, 10)), False),
        "isotonic, smoothing 10, blocks of 20+": (kinds_fitter(lambda x, y: fit_isotonic(x, y, 10.0, 20)), False),
        "Platt, then Platt per branch on the stored confidence": (kinds_fitter(fit_platt), True),
    }
    if anchors:
        print("   the committed map meets the floors at raw "
              + ", ".join(f"{kind} {raw:.4f} (-> {floor:g})" for kind, (raw, floor) in anchors.items()))
    print(f"2. cross-fitted ({FOLDS} folds by title) over all {len(everything)} records "
          f"({', '.join(f'{g} {len(r)}' for g, r in groups.items())})")
    shipped: list[Pick] = []
    before = [design.simulate_choice(r, committed, limits) if committed is not None else (None, None)
              for r in everything]  # fmt: skip
    for name, (fitter, second) in methods.items():
        picks = cross_fit(everything, limits, fitter, second)
        found = summary(everything, picks)
        same = sum(p == q for p, q in zip((label for label, _ in picks), (label for label, _ in before), strict=True))
        print(f"   {name}: accuracy {found['accuracy']:.3f}, answered {found['answered']}, log loss "
              f"{found['log_loss']:.4f}, Brier {found['brier']:.4f}, ECE {found['ece']:.3f}; "
              f"label as the committed map's on {same} of {len(everything)}")
        if not shipped:
            shipped = picks
    print(f"3. the shipped method ({next(iter(methods))}), cross-fitted")
    print("   " + ece_line(f"all, {len(everything)} records", summary(everything, shipped)["table"]))
    first = 0
    for group, rows in groups.items():
        found = summary(rows, shipped[first : first + len(rows)])
        first += len(rows)
        print("   " + ece_line(f"{group}, {len(rows)} records, accuracy {found['accuracy']:.3f}", found["table"]))
    print("   bin        n   confidence  accuracy")
    for row in summary(everything, shipped)["table"]["bins"]:
        print(f"   {row['low']:.1f}-{row['high']:.1f} {row['n']:5d}   {row['confidence']:.3f}       {row['accuracy']:.3f}")
    if args.write:  # refit on all the records and write; the figures printed below are the written ones
        chooser = design.refit_calibration(args.shared, DEFAULT_PATH, train_folds=args.train_folds,
                                           progress=lambda line: print(f"   {line}", file=sys.stderr))
        print(f"wrote {DEFAULT_PATH}: calibration.json, metrics.json (chooser), MODEL_CARD.md (chooser section)")
        crossed = chooser.get("cross_fitted_with_train_folds")
    elif args.train_folds:
        held = design.medline_held_out(args.shared)
        examples, _ = design.load_examples(args.shared, {r.key for r in held if r.key})
        extra = design.fold_model_rows(examples, LinearModel.load(DEFAULT_PATH).metadata,
                                       progress=lambda line: print(f"   {line}", file=sys.stderr))
        crossed = design.cross_fitted_figures({**groups, "train (fold models)": extra}, limits, FOLDS, anchors)
    else:
        crossed = None
    if crossed:
        print(f"4. the shipped method cross-fitted over {crossed['records']} records, the train split's records of "
              "the calibration sources judged by models refitted without their fold")
        print("   " + ece_line(f"all, {crossed['records']} records", crossed["reliability"]))
        for kind in ("groups", "sources"):
            for name, part in crossed[kind].items():
                print("   " + ece_line(f"{kind[:-1]} {name}, {part['records']} records, accuracy "
                                       f"{part['accuracy']:.3f}", part["reliability"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
