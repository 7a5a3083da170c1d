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
    weights: dict[int, float] = {}
    if synthesis.pooled is not None:
        weights = dict(zip(map(id, included), synthesis.pooled.weights([r.conversion.vi for r in included]),  # type: ignore[misc]
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


# The reasons an estimate is left out, from the synthesis's notes, as the summary counts them.
_KINDS = (
    ("shares participants", "shares participants with a pooled study"),
    ("are not pooled with", "another design family"),
    ("another kind of measure", "converted from another kind of measure"),
    ("not asked for", "design not asked for"),
    ("repeats the estimate", "repeats another document's estimate"),
    ("another estimate of this study", "further estimates of a study already pooled"),
)


def left_out_kind(note: str) -> str:
    """The kind of reason a note gives (``another design family``), for the summary's counts."""
    return next((kind for cue, kind in _KINDS if cue in note), "not convertible to the scale, or no standard error")


def left_out_lines(synthesis: Synthesis) -> list[str]:
    """``# left out (reason): who`` lines, one per kind of reason, naming each study left out and its design."""
    grouped: dict[str, dict[tuple[str, int], str]] = {}
    for record in synthesis.excluded:
        names = grouped.setdefault(left_out_kind(record.note or ""), {})
        name = record.study if record.study == record.doc_id else f"{record.study} [{record.doc_id}]"
        names.setdefault((record.doc_id, record.study_index),
                         name + (f" ({record.estimate.design})" if record.estimate.design else ""))
    return [f"# left out ({kind}): {'; '.join(names.values())}" for kind, names in grouped.items()]


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
    lines += left_out_lines(synthesis)
    lines += [f"# warning: {warning}" for warning in synthesis.warnings]
    ratio = " (exponentiated)" if scale in RATIOS else ""
    if pooled is None:
        count = len(synthesis.included)
        lines.append(f"# {synthesis.outcome} on {scale}: {count} estimate{'' if count == 1 else 's'} left to pool, "
                     "nothing pooled")
        lines += [f"# {note}" for note in synthesis.notes]
        return lines
    lines.append(
        f"# {synthesis.outcome} on {scale}{ratio}, random effects ({synthesis.method.upper()}), k = {pooled.k}: "
        f"{_shown(pooled.estimate, scale):.3f} [{_shown(pooled.ci_low, scale):.3f}, {_shown(pooled.ci_high, scale):.3f}], "
        f"p = {pooled.p:.3g}; tau2 = {pooled.tau2:.4f}, I2 = {pooled.i2:.1f}%, Q({pooled.q_df}) = {pooled.q:.2f}; "
        f"prediction interval {_shown(pooled.pi_low, scale):.3f} to {_shown(pooled.pi_high, scale):.3f}"
    )
    lines += [f"# {note}" for note in synthesis.notes]
    return lines
