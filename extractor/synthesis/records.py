"""The stored effect estimates with their provenance, and matching them to an outcome.

Values are read through ``Store.studies`` so annotators' corrections take precedence. A
corrected estimate keeps the outcome link and evidence span of the machine value it replaced
(an annotator may also give ``"outcome"`` inside the corrected value). Group sizes come from the
study's per-arm sample-size candidates; whether an ``ES`` is standardised from the words around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..store import Store
from ..types import Correction, Document, ExtractedValue, StudyUnit
from .convert import Conversion, Estimate, convert
from .overlap import StudyFacts, facts_of

_STANDARDISED = re.compile(r"(?i)standardi[sz]ed|cohen'?s?\s*d|hedges'?\s*g|\bSMDs?\b")
_ARM_ROLES = ("analysed", "followed_up", "arm", "randomised")


@dataclass
class EffectRecord:
    """One extracted estimate of one study, with where it came from and its conversion."""

    doc_id: str
    study_index: int
    study: str  # a label for tables and plots: the study's citation, first author and year, or doc_id
    year: int | None
    outcome: str | None
    instrument: str | None
    construct: str | None
    estimate: Estimate
    evidence: str | None
    start: int | None
    end: int | None
    source: str
    registrations: list[str] = field(default_factory=list)
    conversion: Conversion | None = None
    match: str | None = None  # how it matched the outcome asked for: outcome, instrument, construct
    note: str | None = None  # why it was left out of a pooling that it matched
    facts: StudyFacts | None = None  # what tells whether it shares participants with another study

    @property
    def corrected(self) -> bool:
        return self.source.startswith("annotator:")


def study_label(document: Document, unit: StudyUnit, studies: int) -> str:
    """``Fukkink (2008)`` for a study of a review, ``Smith 2019`` (first author, year) for a paper, else the doc_id.

    The one place labels are made: forest-plot rows, ``summary.csv`` and the exports all use it.
    """
    if studies > 1 and unit.label:
        return unit.label
    meta = document.metadata
    surname = first_author_surname(meta.authors[0]) if meta.authors else None
    if surname and meta.year:
        return f"{surname} {meta.year}"
    return document.doc_id


_AUTHOR_YEAR = re.compile(r"^\S.* (?:1[89]|20)\d\d$")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$")


def first_author_surname(author: str) -> str | None:
    """The surname of one author as readers store it: ``Rahman, A``, ``Rahman A``, ``Jester Jennifer M.``, ``Atif Rahman``."""
    name = " ".join(author.replace("\u00a0", " ").split()).strip(" ,;")
    if not name:
        return None
    if "," in name:
        return name.split(",")[0].strip() or None
    words = name.split(" ")
    if len(words) > 1 and _INITIALS.match(words[-1]):
        # Surname first with initials after (``Rahman A``, ``Jester Jennifer M.``); lower-case particles
        # (``van der Berg JA``) stay with the surname.
        taken = []
        for word in words:
            taken.append(word)
            if word[:1].isupper():
                break
        return " ".join(taken)
    # Given names first: the surname is the last word, with the particles before it (``Ludwig van Beethoven``).
    index = len(words) - 1
    while index > 0 and words[index - 1][:1].islower():
        index -= 1
    return " ".join(words[index:])


def distinct_labels(records: list[EffectRecord]) -> None:
    """Two documents with one label (``Smith 2019``) become ``Smith 2019a`` and ``Smith 2019b``, in place."""
    owners: dict[str, list[tuple[str, int]]] = {}
    for record in records:
        key = (record.doc_id, record.study_index)
        if key not in owners.setdefault(record.study, []):
            owners[record.study].append(key)
    for label, keys in owners.items():
        if len(keys) < 2 or not _AUTHOR_YEAR.match(label):  # doc_ids and a review's study labels stay
            continue
        letters = {key: chr(ord("a") + position) for position, key in enumerate(keys[:26])}
        for record in records:
            if record.study == label and (record.doc_id, record.study_index) in letters:
                record.study = label + letters[(record.doc_id, record.study_index)]


def study_year(document: Document, unit: StudyUnit, studies: int) -> int | None:
    """The year of a study: from its citation label in a review ("Fukkink (2008)"), else the document's."""
    if studies > 1 and unit.label:
        found = re.search(r"\b(1[89]\d\d|20\d\d)[a-z]?\b", unit.label)
        return int(found.group(1)) if found else None
    return document.metadata.year


def group_sizes(unit: StudyUnit) -> tuple[int, int] | None:
    """Two per-arm counts of the study (analysed before randomised), or None."""
    for role in _ARM_ROLES:
        arms: dict[str, int] = {}
        for value in unit.values:
            if value.field == "sample_size" and value.role == role and value.attributes.get("arm"):
                arms.setdefault(str(value.attributes["arm"]), int(value.value["n"]))
        if len(arms) == 2:
            first, second = arms.values()
            return first, second
    return None


def _chosen(unit: StudyUnit, field_name: str) -> ExtractedValue | None:
    return next((v for v in unit.values if v.field == field_name and v.chosen), None)


def _replaced(unit: StudyUnit, corrections: list[Correction], value: ExtractedValue) -> ExtractedValue | None:
    """The machine value an annotator's effect replaced, to keep its outcome link and span."""
    for correction in corrections:
        if correction.field == "effect" and correction.value_after == value.value and correction.value_before:
            return next((v for v in unit.values if v.field == "effect" and not v.source.startswith("annotator:")
                         and v.value == correction.value_before), None)
    return None


def estimate_of(value: ExtractedValue, unit: StudyUnit, document: Document) -> Estimate:
    """The conversion input of a stored effect value."""
    effect, attributes = value.value, value.attributes
    ci = effect.get("ci")
    if not (isinstance(ci, list | tuple) and len(ci) == 2 and all(isinstance(x, int | float) for x in ci)):
        ci = None
    size = _chosen(unit, "sample_size")
    design = _chosen(unit, "design")
    context = ""
    if value.start is not None and value.end is not None:
        context = document.text[max(0, value.start - 120) : value.end]
    return Estimate(
        measure=effect["measure"], value=float(effect["value"]),
        ci=(float(ci[0]), float(ci[1])) if ci else None,
        ci_level=float(attributes.get("ci_level") or 95.0), p=effect.get("p"),
        p_operator=attributes.get("p_operator") or ("=" if effect.get("p") is not None else None),
        df=[float(x) for x in attributes.get("df") or []],
        n=attributes.get("n") or (size.value.get("n") if size and size.role != "included_studies" else None),
        group_sizes=group_sizes(unit), standardised=bool(_STANDARDISED.search(context)),
        design=design.value if design else None,
        adjusted=bool(attributes.get("adjusted")),
    )


def effect_records(store: Store, target: str | None = None) -> Iterator[EffectRecord]:
    """Every chosen (or corrected) effect estimate in the store, converted to ``target`` (default: natural scale)."""
    for document in store.documents():
        studies = store.studies(document.doc_id)
        corrections = store.corrections(document.doc_id) if studies else []
        for unit in studies:
            label = study_label(document, unit, len(studies))
            facts: StudyFacts | None = None
            for value in unit.values:
                if value.field != "effect" or not value.chosen or not usable_effect(value.value):
                    continue
                link = value
                if value.source.startswith("annotator:") and not value.attributes.get("evidence"):
                    # a correction made before corrections kept their evidence and link: the estimate it
                    # replaced gives them (a newer one carries its own, or none: entered by hand)
                    link = _replaced(unit, corrections, value) or value
                outcome = value.value.get("outcome") or link.attributes.get("outcome")
                instrument, construct = instrument_of(outcome)
                start = value.start if value.start is not None else link.start
                end = value.end if value.end is not None else link.end
                estimate = estimate_of(value, unit, document)
                record = EffectRecord(
                    doc_id=document.doc_id, study_index=unit.index, study=label,
                    year=study_year(document, unit, len(studies)),
                    outcome=outcome, instrument=instrument,
                    construct=construct or link.attributes.get("construct"), estimate=estimate,
                    evidence=document.text[start:end] if start is not None and end is not None else None,
                    start=start, end=end, source=value.source, registrations=document.registrations,
                )
                record.conversion = convert(estimate, target)
                facts = facts or facts_of(document, unit, len(studies))
                record.facts = facts
                yield record


def usable_effect(effect: object) -> bool:
    """An effect value with a measure and a number (an annotator may have typed something else)."""
    return (isinstance(effect, dict) and isinstance(effect.get("measure"), str)
            and isinstance(effect.get("value"), int | float) and not isinstance(effect.get("value"), bool))


def instrument_of(outcome: str | None) -> tuple[str | None, str | None]:
    """The lexicon instrument an outcome names and its construct (``PHQ-9 total`` -> PHQ-9, depression)."""
    from ..extract.outcomes.lexicon import fuzzy_instrument, lookup_token

    if not outcome:
        return None, None
    for token in re.findall(r"[A-Za-z][\w-]*", outcome):
        found = lookup_token(token)
        if found:
            return found[0].abbreviation, found[0].construct
    instrument = fuzzy_instrument(outcome)
    return (instrument.abbreviation, instrument.construct) if instrument else (None, None)


def _stems(text: str) -> list[str]:
    """Words cut to their first seven letters, so ``depressive`` meets ``depression``."""
    return [word[:7] for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in {"and", "of", "the"}]


MATCH_RANK = {"instrument": 0, "outcome": 0, "construct": 1}


def outcome_match(record: EffectRecord, query: str) -> str | None:
    """How ``record`` is about the outcome ``query``: ``instrument``, ``outcome`` or ``construct``; None if not."""
    from ..extract.outcomes.lexicon import lookup_token

    asked = lookup_token(query.strip())
    if asked and record.instrument == asked[0].abbreviation:
        return "instrument"
    wanted = _stems(query)
    if not wanted:
        return None
    if record.outcome and all(stem in _stems(record.outcome) for stem in wanted):
        return "outcome"
    if record.construct and all(stem in _stems(record.construct) for stem in wanted):
        return "construct"
    if asked and record.construct and all(stem in _stems(record.construct) for stem in _stems(asked[0].construct)):
        return "construct"
    if _umbrella(wanted) and any(_MENTAL_HEALTH.search(text) for text in (record.construct, record.outcome) if text):
        return "construct"  # "child mental health" gathers depression, anxiety, SDQ difficulties, ...
    return None


# An umbrella query names mental health as a whole: its words are these (and who it is about) ...
_UMBRELLA = {"mental", "health", "psycho", "psychol", "psychia", "wellbei", "well", "being", "problem", "outcome",
             "symptom", "status", "emotion"}
_REQUIRED = {"mental", "psychol", "psychia", "psycho"}
_WHO = {"child", "childre", "infant", "materna", "mother", "mothers", "parent", "parenta", "paterna", "father",
        "adolesc", "youth", "perinat", "postnat", "postpar", "adult", "adults", "women", "offspri"}
# ... and it gathers outcomes whose construct is one of these.
_MENTAL_HEALTH = re.compile(
    r"(?i)depress|anxi|emotion|behavio|psych|mental|trauma|ptsd|stress|mood|suicid|wellbeing|well-being|"
    r"adhd|hyperactiv|conduct|internali|externali|difficulties"
)


def _umbrella(stems: list[str]) -> bool:
    """Whether a query's words name mental health as a whole (``child mental health``, ``psychological outcomes``)."""
    words = [stem for stem in stems if stem not in _WHO]
    return bool(words) and set(words) <= _UMBRELLA and bool(set(words) & _REQUIRED)
