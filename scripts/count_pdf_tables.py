"""Evaluation: the tables the PDF reader finds on every PDF page under ../shared/formats, ruled and unruled.

    .venv/bin/python scripts/count_pdf_tables.py [--rows] [FOLDER ...]

For each PDF (hostile files included: one that cannot be opened is listed as such), the number of tables
pdfplumber's ruled-table finder returns (``pdf_tables.ruled_tables``, the only finder before unruled tables
were read: the "before" count) and the number read without rules under a "Table N" caption
(``pdf_tables.unruled_tables``), with each unruled table's page and caption; ``--rows`` prints its rows too,
to check by eye that each is a real table. Slide PDFs are counted as well, though a deck's reader does not
use tables.

``--units`` reads each PDF whole (``read_pdf``) and counts what the study-unit side makes of its text: the
tables ``units.tables`` finds in it and their rows, the tables of studies among them and their rows, and the
study units ``segment.study_units`` gives the document (a document of one study has one unlabelled unit,
counted as 0); ``--rows`` with it prints each table's label cells.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pdfplumber

from extractor.readers import pdf_tables
from extractor.readers.pdf_layout import words_from_pdfplumber

FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "formats"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[FORMATS])
    parser.add_argument("--rows", action="store_true", help="print each unruled table's rows")
    parser.add_argument("--units", action="store_true", help="count the tables, rows and study units of the read text")
    options = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if options.units:
        count_units(options.folders, options.rows)
        return
    totals = [0, 0]
    for path in sorted(p for folder in options.folders for p in folder.rglob("*.pdf")):
        try:
            document = pdfplumber.open(path)
            pages = document.pages
        except Exception as error:  # hostile files: counted as unreadable, as the reader reports them
            print(f"{path.name}: cannot be opened ({type(error).__name__})")
            continue
        ruled = unruled = 0
        for number, page in enumerate(pages, 1):
            try:
                raw = page.extract_words(x_tolerance_ratio=0.15, y_tolerance=3, extra_attrs=["size", "fontname"])
            except Exception:
                continue
            words = words_from_pdfplumber(raw, float(page.width), float(page.height))
            found = pdf_tables.ruled_tables(page, raw, number)
            extra = pdf_tables.unruled_tables(words, [box for _, _, box in found])
            ruled, unruled = ruled + len(found), unruled + len(extra)
            for caption, rows, _ in extra:
                print(f"  page {number}: {caption[:90]} ({rows.count(chr(10)) + 1} lines)")
                if options.rows:
                    print("    " + rows.replace("\n", "\n    "))
        document.close()
        totals = [totals[0] + ruled, totals[1] + unruled]
        print(f"{path.name}: ruled {ruled}, unruled {unruled}")
    print(f"total: ruled {totals[0]} (before), ruled + unruled {sum(totals)} (after)")


def count_units(folders: list[Path], rows: bool) -> None:
    """Per PDF and in total: tables and their rows in the read text, tables of studies and their rows, units."""
    from extractor.extract.units import segment, tables
    from extractor.readers.base import Limits
    from extractor.readers.pdf import read_pdf

    totals = [0, 0, 0, 0, 0]
    for path in sorted(p for folder in folders for p in folder.rglob("*.pdf")):
        try:
            document = read_pdf(path, Limits())
        except Exception as error:  # hostile files: the reader's typed error, as a batch records it
            print(f"{path.name}: not read ({type(error).__name__})")
            continue
        found = tables.document_tables(document.text)
        studies = [table for table in found if tables.is_study_table(table)]
        labelled = [unit for unit in segment.study_units(document) if unit.label is not None]
        counts = [len(found), sum(len(t.rows) for t in found), len(studies), sum(len(t.rows) for t in studies),
                  len(labelled)]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        print(f"{path.name}: tables {counts[0]} (rows {counts[1]}), of studies {counts[2]} (rows {counts[3]}), "
              f"units {counts[4]}")
        if rows:
            for table in found:
                caption = table.caption.text[:70] if table.caption else "(no caption)"
                print(f"  {table.layout} {caption}: " + " | ".join(row.label.text if row.label else "" for row in table.rows))
    print(f"total: tables {totals[0]} (rows {totals[1]}), of studies {totals[2]} (rows {totals[3]}), units {totals[4]}")


if __name__ == "__main__":
    main()
