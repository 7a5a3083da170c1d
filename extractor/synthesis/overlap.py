"""Studies that share participants: two reports of one trial must not be pooled as two trials.

Three signs, each named in the warning: the same registration (NCT..., ISRCTN...), the same trial
named in both documents (``the ABC trial``, ``Happy Mothers Programme (HMP)``), or a follow-up of
the same participants (the same design family, the same number randomised or enrolled, and the same
number of clusters or words saying it is a follow-up), where the report of the later time point is
the follow-up. ``shared_participants`` groups the studies and keeps one of each group: the earlier
report (the earlier year, else the earlier time point, else the first met).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..types import Document, StudyUnit
from .families import design_family

# A name with two capitals or more before trial/study/... (``THPP trial``, ``ALSPAC cohort``) ...
_NAMED = re.compile(r"\b([A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?)\s+(?:trial|study|programme|program|"
                    r"project|cohort)\b")
# ... or an acronym given after a capitalised name ending in Trial, Study, ... (``Happy Mothers Trial (HMT)``).
_DEFINED = re.compile(r"((?:[A-Z][\w'-]+\s+){1,8}(?:Trial|Study|Programme|Program|Project|Cohort))\s*"
                      r"\(([A-Z][A-Za-z0-9-]{1,15})\)")
# ... or capitalised words between "the" and trial/study/... (``the Harbour Steps trial``).
_CAPITALISED = re.compile(r"\b[Tt]he\s+((?:[A-Z][\w'-]+\s+){1,5})(?:trial|study|programme|program|project|cohort)\b")
# Words for a design, an analysis or a setting, not the name of one trial.
_GENERIC = {"RCT", "RCTS", "CRT", "CBT", "ITT", "ICBT", "UK", "US", "USA", "EU", "NHS", "WHO", "PHASE", "PILOT",
            "FEASIBILITY", "MRC", "NIHR", "NIH", "THIS", "THE", "OUR"}
_GENERIC_WORDS = {"randomised", "randomized", "controlled", "cluster", "pilot", "feasibility", "main", "present",
                  "current", "original", "parent", "primary", "national", "clinical", "intervention", "cohort",
                  "trial", "study", "the", "a", "an", "phase", "follow-up", "longitudinal"}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20,
                 "twenty-four": 24, "thirty": 30, "thirty-six": 36, "forty-eight": 48, "sixty": 60}
_NUMBER = r"(\d{1,3}(?:\.\d)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(weeks?|months?|years?)"
# A time point of assessment: ``at 6 months``, ``after 2 years``, ``36-months postnatal``, ``12-month follow-up``.
_TIME_POINT = re.compile(
    rf"(?i)(?:\b(?:at|after|follow[- ]?up(?: of| at)?)\s+{_NUMBER}[- ]{_UNIT}\b)"
    rf"|(?:\b{_NUMBER}[- ]{_UNIT}\s+(?:post|after|later|follow[- ]?up))"
)
_FOLLOW_UP = re.compile(
    r"(?i)\b(?:long[- ]term|extended|\d+[- ](?:weeks?|months?|years?))\s+follow[- ]?up\b"
    r"|\bfollow[- ]?up (?:study |report |assessment )?of (?:the|a|an|our|this)\b"
)
_COUNT_ROLES = ("randomised", "enrolled")
_MONTHS = {"week": 12 / 52, "month": 1.0, "year": 12.0}


@dataclass
class StudyFacts:
    """What tells whether two studies share participants."""

    registrations: set[str] = field(default_factory=set)
    trial_names: set[str] = field(default_factory=set)
    design_family: str = "unknown"
    participants: int | None = None  # the number randomised or enrolled
    clusters: int | None = None
    latest_months: float | None = None  # the latest time point the text reports
    says_follow_up: bool = False
    year: int | None = None


def trial_names(text: str) -> set[str]:
    """Names of trials a text gives (``THPP``, ``happy mothers trial``), in lower case."""
    from ..extract.outcomes.lexicon import lookup_token

    names = set()
    for match in _NAMED.finditer(text):
        names.add(match.group(1))
    for match in _DEFINED.finditer(text):
        names.add(match.group(2))
        names.add(" ".join(word for word in match.group(1).split() if word.lower() != "the"))
    for match in _CAPITALISED.finditer(text):
        words = match.group(1).split()
        if not {word.lower() for word in words} <= _GENERIC_WORDS:
            names.add(" ".join(words) + " " + match.group(0).split()[-1])
    return {name.lower() for name in names
            if name.upper() not in _GENERIC and not (len(name) < 12 and lookup_token(name))}


def latest_time_point(text: str) -> float | None:
    """The latest assessment time point a text names, in months (``at 3 years of age`` -> 36)."""
    found = []
    for match in _TIME_POINT.finditer(text):
        number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        value = _NUMBER_WORDS.get(number.lower()) if not number[0].isdigit() else float(number)
        if value is not None:
            found.append(float(value) * _MONTHS[unit.lower().rstrip("s")])
    return max(found, default=None)


def _count(unit: StudyUnit, role: str | tuple[str, ...]) -> int | None:
    roles = (role,) if isinstance(role, str) else role
    chosen = [v for v in unit.values if v.field == "sample_size" and v.role in roles]
    chosen.sort(key=lambda v: (not v.chosen, roles.index(v.role)))
    for value in chosen:
        n = value.value.get("n") if isinstance(value.value, dict) else None
        if isinstance(n, int):
            return n
    return None


def facts_of(document: Document, unit: StudyUnit, studies: int) -> StudyFacts:
    """The facts of one study unit; a review's included study carries only its own span's."""
    text = document.text[unit.start : unit.end] if studies > 1 else document.text
    design = next((v.value for v in unit.values if v.field == "design" and v.chosen), None)
    clusters = _count(unit, "clusters")
    return StudyFacts(
        registrations={r.upper() for r in document.registrations} if studies == 1 else set(),
        trial_names=trial_names(text), design_family=design_family(design),
        participants=_count(unit, _COUNT_ROLES), clusters=clusters, latest_months=latest_time_point(text),
        says_follow_up=bool(_FOLLOW_UP.search(text)), year=document.metadata.year if studies == 1 else None,
    )


def why_shared(first: StudyFacts, second: StudyFacts) -> str | None:
    """Why two studies share participants (one phrase), or None when nothing says they do."""
    registrations = sorted(first.registrations & second.registrations)
    if registrations:
        return f"both registered as {', '.join(registrations)}"
    names = sorted(first.trial_names & second.trial_names)
    if names:
        return f"both name the trial {names[0].upper() if ' ' not in names[0] else names[0]}"
    if (first.design_family == second.design_family != "unknown" and first.participants
            and first.participants == second.participants and first.participants >= 20):
        same_clusters = first.clusters is not None and first.clusters == second.clusters
        if same_clusters or first.says_follow_up or second.says_follow_up:
            return f"the same {first.participants} participants" + (
                f" in {first.clusters} clusters" if same_clusters else "")
    return None


def later_report(kept: StudyFacts, other: StudyFacts) -> str | None:
    """How ``other`` follows up ``kept`` (``a later time point, 36 months against 6``), when the facts say."""
    if kept.latest_months is not None and other.latest_months is not None and other.latest_months > kept.latest_months:
        return f"a follow-up at {other.latest_months:g} months against {kept.latest_months:g}"
    if kept.year and other.year and other.year > kept.year:
        return f"a later report ({other.year} against {kept.year})"
    return None


def _order(facts: StudyFacts, position: int) -> tuple[float, float, int]:
    """Which report of a group comes first: the earlier year, the earlier time point, the first met."""
    return (facts.year or 9999, facts.latest_months if facts.latest_months is not None else 1e9, position)


@dataclass
class SharedGroup:
    """Studies that share participants: the one kept and the others, with why."""

    kept: tuple[str, int]
    others: list[tuple[str, int]]
    reasons: list[str]


def shared_participants(studies: Sequence[tuple[tuple[str, int], StudyFacts]]) -> list[SharedGroup]:
    """Groups of studies (``(doc_id, study_index)`` with their facts) that share participants, in order met."""
    parent = list(range(len(studies)))
    reasons: dict[int, list[str]] = {}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    found: list[tuple[int, int, str]] = []
    for i, (key_i, facts_i) in enumerate(studies):
        for j in range(i + 1, len(studies)):
            key_j, facts_j = studies[j]
            if key_i[0] == key_j[0]:
                continue  # studies of one document are told apart by the document itself
            reason = why_shared(facts_i, facts_j)
            if reason:
                found.append((i, j, reason))
                parent[root(j)] = root(i)
    for i, _, reason in found:
        reasons.setdefault(root(i), []).append(reason)
    groups: dict[int, list[int]] = {}
    for index in range(len(studies)):
        groups.setdefault(root(index), []).append(index)
    result = []
    for top, members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda index: _order(studies[index][1], index))
        kept, *others = members
        result.append(SharedGroup(studies[kept][0], [studies[index][0] for index in others],
                                  list(dict.fromkeys(reasons.get(top, [])))))
    result.sort(key=lambda group: min(index for index, (key, _) in enumerate(studies) if key == group.kept))
    return result
