"""Calibrated confidence: a candidate's raw confidence mapped to the probability that it is right.

A field's calibration is ``models/<field>/calibration.json`` (written by the field's trainer): for each
kind of source (a prefix of ``ExtractedValue.source``: ``rule:design``, ``model:design``), an increasing
curve fitted on held-out public data (raw confidence -> share right; Platt scaling or isotonic
regression), stored as knots and read by linear interpolation between them. A field without the file, or a source no kind covers
(an annotator's value), keeps its raw confidence.

    {"field": "design", "kinds": {"rule:design": {"x": [0.2, 0.6, 0.97], "y": [0.1, 0.55, 0.95]}, ...}}

``"applies"`` says where the chooser uses it: ``"choice"`` (the default; design) maps every candidate
before the floors and comparisons, which then read the probability; ``"stored"`` (outcomes) leaves the
choice to the raw confidences and maps only the confidence stored on the candidates once chosen, so a
calibration fitted later cannot change what is chosen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .paths import model_dir

CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True)
class Curve:
    """An increasing map from raw confidence to probability, given by its knots."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __call__(self, raw: float) -> float:
        return float(np.interp(raw, self.x, self.y))

    def as_json(self) -> dict[str, list[float]]:
        return {"x": [round(float(v), 4) for v in self.x], "y": [round(float(v), 4) for v in self.y]}

    def inverse(self, probability: float) -> float:
        """The raw confidence the curve maps to ``probability`` (the first, where the curve is flat there)."""
        x, y = np.asarray(self.x), np.asarray(self.y)
        if probability <= y[0]:
            return float(x[0])
        if probability >= y[-1]:
            return float(x[-1])
        k = int(np.searchsorted(y, probability, side="left"))  # y[k - 1] < probability <= y[k]
        return float(x[k - 1] + (x[k] - x[k - 1]) * (probability - y[k - 1]) / (y[k] - y[k - 1]))


def fit_isotonic(raw: Sequence[float], right: Sequence[bool], smoothing: float = 1.0, min_count: int = 1) -> Curve:
    """Pool-adjacent-violators on (raw confidence, right or wrong), blocks of fewer than ``min_count``
    records merged into a neighbour (a block of three right answers says little), each block's share
    shrunk toward the overall share by ``smoothing`` pseudo-records; the knots are the blocks' mean raw
    confidences."""
    order = np.argsort(np.asarray(raw, dtype=np.float64), kind="mergesort")
    xs = np.asarray(raw, dtype=np.float64)[order]
    ys = np.asarray(right, dtype=np.float64)[order]
    if not len(xs):
        raise ValueError("no records to calibrate on")
    prior = float(ys.mean())
    blocks: list[list[float]] = []  # [sum of y, count, sum of x]
    for x, y in zip(xs, ys, strict=True):
        blocks.append([y, 1.0, x])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            total, count, position = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
            blocks[-1][2] += position
    while len(blocks) > 1 and min(b[1] for b in blocks) < min_count:
        small = min(range(len(blocks)), key=lambda k: blocks[k][1])
        rate = blocks[small][0] / blocks[small][1]
        neighbours = [k for k in (small - 1, small + 1) if 0 <= k < len(blocks)]
        other = min(neighbours, key=lambda k: abs(blocks[k][0] / blocks[k][1] - rate))
        low, high = min(small, other), max(small, other)
        blocks[low] = [a + b for a, b in zip(blocks[low], blocks[high], strict=True)]
        del blocks[high]
    knots_x = [b[2] / b[1] for b in blocks]
    knots_y = [(b[0] + smoothing * prior) / (b[1] + smoothing) for b in blocks]
    knots_y = list(np.maximum.accumulate(knots_y))  # shrinking may break the order by a hair
    if len(knots_x) == 1:
        knots_x, knots_y = [0.0, 1.0], [knots_y[0], knots_y[0]]
    return Curve(tuple(knots_x), tuple(knots_y))


def fit_platt(raw: Sequence[float], right: Sequence[bool], knots: int = 41, ridge: float = 1e-3) -> Curve:
    """Platt scaling: P(right) = sigmoid(a * logit(raw) + b), fitted by Newton's method on the log loss
    (``ridge`` keeps a and b finite when every record is right); stored as ``knots`` points of the
    sigmoid on [0, 1]. Two parameters, so it extrapolates smoothly where a kind has few records (an
    isotonic curve stays flat beyond its last block)."""
    x = np.asarray(raw, dtype=np.float64)
    y = np.asarray(right, dtype=np.float64)
    if not len(x):
        raise ValueError("no records to calibrate on")
    z = _logit(x)
    features = np.column_stack([z, np.ones_like(z)])
    weights = np.zeros(2)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(features @ weights)))
        gradient = features.T @ (p - y) + ridge * weights
        hessian = (features * (p * (1 - p))[:, None]).T @ features + ridge * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-9:
            break
    grid = np.linspace(0.0, 1.0, knots)
    values = 1.0 / (1.0 + np.exp(-(weights[0] * _logit(grid) + weights[1])))
    return Curve(tuple(float(v) for v in grid), tuple(float(v) for v in values))


FLOOR_GAP = 0.001  # below a kept floor a curve stays this far under it: stored confidences are rounded to 3 places


def keep_floor(curve: Curve, raw: float, floor: float) -> Curve:
    """``curve`` changed as little as possible so that the raw confidences that reach ``floor`` are exactly those
    from ``raw`` up: under ``raw`` it is held at most ``floor - FLOOR_GAP``, from ``raw`` on at least ``floor``.
    A refitted curve then passes a floor (read on its probability) for the same candidates as the curve the
    floor was tuned with, which met it at ``raw``."""
    below = raw - 1e-4  # knots are stored to 4 places; raw confidences have 3
    xs = sorted({*(x for x in curve.x if not below <= x <= raw), below, raw})
    ys = [min(curve(x), floor - FLOOR_GAP) if x < raw else max(curve(x), floor) for x in xs]
    return Curve(tuple(xs), tuple(ys))


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 1e-3, 1 - 1e-3)
    return np.log(x / (1 - x))


@dataclass(frozen=True)
class Calibration:
    """A field's curves by source prefix; the longest prefix a source starts with applies."""

    field: str
    kinds: dict[str, Curve]
    applies: str = "choice"  # "choice": the chooser reads the probability; "stored": only the stored confidence

    def probability(self, source: str, raw: float) -> float | None:
        """The calibrated probability of a candidate from ``source`` with confidence ``raw`` (None: no curve)."""
        matches = [kind for kind in self.kinds if source.startswith(kind)]
        if not matches:
            return None
        return self.kinds[max(matches, key=len)](raw)

    def as_json(self, **extra: object) -> dict[str, object]:
        applies = {} if self.applies == "choice" else {"applies": self.applies}
        return {"field": self.field, **applies,
                "kinds": {kind: curve.as_json() for kind, curve in self.kinds.items()}, **extra}


APPLIES = ("choice", "stored")


def parse(data: dict) -> Calibration:
    applies = data.get("applies", "choice")
    if applies not in APPLIES:
        raise ValueError(f"calibration of {data.get('field')}: applies is {applies!r}, expected one of {APPLIES}")
    return Calibration(data["field"], {kind: Curve(tuple(c["x"]), tuple(c["y"])) for kind, c in data["kinds"].items()},
                       applies)


@cache
def calibration(field: str) -> Calibration | None:
    """The committed calibration of ``field``, or None when its model folder has none (read once)."""
    path = model_dir(field) / CALIBRATION_FILE
    if not path.is_file():
        return None
    return parse(json.loads(path.read_text(encoding="utf-8")))


def reliability(confidence: Sequence[float], right: Sequence[bool], bins: int = 10) -> dict[str, object]:
    """A reliability table (equal-width confidence bins: records, mean confidence, share right) and the
    expected calibration error (the bins' |confidence - share right| weighted by their records)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    rows = []
    error = 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    for number, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        inside = (confidence >= low) & ((confidence < high) if number < bins - 1 else (confidence <= high))
        if not inside.any():
            continue
        mean, share = float(confidence[inside].mean()), float(right[inside].mean())
        error += inside.mean() * abs(mean - share)
        rows.append({"low": round(float(low), 2), "high": round(float(high), 2), "n": int(inside.sum()),
                     "confidence": round(mean, 4), "accuracy": round(share, 4)})  # fmt: skip
    return {"n": int(len(confidence)), "accuracy": float(right.mean()) if len(right) else None,
            "ece": round(float(error), 4), "bins": rows}  # fmt: skip


def pooled(tables: Sequence[dict[str, object]]) -> dict[str, object]:
    """Reliability tables of several sets with the same bins, as one table of all their records (exact: a
    bin's records, mean confidence and share right add up by count)."""
    merged: dict[tuple[float, float], list[float]] = {}  # (low, high) -> [records, confidence sum, right sum]
    for table in tables:
        for row in table["bins"]:
            entry = merged.setdefault((row["low"], row["high"]), [0, 0.0, 0.0])
            entry[0] += row["n"]
            entry[1] += row["n"] * row["confidence"]
            entry[2] += row["n"] * row["accuracy"]
    total = sum(entry[0] for entry in merged.values())
    rows = [{"low": low, "high": high, "n": int(n), "confidence": round(c / n, 4), "accuracy": round(r / n, 4)}
            for (low, high), (n, c, r) in sorted(merged.items()) if n]  # fmt: skip
    error = sum(row["n"] / total * abs(row["confidence"] - row["accuracy"]) for row in rows) if total else 0.0
    right = sum(entry[2] for entry in merged.values())
    return {"n": int(total), "accuracy": right / total if total else None, "ece": round(float(error), 4), "bins": rows}


def ece_noise(table: dict[str, object], draws: int = 2000, seed: int = 0) -> dict[str, float]:
    """How much of a table's ECE its size alone explains, from its bins (records, mean confidence, share right):
    ``calibrated_mean``/``calibrated_p95``: the ECE of a perfectly calibrated source with these confidences
    (each bin's records right with probability its mean confidence), mean and 95th percentile over ``draws``;
    ``bootstrap_low``/``bootstrap_high``: the 5th and 95th percentiles of the ECE over records drawn again
    with replacement. A measured ECE within the first is indistinguishable from perfect calibration."""
    rows = table["bins"]
    counts = np.array([row["n"] for row in rows], dtype=np.int64)
    if not counts.sum():
        return {"calibrated_mean": 0.0, "calibrated_p95": 0.0, "bootstrap_low": 0.0, "bootstrap_high": 0.0}
    confidence = np.array([row["confidence"] for row in rows])
    share = np.array([row["accuracy"] for row in rows])
    rng = np.random.default_rng(seed)
    total = counts.sum()
    right = rng.binomial(counts, confidence, size=(draws, len(rows)))
    calibrated = (np.abs(right - counts * confidence)).sum(axis=1) / total
    drawn = rng.multinomial(total, counts / total, size=draws)
    drawn_right = rng.binomial(drawn, share)
    boot = (np.abs(drawn_right - drawn * confidence)).sum(axis=1) / total
    return {"calibrated_mean": round(float(calibrated.mean()), 4),
            "calibrated_p95": round(float(np.percentile(calibrated, 95)), 4),
            "bootstrap_low": round(float(np.percentile(boot, 5)), 4),
            "bootstrap_high": round(float(np.percentile(boot, 95)), 4)}  # fmt: skip
