"""Hostile inputs built at run time: adversarial text for every reader, and compression bombs that are
small on disk and large unpacked. Shared by the reader tests and scripts/bench_bombs.py."""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

# Text that trips backtracking regexes: no spaces, one character repeated, punctuation alternating.
ADVERSARIAL_PATTERNS = {
    "one_letter": "x",
    "one_digit": "1",
    "full_stops": ".",
    "letter_stop": "a.",
    "punctuation": ".,;:!?",
    "digit_stop": "1.",
    "bracketed": "(1,",
    "upper_stop": "A. ",
    "dashes": "-",
    "letter_newline": "x\n",
}


def adversarial_text(name: str, size: int) -> str:
    """``size`` characters of the named adversarial pattern."""
    unit = ADVERSARIAL_PATTERNS[name]
    return (unit * (size // len(unit) + 1))[:size]


def _xml(text: str) -> str:
    return escape(text)


def _ris(payload: str) -> str:
    return f"TY  - JOUR\nTI  - {payload}\nAB  - {payload}\nPY  - 2020\nER  - \n"


def _medline(payload: str) -> str:
    return f"PMID- 1\nTI  - {payload}\nAB  - {payload}\nDP  - 2020\n"


def _bibtex(payload: str) -> str:
    return f"@article{{k1,\n  title = {{{payload}}},\n  abstract = {{{payload}}},\n  year = {{2020}}\n}}\n"


def _tagged(payload: str) -> str:
    return f"TITLE={payload}\nABSTRACT={payload}\nYEAR=2020\n"


def _csv(payload: str) -> str:
    quoted = payload.replace('"', '""')
    return f'title,abstract,year\n"{quoted}","{quoted}",2020\n'


def _pubmed(payload: str) -> str:
    return (
        "<?xml version='1.0'?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        f"<ArticleTitle>{_xml(payload)}</ArticleTitle><Abstract><AbstractText>{_xml(payload)}</AbstractText>"
        "</Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )


def _jats(payload: str) -> str:
    return (
        "<?xml version='1.0'?>\n<article><front><article-meta><title-group>"
        f"<article-title>{_xml(payload)}</article-title></title-group>"
        f"<abstract><p>{_xml(payload)}</p></abstract></article-meta></front>"
        f"<body><sec><title>Methods</title><p>{_xml(payload)}</p></sec></body></article>\n"
    )


def _text(payload: str) -> str:
    return payload


# reader name -> (file name, builder of the file's text around a payload)
TEXT_FORMATS: dict[str, tuple[str, Callable[[str], str]]] = {
    "text": ("adversarial.txt", _text),
    "tagged": ("adversarial.txt", _tagged),
    "ris": ("adversarial.ris", _ris),
    "medline": ("adversarial.nbib", _medline),
    "bibtex": ("adversarial.bib", _bibtex),
    "table": ("adversarial.csv", _csv),
    "pubmed_xml": ("adversarial.xml", _pubmed),
    "jats": ("adversarial.nxml", _jats),
}


def write_text_format(folder: Path, fmt: str, payload: str) -> Path:
    """A file of reader ``fmt`` whose title and abstract (and body, where it has one) are ``payload``."""
    name, build = TEXT_FORMATS[fmt]
    path = folder / f"{fmt}-{name}"
    path.write_text(build(payload), encoding="utf-8")
    return path


def write_pptx(path: Path, slides: Iterable[str]) -> Path:
    """A real deck (python-pptx), one text box per slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for text in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(8), Inches(5))
        box.text_frame.text = text
    deck.save(path)
    return path


def write_xlsx(path: Path, rows: Iterable[tuple[object, ...]]) -> Path:
    """A real workbook (openpyxl) with a header row then ``rows``."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(("title", "abstract", "year"))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# ---------------------------------------------------------------- bombs


def _replace_part(path: Path, name: str, write_part: Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]) -> Path:
    """Rewrite the zip at ``path`` with part ``name`` written by ``write_part`` (added if missing)."""
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        names = old.namelist()
        for info in old.infolist():
            if info.filename == name:
                write_part(new, zipfile.ZipInfo(name, date_time=info.date_time))
            else:
                new.writestr(info, old.read(info.filename))
        if name not in names:
            write_part(new, zipfile.ZipInfo(name))
    return path


def _stream_part(chunks: Callable[[], Iterable[bytes]]) -> Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]:
    def write_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as part:
            for chunk in chunks():
                part.write(chunk)

    return write_part


def _repeated(head: bytes, unit: bytes, size: int, tail: bytes) -> Callable[[], Iterable[bytes]]:
    """Chunks of ``head``, ``unit`` repeated to about ``size`` bytes, then ``tail``."""

    def chunks() -> Iterable[bytes]:
        yield head
        block = unit * max(1, min(1 << 20, size) // len(unit))
        for _ in range(max(1, size // len(block))):
            yield block
        yield tail

    return chunks


_SLIDE_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    b'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>'
    b'<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
    b'<p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr/>'
    b"<p:txBody><a:bodyPr/>"
)
_SLIDE_TAIL = b"</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"


def pptx_paragraph_bomb(path: Path, unpacked: int) -> Path:
    """A deck whose slide1.xml unpacks to about ``unpacked`` bytes of paragraphs."""
    write_pptx(path, ["Randomised trial of a bomb"])
    paragraph = b"<a:p><a:r><a:t>We randomised 100 adults.</a:t></a:r></a:p>"
    return _replace_part(path, "ppt/slides/slide1.xml", _stream_part(_repeated(_SLIDE_HEAD, paragraph, unpacked,
                                                                               _SLIDE_TAIL)))


def pptx_slides_bomb(path: Path, unpacked: int, slides: int = 6) -> Path:
    """A deck of ``slides`` slides whose XML together unpacks to about ``unpacked`` bytes of paragraphs."""
    write_pptx(path, [f"Slide {n}" for n in range(1, slides + 1)])
    paragraph = b"<a:p><a:r><a:t>We randomised 100 adults.</a:t></a:r></a:p>"
    for number in range(1, slides + 1):
        _replace_part(path, f"ppt/slides/slide{number}.xml",
                      _stream_part(_repeated(_SLIDE_HEAD, paragraph, unpacked // slides, _SLIDE_TAIL)))
    return path


def pptx_media_bomb(path: Path, unpacked: int) -> Path:
    """A deck with a real slide of text and a zero-filled media part of about ``unpacked`` bytes."""
    write_pptx(path, ["Randomised trial of a picture", "We randomised 100 adults to a picture or none."])
    return _replace_part(path, "ppt/media/image1.png", _stream_part(_repeated(b"\x89PNG\r\n\x1a\n", b"\0", unpacked,
                                                                             b"")))


def xlsx_shared_strings_bomb(path: Path, unpacked: int) -> Path:
    """A workbook whose sharedStrings.xml unpacks to about ``unpacked`` bytes."""
    write_xlsx(path, [("Trial A", "We randomised 100 adults.", 2020)])
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return _replace_part(path, "xl/sharedStrings.xml", _stream_part(_repeated(head, b"<si><t>x</t></si>", unpacked,
                                                                             b"</sst>")))


def xlsx_sheet_bomb(path: Path, unpacked: int) -> Path:
    """A workbook whose one cell of sheet1.xml holds about ``unpacked`` bytes of text."""
    write_xlsx(path, [])
    head = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>abstract</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>Trial</t></is></c><c r="B2" t="inlineStr"><is><t>'
    )
    tail = b"</t></is></c></row></sheetData></worksheet>"
    return _replace_part(path, "xl/worksheets/sheet1.xml", _stream_part(_repeated(head, b"x", unpacked, tail)))


def pubmed_gzip_bomb(path: Path, unpacked: int) -> Path:
    """A ``.xml.gz`` holding ``<PubmedArticleSet>``, about ``unpacked`` bytes of spaces, then one article."""
    article = (
        b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>A trial</ArticleTitle>"
        b"<Abstract><AbstractText>We randomised 100 adults.</AbstractText></Abstract></Article>"
        b"</MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    block = b" " * (1 << 20)
    with path.open("wb") as out:
        out.write(compressor.compress(b"<?xml version='1.0'?>\n<PubmedArticleSet>\n"))
        for _ in range(max(1, unpacked // len(block))):
            out.write(compressor.compress(block))
        out.write(compressor.compress(article))
        out.write(compressor.flush())
    return path


def big_text_file(path: Path, size: int) -> Path:
    """A plain-text file of about ``size`` bytes of running prose."""
    paragraph = ("We randomised 100 adults with asthma to a new inhaler or placebo for twelve weeks. " * 12) + "\n\n"
    with path.open("w", encoding="utf-8") as out:
        out.write("A randomised trial of a new inhaler in adults with asthma\n\n")
        for _ in range(size // len(paragraph) + 1):
            out.write(paragraph)
    return path


def gzip_file(path: Path, data: bytes) -> Path:
    """``data`` gzipped into ``path``."""
    path.write_bytes(gzip.compress(data))
    return path
