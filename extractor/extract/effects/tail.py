"""What follows an effect's value: confidence interval, p-value, units and brackets.

``parse_tail`` reads a value's tail in any order (``1.4; 95% confidence interval (-0.63, 3.53);
P = 0.17``) as far as it goes; ``share_p_values`` gives a p-value stated once (``all p < .05``,
``(p = 0.03, r = 0.24; ...)``) to the estimates it covers. ``Estimate`` is one candidate with
its tail, as the anchor rules find it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...textlayer import TextLayer
from ..common.numbers import (
    NOT_SIGNIFICANT,
    P_COMPARISON,
    P_EXPRESSION,
    SIGNED,
    UNSIGNED,
    parse_number,
    parse_p,
)
from .lexicon import CI_SEPARATOR, STATED_DF, load_lexicon, stated_df
from .statistics import parse_value

_RATIO_TOLERANCE = 0.011
_P = re.compile(P_EXPRESSION)
_NS = NOT_SIGNIFICANT
_P_PREFIX = re.compile(
    r"(?:(?:log[\s-]?rank|Wald|exact|adjusted|two[\s-]sided)\s+(?=[pP]))?"
)  # "log-rank P = 0.21"
_SEPARATOR = re.compile(r"\s*(?:[,;:]\s*)?")
_BARE_CI = re.compile(
    rf"(?P<open>[(\[{{]\s*)?(?P<lo>{SIGNED})\s*%?\s*{CI_SEPARATOR}\s*(?P<hi>{SIGNED})(?![\d])\s*%?"
)
_INNER_LABEL = re.compile(r"\s*(?P<label>[A-Za-z][^;,:()\[\]\d=<>%]{0,40}?)\s*[;:]\s*")
_UNIT = re.compile(
    r"\s*(?!(?:to|and|or|for|in|on|vs|versus|at|p|CI|was|were|with|among)\b)"
    r"(?:%|[A-Za-zµμ°]{1,12}(?:/[A-Za-z0-9]{1,6})?(?:\s+(?!(?:to|and|or|for|in|on|vs|at|p|CI)\b)[A-Za-z]{1,12})?)"
    r"(?=\s*[(\[,;]|\s+\d{2}\s*%|\s+CI)"
)
# Between a value and its bracket: "was 1.50 for the dialysis group (95% CI ...)".
_QUALIFIER = re.compile(r"\s+(?:for|in|with|among|on)\s+(?:the\s+)?[^,;()\[\]\d=<>]{1,40}?(?=\s*[(\[])")
_ALL_P = re.compile(rf"[Aa](?<![A-Za-z][Aa])ll\s*[pP](?:s|\s*-?\s*values?)?{P_COMPARISON}")
_STATED_DF = re.compile(STATED_DF)  # "χ2 = 5.2, d.f. = 1, p = .02": the df a bare statistic states after its value
_SE_BRACKET = re.compile(rf"\s*[(\[]\s*(?:SE|SEM|s\.e\.)?[\s=:]*{UNSIGNED}\s*[)\]]")


@dataclass
class Tail:
    """What was read after a value: where it ends, CI, p-value, a bracketed label, open brackets."""

    end: int
    ci: list[float] | None = None
    ci_level: float | None = None
    p: float | None = None
    p_operator: str | None = None
    outcome: str | None = None
    depth: int = 0
    qualifier: int | None = None  # where "for X" / "on X" between the value and its bracket starts
    df: list[int | float] | None = None  # degrees of freedom stated after the value ("d.f. = 1")


@dataclass
class Estimate:
    """One candidate estimate: measure, value, evidence span, rule and tail, before it becomes a value."""

    measure: str
    value: float
    start: int
    end: int
    confidence: float
    rule: str
    tail: Tail
    attributes: dict[str, Any] = field(default_factory=dict)
    anchor_start: int = 0
    in_bracket: int | None = None


def _contains(low: float, high: float, value: float) -> bool:
    slack = _RATIO_TOLERANCE * max(1.0, abs(value))
    return min(low, high) - slack <= value <= max(low, high) + slack


def _read_ci(match: re.Match[str]) -> list[float] | None:
    low, high = parse_value(match.group("lo")), parse_value(match.group("hi"))
    if low is None or high is None:
        return None
    return [low, high] if low <= high else [high, low]


def parse_tail(
    scan: str, position: int, limit: int, value: float, depth: int = 0, own_bracket: bool = False
) -> Tail:
    """CI, p-value, units and brackets after a value, in any order, as far as they go.

    ``own_bracket``: the value opened a bracket (``(−0.19, p = 0.015)``) and the tail ends where it closes.
    """
    lexicon = load_lexicon()
    tail = Tail(end=position)
    cursor, first = position, True
    for _ in range(12):
        separator = _SEPARATOR.match(scan, cursor, limit)
        start = separator.end()
        separated = any(mark in separator.group() for mark in ",;")
        if start >= limit:
            break
        char = scan[start]
        if char in ")]}":
            if depth <= 0:
                break
            depth -= 1
            cursor = tail.end = start + 1
            first = False
            if own_bracket and depth == 0:
                break
            continue
        match = _SE_BRACKET.match(scan, start, limit) if first else None
        if match:  # "-1.1 (0.46) (95% CI ...)": a standard error in brackets
            cursor = match.end()
            first = False
            continue
        match = lexicon.ci.match(scan, start, limit)
        if match and tail.ci is None:
            tail.ci = _read_ci(match)
            level = match.group("level") or match.group("level2")
            tail.ci_level = parse_number(level) if level else None
            if match.group("open") and not match.group("close"):
                depth += 1
            cursor = tail.end = match.end()
            first = False
            continue
        match = _STATED_DF.match(scan, start, limit) if tail.df is None else None
        if match:
            tail.df = stated_df(match)
            cursor = tail.end = match.end()
            first = False
            continue
        match = _P.match(scan, _P_PREFIX.match(scan, start, limit).end(), limit)
        if match and tail.p_operator is None:
            parsed = parse_p(match)
            if parsed:
                tail.p_operator, tail.p = parsed
                cursor = tail.end = match.end()
                first = False
                continue
        match = _NS.match(scan, start, limit)
        if match and tail.p_operator is None:
            tail.p_operator = "ns"
            cursor = tail.end = match.end()
            continue
        match = _BARE_CI.match(scan, start, limit)
        if match and tail.ci is None and (match.group("open") or (separated and first)):
            ci = _read_ci(match)
            if ci and _contains(ci[0], ci[1], value):
                tail.ci = ci
                if match.group("open"):
                    depth += 1
                cursor = tail.end = match.end()
                first = False
                continue
        if char in "([{":
            depth += 1
            cursor = start + 1
            label = _INNER_LABEL.match(scan, cursor, limit)
            if (
                label
                and tail.outcome is None
                and not re.match(r"(?i)adjust|p\b|n\b|95", label.group("label"))
            ):
                tail.outcome = label.group("label").strip()
                cursor = label.end()
            first = False
            continue
        match = lexicon.skip_statistic.match(scan, start, limit)
        if match:
            cursor = tail.end = match.end()
            continue
        if first:
            match = _UNIT.match(scan, start, limit)
            qualifier = None if match else _QUALIFIER.match(scan, cursor, limit)
            if qualifier:  # "a risk ratio of 0.7 for relapse (95% CI ...)": kept, it may name the outcome
                tail.qualifier = cursor
            match = match or qualifier
            if match:
                cursor = match.end()
                first = False
                continue
        break
    tail.depth = depth
    return tail


def tail_confidence(base: float, tail: Tail) -> float:
    """A candidate's confidence: its base, more with a CI, a little more with a p-value."""
    score = base + (0.2 if tail.ci else 0.0) + (0.07 if tail.p_operator and tail.p_operator != "ns" else 0.0)
    return round(min(score, 0.97), 3)


_ABBREVIATION_DOT = re.compile(r"(?i)(?:\bvs|\bv|\bal|\be\.g|\bi\.e|\bcf|\bapprox|\bresp)$")


def enclosing_bracket(scan: str, position: int, floor: int, past_abbreviations: bool = False) -> int | None:
    """Offset of the unclosed ``(`` or ``[`` that ``position`` is inside, looking back at most 120 characters;
    a sentence's end stops the search. With ``past_abbreviations``, the dot of an abbreviation
    (``(29% vs. 9%)``) is read past, not taken for a sentence's end."""
    depth = 0
    for index in range(position - 1, max(floor, position - 120) - 1, -1):
        char = scan[index]
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth == 0:
                return index
            depth -= 1
        elif char == "." and depth == 0 and index + 1 < len(scan) and scan[index + 1].isspace():
            if past_abbreviations and _ABBREVIATION_DOT.search(scan, max(floor, index - 8), index):
                continue
            return None  # (a ";" may part a bracket's items: "(50% vs 44%; prevalence ratio, PR=1.18")
    return None


def share_p_values(scan: str, estimates: list[Estimate], layer: TextLayer, start: int, end: int) -> None:
    """``(all p < .05)`` and ``(p = 0.03, r = 0.24; ...)``: p-values stated once for several estimates."""
    for match in _ALL_P.finditer(scan, start, end):
        parsed = parse_p(match)
        sentence = layer.sentence_at(match.start())
        if not parsed or sentence is None:
            continue
        for estimate in estimates:
            if sentence.start <= estimate.start < match.start() and estimate.tail.p_operator is None:
                estimate.tail.p_operator, estimate.tail.p = parsed
                estimate.attributes["p_shared"] = True
    for estimate in estimates:
        if estimate.tail.p_operator is not None:
            continue
        bracket = enclosing_bracket(scan, estimate.anchor_start, start)
        if bracket is None:
            continue
        match = _P.match(scan, bracket + 1)
        if match and re.fullmatch(r"\s*[,;]\s*", scan[match.end() : estimate.anchor_start]):
            parsed = parse_p(match)
            if parsed:
                estimate.tail.p_operator, estimate.tail.p = parsed
