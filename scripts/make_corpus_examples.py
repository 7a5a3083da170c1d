"""Write the example PDF article and PPTX deck of ``corpus/``.

    .venv/bin/python scripts/make_corpus_examples.py [--out corpus/]

Both describe fictional studies in text written for this project. The PDF is
written by hand (PDF 1.4, the standard Helvetica fonts, no dependency): two
pages, a full-width title, byline and abstract, then two columns with
numbered section headings, line-end hyphenation and a running header and
footer; a sentence runs from the foot of page 1's left column to the top of
its right column. The deck is made with python-pptx: a title slide, a slide
with a table and a slide with two text boxes, a group and speaker notes.
"""

from __future__ import annotations

import argparse
import datetime
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TITLE = "Brisk walking groups for adults with raised blood pressure: a fictional randomised trial"
AUTHORS = "Ada Example, Ben Sample and Cora Placeholder"
AFFILIATION = "Department of Invented Studies, Nowhere University (a made-up institution)"
HEADER = "Journal of Invented Trials 2024; 1: 1-2"
ABSTRACT = [
    "Background: Group walking is cheap and sociable, but whether it lowers blood pressure in adults "
    "with stage 1 hypertension is uncertain. This fictional article was written as test material "
    "and reports no real study.",
    "Methods: We randomised 120 adults to twelve weeks of brisk walking groups (n = 60) or to a "
    "leaflet on physical activity (n = 60). The primary outcome was the change in systolic blood "
    "pressure at twelve weeks.",
    "Results: Systolic pressure fell by 7.9 mmHg with walking groups and by 3.1 mmHg with the "
    "leaflet (mean difference -4.8 mmHg, 95% CI -7.6 to -2.0; p = 0.001). No serious adverse "
    "events occurred.",
    "Conclusions: In this invented trial, walking groups lowered systolic blood pressure more than "
    "advice alone.",
]
BODY: list[tuple[str, list[str]]] = [
    (
        "1. Introduction",
        [
            "Raised blood pressure is common and often goes untreated for years before medication is "
            "offered. Lifestyle advice is the usual first step, yet advice given on paper is easily "
            "forgotten, and many people find it hard to start exercising on their own. Walking in a "
            "group adds company, a fixed time and a leader who notices when someone stops coming.",
            "Earlier studies of walking groups have measured fitness and mood more often than blood "
            "pressure, and most were too small to detect a change of a few millimetres of mercury. "
            "We therefore designed a pragmatic trial with blood pressure as the primary outcome, "
            "large enough to find a difference of four millimetres between the groups.",
        ],
    ),
    (
        "2. Methods",
        [
            "Adults aged 40 to 75 years with an untreated systolic pressure between 140 and 159 mmHg "
            "were eligible. People with heart failure, recent stroke or a condition that prevented "
            "brisk walking were excluded. Participants were recruited from six general practices "
            "between March and September of the trial year.",
            "Allocation used a computer-generated sequence in blocks of four, concealed in sealed "
            "envelopes prepared by a statistician who had no contact with participants. Nurses who "
            "measured blood pressure did not know the allocation. Walking groups met three times a "
            "week for forty-five minutes and were led by trained volunteers; the control group "
            "received a printed leaflet and one telephone call.",
            "Blood pressure was the mean of the second and third of three seated readings taken with "
            "a validated automatic monitor. The analysis followed the intention-to-treat principle "
            "and compared the change from baseline between groups with a linear model adjusted for "
            "baseline pressure and practice.",
            "We planned to recruit 120 participants, which gave 80% power at a two-sided significance "
            "level of 5% to detect a difference of 4 mmHg, assuming a standard deviation of 7 mmHg "
            "and that one participant in ten would be lost to follow-up. Missing outcomes were "
            "imputed by chained equations in a sensitivity analysis.",
        ],
    ),
    (
        "3. Results",
        [
            "Of 214 people screened, 120 were randomised and 112 (93%) attended the twelve-week "
            "visit. Baseline characteristics were similar in the two groups: mean age 58 years, "
            "46% women, mean systolic pressure 149 mmHg.",
            "Systolic pressure fell by 7.9 mmHg (SD 6.1) in the walking groups and by 3.1 mmHg "
            "(SD 6.4) in the leaflet group, an adjusted mean difference of -4.8 mmHg (95% CI -7.6 "
            "to -2.0). Diastolic pressure fell by 2.2 mmHg more with walking (95% CI -4.0 to -0.4). "
            "Participants attended a median of 29 of 36 sessions.",
            "Two participants in the walking groups reported minor ankle sprains; there were no "
            "serious adverse events in either group.",
        ],
    ),
    (
        "4. Discussion",
        [
            "In this fictional trial, brisk walking in groups lowered systolic blood pressure by "
            "about five millimetres of mercury more than written advice, a difference that would "
            "matter if it lasted. Attendance was high, perhaps because sessions were short and "
            "close to home.",
            "The trial has limits. Follow-up lasted only twelve weeks, participants knew which "
            "group they were in, and the practices were all in one town. A longer trial in more "
            "varied places would show whether the effect persists.",
            "Walking groups need little equipment, and volunteers led every session here. Their "
            "costs are mostly the time of the volunteers and of the staff who train them, which "
            "suggests that the approach could be offered widely if its benefits were confirmed in "
            "a real population. Future trials should record medication started during follow-up, "
            "because a fall in pressure could delay treatment that would otherwise be needed.",
            "Adherence is the usual weakness of exercise programmes, and we expected attendance to "
            "fade after the first month. It did not: the median participant came to four sessions "
            "in five. Several participants said that the group, rather than the exercise, brought "
            "them back each week, and some kept walking together after the trial ended.",
        ],
    ),
    (
        "5. Conclusions",
        [
            "Brisk walking in groups, three times a week, lowered systolic blood pressure by about "
            "five millimetres of mercury more than a leaflet in this invented population. Because "
            "every number in this article is made up, it should be read only as test material for "
            "software that extracts trial results from documents.",
        ],
    ),
    (
        "Funding",
        [
            "None. The authors, their institution and the journal are fictional, and no "
            "participant was ever recruited.",
        ],
    ),
    (
        "References",
        [
            "1. Example A, Sample B. An imaginary survey of walking habits. J Invented Trials 2023;1:1-9.",
            "2. Placeholder C. Group exercise in a town that does not exist. Fict Med 2022;4:10-20.",
            "3. Sample B. Measuring blood pressure in made-up clinics. Pretend Health Rev 2021;7:33-41.",
            "4. Example A, Placeholder C. Volunteers who lead walks: a thought experiment. "
            "J Invented Trials 2020;2:5-12.",
        ],
    ),
]

# Page geometry (US Letter, points) and type sizes.
WIDTH, HEIGHT = 612.0, 792.0
MARGIN = 54.0
GUTTER = 18.0
COLUMN = (WIDTH - 2 * MARGIN - GUTTER) / 2
BODY_SIZE, LEADING = 9.5, 12.0
BOTTOM = 72.0


def _widths() -> dict[str, dict[str, float]]:
    """Glyph widths (1/1000 em) of Helvetica and Helvetica-Bold, from pdfminer's copy of the AFM files."""
    from pdfminer.fontmetrics import FONT_METRICS

    return {name: FONT_METRICS[name][1] for name in ("Helvetica", "Helvetica-Bold")}


WIDTHS = _widths()


def text_width(text: str, font: str, size: float) -> float:
    """Width in points of ASCII text set in a standard font."""
    return sum(WIDTHS[font].get(ch, 556) for ch in text) * size / 1000


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points; long words are hyphenated at the line end."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if text_width(candidate, font, size) <= width:
            line = candidate
            continue
        # hyphenate a long plain word when a useful part of it fits
        if len(word) >= 9 and word.isalpha():
            for cut in range(len(word) - 4, 3, -1):
                head = f"{line} {word[:cut]}-".strip()
                if text_width(head, font, size) <= width:
                    lines.append(head)
                    line = word[cut:]
                    break
            else:
                lines.append(line)
                line = word
            continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


class PdfPage:
    """Text lines placed on one page, as PDF content-stream operators."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def text(
        self, x: float, y_from_top: float, text: str, font: str = "Helvetica", size: float = BODY_SIZE
    ) -> None:
        resource = "F2" if font == "Helvetica-Bold" else "F1"
        baseline = HEIGHT - y_from_top
        self.operations.append(
            f"BT /{resource} {size:g} Tf {x:.2f} {baseline:.2f} Td ({_escape(text)}) Tj ET"
        )

    def stream(self) -> bytes:
        return "\n".join(self.operations).encode("latin-1")


def layout_article() -> list[PdfPage]:
    """Two pages: full-width front matter, then the body flowed through four columns."""
    pages = [PdfPage(), PdfPage()]
    for number, page in enumerate(pages, 1):
        page.text(MARGIN, 40, HEADER, size=8)
        page.text(WIDTH / 2 - 20, HEIGHT - 40, f"Page {number} of 2", size=8)
    first = pages[0]
    y = 84.0
    for line in wrap(TITLE, "Helvetica-Bold", 18, WIDTH - 2 * MARGIN):
        first.text(MARGIN, y, line, "Helvetica-Bold", 18)
        y += 22
    y += 6
    first.text(MARGIN, y, AUTHORS, size=11)
    y += 14
    first.text(MARGIN, y, AFFILIATION, size=8.5)
    y += 26
    first.text(MARGIN, y, "Abstract", "Helvetica-Bold", 10.5)
    y += 15
    for paragraph in ABSTRACT:
        for line in wrap(paragraph, "Helvetica", 10, WIDTH - 2 * MARGIN):
            first.text(MARGIN, y, line, size=10)
            y += 12.5
        y += 4
    # the columns: page 1 below the abstract, then page 2 from the top
    columns = [
        (first, MARGIN, y + 14),
        (first, MARGIN + COLUMN + GUTTER, y + 14),
        (pages[1], MARGIN, 72.0),
        (pages[1], MARGIN + COLUMN + GUTTER, 72.0),
    ]
    items: list[tuple[str, str]] = []
    for heading, paragraphs in BODY:
        items.append(("heading", heading))
        items.extend(("paragraph", paragraph) for paragraph in paragraphs)
    column = 0
    page, x, y = columns[column]
    for kind, text in items:
        if text == "References":  # the reference list starts page 2's right column
            column = len(columns) - 1
            page, x, y = columns[column]
        font, size = ("Helvetica-Bold", 10.5) if kind == "heading" else ("Helvetica", BODY_SIZE)
        lines = wrap(text, font, size, COLUMN)
        if kind == "heading":
            y += 6
        for index, line in enumerate(lines):
            needed = LEADING * (3 if kind == "heading" else 1)  # keep a heading with its text
            if y + needed > HEIGHT - BOTTOM and column + 1 < len(columns):
                column += 1
                page, x, y = columns[column]
            indent = 10.0 if kind == "paragraph" and index == 0 else 0.0
            if indent and text_width(line, font, size) + indent > COLUMN:
                indent = 0.0
            page.text(x + indent, y, line, font, size)
            y += LEADING + (2 if kind == "heading" else 0)
        y += 3
    return pages


def write_pdf(pages: list[PdfPage], path: Path) -> None:
    """A PDF 1.4 file: catalog, page tree, two base-14 fonts, one content stream per page."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    regular = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids: list[int] = []
    for page in pages:
        data = zlib.compress(page.stream())
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (tree, WIDTH, HEIGHT, content, regular, bold)
            )
        )
    info = add(
        b"<< /Title (%s) /Author (%s) /Producer (scripts/make_corpus_examples.py) >>"
        % (_escape(TITLE).encode("latin-1"), _escape(AUTHORS).encode("latin-1"))
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    path.write_bytes(bytes(out))


def write_deck(path: Path) -> None:
    """Three slides summarising two fictional studies."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.core_properties.title = "Two fictional studies in three slides"
    deck.core_properties.author = "Example Team"
    fixed = datetime.datetime(2024, 1, 1)
    deck.core_properties.created = fixed
    deck.core_properties.modified = fixed

    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = "Two fictional studies in three slides"
    cover.placeholders[1].text = "Invented results for testing a reader\nExample Team, 2024"

    table_slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    table_slide.shapes.title.text = "Study A: walking groups and blood pressure"
    box = table_slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(9), Inches(0.8))
    box.text_frame.text = "120 adults randomised; primary outcome systolic pressure at 12 weeks"
    rows = [
        ("Arm", "Randomised", "Change in systolic BP (mmHg)"),
        ("Walking groups", "60", "-7.9"),
        ("Leaflet", "60", "-3.1"),
    ]
    table = table_slide.shapes.add_table(len(rows), 3, Inches(0.5), Inches(2.5), Inches(9), Inches(1.5)).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value

    two_boxes = deck.slides.add_slide(deck.slide_layouts[5])
    two_boxes.shapes.title.text = "Study B: reminder letters and screening uptake"
    left = two_boxes.shapes.add_textbox(Inches(0.5), Inches(1.6), Inches(4.2), Inches(2))
    left.text_frame.text = "Design: cluster trial in 24 invented clinics"
    left.text_frame.add_paragraph().text = "Uptake 64% with letters vs 51% without"
    right = two_boxes.shapes.add_textbox(Inches(5.2), Inches(1.6), Inches(4.2), Inches(2))
    right.text_frame.text = "Odds ratio 1.7 (95% CI 1.3 to 2.2)"
    group = two_boxes.shapes.add_group_shape()
    label = group.shapes.add_textbox(Inches(0.5), Inches(4.5), Inches(4), Inches(0.6))
    label.text_frame.text = "Grouped note: both studies are fictional"
    badge = group.shapes.add_textbox(Inches(5.2), Inches(4.5), Inches(4), Inches(0.6))
    badge.text_frame.text = "Made for tests"
    for shape in (label, badge):
        shape.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    two_boxes.notes_slide.notes_text_frame.text = "Say that neither study took place."
    deck.save(str(path))


def main() -> None:
    """Write example_article.pdf and example_deck.pptx into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "corpus", help="folder to write into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write_pdf(layout_article(), args.out / "example_article.pdf")
    write_deck(args.out / "example_deck.pptx")
    print(f"wrote {args.out / 'example_article.pdf'} and {args.out / 'example_deck.pptx'}")


if __name__ == "__main__":
    main()
