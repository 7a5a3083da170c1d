"""The effects lexicon: measures, CI labels and word lists of ``data/effects.json``, compiled once.

``load_lexicon`` turns the data file into the patterns the effect extractor scans with: one
*anchor* pattern for every measure's name, abbreviation and symbol and for APA statistics
(``t(28) = 2.20``), the confidence-interval pattern, and the word lists that place an estimate
(power and adjustment wording, outcome stop words). Also here: the regex fragments the effects
modules share and ``alternation``, which builds a fast regex from a list of literals.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..common.numbers import SIGN, SIGNED, UNSIGNED

_DATA = Path(__file__).resolve().parents[2] / "data" / "effects.json"

# A statistic's value: a "?" or U+FFFD before the digits is a minus lost in encoding; PDF text may put
# two spaces after the minus.
STAT_VALUE = rf"(?:[?\ufffd](?=\d)|{SIGN}[ \u00a0\u2009]{{0,2}})?{UNSIGNED}"
DF = r"(?:\d+(?:\.\d+)?|[lI](?=\s*[,)]))"
COMPARISON = r"(?:<=|>=|=<|=>|[=<>≤≥]|&lt;|&gt;)"
# Degrees of freedom stated beside a statistic that does not bracket them: "d.f. = 1", "df: 2, 120", "DF 3",
# "d.f.=3/954", "with 1 d.f.", "(2 df)", "on 3 degrees of freedom". Groups df1, df2 (before the label) or df3, df4 (after it).
_DF_LABEL = (
    r"(?:(?<![A-Za-z])d\.\s?f\.?|(?<![A-Za-z])(?:df|DF)(?![A-Za-z])|(?i:degrees?\s+of\s+freedom))"
)
_DF_NUMBER = r"\d{1,6}(?:\.\d{1,3})?(?![\d.%])(?!\s*%)"
STATED_DF = (
    rf"(?:{_DF_LABEL}\s*(?:[=:]\s*)?(?P<df1>{_DF_NUMBER})(?:\s*[,/]\s*(?P<df2>{_DF_NUMBER}))?"
    rf"|(?:(?:with|on)\s+)?(?P<df3>{_DF_NUMBER})(?:\s*(?:,|and)\s*(?P<df4>{_DF_NUMBER}))?\s*{_DF_LABEL})"
)


def stated_df(match: re.Match[str]) -> list[int | float]:
    """The degrees of freedom a ``STATED_DF`` match holds (one, or two for F)."""
    values: list[int | float] = []
    for name in ("df1", "df2", "df3", "df4"):
        text = match.group(name)
        if text:
            number = float(text)
            values.append(int(number) if number.is_integer() else number)
    return values


CI_SEPARATOR = r"(?:to|and|a|à|bis|até|至|到|,|;|\.\.\.?|[-\u2212\u2013\u2014\u2012\u2010\u2011~\uff5e\u301c]|\{?\\text(?:en|em)dash\}?|--)"


def alternation(literals: list[str], *, flexible: bool = False, caseless: bool = False) -> str:
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


def phrase_key(text: str) -> str:
    """A phrase as the lexicon keys it: lower case, one space for any run of spaces and hyphens."""
    return re.sub(r"[\s\-\u2010\u2011]+", " ", text.lower().replace("\u2019", "'").replace("`", "'")).strip()


@cache
def effect_data() -> dict[str, Any]:
    """The parsed ``data/effects.json`` (read once; callers must not change it)."""
    return json.loads(_DATA.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Lexicon:
    """The compiled effects lexicon (see ``load_lexicon``)."""

    anchor: re.Pattern[str]
    phrases: dict[str, tuple[str, float]]
    strict: frozenset[str]
    percent_measure: dict[str, str]
    abbreviations: dict[str, tuple[str, float, bool]]
    symbols: dict[str, tuple[str, float]]
    bounds: dict[str, tuple[float, float]]
    ci: re.Pattern[str]
    count_nouns: re.Pattern[str]
    skip_statistic: re.Pattern[str]
    adjusted_sentence: re.Pattern[str]
    power: re.Pattern[str]
    stop_words: frozenset[str]
    drop_words: frozenset[str]


@cache
def load_lexicon() -> Lexicon:
    """The effects lexicon, compiled from ``data/effects.json`` on first use."""
    data = effect_data()
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
            phrases.setdefault(phrase_key(phrase), (measure, weight))
            if entry.get("strict"):
                strict.add(phrase_key(phrase))
            if entry.get("percent_measure"):
                percent_measure[phrase_key(phrase)] = entry["percent_measure"]
        for abbreviation in entry.get("abbreviations", []):
            abbreviations.setdefault(abbreviation, (measure, weight, abbreviation in adjusted))
        for symbol in entry.get("symbols", []):
            symbols.setdefault(symbol, (measure, weight))
    statistics = data["statistics"]
    for chi in statistics["chi"]:
        symbols.setdefault(chi, ("chi2", 1.0))
    for symbol, measure in (("t", "t"), ("F", "F"), ("z", "z"), ("Z", "z")):
        symbols.setdefault(symbol, (measure, 1.0))

    chi = alternation(statistics["chi"])
    adjusted_prefix = alternation(
        [phrase_key(p) for p in data["adjusted_prefixes"]], flexible=True, caseless=True
    )
    phrase_trie = alternation(sorted(phrases), flexible=True, caseless=True)
    anchor = re.compile(
        rf"(?<![A-Za-z0-9_\u0370-\u03ff])(?:"
        rf"(?P<adj>{adjusted_prefix}[\s\-]+)?(?P<phrase>{phrase_trie})(?![A-Za-z])(?![\s\-]+reduction)"
        rf"|(?P<abbr>{alternation(sorted(abbreviations))})(?![A-Za-z])(?!\d+(?![\d.,·]\d))"  # "RR0.74, 95%CI ..."
        rf"|(?P<stat>ts?|Fs?|rs?|r_s|rpb|{chi})(?:_?\s*\(\s*(?P<df1>{DF})(?:\s*,\s*(?P<df2>{DF}))?"
        rf"(?:\s*,\s*[Nn]\s*=\s*(?P<n>\d[\d,\s]*\d|\d))?\s*\)"
        rf"|(?<=F)_?\{{?(?P<sdf1>\d{{1,3}}),\s?(?P<sdf2>\d{{1,6}})\}}?)"  # subscripted: "F3,4480=207.1"
        rf"\s*(?P<stat_op>{COMPARISON})\s*(?P<stat_value>{STAT_VALUE})"
        rf"|(?P<sym>{alternation(sorted(symbols))})(?![A-Za-z0-9(])\s*(?P<sym_op>{COMPARISON}|≈)\s*"
        rf"(?P<sym_value>{STAT_VALUE})"
        rf")(?(abbr)|(?!\d))"  # a value glued to an abbreviation is read after it
    )
    ci_words = [label for label in data["ci_labels"] if not label.isupper() and "." not in label]
    ci_codes = [label for label in data["ci_labels"] if label not in ci_words]
    ci_label = rf"(?:{alternation(ci_codes)}|{alternation([phrase_key(w) for w in ci_words], flexible=True, caseless=True)})"
    ci = re.compile(
        rf"(?:(?P<level>\d{{2}}(?:[.·]\d)?)\s*%[\s-]*)?(?P<label>{ci_label})(?![A-Za-z])(?:\s*(?P<level2>\d{{2}})\s*%)?"
        rf"(?:\s*[\[(](?:CI|(?i:confidence\s+intervals?))[\])])?\s*(?:[:=,]|\bof\b|\bfrom\b)?\s*"
        rf"(?P<open>[(\[{{]\s*)?(?P<lo>{SIGNED})\s*%?\s*{CI_SEPARATOR}\s*(?P<hi>{SIGNED})(?![\d])\s*%?"
        rf"(?P<close>\s*[)\]}}])?"
    )
    nouns = "|".join(sorted(map(re.escape, data["count_nouns"]), key=len, reverse=True))
    skip = alternation(data["skip_statistics"])
    return Lexicon(
        anchor=anchor,
        phrases=phrases,
        strict=frozenset(strict),
        percent_measure=percent_measure,
        abbreviations=abbreviations,
        symbols=symbols,
        bounds=bounds,
        ci=ci,
        count_nouns=re.compile(rf"\s*(?:%|(?:{nouns})\b)"),
        skip_statistic=re.compile(rf"(?<![A-Za-z])(?:{skip})\s*=\s*{SIGNED}"),
        adjusted_sentence=re.compile(rf"\b{alternation(data['adjusted_sentence'], caseless=True)}"),
        power=re.compile(rf"\b{alternation(data['power_words'], caseless=True)}"),
        stop_words=frozenset(data["outcome_stop_words"]),
        drop_words=frozenset(data["outcome_drop_words"]),
    )
