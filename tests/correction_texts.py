"""A trial abstract of our own for the correction tests: 73 randomised (38 + 35), 68 analysed, two estimates.

The tool reads 73 (randomised) as the sample size, links MD -2.4 to the UCLA Loneliness Scale (from the phrase
"loneliness") and MD 1.8 to "well-being" (no study outcome of that name).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from extractor.cli import cli

DOC = "garden"
TEXT = (
    "Garden club visits for lonely older adults: a randomised controlled trial\n\n"
    "Abstract\nBackground: Loneliness is common in later life.\n"
    "Methods: In this randomised controlled trial, 73 older adults were allocated to garden club visits (n = 38) "
    "or a control group (n = 35). Of these, 68 completed the 12-week assessment and were analysed. The primary "
    "outcome was loneliness on the UCLA Loneliness Scale; the secondary outcome was well-being on the WEMWBS.\n"
    "Results: Visits reduced loneliness (MD -2.4, 95% CI -3.9 to -0.9; p = 0.002) and improved well-being "
    "(MD 1.8, 95% CI 0.2 to 3.4; p = 0.03).\n"
    "Conclusions: Garden club visits eased loneliness.\n"
)
LONELINESS = {"measure": "MD", "value": -2.4, "ci": [-3.9, -0.9], "p": 0.002, "outcome": "UCLA Loneliness Scale"}
WELL_BEING = {"measure": "MD", "value": 1.8, "ci": [0.2, 3.4], "p": 0.03, "outcome": "well-being"}
SIZE = {"n": 73, "unit": "adults"}


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def extracted(folder: Path, name: str = "garden.db") -> Path:
    """The trial extracted into a new database in ``folder``."""
    source = folder / f"{DOC}.txt"
    if not source.exists():
        source.write_text(TEXT, encoding="utf-8")
    db = folder / name
    result = invoke("extract", source, "--db", db, "-q")
    assert result.exit_code == 0, result.stderr
    return db
