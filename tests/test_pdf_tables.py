"""PDF tables printed without vertical rules (booktabs, or no rules at all), read under their caption into rows,
and the prose and two-column pages that must not be taken for tables. The PDFs are written by the tests
(tests/pdf_pages.py); the shared articles are counted in tests/test_reader_pdf.py's files when present."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_pages import Rule, Text, page_pdf, pages_pdf, prose_lines, table_rows, text_width

from conftest import SHARED
from extractor.extract.document import extract_document
from extractor.readers import pdf_tables
from extractor.readers.base import Limits
from extractor.readers.pdf import read_pdf

TITLE = Text(50, 750, "Parent training for toddlers with sleep problems: a review", 14)
PROSE = [
    "We searched five databases for trials of parent training in the first three",
    "years of life and found three that reported sleep outcomes for the children.",
    "Their characteristics and results are set out below for each trial in turn.",
]
CAPTION = "Table 1. Randomised controlled trials of parent training for toddler sleep"
ROWS = [
    ["Study", "N", "Outcome", "Effect"],
    ["Abara (2011)", "60", "night waking", "d = 0.30"],
    ["Brandt (2014)", "140", "settling time", "d = 0.12"],
    ["Celik (2020)", "88", "night waking", "d = 0.25"],
]
XS = [50, 200, 260, 400]
AFTER = [
    "All three trials were small, and none blinded the parents who kept the sleep",
    "diaries, so the effects above are likely to be larger than the true ones.",
]


def _article(rules: list[Rule]) -> bytes:
    texts = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 670, CAPTION, 10), *table_rows(XS, 645, ROWS)]
    texts += prose_lines(50, 570, AFTER)
    return page_pdf(texts, rules)


BOOKTABS = [Rule(50, 658, 480, 658), Rule(50, 640, 480, 640), Rule(50, 598, 480, 598)]


def _chosen(unit, field: str) -> list:
    return [value.value for value in unit.values if value.field == field and value.chosen]


@pytest.mark.parametrize("rules", [BOOKTABS, []], ids=["booktabs", "no-rules"])
def test_a_table_without_vertical_rules_is_read_as_rows_under_its_caption(tmp_path: Path, rules) -> None:
    path = tmp_path / "review.pdf"
    path.write_bytes(_article(rules))
    document = read_pdf(path, Limits())
    assert "Study\tN\tOutcome\tEffect\nAbara (2011)\t60\tnight waking\td = 0.30\n" in document.text
    # the rows are read once, as the table; the prose after the table stays running text
    assert document.text.count("Brandt (2014)") == 1
    assert "none blinded the parents who kept the sleep diaries" in document.text
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)"]
    assert [_chosen(unit, "design") for unit in units] == [["rct"]] * 3
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [60, 140, 88]


LEFT = [
    "Parents kept sleep diaries for two weeks before",
    "the first session and again at the end of the",
    "programme, and a research nurse visited each",
    "family at home to go through the diaries with",
    "them. Nurses were trained for two days before",
    "the trial began and met monthly to keep their",
    "visits alike across the three regional sites.",
]
RIGHT = [
    "Children slept longer after the programme in",
    "every trial, though the gain was small in the",
    "largest one, where many families had already",
    "sought help from their doctor before the trial",
    "started and so had less room to improve. The",
    "settling time fell most in the smallest trial,",
    "which enrolled only the most disturbed sleepers",
    "and so was most likely to see a large change.",
    "Whether the gains lasted beyond six months is",
    "not known, since no trial followed children up",
    "for longer than that after the last session.",
]


def _two_columns(caption: str | None, below: bool = False) -> bytes:
    """A two-column page: prose down both columns; under the left column's prose, a table of its own width when
    a caption is given (over the table, or ``below`` it), with the right column's prose running on level with
    its rows."""
    texts = [TITLE, *prose_lines(50, 720, LEFT), *prose_lines(320, 720, RIGHT)]
    if caption is not None:
        texts.append(Text(50, 562 if below else 620, caption, 9))
        texts += table_rows([50, 130, 170], 620 if below else 600,
                            [["Study", "N", "Effect"], ["Abara (2011)", "60", "d = 0.30"],
                             ["Brandt (2014)", "140", "d = 0.12"], ["Celik (2020)", "88", "d = 0.25"]])
    return page_pdf(texts)


@pytest.mark.parametrize("below", [False, True], ids=["caption-over", "caption-under"])
def test_a_table_in_one_column_leaves_the_other_columns_prose_alone(tmp_path: Path, below: bool) -> None:
    path = tmp_path / "columns.pdf"
    path.write_bytes(_two_columns("Table 2. Trials of home visiting", below))
    document = read_pdf(path, Limits())
    assert "Study\tN\tEffect\nAbara (2011)\t60\td = 0.30\nBrandt (2014)\t140\td = 0.12" in document.text
    # the right column's lines level with the table's rows stay in its running text, in order
    assert "which enrolled only the most disturbed sleepers and so was most likely" in document.text
    assert "Study" not in document.text.split("Table 2. Trials of home visiting")[0]


def test_a_two_column_page_without_a_caption_has_no_table(tmp_path: Path) -> None:
    path = tmp_path / "prose.pdf"
    path.write_bytes(_two_columns(None))
    document = read_pdf(path, Limits())
    assert "\t" not in document.text
    assert "visits alike across the three regional sites." in document.text


@pytest.mark.parametrize(
    "lines",
    [
        # a sentence that opens a line with "Table 2" names a table; it is not its caption
        ["Table 2 shows the trials by the age of the children, with the oldest trial first",
         "and the most recent last, so that changes in the programmes over time can be",
         "followed from one row to the next by anyone reading the review in full."],
        # a caption over a table printed as a picture: the text under it is prose
        ["Table 3. Sleep outcomes of the trials (shown as an image in the source)",
         "The trials measured sleep in different ways: two used parents' diaries and one",
         "used actigraphy, which records the child's movement through the night and is",
         "less open to the parents' hopes for the programme than a diary would be."],
    ],
    ids=["sentence-naming-a-table", "caption-over-prose"],
)
def test_prose_under_a_table_word_is_no_table(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "prose.pdf"
    path.write_bytes(page_pdf([TITLE, *prose_lines(50, 720, PROSE), *prose_lines(50, 670, lines)]))
    document = read_pdf(path, Limits())
    assert "\t" not in document.text


JUSTIFIED = [
    "Nurses visited every family at home twice",
    "before the birth and monthly after it, and",
    "mothers could phone them between visits",
    "with any worry about feeding or sleep. The",
    "control group had the usual health visitor",
    "checks, which in most regions meant three",
    "visits in the first year and no phone line.",
]


def _justified(x0: float, x1: float, top: float, lines: list[str]) -> list[Text]:
    """Lines spread to the column's width, as justified text in a narrow column is: wide, uneven spaces."""
    texts = []
    for index, line in enumerate(lines):
        words = line.split()
        widths = [6.0 * len(word) for word in words]  # wider than Helvetica's glyphs: words never overlap
        space = (x1 - x0 - sum(widths)) / (len(words) - 1)
        x = x0
        for word, width in zip(words, widths, strict=True):
            texts.append(Text(x, top - 13 * index, word, 10))
            x += width + space
    return texts


def test_justified_prose_with_wide_spaces_under_a_caption_is_no_table(tmp_path: Path) -> None:
    path = tmp_path / "justified.pdf"
    path.write_bytes(page_pdf([TITLE, Text(50, 700, "Table 4. Visits", 9), *_justified(50, 330, 680, JUSTIFIED)]))
    document = read_pdf(path, Limits())
    assert "\t" not in document.text


def test_cells_set_closer_than_an_em_are_cut_at_the_column_edges() -> None:
    from extractor.readers.pdf_layout import Word

    def word(text: str, x0: float) -> Word:
        return Word(text, x0, x0 + 5 * len(text), 0, 9, 9.0, "Helvetica")

    # "No (%)" sits 5 points after "Yes (%)": one cell on that row, two columns by the rows under it
    cell = [word("Yes", 100), word("(%)", 118), word("No", 140), word("(%)", 153)]
    assert [[w.text for w in piece] for piece in pdf_tables._pieces(cell, [135.0])] == [["Yes", "(%)"], ["No", "(%)"]]
    # a label whose words run on with ordinary spaces across an edge stays whole
    label = [word("Number", 50), word("of", 82), word("events", 94)]
    assert len(pdf_tables._pieces(label, [90.0])) == 1


def test_a_caption_printed_under_its_table_takes_the_rows_above_it(tmp_path: Path) -> None:
    # the rows first, then "Table 1. ..." (wrapped over two lines) under them, then the running text
    texts = [TITLE, *prose_lines(50, 720, PROSE), *table_rows(XS, 670, ROWS)]
    texts += [Text(50, 610, "Table 1. Randomised controlled trials of parent training for toddler sleep, with", 10),
              Text(50, 598, "the number randomised and the effect on each trial's main sleep outcome", 10)]
    texts += prose_lines(50, 570, AFTER)
    path = tmp_path / "below.pdf"
    path.write_bytes(page_pdf(texts))
    document = read_pdf(path, Limits())
    caption = ("Table 1. Randomised controlled trials of parent training for toddler sleep, with the number "
               "randomised and the effect on each trial's main sleep outcome")
    assert f"{caption}\nStudy\tN\tOutcome\tEffect\nAbara (2011)\t60\tnight waking\td = 0.30\n" in document.text
    assert document.text.count("Brandt (2014)") == 1
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)"]
    assert [_chosen(unit, "design") for unit in units] == [["rct"]] * 3


def test_a_running_head_in_smaller_print_over_a_table_at_the_top_of_a_page_is_no_header(tmp_path: Path) -> None:
    # page 2 opens with the journal's running head (7 points, its page number at the right) a few points over a
    # table (9 points) whose caption is printed under it: the head is not taken for the table's header row
    def head(number: int) -> list[Text]:
        return [Text(50, 772, "Journal of Family Sleep Research", 7), Text(420, 772, str(number), 7)]

    first = [*head(1), TITLE, *prose_lines(50, 720, PROSE)]
    second = [*head(2), *table_rows(XS, 755, ROWS), Text(50, 695, "Table 1. RCTs of parent training", 10),
              *prose_lines(50, 670, AFTER)]
    path = tmp_path / "head.pdf"
    path.write_bytes(pages_pdf([(first, []), (second, [])]))
    document = read_pdf(path, Limits())
    assert "Table 1. RCTs of parent training\nStudy\tN\tOutcome\tEffect\nAbara (2011)\t60\t" in document.text
    assert "Journal of Family Sleep Research\t" not in document.text
    units = extract_document(document, use_models=False)
    assert [(unit.label, _chosen(unit, "design")) for unit in units] == [
        ("Abara (2011)", ["rct"]), ("Brandt (2014)", ["rct"]), ("Celik (2020)", ["rct"])]


def test_a_header_in_larger_print_at_the_top_of_a_page_stays_the_header(tmp_path: Path) -> None:
    # the header (11 points) set at the rows' pitch over rows of 9 points, first on its page: not a running head
    texts = [Text(x, 755, cell, 11) for x, cell in zip(XS, ROWS[0], strict=True)]
    texts += table_rows(XS, 742, ROWS[1:])
    texts += [Text(50, 690, "Table 1. RCTs of parent training", 10), *prose_lines(50, 665, AFTER)]
    path = tmp_path / "large-header.pdf"
    path.write_bytes(pages_pdf([([TITLE, *prose_lines(50, 720, PROSE)], []), (texts, [])]))
    assert "Table 1. RCTs of parent training\nStudy\tN\tOutcome\tEffect\n" in read_pdf(path, Limits()).text


def test_a_caption_under_prose_takes_no_rows_from_above(tmp_path: Path) -> None:
    # a caption over nothing readable (a picture), prose above it: no table either way
    texts = [TITLE, *prose_lines(50, 720, PROSE + AFTER), Text(50, 640, "Table 3. Sleep outcomes of the trials", 10)]
    path = tmp_path / "picture.pdf"
    path.write_bytes(page_pdf(texts))
    assert "\t" not in read_pdf(path, Limits()).text


FIRST_PART = [["Study", "N", "Effect"], ["Abara (2011)", "60", "d = 0.30"], ["Brandt (2014)", "140", "d = 0.12"],
              ["Celik (2020)", "88", "d = 0.25"]]
SECOND_PART = [["Dunn (2016)", "52", "d = 0.41"], ["Eze (2019)", "210", "d = 0.09"], ["Falk (2021)", "75", "d = 0.22"]]


@pytest.mark.parametrize("header", [True, False], ids=["header-repeated", "no-header"])
def test_a_table_continued_on_the_next_page_is_read_as_one(tmp_path: Path, header: bool) -> None:
    first = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 200, "Table 1. Randomised trials of parent training", 10)]
    first += table_rows([50, 200, 260], 175, FIRST_PART)
    second = [Text(50, 740, "Table 1. (Continued)", 10)]
    second += table_rows([50, 200, 260], 715, [FIRST_PART[0], *SECOND_PART] if header else SECOND_PART)
    second += prose_lines(50, 620, AFTER)
    path = tmp_path / "continued.pdf"
    path.write_bytes(pages_pdf([(first, []), (second, [])]))
    document = read_pdf(path, Limits())
    body = "\n".join("\t".join(row) for row in [*FIRST_PART, *SECOND_PART])
    assert f"Table 1. Randomised trials of parent training\n{body}" in document.text
    assert document.text.count("Eze (2019)") == 1 and document.text.count("Study\tN\tEffect") == 1
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == [row[0] for row in [*FIRST_PART[1:], *SECOND_PART]]
    assert [_chosen(unit, "design") for unit in units] == [["rct"]] * 6


def test_the_rest_of_a_table_of_wrapped_text_is_read_under_its_continued_caption(tmp_path: Path) -> None:
    # on the second page most lines hold one cell (the findings wrap over three lines): too few rows of two or
    # more cells for a table of its own, enough for the rest of one whose caption says it continues
    first = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 200, "Table 1. Randomised trials of parent training", 10)]
    first += table_rows([50, 200, 260], 175, [["Study", "N", "Findings"], ["Abara (2011)", "60", "Fewer night wakings"],
                                              ["Brandt (2014)", "140", "No change in sleep"],
                                              ["Celik (2020)", "88", "Shorter settling time"]])
    rest = [["Dunn (2016)", "52", "Fewer night wakings at"], ["", "", "six months; no change"],
            ["", "", "in settling time"], ["Eze (2019)", "210", "Longer night sleep"],
            ["", "", "at twelve months, kept"], ["", "", "at two years"]]
    second = [Text(50, 740, "Table 1 (continued)", 10), *table_rows([50, 200, 260], 715, rest)]
    second += prose_lines(50, 620, AFTER)
    path = tmp_path / "wrapped-continued.pdf"
    path.write_bytes(pages_pdf([(first, []), (second, [])]))
    document = read_pdf(path, Limits())
    assert "Celik (2020)\t88\tShorter settling time\nDunn (2016)\t52\tFewer night wakings at" in document.text
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)", "Dunn (2016)",
                                              "Eze (2019)"]
    assert [_chosen(unit, "sample_size")[0]["n"] for unit in units] == [60, 140, 88, 52, 210]


def _grid(xs: list[float], top: float, count: int, pitch: float = 13.0) -> list[Rule]:
    """The rules of a ruled table of ``count`` rows: one under every row and one over the first, and a rule down
    every column edge."""
    ys = [top + 10 - pitch * index for index in range(count + 1)]
    return [*(Rule(xs[0], y, xs[-1], y) for y in ys), *(Rule(x, ys[-1], x, ys[0]) for x in xs)]


def test_a_ruled_table_running_on_at_the_top_of_the_next_page_without_a_caption_is_joined(tmp_path: Path) -> None:
    xs = [46, 196, 256, 340]
    first = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 200, "Table 1. Randomised trials of parent training", 10)]
    first += table_rows([50, 200, 260], 175, FIRST_PART)
    second = table_rows([50, 200, 260], 740, SECOND_PART) + prose_lines(50, 680, AFTER)
    path = tmp_path / "ruled.pdf"
    path.write_bytes(pages_pdf([(first, _grid(xs, 175, 4)), (second, _grid(xs, 740, 3))]))
    document = read_pdf(path, Limits())
    body = "\n".join("\t".join(row) for row in [*FIRST_PART, *SECOND_PART])
    assert f"Table 1. Randomised trials of parent training\n{body}" in document.text
    assert "Table (page 2)" not in document.text


def test_a_continuation_joins_only_its_own_table() -> None:
    parts = [[("Table 1. Trials", "Study\tN\nAbara (2011)\t60", (0, 0, 1, 1)),
              ("Table 2. Reviews", "Review\tk\nGray (2015)\t12", (0, 2, 1, 3))],
             [("Table 1 (cont'd)", "Study\tN\nBrandt (2014)\t140", (0, 0, 1, 1)),
              ("Table 3. Costs", "Item\tCost\nVisits\t120", (0, 2, 1, 3))]]
    joined = pdf_tables.join_continued(parts, [[True, False], [True, False]])
    assert joined == [[("Table 1. Trials", "Study\tN\nAbara (2011)\t60\nBrandt (2014)\t140", (0, 0, 1, 1)),
                       ("Table 2. Reviews", "Review\tk\nGray (2015)\t12", (0, 2, 1, 3))],
                      [("Table 3. Costs", "Item\tCost\nVisits\t120", (0, 2, 1, 3))]]
    # "Table 4 continues the trend of Table 3" is no continuation; nor is a table of another number
    assert not pdf_tables.continues("Table 4 continues the trend of Table 3")
    assert pdf_tables.continues("Table 2 Overview of themes (Continued)") and pdf_tables.continues("Table 5. Continued")


CLOSE_ROWS = [
    ("Abara (2011)", "60", "0.45 (0.20–0.70)", "62%"),
    ("Brandt (2014)", "140", "0.12 (0.05–0.19)", "21%"),
    ("Celik (2020)", "88", "0.25 (0.10–0.40)", "17%"),
]


def test_columns_set_closer_than_an_em_are_parted_where_the_rows_line_up(tmp_path: Path) -> None:
    # the weight column starts 5 points (over half an em, under a whole one) after the widest interval: each
    # row's interval and weight run together as one cell, "0.45 (0.20–0.70) 62%", unless the columns are read from the rows
    weight_x = 260 + max(text_width(row[2], 9) for row in CLOSE_ROWS) + 5
    texts = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 670, "Table 1. Trials of parent training", 10)]
    texts += table_rows([50, 200, 260, weight_x], 645, [["Study", "N", "d (95% CI)", "Weight"], *CLOSE_ROWS])
    texts += prose_lines(50, 570, AFTER)
    path = tmp_path / "close.pdf"
    path.write_bytes(page_pdf(texts))
    document = read_pdf(path, Limits())
    assert "Study\tN\td (95% CI)\tWeight\nAbara (2011)\t60\t0.45 (0.20–0.70)\t62%\n" in document.text
    assert "Celik (2020)\t88\t0.25 (0.10–0.40)\t17%" in document.text
    units = extract_document(document, use_models=False)
    assert [unit.label for unit in units] == ["Abara (2011)", "Brandt (2014)", "Celik (2020)"]


def test_a_close_strip_inside_ragged_cells_parts_no_columns() -> None:
    from extractor.readers.pdf_layout import Word

    def word(text: str, x0: float, top: float) -> Word:
        return Word(text, x0, x0 + 5 * len(text), top, top + 9, 9.0, "Helvetica")

    # two rows whose words leave the same 6-point strip free (110-116), but the words either side of it do not
    # line up: a coincidence of ragged text, not two columns
    rows = [[[word("Hospital", 50, 0), word("wards", 116, 0)], [word("12", 200, 0)]],
            [[word("Home", 80, 12), word("care", 116, 12)], [word("30", 200, 12)]],
            [[word("Clinics", 50, 24)], [word("9", 200, 24)]]]
    assert pdf_tables._close_edges(rows, [180.0], 2.0) == []


def _wrapped_page() -> bytes:
    """A table of studies whose labels wrap: "Abara, Lind and / Moss (2011)" (the label runs on after "and"),
    "Brandt et al. / (2014)" (the year on the next line), "Incredible Years / Parent Programme" (set 9 points
    below, closer than the 13 points between rows), under a group heading set further left."""
    lines = [
        (645, [(50, "Study"), (200, "N"), (260, "Effect")]),
        (632, [(40, "Individually randomised")]),
        (619, [(50, "Abara, Lind and"), (200, "60"), (260, "d = 0.30")]),
        (606, [(50, "Moss (2011)")]),
        (593, [(50, "Brandt et al."), (200, "140"), (260, "d = 0.12")]),
        (580, [(50, "(2014)")]),
        (567, [(50, "Incredible Years"), (200, "88"), (260, "d = 0.25")]),
        (558, [(50, "Parent Programme")]),
        (545, [(50, "Celik (2020)"), (200, "72"), (260, "d = 0.18")]),
    ]
    texts = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 670, "Table 1. Trials of parent training", 10)]
    texts += [Text(x, y, cell, 9) for y, cells in lines for x, cell in cells]
    texts += prose_lines(50, 500, AFTER)
    return page_pdf(texts)


def test_a_row_label_wrapped_over_two_lines_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.pdf"
    path.write_bytes(_wrapped_page())
    document = read_pdf(path, Limits())
    rows = document.text.rpartition("Table 1. Trials of parent training\n")[2].split("\n")[:6]
    assert rows == ["Study\tN\tEffect", "Individually randomised\t\t", "Abara, Lind and Moss (2011)\t60\td = 0.30",
                    "Brandt et al. (2014)\t140\td = 0.12", "Incredible Years Parent Programme\t88\td = 0.25",
                    "Celik (2020)\t72\td = 0.18"]
    # one unit per study, each with its row's n: the group heading neither ends the table nor makes a unit
    units = extract_document(document, use_models=False)
    assert [(unit.label, _chosen(unit, "sample_size")[0]["n"]) for unit in units] == [
        ("Abara, Lind and Moss (2011)", 60), ("Brandt et al. (2014)", 140), ("Incredible Years Parent Programme", 88),
        ("Celik (2020)", 72)]


def test_a_group_heading_stating_a_design_gives_it_to_the_rows_under_it(tmp_path: Path) -> None:
    """A PDF table under a caption naming RCTs, its rows in two groups under headings set further left: the
    cluster heading gives its rows their design over the caption's; a heading naming no design leaves it."""
    lines = [
        (645, [(50, "Study"), (200, "N"), (260, "Effect")]),
        (632, [(40, "Cluster randomised trials")]),
        (619, [(50, "Abara (2011)"), (200, "60"), (260, "d = 0.30")]),
        (606, [(50, "Brandt (2014)"), (200, "140"), (260, "d = 0.12")]),
        (593, [(40, "Toddlers under two")]),
        (580, [(50, "Celik (2020)"), (200, "72"), (260, "d = 0.18")]),
        (567, [(50, "Dorn (2021)"), (200, "90"), (260, "d = 0.21")]),
    ]
    texts = [TITLE, *prose_lines(50, 720, PROSE), Text(50, 670, "Table 1. RCTs of parent training", 10)]
    texts += [Text(x, y, cell, 9) for y, cells in lines for x, cell in cells]
    texts += prose_lines(50, 520, AFTER)
    path = tmp_path / "groups.pdf"
    path.write_bytes(page_pdf(texts))
    units = extract_document(read_pdf(path, Limits()), use_models=False)
    assert [(unit.label, _chosen(unit, "design")) for unit in units] == [
        ("Abara (2011)", ["cluster_rct"]), ("Brandt (2014)", ["cluster_rct"]), ("Celik (2020)", ["rct"]),
        ("Dorn (2021)", ["rct"])]


SHARED_ARTICLES = SHARED / "formats" / "pdf_articles"  # module level: a path, never a skip


@pytest.mark.skipif(not SHARED_ARTICLES.is_dir(), reason=f"needs ../shared ({SHARED_ARTICLES} not found); set EXTRACTOR_SHARED to its location")
@pytest.mark.parametrize(
    ("name", "caption", "header"),
    [
        # checked by eye against the pages: Table 1 of studies in a meta-analysis, printed without rules
        ("cermine_test5_PostgradMedJ2010_Hpylori_IDA_metaanalysis.pdf",
         "Table 1 Summary characteristics of studies and participants",
         "Reference\tYear of publication\tAge group\tCountry\tParticipants\tTreatment therapies"),
        # a booktabs table across a two-column page, its header over three lines
        ("cermine_example1_IntPsychogeriatr2014.pdf",
         "Table 1. Baseline characteristics of participants who remained or did not remain dementia-free at follow-up",
         "\tPARTICIPANTS WHO REMAINED DEMENTIA - FREE\tPARTICIPANTS WHO DEVELOPED DEMENTIA\tp- VALUE"),
    ],
)
def test_unruled_tables_of_real_articles_are_read_as_rows(name: str, caption: str, header: str) -> None:
    document = read_pdf(SHARED_ARTICLES / name, Limits())
    assert f"{caption}\n{header}" in document.text


def test_a_batch_of_tables_records_each_bad_file_in_one_line_and_reads_the_rest(tmp_path: Path) -> None:
    import zipfile

    import openpyxl

    from extractor.batch.run import run_extract
    from extractor.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "review.pdf").write_bytes(_article(BOOKTABS))
    whole = _article(BOOKTABS)
    (folder / "cut.pdf").write_bytes(whole[: whole.index(b"stream") + 200])  # the table's content stream cut short
    workbook = openpyxl.Workbook()
    for row in [["Programme", "Sleep", "Mood"], ["Cradle Talk", "✓", "Not measured"], ["Nest Visits", "✓", "✓"]]:
        workbook.active.append(row)
    workbook.save(folder / "domains.xlsx")
    workbook.save(folder / "damaged.xlsx")
    with zipfile.ZipFile(folder / "damaged.xlsx") as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Stu'
    with zipfile.ZipFile(folder / "damaged.xlsx", "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(folder)], store)
    failures = {Path(row["path"]).name: row for row in store.db.query("select * from failures")}
    assert set(failures) == {"cut.pdf", "damaged.xlsx"}
    assert all("\n" not in row["message"] and row["message"] for row in failures.values())
    assert summary.failures == 2
    units = {row["source_path"] for row in store.db.query("select source_path from documents")}
    assert {Path(path).name for path in units} == {"review.pdf", "domains.xlsx"}


def test_a_table_of_thousands_of_rows_is_read_in_time() -> None:
    # word boxes as a hostile page could hold them: the guard catches a hang, it does not time the reader
    import time

    from extractor.readers.pdf_layout import Word

    def word(text: str, x0: float, top: float) -> Word:
        return Word(text, x0, x0 + 5 * len(text), top, top + 9, 9.0, "Helvetica")

    words = [word("Table", 50, 10), word("1.", 80, 10), word("Trials", 95, 10)]
    for row in range(3000):
        top = 30 + 11 * row
        words += [word(f"Trial{row}", 50, top), *(word(f"{row % 97}.{column}", 150 + 60 * column, top)
                                                  for column in range(8))]
    started = time.monotonic()
    [(caption, rows, _)] = pdf_tables.unruled_tables(words, [])
    assert caption == "Table 1. Trials" and rows.count("\n") == 2999
    assert time.monotonic() - started < 60
