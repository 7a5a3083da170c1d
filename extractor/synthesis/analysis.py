"""``synthesize``: the estimates of one outcome across studies, on one scale, pooled.

Each matched estimate is either pooled or kept with the reason it was not: it cannot be put on
the scale (the conversion's flag), its study's design was not asked for, its design family is not
the one pooled (randomised trials, non-randomised studies, observational studies and reviews stay
apart), it reached the scale by converting one kind of measure into another (an odds ratio as an
SMD), it repeats an estimate already pooled (same measure, value and CI in another document: a paper
and its abstract), another estimate of the same study is pooled already (one matched on its own
outcome before one matched by construct, then the first reported), or its study shares participants
with a pooled one (same registration, same trial named, a follow-up). ``allow_mixed`` pools across
families and kinds; ``keep_shared`` keeps every report of shared participants (with the warning);
``all_estimates`` pools every estimate of a study.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..store import Store
from .convert import SCALES
from .families import FAMILY_NAMES, FAMILY_ORDER, crosses_kinds, design_family
from .overlap import StudyFacts, later_report, shared_participants
from .pooling import Pooled, SynthesisError, pool
from .records import MATCH_RANK, EffectRecord, distinct_labels, effect_records, outcome_match


@dataclass
class Synthesis:
    """The matched estimates of an outcome, which were pooled, and the summary."""

    outcome: str
    scale: str
    method: str
    records: list[EffectRecord]  # every matched estimate, pooled or not (``note`` says why not)
    pooled: Pooled | None  # None when fewer than two estimates are left to pool
    family: str | None = None  # the design family pooled; None when families are mixed (--allow-mixed)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shared participants

    @property
    def included(self) -> list[EffectRecord]:
        return [record for record in self.records if record.note is None]

    @property
    def excluded(self) -> list[EffectRecord]:
        return [record for record in self.records if record.note is not None]


def choose_scale(records: list[EffectRecord]) -> str:
    """The scale most studies' matched estimates convert to (ties in ``SCALES`` order)."""
    studies = {(r.doc_id, r.study_index, r.conversion.scale) for r in records
               if r.conversion and r.conversion.poolable}
    counts = Counter(scale for _, _, scale in studies)
    if not counts:
        raise SynthesisError("no matched estimate has a standard error on any scale")
    return max(SCALES, key=lambda scale: (counts.get(scale, 0), -SCALES.index(scale)))


def choose_family(records: list[EffectRecord]) -> str:
    """The design family with the most studies that have a poolable estimate (ties: trials first)."""
    studies = {(r.doc_id, r.study_index, design_family(r.estimate.design)) for r in records
               if r.conversion and r.conversion.poolable}
    counts = Counter(family for _, _, family in studies)
    return max(FAMILY_ORDER, key=lambda family: (counts.get(family, 0), -FAMILY_ORDER.index(family)))


def matched_records(store: Store, outcome: str, scale: str | None) -> list[EffectRecord]:
    """Every stored estimate about ``outcome``, converted to ``scale`` (or its natural scale)."""
    found = []
    for record in effect_records(store, scale):
        record.match = outcome_match(record, outcome)
        if record.match:
            found.append(record)
    distinct_labels(found)
    return found


def synthesize(
    store: Store,
    outcome: str,
    measure: str | None = None,
    method: str = "reml",
    designs: list[str] | None = None,
    all_estimates: bool = False,
    knapp_hartung: bool = False,
    allow_mixed: bool = False,
    keep_shared: bool = False,
) -> Synthesis:
    """Gather the estimates of ``outcome``, put them on one scale and pool them (random effects)."""
    if measure is not None and measure not in SCALES:
        raise SynthesisError(f"unknown measure {measure!r}", hint=f"use one of {', '.join(SCALES)}")
    records = matched_records(store, outcome, None)
    if not records:
        raise SynthesisError(f"no stored effect estimate matches the outcome {outcome!r}",
                             hint="name an instrument (PHQ-9) or a construct (depression) the records use")
    asked = [r for r in records if not designs or r.estimate.design in designs]
    family = None if allow_mixed else choose_family(asked or records)
    scale = measure or choose_scale([r for r in asked if family is None
                                     or design_family(r.estimate.design) == family] or asked or records)
    records = matched_records(store, outcome, scale)
    result = Synthesis(outcome=outcome, scale=scale, method=method, records=records, pooled=None, family=family)
    _select(result, designs, all_estimates, allow_mixed)
    _set_aside_shared(result, keep_shared)
    included = result.included
    notes = result.notes
    measures = sorted({r.estimate.measure for r in included})
    if len(measures) > 1:
        notes.append(f"pooled on the {scale} scale from {', '.join(measures)}")
    if family is not None:
        notes.append(f"only {FAMILY_NAMES[family]} pooled (design families are not mixed; --allow-mixed mixes them)")
    else:
        families = sorted({design_family(r.estimate.design) for r in included}, key=FAMILY_ORDER.index)
        if len(families) > 1:
            notes.append(f"design families mixed (--allow-mixed): {', '.join(FAMILY_NAMES[f] for f in families)}")
    if designs:
        notes.append(f"only {', '.join(designs)} designs pooled")
    if all_estimates:
        notes.append("every estimate pooled, several per study: they are not independent")
    if len(included) < 2:
        return result  # nothing to pool: the caller says so, after showing what was left out and why
    result.pooled = pool([r.conversion.yi for r in included], [r.conversion.vi for r in included],  # type: ignore[union-attr]
                         method=method, knapp_hartung=knapp_hartung)
    return result


def _select(result: Synthesis, designs: list[str] | None, all_estimates: bool, allow_mixed: bool) -> None:
    """Set each record's ``note`` to why it is not pooled (None: pooled)."""
    scale, family = result.scale, result.family
    seen: dict[tuple[str, float, tuple[float, float] | None], str] = {}
    pooled_studies: dict[tuple[str, int], str | None] = {}  # study -> how its pooled estimate matched
    # Of one study, an estimate matched on its own outcome goes before one matched by construct only.
    ranked = sorted(result.records, key=lambda r: MATCH_RANK.get(r.match or "", 2))
    for record in ranked:
        conversion, estimate = record.conversion, record.estimate
        key = (estimate.measure, estimate.value, estimate.ci)
        own_family = design_family(estimate.design)
        if conversion is None or not conversion.poolable:
            record.note = conversion.flag if conversion and conversion.flag else "no standard error"
        elif designs and estimate.design not in designs:
            record.note = f"design {estimate.design or 'unknown'} not asked for"
        elif family is not None and own_family != family:
            record.note = (f"{estimate.design or 'design unknown'}: {FAMILY_NAMES[own_family]} are not pooled with "
                           f"{FAMILY_NAMES[family]} (--allow-mixed mixes them; --design chooses)")
        elif not allow_mixed and crosses_kinds(estimate.measure, scale):
            record.note = (f"{estimate.measure} converted to {scale}: another kind of measure, pooled only with "
                           "--allow-mixed")
        elif estimate.ci is not None and key in seen and seen[key] != record.doc_id:
            record.note = f"repeats the estimate of {seen[key]}"
        elif not all_estimates and (record.doc_id, record.study_index) in pooled_studies:
            better = MATCH_RANK.get(pooled_studies[(record.doc_id, record.study_index)] or "", 2) < MATCH_RANK.get(
                record.match or "", 2)
            record.note = "another estimate of this study is pooled" + (
                " (one matched on its own outcome)" if better else " (the first reported)")
        else:
            pooled_studies[(record.doc_id, record.study_index)] = record.match
            seen.setdefault(key, record.doc_id)


def _set_aside_shared(result: Synthesis, keep_shared: bool) -> None:
    """Warn about pooled studies that share participants; unless ``keep_shared``, pool one of each group."""
    studies: dict[tuple[str, int], StudyFacts] = {}
    labels: dict[tuple[str, int], str] = {}
    for record in result.included:
        key = (record.doc_id, record.study_index)
        if record.facts is not None:
            studies.setdefault(key, record.facts)
            labels.setdefault(key, record.study if record.study == record.doc_id else f"{record.study} ({record.doc_id})")
    for group in shared_participants(list(studies.items())):
        follow_ups = [f"{labels[key]} is {text}" for key in group.others
                      if (text := later_report(studies[group.kept], studies[key]))]
        why = "; ".join(group.reasons + follow_ups)
        others = ", ".join(labels[key] for key in group.others)
        if keep_shared:
            result.warnings.append(f"{labels[group.kept]} and {others} share participants ({why}); "
                                   "both pooled (--keep-shared): they are not independent")
            continue
        result.warnings.append(f"{labels[group.kept]} and {others} share participants ({why}); "
                               f"kept {labels[group.kept]}, left out {others} (--keep-shared pools both)")
        for record in result.included:
            if (record.doc_id, record.study_index) in group.others:
                record.note = f"shares participants with {labels[group.kept]} ({why}); kept that one"
