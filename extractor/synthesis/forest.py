"""A forest plot of a synthesis (matplotlib, Agg backend), written as PNG and SVG.

Pooled estimates have a square sized by weight and their CI; the random-effects summary is a
diamond with its prediction interval as a line. Estimates that matched but were not pooled are
listed beneath in grey with the reason. Ratio scales are drawn on a log axis labelled as ratios.
"""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

from .analysis import Synthesis
from .convert import RATIOS
from .records import EffectRecord

_LABELS = {"SMD": "Standardised mean difference", "MD": "Mean difference", "RD": "Risk difference",
           "ZCOR": "Fisher's z of r", "OR": "Odds ratio", "RR": "Risk ratio", "HR": "Hazard ratio"}


def _shown(value: float, scale: str) -> float:
    return math.exp(value) if scale in RATIOS else value


def _interval_text(centre: float, low: float, high: float, scale: str) -> str:
    return f"{_shown(centre, scale):.2f} [{_shown(low, scale):.2f}, {_shown(high, scale):.2f}]"


def _row_label(record: EffectRecord, width: int = 46) -> str:
    outcome = record.outcome or record.construct or "outcome not linked"
    text = f"{record.study} - {outcome}"
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def forest_plot(synthesis: Synthesis, out_dir: Path, stem: str = "forest") -> list[Path]:
    """Draw ``synthesis`` to ``out_dir/stem.png`` and ``.svg``; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "extractor"  # stable ids, so a re-drawn SVG diffs cleanly
    scale, pooled = synthesis.scale, synthesis.pooled
    included, excluded = synthesis.included, synthesis.excluded
    z = NormalDist().inv_cdf(0.975)
    weights = pooled.weights([r.conversion.vi for r in included])  # type: ignore[union-attr,misc]
    rows = len(included) + len(excluded) + (4 if excluded else 2)
    figure, axes = plt.subplots(figsize=(11, 1.4 + 0.34 * rows))
    y = rows
    axes.text(-0.02, y, "Study - outcome (evidence in the records)", transform=axes.get_yaxis_transform(),
              ha="right", va="center", fontweight="bold", fontsize=9)
    axes.text(1.02, y, f"{scale} [95% CI]   weight", transform=axes.get_yaxis_transform(), ha="left",
              va="center", fontweight="bold", fontsize=9)
    spans: list[float] = [pooled.pi_low, pooled.pi_high]
    for record, weight in zip(included, weights, strict=True):
        y -= 1
        conversion = record.conversion
        low, high = conversion.yi - z * conversion.sei, conversion.yi + z * conversion.sei  # type: ignore[union-attr,operator]
        spans += [low, high]
        axes.plot([_shown(low, scale), _shown(high, scale)], [y, y], color="black", linewidth=1)
        axes.plot([_shown(conversion.yi, scale)], [y], marker="s", color="black",  # type: ignore[union-attr,arg-type]
                  markersize=4 + 10 * math.sqrt(weight / 100))
        axes.text(-0.02, y, _row_label(record), transform=axes.get_yaxis_transform(), ha="right", va="center",
                  fontsize=8.5)
        axes.text(1.02, y, f"{_interval_text(conversion.yi, low, high, scale)}   {weight:.1f}%",  # type: ignore[union-attr,arg-type]
                  transform=axes.get_yaxis_transform(), ha="left", va="center", fontsize=8.5)
    y -= 1.2
    diamond_x = [_shown(v, scale) for v in (pooled.ci_low, pooled.estimate, pooled.ci_high, pooled.estimate)]
    axes.fill(diamond_x, [y, y + 0.3, y, y - 0.3], color="#1f4e79")
    axes.plot([_shown(pooled.pi_low, scale), _shown(pooled.pi_high, scale)], [y, y], color="#1f4e79",
              linewidth=1, linestyle=(0, (2, 2)))
    method = {"reml": "REML", "dl": "DerSimonian-Laird"}[synthesis.method]
    axes.text(-0.02, y, f"Random effects ({method}), k = {pooled.k}", transform=axes.get_yaxis_transform(),
              ha="right", va="center", fontsize=8.5, fontweight="bold")
    axes.text(1.02, y, _interval_text(pooled.estimate, pooled.ci_low, pooled.ci_high, scale),
              transform=axes.get_yaxis_transform(), ha="left", va="center", fontsize=8.5, fontweight="bold")
    if excluded:
        y -= 1.2
        axes.text(-0.02, y, "Matched but not pooled", transform=axes.get_yaxis_transform(), ha="right",
                  va="center", fontsize=8.5, fontweight="bold", color="#666666")
        for record in excluded:
            y -= 1
            axes.text(-0.02, y, _row_label(record), transform=axes.get_yaxis_transform(), ha="right",
                      va="center", fontsize=8, color="#666666")
            reason = record.note or ""
            axes.text(1.02, y, reason if len(reason) <= 60 else reason[:59] + "\u2026",
                      transform=axes.get_yaxis_transform(), ha="left", va="center", fontsize=7.5, color="#666666")
    axes.set_ylim(y - 0.8, rows + 0.6)
    null = 1.0 if scale in RATIOS else 0.0
    axes.axvline(null, color="#999999", linewidth=0.8)
    low, high = min(spans), max(spans)
    margin = 0.05 * (high - low or 1)
    if scale in RATIOS:
        axes.set_xscale("log")
    axes.set_xlim(_shown(min(low - margin, math.log(null) if scale in RATIOS else null), scale),
                  _shown(max(high + margin, math.log(null) if scale in RATIOS else null), scale))
    axes.set_yticks([])
    for side in ("left", "right", "top"):
        axes.spines[side].set_visible(False)
    axes.set_xlabel(_LABELS.get(scale, scale) + (" (log scale)" if scale in RATIOS else ""), fontsize=9)
    footer = (f"tau\u00b2 = {pooled.tau2:.3f}, I\u00b2 = {pooled.i2:.0f}%, Q({pooled.q_df}) = {pooled.q:.2f} "
              f"(p = {pooled.q_p:.2g}); 95% prediction interval (dashed) "
              f"{_shown(pooled.pi_low, scale):.2f} to {_shown(pooled.pi_high, scale):.2f}")
    shared = [warning.split(" share participants")[0] + " share participants" for warning in synthesis.warnings]
    notes = synthesis.notes + [f"warning: {text}" for text in shared]
    axes.set_title("\n".join([f"{synthesis.outcome}: {footer}", *notes]), fontsize=8.5, loc="left")
    title_inches = 0.45 + 0.16 * len(notes)  # one line of title per note
    figure.subplots_adjust(left=0.36, right=0.66, top=1 - title_inches / (1.4 + 0.34 * rows) - 0.02, bottom=0.12)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.svg"]
    figure.savefig(paths[0], dpi=150)
    figure.savefig(paths[1], metadata={"Date": None})
    plt.close(figure)
    return paths
