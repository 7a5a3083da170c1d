"""Choosing: the headline sample size of a study as FORMAT.md defines it, and the details beside it (arms,
clusters, analysed and followed-up counts, attrition, review counts)."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from itertools import accumulate
from typing import Any

from ...types import ExtractedValue
from ..vocabulary import CLUSTER_DESIGNS
from ..vocabulary import REVIEW_DESIGNS as REVIEWS
from .records import FIELD, PERSON_KINDS, STUDY_KINDS

REVIEW_UNITS = frozenset(("reviews", "systematic reviews", "meta-analyses", "metaanalyses"))
_PERSON_TIERS = (
    ("randomised", False), ("randomised", True), ("enrolled", False), ("enrolled", True), ("total", False),
    ("eligible", False), ("total", True), ("analysed", False), ("analysed", True), ("followed_up", False),
    ("followed_up", True),
)


def choose_sample_size(candidates: list[ExtractedValue], design: str | None) -> ExtractedValue | None:
    """The headline size (FORMAT.md): randomised, else enrolled; individuals in a cluster trial; included studies in a review."""
    candidates = [c for c in candidates if c.field == FIELD and c.role is not None]
    if design in REVIEWS or (design is None and _looks_like_review(candidates)):
        return _choose_review(candidates, design)
    person = [c for c in candidates if c.attributes.get("kind") in PERSON_KINDS]
    # a secondary analysis or follow-up: the parent study's counts are not this report's sample (``parent``)
    own = [c for c in person if not c.attributes.get("parent_study")]
    person = own if _best_in_tiers(own) is not None else person
    if design == "case_control":
        # "281 burn victims and 273 hospital-based controls": a case-control study's sample is both
        both = [c for c in person if c.attributes.get("cases_and_controls") and not c.attributes.get("planned")]
        if both:
            return _best(both)
    if design in CLUSTER_DESIGNS:
        # "382 families with 488 children were randomized": the children are the participants
        person = [c for c in person if not _contains_person(c, person)]
    else:
        person = [c for c in person if "within" not in c.attributes or not _has_container(c, person)]
    if design != "protocol":
        # a target ("planned for 250 patients") is the headline only of a protocol
        actual = [c for c in person if not c.attributes.get("planned")]
        person = actual if _best_in_tiers(actual) is not None else person
    chosen = _best_in_tiers(person)
    if chosen is None:
        clusters = [c for c in candidates if c.role == "clusters"]
        clusters = [c for c in clusters if not c.attributes.get("parent_study")] or clusters
        randomised = [c for c in clusters if c.attributes.get("stage") == "randomised"]
        pool = randomised or clusters
        chosen = _best(pool) if pool and (design in CLUSTER_DESIGNS or randomised) else None
    return chosen


def _best_in_tiers(candidates: list[ExtractedValue]) -> ExtractedValue | None:
    """The best count of people of the first tier that has one; one arm's count is never the headline."""
    for role, is_sum in _PERSON_TIERS:
        tier = _without_subsets([c for c in candidates if c.role == role and bool(c.attributes.get("sum_of_arms")) == is_sum
                                 and "arm" not in c.attributes], [c for c in candidates if c.role == role])
        if (role == "total" and not is_sum) or role == "eligible":
            strong = [c for c in tier if c.confidence >= (0.5 if role == "total" else 0.6)]
            if strong:
                return _best(strong)
            continue
        if tier:
            return _best(tier)
    weak = [c for c in candidates if c.role == "total" and not c.attributes.get("sum_of_arms")]
    return _best(weak) if weak else None


def _without_subsets(tier: list[ExtractedValue], same_role: list[ExtractedValue]) -> list[ExtractedValue]:
    """Leave out counts smaller than an earlier count of the same role: "Of 24 children randomized to the CBT
    arm" after "45 children were randomized" is a part of them."""
    # The largest confident count before each position, found by bisection: comparing every pair was
    # quadratic, and a long text holds thousands of counts.
    earlier = sorted((o.start, o.value["n"]) for o in same_role if o.start is not None and o.confidence >= 0.5)
    starts = [start for start, _ in earlier]
    largest = list(accumulate((n for _, n in earlier), max))
    kept = []
    for c in tier:
        before = bisect_left(starts, c.start) if c.start is not None else 0
        if not (before and largest[before - 1] > c.value["n"]):
            kept.append(c)
    return kept


def _best(candidates: list[ExtractedValue]) -> ExtractedValue:
    """Most confident (to a tenth), then the first in the text."""
    return min(candidates, key=lambda c: (-round(c.confidence, 1), c.start if c.start is not None else 0))


def _contains_person(candidate: ExtractedValue, person: list[ExtractedValue]) -> bool:
    contains = candidate.attributes.get("contains")
    return contains is not None and any(
        c.value["n"] == contains and c.attributes.get("within") == candidate.value["n"] for c in person
    )


def _has_container(candidate: ExtractedValue, person: list[ExtractedValue]) -> bool:
    within = candidate.attributes.get("within")
    return any(c.value["n"] == within and c.attributes.get("contains") == candidate.value["n"] for c in person)


def _looks_like_review(candidates: list[ExtractedValue]) -> bool:
    included = [c for c in candidates if c.role == "included_studies" and c.confidence >= 0.6]
    people = [c for c in candidates if c.role in ("randomised", "enrolled") and c.attributes.get("kind") == "person"]
    return bool(included) and not people


def _choose_review(candidates: list[ExtractedValue], design: str | None = None) -> ExtractedValue | None:
    studies = [c for c in candidates if c.attributes.get("kind") in STUDY_KINDS]
    if design == "umbrella_review":
        # a review of reviews includes reviews: "19 SRs and MAs evaluated 152 RCTs" counts 19
        reviews = [c for c in studies if c.role in ("included_studies", "total") and c.value["unit"] in REVIEW_UNITS]
        studies = reviews or studies
    parts = _parts_of_a_whole(studies)
    for role in ("included_studies", "total"):
        tier = [c for c in studies if c.role == role]
        # "36 met the criteria: 11 RCTs and 25 observational studies": the parts are not the review's count;
        # "29 papers were included, with 2 additional studies for ...": an increment is not the count either
        tier = [c for c in tier if id(c) not in parts] or tier
        tier = [c for c in tier if not _INCREMENT.search(c.attributes.get("phrase") or "")] or tier
        if not tier:
            continue
        proper = [c for c in tier if c.attributes.get("kind") == "study"]
        best = _best(proper or tier)
        return replace(best, value={"n": best.value["n"], "unit": "studies"},
                       attributes={**best.attributes, "unit_as_written": best.value["unit"]})
    return None


_INCREMENT = re.compile(r"\b(?:additional|further|more|other|extra|new(?:ly)?)\b", re.I)
_PARTS_WITHIN = 150  # characters after a whole in which its parts are listed


def _parts_of_a_whole(studies: list[ExtractedValue]) -> set[int]:
    """The ids of counts of studies listed right after a count they sum to: in "36 met inclusion criteria: 11
    randomised trials and 25 observational studies", 11 and 25 (two or more parts, each smaller than the whole,
    starting within ``_PARTS_WITHIN`` characters of its end, in the order written)."""
    ordered = sorted((c for c in studies if c.start is not None and c.end is not None), key=lambda c: c.start)
    found: set[int] = set()
    for k, whole in enumerate(ordered):
        n, total, run = whole.value["n"], 0, []
        for part in ordered[k + 1 :]:
            if part.start > whole.end + _PARTS_WITHIN or part.value["n"] >= n:
                break
            total += part.value["n"]
            run.append(part)
            if total >= n:
                break
        if total == n and len(run) >= 2:
            found.update(id(part) for part in run)
    return found


def sample_size_details(candidates: list[ExtractedValue]) -> dict[str, Any]:
    """Per-arm counts, clusters, analysed and followed-up counts, attrition and review counts, each as a field."""
    candidates = [c for c in candidates if c.field == FIELD and c.role is not None]
    person = [c for c in candidates if c.attributes.get("kind") in PERSON_KINDS]
    studies = [c for c in candidates if c.attributes.get("kind") in STUDY_KINDS]

    def pick(pool: list[ExtractedValue], role: str) -> dict[str, Any] | None:
        tier = [c for c in pool if c.role == role]
        if role == "clusters":
            tier = [c for c in tier if c.attributes.get("stage") == "randomised"] or tier
        if not tier:
            return None
        whole = _without_subsets([c for c in tier if "arm" not in c.attributes], tier)  # not one arm's count
        explicit = [c for c in whole if not c.attributes.get("sum_of_arms")]
        best = _best(explicit or whole or tier)
        picked = {"n": best.value["n"], "unit": best.value["unit"], "start": best.start, "end": best.end}
        if role == "clusters":
            picked["stage"] = best.attributes.get("stage")
        return picked

    arms = [c for c in person if c.role == "arm" and not c.attributes.get("each")]
    if not arms:
        arms = [c for c in person if "arm" in c.attributes and c.role in ("randomised", "enrolled") and not c.attributes.get("each")]
    first_sentence_arms: list[ExtractedValue] = []
    if arms:
        sums = [c for c in person if c.attributes.get("sum_of_arms") and c.start == arms[0].start]
        span_end = sums[0].end if sums else arms[0].end
        first_sentence_arms = [a for a in arms if a.start is not None and arms[0].start <= a.start <= (span_end or a.start)]
    randomised = pick(person, "randomised")
    followed_up = pick(person, "followed_up")
    details: dict[str, Any] = {
        "randomised": randomised,
        "enrolled": pick(person, "enrolled"),
        "arms": [
            {"label": a.attributes.get("arm"), "n": a.value["n"], "unit": a.value["unit"], "kind": a.attributes.get("arm_kind")}
            for a in first_sentence_arms
        ],
        "clusters": pick(candidates, "clusters"),
        "analysed": pick(person, "analysed"),
        "followed_up": followed_up,
        "attrition": None,
        "screened": pick(studies, "screened") or pick(person, "screened"),
        "eligible": pick(person, "eligible"),
        "included_studies": pick(studies, "included_studies"),
    }
    base = randomised or details["enrolled"]
    if base and followed_up and base["unit"] == followed_up["unit"] and base["n"] >= followed_up["n"] > 0:
        retained = followed_up["n"] / base["n"]
        details["attrition"] = {
            "followed_up": followed_up["n"], "randomised": base["n"], "retained": round(retained, 4),
            "lost": round(1 - retained, 4),
        }
    return details
