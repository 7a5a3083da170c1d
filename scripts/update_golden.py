"""Regenerate the golden records of the bundled corpus (tests/golden/corpus.jsonl).

    .venv/bin/python scripts/update_golden.py && git diff tests/golden/

Review the diff before committing: every change in it is a change in what the
tool extracts from the example documents.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.extract.document import extract_document  # noqa: E402
from extractor.interchange import interchange_record  # noqa: E402
from extractor.readers import read_path  # noqa: E402
from extractor.types import Failure  # noqa: E402

GOLDEN = REPO / "tests" / "golden" / "corpus.jsonl"


def corpus_records() -> list[dict]:
    """Interchange records of every document in corpus/, in file order."""
    records = []
    for path in sorted((REPO / "corpus").iterdir()):
        if path.name.startswith(".") or path.name == "README.md":
            continue
        for item in read_path(path):
            if isinstance(item, Failure):
                raise SystemExit(f"{path}: {item.one_line()}")
            records.append(interchange_record(item, extract_document(item)))
    return records


def main() -> None:
    records = corpus_records()
    GOLDEN.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records),
                      encoding="utf-8")
    print(f"wrote {len(records)} records to {GOLDEN.relative_to(REPO)}")


if __name__ == "__main__":
    main()
