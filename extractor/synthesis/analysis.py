"""``synthesize``: the estimates of one outcome across studies, on one scale, pooled.

Each matched estimate is either pooled or kept with the reason it was not: it cannot be put on
the scale (the conversion's flag), its study's design was not asked for, it repeats an estimate
already pooled (same measure, value and CI in another document: a paper and its abstract), or
another estimate of the same study is pooled already (the first reported; estimates of one
study are not independent). ``all_estimates`` pools every estimate instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..store import Store
from .convert import SCALES
from .pooling import Pooled, SynthesisError, pool
from .records import EffectRecord, effect_records, outcome_match


@dataclass
class Synthesis:
    """The matched estimates of an outcome, which were pooled, and the summary."""

    outcome: str
    scale: str
    method: str
    records: list[EffectRecord]  # every matched estimate, pooled or not (``note`` says why not)
    pooled: Pooled
    notes: list[str] = field(default_factory=list)

    @property
    def included(self) -> list[EffectRecord]:
        return [record for record in self.records if record.note is None]

    @property
    def excluded(self) -> list[EffectRecord]:
        return [record for record in self.records if record.note is not None]


def choose_scale(records: list[EffectRecord]) -> str:
    """The scale most matched estimates convert to (ties in ``SCALES`` order)."""
    counts = Counter(r.conversion.scale for r in records if r.conversion and r.conversion.poolable)
    if not counts:
        raise SynthesisError("no matched estimate has a standard error on any scale")
    return max(SCALES, key=lambda scale: (counts.get(scale, 0), -SCALES.index(scale)))


def matched_records(store: Store, outcome: str, scale: str | None) -> list[EffectRecord]:
    """Every stored estimate about ``outcome``, converted to ``scale`` (or its natural scale)."""
    found = []
    for record in effect_records(store, scale):
        record.match = outcome_match(record, outcome)
        if record.match:
            found.append(record)
    return found


def synthesize(
    store: Store,
    outcome: str,
    measure: str | None = None,
    method: str = "reml",
    designs: list[str] | None = None,
    all_estimates: bool = False,
    knapp_hartung: bool = False,
) -> Synthesis:
    """Gather the estimates of ``outcome``, put them on one scale and pool them (random effects)."""
    if measure is not None and measure not in SCALES:
        raise SynthesisError(f"unknown measure {measure!r}", hint=f"use one of {', '.join(SCALES)}")
    records = matched_records(store, outcome, measure)
    if not records:
        raise SynthesisError(f"no stored effect estimate matches the outcome {outcome!r}",
                             hint="name an instrument (PHQ-9) or a construct (depression) the records use")
    scale = measure or choose_scale(records)
    if measure is None:
        records = matched_records(store, outcome, scale)
    seen: dict[tuple[str, float, tuple[float, float] | None], str] = {}
    pooled_studies: set[tuple[str, int]] = set()
    for record in records:
        conversion, estimate = record.conversion, record.estimate
        key = (estimate.measure, estimate.value, estimate.ci)
        if conversion is None or not conversion.poolable:
            record.note = conversion.flag if conversion and conversion.flag else "no standard error"
        elif designs and estimate.design not in designs:
            record.note = f"design {estimate.design or 'unknown'} not asked for"
        elif estimate.ci is not None and key in seen and seen[key] != record.doc_id:
            record.note = f"repeats the estimate of {seen[key]}"
        elif not all_estimates and (record.doc_id, record.study_index) in pooled_studies:
            record.note = "another estimate of this study is pooled (the first reported)"
        else:
            pooled_studies.add((record.doc_id, record.study_index))
            seen.setdefault(key, record.doc_id)
    included = [record for record in records if record.note is None]
    summary = pool([r.conversion.yi for r in included], [r.conversion.vi for r in included],  # type: ignore[union-attr]
                   method=method, knapp_hartung=knapp_hartung)
    notes = []
    measures = sorted({r.estimate.measure for r in included})
    if len(measures) > 1:
        notes.append(f"pooled on the {scale} scale from {', '.join(measures)}")
    if designs:
        notes.append(f"only {', '.join(designs)} designs pooled")
    if all_estimates:
        notes.append("every estimate pooled, several per study: they are not independent")
    return Synthesis(outcome=outcome, scale=scale, method=method, records=records, pooled=summary, notes=notes)
