"""Whole-document outputs on the bundled corpus match the reviewed golden records.

Regenerate with ``.venv/bin/python scripts/update_golden.py`` and review the diff.
"""

from __future__ import annotations

import importlib.util
import json

from conftest import REPO

_spec = importlib.util.spec_from_file_location("update_golden", REPO / "scripts" / "update_golden.py")
update_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_golden)


def test_corpus_records_match_the_golden_file() -> None:
    expected = [json.loads(line) for line in update_golden.GOLDEN.read_text(encoding="utf-8").splitlines()]
    actual = [json.loads(json.dumps(r, sort_keys=True)) for r in update_golden.corpus_records()]
    assert [r["doc_id"] for r in actual] == [r["doc_id"] for r in expected]
    for got, want in zip(actual, expected, strict=True):
        assert got == want, f"{got['doc_id']} differs from tests/golden/corpus.jsonl (see scripts/update_golden.py)"
