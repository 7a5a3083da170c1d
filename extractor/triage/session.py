"""The screening loop: the pool of records, the hard filter, the ranking, and decisions as they arrive.

The pool is every stored document not merged into another. Records failing the hard
criteria are set aside (listed, never ranked). The rest are ranked by the model once
there is an include and an exclude, by the criteria's prior score before that; each
decision is appended and the model refitted before the next record is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..store import now
from ..store_triage import Decision, TriageStore
from .criteria import Criteria, Evidence, Verdict, judge
from .features import evidence_of, evidence_row, feature_matrix, prior_score
from .ranker import Ranker, RankerSettings

LABELS = {"include": 1, "exclude": 0}


@dataclass
class Candidate:
    """One record as the screener sees it."""

    doc_id: str
    title: str | None
    abstract: str | None
    year: int | None
    evidence: Evidence
    verdict: Verdict
    effects: list[str] = field(default_factory=list)
    score: float = 0.0


def _effect_text(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    text = f"{value.get('measure') or 'effect'} {value.get('value')}"
    if value.get("ci"):
        text += f" ({value['ci'][0]} to {value['ci'][1]})"
    if value.get("p") is not None:
        text += f", p={value['p']}"
    return text


class Session:
    """A screening session over a triage database."""

    def __init__(self, tstore: TriageStore, settings: RankerSettings | None = None, evidence_weight: float = 0.3):
        self.tstore = tstore
        self.criteria: Criteria = tstore.criteria()  # type: ignore[assignment]
        self.ranker = Ranker(settings)
        merged = tstore.merged_away()
        self.candidates: list[Candidate] = []
        for document in tstore.store.documents():
            if document.doc_id in merged:
                continue
            studies = tstore.store.studies(document.doc_id)
            evidence = evidence_of(document, studies)
            effects = [_effect_text(value.value) for unit in studies[:1] for value in unit.values
                       if value.field == "effect" and value.chosen]
            self.candidates.append(Candidate(document.doc_id, document.title, document.abstract,
                                             document.metadata.year, evidence, judge(self.criteria, evidence),
                                             effects))
        self.rows = {candidate.doc_id: row for row, candidate in enumerate(self.candidates)}
        evidence_rows = [evidence_row(self.criteria, c.evidence, c.verdict) for c in self.candidates]
        self.prior = np.array([prior_score(row) for row in evidence_rows])
        self.features = (feature_matrix([c.evidence.text or c.doc_id for c in self.candidates], evidence_rows,
                                        evidence_weight) if self.candidates else None)
        self.decisions = {doc_id: decision for doc_id, decision in tstore.current_decisions().items()
                          if doc_id in self.rows}
        self.refit()

    def refit(self) -> bool:
        """Refit the model on the include/exclude decisions; False while one class is missing."""
        labelled = [(self.rows[doc_id], LABELS[decision]) for doc_id, decision in self.decisions.items()
                    if decision in LABELS]
        if self.features is None or not labelled:
            self.ranker.models = []
            return False
        rows, labels = zip(*labelled, strict=True)
        return self.ranker.fit(self.features[list(rows)], np.array(labels))

    def filtered(self) -> list[Candidate]:
        """Records the hard criteria set aside."""
        return [c for c in self.candidates if not c.verdict.passes]

    def ranked(self, limit: int | None = None) -> list[Candidate]:
        """Undecided records passing the hard criteria, likeliest include first."""
        pool = [row for row, c in enumerate(self.candidates) if c.verdict.passes and c.doc_id not in self.decisions]
        if not pool:
            return []
        if self.ranker.fitted:
            scores = self.ranker.scores(self.features[pool]) + 1e-6 * self.prior[pool]
        else:
            scores = self.prior[pool]
        order = np.argsort(-scores, kind="stable")[: limit or len(pool)]
        found = []
        for position in order:
            candidate = self.candidates[pool[int(position)]]
            candidate.score = float(scores[int(position)])
            found.append(candidate)
        return found

    def next(self) -> Candidate | None:
        """The record to screen next."""
        ranked = self.ranked(1)
        return ranked[0] if ranked else None

    def decide(self, doc_id: str, decision: str, who: str, reason: str | None = None,
               source: str = "screen") -> int:
        """Append a decision and refit; returns the decision's id."""
        if doc_id not in self.rows:
            raise KeyError(doc_id)
        candidate = self.candidates[self.rows[doc_id]]
        ranker = self.settings_name() if self.ranker.fitted else "criteria-prior"
        decision_id = self.tstore.decide(Decision(doc_id, decision, who, now(), reason, source, ranker,
                                                  candidate.score))
        self.decisions[doc_id] = decision
        self.refit()
        return decision_id

    def undo_last(self, who: str) -> tuple[str, str] | None:
        """Take back ``who``'s latest screening decision not yet taken back; (doc_id, decision) or None.

        The decision row stays (decisions are append-only); an undo row marks it taken back, the
        record returns to its earlier decision or, having none, to the pool, and the model is refitted.
        """
        last = self.tstore.last_undoable(who)
        if last is None:
            return None
        decision_id, doc_id, decision = last
        self.tstore.undo(decision_id, who)
        current = self.tstore.current_decisions().get(doc_id)
        if current is None:
            self.decisions.pop(doc_id, None)
        elif doc_id in self.rows:
            self.decisions[doc_id] = current
        self.refit()
        return doc_id, decision

    def screening_order(self) -> list[int]:
        """The include (1) / exclude (0) decisions in force, in the order taken ("maybe" left out)."""
        return [LABELS[decision] for doc_id, decision in self.tstore.screening_order()
                if doc_id in self.rows and decision in LABELS]

    def guidance(self, remaining: int | None = None) -> str:
        """Stopping guidance: records screened since the last include, and the unseen-includes estimate
        (``remaining``: the records left to screen, counted here when not given)."""
        from .stopping import guidance_line

        return guidance_line(self.screening_order(), len(self.ranked()) if remaining is None else remaining)

    def settings_name(self) -> str:
        return self.ranker.settings.name

    def progress(self) -> dict[str, int]:
        """Counts for the status line."""
        counts = {"records": len(self.candidates), "filtered": len(self.filtered()), "include": 0, "exclude": 0,
                  "maybe": 0}
        for decision in self.decisions.values():
            counts[decision] += 1
        counts["left"] = len(self.ranked())
        return counts
