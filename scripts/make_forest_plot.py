"""Regenerate docs/forest-plot.png and .svg from the documents in ../shared/corpus.

    .venv/bin/python scripts/make_forest_plot.py [--shared ../shared] [--db /tmp/c.db] [--out docs]

Extracts the corpus into a database (kept when --db is given), then synthesises the outcome
"depression" on the SMD scale over the randomised trials, as the README shows. Prints the
summary table (every matched estimate, pooled or why not) to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.cli import cli  # noqa: E402
from extractor.store import Store  # noqa: E402
from extractor.synthesis.analysis import synthesize  # noqa: E402
from extractor.synthesis.forest import forest_plot  # noqa: E402
from extractor.synthesis.summary import summary_lines  # noqa: E402

OUTCOME, MEASURE, DESIGNS = "depression", "SMD", ["rct", "cluster_rct"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared")))
    parser.add_argument("--db", type=Path, help="database to extract into (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    if not corpus.is_dir():
        sys.exit(f"{corpus}: no such folder; pass --shared or set EXTRACTOR_SHARED")
    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "corpus.db"
        try:
            cli.main(["extract", str(corpus), "--db", str(db), "-q"], standalone_mode=False)
        except SystemExit as stop:  # extract exits 1 when a file failed; the rest is still stored
            if stop.code not in (0, 1, None):
                raise
        store = Store(db)
        result = synthesize(store, OUTCOME, MEASURE, designs=DESIGNS, keep_shared=True)  # a12 and b18: see README
        store.close()
    paths = forest_plot(result, args.out, stem="forest-plot")
    print("\n".join(summary_lines(result)))
    print("wrote " + ", ".join(str(path) for path in paths), file=sys.stderr)


if __name__ == "__main__":
    main()
