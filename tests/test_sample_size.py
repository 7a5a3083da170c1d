"""Sample sizes: candidate counts with role, unit and evidence; the headline choice; the details."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_path
from extractor.extract.common.number_words import parse_count
from extractor.extract.sample_size.rules import (
    choose_sample_size,
    find_sample_sizes,
    sample_size_details,
)
from extractor.textlayer import analyse
from extractor.types import ExtractedValue


def candidates(text: str) -> list[ExtractedValue]:
    return find_sample_sizes(analyse(text))


def found(text: str) -> set[tuple[str | None, int, str]]:
    """(role, n, unit) of every candidate."""
    return {(c.role, c.value["n"], c.value["unit"]) for c in candidates(text)}


def headline(text: str, design: str | None = "rct") -> tuple[int, str] | None:
    chosen = choose_sample_size(candidates(text), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"])


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sixty-eight", 68),
        ("Forty", 40),
        ("two hundred and twelve", 212),
        ("Three hundred thirty-five", 335),
        ("Three-hundred fifty-one", 351),
        ("Hundred and forty-three", 143),
        ("Eight-thousand four-hundred twenty-two", 8422),
        ("a hundred", 100),
        ("6,453", 6453),
        ("23 005", 23005),
        ("16\u2009560", 16560),
        ("one two", None),
        ("nineteen ninety", None),
    ],
)
def test_number_words_and_separators_are_parsed(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


# -- every form of a count -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sixty-eight mothers were randomised.", ("randomised", 68, "mothers")),
        ("A total of two hundred and twelve women were enrolled.", ("enrolled", 212, "women")),
        ("A total of 23  005 primary and high school students were recruited.", ("enrolled", 23005, "students")),
        ("Participants: 16 560 mothers who had a live singleton birth.", ("enrolled", 16560, "mothers")),
        ("Forty-four mother-infant dyads were randomly assigned.", ("randomised", 44, "dyads")),
        ("Outcomes are reported for n= 770 four-year-olds assessed by study staff.", ("analysed", 770, "children")),
        ("Mothers (n = 226) were randomized to the intervention or an attention-control condition.",
         ("randomised", 226, "mothers")),
        ("Participants were randomly assigned to a parenting programme or usual services (N = 120).",
         ("randomised", 120, "participants")),
        ("Data were analysed from the survey (ages 2-3, N = 1,452).", ("analysed", 1452, "participants")),
        ("The study enrolled 1905 community-dwelling female Medicare beneficiaries.", ("enrolled", 1905, "beneficiaries")),
        ("This trial included 400 cancer-free, postmenopausal women.", ("enrolled", 400, "women")),
        ("Between May 3, 2007, and Oct 5, 2010, 2018 women were recruited.", ("enrolled", 2018, "women")),
        ("Among the 158 randomized women, no difference was found.", ("randomised", 158, "women")),
        ("Thirty non-insulin dependent (Type II) diabetic subjects were studied.", ("enrolled", 30, "subjects")),
        ("A meta-analysis of K = 35 studies was run.", ("included_studies", 35, "studies")),
        ("Across trials (k = 12), effects were small.", ("included_studies", 12, "studies")),
        ("Of the 842 studies identified, 83 met the a priori criteria for inclusion.", ("screened", 842, "studies")),
        ("Of the 842 studies identified, 83 met the a priori criteria for inclusion.", ("included_studies", 83, "studies")),
    ],
)
def test_counts_are_found_with_role_and_unit(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In this trial, 382 families with 488 0-5-year-old children were randomized.",
         {("randomised", 382, "families"), ("randomised", 488, "children")}),
        ("In total, 286 families were followed-up (79.4%).", {("followed_up", 286, "families")}),
        ("Five dyads who were assigned to treatment were omitted, for a per-protocol analysis of 68 mothers.",
         {("analysed", 68, "mothers")}),
        ("Of the 722 women enrolled in the trial, 255 of 363 (70%) intervention and 240 of 359 (67%) control group "
         "women provided data at 3 years.",
         {("enrolled", 722, "women"), ("followed_up", 255, "women"), ("followed_up", 240, "women"),
          ("arm", 363, "women"), ("arm", 359, "women"), ("followed_up", 495, "women"), ("total", 722, "women")}),
        ("From February 2014 to December 2015, 160 patients were screened, 92 were randomized to T + P and 42 to "
         "T + P + pac.", {("screened", 160, "patients"), ("arm", 92, "patients"), ("arm", 42, "patients"),
                          ("randomised", 134, "patients")}),
        ("In this cluster randomised controlled trial, 40 village-clusters were equally randomised.",
         {("clusters", 40, "village-clusters")}),
    ],
)
def test_roles_come_from_the_nearest_cue(text: str, expected: set[tuple[str, int, str]]) -> None:
    assert found(text) == expected


def test_a_part_of_a_whole_keeps_both_numbers() -> None:
    text = "Of the 722 women enrolled, 255 of 363 (70%) intervention and 240 of 359 (67%) control women provided data."
    part = next(c for c in candidates(text) if c.value["n"] == 255)
    assert part.attributes["of"] == 363
    assert part.attributes["percent"] == 70.0
    assert part.attributes["arm"] == "intervention"


# -- what is not a sample size -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Depression fell by 25% at 12 weeks (p = 0.03).",
        "Participants aged 18 to 65 years received 20 mg daily for 8 weeks.",
        "The trial ran from 2013 to 2016 and offered 25 home visits until child age 2 years.",
        "The nine-item PHQ-9 was used; a score of 10 or more indicates depression.",
        "Mothers attended 12 sessions over 6 months and completed 3 questionnaires.",
        "Mean scores were 11.5 (7.6) and 11.1 (7.2), mean difference 1.4; 95% CI -0.63 to 3.53; P = 0.17.",
        "Seventy percent of women attended at least 10 sessions.",
        "The effect was d = 0.416 across 185 effect sizes and more than 40 program components.",
        "Among 23 year olds, hostile parenting was associated with inattention.",
        "SWOG 0307 compared three bisphosphonates given for 3 years.",
        "Overall, 90 (16%) woman had at least one serious adverse event.",
        "Approximately two thirds were smokers.",
    ],
)
def test_percentages_ages_years_doses_durations_scores_and_items_are_not_sample_sizes(text: str) -> None:
    assert candidates(text) == []


# -- arms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "arms", "total"),
    [
        ("Mothers with infants were recruited and randomized to infant mental health home visiting (IMH-HV; n = 38) "
         "or a control group (n = 35).", [("IMH-HV", 38), ("control group", 35)], ("randomised", 73, "mothers")),
        ("A total of 363 patients were randomly assigned to AC (n = 180) or AD (n = 183).",
         [("AC", 180), ("AD", 183)], ("randomised", 363, "patients")),
        ("Patients (N = 137) were randomly assigned to trastuzumab plus docetaxel (HT; n = 70) or T-DM1 (n = 67).",
         [("HT", 70), ("T-DM1", 67)], ("randomised", 137, "patients")),
        ("403 patients were enrolled; 201 were assigned high-dose chemotherapy and 202 conventional treatment.",
         [("high-dose chemotherapy", 201), ("conventional treatment", 202)], ("randomised", 403, "patients")),
        ("Of 72,998 women enrolled, 36,859 were assigned to the intervention group and 36,139 to the control group.",
         [("intervention group", 36859), ("control group", 36139)], ("randomised", 72998, "women")),
    ],
)
def test_arm_counts_are_labelled_and_add_up(text: str, arms: list[tuple[str, int]], total: tuple[str, int, str]) -> None:
    values = candidates(text)
    assert [(c.attributes["arm"], c.value["n"]) for c in values if c.role == "arm"] == arms
    summed = [c for c in values if c.attributes.get("sum_of_arms")]
    assert total in {(c.role, c.value["n"], c.value["unit"]) for c in summed}


def test_an_arm_named_control_is_marked_as_the_control_arm() -> None:
    text = "Mothers were randomized to home visiting (n = 38) or a control group (n = 35)."
    kinds = {c.value["n"]: c.attributes["arm_kind"] for c in candidates(text) if c.role == "arm"}
    assert kinds == {38: "intervention", 35: "control"}


@pytest.mark.parametrize(
    "text",
    [
        "Thirty-eight women were randomised into an intervention group (IG = 18) or control group (CG = 20).",
        "Two hundred children were randomized to receive S. boulardii in a daily dose of 250 mg (S. boulardii group) "
        "or placebo (placebo group).",
        "A total of 45 children were randomized to CBT or TAU.",
    ],
)
def test_a_count_randomised_to_alternatives_is_a_total_not_an_arm(text: str) -> None:
    [value] = [c for c in candidates(text) if c.value["unit"] in ("women", "children")]
    assert value.role == "randomised"


def test_a_count_randomised_to_one_named_arm_is_an_arm() -> None:
    text = ("After inclusion of 167 eligible patients, the committee advised closure. Of 84 patients randomly assigned "
            "to G-CSF throughout all chemotherapy cycles, eight (10%) experienced fever.")
    roles = {c.value["n"]: c.role for c in candidates(text)}
    assert roles == {167: "enrolled", 84: "arm"}
    assert headline(text) == (167, "patients")


def test_labelled_counts_of_two_follow_up_waves_are_not_arms() -> None:
    text = "Data were analyzed at two follow-up periods (ages 2-3, N = 1,452 and ages 4-5, N = 1,357)."
    values = candidates(text)
    assert not any("arm" in c.attributes or c.attributes.get("sum_of_arms") for c in values)
    assert headline(text, "cohort") == (1452, "participants")


def test_a_cue_inside_a_relative_clause_does_not_decide_the_role() -> None:
    text = ("Twenty patients with mild SDB for whom conservative treatment failed were identified and consecutively "
            "enrolled. Spanish-speaking women (n = 70) who completed treatment were randomized to the programme.")
    assert ("enrolled", 20, "patients") in found(text)
    assert ("randomised", 70, "women") in found(text)


def test_a_label_written_with_a_full_stop_is_read() -> None:
    text = ('Type 2 diabetic patients (N.=57) were divided into two groups as "with nephropathy" (N.=27) and '
            '"without nephropathy" (N.=30).')
    assert ("enrolled", 57, "patients") in found(text)


# -- the headline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "design", "expected"),
    [
        # randomised, else enrolled
        ("300 women were enrolled. Of these, 250 were randomised to yoga or waitlist.", "rct", (250, "women")),
        ("Participants were 462 Chinese mothers with 2-month-old babies.", "rct", (462, "mothers")),
        ("Face-to-face interviews with a purposive sample of 42 parents.", "qualitative", (42, "parents")),
        # a cluster trial counts individuals when given, else clusters
        ("In this cluster-randomized trial, 382 families with 488 0-5-year-old children were randomized.",
         "cluster_rct", (488, "children")),
        ("In this trial, 382 families with 488 0-5-year-old children were randomized.", "rct", (382, "families")),
        ("Forty village clusters were randomly allocated to treatment or enhanced usual care.", "cluster_rct",
         (40, "clusters")),
        ("40 village-clusters were randomised. Of the 570 women enrolled, 453 contributed outcome data.",
         "cluster_rct", (570, "women")),
        # only arm sizes given: their sum
        ("The intervention group (n = 30) and the control group (n = 28) completed all assessments.", "rct",
         (58, "participants")),
        # "over 4,500" is 4500
        ("Over 4,500 families took part in the survey.", "cross_sectional", (4500, "families")),
        # a target counts for a protocol, not for a finished trial
        ("This is a multisite RCT with a target recruitment of 200 first-time adolescent mothers.", "protocol",
         (200, "mothers")),
        ("Originally planned for 250 patients, the study closed with 81 evaluable patients.", "rct", (81, "patients")),
        # per-group counts alone give no total
        ("All 25 mothers and their 26 infants allocated into each group were fully followed up.", "rct", None),
        ("There was no effect on weight gain (p = 0.4).", "rct", None),
    ],
)
def test_the_headline_follows_the_design(text: str, design: str, expected: tuple[int, str] | None) -> None:
    assert headline(text, design) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A search of four databases elicited 43 studies that met eligibility criteria.", 43),
        ("A literature search yielded 51 studies (N = 6670) examining parent training programs.", 51),
        ("Mortensen and MasterGeorge (2014) included 18 studies (inc. 15 RCTs) of parenting interventions.", 18),
        ("Of the 842 studies identified, 83 met the a priori criteria for inclusion.", 83),
        ("Results Fifteen trials with 7697 women were included.", 15),
        ("Of the 11,920 articles identified, we included 111 articles representing 102 unique RCTs.", 102),
        ("A search identified a total of 1035 papers of which sixteen met inclusion criteria.", 16),
        ("Bennett et al. (2013) included 34 RCTs involving healthy parent-infant dyads.", 34),
        ("12 studies were identified including RCTs and pre-post designs. Only four studies were rated excellent.", 12),
    ],
)
def test_a_review_counts_included_studies(text: str, expected: int) -> None:
    assert headline(text, "meta_analysis") == (expected, "studies")


def test_a_review_without_a_count_of_studies_has_no_headline() -> None:
    assert headline("We searched five databases for trials in 120 women.", "systematic_review") is None


def test_an_unknown_design_with_only_included_studies_is_read_as_a_review() -> None:
    assert headline("A search of four databases elicited 43 studies that met eligibility criteria.", None) == (43, "studies")


def test_later_smaller_randomised_counts_are_parts_of_the_first() -> None:
    text = ("A total of 45 children with anxiety were randomized to receive CBT or TAU. "
            "Of 24 children randomized to the CBT arm 18 (75%) were responders.")
    assert headline(text) == (45, "children")


# -- evidence spans ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "n", "evidence"),
    [
        ("Sixty-eight mothers were randomised.", 68, "Sixty-eight mothers"),
        ("Mothers (n = 226) were randomized.", 226, "n = 226"),
        ("Of the 722 women enrolled, 255 of 363 (70%) provided data.", 255, "255 of 363 (70%)"),
        ("Of the 842 studies identified, 83 met the criteria.", 83, "83"),
        ("Forty-four mother-infant dyads were randomly assigned.", 44, "Forty-four mother-infant dyads"),
    ],
)
def test_spans_point_at_the_evidence(text: str, n: int, evidence: str) -> None:
    value = next(c for c in candidates(text) if c.value["n"] == n)
    assert text[value.start : value.end] == evidence


def test_spans_are_absolute_within_a_study_range() -> None:
    first = "Study A randomised 120 women to yoga or waitlist. "
    text = first + "Study B randomised 80 men to exercise or usual care."
    layer = analyse(text)
    values = find_sample_sizes(layer, start=len(first))
    assert [(c.value["n"], text[c.start : c.end]) for c in values] == [(80, "80 men")]


def test_candidates_follow_the_contract() -> None:
    for value in candidates("Of the 722 women enrolled, 255 of 363 (70%) provided data; 70 (n = 70) were lost."):
        assert value.field == "sample_size"
        assert value.source.startswith("rule:sample_size.")
        assert value.chosen is False
        assert 0 < value.confidence <= 1
        assert set(value.value) == {"n", "unit"}


# -- details -------------------------------------------------------------------------------------


def test_details_give_arms_followed_up_and_attrition() -> None:
    text = ("Of the 722 women randomised, 255 of 363 (70%) intervention and 240 of 359 (67%) control group women "
            "provided data at 3 years.")
    details = sample_size_details(candidates(text))
    assert details["randomised"]["n"] == 722
    assert [(arm["label"], arm["n"]) for arm in details["arms"]] == [("intervention", 363), ("control group", 359)]
    assert details["followed_up"]["n"] == 495
    assert details["attrition"] == {"followed_up": 495, "randomised": 722, "retained": 0.6856, "lost": 0.3144}


def test_details_give_clusters_and_review_counts() -> None:
    cluster = sample_size_details(candidates(
        "Forty village clusters were randomly allocated. Of the 570 women enrolled, 453 contributed outcome data."))
    assert (cluster["clusters"]["n"], cluster["clusters"]["unit"]) == (40, "clusters")
    assert cluster["enrolled"]["n"] == 570
    review = sample_size_details(candidates("Of the 842 studies identified, 83 met the a priori criteria for inclusion."))
    assert (review["screened"]["n"], review["included_studies"]["n"]) == (842, 83)


# -- real documents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "design", "expected"),
    [
        ("000_0884528b0fcadf65.txt", "cluster_rct", (488, "children")),
        ("002_394a20227a95f92c.txt", "rct", (423, "cases")),
    ],
)
def test_seed_abstracts_give_the_headline(name: str, design: str, expected: tuple[int, str]) -> None:
    from extractor.readers.text import parse_plain_text

    path = shared_path("corpus", "seeds", name)
    document = parse_plain_text(path.read_text(encoding="utf-8"), path)
    chosen = choose_sample_size(find_sample_sizes(analyse(document.text, document.sections)), design)
    assert chosen is not None
    assert (chosen.value["n"], chosen.value["unit"]) == expected


def test_the_tagged_seed_sums_its_arms() -> None:
    from extractor.readers import tagged
    from extractor.readers.base import Limits

    path: Path = shared_path("corpus", "seeds", "003_ca33390195db33ec.txt")
    document = next(iter(tagged.read(path, Limits())))
    values = find_sample_sizes(analyse(document.text, document.sections))
    chosen = choose_sample_size(values, "rct")
    assert chosen is not None
    assert (chosen.value["n"], chosen.value["unit"], chosen.role) == (73, "mothers", "randomised")
    assert document.text[chosen.start : chosen.end].startswith("n")


def test_cluster_design_without_any_count_chooses_nothing() -> None:
    """Regression: a cluster trial abstract with no counts at all crashed the chooser."""
    from extractor.extract.sample_size.rules import choose_sample_size

    assert choose_sample_size([], "cluster_rct") is None
