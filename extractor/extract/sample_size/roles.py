"""Roles: the stage each count of a sentence reports (randomised, enrolled, analysed, ...), from the cue
nearest it - the verb after it, a word inside its phrase, one before it - settled into ``ROLES`` with a
confidence."""

from __future__ import annotations

import re

from ...textlayer import Sentence
from ..common.number_words import WORD_COUNT
from .counts import noun_unit, skip_brackets
from .lexicon import Cues
from .records import PERSON_KINDS, STUDY_KINDS, Count, Scan

_JOIN = re.compile(r"^\s*(?:with|and(?:\s+their)?|including|comprising|involving|of\s+whom|con|com|avec|mit|\(|,)?\s*"
                   r"(?:a\s+total\s+of\s+|(?:un|um|au)\s+total\s+de\s+|insgesamt\s+)?$", re.I)
_CONTAINS = re.compile(r"^\s*(?:with|and\s+their|including|comprising|involving|containing|con|com|avec|mit)\s+"
                       r"(?:a\s+total\s+of\s+|(?:un|um|au)\s+total\s+de\s+|insgesamt\s+)?$", re.I)
_HEADING_ENROLLED = re.compile(r"^(?:participants?|subjects?|patients?|sample|population|study population|setting and participants|participants and setting|design, setting,? and participants)\b", re.I)
# a number just before a cue owns it: "From a total sample of 247 patients, 14 withdrew"
_OWN_NUMBER_BEFORE = re.compile(rf"(?<![\w.,/\-])(?:\d[\d,]*|{WORD_COUNT})\s+(?:(?:were|was|had|have|then|also|subsequently)\s+){{0,2}}$", re.I)
_BASE_BEFORE = re.compile(r"^(?:[A-Z][\w ]{0,20}[,:]\s*)?of\s+(?:the\s+|all\s+|these\s+|a\s+total\s+of\s+)?$", re.I)
_STAGE_ROLES = ("randomised", "enrolled", "analysed", "followed_up", "included_studies", "excluded")
_AUXILIARY_BEFORE = re.compile(r"\b(?:were|was|are|is|been|be)\s+(?:\w+ly\s+)?$", re.I)
_DIGITS = re.compile(r"\d+")
_PERCENT_IN_BRACKETS = re.compile(r"\(\s*\d+(?:[.,·]\d+)?\s*%\s*\)")
_CLAUSE_VERB_ONLY = re.compile(r"(?:\s*(?:were|was|had|have|has|been|are|is|being|then|also|not|\w+ly))*\s*$")
_RELATIVE_ANYWHERE = re.compile(r"\b(?:who|whom|that|which|whose)\b")
_CLAUSE_END = re.compile(r";|\.\s")
_CLAUSE_JOIN = re.compile(r"\b(?:and|but|while|whereas)\b", re.I)
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z][\w-]*\s+$")
_INSIDE_ROLES = ("randomised", "analysed", "enrolled", "eligible", "screened", "included_studies", "excluded")

_PERSON_ROLE = {
    "randomised": "randomised", "enrolled": "enrolled", "enrolled_baseline": "enrolled", "analysed": "analysed",
    "followed_up": "followed_up", "screened": "screened", "eligible": "eligible", "total": "total",
}
# A count of studies that shares a person cue ("Fifteen trials with 7697 women were included").
_STUDY_ROLE = {
    "included_studies": "included_studies", "screened": "screened", "found": "included_studies", "total": "total",
    "enrolled": "included_studies", "analysed": "included_studies", "eligible": "included_studies",
}


def assign_roles(scan: Scan, s_start: int, s_end: int, counts: list[Count], sentence: Sentence | None) -> None:
    """Role of each count from the nearest cue: after it, inside its phrase, shared with the next count, before it."""
    text, lexicon = scan.text, scan.lexicon
    found: list[dict[str, tuple[str, int] | None]] = []
    in_sentence: dict[int, list[tuple[str, int, int]]] = {}  # every cue of the sentence, found once per cue table
    for position, count in enumerate(counts):
        cues = lexicon.study_cues if count.kind in STUDY_KINDS else lexicon.person_cues
        if id(cues) not in in_sentence:
            in_sentence[id(cues)] = _cues_in(scan, s_start, s_end, cues)
        sentence_cues = in_sentence[id(cues)]
        after_start = skip_brackets(text, count.np_end, s_end)
        following = next((c.start for c in counts[position + 1 :] if c.start >= after_start), s_end)
        after = text[after_start : min(following, after_start + 140)]
        stop = _CLAUSE_END.search(after)
        if stop:
            after = after[: stop.start()]
        if _open_bracket(text, s_start, count.start):
            # "1467 pupils (control: 28 schools, 778 pupils) were randomised": the verb is the subject's
            after = after.split(")", 1)[0]
        if count.form == "label":
            before_from = max(s_start, count.start - 220)
        else:
            previous_end = max((c.np_end for c in counts[:position] if c.np_end <= count.start), default=s_start)
            before_from = max(previous_end, count.start - 125, s_start)
            numbers = list(_DIGITS.finditer(text, before_from, count.start))
            if numbers:
                before_from = numbers[-1].end()
            semicolon = text.rfind(";", before_from, count.start)
            if semicolon != -1:
                before_from = semicolon + 1  # "820 of 919 patients enrolled; 352 patients with CR received": the cue is the clause's before
        after_cues = [c for c in _within(sentence_cues, after_start - s_start, after_start + len(after) - s_start)
                      if not _OWN_NUMBER_BEFORE.search(after[: c[1]])]
        cues_of: dict[str, tuple[str, int] | None] = {
            "after": _main_cue(after, after_cues),
            "inside": _inside_cue(scan.lower[count.start : count.np_end], cues),
            "before": _last_cue(_within(sentence_cues, before_from - s_start, count.start - s_start),
                                count.start - before_from, cues),
            "stage_after": next(((r, p) for r, p, _ in after_cues if r in _STAGE_ROLES), None),
        }
        if cues_of["before"] is not None and cues_of["before"][0] == "total" and cues_of["before"][1] > 15:
            cues_of["before"] = None  # "a total of" belongs to the count right after it
        if cues_of["before"] is not None and position and counts[position - 1].np_end <= count.start and \
                _CLAUSE_JOIN.search(text, count.start - cues_of["before"][1], count.start):
            cues_of["before"] = None  # "1654 references were screened and 20 reviews ...": the verb is the first's
        found.append(cues_of)
    heading = sentence is not None and sentence.heading is not None and _HEADING_ENROLLED.match(sentence.heading)
    for position in range(len(counts) - 1, -1, -1):
        count, cues_of = counts[position], found[position]
        if count.form == "whole":
            continue
        following = next((c for c in counts[position + 1 :] if c.form != "whole"), None)
        joined = following is not None and _joined(text[count.np_end : following.start], count, following)
        if joined and following is not None and following.kind == count.kind and _CONTAINS.match(text[count.np_end : following.start]):
            count.attributes["contains"] = following.n
            following.attributes["within"] = count.n
        after, adjacent = cues_of["after"], cues_of["before"]
        if (adjacent is not None and adjacent[0] in _STAGE_ROLES and (after is None or after[1] > 15)
                and (adjacent[1] <= 3 or count.attributes.get("approximate") and adjacent[1] <= 20)):
            after = None  # "We randomly allocated 867 women attending their final invited ... appointment"
        if after is not None and after[0] == "total" and cues_of["inside"] is not None and count.kind in STUDY_KINDS:
            after = None  # "37 included studies provided estimates ..., with a total of": the phrase's own word
        if after is not None and after[1] <= 60:
            role, cue, distance = after[0], "after", after[1]
        elif cues_of["inside"] is not None:
            role, cue, distance = cues_of["inside"][0], "inside", 0
        elif joined and following is not None and following.role is not None and following.cue in ("after", "inherited") \
                and not (_BASE_BEFORE.search(text[s_start : count.start]) and text[count.np_end : following.start].strip() == ",") \
                and not (adjacent is not None and adjacent[1] <= 3 and text[count.np_end : following.start].strip() == ","):
            # (but "Of 34,537 retrieved studies, 199 ... were eligible": the first is the base the second is taken from;
            # and "a trial that screened 3000 women, 850 women ... were included": the verb right before the first
            # count is its own)
            role, cue, distance = following.raw_role, "inherited", 0
        elif cues_of["before"] is not None and cues_of["before"][1] <= 120:
            role, cue, distance = cues_of["before"][0], "before", cues_of["before"][1]
        elif _BASE_BEFORE.search(text[s_start : count.start]) and re.match(r"[^,;]{0,40},", text[count.np_end : s_end]):
            role, cue, distance = "total", "base", 0  # "Of 625 patients, 297 ... and 310 ... were analysed"
        elif heading:
            role, cue, distance = "enrolled", "heading", 100
        elif after is not None:
            role, cue, distance = after[0], "after", after[1]
        else:
            role, cue, distance = None, "none", 999
        stage_after, before = cues_of["stage_after"], cues_of["before"]
        if role in ("total", "eligible") and cue != "after" and stage_after is not None:
            role, cue, distance = stage_after[0], "after", stage_after[1]  # "A total of 5,318 patients ... were randomly assigned"
        elif role == "eligible" and cue == "inside" and before is not None and before[1] <= 25 and before[0] in _STAGE_ROLES:
            role, cue, distance = before[0], "before", before[1]  # "After inclusion of 167 eligible patients"
        count.role, count.raw_role, count.cue = role, role, cue
        count.confidence = _confidence(count, cue, distance)
        if cue == "inherited" and following is not None:
            count.confidence = min(count.confidence, following.confidence)
    for count in counts:
        if count.form != "whole" and count.role is None and "contains" in count.attributes:
            inner = next((c for c in counts if c.attributes.get("within") == count.n and c.start > count.start), None)
            if inner is not None and inner.role is not None:
                count.role = count.raw_role = inner.raw_role
                count.cue, count.confidence = "inherited", inner.confidence - 0.05
    _people_of_clusters(text, counts)
    _distant_stage(text, s_end, counts, scan)
    for count in counts:
        _settle_role(count, counts)


def _open_bracket(text: str, start: int, position: int) -> bool:
    """Whether ``position`` lies inside a round bracket opened after ``start`` and not yet closed."""
    depth = 0
    for character in text[start:position]:
        if character == "(":
            depth += 1
        elif character == ")" and depth:
            depth -= 1
    return depth > 0


def _people_of_clusters(text: str, counts: list[Count]) -> None:
    """"40 preschools with 1029 children were included": the people of the clusters share the clusters' stage
    when no cue of their own gives them one."""
    for cluster, people in zip(counts, counts[1:], strict=False):
        if cluster.kind != "cluster" or people.kind not in PERSON_KINDS or people.cue != "none" \
                or cluster.raw_role not in _STAGE_ROLES or people.start < cluster.np_end:
            continue
        if _CONTAINS.match(text[cluster.np_end : people.start]):
            people.role = people.raw_role = cluster.raw_role
            people.cue, people.confidence = "inherited", cluster.confidence - 0.05


# the verb that gives the sentence's first count of people its stage, after clauses that may hold other numbers:
# "A total of 212 children presenting with ... at one of six clinics between 2015 and 2017, ..., were randomly
# allocated"
_DISTANT_STAGE = re.compile(
    r"\b(?:were|was)\s+(?:then\s+|subsequently\s+|\w+ly\s+)?(?P<verb>randomi[sz]ed|allocated|assigned|enrolled|recruited|included)\b",
    re.I,
)
_WORD_BEFORE = re.compile(r"([A-Za-z\u00C0-\u024F][\w'’-]*)[\s,)]*$")
_DISTANT_LIMIT = 300
_TRAILING_BRACKETS = re.compile(r"(?:\s*\([^()]*\))+\s*$")


def _distant_stage(text: str, s_end: int, counts: list[Count], scan: Scan) -> None:
    """The stage of the first count of people of a sentence that no near cue gave one ("total" at most), from
    the passive stage verb further on, when no other count of people and no semicolon stands between and the
    word before the verb is not a noun for people of its own ("... where nurses were assigned")."""
    people = [c for c in counts if c.kind in PERSON_KINDS and c.form not in ("whole", "part")]
    if not people:
        return
    count = people[0]
    if count.role not in ("total", None) or count.cue == "after" or "arm" in count.attributes:
        return
    window = text[count.np_end : min(s_end, count.np_end + _DISTANT_LIMIT)]
    window = window.split(";", 1)[0]
    verb = _DISTANT_STAGE.search(window)
    if verb is None:
        return
    verb_at = count.np_end + verb.start()
    if any(c is not count and c.kind in PERSON_KINDS and count.np_end <= c.start < verb_at
           and not _open_bracket(text, count.np_end, c.start) for c in counts):
        return  # another count of people of its own stands before the verb (one inside brackets is a breakdown)
    before = _WORD_BEFORE.search(_TRAILING_BRACKETS.sub("", window[: verb.start()]))
    if before is not None and noun_unit(before.group(1), scan.lexicon) is not None:
        return
    stage = "randomised" if re.match(r"randomi|allocated|assigned", verb.group("verb"), re.I) else "enrolled"
    count.role = count.raw_role = stage
    count.cue = "after"
    count.confidence = _confidence(count, "after", 120) - 0.05  # a verb further than any near cue


def _joined(join: str, count: Count, following: Count) -> bool:
    """Whether two counts are one phrase: "382 families with 488 children", "227/283 (80%) and 226/287"."""
    join = _PERCENT_IN_BRACKETS.sub(" ", join)
    if _JOIN.match(join):
        return True
    if following.kind == "cluster" and count.kind in PERSON_KINDS and re.match(r"^\s*(?:from|in|at|across|within)\s+(?:the\s+)?$", join, re.I):
        return True  # "564 patients from two study centres in Sweden were enrolled"
    if join.lstrip().startswith("(") and ")" not in join:
        return True  # "286 families (149 NIM and 137 SAU, 367 children)": a breakdown inside brackets
    return count.form == "part" and bool(re.match(r"^\s*(?:[\w\-]+\s+){0,3}(?:and|or|,)\s*$", join))


def _cues_in(scan: Scan, start: int, end: int, cues: Cues) -> list[tuple[str, int, int]]:
    """Every cue in ``[start, end)`` as (role, start, end) relative to ``start``, in text order; cue words inside a
    capitalised name are skipped."""
    found = []
    for match in cues.combined.finditer(scan.lower, start, end):
        if scan.text[match.start()].isupper() and _NAME_BEFORE.search(scan.text, max(start, match.start() - 40), match.start()):
            continue  # "the Japan Strategic Anti-cancer Randomized Trial"
        found.append((cues.roles[int(match.lastgroup[1:])], match.start() - start, match.end() - start))  # type: ignore[index]
    return found


def _main_cue(after: str, after_cues: list[tuple[str, int, int]]) -> tuple[str, int] | None:
    """The first cue after a count; past a relative clause the cue of the main verb ("women who completed
    treatment were randomized", "five dyads who were assigned ... were omitted")."""
    if not after_cues:
        return None
    relative = _RELATIVE_ANYWHERE.search(after, 0, after_cues[0][1])
    if relative:
        # inside the clause the verbs describe the people; the main verb carries the auxiliary
        for role, offset, _ in after_cues:
            own_verb = _CLAUSE_VERB_ONLY.match(after, relative.end(), offset)  # "who were assigned": the clause's own
            if offset > relative.start() and _AUXILIARY_BEFORE.search(after[:offset]) and not own_verb:
                return role, offset
        after_cues = [c for c in after_cues if c[0] != "excluded"]
        if not after_cues:
            return None
    return after_cues[0][0], after_cues[0][1]


def _inside_cue(inside: str, cues: Cues) -> tuple[str, int] | None:
    for role in cues.roles:
        if role in _INSIDE_ROLES and cues.each[role].search(inside):
            return role, 0
    return None


def _within(found: list[tuple[str, int, int]], start: int, end: int) -> list[tuple[str, int, int]]:
    """The cues lying inside ``[start, end)`` (offsets relative to the sentence), re-based on ``start``."""
    return [(role, s - start, e - start) for role, s, e in found if s >= start and e <= end]


def _last_cue(found: list[tuple[str, int, int]], length: int, cues: Cues) -> tuple[str, int] | None:
    """The cue nearest the end of a window of ``length`` characters, as (role, distance from the end)."""
    if not found:
        return None
    role, _, last = min(found, key=lambda item: (length - item[2], cues.roles.index(item[0])))
    return role, length - last


def _confidence(count: Count, cue: str, distance: int) -> float:
    base = {"after": 0.85, "inside": 0.8, "before": 0.78, "heading": 0.6, "inherited": 0.75, "base": 0.5, "none": 0.35}[cue]
    if cue in ("after", "before"):
        base -= min(distance, 120) / 1200
    if count.kind == "unknown":
        base -= 0.2
    if count.unit_from == "context":
        base -= 0.05
    elif count.unit_from == "default":
        base -= 0.15
    if count.form == "verb" and cue == "none":
        base -= 0.2
    if count.form == "part" and count.raw_role is None:
        base -= 0.1  # "four of 75 children": the whole is the sample
    if count.form == "part" and count.raw_role in ("randomised", "enrolled"):
        base -= 0.3  # "correctly allocated 75 out of 92 (81.5%) patients": a share, not the sample
    return base


def _settle_role(count: Count, counts: list[Count]) -> None:
    """Turn the cue found for a count into one of ``ROLES`` (or None to leave the count out)."""
    raw = count.raw_role
    if raw == "excluded":
        count.role = None
        return
    if count.form == "whole":
        part = next((c for c in counts if c.form == "part" and c.attributes.get("of") == count.n and c.np_end == count.np_end), None)
        if part is not None and part.role is None:
            count.role = None
            return
        count.role, count.cue = "total", "whole"
        count.confidence = 0.5 if part is None else max(0.3, part.confidence - 0.3)
        if count.attributes.get("stage") and count.kind in PERSON_KINDS:
            # "820 of 919 patients enrolled": the participle after the whole gives the whole its stage
            count.role, count.cue, count.confidence = count.attributes.pop("stage"), "after", 0.75
        if count.attributes.get("planned"):
            count.confidence = 0.2  # "terminated at 338 of 2,150 planned patients"
        if count.kind == "cluster":
            count.attributes["stage"], count.role = "total", "clusters"
        return
    if count.kind in STUDY_KINDS:
        if count.form == "label" and raw is None:
            raw = "included_studies"
        if raw == "found":
            count.attributes["found"] = True
            count.confidence -= 0.15
        count.role = _STUDY_ROLE.get(raw or "", "total")
        if raw is None or count.role == "total":
            count.confidence = min(count.confidence, 0.4)
        return
    if count.kind == "cluster":
        count.attributes["stage"] = _PERSON_ROLE.get(raw or "", "total")
        count.role = "clusters"
        return
    role = _PERSON_ROLE.get(raw or "")
    if count.attributes.get("whole_staged") and count.cue == "after":
        role, count.confidence = "total", min(count.confidence, 0.3)  # the stage verb is the whole's
    if role is None:
        if count.form == "verb":
            count.role = None
            return
        role = "total"
        if count.form == "label" and count.unit_from != "default":
            count.confidence = max(count.confidence, 0.45)
    if ("percent" in count.attributes or count.attributes.get("of_group")) and role in ("total", "eligible", "screened") \
            and count.form != "part":
        count.role = None  # "90 (16%) women had an adverse event", "12 of the patients had ...": a subgroup
        return
    count.role = role


def screened_before_included(counts: list[Count]) -> None:
    """"Of the 842 studies identified, 83 met the criteria": the first count was screened, not included."""
    for position, count in enumerate(counts):
        if count.kind not in STUDY_KINDS or not (
            count.role == "total" or (count.role == "included_studies" and (
                count.attributes.get("found") or (count.cue == "inside" and "eligible" in count.attributes.get("phrase", "").lower())))  # "Of the 414 eligible articles, 248"
        ):
            continue
        later = [c for c in counts[position + 1 :] if c.kind in STUDY_KINDS and c.role == "included_studies" and c.n < count.n]
        if later:
            count.role = "screened"
            count.attributes.pop("found", None)
