"""PDFs of one page or a few, written byte by byte for reader tests: Helvetica text at given places and straight rules.

No PDF library is needed: a catalog, the pages, a content stream each and the base-14 Helvetica font, with a
cross-reference table computed from the objects' offsets. Coordinates are PDF points from the page's
bottom-left corner (US Letter, 612 x 792). Text is encoded as WinAnsi (cp1252), so en dashes and curly quotes
can be shown; ``text_width`` gives a string's width in Helvetica, to set cells a chosen distance apart.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 612, 792


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 10.0


@dataclass(frozen=True)
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_pdf(texts: list[Text], rules: list[Rule] = ()) -> bytes:
    """A one-page PDF showing ``texts`` and stroking ``rules``."""
    return pages_pdf([(texts, rules)])


def pages_pdf(pages: list[tuple[list[Text], list[Rule]]]) -> bytes:
    """A PDF of several pages, each showing its texts and stroking its rules (a table split over pages)."""
    count = len(pages)
    kids = " ".join(f"{3 + 2 * index} 0 R" for index in range(count))
    font = 3 + 2 * count
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), count)]
    for index, (texts, rules) in enumerate(pages):
        ops = [f"BT /F1 {t.size:g} Tf {t.x:g} {t.y:g} Td ({_escape(t.text)}) Tj ET" for t in texts]
        ops += [f"{r.x0:g} {r.y0:g} m {r.x1:g} {r.y1:g} l S" for r in rules]
        stream = "\n".join(ops).encode("cp1252")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>"
            % (WIDTH, HEIGHT, 4 + 2 * index, font)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_width(text: str, size: float = 10.0) -> float:
    """The width of ``text`` set in Helvetica at ``size`` (the base-14 font's standard widths, as pdfminer knows
    them), so a test can place the next cell just after it."""
    from pdfminer.fontmetrics import FONT_METRICS

    widths = FONT_METRICS["Helvetica"][1]
    return sum(widths.get(char, 556) for char in text) * size / 1000


def prose_lines(x: float, top: float, sentences: list[str], size: float = 10.0, pitch: float = 13.0) -> list[Text]:
    """Lines of running text, one a sentence, from ``top`` down."""
    return [Text(x, top - index * pitch, sentence, size) for index, sentence in enumerate(sentences)]


def table_rows(xs: list[float], top: float, rows: list[list[str]], size: float = 9.0, pitch: float = 13.0) -> list[Text]:
    """A table's cells, each row at its height and each cell at its column's left edge, from ``top`` down."""
    return [
        Text(xs[column], top - index * pitch, cell, size)
        for index, row in enumerate(rows)
        for column, cell in enumerate(row)
        if cell
    ]
