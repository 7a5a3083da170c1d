"""Files meta-analysis tools read: a metafor CSV (``yi``, ``vi``) and a RevMan generic inverse variance CSV.

metafor: one row per extracted estimate, on its analysis scale (``measure`` as ``escalc`` names
it; ratios as natural logs), ready for ``rma(yi, vi, data = read.csv(...))``. Estimates that
cannot be converted keep their row with ``yi``/``vi`` empty (NA in R; ``rma`` leaves them out)
and the reason in ``flag``. RevMan: the rows with an estimate and SE only, ratios as natural
logs as RevMan's generic inverse variance outcome wants them. Both carry the source columns:
doc_id, study label, evidence span and its offsets, the conversion formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from ..spreadsheet import DictWriter
from .records import EffectRecord

METAFOR_COLUMNS = [
    "study", "year", "doc_id", "study_index", "outcome", "instrument", "construct", "measure", "yi", "vi", "sei",
    "reported_measure", "reported_value", "ci_low", "ci_high", "ci_level", "p", "p_operator", "design", "n1", "n2",
    "adjusted", "formula", "based_on", "assumptions", "flag", "evidence", "start", "end", "source", "corrected",
]  # fmt: skip
REVMAN_COLUMNS = [
    "Study ID", "Year", "Outcome", "Effect measure", "Estimate", "SE", "Experimental N", "Control N",
    "doc_id", "Evidence", "Start", "End", "Formula", "Assumptions",
]  # fmt: skip


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def metafor_row(record: EffectRecord) -> dict[str, Any]:
    """One metafor CSV row."""
    estimate, conversion = record.estimate, record.conversion
    sizes = estimate.group_sizes or (None, None)
    return {
        "study": record.study, "year": record.year, "doc_id": record.doc_id, "study_index": record.study_index,
        "outcome": record.outcome, "instrument": record.instrument, "construct": record.construct,
        "measure": conversion.scale if conversion else None,
        "yi": _number(conversion.yi if conversion else None), "vi": _number(conversion.vi if conversion else None),
        "sei": _number(conversion.sei if conversion else None),
        "reported_measure": estimate.measure, "reported_value": estimate.value,
        "ci_low": estimate.ci[0] if estimate.ci else None, "ci_high": estimate.ci[1] if estimate.ci else None,
        "ci_level": estimate.ci_level if estimate.ci else None, "p": estimate.p, "p_operator": estimate.p_operator,
        "design": estimate.design, "n1": sizes[0], "n2": sizes[1], "adjusted": int(estimate.adjusted),
        "formula": conversion.formula if conversion else "", "based_on": conversion.based_on if conversion else "",
        "assumptions": "; ".join(conversion.assumptions) if conversion else "",
        "flag": (conversion.flag if conversion else "not converted") or "",
        "evidence": " ".join((record.evidence or "").split()), "start": record.start, "end": record.end,
        "source": record.source, "corrected": int(record.corrected),
    }


def write_metafor(records: Iterable[EffectRecord], handle: TextIO) -> int:
    """Write the metafor CSV; returns the number of rows."""
    writer = DictWriter(handle, fieldnames=METAFOR_COLUMNS)
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(metafor_row(record))
        count += 1
    return count


def write_revman(records: Iterable[EffectRecord], handle: TextIO) -> tuple[int, int]:
    """Write the RevMan generic inverse variance CSV; returns (rows written, estimates left out)."""
    writer = DictWriter(handle, fieldnames=REVMAN_COLUMNS)
    writer.writeheader()
    written = skipped = 0
    for record in records:
        conversion = record.conversion
        if conversion is None or conversion.yi is None or conversion.sei is None or conversion.flag:
            skipped += 1
            continue
        sizes = record.estimate.group_sizes or (None, None)
        writer.writerow({
            "Study ID": record.study, "Year": record.year, "Outcome": record.outcome or record.construct or "",
            "Effect measure": conversion.scale, "Estimate": f"{conversion.yi:.6g}", "SE": f"{conversion.sei:.6g}",
            "Experimental N": sizes[0], "Control N": sizes[1], "doc_id": record.doc_id,
            "Evidence": " ".join((record.evidence or "").split()), "Start": record.start, "End": record.end,
            "Formula": conversion.formula, "Assumptions": "; ".join(conversion.assumptions),
        })
        written += 1
    return written, skipped
