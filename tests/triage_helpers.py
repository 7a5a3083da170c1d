"""A small triage database made from a CSV written in the test (rules-only extraction)."""

from __future__ import annotations

import csv
from pathlib import Path

from extractor.batch.options import ExtractOptions
from extractor.batch.run import run_extract
from extractor.store import Store
from extractor.store_triage import TriageStore
from extractor.triage.criteria import Criteria

PAPERS = [
    # title, abstract, year, doi
    ("Parent coaching for toddler sleep problems: a randomised controlled trial",
     "Methods: 240 families were randomised to coaching or usual care. The outcome was night waking.", 2019,
     "10.1000/a1"),
    ("Parent coaching for toddler sleep problems: a randomized controlled trial.",
     "Methods: 240 families were randomised to coaching or usual care.", 2019, ""),
    ("A cohort study of adult diet", "We followed 30 adults for a year in a prospective cohort.", 2015,
     "10.1000/b2"),
    ("Night waking in toddlers: a randomised trial of nurse visits",
     "We randomised 180 toddlers to nurse visits or none; night waking was the primary outcome.", 2021,
     "10.1000/c3"),
    ("Cost of hospital parking: a survey", "A cross-sectional survey of parking fees in 50 hospitals.", 2010,
     "10.1000/d4"),
    ("Bedtime routines and toddler sleep: a randomised trial",
     "Families of 120 toddlers were randomised to a bedtime routine; sleep onset and night waking improved.",
     2018, "10.1000/e5"),
    ("Hospital parking charges and staff retention",
     "We surveyed hospital staff in 40 trusts about parking charges and retention.", 2012, "10.1000/f6"),
]


def write_papers(path: Path, rows: list[tuple[str, str, int, str]] = PAPERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year", "doi"])
        writer.writerows(rows)
    return path


def triage_db(tmp_path: Path, criteria: Criteria | None = None,
              papers: list[tuple[str, str, int, str]] = PAPERS) -> TriageStore:
    """A database holding ``papers`` (PAPERS by default; extracted with the rules), with criteria set."""
    db = tmp_path / "triage.db"
    store = Store(db)
    run_extract([str(write_papers(tmp_path / "papers.csv", papers))], store, ExtractOptions(use_models=False))
    store.close()
    tstore = TriageStore(db)
    tstore.set_criteria(criteria or Criteria(), "", "test")
    return tstore
