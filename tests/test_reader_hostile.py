"""Readers on hostile input (issue 16): compression bombs fail at a bound with a clear message, a huge
text file is read only up to the limit, one over-long record is cut without costing the file, a
two-column CSV is a table, deep XML says what is wrong, and no reader or the extraction hangs on
adversarial text. Every input is built here; bombs are small on disk and large unpacked."""

from __future__ import annotations

import signal
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import hostile_inputs
import pytest

from extractor.errors import LimitExceeded, MalformedDocument
from extractor.extract.document import extract_document
from extractor.readers import detect_format, pubmed_xml, read_path
from extractor.readers.base import Limits, RecordFailure, make_document
from extractor.types import Document, Failure

MIB = 1 << 20


@contextmanager
def wall_clock_guard(seconds: float, what: str) -> Iterator[None]:
    """Fail (instead of hanging) when the block runs longer than ``seconds``: a guard, not a speed test.

    SIGALRM reaches a long regular-expression search too: the engine checks for
    signals as it runs.
    """

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} still running after {seconds:.0f} s: a hang or a quadratic pattern")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def documents(items: list[Document | Failure]) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def assert_spans_inside(document: Document) -> None:
    """Every span and range of the document lies inside its text."""
    length = len(document.text)
    for span in (document.title_span, document.abstract_span):
        if span is not None:
            assert 0 <= span[0] < span[1] <= length
    for part in [*document.sections, *document.pages]:
        assert 0 <= part.start <= part.end <= length
    if document.abstract_span:
        assert document.abstract == document.text[document.abstract_span[0] : document.abstract_span[1]]


# ---------------------------------------------------------------- adversarial text: no hangs

READ_GUARD = 30.0  # seconds for one reader on 1 MB; reading takes about a second
EXTRACT_GUARD = 120.0  # seconds for a whole extraction of a 1 MB document; a quadratic pattern takes hours
ADVERSARIAL_SIZE = 1_000_000


@pytest.mark.parametrize("fmt", sorted(hostile_inputs.TEXT_FORMATS))
@pytest.mark.parametrize("pattern", ["one_letter", "full_stops", "punctuation", "letter_stop", "letter_newline"])
def test_each_reader_reads_1mb_of_adversarial_text_without_hanging(tmp_path: Path, fmt: str, pattern: str) -> None:
    payload = hostile_inputs.adversarial_text(pattern, ADVERSARIAL_SIZE)
    path = hostile_inputs.write_text_format(tmp_path, fmt, payload)
    with wall_clock_guard(READ_GUARD, f"reading {fmt} ({pattern})"):
        items = list(read_path(path, fmt=fmt))
    for document in documents(items):
        assert_spans_inside(document)
    assert documents(items) or all(isinstance(item, Failure) for item in items)


@pytest.mark.parametrize("pattern", ["one_letter", "punctuation", "letter_stop"])
def test_a_deck_and_a_workbook_of_1mb_adversarial_text_are_read_without_hanging(tmp_path: Path,
                                                                                 pattern: str) -> None:
    payload = hostile_inputs.adversarial_text(pattern, ADVERSARIAL_SIZE)
    deck = hostile_inputs.write_pptx(tmp_path / "deck.pptx", [f"Title\n{payload}"])
    workbook = hostile_inputs.write_xlsx(tmp_path / "table.xlsx", [("A trial", payload, 2020)])
    for path in (deck, workbook):
        with wall_clock_guard(READ_GUARD, f"reading {path.name} ({pattern})"):
            [document] = documents(list(read_path(path)))
        assert_spans_inside(document)


@pytest.mark.slow
@pytest.mark.parametrize("pattern", sorted(hostile_inputs.ADVERSARIAL_PATTERNS))
def test_full_extraction_of_1mb_adversarial_text_does_not_hang(tmp_path: Path, pattern: str) -> None:
    path = hostile_inputs.write_text_format(tmp_path, "text", hostile_inputs.adversarial_text(pattern, ADVERSARIAL_SIZE))
    [document] = documents(list(read_path(path, fmt="text")))
    with wall_clock_guard(EXTRACT_GUARD, f"extracting 1 MB of {pattern}"):
        extract_document(document)


@pytest.mark.parametrize("pattern", ["one_letter", "one_digit", "full_stops", "upper_stop", "letter_stop"])
def test_extraction_of_100kb_adversarial_text_does_not_hang(tmp_path: Path, pattern: str) -> None:
    path = hostile_inputs.write_text_format(tmp_path, "text", hostile_inputs.adversarial_text(pattern, 100_000))
    [document] = documents(list(read_path(path, fmt="text")))
    with wall_clock_guard(EXTRACT_GUARD / 4, f"extracting 100 KB of {pattern}"):
        extract_document(document, use_models=False)


@pytest.mark.parametrize(
    "line",
    [
        " ".join(["A" * 130] * 3) + "!",  # Title Case test: exponential as one regular expression
        "Methods" + " " * 200_000 + "x",  # heading followed by a long run of spaces
        "Objective" + " \t" * 100_000 + "x",
        "x" * 300_000,  # the 53 s case of the issue, tripled
    ],
)
def test_plain_text_lines_that_made_patterns_backtrack_are_read_at_once(tmp_path: Path, line: str) -> None:
    path = tmp_path / "line.txt"
    path.write_text(f"{line}\n\n{line}\n", encoding="utf-8")
    with wall_clock_guard(READ_GUARD, "reading a backtracking line"):
        [document] = documents(list(read_path(path, fmt="text")))
    assert document.text.startswith(line[:50])


# ---------------------------------------------------------------- zip bombs


def test_pptx_whose_slide_unpacks_past_the_part_limit_fails_naming_the_part(tmp_path: Path) -> None:
    path = hostile_inputs.pptx_paragraph_bomb(tmp_path / "bomb.pptx", 80 * MIB)
    assert path.stat().st_size < 2 * MIB
    with pytest.raises(LimitExceeded) as caught:
        list(read_path(path))
    assert "ppt/slides/slide1.xml" in caught.value.message and "8 MB limit" in caught.value.message
    assert "zip bomb" in caught.value.hint


def test_pptx_slides_within_a_lowered_part_limit_are_read(tmp_path: Path) -> None:
    path = hostile_inputs.pptx_paragraph_bomb(tmp_path / "long.pptx", 2 * MIB)
    with pytest.raises(LimitExceeded, match="over the 1 MB limit for one part"):
        list(read_path(path, Limits(max_part_bytes=8 * MIB)))  # a deck's XML part: an eighth of the limit
    [document] = documents(list(read_path(path, Limits(max_part_bytes=32 * MIB, max_chars=100_000))))
    assert document.text.count("We randomised 100 adults.") > 1000
    assert len(document.text) <= 100_000 and any("cut at 100000" in w for w in document.warnings)
    assert_spans_inside(document)


def test_pptx_whose_slides_together_unpack_past_the_total_fails(tmp_path: Path) -> None:
    path = hostile_inputs.pptx_slides_bomb(tmp_path / "slides.pptx", int(5.4 * MIB), slides=6)
    with pytest.raises(LimitExceeded, match="unpack to more than 4 MB in all"):
        list(read_path(path, Limits(max_part_bytes=8 * MIB)))  # each slide under 1 MB, all over 4 MB


def test_pptx_media_parts_are_never_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = hostile_inputs.pptx_media_bomb(tmp_path / "media.pptx", 300 * MIB)
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        if self.filename == str(path):  # the file itself, not the in-memory copy python-pptx is given
            opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    [document] = documents(list(read_path(path)))
    assert "We randomised 100 adults to a picture or none." in document.text
    assert "ppt/media/image1.png" not in opened
    assert any(name.startswith("ppt/slides/") for name in opened)


def _lie_about_size(path: Path, name: str, declared: int) -> None:
    """Rewrite the local and central headers of part ``name`` to declare ``declared`` bytes unpacked."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, declared)
    encoded = name.encode()
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, central + 24, declared)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def test_a_zip_part_that_lies_about_its_size_is_not_unpacked_past_the_lie(tmp_path: Path) -> None:
    path = hostile_inputs.pptx_paragraph_bomb(tmp_path / "liar.pptx", 80 * MIB)
    _lie_about_size(path, "ppt/slides/slide1.xml", 1000)  # declares 1 kB, holds 80 MB
    with pytest.raises((MalformedDocument, LimitExceeded)) as caught:
        list(read_path(path))
    assert "slide1.xml" in caught.value.message or "zip" in caught.value.message


@pytest.mark.parametrize("build", [hostile_inputs.xlsx_shared_strings_bomb, hostile_inputs.xlsx_sheet_bomb])
def test_xlsx_whose_part_unpacks_past_the_limit_fails_naming_the_part(tmp_path: Path, build: object) -> None:
    path = build(tmp_path / "bomb.xlsx", 80 * MIB)  # type: ignore[operator]
    assert path.stat().st_size < 2 * MIB
    assert detect_format(path) == "table"
    with pytest.raises(LimitExceeded) as caught:
        list(read_path(path))
    assert caught.value.message.startswith("part xl/") and "over the 64 MB limit" in caught.value.message


def test_xlsx_parts_unpacking_past_the_total_limit_fail(tmp_path: Path) -> None:
    path = hostile_inputs.xlsx_sheet_bomb(tmp_path / "cell.xlsx", 3 * MIB)
    with pytest.raises(LimitExceeded, match="in all"):
        list(read_path(path, Limits(max_part_bytes=4 * MIB, max_unpacked_bytes=2 * MIB)))


def test_xlsx_with_one_huge_cell_within_the_limits_is_read_and_cut(tmp_path: Path) -> None:
    path = hostile_inputs.xlsx_sheet_bomb(tmp_path / "cell.xlsx", 3 * MIB)
    [document] = documents(list(read_path(path, Limits(max_chars=50_000))))
    assert document.title == "Trial" and len(document.text) <= 50_000
    assert_spans_inside(document)


# ---------------------------------------------------------------- gzip bomb in PubMed XML


def test_gzip_pubmed_bomb_of_spaces_fails_when_planned_and_when_read(tmp_path: Path) -> None:
    path = hostile_inputs.pubmed_gzip_bomb(tmp_path / "spaces.xml.gz", 80 * MIB)
    assert path.stat().st_size < MIB
    with pytest.raises(LimitExceeded) as caught:
        list(pubmed_xml.split_records(path, 250))
    assert "64 MB without a PubmedArticle start" in caught.value.message
    with pytest.raises(LimitExceeded):
        list(read_path(path))


def test_planning_keeps_the_records_before_an_oversized_gap(tmp_path: Path) -> None:
    article = "<PubmedArticle><MedlineCitation><PMID>{}</PMID><Article><ArticleTitle>Trial {}</ArticleTitle>" \
              "</Article></MedlineCitation></PubmedArticle>\n"
    text = "<?xml version='1.0'?>\n<PubmedArticleSet>\n" + "".join(article.format(n, n) for n in range(1, 6))
    text += " " * (3 * MIB) + article.format(6, 6) + "</PubmedArticleSet>\n"
    path = hostile_inputs.gzip_file(tmp_path / "gap.xml.gz", text.encode())
    limits = Limits(max_part_bytes=MIB)
    pieces = []
    with pytest.raises(LimitExceeded):
        for piece in pubmed_xml.split_records(path, 2, limits):
            pieces.append(piece)
    read = [item for first, data, _, _ in pieces
            for _, item in pubmed_xml.read_range(path, limits, first, data=data)]
    assert [item.metadata.pmid for item in read] == ["1", "2", "3", "4"]  # 5 is the record before the gap


def test_pubmed_stream_unpacking_past_the_total_limit_fails(tmp_path: Path) -> None:
    article = "<PubmedArticle><MedlineCitation><PMID>{}</PMID><Article><ArticleTitle>Trial number {}" \
              "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
    text = "<?xml version='1.0'?>\n<PubmedArticleSet>\n" + "".join(article.format(n, n) for n in range(1, 20_001))
    path = hostile_inputs.gzip_file(tmp_path / "many.xml.gz", (text + "</PubmedArticleSet>\n").encode())
    limits = Limits(max_unpacked_bytes=MIB)
    with pytest.raises(LimitExceeded, match="unpacks to more than 1 MB"):
        list(pubmed_xml.split_records(path, 250, limits))
    items = list(read_path(path, limits))
    assert isinstance(items[-1], Failure) and "unpacks to more than 1 MB" in items[-1].message
    assert len(documents(items)) > 1000


@pytest.mark.parametrize(("name", "head", "tail"), [("endless.ris.gz", "TY  - JOUR\nTI  - A trial\nAB  - ", "\nER  - \n"),
                                                   ("endless.csv.gz", "title,abstract\nA trial,", "\n")])
def test_gzip_citation_file_with_an_endless_line_fails_at_the_line_bound(tmp_path: Path, name: str, head: str,
                                                                        tail: str) -> None:
    path = hostile_inputs.gzip_file(tmp_path / name, head.encode() + b"x" * (3 * MIB) + tail.encode())
    with pytest.raises(LimitExceeded, match="more than 1 MB without a line end"):
        list(read_path(path, Limits(max_part_bytes=MIB)))
    assert len(documents(list(read_path(path, Limits(max_part_bytes=4 * MIB))))) == 1


# ---------------------------------------------------------------- a huge text file


def test_a_huge_text_file_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(b"A randomised trial of sleep\n\nWe randomised 100 adults. " * 100)
        handle.truncate(200 * 1000 * 1000)  # sparse: 200 MB of NULs that a whole read would have to hold
    with wall_clock_guard(READ_GUARD, "reading a 200 MB file"):
        [document] = documents(list(read_path(path, Limits(max_chars=2000))))
    assert len(document.text) <= 2000 and "\x00" not in document.text
    assert any("the rest of the file was not read" in warning for warning in document.warnings)


@pytest.mark.parametrize("character", ["€", "é", "𝛼"])
def test_a_text_cut_at_the_limit_keeps_whole_characters(tmp_path: Path, character: str) -> None:
    path = tmp_path / "wide.txt"
    path.write_text(character * 1000, encoding="utf-8")
    [document] = documents(list(read_path(path, Limits(max_chars=10), fmt="text")))
    assert document.text == character * 10


# ---------------------------------------------------------------- one over-long record


def _long_records(fmt: str, long_abstract: str) -> tuple[str, str]:
    """(file name, text) of five records of ``fmt``; record 3 has ``long_abstract``."""
    short = "We randomised 100 adults. " * 2
    abstracts = [long_abstract if i == 3 else short for i in range(1, 6)]
    if fmt == "ris":
        return "l.ris", "".join(f"TY  - JOUR\nTI  - S{i}\nAB  - {a}\nER  - \n" for i, a in enumerate(abstracts, 1))
    if fmt == "bibtex":
        return "l.bib", "".join(f"@article{{k{i},\n title = {{S{i}}},\n abstract = {{{a}}}\n}}\n"
                                for i, a in enumerate(abstracts, 1))
    if fmt == "medline":
        return "l.nbib", "".join(f"PMID- {i}\nTI  - S{i}\nAB  - {a}\n\n" for i, a in enumerate(abstracts, 1))
    if fmt == "tagged":
        return "l.txt", "".join(f"TITLE=S{i}\nABSTRACT={a}\n\n" for i, a in enumerate(abstracts, 1))
    if fmt == "pubmed_xml":
        body = "".join(f"<PubmedArticle><MedlineCitation><PMID>{i}</PMID><Article><ArticleTitle>S{i}</ArticleTitle>"
                       f"<Abstract><AbstractText>{a}</AbstractText></Abstract></Article></MedlineCitation>"
                       "</PubmedArticle>\n" for i, a in enumerate(abstracts, 1))
        return "l.xml", f"<?xml version='1.0'?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n"
    if fmt == "jats":
        body = "".join(f"<article><front><article-meta><title-group><article-title>S{i}</article-title>"
                       f"</title-group><abstract><p>{a}</p></abstract></article-meta></front></article>"
                       for i, a in enumerate(abstracts, 1))
        return "l.nxml", f"<?xml version='1.0'?>\n<pmc-articleset>{body}</pmc-articleset>\n"
    assert fmt == "table"
    return "l.csv", "title,abstract,year\n" + "".join(f'"S{i}","{a}",2020\n' for i, a in enumerate(abstracts, 1))


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "medline", "tagged", "pubmed_xml", "jats", "table", "xlsx"])
def test_one_record_over_max_chars_is_cut_with_a_warning_and_the_others_are_read(tmp_path: Path, fmt: str) -> None:
    long_abstract = "We randomised 100 adults. " * 400  # 10,400 characters, over the limit below
    if fmt == "xlsx":
        rows = [(f"S{i}", long_abstract if i == 3 else "We randomised 100 adults.", 2020) for i in range(1, 6)]
        path = hostile_inputs.write_xlsx(tmp_path / "l.xlsx", rows)
    else:
        name, text = _long_records(fmt, long_abstract)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
    limits = Limits(max_chars=5000)
    items = list(read_path(path, limits))
    found = documents(items)
    assert [d.title for d in found] == ["S1", "S2", "S3", "S4", "S5"], items
    cut = found[2]
    assert len(cut.text) <= 5000 and any("cut at 5000" in warning for warning in cut.warnings)
    for document in found:
        assert_spans_inside(document)
        extract_document(document, use_models=False)  # was: IndexError past the end of the cut text


def test_make_document_cut_inside_the_title_keeps_a_title_that_is_its_text() -> None:
    document = make_document(fmt="ris", path=Path("x.ris"), title="T" * 50, abstract="A" * 50,
                             limits=Limits(max_chars=20))
    assert document.text == "T" * 20 and document.title == "T" * 20 and document.title_span == (0, 20)
    assert document.abstract_span is None and document.abstract is None and document.sections == []


@pytest.mark.slow
def test_the_issue_csv_with_a_3m_character_field_stores_every_record(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from extractor.cli import cli
    from extractor.store import Store

    path = tmp_path / "l.csv"
    path.write_text("title,abstract,year\n" + "".join(
        f'"S{i}","' + ("We randomised 100 adults. " * (120000 if i == 3 else 2)) + '",2020\n' for i in range(1, 6)))
    db = tmp_path / "l.db"
    result = CliRunner().invoke(cli, ["extract", str(path), "--db", str(db), "--rules-only", "-q"])
    assert result.exit_code == 0, result.output
    store = Store(db)
    assert store.source(str(path))["documents"] == 5
    assert sorted(r["title"] for r in store.db.query("select title from documents")) == [f"S{i}" for i in range(1, 6)]


# ---------------------------------------------------------------- CSV sniffing


@pytest.mark.parametrize(
    ("name", "header"),
    [("two.csv", "title,abstract"), ("two.txt", "Title;Abstract"), ("tab.tsv", "title\tabstract"),
     ("one.csv", "abstract"), ("asreview.csv", "primary_title,notes_abstract")],
)
def test_a_header_of_known_column_names_is_a_table_whatever_their_count(tmp_path: Path, name: str,
                                                                        header: str) -> None:
    delimiter = "\t" if "\t" in header else ";" if ";" in header else ","
    columns = header.count(delimiter) + 1
    rows = [delimiter.join([f"Trial {n}", "We randomised 100 adults."][:columns] if columns > 1
                           else ["We randomised 100 adults."]) for n in (1, 2)]
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert detect_format(path) == "table"
    assert len(documents(list(read_path(path)))) == 2


@pytest.mark.parametrize("first_line", ["Abstract", "Title, Background and aims of the study"])
def test_text_starting_with_a_column_like_word_stays_text(tmp_path: Path, first_line: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(f"{first_line}\nWe randomised 100 adults to sleep more.\n", encoding="utf-8")
    assert detect_format(path) == "text"


def test_a_csv_file_read_as_text_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("Some notes about the trial\nWe randomised 100 adults.\n", encoding="utf-8")
    [document] = documents(list(read_path(path)))
    assert document.format == "text"
    assert any("a .csv file read as plain text" in warning and "'title'" in warning for warning in document.warnings)


# ---------------------------------------------------------------- XML error text


def _nested_abstract(depth: int) -> str:
    return "<i>" * depth + "deep" + "</i>" * depth


def test_a_deeply_nested_pubmed_record_fails_saying_so_and_the_others_are_read(tmp_path: Path) -> None:
    article = "<PubmedArticle><MedlineCitation><PMID>{}</PMID><Article><ArticleTitle>Trial {}</ArticleTitle>" \
              "<Abstract><AbstractText>{}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>\n"
    body = "".join(article.format(n, n, _nested_abstract(20_000) if n == 2 else "Short.") for n in (1, 2, 3))
    path = tmp_path / "deep.xml"
    path.write_text(f"<?xml version='1.0'?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n", encoding="utf-8")
    items = list(read_path(path))
    assert [d.title for d in documents(items)] == ["Trial 1", "Trial 3"]
    [failure] = [item for item in items if isinstance(item, Failure)]
    assert failure.record == "record 2" and "nested too deeply" in failure.message
    assert "check the file can be read" not in failure.hint and "nest" in failure.hint


def test_a_deeply_nested_jats_article_fails_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "deep.nxml"
    path.write_text("<?xml version='1.0'?>\n<article><front><article-meta><title-group><article-title>T"
                    f"</article-title></title-group><abstract><p>{_nested_abstract(20_000)}</p></abstract>"
                    "</article-meta></front></article>\n", encoding="utf-8")
    with pytest.raises(MalformedDocument, match="nested too deeply"):
        list(read_path(path))


def test_a_broken_one_record_file_does_not_speak_of_records_after_it(tmp_path: Path) -> None:
    record = "<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Trial</ArticleTitel>" \
             "</Article></MedlineCitation></PubmedArticle>\n"
    path = tmp_path / "one.xml"
    path.write_text(f"<?xml version='1.0'?>\n<PubmedArticleSet>\n{record}</PubmedArticleSet>\n", encoding="utf-8")
    items = [item for _, item in pubmed_xml.read_range(path, Limits())]
    [failure] = items
    assert isinstance(failure, RecordFailure) and "mismatched tag" in failure.message
    assert "records after it" not in failure.message


def test_a_broken_middle_record_still_says_the_records_after_it_were_read(tmp_path: Path) -> None:
    good = "<PubmedArticle><MedlineCitation><PMID>{}</PMID><Article><ArticleTitle>Trial</ArticleTitle>" \
           "</Article></MedlineCitation></PubmedArticle>\n"
    bad = good.replace("</ArticleTitle>", "</ArticleTitel>")
    path = tmp_path / "three.xml"
    path.write_text("<?xml version='1.0'?>\n<PubmedArticleSet>\n" + good.format(1) + bad.format(2) + good.format(3)
                    + "</PubmedArticleSet>\n", encoding="utf-8")
    items = [item for _, item in pubmed_xml.read_range(path, Limits())]
    [failure] = [item for item in items if isinstance(item, RecordFailure)]
    assert failure.message.endswith("the records after it were read")



@pytest.mark.parametrize(("words", "size", "expected"), [
    (["a", "a", "a", "a", ".", "a", "a", "a", "a", "a"], 6, [(0, 5), (5, 10)]),  # cut after the full stop
    (["a"] * 12, 5, [(0, 5), (5, 10), (10, 12)]),  # no full stop: cut at the size
    (["a", "."] * 3, 20, [(0, 6)]),  # short texts stay one piece
])
def test_the_outcome_model_tags_a_long_text_in_pieces(words: list[str], size: int,
                                                      expected: list[tuple[int, int]]) -> None:
    from extractor.models.outcome_spans import _pieces

    assert _pieces(words, size) == expected


def test_an_unclosed_abstract_tag_with_many_labels_in_a_ris_abstract_is_read_at_once(tmp_path: Path) -> None:
    path = tmp_path / "labels.ris"
    path.write_text("TY  - JOUR\nTI  - A trial\nAB  - </p><AbstractText " + 'Label="x" ' * 50_000 + "\nER  - \n",
                    encoding="utf-8")
    with wall_clock_guard(READ_GUARD, "reading an unclosed AbstractText tag"):
        [document] = documents(list(read_path(path)))
    assert document.title == "A trial"
