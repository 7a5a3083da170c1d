"""The rows of a table of studies carry their own sample size, outcomes and effects, read from the columns
their header names, in every layout: delimited (pipe, tab), aligned, run-together, and headers written with
single spaces over rows whose cells run over several lines. All text here is written for these tests."""

from __future__ import annotations

import pytest

from extractor.extract.document import extract_document
from extractor.extract.effects.tables import table_estimates
from extractor.extract.units import tables
from extractor.extract.units.segment import study_units
from extractor.readers.text import parse_plain_text

DOMAINS = ["Sleep", "Feeding Practices", "Maternal Mood"]
ROWS = [
    ("Cradle Talk", ["2/4", "Not measured", "1/3"]),
    ("Nest Visits", ["Not measured", "0/2", "Not assessed"]),
    ("Morning Star Homes", ["1/1", "3/5", "2/2"]),
    ("Little Lanterns", ["Not measured", "Not measured", "0/6"]),
]
EXPECTED = [["Sleep", "Maternal Mood"], ["Feeding Practices"], DOMAINS, ["Maternal Mood"]]
CAPTION = "Table 5. Favourable impacts of the home visiting programmes by outcome domain\n\n"


def _pipe() -> str:
    lines = ["| Programme | " + " | ".join(DOMAINS) + " |", "|---|---|---|---|"]
    lines += ["| " + " | ".join([name, *cells]) + " |" for name, cells in ROWS]
    return CAPTION + "\n".join(lines) + "\n"


def _tab() -> str:
    lines = ["\t".join(["Programme", *DOMAINS])] + ["\t".join([name, *cells]) for name, cells in ROWS]
    return CAPTION + "\n".join(lines) + "\n"


def _aligned() -> str:
    widths = [22, 16, 20, 16]
    lines = ["".join(cell.ljust(width) for cell, width in zip(["Programme", *DOMAINS], widths, strict=True)).rstrip()]
    lines += ["".join(cell.ljust(width) for cell, width in zip([name, *cells], widths, strict=True)).rstrip()
              for name, cells in ROWS]
    return CAPTION + "\n".join(lines) + "\n"


def _run_together() -> str:
    lines = ["Outcome", "".join(DOMAINS)] + ["".join([name, *cells]) for name, cells in ROWS]
    return CAPTION + "\n".join(lines) + "\n"


def _given(text: str, field: str) -> list[list]:
    return [[value for name, value, _, _ in unit.given if name == field]
            for unit in study_units(parse_plain_text(text, "doc.txt"))]


def _chosen(unit, field: str) -> list:
    return [value.value for value in unit.values if value.field == field and value.chosen]


@pytest.mark.parametrize("layout", [_pipe, _tab, _aligned, _run_together], ids=["pipe", "tab", "aligned", "run-together"])
def test_each_row_takes_as_outcomes_the_domains_it_measured(layout) -> None:
    text = layout()
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [unit.label for unit in units] == [name for name, _ in ROWS]
    assert [_chosen(unit, "outcome") for unit in units] == EXPECTED


def test_domain_cells_marked_with_ticks_name_the_measured_domains() -> None:
    text = CAPTION + (
        "| Programme | Sleep | Feeding Practices | Maternal Mood |\n|---|---|---|---|\n"
        "| Cradle Talk | ✓ |  | ✓ |\n| Nest Visits |  | ✓ |  |\n| Morning Star Homes | ✓ | ✓ | ✓ |\n"
    )
    assert _given(text, "outcome") == [["Sleep", "Maternal Mood"], ["Feeding Practices"], DOMAINS]


def test_numeric_columns_that_never_say_not_measured_are_no_domains() -> None:
    # arms of a trial, not outcome domains: every cell is a number
    text = CAPTION + (
        "| Programme | Intervention | Control |\n|---|---|---|\n"
        "| Cradle Talk | 2/4 | 1/4 |\n| Nest Visits | 3/9 | 2/9 |\n| Morning Star Homes | 5/7 | 1/7 |\n"
    )
    assert _given(text, "outcome") == [[], [], []]


def test_a_run_together_header_is_split_where_a_lower_case_letter_meets_a_capital() -> None:
    cells = tables.split_run_together(10, "Sleep ProblemsFeeding Practices(Any)Maternal Mood")
    assert [cell.text for cell in cells] == ["Sleep Problems", "Feeding Practices(Any)", "Maternal Mood"]
    assert cells[1].start == 10 + len("Sleep Problems")


def test_a_run_together_header_that_does_not_match_the_rows_gives_no_columns() -> None:
    # two header cells over three value cells: the split is not trusted
    text = _run_together().replace("".join(DOMAINS), "Sleep and FeedingMaternal Mood")
    found = [table for table in tables.find_tables(text) if table.layout == "run_together"]
    assert len(found) == 1 and found[0].column("outcome") is None and tables.domain_columns(found[0]) == []
    assert _given(text, "outcome") == [[], [], [], []]


SPACED = """Table 1 Anxiety programmes for children compared with control groups

Author (year) Country Sample (age) N No. of sessions time Randomization Instruments Pre M (SD) Post M (SD) Pre-post ES
Okafor and Lind (2004) NZ 8–11 year
M = 9.6
412 9 + 2 s
45 min
Randomized by class CAST I 21.40 (11.20)
C 22.05 (10.90)
I 15.10 (9.80)
C 20.30 (11.40)
I 0.58
C 0.16
Varga et al. (2007) CAN 12–14 year 230 10 s
Randomized by school RCADS I 30.12 (14.02)
C 29.80 (13.55)
I 24.70 (12.10)
C 28.95 (13.00)
I 0.41
C 0.06
Mensah, Oduya and Bell (2010) GHA 9–12 year, 13–15 year 1,050 12 s
60 min
Not randomized CAST I 19.85 (9.40)
C 18.90 (8.75)
I 13.20 (8.05)
C 17.95 (9.10)
I 0.73
C 0.10
"""


def test_a_header_written_with_single_spaces_names_its_columns() -> None:
    line = SPACED.splitlines()[2]
    cells, roles = tables.spaced_header(0, line)
    named = {cell.text: role for cell, role in zip(cells, roles, strict=True)}
    assert named["Author (year)"] == {"study"} and named["N"] == {"n"} and named["Instruments"] == {"outcome"}
    assert named["Pre-post ES"] == {"measure:ES"}
    assert tables.spaced_header(0, "Outcome Effect Sample Timing of Follow-Up Sample Size Program Group") is not None


@pytest.mark.parametrize("line", [
    "The sample size of the intervention group was small in the country.",
    "Children in the programme reported fewer worries at follow-up",
    "Mean Age (SD) %",
    "Positive parenting programmes for families",
])
def test_prose_and_short_lines_are_not_headers(line: str) -> None:
    assert tables.spaced_header(0, line) is None


def test_rows_under_a_spaced_header_take_their_n_and_instrument() -> None:
    units = study_units(parse_plain_text(SPACED, "doc.txt"))
    assert [unit.label for unit in units] == ["Okafor and Lind (2004)", "Varga et al. (2007)",
                                              "Mensah, Oduya and Bell (2010)"]
    sizes = _given(SPACED, "sample_size")
    assert [size[0]["n"] for size in sizes] == [412, 230, 1050]
    assert [size[0]["unit"] for size in sizes] == ["children"] * 3  # the caption names whom it counts
    assert _given(SPACED, "outcome") == [["CAST"], ["RCADS"], ["CAST"]]


def test_trailing_effect_size_columns_are_read_after_the_last_mean_and_sd() -> None:
    units = extract_document(parse_plain_text(SPACED, "doc.txt"), use_models=False)
    assert [[(e["measure"], e["value"], e.get("outcome")) for e in _chosen(unit, "effect")] for unit in units] == [
        [("ES", 0.58, "CAST"), ("ES", 0.16, "CAST")],
        [("ES", 0.41, "RCADS"), ("ES", 0.06, "RCADS")],
        [("ES", 0.73, "CAST"), ("ES", 0.1, "CAST")],
    ]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [412, 230, 1050]


def test_without_means_and_sds_no_trailing_number_is_an_effect() -> None:
    text = SPACED.replace("Pre M (SD) Post M (SD) ", "")
    for line in ("21.40 (11.20)", "22.05 (10.90)", "15.10 (9.80)", "20.30 (11.40)"):
        text = text.replace(line, "")
    assert table_estimates(text, text.index("Okafor"), len(text)) == []


@pytest.mark.parametrize("separator", ["\t", " | "], ids=["tab", "pipe"])
def test_a_delimited_table_of_studies_gives_its_effect_size_columns(separator: str) -> None:
    # the tab rows JATS, PPTX, XLSX and PDF table readers write, and pipe-flattened HTML
    rows = [["Author (year)", "N", "Instrument", "Pre-post ES", "Pre-FU ES"],
            ["Okafor and Lind (2004)", "412", "CAST", "0.58", "0.44"],
            ["Varga et al. (2007)", "230", "RCADS", "0.41", ""],
            ["Mensah (2010)", "1,050", "CAST", "0.73", "0.69"]]
    text = "Table 2. Trials\n\n" + "\n".join(separator.join(row) for row in rows) + "\n"
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [412, 230, 1050]
    assert [_chosen(unit, "outcome") for unit in units] == [["CAST"], ["RCADS"], ["CAST"]]
    assert [[(e["value"], e["outcome"]) for e in _chosen(unit, "effect")] for unit in units] == [
        [(0.58, "CAST"), (0.44, "CAST")], [(0.41, "RCADS")], [(0.73, "CAST"), (0.69, "CAST")]]


def test_a_spreadsheet_table_of_studies_reads_its_domain_columns(tmp_path) -> None:
    import openpyxl

    from extractor.readers import read_path

    # (the reader takes a spreadsheet as a table of studies when a second column has a role: here N)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Programme", "N", *DOMAINS])
    for number, (name, cells) in enumerate(ROWS):
        workbook.active.append([name, 100 + number, *cells])
    path = tmp_path / "programmes.xlsx"
    workbook.save(path)
    units = extract_document(list(read_path(path))[0], use_models=False)
    assert [unit.label for unit in units] == [name for name, _ in ROWS]
    assert [_chosen(unit, "outcome") for unit in units] == EXPECTED
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [100, 101, 102, 103]


def test_a_header_cell_never_becomes_an_outcome() -> None:
    text = (
        "Programme evidence page\n\n"
        "Smith, A. (2012). Home visits and school outcomes of children. Journal of Trials, 3, 1-9.\n"
        "Outcome Effect Sample Timing of Follow-Up Sample Size Program Group Comparison Group Mean Difference\n"
        "Statistical Significance\n"
        "Outcome Type\n"
        "Reading score No Effect Visited vs. comparison 9-year follow-up 210 children 51.2 50.8 Diff = 0.4\n"
    )
    document = parse_plain_text(text, "doc.txt")
    spans = tables.header_spans(document.text)
    assert len(spans) == 3
    for unit in extract_document(document, use_models=False):
        for value in unit.values:
            if value.field == "outcome":
                assert not any(value.start < end and start < value.end for start, end in spans), value.value


def test_outcomes_glued_to_their_p_values_in_a_row() -> None:
    text = "Dunmore, K 201112GoodN = 40\nSCS-Rp <0.01QoLp <0.001\nWorriesp =0.04\n"
    assert [cell.text for cell in tables.p_value_outcomes(text, 0, len(text))] == ["SCS-R", "QoL", "Worries"]
    assert tables.p_value_outcomes("The groups differed, p <0.01, at follow-up", 0, 40) == []


def test_a_phrase_run_across_a_cell_boundary_is_not_an_outcome() -> None:
    from extractor.extract.outcomes.phrases import RUN_TOGETHER

    assert RUN_TOGETHER.search("self controlImproved measures of stress")
    assert not RUN_TOGETHER.search("PedsQL total score")
    assert not RUN_TOGETHER.search("eHealth literacy")
    assert not RUN_TOGETHER.search("DeltaMed recording")  # a brand name in one word


def test_the_design_column_of_a_spaced_header_gives_each_row_its_design() -> None:
    units = extract_document(parse_plain_text(SPACED, "doc.txt"), use_models=False)
    assert [_chosen(unit, "design") for unit in units] == [["cluster_rct"], ["cluster_rct"], ["non_randomised_trial"]]


@pytest.mark.parametrize(("cell", "design"), [
    ("Randomised by school", "cluster_rct"),
    ("Randomized block design (by classroom)", "cluster_rct"),
    ("cluster randomised trial", "cluster_rct"),
    ("Randomised", "rct"),
    ("Block design (randomization not specified)", "non_randomised_trial"),
    ("quasi-experimental", "non_randomised_trial"),
    ("Prospective cohort", "cohort"),
    ("Pre-post, one group", None),
])
def test_design_cells(cell: str, design: str | None) -> None:
    assert tables.cell_design(cell) == design


def test_a_rows_design_cell_outranks_a_cue_elsewhere_in_its_row() -> None:
    text = CAPTION + (
        "| Study | Design | N | Note |\n|---|---|---|---|\n"
        "| Abara (2011) | Randomised by school | 60 | pupils were randomised |\n"
        "| Brandt (2014) | RCT | 140 | individually randomised trial |\n"
        "| Celik (2020) | Block design (randomization not specified) | 88 | randomised controlled trial |\n"
    )
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    # (the note's "randomised controlled trial" alone would make Celik an rct)
    assert [_chosen(unit, "design") for unit in units] == [["cluster_rct"], ["rct"], ["non_randomised_trial"]]


EVIDENCE_PAGE = """Programme evidence review

Ruiz, M., Ng, P., & Cole, T. (2015). Home visiting and reading at age nine: a randomized trial. Journal of Early Years, 4(2), 1-12.
Study effects
Outcome Effect Sample Timing of Follow-Up Sample Size Program Group Comparison Group Mean Difference or Odds Ratio
Statistical Significance
Effect Size
Reading fluency score No Effect Visited vs. comparison 9-year follow-up 180 children 41.2 40.1 Diff = 1.1 Not significant, p > 0.05 Review = 0.08
Reading fluency score No Effect Visited vs. usual care 9-year follow-up 176 children 42.0 40.1 Diff = 1.9 Not significant, p > 0.05 Review = 0.14
Measures
Outcome Description of Measure Data Collection Method
Reading fluency score Words read correctly in one minute Direct assessment

Ostrova, L. (2018). Parent coaching and school attendance. Unpublished report.
Study effects
Outcome Effect Sample Timing of Follow-Up Sample Size Program Group Comparison Group Odds Ratio
Effect Size
Days absent No Effect Coached vs. comparison 1-year follow-up 95 children 6.1 6.8 OR = 0.91 Not significant Review = -0.05
"""


def test_labelled_values_fill_the_measure_columns_of_a_spaced_header_in_order() -> None:
    units = extract_document(parse_plain_text(EVIDENCE_PAGE, "doc.txt"), use_models=False)
    assert [unit.label for unit in units] == ["Ruiz et al. (2015)", "Ostrova (2018)"]
    effects = [[(e["measure"], e["value"], e.get("outcome")) for e in _chosen(unit, "effect")] for unit in units]
    outcome = "Reading fluency score"
    assert effects[0] == [("MD", 1.1, outcome), ("ES", 0.08, outcome), ("MD", 1.9, outcome), ("ES", 0.14, outcome)]
    # the label names its measure; the row has no second table to show where its first cell ends
    assert [(measure, value) for measure, value, _ in effects[1]] == [("OR", 0.91), ("ES", -0.05)]
    assert _chosen(units[0], "outcome")[:1] == [outcome]


def test_a_first_cell_outcome_needs_a_second_table_that_names_it() -> None:
    text = EVIDENCE_PAGE
    found = [cell.text for _, cell in tables.first_cell_outcomes(text, 0, len(text))]
    assert found == ["Reading fluency score"] * 3
    alone = text[text.index("Ostrova"):]
    assert tables.first_cell_outcomes(alone, 0, len(alone)) == []


def test_only_header_cells_made_of_header_wordings_are_kept_from_outcomes() -> None:
    # "Change in night wakings" says what its column measures; "Arm" and "N" only name columns
    text = "Results\nArm\tN\tChange in night wakings\nCoaching\t40\t-2.1\nLeaflet\t41\t-0.9\n"
    kept = [text[start:end] for start, end in tables.header_spans(text)]
    assert kept == ["Arm", "N"]


def test_a_jats_table_of_studies_gives_its_rows_domains_and_effect_sizes(tmp_path) -> None:
    from extractor.readers.base import Limits
    from extractor.readers.jats import read

    body = "".join(
        f"<tr><td>{name}</td><td>{100 + number}</td><td>0.{number + 2}0</td>"
        + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        for number, (name, cells) in enumerate(ROWS)
    )
    head = "<tr><th>Programme</th><th>N</th><th>Hedges' g</th>" + "".join(f"<th>{d}</th>" for d in DOMAINS) + "</tr>"
    xml = tmp_path / "article.nxml"
    xml.write_text(
        '<?xml version="1.0"?>\n<article><front><article-meta><title-group><article-title>A review of home '
        "visiting</article-title></title-group></article-meta></front><body><sec><title>Results</title>"
        "<p>Four programmes were reviewed.</p><table-wrap><label>Table 1</label><caption><p>Programmes reviewed"
        f"</p></caption><table>{head}{body}</table></table-wrap></sec></body></article>",
        encoding="utf-8",
    )
    units = extract_document(next(read(xml, Limits())), use_models=False)
    assert [unit.label for unit in units] == [name for name, _ in ROWS]
    assert [_chosen(unit, "outcome") for unit in units] == EXPECTED
    assert [[(e["measure"], e["value"]) for e in _chosen(unit, "effect")] for unit in units] == [
        [("g", 0.2)], [("g", 0.3)], [("g", 0.4)], [("g", 0.5)]]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [100, 101, 102, 103]


def test_single_line_rows_under_a_spaced_header_with_a_named_effect_measure() -> None:
    text = (
        "Table 3. School-based anxiety programmes for adolescents\n\n"
        "Study Year Country N Measure Baseline M (SD) Post M (SD) Cohen's d\n"
        "Adeyemi et al. (2012) 2012 NGA 356 SCARED 24.1 (8.2) 19.5 (7.9) 0.41\n"
        "Brodsky (2016) 2016 USA 1,204 MASC 40.2 (12.0) 37.9 (11.5) 0.19\n"
        "Castellanos and Ruiz (2019) 2019 ESP 88 SCAS 30.5 (10.1) 22.0 (9.4) 0.62\n"
    )
    units = extract_document(parse_plain_text(text, "doc.txt"), use_models=False)
    assert [_chosen(unit, "sample_size") for unit in units] == [
        [{"n": 356, "unit": "adolescents"}], [{"n": 1204, "unit": "adolescents"}], [{"n": 88, "unit": "adolescents"}]]
    assert [_chosen(unit, "outcome") for unit in units] == [["SCARED"], ["MASC"], ["SCAS"]]
    assert [[(e["measure"], e["value"]) for e in _chosen(unit, "effect")] for unit in units] == [
        [("d", 0.41)], [("d", 0.19)], [("d", 0.62)]]
