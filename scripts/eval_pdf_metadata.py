"""The title, first author, journal and year read from each PDF, against what its first page prints.

    .venv/bin/python scripts/eval_pdf_metadata.py [FOLDER ...]   (default: ../shared/formats/pdf_articles)

For every PDF the tool reads, one row of a Markdown table: each field as found, marked ``[p1]`` when the value
is printed on the first page (case, white space and dashes aside; a name's words in order), ``[meta]`` when it
is not on the first page but in the PDF's metadata, ``[--]`` when it is printed nowhere the script can see (a
wrong value), and ``-`` when nothing was found. Files that cannot be read get their one failure line. The last
lines count the fields found and, of those, the ones the first page prints.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.errors import ExtractorError  # noqa: E402
from extractor.readers import read_path  # noqa: E402
from extractor.types import Document  # noqa: E402

FIELDS = ("title", "first author", "journal", "year")


def _norm(text: str) -> str:
    text = re.sub(r"[\u2010-\u2015\u2212-]", "-", text or "")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s&-]", " ", text)).strip().lower()


def _printed(value: str, page: str) -> bool:
    value, page = _norm(value), _norm(page)
    if not value:
        return False
    if value in page:
        return True
    words = value.split()  # a name printed with affiliation marks between its words ("Huang,1,2")
    return bool(re.search(r"\W+(?:\w{0,3}\W+)?".join(map(re.escape, words)), page))


def row(document: Document) -> tuple[list[str], int, int]:
    first_page = document.text[document.pages[0].start : document.pages[0].end] if document.pages else \
        document.text[:6000]
    info = " ".join(str(v) for v in document.metadata.extra.get("pdf_info", {}).values())
    meta = document.metadata
    values = [document.title or "", meta.authors[0] if meta.authors else "", meta.journal or "",
              str(meta.year) if meta.year else ""]
    cells, found, printed = [], 0, 0
    for value in values:
        if not value:
            cells.append("-")
            continue
        found += 1
        if _printed(value, first_page):
            printed += 1
            mark = "p1"
        else:
            mark = "meta" if _printed(value, info) else "--"
        shown = value if len(value) <= 60 else value[:57] + "..."
        cells.append(f"{shown.replace('|', '/')} [{mark}]")
    return cells, found, printed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, default=[REPO.parent / "shared" / "formats" / "pdf_articles"])
    args = parser.parse_args()
    paths = sorted(p for folder in args.folders for p in folder.glob("*.pdf"))
    if not paths:
        sys.exit(f"no PDFs under {', '.join(map(str, args.folders))}; give the folder that holds them")
    print("| file | " + " | ".join(FIELDS) + " |")
    print("|---" * (len(FIELDS) + 1) + "|")
    total_found = total_printed = 0
    failures = []
    for path in paths:
        try:
            documents = [item for item in read_path(path) if isinstance(item, Document)]
        except ExtractorError as error:
            failures.append(f"{path.name}: {error.message}")
            continue
        for document in documents:
            cells, found, printed = row(document)
            total_found += found
            total_printed += printed
            print(f"| {path.name} | " + " | ".join(cells) + " |")
    print()
    for failure in failures:
        print(f"not read: {failure}")
    slots = len(FIELDS) * (len(paths) - len(failures))
    print(f"fields found: {total_found} of {slots}; printed on the first page: {total_printed} of {total_found}")


if __name__ == "__main__":
    main()
