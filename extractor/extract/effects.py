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
Every candidate is returned with a confidence; ``combine.choose_effects`` picks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..textlayer import TextLayer
from ..types import ExtractedValue
from .numbers import (
    NOT_SIGNIFICANT,
    P_COMPARISON,
    P_EXPRESSION,
    SIGN,
    SIGNED,
    UNSIGNED,
    normalise_operator,
    parse_number,
    parse_p,
)

VERSION = 1
_DATA = Path(__file__).resolve().parents[1] / "data" / "effects.json"

# A statistic's value: a "?" or U+FFFD before the digits is a minus lost in encoding; PDF text may put
# two spaces after the minus.
_STAT_VALUE = rf"(?:[?\ufffd](?=\d)|{SIGN}[ \u00a0\u2009]{{0,2}})?{UNSIGNED}"
_DF = r"(?:\d+(?:\.\d+)?|[lI](?=\s*[,)]))"
_COMPARISON = r"(?:<=|>=|=<|=>|[=<>≤≥]|&lt;|&gt;)"
_CI_SEPARATOR = r"(?:to|and|,|;|\.\.\.?|[-\u2212\u2013\u2014\u2012\u2010\u2011])"
_CONTROL = {code: " " for code in range(32) if chr(code) not in "\n\r\t"}
_RATIO_TOLERANCE = 0.011
_RATIO_MEASURES = {"OR", "RR", "HR"}
_STATISTICS = {"t", "F", "chi2", "z", "r"}
_BARE_AMBIGUOUS = {"t", "F", "chi2", "z"}  # "t = 3" may be a time point, "F = 2" a factor


def _alternation(literals: list[str], *, flexible: bool = False, caseless: bool = False) -> str:
    """A regex matching any of ``literals``, built as a character trie so that matching stays fast.

    ``caseless`` spells each letter as ``[xX]`` instead of using ``(?i:)``: the regex engine can then
    skip a branch on its first character, which keeps one scan of a 2,000-character abstract cheap.
    """
    trie: dict[str, Any] = {}
    for literal in literals:
        literal = literal.lower() if caseless else literal
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def char_pattern(char: str) -> str:
        if flexible and char == " ":
            return r"[\s\-\u2010\u2011]+"
        if flexible and char == "-":
            return r"[\s\-\u2010\u2011]?"
        if flexible and char == "'":
            return "['\u2019`]?"
        if caseless and char.lower() != char.upper():
            return f"[{char.lower()}{char.upper()}]"
        return re.escape(char)

    def emit(node: dict[str, Any]) -> str:
        branches = [char_pattern(char) + emit(node[char]) for char in sorted(k for k in node if k)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def _phrase_key(text: str) -> str:
    return re.sub(r"[\s\-\u2010\u2011]+", " ", text.lower().replace("\u2019", "'").replace("`", "'")).strip()


@dataclass(frozen=True)
class _Lexicon:
    anchor: re.Pattern[str]
    phrases: dict[str, tuple[str, float]]
    strict: frozenset[str]
    percent_measure: dict[str, str]
    abbreviations: dict[str, tuple[str, float, bool]]
    symbols: dict[str, tuple[str, float]]
    bounds: dict[str, tuple[float, float]]
    ci: re.Pattern[str]
    statistic: re.Pattern[str]
    count_nouns: re.Pattern[str]
    skip_statistic: re.Pattern[str]
    adjusted_sentence: re.Pattern[str]
    power: re.Pattern[str]
    stop_words: frozenset[str]
    drop_words: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    phrases: dict[str, tuple[str, float]] = {}
    abbreviations: dict[str, tuple[str, float, bool]] = {}
    symbols: dict[str, tuple[str, float]] = {}
    bounds: dict[str, tuple[float, float]] = {}
    strict: set[str] = set()
    percent_measure: dict[str, str] = {}
    for entry in data["measures"]:
        measure, weight = entry["measure"], float(entry.get("weight", 1.0))
        if "bounds" in entry:
            bounds[measure] = tuple(entry["bounds"])
        if entry.get("ratio"):
            bounds[measure] = (0.0, 1e6)
        adjusted = set(entry.get("adjusted", []))
        for phrase in entry.get("phrases", []):
            phrases.setdefault(_phrase_key(phrase), (measure, weight))
            if entry.get("strict"):
                strict.add(_phrase_key(phrase))
            if entry.get("percent_measure"):
                percent_measure[_phrase_key(phrase)] = entry["percent_measure"]
        for abbreviation in entry.get("abbreviations", []):
            abbreviations.setdefault(abbreviation, (measure, weight, abbreviation in adjusted))
        for symbol in entry.get("symbols", []):
            symbols.setdefault(symbol, (measure, weight))
    statistics = data["statistics"]
    for chi in statistics["chi"]:
        symbols.setdefault(chi, ("chi2", 1.0))
    for symbol, measure in (("t", "t"), ("F", "F"), ("z", "z"), ("Z", "z")):
        symbols.setdefault(symbol, (measure, 1.0))

    chi = _alternation(statistics["chi"])
    adjusted_prefix = _alternation(
        [_phrase_key(p) for p in data["adjusted_prefixes"]], flexible=True, caseless=True
    )
    phrase_trie = _alternation(sorted(phrases), flexible=True, caseless=True)
    anchor = re.compile(
        rf"(?<![A-Za-z0-9_\u0370-\u03ff])(?:"
        rf"(?P<adj>{adjusted_prefix}[\s\-]+)?(?P<phrase>{phrase_trie})(?![A-Za-z])(?![\s\-]+reduction)"
        rf"|(?P<abbr>{_alternation(sorted(abbreviations))})(?![A-Za-z0-9])"
        rf"|(?P<stat>ts?|Fs?|rs?|r_s|rpb|{chi})\s*\(\s*(?P<df1>{_DF})(?:\s*,\s*(?P<df2>{_DF}))?"
        rf"(?:\s*,\s*[Nn]\s*=\s*(?P<n>\d[\d,\s]*\d|\d))?\s*\)\s*(?P<stat_op>{_COMPARISON})\s*(?P<stat_value>{_STAT_VALUE})"
        rf"|(?P<sym>{_alternation(sorted(symbols))})(?![A-Za-z0-9(])\s*(?P<sym_op>{_COMPARISON}|≈)\s*"
        rf"(?P<sym_value>{_STAT_VALUE})"
        rf")(?![\d])"
    )
    ci_words = [label for label in data["ci_labels"] if not label.isupper() and "." not in label]
    ci_codes = [label for label in data["ci_labels"] if label not in ci_words]
    ci_label = rf"(?:{_alternation(ci_codes)}|{_alternation([_phrase_key(w) for w in ci_words], flexible=True, caseless=True)})"
    ci = re.compile(
        rf"(?:(?P<level>\d{{2}}(?:[.·]\d)?)\s*%\s*)?(?P<label>{ci_label})(?![A-Za-z])(?:\s*(?P<level2>\d{{2}})\s*%)?"
        rf"(?:\s*[\[(](?:CI|(?i:confidence\s+intervals?))[\])])?\s*(?:[:=,]|\bof\b|\bfrom\b)?\s*"
        rf"(?P<open>[(\[{{]\s*)?(?P<lo>{SIGNED})\s*%?\s*{_CI_SEPARATOR}\s*(?P<hi>{SIGNED})(?![\d])\s*%?"
        rf"(?P<close>\s*[)\]}}])?"
    )
    q_suffix = _alternation(statistics["q_suffixes"])
    statistic = re.compile(
        rf"(?<![A-Za-z0-9_])(?:"
        rf"(?P<name>ts?|Fs?|rs?|r_s|rpb|{chi}|Q\s*(?:{q_suffix})?)\s*\(\s*(?P<df1>{_DF})(?:\s*,\s*(?P<df2>{_DF}))?"
        rf"(?:\s*,\s*[Nn]\s*=\s*(?P<n>\d[\d,]*\d|\d))?\s*\)"
        rf"|(?P<bare>[zZ]|t|F|{chi})(?![A-Za-z0-9(])"
        rf")\s*(?P<op>{_COMPARISON})\s*(?P<junk>[^\w\s.,;:()\[\]{{}}'\"+]{{1,3}}(?=\s?\.?\d))?\s?"
        rf"(?P<value>{_STAT_VALUE})(?![\d])"
    )
    nouns = "|".join(sorted(map(re.escape, data["count_nouns"]), key=len, reverse=True))
    skip = _alternation(data["skip_statistics"])
    return _Lexicon(
        anchor=anchor,
        phrases=phrases,
        strict=frozenset(strict),
        percent_measure=percent_measure,
        abbreviations=abbreviations,
        symbols=symbols,
        bounds=bounds,
        ci=ci,
        statistic=statistic,
        count_nouns=re.compile(rf"\s*(?:%|(?:{nouns})\b)"),
        skip_statistic=re.compile(rf"(?<![A-Za-z])(?:{skip})\s*=\s*{SIGNED}"),
        adjusted_sentence=re.compile(rf"\b{_alternation(data['adjusted_sentence'], caseless=True)}"),
        power=re.compile(rf"\b{_alternation(data['power_words'], caseless=True)}"),
        stop_words=frozenset(data["outcome_stop_words"]),
        drop_words=frozenset(data["outcome_drop_words"]),
    )


_P = re.compile(P_EXPRESSION)
_NS = NOT_SIGNIFICANT
_SEPARATOR = re.compile(r"\s*(?:[,;:]\s*)?")
_BARE_CI = re.compile(
    rf"(?P<open>[(\[{{]\s*)?(?P<lo>{SIGNED})\s*%?\s*{_CI_SEPARATOR}\s*(?P<hi>{SIGNED})(?![\d])\s*%?"
)
_INNER_LABEL = re.compile(r"\s*(?P<label>[A-Za-z][^;,:()\[\]\d=<>%]{0,40}?)\s*[;:]\s*")
_UNIT = re.compile(
    r"\s*(?!(?:to|and|or|for|in|on|vs|versus|at|p|CI|was|were|with|among)\b)"
    r"(?:%|[A-Za-zµμ°]{1,12}(?:/[A-Za-z0-9]{1,6})?(?:\s+(?!(?:to|and|or|for|in|on|vs|at|p|CI)\b)[A-Za-z]{1,12})?)"
    r"(?=\s*[(\[,;]|\s+\d{2}\s*%|\s+CI)"
)
_LABEL_PAREN = re.compile(r"\s*[(\[]\s*(?P<label>[^()\[\]\d]{1,40}?)\s*[)\]]")
_CI_HEADER = re.compile(r"\s*[(\[]?\s*\d{2}\s*%\s*(?:CI|(?i:confidence\s+intervals?))\s*[)\]]?")
_CONNECTOR = re.compile(
    r"\s*(?:(?P<eq>[=:≈~])|,|\b(?P<word>of|was|were|is|are|equals?|equalled|amounted\s+to|reached|being)\b)\s*"
)
_GAP = re.compile(
    r"\s+(?:for|on|in|of|with|among|at|up\s+to|over|across)\s+(?P<gap>[^=;:()\[\]\n.]{1,100}?)\s*"
    r"(?:\b(?:was|were|is|are|of)\b|[=:]|(?P<comma>,))\s*"
)
# Between a value and its bracket: "was 1.50 for the dialysis group (95% CI ...)".
_QUALIFIER = re.compile(r"\s+(?:for|in|with|among|on)\s+(?:the\s+)?[^,;()\[\]\d=<>]{1,40}?(?=\s*[(\[])")
_STANDARDISED_BEFORE = re.compile(r"(?i)\bstandardi[sz]ed\s+(?:[\w-]+\s+){0,2}$")
_MEAN_BEFORE = re.compile(
    r"(?i)\b(?:mean|means|LSM|LS)\b[\s\w\[\]()-]{0,25}$"
)  # "least squares mean [LSM] difference"
_PERCENT = re.compile(r"\s*(?:%|per\s?cent|percentage[\s-]+points?)")
_VALUE = re.compile(rf"\s*(?P<value>{_STAT_VALUE})(?![\d])")
_RANGE = re.compile(rf"[-\u2013\u2014\u2212](?P<high>{UNSIGNED})(?![\d])")
_CONTINUATION = re.compile(
    rf"(?:\s+(?:with|in|for|among|at|on)\s+[^,;()\[\]]{{1,50}}?)?\s*[,;]?\s*(?:and\s+|or\s+)?(?P<value>{SIGNED})(?![\d])"
)
_GROUP_START = re.compile(rf"[(\[]\s*(?=(?:{SIGN}\s?)?\.?\d)")
_ALL_P = re.compile(rf"[Aa](?<![A-Za-z][Aa])ll\s*[pP](?:s|\s*-?\s*values?)?{P_COMPARISON}")
_POST_OUTCOME = re.compile(
    r"(?:\s*[)\]])?\s+(?P<preposition>for|on)\s+(?:the\s+)?(?P<outcome>[^,;.()\[\]\d]{2,60}?)"
    r"(?=\s*(?:[,;.()\[\]]|$)|\s+(?:and|but|while|whereas|compared|than|at|after|was|were|respectively|among)\b)"
)
_VERSUS = re.compile(r"\s(?:vs\.?|versus|v\.)\s+")
_WORDS_BEFORE = re.compile(r"(?:[A-Za-z][\w+\-/]*\s+){0,2}[A-Za-z][\w+\-/]*\s*$")
_WORDS_AFTER = re.compile(r"[A-Za-z][\w+\-/]*(?:\s+[A-Za-z][\w+\-/]*){0,2}")
_COMPARED = re.compile(
    r"\bcompared\s+(?:with|to)\s+(?:the\s+)?(?P<b>[^,;.()\d]{2,40}?)(?=\s*[,;.()]|\s+(?:at|on|for)\b)", re.I
)
# Time points and populations at the end of a phrase are not the outcome ("PHQ-9 scores at 3 months").
_QUALIFIER_END = re.compile(
    r"(?:\s+(?:at|after|by|over|up\s+to|during|within|through)\s+(?:the\s+)?(?:\d+[\w\s-]*?|[\w-]+\s+)?"
    r"(?:months?|weeks?|years?|days?|follow[\s-]?up|post[\s-]?test|post[\s-]?intervention|baseline|childbirth)"
    r"(?:\s+(?:post[\s-]?partum|postnatal|post[\s-]?childbirth|of\s+age|later))?"
    r"|\s+among\s+[^,;:()]{1,40})\s*$",
    re.I,
)
_COMPARATOR_END = re.compile(r"(?i)\b(?:compared\s+(?:with|to)|than|versus|vs\.?|relative\s+to)(?:\s+the)?$")
_TIME_ONLY = re.compile(r"^(?:\d+[\s-]*(?:months?|weeks?|years?|days?)|baseline|follow[\s-]?up)\b", re.I)
_BETWEEN = re.compile(
    r"\bbetween\s+(?:the\s+)?(?P<a>[^,;.()\d]{2,30}?)\s+and\s+(?:the\s+)?(?P<b>[^,;.()\d]{2,30}?)\s+"
    r"(?:arms|groups|conditions)\b",
    re.I,
)
_PAIR_LABEL = re.compile(r"\s[-\u2013\u2212/]\s|\bvs\.?\b|\bversus\b|\bv\.\s")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_QUOTES = "'\"\u2018\u2019\u201c\u201d"
_COLON_LABEL = re.compile(r":(?:\s*[\w-]+){0,3}\s*$")
_SE_BRACKET = re.compile(rf"\s*[(\[]\s*(?:SE|SEM|s\.e\.)?[\s=:]*{UNSIGNED}\s*[)\]]")
# A bracketed value followed or preceded by "vs" and another value is one arm's result.
_GROUP_VALUE_AFTER = re.compile(
    r"\s*(?:[^\s,;()\[\]]+\s*){0,3}(?:vs\.?|versus)\s+(?:[A-Za-z][\w-]*\s+){0,3}[(\[]?[-\u2212\u2012\u2013]?\s?\.?\d"
)
_GROUP_VALUE_BEFORE = re.compile(
    r"[)\]]\s*(?:[^\s,;()\[\]]+\s*){0,3}(?:vs\.?|versus)\s+(?:[^,;()\[\]]{0,40})$"
)
# A control character standing alone before a number (not glued to the "=" glyph) is a lost minus.
_LOST_GLYPH = re.compile(r"\s[\x00-\x08]\s?$")
_SIGNED_START = re.compile(rf"{SIGN}|[?\ufffd]")


@dataclass
class _Tail:
    end: int
    ci: list[float] | None = None
    ci_level: float | None = None
    p: float | None = None
    p_operator: str | None = None
    outcome: str | None = None
    depth: int = 0


@dataclass
class _Estimate:
    measure: str
    value: float
    start: int
    end: int
    confidence: float
    rule: str
    tail: _Tail
    attributes: dict[str, Any] = field(default_factory=dict)
    anchor_start: int = 0
    in_bracket: int | None = None


def _lost_minus(original: str, start: int, end: int, value: float, signed: bool) -> float:
    """A minus glyph the text lost (a control character before the number) makes the value negative."""
    if value > 0 and not signed and _LOST_GLYPH.search(original[start:end]):
        return -value
    return value


def _number(text: str) -> float | None:
    if text[:1] in "?\ufffd":
        value = parse_number(text[1:])
        return None if value is None else -value
    return parse_number(text)


def _plausible(measure: str, value: float, lexicon: _Lexicon) -> bool:
    low, high = lexicon.bounds.get(measure, (-1e6, 1e6))
    return low <= value <= high and not (measure in _RATIO_MEASURES and value == 0)


def _contains(low: float, high: float, value: float) -> bool:
    slack = _RATIO_TOLERANCE * max(1.0, abs(value))
    return min(low, high) - slack <= value <= max(low, high) + slack


def _read_ci(match: re.Match[str]) -> list[float] | None:
    low, high = _number(match.group("lo")), _number(match.group("hi"))
    if low is None or high is None:
        return None
    return [low, high] if low <= high else [high, low]


def _parse_tail(
    scan: str, position: int, limit: int, value: float, depth: int = 0, own_bracket: bool = False
) -> _Tail:
    """CI, p-value, units and brackets after a value, in any order, as far as they go.

    ``own_bracket``: the value opened a bracket (``(−0.19, p = 0.015)``) and the tail ends where it closes.
    """
    lexicon = _lexicon()
    tail = _Tail(end=position)
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
        match = _P.match(scan, start, limit)
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
            match = _UNIT.match(scan, start, limit) or _QUALIFIER.match(scan, cursor, limit)
            if match:
                cursor = match.end()
                first = False
                continue
        break
    tail.depth = depth
    return tail


def _find_value(
    scan: str, position: int, limit: int
) -> tuple[re.Match[str], bool, str | None, str | None] | None:
    """The value after a measure's name: (match, explicit connector?, label in brackets, outcome in a gap)."""
    label = None
    match = _LABEL_PAREN.match(scan, position, limit)
    if match:
        label, position = match.group("label"), match.end()
    match = _CI_HEADER.match(scan, position, limit)
    if match:
        position = match.end()
    explicit = False
    for _ in range(3):
        match = _CONNECTOR.match(scan, position, limit)
        if not match or match.end() == position:
            break
        explicit = explicit or bool(match.group("eq") or match.group("word"))
        position = match.end()
    value = _VALUE.match(scan, position, limit)
    if value:
        return value, explicit, label, None
    gap = _GAP.match(scan, position, limit)
    if gap:
        value = _VALUE.match(scan, gap.end(), limit)
        if value:
            return value, not gap.group("comma"), label, gap.group("gap").strip()
    return None


def _anchor_measure(match: re.Match[str], lexicon: _Lexicon) -> tuple[str, float, bool]:
    """Measure, weight and adjusted flag of an anchor match."""
    if match.group("phrase"):
        measure, weight = lexicon.phrases.get(_phrase_key(match.group("phrase")), ("other", 0.5))
        return measure, weight, bool(match.group("adj"))
    if match.group("abbr"):
        return lexicon.abbreviations[match.group("abbr")]
    if match.group("stat"):
        name = match.group("stat")
        measure = {"t": "t", "ts": "t", "F": "F", "Fs": "F"}.get(
            name, "r" if name.startswith("r") else "chi2"
        )
        return measure, 1.0, False
    measure, weight = lexicon.symbols[match.group("sym")]
    return measure, weight, False


def _df(match: re.Match[str]) -> list[float]:
    values = []
    for name in ("df1", "df2"):
        text = match.group(name)
        if text:
            number = 1.0 if text in "lI" else float(text)
            values.append(int(number) if number.is_integer() else number)
    return values


def _from_anchor(scan: str, match: re.Match[str], limit: int, original: str) -> list[_Estimate]:
    """The estimate(s) an anchor introduces, or [] when it only names a measure."""
    lexicon = _lexicon()
    measure, weight, adjusted = _anchor_measure(match, lexicon)
    attributes: dict[str, Any] = {"adjusted": adjusted}
    if match.group("stat") or match.group("sym"):
        value_group = "stat_value" if match.group("stat") else "sym_value"
        operator = normalise_operator(match.group("stat_op") or match.group("sym_op"))
        if measure not in _STATISTICS and operator not in {"=", "≈"}:
            return []
        if match.group("stat"):
            df = _df(match)
            if (measure == "F") != (len(df) == 2):
                return []
            attributes["df"] = df
            if match.group("n"):
                attributes["n"] = int(re.sub(r"\D", "", match.group("n")))
        if operator != "=":
            attributes["comparison_operator"] = operator
        value_start, value_end = match.start(value_group), match.end(value_group)
        explicit, label, gap_outcome = True, None, None
        base = 0.8 if match.group("stat") else 0.7
    else:
        found = _find_value(scan, match.end(), limit)
        if not found:
            return []
        value_match, explicit, label, gap_outcome = found
        value_start, value_end = value_match.span("value")
        base = 0.7 if explicit else 0.6
        if label and re.search(r"(?i)\badjusted\b", label):
            attributes["adjusted"] = True
        if label and _PAIR_LABEL.search(f" {label} "):
            attributes["comparison"] = label.strip()
    value = _number(scan[value_start:value_end])
    if value is not None and (match.group("stat") or match.group("sym")):
        operator_end = match.end("stat_op") if match.group("stat") else match.end("sym_op")
        value = _lost_minus(
            original, operator_end, value_start, value, bool(_SIGNED_START.match(scan, value_start))
        )
    if value is None or not _plausible(measure, value, lexicon):
        return []
    phrase = _phrase_key(match.group("phrase")) if match.group("phrase") else None
    if measure == "MD" and _STANDARDISED_BEFORE.search(scan, max(0, match.start() - 40), match.start()):
        measure = "SMD"  # "standardized between-group difference", "standardised mean (change) difference"
    if (
        phrase in lexicon.percent_measure
        and _PERCENT.match(scan, value_end, limit)
        and not _MEAN_BEFORE.search(scan, max(0, match.start() - 40), match.start())
    ):
        measure = lexicon.percent_measure[phrase]  # "difference, -7 percentage points" is a risk difference
    if measure not in {"RD", "MD", "other"} and lexicon.count_nouns.match(scan, value_end, limit):
        return []
    tail = _parse_tail(scan, value_end, limit, value)
    strict = phrase in lexicon.strict or (match.group("abbr") and not explicit)
    if strict and tail.ci is None and tail.p_operator is None:
        return []
    if measure in _BARE_AMBIGUOUS and not match.group("stat") and tail.p_operator is None:
        base = 0.35  # "t = 3" with no df and no p is as likely a time point as a test
    if (
        tail.outcome is None
        and gap_outcome
        and not _TIME_ONLY.match(_QUALIFIER_END.sub("", " " + gap_outcome).strip())
    ):
        tail.outcome = _QUALIFIER_END.sub("", " " + gap_outcome).strip() or None
    estimates = [
        _Estimate(
            measure,
            value,
            match.start(),
            max(tail.end, value_end),
            0.0,
            "measure",
            tail,
            attributes,
            match.start(),
        )
    ]
    if tail.end == value_end and explicit and not match.group("stat"):
        high = _RANGE.match(scan, value_end, limit)
        if high:
            second = parse_number(high.group("high"))
            if second is not None and second > value and _plausible(measure, second, lexicon):
                estimates[0].end = value_end
                estimates.append(
                    _Estimate(
                        measure,
                        second,
                        match.start(),
                        high.end(),
                        0.0,
                        "range",
                        _Tail(end=high.end()),
                        dict(attributes, range=True),
                        match.start(),
                    )
                )
    estimates.extend(_continuations(scan, estimates[-1], limit))
    for estimate in estimates:
        estimate.confidence = _confidence(base * weight, estimate.tail)
        if estimate.rule == "range":
            estimate.confidence = min(estimate.confidence, 0.55)
    return estimates


def _continuations(scan: str, previous: _Estimate, limit: int) -> list[_Estimate]:
    """``effect sizes of 0.25 (...), 0.20 (...) and 0.17 (...)``: later values of one named measure."""
    found: list[_Estimate] = []
    while previous.tail.ci is not None or previous.tail.p_operator is not None:
        match = _CONTINUATION.match(scan, previous.end, limit)
        if not match:
            break
        value = _number(match.group("value"))
        if value is None or not _plausible(previous.measure, value, _lexicon()):
            break
        tail = _parse_tail(scan, match.end("value"), limit, value)
        if tail.ci is None and tail.p_operator is None:
            break
        estimate = _Estimate(
            previous.measure,
            value,
            match.start("value"),
            tail.end,
            0.0,
            "list",
            tail,
            {"adjusted": previous.attributes.get("adjusted", False)},
            previous.anchor_start,
        )
        found.append(estimate)
        previous = estimate
    return found


def _confidence(base: float, tail: _Tail) -> float:
    score = base + (0.2 if tail.ci else 0.0) + (0.07 if tail.p_operator and tail.p_operator != "ns" else 0.0)
    return round(min(score, 0.97), 3)


def _enclosing_bracket(scan: str, position: int, floor: int) -> int | None:
    """Offset of the unclosed ``(`` or ``[`` that ``position`` is inside, looking back at most 120 characters."""
    depth = 0
    for index in range(position - 1, max(floor, position - 120) - 1, -1):
        char = scan[index]
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth == 0:
                return index
            depth -= 1
        elif char in ".;" and depth == 0 and index + 1 < len(scan) and scan[index + 1].isspace():
            return None
    return None


def _phrase_before(scan: str, position: int, floor: int) -> str | None:
    """The noun phrase that ends at ``position`` (``for depression (`` -> ``depression``)."""
    lexicon = _lexicon()
    window = scan[max(floor, position - 100) : position]
    window = re.split(r"[,;:()\[\]]|(?<=\D)\.\s", window)[-1]
    words = _QUALIFIER_END.sub("", window.rstrip()).split()
    cut = len(words)
    while cut and words[cut - 1].lower().strip(_QUOTES) not in lexicon.stop_words:
        cut -= 1
    if _COMPARATOR_END.search(" ".join(words[:cut])):
        return None  # "compared with the placebo group (": a comparator, not an outcome
    kept = words[cut:]
    while kept and kept[-1].lower().strip(_QUOTES) in lexicon.drop_words:
        kept.pop()
    for index in range(len(kept) - 1, -1, -1):  # "PFS was significantly improved": keep what follows the verb
        if kept[index].lower().strip(_QUOTES) in lexicon.drop_words:
            kept = kept[index + 1 :]
            break
    phrase = " ".join(kept[-6:]).strip(" -$*_\"'")
    if (
        not phrase
        or not re.search(r"[A-Za-z]", phrase)
        or phrase.lower() in lexicon.stop_words
        or _TIME_ONLY.match(phrase)
        or _PAIR_LABEL.search(f" {phrase} ")
    ):
        return None
    return phrase


def _outcome(scan: str, estimate: _Estimate, floor: int, limit: int) -> tuple[str | None, str | None]:
    """The outcome an estimate is about, and the construct when an instrument names the outcome.

    In order: a label inside the estimate's bracket (``0.25 (depression; ...)``), a gap after the
    measure's name (``RR for mortality was``), a label before a colon (``PHQ-9 remission: RR=``), an
    instrument after the estimate (``... on the SDQ``), the phrase before the estimate's bracket
    (``for depression (−0.19, ...)``), a short name before the measure (``SDQ-TD treatment estimate``),
    and ``for X`` after the estimate.
    """
    if estimate.tail.outcome:
        return estimate.tail.outcome, None
    anchor = estimate.anchor_start
    segment_start = max(floor, scan.rfind(";", floor, anchor) + 1, scan.rfind("(", floor, anchor) + 1)
    before = scan[segment_start:anchor].rstrip()
    colon = _COLON_LABEL.search(before)
    if colon:  # "PHQ-9 remission: RR= 1.08", "PHQ-9 total score: Standardized Mean Difference = ..."
        phrase = _phrase_before(scan, segment_start + colon.start(), segment_start)
        if phrase:
            return phrase, None
    bracket = estimate.in_bracket
    if bracket is None:
        bracket = _enclosing_bracket(scan, anchor, floor)
    construct = _phrase_before(scan, bracket, floor) if bracket is not None else None
    after = _POST_OUTCOME.match(scan, estimate.end, limit)
    if after and after.group("preposition") == "on":
        return after.group("outcome").strip(), construct
    if construct:
        return construct, None
    if before and len(before.split()) <= 3 and estimate.in_bracket is None:
        phrase = _phrase_before(scan, segment_start + len(before), segment_start)
        if phrase and phrase == before.strip():
            return phrase, None  # "SDQ-TD treatment estimate: ..." names the outcome before the measure
    return (after.group("outcome").strip(), None) if after else (None, None)


def _comparison(sentence: str) -> str | None:
    """``intervention vs control``, ``between treatment and EUC arms``, ``compared with controls``."""
    match = _BETWEEN.search(sentence)
    if match:
        return f"{match.group('a')} vs {match.group('b')}"
    stop = _lexicon().stop_words | {"the", "a", "an"}
    for versus in _VERSUS.finditer(sentence):
        before = _WORDS_BEFORE.search(sentence, max(0, versus.start() - 60), versus.start())
        after = _WORDS_AFTER.match(sentence, versus.end())
        if not (before and after):
            continue
        left = before.group().split()
        while left and any(word.lower() in stop for word in left):
            left.pop(0)
        right: list[str] = []
        for word in after.group().split():
            if word.lower() in stop:
                break
            right.append(word)
        if left and right:
            return f"{' '.join(left)} vs {' '.join(right)}"
    match = _COMPARED.search(sentence)
    return f"vs {match.group('b').strip()}" if match else None


def _inherited(
    scan: str,
    layer: TextLayer,
    start: int,
    end: int,
    taken: list[tuple[int, int]],
    mentions: list[tuple[int, int, str, float]],
) -> list[_Estimate]:
    """Bracketed estimates with no name of their own, ``(−0.19, p = 0.015)``, measured as named before."""
    found: list[_Estimate] = []
    lexicon = _lexicon()
    for group in _GROUP_START.finditer(scan, start, end):
        if any(a <= group.start() < b for a, b in taken):
            continue
        value_match = _VALUE.match(scan, group.end(), end)
        if not value_match:
            continue
        value = _number(value_match.group("value"))
        if value is None or lexicon.count_nouns.match(scan, value_match.end(), end):
            continue
        tail = _parse_tail(scan, value_match.end(), end, value, depth=1, own_bracket=True)
        if tail.ci is None and (tail.p_operator is None or tail.p_operator == "ns"):
            continue
        if _GROUP_VALUE_AFTER.match(scan, tail.end, end) or _GROUP_VALUE_BEFORE.search(
            scan, max(start, group.start() - 80), group.start()
        ):
            continue  # "(1.46 [95% CI ...] μmol/L vs 1.13 [...])": one group's value, not a comparison
        mention = None
        for mention_start, mention_end, measure, weight in reversed(mentions):
            if mention_start >= group.start():
                continue
            if group.start() - mention_end <= 600 and not _PARAGRAPH.search(scan, mention_end, group.start()):
                mention = (mention_start, measure, weight)
            break
        if mention and _plausible(mention[1], value, lexicon):
            same = layer.sentence_at(mention[0]) == layer.sentence_at(group.start())
            base, measure, rule = (0.5 if same else 0.4) * mention[2], mention[1], "inherited"
        elif tail.ci is not None:
            base, measure, rule = 0.15, "other", "bracketed"
        else:
            continue
        evidence_start = (
            group.start() if tail.depth == 0 else value_match.start("value")
        )  # "(−0.19, p = 0.015)"
        estimate = _Estimate(
            measure,
            value,
            evidence_start,
            tail.end,
            _confidence(base, tail),
            rule,
            tail,
            {"adjusted": False},
            value_match.start("value"),
            in_bracket=group.start(),
        )
        found.append(estimate)
        taken.append((group.start(), tail.end))
    return found


def _share_p_values(scan: str, estimates: list[_Estimate], layer: TextLayer, start: int, end: int) -> None:
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
        bracket = _enclosing_bracket(scan, estimate.anchor_start, start)
        if bracket is None:
            continue
        match = _P.match(scan, bracket + 1)
        if match and re.fullmatch(r"\s*[,;]\s*", scan[match.end() : estimate.anchor_start]):
            parsed = parse_p(match)
            if parsed:
                estimate.tail.p_operator, estimate.tail.p = parsed


def find_effects(layer: TextLayer, start: int = 0, end: int | None = None) -> list[ExtractedValue]:
    """Every effect estimate or test result in ``layer.text[start:end]``, as candidates with evidence spans."""
    text = layer.text
    end = len(text) if end is None else end
    scan = repair_pdf_glyphs(text.translate(_CONTROL) if _CONTROL_CHARACTER.search(text) else text)
    lexicon = _lexicon()
    estimates: list[_Estimate] = []
    taken: list[tuple[int, int]] = []
    mentions: list[tuple[int, int, str, float]] = []
    consumed = start
    for match in lexicon.anchor.finditer(scan, start, end):
        if match.start() < consumed:
            continue
        found = _from_anchor(scan, match, end, text)
        if match.group("phrase") or match.group("abbr"):
            measure, weight, _ = _anchor_measure(match, lexicon)
            mentions.append((match.start(), match.end(), measure, weight))
        if found:
            estimates.extend(found)
            consumed = max(e.end for e in found)
            taken.append((match.start(), consumed))
    estimates.extend(_inherited(scan, layer, start, end, taken, mentions))
    estimates.sort(key=lambda e: e.start)
    _share_p_values(scan, estimates, layer, start, end)
    sentences: dict[int, tuple[bool, bool, str | None]] = {}
    return [_to_value(scan, layer, estimate, start, end, sentences) for estimate in estimates]


def _to_value(
    scan: str,
    layer: TextLayer,
    estimate: _Estimate,
    start: int,
    end: int,
    sentences: dict[int, tuple[bool, bool, str | None]],
) -> ExtractedValue:
    lexicon = _lexicon()
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
            _comparison(sentence_text),
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
    attributes["outcome"], construct = _outcome(scan, estimate, floor, end)
    if construct:
        attributes["construct"] = construct
    attributes.setdefault("comparison", comparison)
    attributes["estimate_text"] = layer.text[estimate.start : estimate.end]
    return ExtractedValue(
        field="effect",
        value={"measure": estimate.measure, "value": estimate.value, "ci": tail.ci, "p": tail.p},
        start=estimate.start,
        end=estimate.end,
        confidence=round(min(confidence, 0.97), 3),
        source=f"rule:effects.{estimate.rule}.v{VERSION}",
        attributes=attributes,
    )


_STATISTIC_NAMES = {"t": "t", "ts": "t", "F": "F", "Fs": "F", "z": "z", "Z": "z"}
_STATISTIC_SEPARATOR = re.compile(r"\s*(?:[,;(]\s*)?")
_STATISTIC_SKIP = re.compile(rf"[A-Za-zη²2]{{1,5}}\s*=\s*{SIGNED}(?![\d])")  # "MSE = 6.61" between F and p
_ONE_TAILED = re.compile(r"\s*,?\s*\(?(?:one[- ](?:tailed|sided)|directional)")


def _statistic_name(label: str) -> str:
    compact = re.sub(r"\s+", "", label)
    if compact in _STATISTIC_NAMES:
        return _STATISTIC_NAMES[compact]
    if compact.startswith("Q"):
        return "Q"
    if compact in {"r", "rs", "r_s", "rpb"}:
        return "r"
    return "chi2"


# Glyphs some journals' PDF fonts turn into letters (documented in statcheck's PDF import, file-to-txt.R):
# "=" as "p" or "¼", "<" as "!" or "b", ">" as "N", and a quote as "B" glued before the statistic.
_GLYPHS = {"p": "=", "¼": "=", "!": "<", "b": "<", "N": ">"}
_GLYPH_AFTER_DF = re.compile(
    r"(?:(?<![A-Za-z])(?:ts?|Fs?|rs?|Q\w{0,7}|[χxX]\s?2|chi2)\s*\([^()]{1,30}\)|(?<![A-Za-z])[zZ])"
    r"\s*(?P<glyph>[p¼!bN])(?=\s{0,3}[-\u2212]?\s{0,2}\.?\d)"
)
_GLYPH_AFTER_P = re.compile(r"(?<![A-Za-z])ps?\s*(?P<glyph>[p¼!bN])(?=\s?\.?\d)")
_GLYPH_IN_N = re.compile(r"(?<=[,(]\s)[Nn]\s(?P<glyph>p)(?=\s\d)")
_QUOTE_AS_B = re.compile(r"(?<![A-Za-z])(?P<glyph>B)(?=(?:ts?|Fs?|r|Q|[zZ])\s?\()")
# One cheap scan to skip the repair in the many texts that need none.
_ANY_GLYPH = re.compile(  # each branch starts with one of ) z Z p N n B, so the scan can skip other characters
    r"(?:\)|[zZ](?<![A-Za-z][zZ])|p(?<![A-Za-z]p)s?|[Nn](?<=[\s(,][Nn])(?=\s))\s*[p¼!bN]\s{0,3}[-\u2212]?\s{0,2}\.?\d"
    r"|B(?:ts?|Fs?|r|Q|[zZ])\s?\("
)
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def repair_pdf_glyphs(text: str) -> str:
    """``F(1, 127) p 6.36, p ! .05`` -> ``F(1, 127) = 6.36, p < .05``: font glyphs read as letters, in test results only.

    Only a letter standing where a test result needs a comparison sign is replaced, one
    character for one, so offsets into the text stay valid.
    """
    if not _ANY_GLYPH.search(text):
        return text
    characters = list(text)
    for pattern in (_GLYPH_AFTER_DF, _GLYPH_AFTER_P, _GLYPH_IN_N, _QUOTE_AS_B):
        for match in pattern.finditer(text):
            characters[match.start("glyph")] = _GLYPHS.get(match.group("glyph"), " ")
    return "".join(characters)


def iter_statistics(text: str, repair: bool = True) -> list[dict[str, Any]]:
    """Every APA-style test result with a p-value in ``text`` (see ``parse_statistic``)."""
    scan = text.translate(_CONTROL)
    if repair:
        scan = repair_pdf_glyphs(scan)
    lexicon = _lexicon()
    results: list[dict[str, Any]] = []
    position = 0
    while True:
        match = lexicon.statistic.search(scan, position)
        if not match:
            return results
        position = match.end()
        result = _statistic(scan, match, text)
        if result:
            result["text"] = text[result["start"] : result["end"]]
            results.append(result)
            position = result["end"]


def parse_statistic(text: str, repair: bool = True) -> dict[str, Any] | None:
    """The first APA test result in ``text`` (``t(28) = 2.20, p = .036``), or None.

    Returns ``statistic`` (t, F, chi2, r, z, Q), ``label`` as printed, ``measure`` (the
    interchange measure: Q is "other"), ``df`` (list), ``n`` (chi-square N), ``comparison``
    and ``value`` of the statistic, ``p_operator`` (=, <, >, <=, >= or "ns") and ``p``
    (None for "ns"), ``one_tailed``, and ``start``/``end``/``text`` of the evidence.
    With ``repair``, comparison signs lost to PDF fonts are restored first (``repair_pdf_glyphs``).
    """
    results = iter_statistics(text, repair)
    return results[0] if results else None


def _statistic(scan: str, match: re.Match[str], original: str) -> dict[str, Any] | None:
    label = match.group("name") or match.group("bare")
    statistic = _statistic_name(label)
    df = _df(match)
    if match.group("name") and (statistic == "F") != (len(df) == 2):
        return None
    if match.group("n") and statistic != "chi2":
        return None
    value = _number(match.group("value"))
    if value is None:
        return None
    if match.group(
        "junk"
    ):  # "t(28) = %^&2.20": unreadable characters before a number stand for a minus (as statcheck)
        value = -abs(value)
    value = _lost_minus(
        original,
        match.end("op"),
        match.start("value"),
        value,
        bool(_SIGNED_START.match(match.group("value"))),
    )
    if (statistic == "r" and abs(value) > 1) or (statistic in {"F", "chi2", "Q"} and value < 0):
        return None
    cursor, p_operator, p_value = match.end(), None, None
    for _ in range(3):
        separator = _STATISTIC_SEPARATOR.match(scan, cursor)
        position = separator.end()
        p_match = _P.match(scan, position)
        if p_match:
            parsed = parse_p(p_match)
            if parsed is None:
                return None
            (p_operator, p_value), cursor = parsed, p_match.end()
            break
        ns = _NS.match(scan, position)
        if ns and separator.group().strip():
            p_operator, cursor = "ns", ns.end()
            break
        skip = _STATISTIC_SKIP.match(scan, position)
        if not skip or not separator.group().strip():
            return None
        cursor = skip.end()
    if p_operator is None:
        return None
    one_tailed = bool(_ONE_TAILED.match(scan, cursor))
    return {
        "statistic": statistic,
        "label": re.sub(r"\s+", "", label),
        "measure": statistic if statistic in _STATISTICS else "other",
        "df": df,
        "n": int(re.sub(r"\D", "", match.group("n"))) if match.group("n") else None,
        "comparison": normalise_operator(match.group("op")),
        "value": value,
        "p_operator": p_operator,
        "p": p_value,
        "one_tailed": one_tailed,
        "start": match.start(),
        "end": cursor,
    }
