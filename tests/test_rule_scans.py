"""Scans written for speed find what their plain forms find.

A look-behind moved after a pattern's first character (so the regex engine can skip every position
whose character cannot start a match), a case-blind scan skipped when its letters are absent, a rare
pattern skipped when a cheap necessary part of it is absent: each is checked against the plain form on
texts generated from the characters and words the patterns care about.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import textlayer
from extractor.extract.effects import measures, respective, statistics, tables
from extractor.extract.effects.rules import find_effects
from extractor.extract.sample_size import parent
from extractor.extract.units import segment
from extractor.readers import titles
from extractor.textlayer import analyse

_PIECES = [
    " ", "  ", "\n", "\t", "(", ")", "[", "]", ",", ";", ".", "=", "<", ">", "-", "\u2212", "0", "1", "2", ".05",
    "0.3", "12", "p", "P", "ps", "Ps", "p =", "P <", "z", "Z", "N", "n", "B", "t", "F", "r", "Q", "x", "a", "b", "!",
    "¼", "SD", "SDs", "standard deviation", "standard-deviations", "of a", "units", "per", " per 1000", "additional",
    "fewer deaths", "more", "respectively", "RESPECTIVELY", "Respectively", "ſ", "K", "and", "or", "&", "CI",
    "95% CI", "to", "effect", "improvement in", "reading", "d", "g", "OR", "RR", "ES", "ı", "İ",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)

_PLAIN_P_LIST = re.compile(r"(?<![A-Za-z])[pP]" + respective.P_LIST[len(r"[pP](?<![A-Za-z].)"):])
_PLAIN_ANY_GLYPH = re.compile(
    r"(?:\)|[zZ](?<![A-Za-z][zZ])|p(?<![A-Za-z]p)s?|[Nn](?<=[\s(,][Nn])(?=\s))\s*[p¼!bN]\s{0,3}[-\u2212]?\s{0,2}\.?\d"
    r"|B(?:ts?|Fs?|r|Q|[zZ])\s?\("
)


def _spans(pattern: re.Pattern[str], text: str, start: int = 0) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text, start)]


@pytest.mark.parametrize("text", ["p = .02 and p = .04", "x p < .01, .02 and .04", "sp = .02 and .03", "(P=0.8, 0.7)"])
def test_p_list_finds_what_its_plain_form_finds(text: str) -> None:
    assert _spans(respective._P_LIST, text) == _spans(_PLAIN_P_LIST, text)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(texts, st.integers(0, 5))
def test_p_list_and_glyph_scan_match_their_plain_forms_on_generated_texts(text: str, start: int) -> None:
    start = min(start, len(text))
    assert _spans(respective._P_LIST, text, start) == _spans(_PLAIN_P_LIST, text, start)
    assert _spans(statistics._ANY_GLYPH, text, start) == _spans(_PLAIN_ANY_GLYPH, text, start)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(texts)
def test_skipped_scans_have_no_match_where_they_are_skipped(text: str) -> None:
    if "SD" not in text and "standard" not in text:
        assert not measures._SD_UNIT.search(text)
    if not measures._PER_NUMBER.search(text):
        assert not measures._PER_TAIL.search(text)
    if "pect" not in text.lower():
        assert not respective._RESPECTIVELY.search(text)


@pytest.mark.parametrize("text", [
    "Reading improved by 0.45 SD (95% CI 0.2 to 0.7) and 0.3 standard deviations (p = .01).",
    "This corresponds to 20.6 (19.0-22.2) and 10.3 (9.1-11.5) additional deaths per 10,000 people.",
    "Effects were d = 0.30 and 0.45, RESPECTIVELY (p = .02 and p < .001).",
    "F(1, 127) p 6.36, p ! .05; z p 2.1",
])
def test_effects_read_with_the_cheap_tests_in_place(text: str) -> None:
    assert find_effects(analyse(text)), "these texts hold estimates the skipped scans read"


_HEADING_PIECES = ["\n", "\n\n", " ", "\t", ".", "!", "?", ". ", "Methods", "RESULTS", ":", "a", "Z", "1", "-", "x.y"]
heading_texts = st.lists(st.sampled_from(_HEADING_PIECES), max_size=40).map("".join)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(heading_texts, st.integers(0, 6), st.integers(0, 6))
def test_heading_starts_are_those_of_the_plain_scan(text: str, start: int, cut: int) -> None:
    start, end = min(start, len(text)), max(min(start, len(text)), len(text) - cut)
    assert [m.span() for m in textlayer._heading_starts(text, start, end)] == [
        m.span() for m in textlayer._HEADING_START.finditer(text, start, end)]


_PLAIN_PARENT_NOUN = re.compile(
    r"\b(?:parent|original|initial)\s+(?:randomi[sz]ed\s+)?(?:controlled\s+)?(?:clinical\s+)?(?:trial|study|rct|cohort)\b")
_PLAIN_THIS_DERIVED = re.compile(
    r"\b(?:this|the\s+present|the\s+current|our)\s+(?:[\w-]+\s+){0,2}?(?:follow[- ]?up|secondary\s+analys[ie]s|"
    r"post[- ]?hoc\s+analys[ie]s|ancillary\s+study|sub-?study|exploratory\s+analys[ie]s|re-?analys[ie]s)\b")
_STUDY_WORDS = ["parent", "original", "initial", "this", "the", "present", "current", "our", "hour", "sour", "xthis",
                "trial", "study", "cohort", "rct", "follow-up", "follow up", "secondary", "analysis", "analyses",
                "sub-study", "reanalysis", " ", "  ", "\n", "-", "_", "1", "of", "randomized", "controlled"]
study_texts = st.lists(st.sampled_from(_STUDY_WORDS), max_size=30).map("".join)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(study_texts)
def test_parent_study_scans_match_their_plain_forms(text: str) -> None:
    assert _spans(parent._PARENT_NOUN, text) == _spans(_PLAIN_PARENT_NOUN, text)
    assert _spans(parent._THIS_DERIVED, text) == _spans(_PLAIN_THIS_DERIVED, text)


_TITLE_WORDS = ["Effect", "effect", "of", "tai chi", "on", "balance", ":", " ", "  ", "-", "\n", "a", "RCT", "é", "_"]
title_texts = st.lists(st.sampled_from(_TITLE_WORDS), max_size=40).map("".join)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(title_texts, title_texts)
def test_title_repeats_count_as_the_folded_head_does(page_text: str, candidate: str) -> None:
    page = titles.Page(page_text, [], None, lambda line: False, lambda line: False, lambda line: 0.0)
    folded = re.sub(r"\W+", " ", candidate.lower()).strip()
    if not folded:
        return
    plain = max(re.sub(r"\W+", " ", page_text.lower()).count(folded) - 1, 0)
    assert page.repeats(folded) == plain


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet="aAbB C", max_size=3), st.text(alphabet="aAbB C", max_size=30))
def test_header_needle_places_are_those_regex_finds(needle: str, haystack: str) -> None:
    assert list(tables._places(needle, haystack)) == [m.start() for m in re.finditer(re.escape(needle), haystack)]


@pytest.mark.parametrize("header, roles", [
    ("Outcome HR 95% CI P", ["measure:HR", "ci", "p"]),
    ("Incidence RatecHazard RatioSE95% CIP", ["measure:HR", "se", "ci", "p"]),
    ("Variable OR (95% CI) p-value", ["measure:OR", "ci", "p"]),
])
def test_results_header_roles_in_order(header: str, roles: list[str]) -> None:
    assert tables._header_sequence(header) == roles


_UNIT_PIECES = ["\n", "\n\n", " ", "\t", "• ", "Smith", "Jones", " et al.", " (2010)", ", 2019", " and ", ", J. 2007",
                "Study", "Study 1", "Study 2", "Experiment", "Experimento 2", "Trial 3", "Estudio 1", "Studie 2", "xStudy 2",
                "Study A: walking", "CBT https://x.org", " (a home visiting programme): ", "Family Connects", ": ",
                "Programme words here and more words for the summary", "(", ")", ".", "2", "a"]
unit_texts = st.lists(st.sampled_from(_UNIT_PIECES), max_size=40).map("".join)
_PLAIN_NUMBERED = re.compile(r"\b(?P<word>Study|Experiment|Trial|Estudio|Studie|Experimento)\s(?P<number>[1-9])\b")


@settings(max_examples=400, derandomize=True, deadline=None)
@given(unit_texts, st.integers(0, 8))
def test_study_unit_scans_match_their_plain_forms(text: str, cut: int) -> None:
    limit = max(0, len(text) - cut)
    for pattern in (segment._CITATION_START, segment._INITIALS_YEAR_START, segment._NAMED_START, segment._LINKED_ROW,
                    segment._REFERENCE_ENTRY):
        assert [m.span() for m in segment._at_line_starts(pattern, text, limit)] == _spans_to(pattern, text, limit)
    assert [m.span() for m in segment._programme_openings(text, limit)] == _spans_to(segment._PROGRAMME, text, limit)
    assert [(m.span(), m.groups()) for m in segment._NUMBERED.finditer(text)] == [
        (m.span(), m.groups()) for m in _PLAIN_NUMBERED.finditer(text)]


def _spans_to(pattern: re.Pattern[str], text: str, limit: int) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text, 0, limit)]


_PLAIN_END = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+(?=\s)")
_PLAIN_BRACKET = re.compile(r"[()\[\]]|\n[ \t]*\n")
_SPLIT_PIECES = [".", "..", "!", "?", "?!", " ", "\n", "\n\n", "\n \t\n", "\t", '"', "'", "”", ")", "]", "(", "[", "a",
                 "B", "1", "e.g.", "et al."]
split_texts = st.lists(st.sampled_from(_SPLIT_PIECES), max_size=40).map("".join)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(split_texts, st.integers(0, 4))
def test_sentence_end_and_bracket_scans_match_their_plain_forms(text: str, start: int) -> None:
    start = min(start, len(text))
    assert _spans(textlayer._END, text, start) == _spans(_PLAIN_END, text, start)
    assert _spans(textlayer._BRACKET, text, start) == _spans(_PLAIN_BRACKET, text, start)


_PLAIN_BY_PERSON = re.compile(rf"\bBy\s+{titles._PERSON}\b")
_PLAIN_INITIALS_PAIR = re.compile(
    rf"\b{titles._NAME}\s+[A-Z]{{1,3}},\s*{titles._NAME}\s+[A-Z]{{1,3}}\b(?:[,.]|\s+and\b|$)")
_HEAD_PIECES = ["By ", "by ", "xBy ", "Smith", "Jones", "McLean", "O’Neil", "Anne-Marie", " J", " JR", ", ", " and ",
                "Kim", "é", "1", "2010", "; 12:3", "doi: 10.1000", "10.1234/x", "PMID 1", "vol. 3", "pp. 4", "(2019) 5",
                "et al", "ET AL", "ISSN", "ıssn", "[J]", "[j]", " ", ".", ":", "ſ"]
head_texts = st.lists(st.sampled_from(_HEAD_PIECES), max_size=30).map("".join)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(head_texts)
def test_title_line_scans_match_their_plain_forms(line: str) -> None:
    assert _spans(titles._BY_PERSON, line) == _spans(_PLAIN_BY_PERSON, line)
    assert _spans(titles._INITIALS_PAIR, line) == _spans(_PLAIN_INITIALS_PAIR, line)
    expected = bool(titles._CITATION.search(line)) and titles.units(line) <= 60
    assert titles._is_citation.__wrapped__(line) == expected
