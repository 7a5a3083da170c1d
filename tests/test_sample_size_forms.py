"""Sample-size forms that hidden pages bring (issue 17): counts written in words, four-digit counts that could
be read as years, and the parent trial's counts in a secondary analysis or follow-up. Every text is written
for the test."""

from __future__ import annotations

import pytest

from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes
from extractor.textlayer import analyse


def headline(text: str, design: str | None = "rct") -> tuple[int, str] | None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"])


def numbers(text: str) -> set[int]:
    return {c.value["n"] for c in find_sample_sizes(analyse(text)) if c.role is not None}


# -- counts in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Forty-two children were randomised to the programme or a waiting list.", (42, "children")),
        ("Forty two mothers took part and were randomised to two groups.", (42, "mothers")),
        ("Forty\u2010two toddlers were randomised to the programme or a waiting list.", (42, "toddlers")),
        ("We randomised one hundred and twelve participants to exercise or usual care.", (112, "participants")),
        ("One hundred twelve adults with insomnia were randomly assigned to two arms.", (112, "adults")),
        ("Seventy patients were randomised. Outcomes were assessed at 6 months.", (70, "patients")),
        ("Two thousand and forty-six nurses were enrolled in this randomised trial.", (2046, "nurses")),
        ("Eighty-four mother-infant dyads were randomised to video feedback or usual care.", (84, "dyads")),
    ],
)
def test_a_count_written_in_words_is_the_headline(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


# -- four-digit counts and years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A randomised trial in 2046 patients with heart failure compared drug A with placebo.", (2046, "patients")),
        ("Data from 2019 participants were analysed in this randomised trial.", (2019, "participants")),
        ("The control group was made up of 1998 pregnant women from the same clinics.", (1998, "women")),
    ],
)
def test_a_four_digit_number_before_a_noun_for_people_is_a_count(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_a_screened_count_that_looks_like_a_year_is_kept_with_its_role() -> None:
    candidates = find_sample_sizes(analyse("Of 2012 patients screened, 240 were randomised."))
    assert {(c.value["n"], c.role) for c in candidates} == {(2012, "screened"), (240, "randomised")}


@pytest.mark.parametrize(
    "text",
    [
        "In 2012 patients were first offered the programme at 12 clinics.",
        "Between 2010 and 2014 patients were offered the programme at 12 clinics.",
        "Since 2015 women have been offered the programme at 12 clinics.",
        "From January 2016 patients could join the programme at 12 clinics.",
        "During 2018 adolescents attended the programme at 12 clinics.",
    ],
)
def test_a_year_before_a_noun_for_people_stays_a_year_after_a_date_word(text: str) -> None:
    assert not numbers(text) & set(range(1900, 2100))
