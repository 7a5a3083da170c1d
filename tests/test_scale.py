"""Scale (issue 8): PubMed files cut into chunks, update files (revisions, deletions), Parquet, flat memory.

The PubMed XML files here are written by the tests (``pubmed_file``); no third-party text.
"""

from __future__ import annotations

import gzip
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from extractor.batch import run, tasks, writer
from extractor.batch.events import Failed, TaskDone
from extractor.batch.options import ExtractOptions
from extractor.batch.parquet import NotAParquetFolder, load_parquet
from extractor.batch.run import run_extract
from extractor.cli import cli
from extractor.extract.document import extraction_version
from extractor.readers import pubmed_xml
from extractor.readers.base import Limits
from extractor.store import Store

ABSTRACT = (
    "Background: Evening light may delay sleep. Methods: We randomised {n} adults with insomnia to dim evening "
    "light or usual light for 8 weeks. Results: Sleep onset latency fell by 12 minutes (mean difference -12.0, "
    "95% CI -18.5 to -5.5; p &lt; 0.001). Trial registration: NCT0999{pmid:04d}."
)


def article(pmid: int, title: str, n: int = 120, with_citation: bool = True) -> str:
    """One PubmedArticle (or a broken one without MedlineCitation)."""
    if not with_citation:
        return f"<PubmedArticle><PubmedData><ArticleIdList><ArticleId IdType='pubmed'>{pmid}</ArticleId>" \
               "</ArticleIdList></PubmedData></PubmedArticle>"
    abstract = ABSTRACT.format(n=n, pmid=pmid % 10000)
    return (f"<PubmedArticle><MedlineCitation Status='MEDLINE'><PMID Version='1'>{pmid}</PMID>"
            "<Article><Journal><Title>Journal of Invented Sleep Studies</Title><JournalIssue><PubDate>"
            f"<Year>2024</Year></PubDate></JournalIssue></Journal><ArticleTitle>{title}</ArticleTitle>"
            f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract><Language>eng</Language></Article>"
            "</MedlineCitation></PubmedArticle>")


def pubmed_file(path: Path, articles: list[str], deleted: list[int] = (), gzipped: bool = False) -> Path:
    """A PubmedArticleSet file holding ``articles`` and a DeleteCitation for ``deleted``."""
    deletion = ("<DeleteCitation>" + "".join(f"<PMID Version='1'>{p}</PMID>" for p in deleted)
                + "</DeleteCitation>") if deleted else ""
    text = ('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n' + "\n".join(articles)
            + f"\n{deletion}</PubmedArticleSet>\n")
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    return path


def baseline(folder: Path, pmids: range, gzipped: bool = False, name: str = "pubmed24n0001.xml") -> Path:
    """A baseline-like file of one article per PMID."""
    titles = [article(pmid, f"Dim evening light for insomnia: trial {pmid}", n=100 + pmid % 50) for pmid in pmids]
    return pubmed_file(folder / (name + (".gz" if gzipped else "")), titles, gzipped=gzipped)


def records(store: Store) -> list[tuple]:
    """Every stored document with its chosen and candidate values, comparable across runs."""
    documents = sorted((r["doc_id"], r["source_path"], r["content_hash"], r["deleted_at"] is not None)
                       for r in store.db.query("select * from documents"))
    values = sorted((r["doc_id"], r["study_id"], r["field"], r["value"], r["start"], r["end"], r["chosen"], r["role"],
                     r["source"]) for r in store.db.query("select * from extracted_values"))
    return [documents, values]


def failures(store: Store) -> list[tuple]:
    return sorted((r["path"], r["record"], r["kind"], r["message"]) for r in store.db.query("select * from failures"))


def live(store: Store, pmid: str) -> list[dict]:
    return list(store.db.query("select doc_id, title, source_path, deleted_at, deleted_by from documents "
                               "where pmid = ?", [pmid]))


# ---------------------------------------------------------------- reading PubMed files in chunks


@pytest.mark.parametrize(("count", "gzipped"), [(1, False), (7, False), (7, True), (2500, True)])
def test_count_records_counts_articles_without_parsing(tmp_path: Path, count: int, gzipped: bool) -> None:
    path = baseline(tmp_path, range(1, count + 1), gzipped=gzipped)
    assert pubmed_xml.count_records(path) == count


@pytest.mark.parametrize(("count", "size", "firsts"), [(7, 3, [1, 4, 7]), (6, 3, [1, 4]), (3, 3, [1]), (2, 5, [1])])
def test_split_records_cuts_well_formed_pieces_that_hold_every_record(tmp_path: Path, count: int, size: int,
                                                                      firsts: list[int]) -> None:
    path = pubmed_file(tmp_path / "p.xml.gz", [article(pmid, f"Trial {pmid}") for pmid in range(1, count + 1)],
                       deleted=[42], gzipped=True)
    pieces = list(pubmed_xml.split_records(path, size))
    assert [first for first, _, _, _ in pieces] == firsts and pieces[-1][2]
    assert [lines for _, _, _, lines in pieces] == [first - 1 for first in firsts]  # one record a line
    if len(pieces) == 1:
        assert pieces[0][1] is None  # small enough to read whole
        return
    seen, deleted = [], []
    for first, data, _, _ in pieces:
        seen += [(n, d.metadata.pmid) for n, d in pubmed_xml.read_range(path, Limits(), first, None, deleted, data)]
    assert seen == [(n, str(n)) for n in range(1, count + 1)]
    assert deleted == ["42"]


@pytest.mark.parametrize("chunk_records", [2, 3, 5])
def test_a_file_cut_into_chunks_stores_what_the_whole_file_stores(tmp_path: Path, chunk_records: int) -> None:
    articles = [article(pmid, f"Dim evening light for insomnia: trial {pmid}") for pmid in range(1, 8)]
    articles.insert(4, article(99, "", with_citation=False))  # record 5 cannot be read
    path = pubmed_file(tmp_path / "in" / "pubmed24n0001.xml.gz", articles, deleted=[123], gzipped=True)
    whole, cut = Store(tmp_path / "whole.db"), Store(tmp_path / "cut.db")
    run_extract([str(path)], whole, ExtractOptions(chunk_records=0))
    run_extract([str(path)], cut, ExtractOptions(chunk_records=chunk_records))
    assert records(cut) == records(whole)
    assert [(p, kind) for p, _, kind, _ in failures(cut)] == [(p, kind) for p, _, kind, _ in failures(whole)]
    assert len(records(whole)[0]) == 7
    assert cut.db["sources"].get(str(path))["documents"] == 7


def test_a_one_record_file_keeps_the_stem_as_doc_id(tmp_path: Path) -> None:
    path = baseline(tmp_path, range(5, 6), name="single.xml")
    store = Store(tmp_path / "x.db")
    run_extract([str(path)], store)
    assert [r["doc_id"] for r in store.db.query("select doc_id from documents")] == ["single"]


@pytest.mark.parametrize("chunk_records", [0, 3])
def test_a_truncated_file_keeps_the_records_before_the_damage_and_fails_once(tmp_path: Path,
                                                                             chunk_records: int) -> None:
    path = baseline(tmp_path / "in", range(1, 9))
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"<PMID Version='1'>7<") + 40])  # cut inside record 7
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(path)], store, ExtractOptions(chunk_records=chunk_records))
    [failure] = failures(store)
    assert failure[2] == "truncated" and failure[3].startswith("stopped after record 6")
    assert "at line 9," in failure[3]  # the file's line (record 7's), also when the file was cut into pieces
    assert summary.documents_written == 6
    assert store.db["sources"].get(str(path))["status"] == "partial"


@pytest.mark.parametrize("chunk_records", [0, 3])
def test_a_record_that_breaks_the_xml_costs_that_record_only(tmp_path: Path, chunk_records: int) -> None:
    articles = [article(pmid, f"Dim evening light for insomnia: trial {pmid}") for pmid in range(1, 9)]
    articles[4] = articles[4].replace("</ArticleTitle>", "</ArticleTitel>")  # record 5: a bad closing tag
    path = pubmed_file(tmp_path / "in" / "pubmed24n0001.xml.gz", articles, deleted=[123], gzipped=True)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(path)], store, ExtractOptions(chunk_records=chunk_records))
    [(_, record, kind, message)] = failures(store)
    assert (record, kind) == ("record 5", "malformed") and "mismatched tag" in message
    assert "at line 7," in message  # the file's line (one record a line after two of header)
    assert summary.documents_written == 7
    assert sorted(r["pmid"] for r in store.db.query("select pmid from documents")) == sorted(
        str(p) for p in [1, 2, 3, 4, 6, 7, 8])


@pytest.mark.parametrize("chunk_records", [0, 3])
def test_control_characters_xml_forbids_are_read_as_spaces_with_a_warning(tmp_path: Path,
                                                                         chunk_records: int) -> None:
    articles = [article(pmid, f"Dim evening light for insomnia: trial {pmid}") for pmid in range(1, 8)]
    articles[1] = articles[1].replace("for insomnia", "for\x0binsomnia")  # as some exports let through
    articles[5] = articles[5].replace("for insomnia", "for&#x1F;insomnia")
    path = pubmed_file(tmp_path / "in" / "pubmed24n0001.xml", articles)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(path)], store, ExtractOptions(chunk_records=chunk_records))
    assert summary.documents_written == 7 and not failures(store)
    titles = {r["pmid"]: r["title"] for r in store.db.query("select pmid, title from documents")}
    assert titles["2"] == titles["6"].replace("6", "2") == "Dim evening light for insomnia: trial 2"
    document = store.document(next(r["doc_id"] for r in store.db.query("select doc_id from documents where pmid = '6'")))
    assert any("control character" in warning for warning in document.warnings)


def test_damage_after_the_last_record_still_stops_with_a_failure(tmp_path: Path) -> None:
    path = pubmed_file(tmp_path / "in" / "pubmed24n0002.xml", [article(p, f"Trial {p}") for p in range(1, 4)],
                       deleted=[7])
    path.write_bytes(path.read_bytes().replace(b"</DeleteCitation>", b"</DeleteCitations>"))
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(path)], store)
    assert summary.documents_written == 3
    [(_, _, kind, message)] = failures(store)
    assert kind == "malformed" and message.startswith("stopped after record 3")


# ---------------------------------------------------------------- update files: revisions and deletions


def update_file(folder: Path) -> Path:
    """An update file: PMID 2 revised (new title), PMID 3 deleted."""
    revised = article(2, "Dim evening light for insomnia: trial 2 (corrected)", n=222)
    return pubmed_file(folder / "pubmed24n0002.xml", [revised], deleted=[3])


@pytest.mark.parametrize("order", ["together", "baseline first", "update first", "together with two workers"])
def test_a_revised_record_replaces_the_old_one_and_a_deleted_record_is_marked(tmp_path: Path, order: str) -> None:
    first = baseline(tmp_path / "in", range(1, 5))
    update = update_file(tmp_path / "in")
    store = Store(tmp_path / "x.db")
    if order.startswith("together"):
        run_extract([str(first), str(update)], store, ExtractOptions(workers=2 if "two" in order else 1))
    else:
        for path in ([first, update] if order == "baseline first" else [update, first]):
            run_extract([str(path)], store)
    [revised] = live(store, "2")
    assert revised["title"].endswith("(corrected)") and revised["source_path"] == str(update)
    assert revised["doc_id"] == "pubmed24n0001/2"  # the same whatever order the copies came in
    [deleted] = live(store, "3")
    assert deleted["deleted_at"] is not None and deleted["deleted_by"] == str(update)
    assert [row["deleted_at"] for row in live(store, "1")] == [None]
    assert store.db["documents"].count == 4
    n = {json.loads(r["value"])["n"] for r in store.db.query(
        "select value from extracted_values where doc_id = ? and field = 'sample_size' and chosen = 1",
        [revised["doc_id"]])}
    assert n == {222}


def test_rereading_the_baseline_after_an_update_keeps_the_revision(tmp_path: Path) -> None:
    first = baseline(tmp_path / "in", range(1, 5))
    update = update_file(tmp_path / "in")
    store = Store(tmp_path / "x.db")
    run_extract([str(first), str(update)], store)
    again = run_extract([str(first)], store, ExtractOptions(force=True))
    assert again.documents_superseded == 1
    [revised] = live(store, "2")
    assert revised["title"].endswith("(corrected)")
    assert live(store, "3")[0]["deleted_at"] is not None


def test_a_record_added_again_after_its_deletion_is_live(tmp_path: Path) -> None:
    first = baseline(tmp_path / "in", range(1, 5))
    update = update_file(tmp_path / "in")
    later = pubmed_file(tmp_path / "in" / "pubmed24n0003.xml", [article(3, "Trial 3 restored")])
    store = Store(tmp_path / "x.db")
    run_extract([str(first), str(update), str(later)], store)
    [restored] = live(store, "3")
    assert restored["deleted_at"] is None and restored["title"] == "Trial 3 restored"


# ---------------------------------------------------------------- Parquet


@pytest.mark.parametrize("use_models", [True, False])
def test_parquet_parts_loaded_later_give_the_records_of_a_direct_run(tmp_path: Path, use_models: bool) -> None:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    baseline(folder, range(1, 8), gzipped=True)
    update_file(folder)
    direct = Store(tmp_path / "direct.db")
    run_extract([str(folder)], direct, ExtractOptions(chunk_records=3, use_models=use_models))
    ledger = Store(tmp_path / "ledger.db")
    summary = run_extract([str(folder)], ledger, ExtractOptions(chunk_records=3, parquet_dir=str(tmp_path / "pq"),
                                                                use_models=use_models))
    assert ledger.db["documents"].count == 0 and summary.documents_written > 0
    assert (tmp_path / "pq" / "documents").is_dir() and (tmp_path / "pq" / "deletions").is_dir()
    merged = Store(tmp_path / "merged.db")
    load_parquet(tmp_path / "pq", merged)
    assert records(merged) == records(direct)
    versions = lambda store: {r["extraction_version"] for r in store.db.query(  # noqa: E731
        "select extraction_version from documents")}
    assert versions(merged) == versions(direct) == {extraction_version(use_models)}
    again = load_parquet(tmp_path / "pq", merged)
    assert again.documents_written == 0


def test_load_names_a_folder_without_parts(tmp_path: Path) -> None:
    with pytest.raises(NotAParquetFolder, match="no documents"):
        load_parquet(tmp_path, Store(tmp_path / "x.db"))


# ---------------------------------------------------------------- memory and time limits


def test_the_writer_keeps_no_per_document_state_between_batches(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = baseline(tmp_path / "in", range(1, 30))
    store = Store(tmp_path / "x.db")
    held: list[tuple[int, int]] = []  # (documents held, files in progress) after each batch
    original = writer.Writer.flush

    def flush(self: writer.Writer) -> None:
        original(self)
        held.append((len(self.claimed) + len(self.records), len(self.files)))

    monkeypatch.setattr(writer.Writer, "flush", flush)
    summary = run_extract([str(path)], store, ExtractOptions(batch_size=5, chunk_records=7))
    assert summary.documents_written == 29 and len(held) >= 5
    assert {documents for documents, _ in held} == {0}
    assert max(files for _, files in held) <= 1


def test_a_document_that_hangs_in_a_worker_thread_is_stopped_by_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow_reader(path, limits, fmt):
        for _ in range(500):
            time.sleep(0.01)
        yield from ()

    monkeypatch.setattr(tasks, "read_path", slow_reader)
    path = tmp_path / "paper.txt"
    path.write_text("A trial of something.\n\nWe randomised 40 people.", encoding="utf-8")
    result: list = []
    thread = threading.Thread(target=lambda: result.extend(
        tasks.process_task(tasks.Task(str(path), 1), Limits(max_seconds=0.2))))
    started = time.monotonic()
    thread.start()
    thread.join(10)
    assert time.monotonic() - started < 3
    assert [e.failure.kind for e in result if isinstance(e, Failed)] == ["timeout"]
    assert isinstance(result[-1], TaskDone)


def test_pool_workers_retire_and_are_replaced_without_losing_tasks(tmp_path: Path) -> None:
    path = baseline(tmp_path / "in", range(1, 13))
    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    run_extract([str(path)], one, ExtractOptions(chunk_records=2))
    summary = run_extract([str(path)], two, ExtractOptions(workers=2, chunk_records=2, documents_per_worker=1))
    assert records(two) == records(one)
    assert summary.documents_written == 12 and summary.failures == 0
    assert two.db["sources"].get(str(path))["status"] == "complete"


def test_a_long_one_worker_run_extracts_in_a_worker_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.batch.executors import local

    path = baseline(tmp_path / "in", range(1, 9))
    here = Store(tmp_path / "here.db")
    run_extract([str(path)], here, ExtractOptions(chunk_records=2))
    monkeypatch.setattr(run, "IN_PROCESS_TASKS", 2)
    monkeypatch.setattr(local, "in_process_events", lambda *args: pytest.fail("extracted in this process"))
    pooled = Store(tmp_path / "pooled.db")
    run_extract([str(path)], pooled, ExtractOptions(workers=1, chunk_records=2, documents_per_worker=2))
    assert records(pooled) == records(here)


def test_deleted_records_leave_exports_and_are_counted_in_stats(tmp_path: Path) -> None:
    """Regression: export, synthesis and screening read records a later update file had deleted."""
    db = tmp_path / "x.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["extract", str(CORPUS), "--db", str(db), "-q"]).exit_code == 0
    store = Store(db)
    total = store.db["documents"].count
    doc_id = next(store.documents()).doc_id
    store.db.execute("update documents set deleted_at = '2026-01-01', deleted_by = 'u.xml' where doc_id = ?", [doc_id])
    store.db.conn.commit()
    assert doc_id not in {d.doc_id for d in store.documents()}
    assert doc_id in {d.doc_id for d in store.documents(include_deleted=True)}
    exported = runner.invoke(cli, ["export", "--db", str(db)]).stdout.splitlines()
    assert len(exported) == total - 1
    assert store.stats()["deleted"] == 1


def test_a_file_that_goes_over_a_limit_while_it_is_cut_keeps_what_came_before_and_records_the_rest(
        tmp_path: Path) -> None:
    """Planning is bounded: a gap without a record start over ``max_part_bytes`` stops the cutting; the pieces
    before it are read, and the file carries one failure, so the run is complete and the file partial."""
    articles = [article(pmid, f"Dim evening light for insomnia: trial {pmid}") for pmid in range(1, 1202)]
    articles.insert(1200, " " * 2_000_000)  # after record 1200 (~1.6 MB in): 2 MB with no record start
    path = pubmed_file(tmp_path / "in" / "pubmed24n0009.xml.gz", articles, gzipped=True)
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(path)], store, ExtractOptions(chunk_records=250, use_models=False,
                                                            limits=Limits(max_part_bytes=1_000_000)))
    assert summary.status == "complete" and summary.files_unread == 0
    assert 500 <= store.db["documents"].count <= 1200
    [(failed_path, record, kind, message)] = failures(store)
    assert failed_path == str(path) and kind == "limit" and "read up to the damage" in message
    assert store.db["sources"].get(str(path))["status"] == "partial"
