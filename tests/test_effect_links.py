"""The outcome an effect is linked to, named as the outcome and nothing else (text of our own)."""

from __future__ import annotations

import pytest

from extractor.extract.effects.links import clean_outcome, outcome_at, outcome_phrase
from extractor.extract.effects.outcome_names import study_outcome
from extractor.extract.effects.rules import find_effects
from extractor.textlayer import analyse

REPORTED = 0.5  # data/combine.json: effect_min_confidence


def outcomes_of(text: str) -> list:
    return [v.value.get("outcome") for v in find_effects(analyse(text)) if v.confidence >= REPORTED]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("women who developed postpartum depression", "postpartum depression"),
        ("the proportion of mothers who had postnatal anxiety", "postnatal anxiety"),
        ("children with sleep problems", "sleep problems"),
        ("night waking-one event", "night waking"),
        ("school refusal-2 events", "school refusal"),
        ("school refusal - three to five events", "school refusal"),
        # a code's number is part of its name, not an exposure level
        ("PHQ-9 remission", "PHQ-9 remission"),
        ("EQ-5D index", "EQ-5D index"),
        ("maternal sensitivity", "maternal sensitivity"),
        # nothing left after the population: the phrase stays as it is
        ("children with", "children with"),
    ],
)
def test_outcome_phrase_drops_population_heads_and_exposure_levels(phrase, expected):
    assert outcome_phrase(phrase) == expected


@pytest.mark.parametrize("phrase", ["two events", "three to five events", "1 event", "2 or more events"])
def test_an_exposure_level_alone_is_not_an_outcome(phrase):
    assert clean_outcome(phrase) is None


def test_a_list_of_exposure_levels_keeps_the_outcome_each_group_names():
    text = (
        "As exposure scores increased, the odds rose for (1) sleep problems-one event (adjusted odds ratio, "
        "AOR = 1.9, p < 0.001), two events (AOR = 2.8, p < 0.001) and three to five events (AOR = 6.1, "
        "p < 0.001); school refusal-1 event (AOR = 1.4, p = 0.02), two events (AOR = 2.2, p = 0.003)."
    )
    assert outcomes_of(text) == ["sleep problems"] * 3 + ["school refusal"] * 2


def test_the_people_who_had_the_outcome_are_not_its_name():
    text = (
        "At follow-up, the proportion of mothers who developed postnatal anxiety was lower in the coaching arm "
        "than in the waiting-list arm (risk ratio (RR) 0.71, 95% CI 0.52-0.97)."
    )
    assert outcomes_of(text) == ["postnatal anxiety"]


def test_a_list_name_that_is_only_an_adjective_gives_way_to_the_phrase():
    assert study_outcome(["depressive symptoms"], ["depressive", "suicide plans"]) == "depressive symptoms"
    # a full name in the list still names the phrase
    assert (
        study_outcome(["depressive symptoms at 6 months"], ["depressive symptoms"]) == "depressive symptoms"
    )
    assert study_outcome(["PHQ-9 total score"], ["PHQ-9", "remission"]) == "PHQ-9"


def _links(text: str) -> dict:
    from extractor.extract.document import extract_document
    from extractor.interchange import interchange_record
    from extractor.readers.text import parse_plain_text

    document = parse_plain_text(text, "links.txt")
    record = interchange_record(document, extract_document(document, use_models=False))
    return {effect["value"]: effect["outcome"] for study in record["studies"] for effect in study["effects"]}


def test_a_subscale_takes_the_instrument_its_own_sentence_names():
    text = (
        "Story time for toddlers: a randomised trial\n\n"
        "Methods: We randomised 300 families to story sessions or usual care. "
        "Results: On the Child Behavior Checklist (CBCL), story sessions reduced externalizing "
        "(mean difference -2.4, 95% CI -4.0 to -0.8; p = 0.003). "
        "Story sessions also reduced internalizing (mean difference -1.1, 95% CI -2.1 to -0.1; p = 0.03)."
    )
    links = _links(text)
    assert links[-2.4] == "CBCL externalizing"
    # the instrument is named in another sentence only: the subscale is linked as written, never guessed
    assert links[-1.1] == "internalizing"


def test_with_instrument_needs_exactly_one_instrument_in_the_sentence():
    from extractor.extract.effects.outcome_names import with_instrument

    assert with_instrument("externalizing", "scores on the CBCL showed less ") == "CBCL externalizing"
    assert with_instrument("externalizing", "the PHQ-9 and the CBCL both showed ") == "externalizing"
    assert with_instrument("externalizing", "parents reported less ") == "externalizing"
    assert with_instrument("SDQ hyperactivity", "on the CBCL ") == "SDQ hyperactivity"
    assert with_instrument("maternal sensitivity", "on the CBCL ") == "maternal sensitivity"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("hazard ratio for hospital admission", "hospital admission"),
        ("The adjusted odds ratio of relapse", "relapse"),
        ("RR for mortality", "mortality"),
        # "of" inside an outcome's own name stays
        ("quality of life", "quality of life"),
        ("symptoms of depression", "symptoms of depression"),
        ("risk of relapse", "risk of relapse"),
    ],
)
def test_a_measure_named_before_its_outcome_is_not_part_of_it(phrase, expected):
    assert outcome_phrase(phrase) == expected


def test_an_estimate_that_re_expresses_the_one_before_keeps_its_outcome():
    text = (
        "Exercise reduced relapse (RR 0.62, 95% CI 0.45 to 0.85), equivalent to a risk difference of -0.12 "
        "(95% CI -0.20 to -0.04)."
    )
    assert outcomes_of(text) == ["relapse", "relapse"]
    text = (
        "The adjusted hazard ratio for hospital admission was 2.1 (95% CI 1.8-2.5), corresponding to 14.2 "
        "(12.0-16.4) additional admissions per 10,000 children annually."
    )
    assert outcomes_of(text) == ["hospital admission", "hospital admission"]


@pytest.mark.parametrize("phrase", ["placebo", "the wait-list", "matched placebo"])
def test_a_comparator_arm_is_not_an_outcome(phrase):
    assert clean_outcome(phrase) is None


# --- one test per error class read from RCT-ART's train split (text of our own) -------------------------------


def at(text: str, value: str, occurrence: int = 0):
    from extractor.extract.effects.links import outcome_at

    start = -1
    for _ in range(occurrence + 1):
        start = text.index(value, start + 1)
    return outcome_at(text, start, start + len(value))


def test_the_subject_of_a_clause_beats_for_x_after_the_value_which_names_an_arm():
    text = "The 6-month dropout rate was 14% for the app and 22% for the booklet."
    assert at(text, "14%") == "6-month dropout rate"
    assert at(text, "22%") == "6-month dropout rate"
    # with an effect estimate after the arm's value
    text = "The 12-month relapse rate was 20% for tapering and 31% for continuation (RR 0.65, 95% CI 0.44 to 0.96)."
    assert outcomes_of(text) == ["12-month relapse rate"]


def test_a_later_value_in_a_bracket_keeps_the_phrase_before_the_bracket():
    text = "Side effects were commoner with the tablet: headache (18% vs. 7%), rash (9% vs. 2%)."
    assert at(text, "7%") == "headache"
    assert at(text, "2%") == "rash"


def test_a_semicolon_inside_the_estimates_bracket_does_not_hide_the_clause_subject():
    text = "Mortality was lower in the exercise arm than in the usual-care arm (12% vs. 18%; RR 0.67, 95% CI 0.45 to 0.98)."
    assert outcomes_of(text) == ["Mortality"]


def test_a_phrase_measured_at_a_time_is_an_outcome_but_a_time_alone_is_not():
    from extractor.extract.effects.links import only_time

    assert at("Two-year survival was 71% in both arms.", "71%") == "Two-year survival"
    assert only_time("6 months") and only_time("12-month follow-up")
    assert not only_time("24-month dropout rate")


def test_a_list_after_a_colon_takes_the_subject_of_the_colon():
    text = "Mean session lengths were: coaching group, 41 ± 9 min; leaflet group, 12 ± 4 min; p = 0.01."
    assert at(text, "41 ± 9 min") == "Mean session lengths"
    assert at(text, "12 ± 4 min") == "Mean session lengths"


def test_there_were_more_x_names_x():
    text = "There were fewer falls with the balance class (31, 12%) than with leaflets (49, 19%)."
    assert at(text, "31, 12%") == "falls"
    assert at(text, "49, 19%") == "falls"


def test_a_noun_phrase_keeps_its_head_across_of_but_not_a_measure_or_a_change():
    text = "The rate of wound infection (3% vs. 7%) was lower with the new dressing."
    assert at(text, "3%") == "rate of wound infection"
    assert (
        at("Mean duration of sick leave in days (4.2 vs 6.0) fell.", "4.2") == "Mean duration of sick leave"
    )
    assert at("Time to first relapse (41 vs 30 weeks) was longer.", "41") == "Time to first relapse"
    # "risk of" and "odds of" are measures: the outcome is what follows
    assert outcomes_of("The risk of relapse (RR 0.7, 95% CI 0.5 to 0.9) fell.") == ["relapse"]


def test_the_phrase_a_value_is_of_names_it():
    text = "Pupils in the reading group reached a 2-year pass rate of 81% versus 74% (OR 1.5, 95% CI 1.1 to 2.1)."
    assert outcomes_of(text) == ["2-year pass rate"]
    assert at("The clinic reported a reduction of 20% in one year.", "20%") is None


def test_a_comparator_phrase_is_not_the_outcome():
    text = "Sleep quality improved after the course compared with that after a course without practice (5.1 vs. 4.2)."
    assert at(text, "5.1") == "Sleep quality"
    # "more than 5%" is a quantity, not a comparator
    text = "Adverse events seen in more than 5% of users included nausea (12%) and dizziness (8%)."
    assert at(text, "12%") == "nausea"


def test_associated_with_a_than_b_names_arms_not_a_dependent():
    text = "Headache (22% vs. 9%) was more often associated with the tablet than the patch."
    assert at(text, "9%") == "Headache"


def test_a_respective_subject_gives_way_to_for_x():
    text = "The respective rates for the two clinics were 3.1% and 2.4% for readmission."
    assert at(text, "2.4%") == "readmission"
    assert at(text, "3.1%") == "readmission"


def test_a_heading_and_a_conjunction_are_not_part_of_a_subject():
    assert (
        at("RESULTS The mean waiting time was 12 days in the new clinic.", "12 days") == "mean waiting time"
    )
    assert clean_outcome("and TTF") == "TTF"
    assert clean_outcome("Overall survival") == "Overall survival"
    assert clean_outcome("the effect") is None
    assert clean_outcome("prevention") is None


def test_a_subject_loses_the_arms_it_is_in_and_a_time_of_treatment():
    text = "Median waiting time in arm A and arm B was 12 days and 19 days, respectively."
    assert at(text, "12 days") == "Median waiting time"
    text = "The mean daily step count after 12 weeks of treatment was 8100 in the app group and 6900 in the leaflet group."
    assert at(text, "6900") == "mean daily step count"


def test_a_subject_reaches_its_value_without_crossing_another_clause():
    text = (
        "More grade 2 rashes occurred with the cream (30% v 12%), whereas grade 3 rashes were slightly more "
        "common with the gel (8% v 5%)."
    )
    assert at(text, "12%") == "grade 2 rashes"
    assert at(text, "8%") == "grade 3 rashes"


def test_the_noun_a_value_qualifies_and_a_higher_incidence_of_x():
    assert at("A 41% completion rate was seen in the online arm.", "41%") == "completion rate"
    assert (
        at("Coaching was followed by a 30% increase in weekly exercise (p = 0.02).", "30%")
        == "weekly exercise"
    )
    text = "Older pupils had a higher incidence of sports injuries with the new kit (7.1%) than with the old (3.0%)."
    assert at(text, "7.1%") == "incidence of sports injuries"
    assert at(text, "3.0%") == "incidence of sports injuries"


def test_a_hyphenated_related_is_not_an_association():
    text = "Device-related infection rates were 4.2% for the new port and 6.8% for the old port."
    assert at(text, "4.2%") == "Device-related infection rates"


def test_a_determined_phrase_before_of_value_is_named_even_after_an_arm():
    text = "Pupils taught with phonics reached a 2-year pass rate of 81% versus 74% for the others."
    assert at(text, "81%") == "2-year pass rate"
    assert at(text, "74%") == "2-year pass rate"
    assert at("Both lamps needed an average energy of 12 vs 19 J, respectively.", "12") == "average energy"


@pytest.mark.parametrize("phrase", ["which", "shorter", "without coaching", "comparing A", "this"])
def test_pronouns_comparatives_and_arms_are_not_outcomes(phrase):
    assert clean_outcome(phrase) is None


def test_a_subject_loses_of_arm_a_and_arm_b():
    assert (
        at("The completion rates of arm A and arm B were 61 and 70%, respectively.", "61")
        == "completion rates"
    )


def test_a_change_alone_and_figures_for_are_not_outcomes():
    assert clean_outcome("an insignificant decrease") is None
    assert clean_outcome("Corresponding figures for bone density") == "bone density"
    text = "The mean change in grip strength did not differ (2.1 kg vs 1.9 kg, p = 0.6)."
    assert at(text, "2.1 kg vs 1.9 kg") == "grip strength"


def test_what_the_people_counted_had_after_the_count():
    text = "Three pupils in the gel group (6.1%) developed a skin rash."
    assert at(text, "6.1%") == "skin rash"
    # a count further on in a list is not tied to the next one's outcome
    text = "In the old ward, two patients had falls, three with pressure sores and one had delirium."
    assert at(text, "three") != "delirium"


def test_an_average_gain_of_value_keeps_its_name():
    text = (
        "The diet was associated with an average weight loss of 3.1 kg, as compared with 0.9 kg with advice."
    )
    assert at(text, "3.1 kg") == "weight loss"
    assert at(text, "0.9 kg") == "weight loss"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the outcome named after the value, in the same clause
        ("The trial found a risk ratio of 0.7 for readmission (95% CI 0.5 to 0.9).", ["readmission"]),
        (
            "A hazard ratio of 0.62 (95% CI 0.48-0.80) was found for hospital admission.",
            ["hospital admission"],
        ),
        ("The clinic visits produced a 0.45 SD improvement in reading fluency.", ["reading fluency"]),
        (
            "The clinic visits produced a 0.25 standard deviation effect on maths attainment.",
            ["maths attainment"],
        ),
        # the object of a change verb, then how much
        ("Coaching reduced truancy by 39% (OR = 0.61, 95% CI 0.45 to 0.83).", ["truancy"]),
        (
            "The scheme increased school attendance by 0.2 standard deviations (p = 0.01).",
            ["school attendance"],
        ),
        # an arm after the value is not the outcome
        ("The risk ratio was 1.50 for the dialysis group (95% CI 1.1 to 2.0).", [None]),
    ],
)
def test_an_outcome_named_after_the_value_is_linked(text, expected):
    assert outcomes_of(text) == expected


def test_an_sd_impact_takes_the_interval_printed_after_its_outcome():
    effects = [
        v.value
        for v in find_effects(
            analyse("The visits gave a 0.45 SD improvement in reading fluency (95% CI 0.20 to 0.70).")
        )
        if v.confidence >= REPORTED
    ]
    assert [(e["measure"], e["value"], e["ci"], e.get("outcome")) for e in effects] == [
        ("SMD", 0.45, [0.2, 0.7], "reading fluency")
    ]


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # the people counted, then what they had
        (
            "Nine (45%) of 20 pupils in the tutored arm were classified as readers.",
            "Nine (45%) of 20 pupils",
            "readers",
        ),
        # (an event verb is part of the outcome's name: "completed the course", not "course")
        ("Overall, 31 (62%) of 50 mothers completed the course.", "31 (62%) of 50 mothers", "completed the course"),
        # a subject that changed from one value to another
        (
            "In the coached group reading speed increased from 41 to 55 words per minute.",
            "41 to 55",
            "reading speed",
        ),
        # the value compared with takes the outcome of the value it is compared with
        ("Truancy was 12% in the mentored arm compared with 19% in the control arm.", "19%", "Truancy"),
    ],
)
def test_outcome_at_reads_counts_changes_and_compared_values(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


@pytest.mark.parametrize("phrase", ["four", "Thirty", "none", "Three"])
def test_a_number_word_alone_is_not_an_outcome(phrase):
    assert clean_outcome(phrase) is None


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # what the people counted had: "X in N% of pupils", "X was noted in N of M pupils"
        (
            "The follow-up survey showed regular homework completion in 71% of pupils who were tutored and "
            "48% of pupils who were not.",
            "48% of pupils",
            "regular homework completion",
        ),
        (
            "Early reading fluency was recorded in 14 of 30 children in the coached arm.",
            "14 of 30 children",
            "Early reading fluency",
        ),
        # the count's own clause comes before an earlier subject; a relative clause points back to its noun
        (
            "Absences were similar in both arms, but reading anxiety developed in 42% of pupils in the control arm.",
            "42% of pupils",
            "reading anxiety",
        ),
        (
            "The most common complaint was eye strain, which occurred in 4% of pupils who read on tablets.",
            "4% of pupils",
            "eye strain",
        ),
        # a passive count takes the whole subject, prepositions and all
        (
            "Fluent reading after summer school was reached in 85% of pupils.",
            "85% of pupils",
            "Fluent reading after summer school",
        ),
        # a bare participle before "in <count>" names nothing; the clause subject does
        (
            "Mean attendance remained unchanged in 85% of pupils of group II.",
            "85% of pupils",
            "Mean attendance",
        ),
        # a clause that opens with the outcome: "; for X, A vs B"
        (
            "Rates were similar for attendance (88% vs 86%); for school exclusion, 12 (4%) vs 19 (7%), "
            "respectively.",
            "19 (7%)",
            "school exclusion",
        ),
    ],
)
def test_outcome_at_reads_people_counted_and_a_leading_for(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


@pytest.mark.parametrize(
    ("text", "start_text"),
    [
        # a count of people with nothing they had before "in": no outcome
        ("The trial was run in 12 schools with 340 pupils.", "340 pupils"),
        # "for" opening a clause with the people, not an outcome
        ("For children, 12 (4%) vs 19 (7%) left the study.", "19 (7%)"),
        # "respective" with the arms in the subject: the outcome is named after the values, or not at all
        ("The respective rates for mentoring and usual support were 12% and 19%.", "19%"),
        # the subject of "superior to" is an arm
        ("Mentoring was superior to usual support in keeping pupils: this held for 30 of 40 versus 21 of 40.", "21 of 40"),
    ],
)
def test_outcome_at_leaves_counts_without_an_outcome_unlinked(text, start_text):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) is None


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # a long bracketed gloss inside the subject is not part of the outcome's name
        (
            "Reading time (minutes spent on assigned texts at home) was 34 in the coached group and 21 in "
            "the control group.",
            "21",
            "Reading time",
        ),
        # an adverb before the verb is not part of the subject
        (
            "Vocabulary breadth significantly improved in the coached group (41 vs. 33 words).",
            "33",
            "Vocabulary breadth",
        ),
        # a subject too long to be a name loses its trailing prepositional phrases
        (
            "Total reading time to finish and summarise the assigned library texts was 34 minutes in the coached "
            "group versus 41 minutes in the control group.",
            "41 minutes",
            "reading time",  # ("Total" is a drop word clean_outcome takes off the front)
        ),
        # a short bracketed abbreviation does not count towards a name's length
        (
            "Dropout rates as a result of exam stress ( ESI ) were 10.6 % for mentoring and 5.9 % for "
            "usual support.",
            "5.9 %",
            "Dropout rates as a result of exam stress ( ESI )",
        ),
        # each of two changes in one clause takes the subject nearest it
        (
            "Reading speed increased from 41 to 55 words per minute, and spelling accuracy increased from 62 to "
            "70 words.",
            "62 to 70 words",
            "spelling accuracy",
        ),
        # "respective" before a subject that names no arm: the subject is still the outcome
        (
            "The respective two-year retention rates were 80.4 percent and 78.7 percent.",
            "78.7 percent",
            "two-year retention rates",
        ),
        # the subject of a clause whose values follow a colon
        (
            "Teacher ratings were higher in the mentored group: 53 % improved versus 25 %.",
            "25 %",
            "Teacher ratings",
        ),
        # the subject of a reported clause, not of the sentence
        (
            "The crossover study in three schools showed that reading time was reduced by 20 seconds "
            "(8 to 32) with coaching.",
            "20 seconds",
            "reading time",
        ),
        # "rates of A (interval) and B": the second value after the first one's interval
        (
            "The two arms had pass rates of 17.0 % (95 % CI, 7.7-30.8 %) and 15.6 % (95 % CI, 6.5-29.5 %).",
            "15.6 %",
            "pass rates",
        ),
        # a long stretch between the verb and the values
        (
            "Time to first exclusion was slightly longer for pupils who received weekly mentoring "
            "compared with pupils who received only the usual pastoral support offered (13.4 months v 10.3 months).",
            "10.3 months",
            "Time to first exclusion",
        ),
    ],
)
def test_the_clause_subject_before_the_value_is_its_outcome(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # a pronoun subject stands for the subject of the clause before it, in the same sentence
        (
            "In the mentored group the exclusion rate was 12 % ( 4/33 ), but in the usual-support group it was "
            "only 23 % ( 7/30 ).",
            "23 %",
            "exclusion rate",
        ),
        (
            "Reading speed was 41 words per minute after coaching, whereas without coaching it was 33.",
            "33",
            "Reading speed",
        ),
        # an existential clause: what a bare count counts
        (
            "There were 10 exclusions and 1 expulsion in the usual-support group, as compared with 2 exclusions "
            "in the mentored group.",
            "1 expulsion",
            "expulsion",
        ),
        (
            "There were a total of three exclusions in the mentored group and eight exclusions in the other.",
            "eight",
            "exclusions",
        ),
        ("There were 12 pupils with school refusal in the usual-support group.", "12", "school refusal"),
    ],
)
def test_outcome_at_reads_pronoun_subjects_and_existential_counts(text, start_text, expected):
    start = text.index(start_text)
    value = start_text.split()[0] if start_text[0].isdigit() and " " in start_text else start_text
    assert outcome_at(text, start, start + len(value)) == expected


@pytest.mark.parametrize(
    ("text", "start_text"),
    [
        # a pronoun whose subject is in another sentence: no guess
        ("Exclusions fell in the mentored group. It was 20% in the usual-support group.", "20%"),
        # a pronoun that is not the subject of a clause after a comma
        ("After they were given a booklet, 69 percent of the parents remained interested.", "69 percent"),
        # an existential count of people, or of what only relates to another count
        ("There were 40 pupils in the mentored group.", "40"),
        ("There were 5 exclusions ( 3 % ) this year , 2 related to truancy .", "2"),
    ],
)
def test_pronouns_and_counts_that_name_no_outcome_stay_unlinked(text, start_text):
    start = text.rindex(start_text) if start_text == "2" else text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) is None


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # the object of a change verb, with the values bracketed right after it (its people off the end)
        (
            "Mentoring reduced school absence in pupils ( 0.53 versus 0.38 , P < .02 ) .",
            "0.53 versus 0.38",
            "school absence",
        ),
        # ... or after "from"
        (
            "Mentoring significantly reduced the exclusion rate from 1.7 % ( 7/417 ) to 0.2 % ( 1/424 ) .",
            "1.7 % ( 7/417 ) to 0.2 % ( 1/424",
            "exclusion rate",
        ),
        # an arm's phrase before the bracket names no outcome: the value "of" a name is read on
        (
            "Fewer pupils were excluded in the mentored group than in the control group ( difference 4 , "
            "P < 0.01 ; truancy rates of 7 % and 19 % , P = 0.003 ) .",
            "19 %",
            "truancy rates",
        ),
    ],
)
def test_outcome_at_reads_the_object_a_verb_changed(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


def test_an_adverb_after_a_change_verb_is_not_its_object():
    text = (
        "Needs of extra tutoring were reduced more significantly in the mentored group compared with those in "
        "the control group [ 2 ( 1.9 % ) vs 13 ( 11.9 % ) , P < 0.01 ] ."
    )
    start = text.index("2 ( 1.9 % )")
    assert outcome_at(text, start, start + len("2 ( 1.9 % )")) != "in the mentored group compared with those"


@pytest.mark.parametrize(
    ("text", "start_text"),
    [
        # the subject of "better tolerated than" is an arm, and "for A and B, respectively" lists the arms
        (
            "Mentoring was better tolerated than tutoring with fewer pupils leaving ( 17 versus 23 % for mentoring "
            "and tutoring , respectively ) .",
            "23 %",
        ),
        ("Mentoring was superior to tutoring ( 41 % versus 30 % ) .", "30 %"),
    ],
)
def test_an_arm_compared_with_another_is_not_the_outcome(text, start_text):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) is None


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # the count of people is the subject and the verb is the event
        ("Six pupils left school early ( A = four pupils and C = two pupils ) .", "Six pupils", None),
        ("Six pupils dropped out of school ( A = four and C = two ) .", "Six pupils", "dropped out of school"),
        (
            "Among mentored pupils , 418 ( 83 % ) completed the programme compared with 461 ( 90 % ) who were "
            "tutored .",
            "418 ( 83 % )",
            "completed the programme",
        ),
        ("Seventy-one percent of pupils resumed tutoring after the holidays .", "Seventy-one percent of pupils",
         "resumed tutoring"),
        # the count in the bracket after its people
        ("More mentored pupils ( 28 % ) completed the course than tutored pupils ( 18 % ) .", "28 %",
         "completed the course"),
        # "had" is not the event: what the people had is
        ("Six pupils had reading difficulties in the first term .", "Six pupils", "reading difficulties"),
    ],
)
def test_outcome_at_reads_what_happened_to_the_people_counted(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


def test_a_clause_after_a_change_verb_is_not_its_object():
    text = (
        "Worry scores of the two coached groups decreased while they increased for the waiting list "
        "(F(2, 235) = 5.7, p = 0.004)."
    )
    assert outcomes_of(text) == ["Worry scores"]


def test_a_word_before_the_measure_in_an_arms_bracket_is_not_the_outcome():
    text = (
        "Reading fluency rose in the coached group (least-squares mean difference of 18.4 words; P = 0.006) "
        "and the tutored group (least-squares mean difference of 12.1 words; P = 0.04)."
    )
    assert "least-squares" not in outcomes_of(text)


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # things counted that are the subject of an event
        ("Three ( 6 % ) first attempts failed in the coached group .", "Three ( 6 % )", "first attempts"),
        (
            "In the mentored group , 86 exclusions occurred while 112 exclusions were recorded in the control group .",
            "112",
            "exclusions",
        ),
        # a part of a count: what the count is of
        ("Six of the 40 exclusions in the control group were for truancy .", "Six", "exclusions"),
    ],
)
def test_outcome_at_reads_the_things_a_count_counts(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


def test_a_code_before_the_measure_in_a_bracket_after_no_outcome_names_it():
    text = (
        "Restricting the analysis to girls gave similar results (RDS hazard ratio = 0.78, 95% CI 0.47 to 1.29, "
        "P = 0.32; ABS hazard ratio = 0.60, 95% CI 0.32 to 1.14, P = 0.11)."
    )
    assert outcomes_of(text) == ["RDS", "ABS"]


def test_on_an_arm_after_the_estimate_leaves_the_phrase_before_its_bracket():
    text = (
        "Adverse events included headache ( 22 % ) , and nausea ( 13 % ) on the coached arm , and "
        "headache ( 29 % ) and fatigue ( 6 % ) on the tutored arm ."
    )
    found = []
    for value in ("13 %", "6 %"):
        start = text.index(value)
        found.append(outcome_at(text, start, start + len(value)))
    assert found == ["nausea", "fatigue"]
    assert outcomes_of("Worry fell (d = 0.31, 95% CI 0.1 to 0.5) on the coached arm.") == ["Worry"]


@pytest.mark.parametrize(
    ("start_text", "expected"),
    [("Twenty-two", "school refusal"), ("10.4 %", "school refusal"), ("24", "school refusal")],
)
def test_two_counted_subjects_of_one_had_share_what_they_had(start_text, expected):
    text = (
        "Twenty-two mentored pupils ( 10.4 % ) and 24 tutored pupils ( 11.7 % ) had school refusal ( P > 0.2 ) ."
    )
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


def test_a_second_count_without_its_own_bracket_still_stops_the_way_to_had():
    text = "Two pupils had falls , three with sores and one had delirium ."
    start = text.index("three")
    assert outcome_at(text, start, start + len("three")) != "delirium"


@pytest.mark.parametrize(
    ("text", "start_text", "expected"),
    [
        # cases, reports or episodes of something: the something
        (
            "Exclusion was seen in 13 % of mentored pupils ( including 2 cases of truancy ) .",
            "2 cases",
            "truancy",
        ),
        ("There was only one report of school refusal in the mentored group .", "one", "school refusal"),
        # a change verb's object that opens with a time span
        ("Mentoring improved 2-year school retention from 70 % to 78 % ( P = .03 ) .", "70 % to 78 %",
         "2-year school retention"),
    ],
)
def test_outcome_at_reads_cases_of_and_a_time_spanned_object(text, start_text, expected):
    start = text.index(start_text)
    assert outcome_at(text, start, start + len(start_text)) == expected


def test_for_an_arm_after_each_of_two_values_compared_names_no_outcome():
    text = "Reading improved with medians of 28.9 for mentoring versus 23.3 words for tutoring ."
    start = text.index("23.3 words")
    assert outcome_at(text, start, start + len("23.3 words")) == "Reading"  # the clause's subject, not the arm
    text = "The RR was 1.5 for exclusion and 1.2 for truancy ."
    start = text.index("1.2")
    assert outcome_at(text, start, start + len("1.2")) == "truancy"
