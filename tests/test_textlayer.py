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
