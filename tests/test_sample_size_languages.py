"""Counts on pages in Spanish, Portuguese, French and German (issue 17): number words of each language read
by one grammar whose words are data, digits with the languages' nouns and stage verbs, and the forms that are
no count there. Every text is written for the test."""

from __future__ import annotations

import pytest

from extractor.extract.common.number_words import languages_of, languages_present, parse_foreign
from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes
from extractor.textlayer import analyse


def headline(text: str, design: str | None = "rct") -> tuple[int, str, str | None] | None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"], chosen.role)


@pytest.mark.parametrize(
    ("words", "language", "value"),
    [
        ("cuarenta y dos", "es", 42),
        ("doscientos", "es", 200),
        ("ciento veinte", "es", 120),
        ("veintidós", "es", 22),
        ("mil doscientos cuarenta y dos", "es", 1242),
        ("dos mil", "es", 2000),
        ("trezentas e doze", "pt", 312),
        ("cento e vinte", "pt", 120),
        ("mil e duzentos", "pt", 1200),
        ("dezesseis", "pt", 16),
        ("quarante-deux", "fr", 42),
        ("quatre-vingt-dix", "fr", 90),
        ("quatre-vingts", "fr", 80),
        ("soixante et onze", "fr", 71),
        ("soixante-douze", "fr", 72),
        ("deux cent douze", "fr", 212),
        ("dix-sept", "fr", 17),
        ("vingt et un", "fr", 21),
        ("zweiundvierzig", "de", 42),
        ("dreihundertzwölf", "de", 312),
        ("einhundertzwanzig", "de", 120),
        ("zweitausendsechsundvierzig", "de", 2046),
        # not one number
        ("dos dos", "es", None),
        ("veinte treinta", "es", None),
        ("und", "de", None),
        ("zweiundzwölf", "de", None),
        ("quarante cinquante", "fr", None),
    ],
)
def test_number_words_of_each_language_are_read_by_one_grammar(words: str, language: str, value: int | None) -> None:
    assert parse_foreign(words, language) == value


def test_a_sentence_is_read_in_a_language_only_when_its_words_outnumber_english_ones() -> None:
    spanish = "cuarenta y dos niños fueron aleatorizados en dos grupos."
    assert "es" in languages_of(spanish, 0, len(spanish), languages_present(spanish))
    english = "once the patients were included in the trial, the nurses of the clinic (de la cruz et al.) met them."
    assert languages_of(english, 0, len(english), ("es", "pt", "fr", "de")) == ()
    assert languages_present("the patients of the clinic were randomised to two arms.") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cuarenta y dos niños con asma fueron aleatorizados a dos grupos.", (42, "children", "randomised")),
        ("Se incluyeron doscientos participantes en el estudio de intervención.", (200, "participants", "enrolled")),
        ("Participaron en el estudio ciento veinte mujeres embarazadas.", (120, "women", "enrolled")),
        ("Foram randomizadas trezentas e doze mulheres com diabetes gestacional.", (312, "women", "randomised")),
        ("Cinquenta e dois idosos foram recrutados em duas unidades de saúde.", (52, "older adults", "enrolled")),
        ("Quarante-deux enfants ont été randomisés dans deux groupes.", (42, "children", "randomised")),
        ("Quatre-vingt-dix enfants ont participé à l'étude.", (90, "children", "enrolled")),
        ("Zweiundvierzig Kinder mit Asthma wurden in die Studie eingeschlossen.", (42, "children", "enrolled")),
        ("Insgesamt wurden dreihundertzwölf Patienten randomisiert.", (312, "patients", "randomised")),
    ],
)
def test_a_count_in_words_of_another_language_is_the_headline(text: str, expected: tuple[int, str, str]) -> None:
    assert headline(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Se incluyeron 120 pacientes en el ensayo clínico.", (120, "patients", "enrolled")),
        ("Se aleatorizaron 96 pacientes con dolor lumbar crónico.", (96, "patients", "randomised")),
        ("Foram randomizadas 312 mulheres em dois grupos.", (312, "women", "randomised")),
        ("120 Patienten wurden randomisiert und über zwölf Monate beobachtet.", (120, "patients", "randomised")),
        ("Au total, 300 patients ont été inclus dans l'étude.", (300, "patients", "enrolled")),
        ("Zwölf Schulen mit 600 Schülern nahmen an der Studie teil.", (600, "pupils", "enrolled")),
    ],
)
def test_digits_with_nouns_and_stage_verbs_of_another_language_take_their_role(
        text: str, expected: tuple[int, str, str]) -> None:
    assert headline(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Veinticinco por ciento de los pacientes presentaron complicaciones durante el seguimiento.",
        "Vingt pour cent des patients ont été exclus de l'analyse finale.",
        "Dos de los pacientes presentaron complicaciones graves durante el seguimiento.",
        "Vinte dos pacientes relataram dor durante o seguimento.",
        # Portuguese "dos" (of the) is Spanish "two": the sentence holds more Portuguese words
        "A maioria dos pacientes foi randomizada para o grupo de intervenção e os demais para o controle.",
    ],
)
def test_percentages_and_subgroups_in_another_language_are_no_sample(text: str) -> None:
    assert headline(text) is None


def test_a_part_of_a_whole_in_another_language_keeps_both_numbers() -> None:
    found = {(c.value["n"], c.role) for c in find_sample_sizes(analyse(
        "Cuarenta y dos de 60 pacientes completaron el seguimiento de seis meses."))}
    assert (42, "followed_up") in found
    assert (60, "total") in found


def test_english_words_that_are_numbers_elsewhere_stay_words_on_an_english_page() -> None:
    text = "Once patients were included, the trial began. Data were collected by the nurses of each ward."
    assert find_sample_sizes(analyse(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "Quinientas mujeres de doce centros fueron invitadas; trescientas doce aceptaron participar en el estudio.",
        "Foram convidadas quinhentas mulheres de doze unidades; trezentas e doze aceitaram participar do estudo.",
        "Cinq cents femmes de douze centres ont été invitées ; trois cent douze ont accepté de participer à l'étude.",
        "Fünfhundert Frauen aus zwölf Praxen wurden eingeladen; dreihundertzwölf willigten in die Teilnahme ein.",
    ],
)
def test_a_bare_count_before_a_stage_verb_of_another_language_counts_the_parallel_people(text: str) -> None:
    assert headline(text) == (312, "women", "enrolled")
