"""Effect estimates and test results: measure, value, confidence interval, p-value, and what they are about.

One pass over the unit's text finds every *anchor*: a measure's name
(``odds ratio``, ``standardised mean difference``, ``effect size``), its
abbreviation (``OR``, ``aOR``, ``SMD``), a symbol with its value (``d = .23``,
``β = 0.2``), or an APA statistic (``t(28) = 2.20``, ``χ2(1, N = 100) = 4.2``).
After a name the value is looked for past labels and verbs (``adjusted mean
difference (NIM - SAU), 1.4``; ``The RR up to 12 months was 1.88``); after the
value a *tail* of CI, p-value, units and brackets is read in any order
(``1.4; 95% confidence interval (-0.63, 3.53); P = 0.17``). A value list after
one name (``effect sizes of 0.25 (...), 0.20 (...)``) shares the name, and a
bracketed estimate with no name of its own (``for depression (−0.19, p =
0.015)``, ``(0.68, 0.55 to 0.84)``) takes the measure last named before it.

Not effects: lone p-values, percentages, means and SDs, I², E-values, counts.
Every candidate is returned with a confidence; the chooser (``extract.choice``) picks.

The work is split by responsibility: ``effect_lexicon`` (the data file, compiled once),
``effect_measures`` (anchors and the values they introduce), ``effect_tail`` (CI and p-value
attachment), ``effect_links`` (outcome and comparison) and ``statistics`` (APA test results and
PDF glyph repair, re-exported here). This module turns the candidates into ``ExtractedValue``s.
"""

from __future__ import annotations

import re

from ...textlayer import TextLayer
from ...types import ExtractedValue
from .lexicon import load_lexicon
from .links import (
    COUNT_LEVEL,
    TIME_POINT,
    associated_outcome,
    clause_outcomes,
    clean_outcome,
    estimate_outcome,
    sentence_comparison,
)
from .measures import (
    anchor_measure,
    from_anchor,
    inherited_estimates,
    labelled_estimates,
    per_population_estimates,
    sd_unit_estimates,
)
from .respective import respective_outcomes, respective_p_values
from .statistics import blank_controls, iter_statistics, parse_statistic, repair_pdf_glyphs
from .tables import VERSION as TABLE_VERSION
from .tables import table_estimates
from .tail import Estimate, share_p_values

__all__ = ["VERSION", "find_effects", "iter_statistics", "parse_statistic", "repair_pdf_glyphs"]

VERSION = 1


def find_effects(layer: TextLayer, start: int = 0, end: int | None = None) -> list[ExtractedValue]:
    """Every effect estimate or test result in ``layer.text[start:end]``, as candidates with evidence spans."""
    text = layer.text
    end = len(text) if end is None else end
    scan = repair_pdf_glyphs(blank_controls(text))
    lexicon = load_lexicon()
    estimates: list[Estimate] = []
    taken: list[tuple[int, int]] = []
    mentions: list[tuple[int, int, str, float]] = []
    consumed = start
    for match in lexicon.anchor.finditer(scan, start, end):
        if match.start() < consumed:
            continue
        found = from_anchor(scan, match, end, text)
        if match.group("phrase") or match.group("abbr"):
            measure, weight, _ = anchor_measure(match, lexicon)
            mentions.append((match.start(), match.end(), measure, weight))
        if found:
            estimates.extend(found)
            consumed = max(e.end for e in found)
            taken.append((match.start(), consumed))
    estimates.extend(sd_unit_estimates(scan, start, end, taken))
    estimates.extend(per_population_estimates(scan, start, end, taken))
    estimates.extend(labelled_estimates(scan, layer, start, end, taken, mentions))
    estimates.extend(inherited_estimates(scan, layer, start, end, taken, mentions))
    estimates.sort(key=lambda e: e.start)
    _effect_sizes_as_defined(scan, estimates)
    share_p_values(scan, estimates, layer, start, end)
    respective_p_values(scan, estimates, _sentences_of(layer, estimates, start, end), start, end)
    sentences: dict[int, tuple[bool, bool, str | None]] = {}
    values = [_to_value(scan, layer, estimate, start, end, sentences) for estimate in estimates]
    _time_point_lists(scan, estimates, values)
    _respective_lists(scan, layer, start, end, estimates, values)
    values.extend(_table_values(scan, layer, start, end, values))
    return values


def _table_values(scan: str, layer: TextLayer, start: int, end: int,
                  found: list[ExtractedValue]) -> list[ExtractedValue]:
    """Estimates in the cells of a results table (``tables``) that the grammar above did not read."""
    taken = [(value.start or 0, value.end or 0) for value in found]
    values = []
    for estimate in table_estimates(scan, start, end):
        if any(estimate.start < stop and begin < estimate.end for begin, stop in taken):
            continue
        ci = list(estimate.ci) if estimate.ci else None
        value = {"measure": estimate.measure, "value": estimate.value, "ci": ci, "p": estimate.p}
        if estimate.outcome:
            value["outcome"] = estimate.outcome
        values.append(ExtractedValue(
            field="effect", value=value, start=estimate.start, end=estimate.end, confidence=0.8,
            source=f"rule:effects.table.v{TABLE_VERSION}",
            attributes={"outcome": estimate.outcome, "p_operator": estimate.p_operator,
                        "ci_level": 95.0 if ci else None, "adjusted": False,
                        "row": estimate.row_label, "estimate_text": layer.text[estimate.start : estimate.end]},
        ))
    return values


_GENERIC_ES = re.compile(r"(?i)\beffect\s+sizes?\b")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _effect_sizes_as_defined(scan: str, estimates: list[Estimate]) -> None:
    """``The median effect size was SMD = 0.29 (...). ... showed median effect sizes of 0.43, 0.28 and 0.36``:
    once the paragraph has said which measure its effect sizes are, a generic effect size is that measure."""
    defined: tuple[int, str] | None = None  # (where, measure)
    for estimate in estimates:
        if estimate.measure in {"SMD", "d", "g"} and _GENERIC_ES.search(
            scan, max(0, estimate.anchor_start - 60), estimate.anchor_start
        ):
            defined = (estimate.end, estimate.measure)
        elif (
            estimate.measure == "ES"
            and defined is not None
            and estimate.anchor_start - defined[0] <= 600
            and not _PARAGRAPH.search(scan, defined[0], estimate.anchor_start)
        ):
            estimate.measure = defined[1]
            estimate.attributes["measure_from"] = "defined"


_ASSOCIATION = {"OR", "RR", "HR", "b", "beta", "r", "other"}  # measures of association with an exposure
_TIME_ITEM = re.compile(
    rf"\s*[,;]?\s*(?:and\s+|or\s+)?(?:at\s+|after\s+|by\s+)?{TIME_POINT}[^,;()\[\]]{{0,20}}[(\[]?\s*$",
    re.I,
)
# "depressive symptoms-one ACE (AOR = 2.1), two ACEs (AOR = 3.2) and three to five ACEs (AOR = 9.7)"
_LEVEL_ITEM = re.compile(
    rf"\s*[)\]]?\s*[,;]?\s*(?:and\s+|or\s+)?{COUNT_LEVEL.pattern[4:]}\s*[(\[]?\s*", re.I
)

# "HR 3.4 (3.1-3.7) for males, corresponding to 20.6 (19.0-22.2) additional deaths": the same outcome re-expressed
_CORRESPONDING = re.compile(
    r"[^.;]{0,80}?\b(?:corresponding|equivalent|equating|translating)\s+(?:to|into)\s+(?:an?\s+)?",
    re.I,
)


def _time_point_lists(scan: str, estimates: list[Estimate], values: list[ExtractedValue]) -> None:
    """``exclusive breastfeeding at two weeks (RR 1.82, ...), six weeks (1.85, ...)``, ``effect sizes of 0.43, 0.28
    and 0.36, respectively``, ``X-one ACE (OR 2.1), two ACEs (OR 3.2)``, ``HR 3.4 (...), corresponding to 20.6 (...) more
    deaths``: a later value of a list, of a list of time points or exposure levels, or re-expressing the value
    before it, is about the outcome of the one before it."""
    for index in range(1, len(values)):
        value, previous = values[index], values[index - 1]
        outcome = previous.attributes.get("outcome")
        estimate = estimates[index]
        if not outcome or estimate.tail.outcome:
            continue
        between = scan[estimates[index - 1].end : estimate.anchor_start]
        later_in_list = (
            estimate.rule in {"list", "range"}
            or (
                estimate.rule == "labelled"
                and estimates[index - 1].rule == "labelled"
                and not value.attributes.get("outcome")
                and len(between) < 80
            )
        )  # "11 (6 to 80) for postnatal support and 10 (6 to 60) for ...": the list's outcome, not "for" an arm
        # "..., two ACEs (AOR": the words before the estimate are only its exposure level
        if later_in_list or _LEVEL_ITEM.fullmatch(between) or (
            not value.attributes.get("outcome")
            and (_TIME_ITEM.fullmatch(between) or _CORRESPONDING.fullmatch(between))
        ):
            value.attributes["outcome"] = outcome
            value.value["outcome"] = outcome
            value.attributes.pop("outcome_candidates", None)


_FIRST_NUMBER = re.compile(r"(?<![\w.])[-\u2212]?\.?\d")


def _value_start(scan: str, estimate: Estimate) -> int:
    """Where the estimate's value is printed (after its measure's name, a label or a gap)."""
    number = _FIRST_NUMBER.search(scan, estimate.start, estimate.end)
    return number.start() if number else estimate.start


def _sentences_of(layer: TextLayer, estimates: list[Estimate], start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) of each estimate's sentence (the unit's bounds where no sentence holds it)."""
    sentences = []
    for estimate in estimates:
        sentence = layer.sentence_at(estimate.start)
        sentences.append((sentence.start, sentence.end) if sentence else (start, end))
    return sentences


def _respective_lists(
    scan: str, layer: TextLayer, start: int, end: int, estimates: list[Estimate], values: list[ExtractedValue]
) -> None:
    """``improved anxiety and depression (d = 0.31 and 0.42, respectively)``: each value of a run closed by
    ``respectively`` takes its own outcome from the list, in order; unlinked when the counts disagree."""
    sentences = _sentences_of(layer, estimates, start, end)
    # (a run's list may stand between a measure's name and its value: "HRs for death and stroke were 0.8 and")
    spans = [(estimate.start, estimate.end) for estimate in estimates]
    values_at = [_value_start(scan, estimate) for estimate in estimates]
    linked = [value.attributes.get("outcome") for value in values]
    for index, outcome in respective_outcomes(scan, spans, sentences, linked, values_at).items():
        value = values[index]
        value.attributes["outcome"] = outcome
        value.attributes["respectively"] = True
        value.attributes.pop("outcome_candidates", None)
        if outcome:
            value.value["outcome"] = outcome
        else:
            value.value.pop("outcome", None)


def _to_value(
    scan: str,
    layer: TextLayer,
    estimate: Estimate,
    start: int,
    end: int,
    sentences: dict[int, tuple[bool, bool, str | None]],
) -> ExtractedValue:
    """The candidate as an ``ExtractedValue``, weighed by its sentence (power wording, section) and linked."""
    lexicon = load_lexicon()
    tail = estimate.tail
    sentence = layer.sentence_at(estimate.start)
    floor = sentence.start if sentence else start
    sentence_text = (
        scan[floor : sentence.end] if sentence else scan[max(start, estimate.start - 200) : estimate.end]
    )
    if floor not in sentences:  # power wording, adjustment wording and comparison, once per sentence
        sentences[floor] = (
            bool(lexicon.power.search(sentence_text)),
            bool(lexicon.adjusted_sentence.search(sentence_text)),
            sentence_comparison(sentence_text),
        )
    power, adjusted, comparison = sentences[floor]
    confidence = estimate.confidence
    section = sentence.section if sentence else None
    if power:
        confidence *= 0.5
    if section in {"background", "objective"}:
        confidence *= 0.55
    elif section == "methods":
        confidence *= 0.8
    attributes = dict(estimate.attributes)
    attributes["adjusted"] = bool(attributes.get("adjusted")) or adjusted
    attributes["p_operator"] = tail.p_operator
    attributes["ci_level"] = tail.ci_level if tail.ci_level else (95.0 if tail.ci else None)
    outcome, construct = estimate_outcome(scan, estimate, floor, end)
    ceiling = min(end, sentence.end) if sentence else min(end, estimate.end + 200)
    others = clause_outcomes(scan, estimate, floor, ceiling)
    outcome = clean_outcome(outcome)
    dependent = (
        associated_outcome(scan, estimate, floor, ceiling) if estimate.measure in _ASSOCIATION else None
    )
    if dependent and dependent != outcome:
        # "smoking (OR = 2.1) was associated with depression": the phrase at the bracket is the exposure
        attributes["exposure"] = outcome
        outcome = dependent
    candidates = [phrase for phrase in dict.fromkeys([outcome, *others]) if phrase]
    attributes["outcome"] = candidates[0] if candidates else None
    if len(candidates) > 1:
        attributes["outcome_candidates"] = candidates
    if construct:
        attributes["construct"] = construct
    attributes.setdefault("comparison", comparison)
    attributes["estimate_text"] = layer.text[estimate.start : estimate.end]
    # "p > .05" says only that p is above a threshold: no p-value is recorded (FORMAT.md)
    p_value = None if tail.p_operator in {">", ">="} else tail.p
    value = {"measure": estimate.measure, "value": estimate.value, "ci": tail.ci, "p": p_value}
    if attributes["outcome"]:
        value["outcome"] = attributes[
            "outcome"
        ]  # as written; the chooser names it as the study's outcomes do
    return ExtractedValue(
        field="effect",
        value=value,
        start=estimate.start,
        end=estimate.end,
        confidence=round(min(confidence, 0.97), 3),
        source=f"rule:effects.{estimate.rule}.v{VERSION}",
        attributes=attributes,
    )
