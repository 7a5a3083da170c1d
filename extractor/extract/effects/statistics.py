"""APA test results (``t(28) = 2.20, p = .036``) and the PDF font damage that hides them.

``parse_statistic`` and ``iter_statistics`` read t, F, chi-square, r, z and Q results with
their degrees of freedom and p-value, as statcheck does. ``repair_pdf_glyphs`` restores the
comparison signs some journals' fonts print as letters (``F(1, 127) p 6.36, p ! .05``). The
helpers for values whose minus sign was lost in conversion (``parse_value``, ``lost_minus``)
are shared with the effect extractor.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..common.numbers import (
    NOT_SIGNIFICANT,
    P_EXPRESSION,
    SIGN,
    SIGNED,
    normalise_operator,
    parse_number,
    parse_p,
)
from .lexicon import COMPARISON, DF, STAT_VALUE, STATED_DF, alternation, effect_data, stated_df

STATISTICS = {"t", "F", "chi2", "z", "r"}  # measures of their own; any other statistic (Q) is "other"
_CONTROL = {code: " " for code in range(32) if chr(code) not in "\n\r\t"}
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_P = re.compile(P_EXPRESSION)
_NS = NOT_SIGNIFICANT
# A control character standing alone before a number (not glued to the "=" glyph) is a lost minus.
_LOST_GLYPH = re.compile(r"\s[\x00-\x08]\s?$")
SIGNED_START = re.compile(rf"{SIGN}|[?\ufffd]")
_STATISTIC_NAMES = {"t": "t", "ts": "t", "F": "F", "Fs": "F", "z": "z", "Z": "z"}
_STATISTIC_SEPARATOR = re.compile(r"\s*(?:[,;(]\s*)?")
_STATISTIC_SKIP = re.compile(rf"[A-Za-zη²2]{{1,5}}\s*=\s*{SIGNED}(?![\d])")  # "MSE = 6.61" between F and p
_STATED_DF = re.compile(STATED_DF)  # "χ2 = 5.2, d.f. = 1, p = .02": a bare statistic's df after its value
_CLOSE = re.compile(r"\s*\)")
_ONE_TAILED = re.compile(r"\s*,?\s*\(?(?:one[- ](?:tailed|sided)|directional)")


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
_ANY_GLYPH = re.compile(  # each branch starts with one literal of ) z Z p N n B, so the scan can skip other characters
    r"(?:\)|z(?<![A-Za-z]z)|Z(?<![A-Za-z]Z)|p(?<![A-Za-z]p)s?|N(?<=[\s(,]N)(?=\s)|n(?<=[\s(,]n)(?=\s))"
    r"\s*[p¼!bN]\s{0,3}[-\u2212]?\s{0,2}\.?\d"
    r"|B(?:ts?|Fs?|r|Q|[zZ])\s?\("
)


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
    scan = blank_controls(text)
    if repair:
        scan = repair_pdf_glyphs(scan)
    pattern = _statistic_pattern()
    results: list[dict[str, Any]] = []
    position = 0
    while True:
        match = pattern.search(scan, position)
        if not match:
            return results
        position = match.end()
        result = _statistic(scan, match, text)
        shared = [] if result else _shared_statistic(scan, match)
        for found in [result] if result else shared:
            found["text"] = text[found["start"] : found["end"]]
            results.append(found)
            position = max(position, found["end"])


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


@cache
def _statistic_pattern() -> re.Pattern[str]:
    """A test result up to its value: ``t(28) = 2.20``, ``χ2(1, N = 100) = 4.2``, ``Q(5) = 3.1``, ``z = 2.1``."""
    statistics = effect_data()["statistics"]
    chi = alternation(statistics["chi"])
    q_suffix = alternation(statistics["q_suffixes"])
    return re.compile(
        rf"(?<![A-Za-z0-9_])(?:"
        rf"(?P<name>ts?|Fs?|rs?|r_s|rpb|{chi}|Q\s*(?:{q_suffix})?)\s*\(\s*(?P<df1>{DF})(?:\s*,\s*(?P<df2>{DF}))?"
        rf"(?:\s*,\s*[Nn]\s*=\s*(?P<n>\d[\d,]*\d|\d))?\s*\)"
        rf"|(?P<bare>[zZ]|t|F|{chi})(?![A-Za-z0-9(])"
        rf")\s*(?P<op>{COMPARISON})\s*(?P<junk>[^\w\s.,;:()\[\]{{}}'\"+]{{1,3}}(?=\s?\.?\d))?\s?"
        rf"(?P<value>{STAT_VALUE})(?![\d])"
    )


def _statistic(scan: str, match: re.Match[str], original: str) -> dict[str, Any] | None:
    """The result a statistic's match starts, when a p-value (or ``ns``) follows within a few steps."""
    label = match.group("name") or match.group("bare")
    statistic = _statistic_name(label)
    df = degrees_of_freedom(match)
    if match.group("name") and (statistic == "F") != (len(df) == 2):
        return None
    if match.group("n") and statistic != "chi2":
        return None
    value = parse_value(match.group("value"))
    if value is None:
        return None
    if match.group(
        "junk"
    ):  # "t(28) = %^&2.20": unreadable characters before a number stand for a minus (as statcheck)
        value = -abs(value)
    value = lost_minus(
        original,
        match.end("op"),
        match.start("value"),
        value,
        bool(SIGNED_START.match(match.group("value"))),
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
        stated = _STATED_DF.match(scan, position) if match.group("bare") and not df else None
        if stated:  # "χ2 = 5.2, d.f. = 1", "chi-square = 12.4 with 3 d.f.", "χ2 = 5.2 (1 df)"
            found = stated_df(stated)
            if (statistic == "F") != (len(found) == 2):
                return None
            df, cursor = found, stated.end()
            if "(" in separator.group():
                close = _CLOSE.match(scan, cursor)
                if not close:
                    return None
                cursor = close.end()
            continue
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
        "measure": statistic if statistic in STATISTICS else "other",
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


_AND_VALUE = re.compile(rf"\s*and\s+(?P<value>{STAT_VALUE})(?![\d])\s*,\s*")
_AND = re.compile(r"\s+and\s+")


def _shared_statistic(scan: str, match: re.Match[str]) -> list[dict[str, Any]]:
    """``F(1, 15) = 19.9 and 5.16, p < .001 and p < .05``: two results of one statistic, each with its p."""
    second = _AND_VALUE.match(scan, match.end())
    first_p = _P.match(scan, second.end()) if second else None
    joint = _AND.match(scan, first_p.end()) if first_p else None
    second_p = _P.match(scan, joint.end()) if joint else None
    if not (second and first_p and second_p):
        return []
    results = []
    for value_text, p_match, start, end in (
        (match.group("value"), first_p, match.start(), first_p.end()),
        (second.group("value"), second_p, second.start("value"), second_p.end()),
    ):
        value, parsed = parse_value(value_text), parse_p(p_match)
        if value is None or parsed is None:
            return []
        label = match.group("name") or match.group("bare")
        statistic = _statistic_name(label)
        results.append(
            {
                "statistic": statistic,
                "label": re.sub(r"\s+", "", label),
                "measure": statistic if statistic in STATISTICS else "other",
                "df": degrees_of_freedom(match),
                "n": int(re.sub(r"\D", "", match.group("n"))) if match.group("n") else None,
                "comparison": normalise_operator(match.group("op")),
                "value": value,
                "p_operator": parsed[0],
                "p": parsed[1],
                "one_tailed": False,
                "start": start,
                "end": end,
            }
        )
    return results


def _statistic_name(label: str) -> str:
    """``ts`` -> ``t``, ``Q_b`` -> ``Q``, ``rpb`` -> ``r``, any chi spelling -> ``chi2``."""
    compact = re.sub(r"\s+", "", label)
    if compact in _STATISTIC_NAMES:
        return _STATISTIC_NAMES[compact]
    if compact.startswith("Q"):
        return "Q"
    if compact in {"r", "rs", "r_s", "rpb"}:
        return "r"
    return "chi2"


def blank_controls(text: str) -> str:
    """Control characters other than line breaks and tabs as spaces, one for one (offsets stay valid)."""
    return text.translate(_CONTROL) if _CONTROL_CHARACTER.search(text) else text


def parse_value(text: str) -> float | None:
    """A printed value; a leading ``?`` or U+FFFD is a minus sign lost in encoding."""
    if text[:1] in "?\ufffd":
        value = parse_number(text[1:])
        return None if value is None else -value
    return parse_number(text)


def lost_minus(original: str, start: int, end: int, value: float, signed: bool) -> float:
    """A minus glyph the text lost (a control character before the number) makes the value negative."""
    if value > 0 and not signed and _LOST_GLYPH.search(original[start:end]):
        return -value
    return value


def degrees_of_freedom(match: re.Match[str]) -> list[float]:
    """The ``df1`` and ``df2`` groups of a statistic's match (``l`` and ``I`` read as 1)."""
    values = []
    for name in ("df1", "df2"):
        text = match.group(name)
        if text:
            number = 1.0 if text in "lI" else float(text)
            values.append(int(number) if number.is_integer() else number)
    return values
