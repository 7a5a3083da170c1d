"""The store's ``triage_`` tables: their migrations (a set of their own beside the main store's) and queries.

- ``triage_reviews``: the criteria of the review, one row per ``triage init`` (the last one holds).
- ``triage_decisions``: include / exclude / maybe with who, when, why and where from;
  append-only (triggers refuse update and delete). A record's decision is its last row.
- ``triage_decision_changes``: filled by a trigger whenever a decision replaces a different
  earlier one (as ASReview's ``decision_changes``), so a change of mind is visible at a glance.
- ``triage_merges`` / ``triage_unmerges``: duplicate records folded into one, and the undoing
  of a merge; both append-only, so the history of merges is kept.
- ``triage_undos``: a decision taken back (the screener's undo key), append-only; the record's
  decision becomes its latest one not taken back (none: it is to screen again). A trigger logs
  the undo in ``triage_decision_changes`` with ``decision_after`` = ``undone``.

The tables are created only when a ``TriageStore`` opens the database, so a plain
``extract`` leaves a database without them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from .store import Store, now
from .triage.criteria import Criteria, criteria_from_dict, criteria_to_dict
from .triage.errors import NotInitialised

DECISIONS = ("include", "exclude", "maybe")

migrations = Migrations("extractor-triage")


def _append_only(db: sqlite_utils.Database, table: str) -> None:
    for action in ("update", "delete"):
        db.execute(f"""create trigger {table}_no_{action} before {action} on {table}
                       begin select raise(abort, '{table} is append-only'); end""")


@migrations()
def m001_triage(db: sqlite_utils.Database) -> None:
    db["triage_reviews"].create(
        {"id": int, "criteria": str, "criteria_toml": str, "created_at": str, "created_by": str}, pk="id")
    db["triage_decisions"].create(
        {
            "id": int,
            "doc_id": str,
            "decision": str,  # include | exclude | maybe
            "reason": str,
            "who": str,
            "created_at": str,
            "source": str,  # screen | decide | import:<file> | ...
            "ranker": str,  # the model that ranked the record when it was shown, if any
            "rank_score": float,
        },
        pk="id",
    )
    db["triage_decisions"].create_index(["doc_id"])
    db.execute("""create trigger triage_decisions_known before insert on triage_decisions
                  when new.decision not in ('include', 'exclude', 'maybe')
                  begin select raise(abort, 'decision must be include, exclude or maybe'); end""")
    _append_only(db, "triage_decisions")
    db["triage_decision_changes"].create(
        {"id": int, "decision_id": int, "doc_id": str, "decision_before": str, "decision_after": str,
         "who": str, "created_at": str},
        pk="id",
    )
    db.execute("""create trigger triage_decisions_changes after insert on triage_decisions
                  when exists (select 1 from triage_decisions
                               where doc_id = new.doc_id and id < new.id)
                   and (select decision from triage_decisions
                        where doc_id = new.doc_id and id < new.id order by id desc limit 1) != new.decision
                  begin
                    insert into triage_decision_changes
                      (decision_id, doc_id, decision_before, decision_after, who, created_at)
                    values (new.id, new.doc_id,
                            (select decision from triage_decisions
                             where doc_id = new.doc_id and id < new.id order by id desc limit 1),
                            new.decision, new.who, new.created_at);
                  end""")
    db["triage_merges"].create(
        {"id": int, "kept_doc_id": str, "merged_doc_id": str, "rule": str, "score": float,
         "created_at": str, "created_by": str},
        pk="id",
    )
    db["triage_merges"].create_index(["merged_doc_id"])
    _append_only(db, "triage_merges")
    db["triage_unmerges"].create(
        {"id": int, "merge_id": int, "created_at": str, "created_by": str, "reason": str},
        pk="id", foreign_keys=[("merge_id", "triage_merges", "id")],
    )
    _append_only(db, "triage_unmerges")


@migrations()
def m002_undos(db: sqlite_utils.Database) -> None:
    db["triage_undos"].create(
        {"id": int, "decision_id": int, "who": str, "created_at": str},
        pk="id", foreign_keys=[("decision_id", "triage_decisions", "id")],
    )
    db["triage_undos"].create_index(["decision_id"], unique=True)  # a decision is taken back once
    _append_only(db, "triage_undos")
    db.execute("""create trigger triage_undos_changes after insert on triage_undos
                  begin
                    insert into triage_decision_changes
                      (decision_id, doc_id, decision_before, decision_after, who, created_at)
                    select id, doc_id, decision, 'undone', new.who, new.created_at
                    from triage_decisions where id = new.decision_id;
                  end""")
    # A new decision is a change when it differs from the record's decision in force (taken-back ones skipped).
    in_force = """(select decision from triage_decisions d where doc_id = new.doc_id and id < new.id
                     and not exists (select 1 from triage_undos u where u.decision_id = d.id)
                   order by id desc limit 1)"""
    db.execute("drop trigger triage_decisions_changes")
    db.execute(f"""create trigger triage_decisions_changes after insert on triage_decisions
                   when {in_force} is not null and {in_force} != new.decision
                   begin
                     insert into triage_decision_changes
                       (decision_id, doc_id, decision_before, decision_after, who, created_at)
                     values (new.id, new.doc_id, {in_force}, new.decision, new.who, new.created_at);
                   end""")


@dataclass(frozen=True)
class Decision:
    """One screening decision as stored."""

    doc_id: str
    decision: str
    who: str
    created_at: str
    reason: str | None = None
    source: str = "decide"
    ranker: str | None = None
    rank_score: float | None = None


@dataclass(frozen=True)
class Merge:
    """A duplicate folded into the record kept, by which rule, and whether it was undone."""

    id: int
    kept_doc_id: str
    merged_doc_id: str
    rule: str
    score: float
    created_at: str
    created_by: str
    undone: bool = False


class TriageStore:
    """The triage tables over an extractor database (opened through ``Store``)."""

    def __init__(self, path: Path | str):
        self.store = Store(path)
        self.db = self.store.db
        migrations.apply(self.db)

    def close(self) -> None:
        self.store.close()

    # criteria
    def set_criteria(self, criteria: Criteria, toml_text: str, who: str) -> int:
        """Record the review's criteria (a new row; the latest holds)."""
        with self.db.atomic():
            table = self.db["triage_reviews"]
            table.insert({"criteria": json.dumps(criteria_to_dict(criteria)), "criteria_toml": toml_text,
                          "created_at": now(), "created_by": who})
            return int(table.last_pk)

    def criteria(self, required: bool = True) -> Criteria | None:
        """The latest criteria; NotInitialised when there are none and they are required."""
        row = next(iter(self.db.query("select criteria from triage_reviews order by id desc limit 1")), None)
        if row is None:
            if required:
                raise NotInitialised(f"{self.store.path}: no triage criteria yet")
            return None
        return criteria_from_dict(json.loads(row["criteria"]), "stored criteria")

    # decisions
    def decide(self, decision: Decision) -> int:
        """Append one decision; returns its id."""
        return self.decide_many([decision])[0]

    def decide_many(self, decisions: list[Decision]) -> list[int]:
        """Append decisions in one transaction; returns their ids."""
        ids: list[int] = []
        with self.db.atomic():
            table = self.db["triage_decisions"]
            for decision in decisions:
                table.insert({"doc_id": decision.doc_id, "decision": decision.decision, "reason": decision.reason,
                              "who": decision.who, "created_at": decision.created_at, "source": decision.source,
                              "ranker": decision.ranker, "rank_score": decision.rank_score})
                ids.append(int(table.last_pk))
        return ids

    def current_decisions(self) -> dict[str, str]:
        """Each decided record's latest decision not taken back."""
        return {row["doc_id"]: row["decision"] for row in self.db.query(
            """select doc_id, decision from triage_decisions where id in
               (select max(id) from triage_decisions d
                where not exists (select 1 from triage_undos u where u.decision_id = d.id)
                group by doc_id)""")}

    def screening_order(self) -> list[tuple[str, str]]:
        """(doc_id, decision) of the decisions in force, in the order they were taken (oldest first)."""
        return [(row["doc_id"], row["decision"]) for row in self.db.query(
            """select doc_id, decision from triage_decisions where id in
               (select max(id) from triage_decisions d
                where not exists (select 1 from triage_undos u where u.decision_id = d.id)
                group by doc_id)
               order by id""")]

    def last_undoable(self, who: str, sources: tuple[str, ...] = ("screen",)) -> tuple[int, str, str] | None:
        """(decision id, doc_id, decision) of ``who``'s latest decision from ``sources`` not taken back."""
        marks = ", ".join("?" for _ in sources)
        row = next(iter(self.db.query(
            f"""select id, doc_id, decision from triage_decisions d
                where who = ? and source in ({marks})
                  and not exists (select 1 from triage_undos u where u.decision_id = d.id)
                order by id desc limit 1""", [who, *sources])), None)
        return (int(row["id"]), row["doc_id"], row["decision"]) if row else None

    def undo(self, decision_id: int, who: str) -> None:
        """Take a decision back (appended to ``triage_undos``; the decision row stays)."""
        with self.db.atomic():
            self.db["triage_undos"].insert({"decision_id": decision_id, "who": who, "created_at": now()})

    def history(self, doc_id: str) -> list[Decision]:
        """Every decision on a record, oldest first."""
        return [Decision(row["doc_id"], row["decision"], row["who"], row["created_at"], row["reason"],
                         row["source"], row["ranker"], row["rank_score"])
                for row in self.db.query("select * from triage_decisions where doc_id = ? order by id", [doc_id])]

    def changes(self) -> list[dict[str, Any]]:
        """The decision-change log, oldest first."""
        return list(self.db.query("select * from triage_decision_changes order by id"))

    # merges
    def add_merges(self, pairs: list[tuple[str, str, str, float]], who: str) -> list[int]:
        """Record merges (kept, merged, rule, score); returns their ids."""
        ids: list[int] = []
        stamp = now()
        with self.db.atomic():
            table = self.db["triage_merges"]
            for kept, merged, rule, score in pairs:
                table.insert({"kept_doc_id": kept, "merged_doc_id": merged, "rule": rule, "score": score,
                              "created_at": stamp, "created_by": who})
                ids.append(int(table.last_pk))
        return ids

    def unmerge(self, merge_id: int, who: str, reason: str | None = None) -> Merge:
        """Undo a merge (appending to ``triage_unmerges``); KeyError when no such active merge."""
        active = {merge.id: merge for merge in self.merges()}
        if merge_id not in active:
            raise KeyError(merge_id)
        with self.db.atomic():
            self.db["triage_unmerges"].insert({"merge_id": merge_id, "created_at": now(), "created_by": who,
                                               "reason": reason})
        return active[merge_id]

    def merges(self, include_undone: bool = False) -> list[Merge]:
        """Merges in the order made (only those still in force unless ``include_undone``)."""
        rows = self.db.query("""select m.*, exists(select 1 from triage_unmerges u where u.merge_id = m.id) undone
                                from triage_merges m order by m.id""")
        merges = [Merge(row["id"], row["kept_doc_id"], row["merged_doc_id"], row["rule"], row["score"],
                        row["created_at"], row["created_by"], bool(row["undone"])) for row in rows]
        return merges if include_undone else [merge for merge in merges if not merge.undone]

    def change_marker(self) -> tuple[Any, ...]:
        """What changes whenever anything a screening session depends on changes.

        The latest decision, undo and criteria ids, the merge and unmerge counts, the document count and
        the latest run: another process deciding, undoing, merging, extracting or setting criteria changes it.
        """
        row = next(iter(self.db.query(
            """select (select max(id) from triage_decisions) d, (select max(id) from triage_reviews) r,
              (select count(*) from triage_merges) m, (select count(*) from triage_unmerges) u,
              (select count(*) from documents) n, (select max(id) from runs) x,
              (select max(id) from triage_undos) t""")))
        return tuple(row.values())

    def merged_away(self) -> dict[str, str]:
        """Merged record -> the record it was folded into, following chains to the end."""
        into = {merge.merged_doc_id: merge.kept_doc_id for merge in self.merges()}
        resolved: dict[str, str] = {}
        for doc_id in into:
            target, seen = into[doc_id], {doc_id}
            while target in into and target not in seen:
                seen.add(target)
                target = into[target]
            resolved[doc_id] = target
        return resolved
