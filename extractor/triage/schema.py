"""The triage tables' records and store, as the rest of ``triage`` imports them.

The tables, their migrations and their queries belong to the store (``extractor.store_triage``);
this module names them for the triage code.
"""

from __future__ import annotations

from ..store_triage import DECISIONS, Decision, Merge, TriageStore, migrations, now

__all__ = ["DECISIONS", "Decision", "Merge", "TriageStore", "migrations", "now"]
