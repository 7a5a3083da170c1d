"""Sentence splitting that survives abstracts, and section roles."""

from __future__ import annotations

import pytest

from extractor.textlayer import analyse, section_role, spacy_doc, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Smith et al. found an effect. We did not.", ["Smith et al. found an effect.", "We did not."]),
        ("Outcomes (e.g. mood) were rated. Then we stopped.", ["Outcomes (e.g. mood) were rated.", "Then we stopped."]),
        ("The effect was d = .23 (95% CI .05 to .41). It held.", ["The effect was d = .23 (95% CI .05 to .41).", "It held."]),
        ("Scores differed (P = .03). Mothers (n = 33) improved.", ["Scores differed (P = .03).", "Mothers (n = 33) improved."]),
        ("METHODS:\nWe randomised 40 mothers.\nRESULTS:\nMood improved.",
         ["METHODS:", "We randomised 40 mothers.", "RESULTS:", "Mood improved."]),
        ("Background: Mood matters. Methods: We ran a trial.", ["Background: Mood matters.", "Methods: We ran a trial."]),
        ("mean (s.d.) SDQ-TD was 11.5 (7.6) in both arms.", ["mean (s.d.) SDQ-TD was 11.5 (7.6) in both arms."]),
        ("Data from J. Smith and colleagues were used. Next.", ["Data from J. Smith and colleagues were used.", "Next."]),
        ("IntroductionThis study evaluates mood.MethodUsing a trial.",
         ["IntroductionThis study evaluates mood.", "MethodUsing a trial."]),
    ],
)
def test_sentence_splitter_survives_abstract_punctuation(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_lines_wrapped_inside_a_sentence_are_not_split() -> None:
    text = "Pregnant women experiencing adversity were recruited\nfrom 10 antenatal clinics across 2 states."
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("heading", "role"),
    [("METHODS", "methods"), ("Results:", "results"), ("Methods and findings", "methods"),
     ("Trial registration", "registration"), ("Conclusions", "conclusions"), ("Nonsense", None)],
)
def test_headings_map_to_roles(heading: str, role: str | None) -> None:
    assert section_role(heading) == role


def test_sentences_carry_the_role_of_the_heading_before_them() -> None:
    text = "Background: Mood matters. Methods: We randomised 40 mothers. Results: Mood improved. Conclusions: Good."
    layer = analyse(text)
    assert [s.section for s in layer.sentences] == ["background", "methods", "results", "conclusions"]
    assert layer.sentence_at(text.index("randomised")).section == "methods"


def test_spacy_doc_has_the_layers_sentences() -> None:
    text = "Smith et al. found an effect. We did not."
    layer = analyse(text)
    doc = spacy_doc(layer)
    assert [sentence.text for sentence in doc.sents] == ["Smith et al. found an effect.", "We did not."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a statistic's sign before a decimal point written with a space
        ("Anxiety fell (P =. 007) and mood rose.", ["Anxiety fell (P =. 007) and mood rose."]),
        ("Anxiety fell (p < . 001) in the group. Next.", ["Anxiety fell (p < . 001) in the group.", "Next."]),
        ("Anxiety fell, p <. 001, in the group.", ["Anxiety fell, p <. 001, in the group."]),
        # abbreviations inside statistics
        ("The OR was 2.1 (95% C.I. 1.2 to 3.4) for mood.", ["The OR was 2.1 (95% C.I. 1.2 to 3.4) for mood."]),
        ("Mood differed (chi 2 = 7.4, d.f. = 1, P = 0.007).", ["Mood differed (chi 2 = 7.4, d.f. = 1, P = 0.007)."]),
        ("We enrolled approx. 200 mothers (see Fig. 2).", ["We enrolled approx. 200 mothers (see Fig. 2)."]),
        ("As Smith et al. (2019) found, mood improved.", ["As Smith et al. (2019) found, mood improved."]),
        ("Mood improved in 12 vs. 8 mothers. Sleep did not.", ["Mood improved in 12 vs. 8 mothers.", "Sleep did not."]),
        # a period a PDF's glyph stands for, and tokenised text
        ("F(1, 40) p 6.4, p ! .01", ["F(1, 40) p 6.4, p ! .01"]),
        ("lower after priming ( 6 of 35 or 17 . 1 % ) .", ["lower after priming ( 6 of 35 or 17 . 1 % ) ."]),
        # a short bracket holds its sentence together ...
        ("Scores rose (mean 4.1. Range 2 to 6) in both arms. Next.",
         ["Scores rose (mean 4.1. Range 2 to 6) in both arms.", "Next."]),
        ("Data were pooled [Jones et al. Child Dev. 2004;12:4-9]. Next.",
         ["Data were pooled [Jones et al. Child Dev. 2004;12:4-9].", "Next."]),
        # ... but a labelled item in it still opens a sentence, and a whole sentence in brackets ends at its bracket
        ("Effects (anxiety: d = .30. Depression: d = .41) were small.",
         ["Effects (anxiety: d = .30.", "Depression: d = .41) were small."]),
        ("(Most mothers took part.) The trial ended.", ["(Most mothers took part.)", "The trial ended."]),
        # unit abbreviations end a sentence before a capital, not before a number or a lower-case word
        ("Sessions lasted 30 min. The trial ran for 12 wk. Mothers stayed.",
         ["Sessions lasted 30 min.", "The trial ran for 12 wk.", "Mothers stayed."]),
        ("Sessions lasted 30 min. after lunch.", ["Sessions lasted 30 min. after lunch."]),
        ("Scores are mean ± SD. Mothers improved.", ["Scores are mean ± SD.", "Mothers improved."]),
        ("The pulse lasted 300 ms. Both arms took part.", ["The pulse lasted 300 ms.", "Both arms took part."]),
        ("Ms. Jones led the sessions. Next.", ["Ms. Jones led the sessions.", "Next."]),
        ("The drug was given i.v. The mothers improved.", ["The drug was given i.v.", "The mothers improved."]),
        ("This agrees with Jones et al.\n[16], who found it.", ["This agrees with Jones et al.\n[16], who found it."]),
        ("It was approved by the U.S. Food and Drug Administration.",
         ["It was approved by the U.S. Food and Drug Administration."]),
        # an item number opens its sentence; a caption's number stays with its abbreviation
        ("We had two aims. 1. Reduce anxiety. 2. Improve mood.",
         ["We had two aims.", "1. Reduce anxiety.", "2. Improve mood."]),
        ("Aims were set. ii. Reduce anxiety. 12. Improve mood.",
         ["Aims were set.", "ii. Reduce anxiety.", "12. Improve mood."]),
        ("Fig. 1. Trial profile. Fig. 2. Flow of mothers.", ["Fig. 1.", "Trial profile.", "Fig. 2.", "Flow of mothers."]),
        ("Sources were 1. the host website, 2. the rating.", ["Sources were 1. the host website, 2. the rating."]),
    ],
)
def test_splitter_keeps_statistics_and_brackets_together(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_bracket_that_runs_long_or_never_closes_does_not_hold_sentences() -> None:
    long = "Mood was rated (the scale has items. " + "Each item counts. " * 20 + "It ends) at once. Next."
    assert len(sentences(long)) > 10
    unclosed = "Mood was rated (by mothers. Sleep was rated too. Next one."
    assert sentences(unclosed) == ["Mood was rated (by mothers.", "Sleep was rated too.", "Next one."]
    blank_line = "Mood was rated (by mothers.\n\nSleep was rated). Next."
    assert sentences(blank_line)[0] == "Mood was rated (by mothers."


@pytest.mark.parametrize(
    "text",
    [
        "Anxiety was lower in the programme group (d = 0.4, 95%\nCI 0.1 to 0.7) than controls.",
        "Anxiety was lower in the programme group (d = 0.4, p\n= .01) than controls.",
        "Mothers who finished the programme, N =\nForty, improved.",
    ],
)
def test_statistics_wrapped_at_a_line_break_stay_in_one_sentence(text: str) -> None:
    assert sentences(text) == [text]
