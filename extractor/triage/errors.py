"""Typed errors of triage; the CLI turns each into one line."""

from __future__ import annotations

from ..errors import ExtractorError


class BadCriteria(ExtractorError):
    """The criteria file is missing, not TOML, or holds a value of the wrong kind."""

    kind = "criteria"
    hint = "fix the criteria TOML (see `extractor triage init --help` for the keys)"


class BadLabels(ExtractorError):
    """A labelled dataset or decision file that cannot be used."""

    kind = "labels"
    hint = "give a CSV/TSV with title, abstract and a 0/1 `included` (or `label_included`) column"


class NotInitialised(ExtractorError):
    """The database has no triage criteria yet."""

    kind = "triage"
    hint = "run `extractor triage init --db FILE --criteria FILE` first"
