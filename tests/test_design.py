"""Study design from cues and where they stand."""

from __future__ import annotations

import pytest

from extractor.extract.design.rules import find_design
from extractor.textlayer import analyse


def design(text: str, title: str | None = None, publication_types: tuple[str, ...] = ()) -> str:
    full = f"{title}\n\n{text}" if title else text
    title_span = (0, len(title)) if title else None
    layer = analyse(full)
    found = find_design(layer, 0, len(full), title_span, publication_types)
    return found[0].value if found else None


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (None, "Methods: In this randomised controlled trial, 120 mothers were randomly assigned to two arms.", "rct"),
        (None, "Methods: In this single-blind, cluster-randomized phase 3 trial, 382 families were randomized.", "cluster_rct"),
        (None, "Methods: Forty villages were randomly allocated to the intervention or control.", "cluster_rct"),
        ("Effects of a parenting course: a pilot randomised controlled trial", "We randomised 60 parents.", "rct"),
        ("A feasibility randomised trial of coaching", "Participants were randomly allocated.", "rct"),
        ("Parenting programme for fathers: study protocol for a randomised controlled trial",
         "Methods: 200 fathers will be randomised.", "protocol"),
        (None, "Methods: 300 mothers will be randomly assigned to the programme or usual care. Outcomes will be assessed at 12 months.", "protocol"),
        ("Parenting interventions and child behaviour: a systematic review and meta-analysis",
         "We searched five databases and included 43 randomised controlled trials. Pooled effects were small.", "meta_analysis"),
        ("School mental health programmes: a systematic review",
         "We included 12 studies, of which 8 were RCTs. Results were synthesised narratively.", "systematic_review"),
        ("Interventions for postpartum depression: an umbrella review",
         "We included 20 systematic reviews of randomised trials.", "umbrella_review"),
        (None, "Objective: To appraise systematic reviews. Methods: A review of reviews of interventions.", "umbrella_review"),
        (None, "Design: Secondary analysis of a randomised controlled trial of home visiting.", "rct"),
        ("A school intervention: effects of a non-randomized cluster controlled trial", "Schools chose their arm.", "non_randomised_trial"),
        (None, "Methods: A quasi-experimental design compared two schools.", "non_randomised_trial"),
        ("Postpartum depression and child psychopathology: a prospective cohort study", "We followed 1452 children.", "cohort"),
        (None, "Methods: A cross-sectional survey of 23 005 students was conducted.", "cross_sectional"),
        (None, "Methods: This case-control study compared 80 cases and 160 matched controls.", "case_control"),
        ("Parents' views of personalised programmes: a qualitative study",
         "Semi-structured interviews were analysed thematically.", "qualitative"),
        (None, "Method: Using a mixed-methods approach, outcome data and interviews were combined.", "mixed_methods"),
        (None, "Methods: 423 eligible cases were randomized. A mixed-methods evaluation integrated qualitative data.", "rct"),
        ("Kawasaki disease in an infant: a case report", "We report the case of a 2-month-old boy.", "case_report"),
        (None, "Background: Previous randomised controlled trials have shown benefits. Methods: We surveyed 500 parents in a cross-sectional study.", "cross_sectional"),
    ],
)
def test_design_follows_the_studys_own_description(title: str | None, text: str, expected: str) -> None:
    assert design(text, title) == expected


def test_publication_type_decides_when_the_text_says_nothing() -> None:
    assert design("We looked at mood in mothers.", publication_types=("Randomized Controlled Trial",)) == "rct"


def test_the_deciding_phrase_is_the_evidence() -> None:
    text = "Methods: In this cluster randomised controlled trial, 40 village-clusters were randomised."
    layer = analyse(text)
    best = find_design(layer)[0]
    assert best.value == "cluster_rct"
    assert text[best.start : best.end].lower().startswith("cluster randomised")
    assert best.confidence >= 0.8
    assert best.source.startswith("rule:design.")


def test_no_cue_gives_no_candidate() -> None:
    # no default `other`: the chooser asks the model and abstains when it is unsure too
    assert find_design(analyse("The weather was fine.")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Métodos: Se realizó un estudio transversal con 400 adolescentes de escuelas públicas.", "cross_sectional"),
        ("Método: Estudo transversal de base populacional com 1.200 idosos.", "cross_sectional"),
        ("Methoden: In einer Querschnittstudie wurden 812 Jugendliche befragt.", "cross_sectional"),
        ("Méthodes : Une étude transversale a été menée auprès de 300 mères.", "cross_sectional"),
        ("方法：本研究为横断面研究，共调查了500名学生。", "cross_sectional"),
        ("Métodos: Ensayo controlado aleatorizado con 120 madres asignadas a dos grupos.", "rct"),
        ("Methoden: Eine randomisierte kontrollierte Studie mit 90 Eltern.", "rct"),
        ("方法：采用随机对照试验，将120名患者随机分为两组。", "rct"),
        ("Méthodes : Un essai randomisé en grappes dans 20 écoles.", "cluster_rct"),
        ("Métodos: Revisión sistemática y metaanálisis de 25 ensayos.", "meta_analysis"),
        ("Methoden: Systematische Übersichtsarbeit und Metaanalyse von 14 Studien.", "meta_analysis"),
        ("方法：检索数据库并进行Meta分析，共纳入14项研究。", "meta_analysis"),
        ("Métodos: Estudio de cohorte prospectiva de 2.000 recién nacidos.", "cohort"),
        ("Methoden: Daten einer Kohortenstudie mit 5000 Kindern wurden ausgewertet.", "cohort"),
        ("Métodos: Estudio de casos y controles con 80 casos.", "case_control"),
        ("Métodos: Estudio cualitativo con entrevistas a 20 docentes.", "qualitative"),
        ("Método: Estudo quase-experimental em duas escolas.", "non_randomised_trial"),
    ],
)
def test_design_cues_in_other_languages(text: str, expected: str) -> None:
    assert design(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a table row of a trial: its own design words decide
        ("Smith (2004) UK 8-11 years 410 12 sessions Randomised block design (by school) SDQ 12.1 (4.2)", "cluster_rct"),
        ("Jones (2006) NZ 9-12 years 220 8 sessions Randomized block design SDQ 11.0 (3.9)", "rct"),
        ("Brown (2009) CA 7-10 years 150 Block design (randomisation not specified) SDQ 9.8 (3.1)", "non_randomised_trial"),
        ("Methods: Pupils were not randomly assigned; two schools received the course and two did not.", "non_randomised_trial"),
        ("Methods: Four nurseries took part, with classes randomly allocated to the programme or a wait-list.", "cluster_rct"),
        # a quasi-experimental analysis of registry data is not a trial
        ("Objective: To test a causal account using a quasi-experimental approach. Design: We studied all "
         "infants born in Norway from 1990 to 1995, linked to the national registers.", "cohort"),
        ("Método: Investigación cuantitativa, de corte transversal, con 300 estudiantes de bachillerato.", "cross_sectional"),
        # a review that reports one standardised effect of its studies pools them
        ("Green et al. (2012) included 21 controlled studies of coaching. Coaching improved warmth (g = .41).", "meta_analysis"),
        ("Green et al. (2012) included 21 controlled studies of coaching. Coaching improved warmth in most.", "systematic_review"),
        ("Methods: We searched six databases and included 14 trials. The pooled effect on anxiety was small.", "meta_analysis"),
    ],
)
def test_design_cues_read_on_unseen_wording(text: str, expected: str) -> None:
    assert design(text) == expected


def test_a_randomised_trial_by_school_nurses_is_not_a_cluster_trial() -> None:
    assert design("Methods: A randomised controlled trial by school nurses in 300 pupils.") == "rct"


def test_a_single_study_reads_past_a_one_paragraph_abstract_when_it_names_no_design() -> None:
    from extractor.extract.document import extract_document
    from extractor.readers.text import parse_plain_text

    # no "Abstract" marker: the reader takes the first paragraph as the abstract; the design is stated after it,
    # and a design word in the references is not read
    text = ("Question: Parents of anxious children often feel strained, and we asked whether help aimed at the "
            "parents themselves relieves that strain over the months after it ends. Most help offered to such "
            "families trains parents to coach their child, which leaves the parents' own worry, low mood and sense "
            "of burden untouched; we looked for help that aims at those, alone or beside parent training, in any "
            "setting and delivered by any professional or peer.\n"
            "Study selection and analysis: Eight databases were searched from their start to March 2022. Programmes "
            "that aimed to support parents of children with anxiety were eligible, in any setting. Two of us rated "
            "the quality of each included study. A meta-analysis of the eligible outcomes was conducted with random "
            "effects.\nFindings: Nine studies of 640 parents were eligible.\n"
            "Conclusions: Help aimed at the parents' own strain did not relieve it overall.\n\nReferences\n\n"
            "1. Lee A, Park B. Worry in parents: a cross-sectional survey. J Fam Stud. 2001;12(3):1-9.\n")
    document = parse_plain_text(text, "review.txt")
    assert document.abstract_span is not None and text.index("Study selection") >= document.abstract_span[1]
    [unit] = extract_document(document, use_models=False)
    chosen = [v for v in unit.values if v.field == "design" and v.chosen]
    assert [v.value for v in chosen] == ["meta_analysis"]
    assert not any(v.value == "cross_sectional" for v in unit.values if v.field == "design")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Métodos: Estudio observacional, descriptivo y transversal en 250 madres de una clínica rural.", "cross_sectional"),
        ("Métodos: Estudo descritivo, correlacional e transversal com 310 enfermeiros.", "cross_sectional"),
        ("Métodos: Ensayo clínico no aleatorizado con dos grupos de escolares.", "non_randomised_trial"),
        ("Métodos: Ensaio clínico não randomizado com 90 gestantes.", "non_randomised_trial"),
    ],
)
def test_design_cues_with_several_adjectives_in_spanish_and_portuguese(text: str, expected: str) -> None:
    assert design(text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # allocation stated without "were ... randomised" or a design noun
        (None, "Design: Prospective study. Patients: Forty adults were randomly divided into a walking group and a "
               "control group.", "rct"),
        (None, "We randomised prospectively 64 consecutive patients into two groups.", "rct"),
        (None, "Methods: We randomly assigned 2,400 operations at six centres to testing or no testing.", "rct"),
        (None, "Methods: Thirty swimmers were matched for ability and randomly placed into one of three groups.", "rct"),
        ("Walking after knee surgery: a prospective, randomised comparison of two braces", "Sixty adults took part.",
         "rct"),
        (None, "Métodos: 80 pacientes fueron asignados aleatoriamente a dos grupos.", "rct"),
        (None, "Méthodes : Les 60 patients ont été répartis de façon aléatoire en deux groupes.", "rct"),
        (None, "Methoden: Die 90 Eltern wurden zufällig zugeteilt.", "rct"),
        (None, "方法：将96例患者随机分配到两组。", "rct"),
        # sampling at random is not allocation
        (None, "Methods: 500 households were randomly selected and surveyed in a cross-sectional study.",
         "cross_sectional"),
        # English written with the Romance word
        (None, "A transversal study of 120 mothers attending two clinics was carried out in 2019.", "cross_sectional"),
        (None, "Methods: A retrospective follow-up study of 300 women seen at one clinic between 2010 and 2015.",
         "cohort"),
        (None, "Methods: A retrospective chart review of 212 children admitted with asthma.", "cohort"),
        # a case described as the paper's subject
        (None, "A 54-year-old man presented with fever and back pain. Imaging showed an abscess.", "case_report"),
        (None, "We describe a 7-month-old infant with a rare skin lesion that resolved after surgery.", "case_report"),
    ],
)
def test_design_cues_for_allocation_and_observation_phrased_plainly(title: str | None, text: str,
                                                                     expected: str) -> None:
    assert design(text, title) == expected


def test_a_case_inside_a_decision_model_is_not_a_case_report() -> None:
    text = "We used a Markov model of two treatment strategies. The base case was a 69-year-old man with atrial fibrillation."
    assert design(text) != "case_report"


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # a guideline the study is about does not make it a guideline
        ("Computer reminders and compliance with a clinical practice guideline for depression",
         "Design: Eighty outpatients were randomly assigned to two reminder systems.", "rct"),
        ("Adherence to clinical guidelines for asthma among general practitioners",
         "Methods: A cross-sectional survey of 400 general practitioners.", "cross_sectional"),
        # the document that is a guideline
        ("Clinical practice guideline: management of otitis media in children",
         "This guideline updates the 2004 recommendations. Evidence came from randomized controlled trials.", "other"),
    ],
)
def test_a_guideline_as_topic_is_not_the_documents_type(title: str, text: str, expected: str) -> None:
    assert design(text, title) == expected


def test_a_structured_review_abstract_states_itself_by_its_inline_headings() -> None:
    text = ("BACKGROUND: Steroids are used early in preterm babies. OBJECTIVES: To assess steroids given at 7-14 days. "
            "SEARCH STRATEGY: Randomised controlled trials were sought from electronic databases. SELECTION CRITERIA: "
            "Randomised trials comparing steroids with placebo. MAIN RESULTS: Seven trials of 669 infants were "
            "double-blind. REVIEWERS' CONCLUSIONS: Benefits may not outweigh harms.")
    assert design(text) in ("systematic_review", "meta_analysis")


@pytest.mark.parametrize(
    "text",
    [
        "Background: The condition is rare in children. The authors report a case of a boy with spinal tuberculosis.",
        "Wilson disease is often missed. This article presents the case of a young man with psychiatric symptoms.",
        "Here, we discuss a case of late-onset ataxia without liver disease.",
    ],
)
def test_a_case_the_paper_presents_is_a_case_report(text: str) -> None:
    assert design(text) == "case_report"


def test_a_case_study_is_not_a_case_report() -> None:
    assert design("We report a case study of process improvement in two software firms.") != "case_report"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an essay on signalling names no patient: the model's case_report gives way to its next label
        ("Signalling between immune cells in inflammation. The events that lead to an inflammatory response begin "
         "with recognition of the site of injury, followed by the recruitment of leucocytes. We discuss how the "
         "signals are ordered and what is known of their receptors.", "cohort"),
        # a patient described keeps it
        ("Abscess of the psoas muscle. A 54-year-old man presented with fever and back pain; imaging showed an "
         "abscess of the psoas muscle that was drained, and he recovered after six weeks of antibiotics.",
         "case_report"),
    ],
)
def test_the_models_case_report_needs_a_patient_or_case(monkeypatch: pytest.MonkeyPatch, text: str,
                                                        expected: str) -> None:
    from extractor.extract import design as design_field
    from extractor.extract.registry import UnitContext
    from extractor.models import design as classifier
    from extractor.readers.text import parse_plain_text

    document = parse_plain_text(text, "x.txt")
    context = UnitContext(document, analyse(text), 0, len(text), single=False)
    monkeypatch.setattr(classifier, "predict_design", lambda _: [("case_report", 0.35), ("cohort", 0.2), ("other", 0.1)])
    [proposed] = design_field._from_model([], context)
    assert proposed.value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Methods: Ninety adults with chronic pain and 90 controls matched by age and sex were included in this "
         "retrospective study.", "case_control"),
        ("Methods: Thirty women with endometriosis were compared with 25 healthy volunteers.", "case_control"),
        ("Methods: 212 cases of childhood leukaemia and 430 controls drawn from birth records were studied.",
         "case_control"),
        ("Methods: We examined 14 patients with psoriasis and age-matched healthy controls.", "case_control"),
        ("Methods: Un estudo de casos e controles com 120 idosos.", "case_control"),
        # the control arm of a randomised trial is not a control series
        ("Methods: 120 mothers were randomly assigned to the programme or a control group of 60 healthy mothers.",
         "rct"),
    ],
)
def test_cases_against_matched_or_healthy_controls_are_a_case_control_study(text: str, expected: str) -> None:
    assert design(text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("What students think of wellbeing measures: cross-sectional survey and qualitative interviews",
         "Methods: 400 students answered a questionnaire; 20 were interviewed.", "mixed_methods"),
        ("Nurses and night shifts: focus groups and a national survey", "Methods: We ran six focus groups.",
         "mixed_methods"),
        # in the text, a survey by interview is one method
        (None, "Methods: A cross-sectional survey with structured interviews of 300 households.", "cross_sectional"),
    ],
)
def test_a_title_naming_a_survey_and_interviews_is_mixed_methods(title: str | None, text: str, expected: str) -> None:
    assert design(text, title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Métodos: Ensayo clínico aleatorio con 80 pacientes asignados a dos grupos.", "rct"),
        ("Methoden: In einer randomisierten, kontrollierten Studie wurden 120 Eltern untersucht.", "rct"),
        ("Methoden: Eine randomisiert-kontrollierte Studie mit 64 Kindern.", "rct"),
        ("Métodos: Estudio observacional retrospectivo de 312 historias clínicas.", "cohort"),
        ("Métodos: Estudo retrospectivo com 150 prontuários de gestantes.", "cohort"),
        ("Méthodes : Étude rétrospective de 95 dossiers d'enfants hospitalisés.", "cohort"),
        ("Methoden: Retrospektive Studie an 210 Patientinnen einer Frauenklinik.", "cohort"),
        ("方法：采用回顾性研究，分析了 420 名住院患者的资料。", "cohort"),
        ("方法：采用问卷调查，共调查 1200 名中学生。", "cross_sectional"),
        ("方法：本研究为前瞻性队列研究，采用问卷调查收集资料。", "cohort"),
    ],
)
def test_retrospective_and_survey_designs_in_other_languages(text: str, expected: str) -> None:
    assert design(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Editorial\n\nWidening the Reach of Help for Young People's Worries\n\nDepartment of Health, A University\n"
         "Twenty years ago an important systematic review showed that help for young people was rarely built for "
         "them. A more recent systematic review confirmed that the gap remains, and we argue here for new work.",
         "other"),
        ("Skip to main content\n  • Study protocol\n  • Open access\n\nCoaching Parents of Toddlers at Home\n\n"
         "Abstract\nBackground: Parents of toddlers who worry about sleep often ask their nurse for help. Methods: "
         "Parents will be asked about sleep and mood at three and six months after joining the programme.",
         "protocol"),
    ],
)
def test_an_article_type_line_above_the_title_is_read_as_the_title(text: str, expected: str) -> None:
    from extractor.extract.document import extract_document
    from extractor.readers.text import parse_plain_text

    document = parse_plain_text(text, "page.txt")
    assert document.title_span is not None and document.title_span[0] > 0
    [unit] = extract_document(document, use_models=False)
    assert [v.value for v in unit.values if v.field == "design" and v.chosen] == [expected]


def test_article_type_lines_are_whole_lines_of_a_known_type() -> None:
    from extractor.extract.design.rules import article_type_lines

    text = "• Research article\nRandomized Controlled Trial\nA randomized controlled trial of X in Y\nTitle here"
    names = [name for _, name in article_type_lines(text, text.index("Title here"))]
    assert names == ["research article", "randomized controlled trial"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Esta revisión narrativa resume la evidencia sobre el sueño infantil.", "other"),
        ("Trata-se de uma revisão de literatura sobre o aleitamento materno.", "other"),
        ("Diese Übersichtsarbeit fasst den Stand der Forschung zur Elternbildung zusammen.", "other"),
        ("Diese systematische Übersichtsarbeit schloss 12 Studien ein.", "systematic_review"),
        ("本文综述了儿童焦虑的干预研究进展。", "other"),
        ("本研究为系统综述，纳入 15 项研究。", "systematic_review"),
        ("Reporte de caso y revisión de la literatura: una niña de 6 años con absceso.", "case_report"),
    ],
)
def test_narrative_reviews_in_other_languages_are_other(text: str, expected: str) -> None:
    assert design(text) == expected


def test_cue_matches_tried_only_where_a_match_can_begin_are_the_regex_matches() -> None:
    """``rules._matches`` (a cue's pattern tried only where one of its possible beginnings stands) finds what
    ``finditer`` over the whole window finds, for every cue, on texts made of the cues' own beginnings and
    words around them, in windows that cut them anywhere."""
    import random

    from extractor.extract.design import rules

    cues = rules._lexicon()[0]
    pieces = sorted({text for cue in cues for text in cue.starts or ()})
    words = ["were", "randomly", "assigned", "study", "trial", "controls", "matched", "non-", "not ", "quasi-",
             "the", "a", "we", "design", "cohort", ".", ": ", "\n", "120", "randomised", "review", "cases"]
    chance = random.Random(20)
    tried = 0
    for _ in range(150):
        text = " ".join(chance.choice(pieces if chance.random() < 0.4 else words) for _ in range(40)).lower()
        for cue in cues:
            start = chance.randrange(0, len(text) // 2)
            end = chance.randrange(start, len(text) + 1)
            expected = [(m.start(), m.end()) for m in cue.lower.finditer(text, start, end)]
            assert [(m.start(), m.end()) for m in rules._matches(cue, text, start, end)] == expected, cue.rule
            tried += len(expected)
    assert tried > 100  # the texts hold matches of the cues, not only misses
    assert sum(cue.starts is not None for cue in cues) > len(cues) // 2  # most cues are tried only where they can begin


def test_trigger_places_are_every_place_of_every_trigger() -> None:
    """``rules._trigger_places`` (one scan for the longest trigger at each position) gives every place of
    every trigger word, overlapping ones too ('random' inside 'randomised'), as a search per trigger would."""
    from extractor.extract.design import rules

    triggers = sorted({trigger for cue in rules._lexicon()[0] for trigger in cue.triggers})
    text = ("we randomised 40 schools (cluster-randomized, not randomly) in a cross-sectional survey; "
            "a retrospective cohort of cases and matched controls. estudio transversal, étude cas-témoins; "
            "随机对照试验 protocol for a systematic review and meta-analysis. randomrandomi").lower()
    expected: dict[str, list[int]] = {}
    for trigger in triggers:
        at = text.find(trigger)
        while at >= 0:
            expected.setdefault(trigger, []).append(at)
            at = text.find(trigger, at + 1)
    assert len(expected) > 15
    assert rules._trigger_places(text) == expected
