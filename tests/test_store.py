"""The SQLite store: migrations, batch writes, round trips, search."""

from __future__ import annotations

from pathlib import Path

from extractor.store import Store, migrations, prepare_record
from extractor.types import Document, Failure, Identifier, Metadata, Page, Section


def write(store: Store, documents: list[Document], run_id: int, failures: list[Failure] | None = None,
          sources: list[dict] | None = None) -> None:
    """Documents (without study units), failures and sources through the store's one writer."""
    store.write_records([prepare_record(document, []) for document in documents], failures or [], sources or [],
                        run_id, "")


def make_document(doc_id: str = "doc1", title: str = "Peer support for new fathers") -> Document:
    text = f"{title}\n\nAbstract\nWe randomised 80 fathers. Registered as NCT01234567."
    start = text.index("We randomised")
    return Document(
        doc_id=doc_id,
        source_path="/tmp/doc1.txt",
        format="text",
        text=text,
        title=title,
        abstract=text[start:],
        title_span=(0, len(title)),
        abstract_span=(start, len(text)),
        sections=[Section("Abstract", start - 9, len(text))],
        pages=[Page(1, 0, len(text))],
        metadata=Metadata(authors=["Doe, J"], year=2021, journal="J Test", doi="10.1/x", pmid="123",
                          publication_types=["Randomized Controlled Trial"], keywords=["fathers"],
                          extra={"volume": "3"}),
        identifiers=[Identifier("nct", "NCT01234567", text.index("NCT"), text.index("NCT") + 11)],
        record_index=1,
    )


def test_migrations_create_the_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = Store(path)
    tables = set(store.db.table_names())
    assert {"runs", "sources", "documents", "identifiers", "failures", "documents_fts"} <= tables
    store.close()
    again = Store(path)  # re-opening applies nothing twice
    assert [m.name for m in migrations.applied(again.db)] == ["m001_documents", "m002_studies_and_values", "m003_corrections",
                                                             "m004_review", "m005_scale", "m006_run_owner",
                                                             "m007_correction_parts", "m008_identifier_role"]


def test_document_round_trips_through_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    run_id = store.start_run("extract", {}, [], "test")
    document = make_document()
    write(store, [document], run_id)
    loaded = store.document("doc1")
    assert loaded == document
    assert loaded.registrations == ["NCT01234567"]
    assert store.stored_hashes(["doc1", "nope"]) == {"doc1": (document.content_hash, "")}


def test_rewriting_a_document_replaces_its_identifiers(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    run_id = store.start_run("extract", {}, [], "test")
    write(store, [make_document()], run_id)
    write(store, [make_document()], run_id)
    assert store.db["identifiers"].count == 1
    assert store.db["documents"].count == 1


def test_full_text_search_finds_title_words(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    run_id = store.start_run("extract", {}, [], "test")
    write(store, [make_document("a", "Peer support for new fathers"),
                  make_document("b", "Sleep coaching for infants")], run_id)
    assert [row["doc_id"] for row in store.search("coaching")] == ["b"]


def test_failures_and_sources_are_recorded_with_the_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    run_id = store.start_run("extract", {"force": False}, ["in"], "test")
    failure = Failure("/tmp/bad.pdf", "encrypted", "the PDF is encrypted", "remove the password", page=None)
    write(store, [], run_id, [failure], [{"path": "/tmp/bad.pdf", "sha256": "ab", "size": 3, "format": "pdf",
                                         "documents": 0, "failures": 1, "status": "failed"}])
    store.finish_run(run_id, {"failures": 1}, "complete")
    figures = store.stats()
    assert figures["last_run"]["failures"] == 1
    assert figures["last_run_failures"][0]["kind"] == "encrypted"
    assert store.source("/tmp/bad.pdf")["status"] == "failed"


def test_loading_the_store_leaves_pandas_importable() -> None:
    """The store hides pandas while sqlite_utils loads (a faster start); whoever imports pandas later gets it."""
    import subprocess
    import sys

    code = ("import importlib.util, sys; import extractor.store; "
            "assert 'pandas' not in sys.modules or sys.modules['pandas'] is not None; "
            "found = importlib.util.find_spec('pandas') is not None; "
            "found and __import__('pandas'); print('pandas' if found else 'no pandas')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_source_written_again_is_updated_in_place_and_looked_up_in_one_go(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    first = store.start_run("extract", {}, ["in"], "test")
    source = {"path": "/tmp/doc1.txt", "sha256": "ab", "size": 3, "format": "text", "documents": 1, "failures": 0,
              "status": "complete", "extraction_version": "v1"}
    write(store, [make_document()], first, sources=[source])
    second = store.start_run("extract", {}, ["in"], "test")
    write(store, [], second, sources=[{**source, "sha256": "cd", "status": "partial", "failures": 1}])
    again = store.source("/tmp/doc1.txt")
    assert (again["sha256"], again["status"], again["failures"], again["run_id"]) == ("cd", "partial", 1, second)
    assert store.stats()["sources"] == 1
    assert store.sources_of(["/tmp/doc1.txt", "/tmp/never.txt"]) == {"/tmp/doc1.txt": again}
    assert store.sources_with_documents(["/tmp/doc1.txt", "/tmp/never.txt"]) == {"/tmp/doc1.txt"}
    many = [f"/tmp/other{n}.txt" for n in range(1200)] + ["/tmp/doc1.txt"]  # more than one query's worth
    assert set(store.sources_of(many)) == store.sources_with_documents(many) == {"/tmp/doc1.txt"}
