"""Fast start: what the parent of a worker pool and ``--help`` import.

Workers are started with "spawn", so whatever the parent of ``extractor extract`` imports is paid once more for
nothing. These tests ask a fresh interpreter which modules it loaded (no timing is asserted; the figures are
measured by scripts/bench_extract.py --whole-process).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

EXTRACTION_CODE = ("spacy", "extractor.extract.fields", "extractor.extract.choice", "extractor.extract.document",
                   "extractor.textlayer")


def loaded_after(code: str) -> set[str]:
    """The module names a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_extract_parent_imports_no_extraction_code() -> None:
    modules = loaded_after("import extractor.cli, extractor.batch.run, extractor.batch.executors, "
                           "extractor.reporting\n"
                           "from extractor.extract.version import extraction_version\n"
                           "extraction_version(True)")
    assert "extractor.batch.run" in modules
    assert not modules & set(EXTRACTION_CODE)


def test_help_imports_neither_the_store_nor_the_extraction_code() -> None:
    modules = loaded_after("import sys\nsys.argv = ['extractor', 'extract', '--help']\n"
                           "from extractor.cli import main\n"
                           "try:\n    main()\nexcept SystemExit:\n    pass")
    assert "extractor.cli" in modules
    assert not modules & {"extractor.store", "sqlite_utils", *EXTRACTION_CODE}


def test_the_version_module_names_the_same_version_as_the_document_module() -> None:
    from extractor.extract import document, version

    assert document.EXTRACTION_VERSION == version.code_version() == document.extraction_version(True)
    assert document.extraction_version(False) == version.extraction_version(False) == \
        f"{document.EXTRACTION_VERSION}+rules-only"


def test_a_database_error_is_told_from_any_other_without_importing_the_store() -> None:
    from extractor import cli
    from extractor.store import SQLiteError

    assert cli._database_error(SQLiteError("database is locked"))
    assert not cli._database_error(ValueError("not a database error"))


def test_the_worker_function_extracts_without_the_extraction_code_imported_at_the_top() -> None:
    from extractor.batch.tasks import process_document
    from extractor.types import Document

    text = ("Walking and blood pressure: a randomised controlled trial\n\n"
            "We randomly assigned 120 adults to walking (n = 60) or usual care (n = 60).")
    document = Document(doc_id="walk", source_path="walk.txt", format="text", text=text)
    _, units = process_document(document, use_models=False)
    assert units and any(value.field == "design" and value.chosen for unit in units for value in unit.values)


@pytest.mark.parametrize("argv", [["--help"], ["extract", "--help"]])
def test_help_still_prints(argv: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "extractor.cli", *argv], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Usage:" in done.stdout
