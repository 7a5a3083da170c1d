"""Effect estimates from anchors: a measure's name, abbreviation or symbol, and the value it introduces.

After a name the value is looked for past labels and verbs (``adjusted mean difference (NIM -
SAU), 1.4``; ``The RR up to 12 months was 1.88``); symbols and APA statistics carry their value
(``d = .23``, ``t(28) = 2.20``). A value list after one name (``effect sizes of 0.25 (...), 0.20
(...)``) shares the name; a range (``OR 1.2-1.8``) gives two candidates; and a bracketed estimate
with no name of its own (``for depression (−0.19, p = 0.015)``) takes the measure last named
before it (``inherited_estimates``).
"""

from __future__ import annotations

import re
from typing import Any

from ...textlayer import TextLayer
from ..common.numbers import SIGN, SIGNED, UNSIGNED, normalise_operator, parse_number
from .lexicon import STAT_VALUE, Lexicon, load_lexicon, phrase_key
from .links import PAIR_LABEL, TIME_ONLY, strip_qualifiers
from .respective import P_LIST
from .statistics import SIGNED_START, STATISTICS, degrees_of_freedom, lost_minus, parse_value
from .tail import Estimate, Tail, parse_tail, tail_confidence

_RATIO_MEASURES = {"OR", "RR", "HR"}
_BARE_AMBIGUOUS = {"t", "F", "chi2", "z"}  # "t = 3" may be a time point, "F = 2" a factor
_LABEL_PAREN = re.compile(r"_?\s*[(\[]\s*(?P<label>[^()\[\]\d]{1,40}?)\s*[)\]]")  # "OR_(孕中期)=0.55"
_CI_HEADER = re.compile(r"\s*[(\[]?\s*\d{2}\s*%\s*(?:CI|(?i:confidence\s+intervals?))\s*[)\]]?")
_CONNECTOR = re.compile(
    r"\s*(?:(?P<eq>[=:≈~])|,|\b(?P<word>of|was|were|is|are|equals?|equalled|amounted\s+to|reached|being)\b)\s*"
)
_GAP = re.compile(  # a cut-off inside the gap ("for score >or=12 at six months") is not the value
    r"\s+(?:for|on|in|of|with|among|at|up\s+to|over|across|to)\s+"
    r"(?P<gap>(?:[^=;:()\[\]\n.<>≥≤]|(?:[<>≥≤]\s*(?:or\s*)?=?|=\s*[<>])\s*\d+(?:\.\d+)?){1,100}?)\s*"
    r"(?:\b(?:was|were|is|are|of)\b|[=:]|(?P<comma>,))\s*"
)
# the gap as far as a value follows it, across a list ("relative risks of preterm birth, low birthweight and
# stillbirth were 1.2"): after a comma only a list's words (no preposition, verb or number), and a verb or "of"
# before the value, not "=" ("effect size of d = 0.22" leaves "d = 0.22" to the symbol)
_GAP_WORDS = r"(?:(?!\b(?:was|were|is|are)\b)[^,=;:()\[\]\n.<>≥≤])"
_LIST_WORDS = r"(?:(?!\b(?:was|were|is|are|with|in|among|at|for|on|by|from|of|to|p)\b)[^,=;:()\[\]\n.<>≥≤\d])"
_GAP_VALUE = re.compile(
    r"\s+(?:for|on|in|of|with|among|at|up\s+to|over|across|to)\s+"
    rf"(?P<gap>{_GAP_WORDS}{{1,100}}?(?:\s*,\s*{_LIST_WORDS}{{1,60}}?)*?)\s*(?:\b(?:was|were|is|are|of)\b)\s*"
    rf"(?=\s*{STAT_VALUE}(?!\d))"
)
_PEOPLE = re.compile(
    r"(?i)(?:the\s+|those\s+)?(?:patients|participants|women|men|mothers|children|subjects|people|individuals|those)\b"
)
_GAP_ARM = re.compile(
    r"(?i)\s+(?:(?:in|for|among)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:groups?|arms?|patients|participants|women|children)\b"
    r"|compared\s+(?:with|to)\b|allocated\b|randomi[sz]ed\b).*$"
)
_THRESHOLD_BEFORE = re.compile(r"(?:[<>≥≤]\s*(?:or\s*)?=?|=\s*[<>])\s*$")
_STANDARDISED_BEFORE = re.compile(r"(?i)\bstandardi[sz]ed\s+(?:[\w-]+\s+){0,2}$")
_MEAN_BEFORE = re.compile(
    r"(?i)\b(?:mean|means|LSM|LS)\b[\s\w\[\]()-]{0,25}$"
)  # "least squares mean [LSM] difference"
_ADJUSTED_BEFORE = re.compile(r"(?i)\badjusted[\s-]+$")
_PERCENT = re.compile(r"\s*(?:%|per\s?cent|percentage[\s-]+points?)")
_VALUE = re.compile(rf"\s*(?P<value>{STAT_VALUE})(?![\d])")
_RANGE = re.compile(rf"[-\u2013\u2014\u2212](?P<high>{UNSIGNED})(?![\d])")
_CONTINUATION = re.compile(
    rf"(?:\s+(?:with|in|for|among|at|on)\s+[^,;()\[\]]{{1,50}}?)?\s*[,;]?\s*(?:and\s+|or\s+)?(?P<value>{SIGNED})(?![\d])"
)
_GROUP_START = re.compile(rf"[(\[]\s*(?=(?:{SIGN}\s?)?\.?\d)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# A bracketed value followed or preceded by "vs" and another value is one arm's result.
_GROUP_VALUE_AFTER = re.compile(
    r"\s*(?:[^\s,;()\[\]]+\s*){0,3}(?:vs\.?|versus)\s+(?:[A-Za-z][\w-]*\s+){0,3}[(\[]?[-\u2212\u2012\u2013]?\s?\.?\d"
)
_GROUP_VALUE_BEFORE = re.compile(
    r"[)\]]\s*(?:[^\s,;()\[\]]+\s*){0,3}(?:vs\.?|versus)\s+(?:[^,;()\[\]]{0,40})$"
)


def _plausible(measure: str, value: float, lexicon: Lexicon) -> bool:
    """Whether ``value`` lies in the measure's bounds (a ratio is positive)."""
    low, high = lexicon.bounds.get(measure, (-1e6, 1e6))
    return low <= value <= high and not (measure in _RATIO_MEASURES and value == 0)


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
    named_at = position
    for _ in range(3):
        match = _CONNECTOR.match(scan, position, limit)
        if not match or match.end() == position:
            break
        explicit = explicit or bool(match.group("eq") or match.group("word"))
        position = match.end()
    value = _VALUE.match(scan, position, limit)
    if value and _THRESHOLD_BEFORE.search(scan, max(0, position - 8), position):
        return None  # "odds ratio for score >or=12": a cut-off, not the estimate
    if value:
        return value, explicit, label, None
    # ("relative risks of preterm birth and stillbirth were": the "of" read as a connector opens the gap)
    gap = _GAP.match(scan, position, limit)
    value = _VALUE.match(scan, gap.end(), limit) if gap else None
    if gap and value:
        return value, not gap.group("comma"), label, gap.group("gap").strip()
    gap = _GAP_VALUE.match(scan, position, limit) or _GAP_VALUE.match(scan, named_at, limit)
    value = _VALUE.match(scan, gap.end(), limit) if gap else None
    if gap and value:
        return value, True, label, gap.group("gap").strip()
    return None


def anchor_measure(match: re.Match[str], lexicon: Lexicon) -> tuple[str, float, bool]:
    """Measure, weight and adjusted flag of an anchor match."""
    if match.group("phrase"):
        measure, weight = lexicon.phrases.get(phrase_key(match.group("phrase")), ("other", 0.5))
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


def from_anchor(scan: str, match: re.Match[str], limit: int, original: str) -> list[Estimate]:
    """The estimate(s) an anchor introduces, or [] when it only names a measure."""
    lexicon = load_lexicon()
    measure, weight, adjusted = anchor_measure(match, lexicon)
    attributes: dict[str, Any] = {"adjusted": adjusted}
    if match.group("abbr") and _ADJUSTED_BEFORE.search(scan, max(0, match.start() - 30), match.start()):
        attributes["adjusted"] = True  # "adjusted RR 1.45", "multivariable-adjusted HR"
    if match.group("stat") or match.group("sym"):
        value_group = "stat_value" if match.group("stat") else "sym_value"
        operator = normalise_operator(match.group("stat_op") or match.group("sym_op"))
        if measure not in STATISTICS and operator not in {"=", "≈"}:
            return []
        if match.group("stat"):
            df = degrees_of_freedom(match) or [int(match.group("sdf1")), int(match.group("sdf2"))]
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
        if label and PAIR_LABEL.search(f" {label} "):
            attributes["comparison"] = label.strip()
    value = parse_value(scan[value_start:value_end])
    if value is not None and (match.group("stat") or match.group("sym")):
        operator_end = match.end("stat_op") if match.group("stat") else match.end("sym_op")
        value = lost_minus(
            original, operator_end, value_start, value, bool(SIGNED_START.match(scan, value_start))
        )
    if value is None or not _plausible(measure, value, lexicon):
        return []
    phrase = phrase_key(match.group("phrase")) if match.group("phrase") else None
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
    if measure == "other" and gap_outcome and _PERCENT.match(scan, value_end, limit):
        return []  # "the direct effects of A on B were 48.7%": a share, not an estimate
    tail = parse_tail(scan, value_end, limit, value)
    strict = phrase in lexicon.strict or (match.group("abbr") and not explicit)
    if (
        strict
        and tail.ci is None
        and tail.p_operator is None
        and (gap_outcome or not _RESPECTIVELY.match(scan, value_end, limit))
    ):
        return []  # ("SMD 0.21 and 0.33, respectively": a list of values named once is an estimate's list)
    if tail.df and measure in STATISTICS and "df" not in attributes and (measure == "F") == (len(tail.df) == 2):
        attributes["df"] = tail.df  # "χ2 = 5.2, d.f. = 1, p = .02", "F = 4.1, df = 2, 120"
    if measure in _BARE_AMBIGUOUS and not match.group("stat") and tail.p_operator is None:
        base = 0.35  # "t = 3" with no df and no p is as likely a time point as a test
    if (
        tail.outcome is None
        and gap_outcome
        and not TIME_ONLY.match(strip_qualifiers(" " + gap_outcome).strip())
        and not _PEOPLE.match(gap_outcome)  # "the OR in patients with HbA1c >8% was": a subgroup
    ):
        # "HR of death for RT patients compared with CRT": the arm and the comparison off the outcome
        tail.outcome = _GAP_ARM.sub("", strip_qualifiers(" " + gap_outcome)).strip() or None
    estimates = [
        Estimate(
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
                    Estimate(
                        measure,
                        second,
                        match.start(),
                        high.end(),
                        0.0,
                        "range",
                        Tail(end=high.end()),
                        dict(attributes, range=True),
                        match.start(),
                    )
                )
    estimates.extend(_continuations(scan, estimates[-1], limit))
    for estimate in estimates:
        estimate.confidence = tail_confidence(base * weight, estimate.tail)
        if estimate.rule == "range":
            estimate.confidence = min(estimate.confidence, 0.55)
    return estimates


_PAIRED = re.compile(rf"\s*(?:&|and)\s*(?P<value>{SIGNED})(?![\d])(?=\s*[)\]])")  # "(d = 0.09 & − 0.26)"
_RESPECTIVELY = re.compile(
    rf"(?P<values>(?:\s*,\s*{SIGNED}(?![\d]))*\s*,?\s*(?:and|&)\s*{SIGNED}(?![\d]))"
    # ("0.31 and 0.42 for anxiety and depression, respectively": the list the values are for may come first)
    r"(?:\s+(?:for|in|on|among)\s+[^\d;:()\[\]=<>.]{1,80}?)?"
    # ("d = 0.30 and 0.45 (p = .02 and .04, respectively)": their p-values, listed in the same order)
    rf"(?:\s*[;,]?\s*[(\[]?\s*{P_LIST})?\s*,?\s*respectively\b"
)


def _bare_list(scan: str, previous: Estimate, limit: int) -> list[Estimate]:
    """Values with no CI or p after the first, in a pair in brackets (``(d = 0.09 & − 0.26)``) or a list that
    ends ``respectively`` (``effect sizes of 0.43, 0.28 and 0.36, respectively``)."""
    paired = _PAIRED.match(scan, previous.end, limit)
    spans: list[tuple[int, int]] = []
    if paired:
        spans = [paired.span("value")]
    else:
        listed = _RESPECTIVELY.match(scan, previous.end, limit)
        if listed:
            spans = [m.span() for m in re.finditer(SIGNED, listed.group("values"))]
            spans = [(listed.start("values") + a, listed.start("values") + b) for a, b in spans]
    found: list[Estimate] = []
    for value_start, value_end in spans:
        value = parse_value(scan[value_start:value_end])
        if value is None or not _plausible(previous.measure, value, load_lexicon()):
            return []
        found.append(
            Estimate(
                previous.measure,
                value,
                value_start,
                value_end,
                0.0,
                "list",
                Tail(end=value_end),
                {"adjusted": previous.attributes.get("adjusted", False)},
                previous.anchor_start,
            )
        )
    return found


def _continuations(scan: str, previous: Estimate, limit: int) -> list[Estimate]:
    """``effect sizes of 0.25 (...), 0.20 (...) and 0.17 (...)``: later values of one named measure."""
    if previous.tail.ci is None and previous.tail.p_operator is None:
        return _bare_list(scan, previous, limit)
    found: list[Estimate] = []
    while previous.tail.ci is not None or previous.tail.p_operator is not None:
        match = _CONTINUATION.match(scan, previous.end, limit)
        if not match:
            break
        value = parse_value(match.group("value"))
        if value is None or not _plausible(previous.measure, value, load_lexicon()):
            break
        tail = parse_tail(scan, match.end("value"), limit, value)
        if tail.ci is None and tail.p_operator is None:
            break
        estimate = Estimate(
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


_SD_UNIT = re.compile(
    rf"(?<![\w.,\u00b1])(?P<value>{SIGNED})(?![\d])\s*(?:SDs?\b(?!\s*[=:]|\s+\d|\s*\(\s*\d+(?:\.\d+)?\s*\))(?:\s+units?)?"
    rf"|standard[\s-]deviations?(?:\s+units?)?"
    r"|of\s+(?:a|one|the)\s+standard[\s-]deviation)(?![A-Za-z])"
)
_SD_NOT_EFFECT = re.compile(
    r"\s*(?:above|below|from|higher\s+than|lower\s+than)\s+(?:the\s+)?(?:mean|norm|average|median)", re.I
)
_IMPACT_BEFORE = re.compile(
    r"(?i)\b(?:impacts?|effects?|improv\w*|increas\w*|reduc\w*|decreas\w*|gains?|differences?|benefits?|raised?|"
    r"lowered|higher|lower|by)\b[^.;]{0,80}$"
)

# "a 0.45 SD improvement in reading scores": the impact named after the value
_IMPACT_WORDS = (
    r"(?i)[\s-]*(?:improvements?|increases?|reductions?|decreases?|gains?|declines?|rises?|falls?|effects?"
    r"|impacts?|differences?|advantages?|benefits?)\s+(?:in|on|of)\s+"
)
_IMPACT_AFTER = re.compile(_IMPACT_WORDS + r"(?=[A-Za-z])")
# ... and the interval printed after the outcome: "a 0.45 SD improvement in reading scores (95% CI ...)"
_IMPACT_AFTER_NAMED = re.compile(
    _IMPACT_WORDS + r"(?:the\s+)?(?P<outcome>[A-Za-z][^,;.()\[\]\d=<>]{1,60}?)(?=\s*[(\[])"
)


def sd_unit_estimates(scan: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[Estimate]:
    """Impacts in standard-deviation units (``0.324 SD, 95% CI: 0.152 to 0.496``, ``0.35 of a standard
    deviation``): standardised mean differences, when a CI, a p-value or impact wording goes with them."""
    found: list[Estimate] = []
    if scan.find("SD", start, end) < 0 and scan.find("standard", start, end) < 0:
        return found  # every match names SDs or a standard deviation
    for match in _SD_UNIT.finditer(scan, start, end):
        if any(a <= match.start() < b for a, b in taken) or _SD_NOT_EFFECT.match(scan, match.end(), end):
            continue
        value = parse_value(match.group("value"))
        if value is None or abs(value) > 5:
            continue
        tail = parse_tail(scan, match.end(), end, value)
        impact = _IMPACT_BEFORE.search(
            scan, max(start, match.start() - 100), match.start()
        ) or _IMPACT_AFTER.match(scan, match.end(), end)
        if tail.ci is None and tail.p_operator is None and impact and impact.re is _IMPACT_AFTER:
            named = _IMPACT_AFTER_NAMED.match(scan, match.end(), end)
            later = parse_tail(scan, named.end(), end, value) if named else tail
            if later.ci is not None or later.p_operator is not None:
                # "a 0.45 SD improvement in reading scores (95% CI ...)": the interval after the outcome
                tail, later.outcome = later, named.group("outcome").strip()
        if tail.ci is None and tail.p_operator is None and not impact:
            continue
        base = 0.6 if impact else 0.5
        estimate = Estimate(
            "SMD",
            value,
            match.start(),
            max(tail.end, match.end()),
            tail_confidence(base, tail),
            "sd_units",
            tail,
            {"adjusted": False, "sd_units": True},
            match.start(),
        )
        found.append(estimate)
        taken.append((estimate.start, estimate.end))
    return found


# "(targeted vs usual care -0.2 [-1.7 to 1.2; p = .76]; combined vs usual care 0.4 [...])": a comparison's label,
# then its estimate with a bracketed interval, after a measure named earlier
_LABELLED = re.compile(
    rf"(?:[(\[;]\s*)(?P<label>[A-Za-z][\w-]*(?:\s+[\w-]+){{0,3}}\s+(?:vs\.?|versus)\s+[A-Za-z][\w-]*(?:\s+[\w-]+){{0,3}}?)"
    rf"[:,]?\s+(?P<value>{SIGNED})(?![\d])(?=\s*[\[(])"
)


def labelled_estimates(
    scan: str,
    layer: TextLayer,
    start: int,
    end: int,
    taken: list[tuple[int, int]],
    mentions: list[tuple[int, int, str, float]],
) -> list[Estimate]:
    """``targeted vs usual care -0.2 [-1.7 to 1.2; p = .76]``: an estimate labelled by its comparison, measured as
    named before it (within the paragraph)."""
    found: list[Estimate] = []
    lexicon = load_lexicon()
    for match in _LABELLED.finditer(scan, start, end):
        value_start = match.start("value")
        if any(a <= value_start < b for a, b in taken):
            continue
        value = parse_value(match.group("value"))
        if value is None:
            continue
        tail = parse_tail(scan, match.end("value"), end, value)
        if tail.ci is None:
            continue
        mention = next(((s, m, w) for s, e, m, w in reversed(mentions) if e <= match.start()), None)
        if (
            mention is None
            or match.start() - mention[0] > 1200
            or _PARAGRAPH.search(scan, mention[0], match.start())
            or not _plausible(mention[1], value, lexicon)
        ):
            continue
        estimate = Estimate(
            mention[1],
            value,
            match.start("label"),
            tail.end,
            tail_confidence(0.4 * mention[2], tail),
            "labelled",
            tail,
            {"adjusted": False, "comparison": match.group("label")},
            value_start,
        )
        found.append(estimate)
        taken.append((match.start("label"), tail.end))
    return found


# "20.6 (19.0-22.2) and 10.3 (9.1-11.5) additional deaths per 10,000": differences in events per so many people
_PER_TAIL = re.compile(
    r"\s*(?:additional|excess|extra|fewer|more)\s+[A-Za-z-]+(?:\s+[A-Za-z-]+)?\s+per\s+\d[\d,.\s]*\d?\s*[A-Za-z-]*"
)
_PER_NUMBER = re.compile(r"\sper\s+\d")  # what every match of _PER_TAIL holds
_VALUE_WITH_CI = re.compile(
    rf"(?P<value>{SIGNED})(?![\d])\s*[(\[]\s*(?:95\s*%\s*CI[:,]?\s*)?(?P<lo>{SIGNED})\s*(?:to|[-\u2013\u2212])\s*"
    rf"(?P<hi>{SIGNED})\s*[)\]]"
)
_JOIN = re.compile(r"\s*(?:,|and|,\s*and)\s*")


def per_population_estimates(scan: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[Estimate]:
    """``corresponding to 20.6 (19.0-22.2) and 10.3 (9.1-11.5) additional deaths per 10,000``: risk differences."""
    found: list[Estimate] = []
    if not _PER_NUMBER.search(scan, start, end):
        return found  # (a cheap scan first: most texts print no "per 10,000")
    for per in _PER_TAIL.finditer(scan, start, end):
        items: list[re.Match[str]] = []
        cursor = per.start()
        for match in reversed(
            list(_VALUE_WITH_CI.finditer(scan, max(start, per.start() - 160), per.start()))
        ):
            joint = scan[match.end() : cursor]
            if joint.strip() and not _JOIN.fullmatch(joint):
                break
            items.insert(0, match)
            cursor = match.start()
        for match in items:
            if any(a <= match.start() < b for a, b in taken):
                continue
            value, low, high = (parse_value(match.group(name)) for name in ("value", "lo", "hi"))
            if value is None or low is None or high is None or not min(low, high) <= value <= max(low, high):
                continue
            tail = Tail(end=match.end(), ci=[min(low, high), max(low, high)])
            found.append(
                Estimate(
                    "RD",
                    value,
                    match.start(),
                    match.end(),
                    tail_confidence(0.55, tail),
                    "per_population",
                    tail,
                    {"adjusted": False, "per": per.group().strip()},
                    match.start(),
                )
            )
            taken.append((match.start(), match.end()))
    return found


def inherited_estimates(
    scan: str,
    layer: TextLayer,
    start: int,
    end: int,
    taken: list[tuple[int, int]],
    mentions: list[tuple[int, int, str, float]],
) -> list[Estimate]:
    """Bracketed estimates with no name of their own, ``(−0.19, p = 0.015)``, measured as named before."""
    found: list[Estimate] = []
    lexicon = load_lexicon()
    for group in _GROUP_START.finditer(scan, start, end):
        if any(a <= group.start() < b for a, b in taken):
            continue
        value_match = _VALUE.match(scan, group.end(), end)
        if not value_match:
            continue
        value = parse_value(value_match.group("value"))
        if value is None or lexicon.count_nouns.match(scan, value_match.end(), end):
            continue
        tail = parse_tail(scan, value_match.end(), end, value, depth=1, own_bracket=True)
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
            if group.start() - mention_end <= 1200 and not _PARAGRAPH.search(
                scan, mention_end, group.start()
            ):
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
        estimate = Estimate(
            measure,
            value,
            evidence_start,
            tail.end,
            tail_confidence(base, tail),
            rule,
            tail,
            {"adjusted": False},
            value_match.start("value"),
            in_bracket=group.start(),
        )
        found.append(estimate)
        taken.append((group.start(), tail.end))
    return found
