"""Choosing outcomes: one value per outcome of a study unit, instruments absorbing what they measure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rapidfuzz import fuzz

from ...types import ExtractedValue
from .lexicon import fold, vocabulary
from .phrases import RUN_TOGETHER, construct_key, core_stems

STRONG = 0.6  # a group at or above this is reported ...
WEAK = 0.35  # ... and down to this when a unit has nothing strong


class _Group:
    """The mentions of one outcome, with what choosing reads of them worked out once per change."""

    def __init__(self, key: str, members: list[ExtractedValue]) -> None:
        self.key = key
        self.members = members
        self.refresh()

    def extend(self, members: list[ExtractedValue]) -> None:
        self.members.extend(members)
        self.refresh()

    def refresh(self) -> None:
        kind, first, best = "construct", self.members[0].start or 0, self.members[0].confidence
        places: set[int | None] = set()  # where the group is mentioned with some weight
        for member in self.members:
            if member.attributes.get("kind") == "instrument":
                kind = "instrument"
            first = min(first, member.start or 0)
            best = max(best, member.confidence)
            if member.confidence >= WEAK:
                places.add(member.start)
        self.kind, self.first = kind, first
        self.confidence = min(0.99, best + 0.05 * min(2, max(0, len(places) - 1)))
        self.display = _display(self)


def outcome_groups(candidates: list[ExtractedValue]) -> list[_Group]:
    """The mentions of a unit grouped by the outcome they name (instrument variants and near-duplicates merged)."""
    members: dict[str, list[ExtractedValue]] = {}
    for candidate in candidates:
        if candidate.field != "outcome":
            continue
        key = candidate.attributes.get("key") or construct_key(str(candidate.value))
        members.setdefault(key, []).append(candidate)
    groups = {key: _Group(key, group_members) for key, group_members in members.items()}
    _merge_instrument_variants(groups)
    _merge_near_duplicates(groups)
    return list(groups.values())


def choose_outcomes(candidates: list[ExtractedValue],
                    keep: Callable[[list[_Group]], list[_Group]] | None = None) -> list[ExtractedValue]:
    """One value per outcome of a study unit, in text order: merged, absorbed, and thresholded.

    ``keep``, when given, picks the groups to report (a learned chooser); else the strong groups are
    reported, or the weak ones when a unit has nothing strong."""
    groups = outcome_groups(candidates)
    if keep is not None:
        chosen = keep(groups)
    else:
        strong = [g for g in groups if g.confidence >= STRONG]
        chosen = strong or [g for g in groups if g.confidence >= WEAK]
    instruments = [g for g in chosen if g.kind == "instrument"]
    kept = list(instruments)
    inherited: dict[str, str] = {}  # a role an instrument takes from the construct it absorbed
    for group in chosen:
        if group.kind == "instrument":
            continue
        absorber = _absorber(group, instruments)
        if absorber is None:
            kept.append(group)
            continue
        role = next((m.role for m in group.members if m.role), None)
        if role and absorber.key not in inherited:
            inherited[absorber.key] = role
    kept = [group for group in kept if not RUN_TOGETHER.search(group.display)]
    return [_value_of(group, inherited.get(group.key)) for group in sorted(kept, key=lambda g: g.first)]


def _merge_instrument_variants(groups: dict[str, _Group]) -> None:
    """``Strengths and Difficulties Questionnaire`` joins ``SDQ-TD`` when the text gives only the variant."""
    for key in [k for k in groups if k.startswith("lex:") and "|" not in k]:
        variants = [k for k in groups if k.startswith(key + "|")]
        if len(variants) == 1 and not any(m.attributes.get("abbreviation") for m in groups[key].members):
            groups[variants[0]].extend(groups.pop(key).members)


def _merge_near_duplicates(groups: dict[str, _Group]) -> None:
    """Constructs differing only in modifiers or spelling (``child cognitive development``)."""
    keys = sorted((k for k in groups if groups[k].kind == "construct"), key=lambda k: groups[k].first)
    for index, key in enumerate(keys):
        if key not in groups:
            continue
        for other in keys[index + 1 :]:
            if other not in groups or key not in groups:
                continue
            name, other_name = groups[key].display, groups[other].display
            core = core_stems(name)
            if ((core and core == core_stems(other_name)) or fuzz.ratio(fold(name), fold(other_name)) >= 92) and \
                    not _negated_pair(name, other_name):  # "violent" and "nonviolent convictions" are two outcomes
                survivor, loser = (key, other) if groups[key].confidence >= groups[other].confidence else (other, key)
                groups[survivor].extend(groups.pop(loser).members)


_NEGATIONS = ("non-", "non", "un", "in", "dis", "anti-", "anti")


def _negated_pair(name: str, other: str) -> bool:
    """Names differing only by a negating prefix on one word (``violent`` / ``nonviolent``)."""
    words, other_words = fold(name).split(), fold(other).split()
    if len(words) != len(other_words):
        return False
    differing = [(a, b) for a, b in zip(words, other_words, strict=True) if a != b]
    if len(differing) != 1:
        return False
    a, b = sorted(differing[0], key=len)
    return any(b == prefix + a for prefix in _NEGATIONS)


def _absorber(group: _Group, instruments: list[_Group]) -> _Group | None:
    """The reported instrument that measures a construct (linked in the text, or by the lexicon), if any."""
    if not instruments:
        return None
    voc = vocabulary()
    bases = {g.key.split("|")[0]: g for g in instruments}
    for member in group.members:
        link = member.attributes.get("link")
        if link and link.split("|")[0] in bases:
            return bases[link.split("|")[0]]
    name = group.display
    words = set(fold(name.replace("-", " ").replace("/", " ")).split())
    if words and words <= voc.umbrella_words and words & voc.umbrella_required:
        return instruments[0]  # "mental health" when the unit names its mental-health instruments
    core = core_stems(name)
    for instrument in instruments:
        construct = instrument.members[0].attributes.get("construct")
        if core and construct and core <= core_stems(construct):
            return instrument
    return None


def _display(group: _Group) -> str:
    """The value to report: the text's abbreviation when it gives one, else the first or the strongest mention."""
    abbreviated = [m for m in group.members if m.attributes.get("abbreviation")]
    if abbreviated:
        return str(min(abbreviated, key=lambda m: m.start or 0).value)
    if group.kind == "instrument":
        return str(min(group.members, key=lambda m: m.start or 0).value)
    return str(max(group.members, key=lambda m: (m.confidence >= STRONG, -(m.start or 0))).value)


def _value_of(group: _Group, inherited_role: str | None = None) -> ExtractedValue:
    best = max(group.members, key=lambda m: m.confidence)
    roles = [m.role for m in group.members if m.role] + ([inherited_role] if inherited_role else [])
    role = "primary" if "primary" in roles else (roles[0] if roles else None)
    timepoints: dict[str, None] = {}
    for member in sorted(group.members, key=lambda m: m.start or 0):
        for timepoint in member.attributes.get("timepoints") or []:
            timepoints.setdefault(timepoint, None)
    attributes = dict(best.attributes)
    attributes["timepoints"] = list(timepoints)
    attributes["mentions"] = len(group.members)
    return replace(best, value=group.display, confidence=round(group.confidence, 3), role=role,
                   attributes=attributes, chosen=True)
