"""The summary table of a synthesis: one row per matched estimate, pooled or not, with its provenance."""

from __future__ import annotations

import math
from pathlib import Path

from ..spreadsheet import DictWriter
from .analysis import Synthesis
from .convert import RATIOS
from .exports import METAFOR_COLUMNS, metafor_row

SUMMARY_COLUMNS = ["pooled", "weight", "not_pooled_because", "match", *METAFOR_COLUMNS]


def write_summary(synthesis: Synthesis, path: Path) -> Path:
    """``summary.csv``: each matched estimate with its weight or the reason it was left out."""
    included = synthesis.included
    weights = dict(zip(map(id, included), synthesis.pooled.weights([r.conversion.vi for r in included]),  # type: ignore[union-attr,misc]
                       strict=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        for record in synthesis.records:
            weight = weights.get(id(record))
            writer.writerow({
                "pooled": int(record.note is None), "weight": "" if weight is None else f"{weight:.2f}",
                "not_pooled_because": record.note or "", "match": record.match, **metafor_row(record),
            })
    return path


def _shown(value: float, scale: str) -> float:
    return math.exp(value) if scale in RATIOS else value


def summary_lines(synthesis: Synthesis) -> list[str]:
    """Tab-separated lines for stdout: the estimates, then the pooled result."""
    scale, pooled = synthesis.scale, synthesis.pooled
    lines = ["pooled\tstudy\toutcome\treported\tyi\tsei\tdoc_id\tspan\tnote"]
    for record in synthesis.records:
        conversion, estimate = record.conversion, record.estimate
        reported = f"{estimate.measure} {estimate.value:g}" + (
            f" [{estimate.ci[0]:g}, {estimate.ci[1]:g}]" if estimate.ci else "")
        yi = "" if conversion is None or conversion.yi is None else f"{conversion.yi:.4f}"
        sei = "" if conversion is None or conversion.sei is None else f"{conversion.sei:.4f}"
        lines.append("\t".join([
            "yes" if record.note is None else "no", record.study, record.outcome or "", reported, yi, sei,
            record.doc_id, f"{record.start}-{record.end}", record.note or "",
        ]))
    ratio = " (exponentiated)" if scale in RATIOS else ""
    lines.append(
        f"# {synthesis.outcome} on {scale}{ratio}, random effects ({synthesis.method.upper()}), k = {pooled.k}: "
        f"{_shown(pooled.estimate, scale):.3f} [{_shown(pooled.ci_low, scale):.3f}, {_shown(pooled.ci_high, scale):.3f}], "
        f"p = {pooled.p:.3g}; tau2 = {pooled.tau2:.4f}, I2 = {pooled.i2:.1f}%, Q({pooled.q_df}) = {pooled.q:.2f}; "
        f"prediction interval {_shown(pooled.pi_low, scale):.3f} to {_shown(pooled.pi_high, scale):.3f}"
    )
    lines += [f"# {note}" for note in synthesis.notes]
    return lines
