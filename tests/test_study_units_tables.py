"""Tables of studies become one study unit per row, in every layout; other multi-study forms; estimates in
the cells of results tables. All text here is written for these tests."""

from __future__ import annotations

import pytest
from pdf_pages import Rule, Text, page_pdf

from extractor.extract.document import extract_document
from extractor.extract.effects.tables import table_estimates
from extractor.extract.units import tables
from extractor.extract.units.segment import study_units
from extractor.readers.text import parse_plain_text


def _labels(text: str) -> list[str | None]:
    return [unit.label for unit in study_units(parse_plain_text(text, "doc.txt"))]


def _chosen(unit, field: str):
    return [value.value for value in unit.values if value.field == field and value.chosen]


PIPE = """Table 1. Trials of reading programmes

| Study | Design | N | Outcome | Effect |
|---|---|---|---|---|
| Larkin Reading Club | RCT | 212 | reading age | d = 0.31 |
| Story Steps | cluster randomised trial | 1,480 | vocabulary | d = 0.12 |
| Word Garden | cohort | 96 | spelling | d = 0.40 |
"""

TAB = (
    "Table 2: Programmes compared\n"
    "Programme\tDesign\tN\tResult\n"
    "Bright Beginnings\tRCT\t340\tg = 0.22\n"
    "Talking Together\tquasi-experimental\t120\tg = 0.18\n"
    "\tfollow-up at 12 months\t\t\n"
    "Family Table\tRCT\t75\tg = 0.35\n"
)

ALIGNED = """Summary of included trials

Author (year)          Country    N      Outcome
Okafor et al. (2016)   Nigeria    410    child growth
Lindqvist (2019)       Sweden     88     sleep problems
Haddad and Roy (2021)  Lebanon    265    maternal mood
"""

RUN_TOGETHER = """TABLE 3Favourable impacts of home visiting models, by domain

Domain
Parenting PracticesChild HealthSchool Readiness
Sunrise Visits2/6Not measured1/4
Little Steps Home Programme0/3Not measured3/9
Bridges for Families b4/51/2Not measured
Open Door Nurses1/12/20/4
"""


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        (PIPE, ["Larkin Reading Club", "Story Steps", "Word Garden"]),
        (TAB, ["Bright Beginnings", "Talking Together", "Family Table"]),
        (ALIGNED, ["Okafor et al. (2016)", "Lindqvist (2019)", "Haddad and Roy (2021)"]),
        (RUN_TOGETHER, ["Sunrise Visits", "Little Steps Home Programme", "Bridges for Families", "Open Door Nurses"]),
    ],
    ids=["pipe", "tab", "aligned", "run-together"],
)
def test_each_row_of_a_table_of_studies_is_a_unit(text: str, labels: list[str]) -> None:
    assert _labels(text) == labels


def test_header_cells_give_columns_their_roles() -> None:
    assert tables.header_roles("Study") == {"study"}
    assert tables.header_roles("Author (year)") == {"study"}
    assert tables.header_roles("N") == {"n"}
    assert {"measure:OR", "ci"} <= tables.header_roles("Odds ratio (95% CI)")
    assert tables.header_roles("Country") == set()


def test_a_row_unit_takes_its_design_and_n_from_its_cells() -> None:
    units = study_units(parse_plain_text(PIPE, "doc.txt"))
    given = [dict((field, value) for field, value, _, _ in unit.given) for unit in units]
    assert [g.get("design") for g in given] == ["rct", "cluster_rct", "cohort"]
    assert [g["sample_size"]["n"] for g in given] == [212, 1480, 96]


def test_a_continuation_line_stays_in_its_row() -> None:
    units = study_units(parse_plain_text(TAB, "doc.txt"))
    assert "follow-up at 12 months" in TAB[units[1].start : units[1].end]
    assert "Family Table" not in TAB[units[1].start : units[1].end]


def test_the_caption_gives_every_row_its_design_when_the_row_states_none() -> None:
    text = (
        "Table 4. Randomized controlled trials of parent coaching\n\n"
        "Moreau, A 201512FairN = 64\nCoaching vs. waitlist; fewer tantrums at 6 months\n"
        "Pereira, JL 201833GoodN = 120\nCoaching vs. leaflet; better sleep routines\n"
        "Tanaka, H 2020101GoodN = 48\nCoaching vs. usual care; no change in routines\n"
    )
    document = parse_plain_text(text, "doc.txt")
    units = study_units(document)
    assert [unit.label for unit in units] == ["Moreau, A 2015", "Pereira, JL 2018", "Tanaka, H 2020"]
    extracted = extract_document(document, use_models=False)
    assert [_chosen(unit, "design") for unit in extracted] == [["rct"], ["rct"], ["rct"]]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in extracted] == [64, 120, 48]


def test_a_table_of_results_of_one_study_stays_one_study() -> None:
    text = (
        "Table 2. Association between screen time and sleep problems in 1,200 children\n"
        "Exposure | Odds ratio (95% CI) | p value\n"
        "Under 1 hour | 1 (ref) | ..\n"
        "1 to 3 hours | 1.40 (1.10-1.80) | 0.006\n"
        "Over 3 hours | 2.10 (1.60-2.75) | <0.001\n"
    )
    assert _labels(text) == [None]


def test_a_jats_table_of_studies_splits_into_rows(tmp_path) -> None:
    from extractor.readers.base import Limits
    from extractor.readers.jats import read

    xml = tmp_path / "article.nxml"
    xml.write_text(
        """<?xml version="1.0"?>
<article><front><article-meta><title-group><article-title>A review of coaching</article-title></title-group>
</article-meta></front><body><sec><title>Results</title><p>Three trials were found.</p>
<table-wrap><label>Table 1</label><caption><p>RCTs of coaching</p></caption><table>
<tr><th>Study</th><th>N</th><th>Finding</th></tr>
<tr><td>Abara (2011)</td><td>60</td><td>d = 0.30</td></tr>
<tr><td>Brandt (2014)</td><td>140</td><td>d = 0.12</td></tr>
<tr><td>Celik (2020)</td><td>88</td><td>d = 0.25</td></tr>
</table></table-wrap></sec></body></article>""",
        encoding="utf-8",
    )
    document = next(read(xml, Limits()))
    units = study_units(document)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)"]
    sizes = [dict((f, v) for f, v, _, _ in unit.given).get("sample_size") for unit in units]
    assert [size["n"] for size in sizes] == [60, 140, 88]


def test_rows_from_a_cell_grid_as_readers_write_them() -> None:
    # pdfplumber, PPTX and spreadsheet tables come as lists of rows of cells (None for an empty cell); the
    # readers write them tab-separated, one row a line
    grid = [["Trial", "Design", "N"], ["Harbour Study", "RCT", "310"], [None, "(pilot)", None],
            ["Meadow Trial", "RCT", "95"], ["Riverside Project", "cohort", "1 204"]]
    text = "Table 5. Trials of outreach\n" + "\n".join("\t".join(cell or "" for cell in row) for row in grid) + "\n"
    units = study_units(parse_plain_text(text, "doc.txt"))
    assert [unit.label for unit in units] == ["Harbour Study", "Meadow Trial", "Riverside Project"]
    assert [dict((f, v) for f, v, _, _ in unit.given)["sample_size"]["n"] for unit in units] == [310, 95, 1204]


def test_reference_entries_heading_their_results_are_units() -> None:
    text = (
        "Programme effects\n\n"
        "Marlowe, P., Quist, R., & Ames, T. (2012). Home visits and school entry. Journal of Visits, 3, 1-9.\n"
        "Outcome Effect Sample\n"
        "School readiness No effect 140 children\n\n"
        "Nakamura, Y.; Ortiz, L. (2016) Follow-up report.\n"
        "Outcome Effect Sample\n"
        "Reading scores Favourable 98 children\n"
    )
    assert _labels(text) == ["Marlowe et al. (2012)", "Nakamura and Ortiz (2016)"]


def test_a_reference_list_is_not_a_set_of_studies() -> None:
    text = (
        "A trial of coaching\n\nWe randomised 80 parents; coaching reduced stress (d = 0.4).\n\n"
        "Marlowe, P., Quist, R. (2012). Home visits. Journal of Visits, 3, 1-9.\n"
        "Nakamura, Y., Ortiz, L. (2016). Follow-up report. Journal of Visits, 7, 2-8.\n"
        "Tanaka, H., Ames, T. (2019). Coaching. Journal of Visits, 9, 4-5.\n"
    )
    assert _labels(text) == [None]


def test_programmes_summarised_one_paragraph_each_are_units() -> None:
    text = (
        "Programmes with strong evidence\n\n"
        "Sunrise Visits (nurse visits for first-time parents): Randomized controlled trials show fewer emergency "
        "visits and better language at age two.\n\n"
        "Little Steps Home Programme (a parenting group for toddlers): A randomized controlled trial found fewer "
        "behaviour problems at follow-up.\n\n"
        "Open Door Nurses: Two randomized trials report more breastfeeding and fewer hospital admissions in the "
        "first year.\n\n"
        "Bridges for Families (group sessions for parents of"
    )
    assert _labels(text) == ["Sunrise Visits", "Little Steps Home Programme", "Open Door Nurses",
                             "Bridges for Families"]


def test_metadata_fields_are_not_programmes() -> None:
    text = "A trial\n\nPublication Language: English\n\nPublication Type: Journal article\n\nBook Volume: 12\n\nWe randomised 80 parents."
    assert _labels(text) == [None]


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("We report two studies. In Study 1, 120 mothers completed diaries. Stress predicted sleep. "
         "In Study 2, 80 fathers were followed for a year. Stress predicted mood.", ["Study 1", "Study 2"]),
        ("Experiment 1 tested recall in 40 adults. Experiment 2 repeated it with 60 children. "
         "Experiment 3 added a delay.", ["Experiment 1", "Experiment 2", "Experiment 3"]),
        ("In the first study, 50 teachers rated pupils. In the second study, 70 parents rated the same pupils.",
         ["Study 1", "Study 2"]),
    ],
)
def test_numbered_studies_in_one_abstract_are_units(text: str, labels: list[str]) -> None:
    document = parse_plain_text(text, "doc.txt")
    units = study_units(document)
    assert [unit.label for unit in units] == labels
    second = text.index(labels[1].split()[0] + " 2") if "the second" not in text else text.index("In the second")
    assert units[1].start <= second and units[0].end <= second + 1


def test_a_review_with_pooled_estimates_per_outcome_stays_one_study() -> None:
    text = (
        "Parenting programmes for toddlers: a meta-analysis\n\n"
        "We pooled 24 randomised trials. Programmes reduced behaviour problems (SMD -0.31, 95% CI -0.45 to -0.17) "
        "and parenting stress (SMD -0.22, 95% CI -0.36 to -0.08), and improved sensitivity (SMD 0.28, 95% CI "
        "0.10 to 0.46)."
    )
    document = parse_plain_text(text, "doc.txt")
    assert [unit.label for unit in study_units(document)] == [None]
    effects = _chosen(extract_document(document, use_models=False)[0], "effect")
    assert [effect["value"] for effect in effects] == [-0.31, -0.22, 0.28]


def test_estimates_under_a_header_that_names_their_measure() -> None:
    text = (
        "Table 2.\n\nAssociation between early weaning and childhood asthma by age 7 years\n\n"
        "Exposure  n  Odds ratio (95% CI)  p value\n"
        "Weaned before 4 months  310  1·62 (1·21–2·17)  0·0012\n"
        "Weaned at 4-6 months  502  1 (ref)  ..\n"
    )
    found = table_estimates(text, 0, len(text))
    assert [(e.measure, e.value, e.ci, e.p) for e in found] == [("OR", 1.62, (1.21, 2.17), 0.0012)]
    assert found[0].outcome == "childhood asthma"


def test_estimates_in_run_together_cells() -> None:
    text = (
        "Table 3\n\nAssociations between shift work and preterm birth examined in 3 models\n\n"
        "No. of CasesHazard RatioSE95% CIPn\n"
        "Night shifts1232.410.162.12–2.74<.00118 420\n"
        "Rotating shifts871.370.111.17–1.60<.019 311\n"
    )
    found = table_estimates(text, 0, len(text))
    assert [(e.measure, e.value, e.ci, e.p) for e in found] == [
        ("HR", 2.41, (2.12, 2.74), 0.001),
        ("HR", 1.37, (1.17, 1.6), 0.01),
    ]
    assert {e.outcome for e in found} == {"preterm birth"}


def test_a_range_in_prose_under_no_header_is_not_an_estimate() -> None:
    text = "Children aged 4–7 years (mean 5.2) took part.\nScores ranged 1.2 (0.8–1.9) across schools.\n"
    assert table_estimates(text, 0, len(text)) == []


def test_extracted_table_estimates_carry_measure_and_outcome() -> None:
    text = (
        "Table 2. Association between early weaning and childhood asthma by age 7 years\n"
        "Exposure  n  Odds ratio (95% CI)  p value\n"
        "Weaned before 4 months  310  1·62 (1·21–2·17)  0·0012\n"
        "Weaned before 2 months  120  2·05 (1·30–3·23)  0·002\n"
    )
    unit = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)[0]
    effects = _chosen(unit, "effect")
    assert [(e["measure"], e["value"]) for e in effects] == [("OR", 1.62), ("OR", 2.05)]


def test_the_outcome_cell_of_a_row_names_its_outcome_and_its_effect_is_tied_to_it() -> None:
    text = (
        "Table 6. Trials of parent groups\n"
        "Study | N | Outcome | Effect\n"
        "Quarry Lane (2013) | 150 | night waking | d = 0.33\n"
        "Fenwick Groups (2017) | 88 | toddler tantrums | d = 0.21\n"
    )
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [_chosen(unit, "outcome") for unit in units] == [["night waking"], ["toddler tantrums"]]
    assert [[e.get("outcome") for e in _chosen(unit, "effect")] for unit in units] == [["night waking"],
                                                                                       ["toddler tantrums"]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_spreadsheet_of_studies_is_one_document_with_a_unit_per_row(tmp_path, suffix: str) -> None:
    from extractor.readers import read_path

    rows = [["Study", "Design", "N", "Effect"], ["Abara (2011)", "RCT", 60, "d = 0.30"],
            ["Brandt (2014)", "cohort", 140, "OR 1.4 (1.1 to 1.9)"]]
    path = tmp_path / f"studies{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n", encoding="utf-8")
    else:
        import openpyxl

        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        workbook.save(path)
    documents = list(read_path(path))
    assert len(documents) == 1
    units = extract_document(documents[0], use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)"]
    assert [_chosen(unit, "design") for unit in units] == [["rct"], ["cohort"]]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [60, 140]
    assert [[(e["measure"], e["value"]) for e in _chosen(unit, "effect")] for unit in units] == [
        [("d", 0.3)], [("OR", 1.4)]]


def _workbook(path, rows: list[list]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


def test_a_spreadsheet_of_studies_and_outcome_domains_gives_each_row_its_ticked_domains(tmp_path) -> None:
    from extractor.readers import read_path

    # ticks, a checkbox cell (TRUE / FALSE), "Not measured" and blanks, as sheets print them
    rows = [["Programme", "Sleep", "Feeding Practices", "Maternal Mood"],
            ["Cradle Talk", "✓", None, True],
            ["Nest Visits", "Not measured", "✓", False],
            ["Morning Star Homes", "✓", "Yes", "✓"]]
    path = tmp_path / "domains.xlsx"
    _workbook(path, rows)
    documents = list(read_path(path))
    assert len(documents) == 1
    units = extract_document(documents[0], use_models=False)
    assert [unit.label for unit in units] == ["Cradle Talk", "Nest Visits", "Morning Star Homes"]
    assert [_chosen(unit, "outcome") for unit in units] == [
        ["Sleep", "Maternal Mood"], ["Feeding Practices"], ["Sleep", "Feeding Practices", "Maternal Mood"]]


@pytest.mark.parametrize(
    "rows",
    [
        # free-text columns beside the study column: no domain is ticked or said to be unmeasured
        [["Study", "Notes", "Comments"], ["Abara (2011)", "pilot site", "see appendix"],
         ["Brandt (2014)", "two sites", "none"]],
        # a screening label, though its cells read like ticks
        [["Study", "Included"], ["Abara (2011)", "Yes"], ["Brandt (2014)", "Yes"]],
    ],
    ids=["free-text", "screening-label"],
)
def test_a_spreadsheet_with_a_study_column_but_no_domains_is_still_refused(tmp_path, rows: list[list]) -> None:
    from extractor.errors import MalformedDocument
    from extractor.readers import read_path

    path = tmp_path / "studies.xlsx"
    _workbook(path, rows)
    with pytest.raises(MalformedDocument, match="no title or abstract column"):
        list(read_path(path))


def test_a_screening_table_without_a_study_column_is_still_refused(tmp_path) -> None:
    from extractor.errors import MalformedDocument
    from extractor.readers import read_path

    path = tmp_path / "scores.csv"
    path.write_text("score,weight,notes\n1,2,x\n", encoding="utf-8")
    with pytest.raises(MalformedDocument, match="no title or abstract column"):
        list(read_path(path))


def _ruled_table_pdf(caption: str, rows: list[list[str]], prose: str) -> bytes:
    """A one-page PDF (Helvetica) with a line of prose, a caption and a table ruled on every cell edge."""
    texts = [Text(50, 740, prose), Text(50, 700, caption)]
    top, height, widths = 690, 20, [150, 100, 60]
    xs = [50]
    for width in widths:
        xs.append(xs[-1] + width)
    bottom = top - height * len(rows)
    rules = [Rule(xs[0], top - i * height, xs[-1], top - i * height) for i in range(len(rows) + 1)]
    rules += [Rule(x, top, x, bottom) for x in xs]
    texts += [Text(xs[c] + 4, top - (r + 1) * height + 6, cell, 9)
              for r, row in enumerate(rows) for c, cell in enumerate(row)]
    return page_pdf(texts, rules)


def test_a_ruled_pdf_table_is_read_as_rows_by_the_table_finder(tmp_path) -> None:
    from extractor.readers.base import Limits
    from extractor.readers.pdf import read_pdf

    rows = [["Study", "N", "Effect"], ["Abara (2011)", "60", "d = 0.30"], ["Brandt (2014)", "140", "d = 0.12"],
            ["Celik (2020)", "88", "d = 0.25"]]
    path = tmp_path / "table.pdf"
    path.write_bytes(_ruled_table_pdf("Table 1. Randomised controlled trials of home visiting", rows,
                                      "We found three trials of home visiting for new parents in the region."))
    document = read_pdf(path, Limits())
    assert "Study\tN\tEffect\nAbara (2011)\t60\td = 0.30" in document.text
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)"]
    assert [_chosen(unit, "design") for unit in units] == [["rct"]] * 3
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [60, 140, 88]


def test_a_run_together_title_line_above_the_header_is_no_outcome_column() -> None:
    # "Outcome" spans the header; the line under it, split where its cells meet, names the columns
    units = study_units(parse_plain_text(RUN_TOGETHER.replace("Domain", "Outcome"), "doc.txt"))
    given = [[value for field, value, _, _ in unit.given if field == "outcome"] for unit in units]
    assert len(units) == 4 and all("Outcome" not in outcomes for outcomes in given)
    assert given[0] == ["Parenting Practices", "School Readiness"]


def test_a_long_run_of_digits_is_read_in_linear_time() -> None:
    # a backtracking pattern took a minute on three such lines; the guard only catches a hang
    import time

    line = "Label " + "1" * 60 + " x"
    started = time.monotonic()
    assert tables.find_tables("\n".join([line] * 3)) == []
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "text",
    [
        # captions of a full text's tables, each heading its own paragraph, are not programmes
        "Results\n\nTable 1: Characteristics of the children who took part in the survey of the region\n"
        "Age\t4\t5\n\nTable 2: Scores of the children at the end of the school year in the region\nAge\t4\t5\n\n"
        "Table 3: Scores of the children at follow-up one year later in the same schools\nAge\t4\t5\n",
        # rows named by month under a caption that names the one study the table comes from
        "Table 5: Number of infected animals in the longitudinal study.\n\tIgM\tIgG\nSeptember\t5\t9\n"
        "October\t1\t9\nDecember\t1\t7\n",
        # months and years opening lines are dates
        "A cohort\n\nSeptember 2007 saw the first visits.\nOctober 2008 saw the second.\n",
    ],
    ids=["table-captions", "month-rows", "month-years"],
)
def test_one_study_full_text_forms_stay_one_study(text: str) -> None:
    assert _labels(text) == [None]


def _article(body_paragraphs: int) -> str:
    """A review article of our own: its abstract, ``body_paragraphs`` paragraphs of body, then a table of
    its included studies."""
    abstract = (
        "Abstract\n"
        "Background: Parent coaching may reduce toddler tantrums. Methods: We searched four databases for "
        "randomised trials of parent coaching and pooled tantrum frequency with random effects. Results: Three "
        "trials with 232 families were included. Coaching reduced tantrums (SMD -0.41, 95% CI -0.66 to -0.16). "
        "Conclusions: Parent coaching reduces tantrums in toddlers, though the trials were small and short, "
        "and longer trials with blinded observers are needed.\n\n"
    )
    paragraph = (
        "Tantrums are common in the second and third years of life, and families often ask their health "
        "visitors how best to respond to them. Coaching programmes teach parents to notice calm behaviour, "
        "to name feelings and to keep routines steady, and they are offered in clinics and at home.\n\n"
    )
    return (
        "Parent coaching for toddler tantrums: a meta-analysis\n\n" + abstract
        + ("Introduction\n" + paragraph * body_paragraphs if body_paragraphs else "")
        + "Table 1. Characteristics of the included trials\n"
        "Study | Country | N | Follow-up\n"
        "Moreau et al. (2015) | France | 64 | 6 months\n"
        "Pereira et al. (2018) | Brazil | 120 | 12 months\n"
        "Tanaka et al. (2020) | Japan | 48 | 6 months\n"
    )


def test_a_table_of_included_studies_deep_in_an_article_stays_the_articles_one_study() -> None:
    document = parse_plain_text(_article(body_paragraphs=12), "doc.txt")
    assert document.abstract_span is not None
    assert [unit.label for unit in study_units(document)] == [None]


def test_a_table_of_studies_right_after_a_pages_lead_is_split_into_rows() -> None:
    document = parse_plain_text(_article(body_paragraphs=0), "doc.txt")
    assert [unit.label for unit in study_units(document)] == [
        "Moreau et al. (2015)", "Pereira et al. (2018)", "Tanaka et al. (2020)"]


_CORNER_ROWS = [
    ("", "N", "Outcome"),
    ("Abara (2011)", "60", "Tantrums"),
    ("Brandt (2014)", "140", "Sleep"),
    ("Celik (2020)", "88", "Tantrums"),
]


def _row_sizes(document) -> list[int | None]:
    units = study_units(document)
    return [(dict((f, v) for f, v, _, _ in unit.given).get("sample_size") or {}).get("n") for unit in units]


def test_a_jats_table_with_an_empty_corner_cell_keeps_its_columns(tmp_path) -> None:
    from extractor.readers.base import Limits
    from extractor.readers.jats import read

    cells = "".join(
        "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in row) + "</tr>"
        for row, tag in zip(_CORNER_ROWS, ["th", "td", "td", "td"], strict=True)
    )
    xml = tmp_path / "article.nxml"
    xml.write_text(
        '<?xml version="1.0"?><article><front><article-meta><title-group><article-title>Coaching trials'
        "</article-title></title-group></article-meta></front><body><sec><title>Results</title><p>Three trials."
        f"</p><table-wrap><label>Table 1</label><caption><p>RCTs of coaching</p></caption><table>{cells}</table>"
        "</table-wrap></sec></body></article>",
        encoding="utf-8",
    )
    document = next(read(xml, Limits()))
    assert "\n\tN\tOutcome\n" in document.text
    assert _row_sizes(document) == [60, 140, 88]


def test_a_pptx_table_with_an_empty_corner_cell_keeps_its_columns(tmp_path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    from extractor.readers.base import Limits
    from extractor.readers.pptx import read

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide.shapes.add_textbox(Inches(0.5), Inches(0.2), Inches(8), Inches(0.5)).text_frame.text = (
        "Table 1. RCTs of coaching")
    table = slide.shapes.add_table(4, 3, Inches(0.5), Inches(1), Inches(8), Inches(3)).table
    for r, row in enumerate(_CORNER_ROWS):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    path = tmp_path / "deck.pptx"
    deck.save(path)
    document = next(read(path, Limits()))
    assert "\tN\tOutcome\n" in document.text
    assert _row_sizes(document) == [60, 140, 88]


BELOW = (
    "Home visiting for first-time mothers: the trials\n\n"
    "Study\tN\tEffect\n"
    "Moreau (2012)\t310\td = 0.21\n"
    "Petrov (2015)\t96\td = 0.35\n"
    "Quist (2019)\t1,204\td = 0.08\n"
    "Table 1. Randomised controlled trials of nurse home visiting\n\n"
    "Table 2 shows the costs of each programme.\n"
)


def test_a_caption_printed_under_a_table_gives_its_rows_their_design() -> None:
    document = parse_plain_text(BELOW, "doc.txt")
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == ["Moreau (2012)", "Petrov (2015)", "Quist (2019)"]
    assert [_chosen(unit, "design") for unit in units] == [["rct"]] * 3
    [table] = tables.find_tables(BELOW)
    assert table.caption.text == "Table 1. Randomised controlled trials of nurse home visiting"


def test_a_line_under_a_table_that_captions_the_next_table_or_names_one_is_not_its_caption() -> None:
    # the first table has no caption of its own; the caption under it stands over the second table
    text = ("Study\tN\nMoreau (2012)\t310\nPetrov (2015)\t96\n"
            "Table 2. Cohort studies of nurse home visiting\nStudy\tN\nRask (2011)\t540\nSolberg (2017)\t1,020\n")
    first, second = tables.find_tables(text)
    assert first.caption is None and second.caption.text == "Table 2. Cohort studies of nurse home visiting"
    named = "Study\tN\nMoreau (2012)\t310\nPetrov (2015)\t96\nTable 2 shows the costs of each programme.\n"
    assert tables.find_tables(named)[0].caption is None


@pytest.mark.parametrize("repeated", [True, False], ids=["header-repeated", "no-header"])
def test_a_table_continued_under_a_continued_caption_keeps_the_first_parts_caption_and_header(repeated: bool) -> None:
    text = ("Table 3. Randomised controlled trials of nurse home visiting\n"
            "Study\tN\tEffect\nMoreau (2012)\t310\td = 0.21\nPetrov (2015)\t96\td = 0.35\n\n"
            "Page 7 of 12\n\nTable 3 (continued)\n" + ("Study\tN\tEffect\n" if repeated else "")
            + "Quist (2019)\t1,204\td = 0.08\nRask (2021)\t540\td = 0.12\n")
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [unit.label for unit in units] == ["Moreau (2012)", "Petrov (2015)", "Quist (2019)", "Rask (2021)"]
    assert [_chosen(unit, "design") for unit in units] == [["rct"]] * 4
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [310, 96, 1204, 540]


GROUPED_PIPE = """Table 4. Trials of reading programmes

| Study | N | Effect |
|---|---|---|
| Individually randomised | | |
| Larkin (2011) | 212 | d = 0.31 |
| Story (2014) | 1,480 | d = 0.12 |
| Randomised by school | | |
| Word (2019) | 96 | d = 0.40 |
"""
GROUPED_TAB = ("Table 4. Trials of reading programmes\n\nStudy\tN\tEffect\nIndividually randomised\t\t\n"
               "Larkin (2011)\t212\td = 0.31\nStory (2014)\t1,480\td = 0.12\nRandomised by school\t\t\n"
               "Word (2019)\t96\td = 0.40\n")


@pytest.mark.parametrize("text", [GROUPED_PIPE, GROUPED_TAB], ids=["pipe", "tab"])
def test_a_heading_over_a_group_of_rows_is_no_unit_and_does_not_end_the_table(text: str) -> None:
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [unit.label for unit in units] == ["Larkin (2011)", "Story (2014)", "Word (2019)"]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [212, 1480, 96]


DESIGN_GROUPS_PIPE = """Table 5. Randomised controlled trials of reading programmes

| Study | N | Effect |
|---|---|---|
| Cluster-randomised trials | | |
| Larkin (2011) | 212 | d = 0.31 |
| Story (2014) | 1,480 | d = 0.12 |
| Primary school pupils | | |
| Word (2019) | 96 | d = 0.40 |
| Quasi-experimental studies | | |
| Hale (2020) | 150 | d = 0.22 |
"""
DESIGN_GROUPS_TAB = ("Table 5. Randomised controlled trials of reading programmes\n\nStudy\tN\tEffect\n"
                     "Cluster-randomised trials\t\t\nLarkin (2011)\t212\td = 0.31\nStory (2014)\t1,480\td = 0.12\n"
                     "Primary school pupils\t\t\nWord (2019)\t96\td = 0.40\n"
                     "Quasi-experimental studies\t\t\nHale (2020)\t150\td = 0.22\n")
DESIGN_GROUPS_ALIGNED = """Table 5. Randomised controlled trials of reading programmes

Study            N       Effect
Cluster-randomised trials
Larkin (2011)    212     d = 0.31
Story (2014)     1,480   d = 0.12
Primary school pupils
Word (2019)      96      d = 0.40
Quasi-experimental studies
Hale (2020)      150     d = 0.22
"""


@pytest.mark.parametrize("text", [DESIGN_GROUPS_PIPE, DESIGN_GROUPS_TAB, DESIGN_GROUPS_ALIGNED],
                         ids=["pipe", "tab", "aligned"])
def test_a_group_heading_that_states_a_design_gives_it_to_the_rows_under_it(text: str) -> None:
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [unit.label for unit in units] == ["Larkin (2011)", "Story (2014)", "Word (2019)", "Hale (2020)"]
    # the cluster heading overrides the caption's RCTs until the next heading; a heading naming pupils states no
    # design, so the caption's holds under it; the quasi-experimental heading overrides it again
    assert [_chosen(unit, "design") for unit in units] == [
        ["cluster_rct"], ["cluster_rct"], ["rct"], ["non_randomised_trial"]]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [212, 1480, 96, 150]
    table = tables.find_tables(text)[0]
    assert [row.group.text for row in table.rows] == [
        "Cluster-randomised trials", "Cluster-randomised trials", "Primary school pupils", "Quasi-experimental studies"]


def test_group_headings_with_no_caption_design_give_theirs_and_others_leave_rows_without_one() -> None:
    text = ("Table 2. Studies of parent coaching\n\nStudy\tN\n"
            "Individually randomised\t\nAbara (2011)\t60\nBrandt (2014)\t140\n"
            "Randomised by school\t\nCelik (2020)\t72\n"
            "Observational studies\t\nDorn (2018)\t310\n")
    table = tables.find_tables(text)[0]
    assert [tables.row_design(table, row) and tables.row_design(table, row)[0] for row in table.rows] == [
        "rct", "rct", "cluster_rct", None]


@pytest.mark.parametrize(("heading", "design"), [
    ("Cluster randomised trials", "cluster_rct"), ("RCTs", "rct"), ("Individually randomised", "rct"),
    ("Cohort studies", "cohort"), ("Case-control studies", "case_control"), ("Mixed-methods studies", "mixed_methods"),
    ("Ensayos aleatorizados", "rct"), ("Haemoglobin (g/l)", None), ("Preschool children", None),
    ("Observational studies", None),
])
def test_heading_design_reads_the_design_vocabularies(heading: str, design: str | None) -> None:
    assert tables.heading_design(heading) == design


def test_an_aligned_table_runs_on_past_a_group_heading_but_not_past_a_sentence() -> None:
    text = ("Study            N       Effect\nLarkin (2011)    212     d = 0.31\nStory (2014)     1,480   d = 0.12\n"
            "Cohort studies\nWord (2019)      96      d = 0.40\n")
    assert [row.label.text for row in tables.find_tables(text)[0].rows] == ["Larkin (2011)", "Story (2014)",
                                                                            "Word (2019)"]
    ended = text.replace("Cohort studies", "All three trials were small.")
    assert [row.label.text for row in tables.find_tables(ended)[0].rows] == ["Larkin (2011)", "Story (2014)"]


def test_a_spanish_table_continued_keeps_its_design_as_a_pdf_part_would() -> None:
    # one "(continued)" wording for the PDF reader and the text tables (textlayer.continues)
    from extractor.textlayer import continues, table_number

    assert table_number("  Tabla iv. Ensayos") == "IV" and table_number("Table shows") is None
    assert continues("Tabla 3 (continuación)") and continues("Table 2. Cont'd") and continues("Table 2 (cont.)")
    assert not continues("Table 4 continues the trend of Table 3")
    text = ("Tabla 3. Ensayos aleatorizados de visitas domiciliarias\nEstudio\tN\nMoreau (2012)\t310\nPetrov (2015)\t96\n\n"
            "Tabla 3 (continuación)\nEstudio\tN\nQuist (2019)\t1,204\nRask (2021)\t540\n")
    second = tables.find_tables(text)[1]
    assert [tables.row_design(second, row)[0] for row in second.rows] == ["rct", "rct"]


def test_a_caption_naming_two_designs_gives_none_and_the_group_headings_say_which() -> None:
    assert tables.caption_design("Table 2. RCTs and cohort studies of home visiting") is None
    assert tables.caption_design("Table 2. Cluster RCTs of home visiting") == "cluster_rct"
    assert tables.caption_design("Table 2. Non-randomised controlled trials") == "non_randomised_trial"
    text = ("Table 2. RCTs and observational studies of home visiting\n\nStudy\tN\n"
            "Randomised controlled trials\t\nAbara (2011)\t60\nBrandt (2014)\t140\n"
            "Observational studies\t\nCelik (2020)\t72\nDorn (2018)\t310\n")
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)", "Dorn (2018)"]
    # the observational rows are not given the caption's RCTs
    assert [_chosen(unit, "design")[:1] != ["rct"] for unit in units] == [False, False, True, True]
    table = tables.find_tables(text)[0]
    assert [(tables.row_design(table, row) or (None,))[0] for row in table.rows] == ["rct", "rct", None, None]


def test_rows_of_a_table_read_by_their_citations_take_the_design_of_the_heading_over_their_group() -> None:
    # a header written with single spaces: no delimited table, the rows are found by the citations opening them
    text = ("Table 3. Trials of parent training for toddler sleep\n"
            "Author (year) Country N Outcome\n"
            "Cluster randomised trials\n"
            "Abara et al. (2011) England 120 ECBI\n"
            "Brandt et al. (2014) Norway 340 SDQ\n"
            "Individually randomised trials\n"
            "Celik et al. (2020) Turkey 88 ECBI\n"
            "Dorn et al. (2021) Austria 64 SDQ\n")
    assert tables.find_tables(text) == []
    ranges = study_units(parse_plain_text(text, "doc.txt"))
    # the second group's heading is not left at the end of the row above it, where its cue would be that row's
    assert [text[unit.start : unit.end] for unit in ranges][1] == "Brandt et al. (2014) Norway 340 SDQ"
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [(unit.label, _chosen(unit, "design")) for unit in units] == [
        ("Abara et al. (2011)", ["cluster_rct"]), ("Brandt et al. (2014)", ["cluster_rct"]),
        ("Celik et al. (2020)", ["rct"]), ("Dorn et al. (2021)", ["rct"])]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [120, 340, 88, 64]


@pytest.mark.parametrize(("line", "read"), [
    ("Cluster randomised trials", ("cluster_rct",)), ("Observational studies", (None,)), ("RCTs", ("rct",)),
    ("Abara et al. (2011) England 120 ECBI", None), ("Randomised controlled trials were pooled.", None),
    ("Preschool children", None),
])
def test_group_heading_design_reads_plural_design_lines_only(line: str, read: tuple | None) -> None:
    assert tables.group_heading_design(line) == read
