"""Arms: counts that are the size of one arm ("X (n = 38)", "N randomised to the X group", numbers that add
up to a total just before them), and the sum of a sentence's arms as a total of their stage."""

from __future__ import annotations

import re

from ..common.number_words import COUNT, WORD_COUNT, parse_count
from .counts import noun_unit
from .lexicon import Lexicon
from .numbers import PERCENT_AFTER, Number, plausible_number
from .records import PERSON_KINDS, Count, Scan

# "92 were randomized to T + P and 42 to T + P + pac"
_NEXT_ARM = re.compile(rf"(?:,|;|\band\b)\s*(?:(?:the\s+)?(?:remaining|other)\s+)?(?P<count>{COUNT})\s+(?:(?:were|was)\s+)?(?:[\w-]+\s+){{0,2}}?(?:to|into)\b", re.I)
_ARM_AFTER = re.compile(
    r"\s*(?:(?:were|was|will\s+be)\s+)?(?:(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|allocated|assigned|received|receiving)\s+)?"
    r"(?:to|in|into|within)\s+(?:the\s+|a\s+|an\s+)?(?P<label>[^,;()]{1,50}?)\s+(?:group|arm|condition|cohort)\b",
    re.I,
)
# "Of 84 patients randomly assigned to G-CSF throughout all chemotherapy cycles": one arm
_ARM_TO = re.compile(
    r"\s*(?:(?:were|was|had\s+been)\s+)?(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated)\s+(?:to|into)\s+"
    r"(?!(?:receive\s+|undergo\s+)?(?:either|both|one\s+of|two|three|four|each|the\s+two|the\s+three|one\s+or|\d)\b)"
    r"(?P<label>[^,;()]{1,80}?)(?=\s*(?:[,;(]|\.(?:\s+[A-Z]|$)|$))",
    re.I,
)
_ALTERNATIVE_WORDS = re.compile(
    r"\b(?:or|vs|versus|either|both|respectively|compared|comparison|placebo|control|usual\s+care)\b|/|"
    r"\band\s+(?:to\b|(?:the\s+)?(?:[\w-]+\s+){0,2}(?:group|arm|condition)s?\b)|\b(?:groups|arms)\b", re.I
)
_ALTERNATIVE_AFTER = re.compile(
    r"[^.;]{0,120}?\b(?:or|and|vs\.?|versus)\b[^.;\d]{0,80}?\b(?:groups?|arms?|controls?|placebo|usual\s+care|conditions?)\b",
    re.I,
)
# Labelled counts joined as alternatives: "B6 (N = 12) or B1+B6 (N = 15)"
_ALTERNATIVE_JOIN = re.compile(r"\b(?:or|vs|versus)\b", re.I)
_ALTERNATIVES = re.compile(r"\b(?:or|either|both|versus|vs|each|and)\b|^(?:two|three|four|five|\d+)\s", re.I)
_STEM = re.compile(r"^(?:the|a|an|either|both|all|those|these|to|or|and|in|into)\s+", re.I)
_CONNECTOR = re.compile(
    r"\b(?:to|or|and|vs\.?|versus|either|in|into|of|between|than|receive|received|receiving|from|with|while|whereas)\b|[,;:]",
    re.I,
)
_ALLOCATION = re.compile(r"(?<!non-)\b(?:randomi[sz]ed|randomly|allocated|assigned|allocation)\b")
_GROUP_WORD_BEFORE = re.compile(r"\b(?:group|arm|condition)\s*[(,;]?\s*$")
_BRACKETED = re.compile(r"\([^()]*\)")
_CLAUSE_BREAK = re.compile(r";|\.(?:\s+(?=[A-Z][a-z])|$)")
_THE_STUDY = re.compile(r"(?:this\s+|present\s+|our\s+)?(?:study|trial|research|project|programme|program)", re.I)
_TOTAL_ROLES = ("randomised", "enrolled", "total", "eligible", "analysed", "followed_up", "screened")


def mark_arms(scan: Scan, s_start: int, s_end: int, counts: list[Count]) -> None:
    """Mark counts that are sizes of one arm: labelled counts side by side, "N ... randomised to the X group",
    "N of M" pairs whose wholes are the arms, counts "in each group"."""
    text, lower, lexicon = scan.text, scan.lower, scan.lexicon
    sentence_lower = lower[s_start:s_end]
    labels = [c for c in counts if c.form == "label" and c.kind in PERSON_KINDS and c.role is not None]
    allocation = _ALLOCATION.search(sentence_lower)
    for count in counts:
        if count.role is None or count.kind not in PERSON_KINDS:
            continue
        after = text[count.np_end : min(s_end, count.np_end + 80)]
        if lexicon.each_after.match(lower, count.np_end, s_end) or lexicon.each_after.match(lower, count.end, s_end):
            count.attributes["each"] = True
            count.attributes.setdefault("arm", "each")
            if count.role in ("randomised", "enrolled", "total"):
                count.role = "arm"
            continue
        bracketed = count.form == "noun" and text[max(s_start, count.start - 3) : count.start].rstrip().endswith("(")
        if count.form == "label" or bracketed:
            label = _label_before(text, s_start, count.start)
            near = text[max(s_start, count.start - 50) : count.start]
            arm_near = bool(label and lexicon.arm_words.search(label.lower())) or bool(lexicon.arm_words.search(near[-25:].lower()))
            several = len(labels) >= 2 and (allocation or lexicon.arm_words.search(sentence_lower) or any(
                _ALTERNATIVE_JOIN.search(text[a.end : b.start]) for a, b in zip(labels, labels[1:], strict=False)))
            group_word = _GROUP_WORD_BEFORE.search(near)
            single_total = text[count.start] == "N" and len(labels) == 1 and not group_word
            others = [c.n for c in labels if c is not count]
            if len(others) >= 2 and (count.n == sum(others) or (text[count.start] == "N" and all(
                    text[c.start] == "n" for c in labels if c is not count))):
                continue  # "Women (N = 228) were randomly assigned to X (n = 114) or placebo (n = 114)"
            last_word = label.split()[-1] if label.split() else ""
            names_people = noun_unit(last_word, lexicon) is not None and not lexicon.arm_words.search(label.lower())
            if (arm_near or several) and not single_total and label and not names_people:
                allocated = allocation is not None and allocation.start() < count.start - s_start
                _make_arm(count, label, lexicon, stage="randomised" if allocated else None, group="labels")
            continue
        if count.form == "whole":
            continue
        arm = _ARM_AFTER.match(after)
        if arm and arm.group(0).lower().endswith("cohort") and (
                arm.group("label")[:1].isupper() or sum(c.kind in PERSON_KINDS for c in counts) < 2):
            arm = None  # "data from 6,032 children in the Millennium Cohort": the study's own cohort, no arm
        if arm and (_ALTERNATIVE_AFTER.match(text[count.np_end : s_end], arm.end()) or _ALTERNATIVES.search(arm.group("label"))):
            arm = None  # "randomised into an intervention group (IG = 18) or control group"
        if arm is None and not _arms_follow(count, counts, text):
            arm = _ARM_TO.match(after)
            clause = text[count.np_end : s_end]
            while _BRACKETED.search(clause):
                clause = _BRACKETED.sub(" ", clause)
            clause = _CLAUSE_BREAK.split(clause, maxsplit=1)[0][:160]
            if arm and _ALTERNATIVE_WORDS.search(clause):
                arm = None  # "randomly assigned to AC (n = 180) or AD (n = 183)"
        if arm and count.role in ("randomised", "enrolled", "total", "analysed", "followed_up"):
            _make_arm(count, arm.group("label"), lexicon, group="phrase")
    # "the per-protocol group (n = 33) ... than the control group (n = 35)": arms of one sentence share a stage
    arms = [c for c in counts if c.form == "label" and "arm" in c.attributes and not c.attributes.get("each")]
    stages = {c.role for c in arms} - {"arm", "total"}
    if len(arms) >= 2 and len(stages) == 1:
        stage = stages.pop()
        for count in arms:
            if count.role in ("arm", "total"):
                count.role = stage
                count.attributes.pop("stage", None)
    for count in counts:
        # "All 25 mothers and their 26 infants allocated into each group": both are per-group counts
        inner = next((c for c in counts if c.attributes.get("within") == count.n and c.start > count.start), None)
        if inner is not None and inner.attributes.get("each") and count.role is not None:
            count.attributes["each"] = True
            count.attributes.setdefault("arm", "each")
            if count.role in ("randomised", "enrolled", "total"):
                count.role = "arm"
    # "255 of 363 (70%) intervention and 240 of 359 (67%) control group women": wholes are arms
    wholes = [c for c in counts if c.form == "whole" and c.kind in PERSON_KINDS]
    if len(wholes) >= 2:
        for whole in wholes:
            label = _whole_label(text, whole, s_end)
            if label:
                _make_arm(whole, label, lexicon, group="wholes")
                part = next((c for c in counts if c.form == "part" and c.attributes.get("of") == whole.n), None)
                if part is not None and part.role is not None:
                    part.attributes["arm"] = whole.attributes["arm"]
                    part.attributes["arm_kind"] = whole.attributes["arm_kind"]


def arms_named_after(scan: Scan, s_start: int, s_end: int, index: int, counts: list[Count]) -> list[Count]:
    """"92 were randomized to T + P and 42 to T + P + pac": the second number is an arm too."""
    new: list[Count] = []
    for count in counts:
        chained = count.arm_group.startswith("next")
        if count.kind not in PERSON_KINDS or count.raw_role != "randomised" or (
                "arm" in count.attributes and not chained and count.arm_group != "phrase"):
            continue
        after = scan.text[count.np_end : s_end]
        if not re.match(r"\s*(?:(?:were|was)\s+)?(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated)\s+(?:to|into)\b", after, re.I):
            continue
        following = _NEXT_ARM.search(after[:200])
        if following is None or re.search(r"[;]|\.\s", after[: following.start()]):
            continue
        n = parse_count(following.group("count"))
        start = count.np_end + following.start("count")
        if n is None or n <= 1:
            continue
        existing = next((c for c in counts + new if c.start <= start < max(c.np_end, c.end)), None)
        group = count.arm_group if chained else f"next{count.start}"
        _make_arm(count, _arm_label(scan.text, count.np_end, s_end), scan.lexicon, stage="randomised", group=group)
        if existing is not None:
            if existing.kind in PERSON_KINDS:
                existing.role = "arm"
                _make_arm(existing, _arm_label(scan.text, existing.np_end, s_end), scan.lexicon, stage="randomised",
                          group=group)
            continue
        arm = Count(n, start, count.np_end + following.end("count"), index, count.unit, count.kind, "bare",
                    role="arm", raw_role="randomised", cue="parallel", confidence=count.confidence - 0.05,
                    unit_from="context", np_end=count.np_end + following.end("count"))
        _make_arm(arm, _arm_label(scan.text, arm.np_end, s_end), scan.lexicon, stage="randomised", group=group)
        new.append(arm)
    return new


def arms_by_sum(scan: Scan, s_start: int, s_end: int, index: int, counts: list[Count], found: list[Number]) -> None:
    """Numbers of one sentence that add up to a count just before them are its arms ("403 patients were
    enrolled; 201 were assigned high-dose chemotherapy and 202 conventional treatment")."""
    # scan.counts grows sentence by sentence, so the last three sentences' counts are its tail (a filter
    # of the whole list for every sentence was quadratic in a long text)
    first = len(scan.counts)
    while first and scan.counts[first - 1].sentence >= index - 2:
        first -= 1
    earlier = scan.counts[first:] + counts
    totals = [c for c in earlier if c.kind in PERSON_KINDS and c.form != "sum" and c.role in _TOTAL_ROLES]
    if not totals or not any(c.kind in PERSON_KINDS and "arm" not in c.attributes for c in counts):
        return
    numbers: list[tuple[int, int, int, Count | None]] = []
    for number in found:
        start = number.start
        owner = next((c for c in counts if c.start <= start < max(c.np_end, c.end)), None)
        if owner is not None:
            if owner.form not in ("whole", "sum") and (not numbers or numbers[-1][3] is not owner):
                numbers.append((owner.n, owner.start, owner.np_end, owner))
            continue
        n = number.value if number.value is not None else parse_count(number.text)
        before = scan.text[max(s_start, start - 30) : start]
        after = scan.text[number.end : min(s_end, number.end + 200)]
        if n is not None and number.symbol is None and plausible_number(n, number.text, before, after, scan.lexicon):
            numbers.append((n, start, number.end, None))
    for first in range(len(numbers)):
        head = numbers[first][3]
        if head is None or head.kind not in PERSON_KINDS or "arm" in head.attributes:
            continue
        for size in (2, 3):
            group = numbers[first : first + size]
            if len(group) < size or any(b[1] - a[2] > 90 for a, b in zip(group, group[1:], strict=False)):
                break
            total = next((t for t in totals if t.n == sum(g[0] for g in group) and t.start < group[0][1]
                          and all(t is not g[3] for g in group)), None)
            if total is None:
                continue
            _mark_sum_arms(scan, s_end, index, counts, group, total)
            break


def _mark_sum_arms(scan: Scan, s_end: int, index: int, counts: list[Count],
                   group: list[tuple[int, int, int, Count | None]], total: Count) -> None:
    roles = {g[3].raw_role for g in group if g[3] is not None}
    if "randomised" in roles or total.role == "randomised":
        stage = "randomised"
    elif roles & {"analysed", "followed_up"}:
        stage = next(r for r in ("analysed", "followed_up") if r in roles)
    else:
        stage = total.role if total.role in ("enrolled", "total") else "total"
    for n, start, end, count in group:
        if count is None:
            count = Count(n, start, end, index, total.unit, total.kind, "bare", role=None, cue="sum",
                          confidence=total.confidence - 0.1, unit_from="context", np_end=end)
            counts.append(count)
        count.role = None if stage in ("randomised", "enrolled", "total") else stage
        count.attributes.pop("arm", None)
        _make_arm(count, _arm_label(scan.text, count.np_end, s_end) or f"arm {len(count.attributes) + 1}",
                  scan.lexicon, stage=stage, group=f"sum{group[0][1]}")
    counts.sort(key=lambda c: c.start)


def _arm_label(text: str, position: int, limit: int) -> str:
    """The arm named after a count: "201 were assigned high-dose chemotherapy" -> "high-dose chemotherapy"."""
    after = text[position : min(limit, position + 80)]
    after = re.sub(r"^\s*(?:(?:were|was)\s+)?(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated|received|receiving)?\s*(?:to|into|in)?\s*(?:the\s+|a\s+)?", "", after, flags=re.I)
    label = re.split(r"\s*(?:[,;()]|\band\b|\bor\b|\bvs\b|\bversus\b|\bwhile\b|\bwhereas\b)", after, maxsplit=1)[0]
    return label.strip()[:60]


def _arms_follow(count: Count, counts: list[Count], text: str) -> bool:
    """Whether labelled arm counts follow a count in its sentence ("64 were randomized (n = 35, X; n = 29, Y)")."""
    later = [c for c in counts if c.start > count.start and c.kind in PERSON_KINDS
             and (c.form == "label" or text[max(0, c.start - 2) : c.start].strip() == "(")]
    return len(later) >= 2


def _make_arm(count: Count, label: str, lexicon: Lexicon, stage: str | None = None, group: str = "phrase") -> None:
    """Mark a count as the size of one arm; arms of one group in one sentence are summed. The study itself
    ("randomly assigned into the study") and a list opened by a colon ("randomized to receive: A ...; or B")
    name no arm."""
    label = re.split(rf"\s+and\s+(?=\d|{WORD_COUNT})", label, maxsplit=1)[0]
    if ":" in label:
        return
    label = _STEM.sub("", label.strip(" ,;:(.").strip())
    label = _STEM.sub("", label).strip()
    if not label or _THE_STUDY.fullmatch(label):
        return
    count.arm_group = group
    count.attributes["arm"] = label
    count.attributes["arm_kind"] = "control" if lexicon.control_words.search(label.lower()) else "intervention"
    if count.role in ("randomised", "enrolled", "total", "arm", None):
        count.attributes["stage"] = stage or count.attributes.get("stage") or count.role or "total"
        count.role = "arm"


def _label_before(text: str, s_start: int, label_start: int) -> str:
    """The arm name written before an ``(n = 38)``: inside its bracket, else back to the last connector."""
    before = text[max(s_start, label_start - 90) : label_start]
    opening = before.rfind("(")
    if opening != -1 and ")" not in before[opening:]:
        inside = before[opening + 1 :].strip(" ;,:")
        if inside and not re.fullmatch(r"[\d\s.,:;%-]*", inside):
            return inside
        before = before[:opening]
    before = before.rstrip(" ,;:")
    connectors = list(_CONNECTOR.finditer(before))
    tail = before[connectors[-1].end() :] if connectors else before
    tail = tail.strip(" ,;:(")
    return tail if len(tail) <= 60 else tail[-60:].split(" ", 1)[-1]


def _whole_label(text: str, whole: Count, s_end: int) -> str:
    after = text[whole.end : min(s_end, whole.end + 60)]
    after = PERCENT_AFTER.sub("", after, count=1) if PERCENT_AFTER.match(after) else after
    words: list[str] = []
    for word in re.findall(r"[\w\-]+|[^\w\s]", after)[:4]:
        if not re.match(r"[\w\-]+$", word) or word.lower() in ("and", "or", "of", "in", "who", "were", "had", "with"):
            break
        if word.lower() == whole.unit:
            break
        words.append(word)
    return " ".join(words)


def arm_sums(counts: list[Count]) -> list[Count]:
    """Arm counts of one sentence and one stage, added up into a total of that stage."""
    groups: dict[tuple[int, str, str, str], list[Count]] = {}
    for count in counts:
        if "arm" not in count.attributes or count.attributes.get("each") or count.role is None:
            continue
        groups.setdefault((count.sentence, count.role, count.kind, count.arm_group), []).append(count)
    sums: list[Count] = []
    for (sentence, role, kind, _), arms in groups.items():
        if len(arms) < 2:
            continue
        stage = role
        if role == "arm":
            stages = {a.attributes.get("stage") for a in arms}
            stage = "randomised" if "randomised" in stages or any(a.attributes.get("allocation") for a in arms) else "total"
            if stage == "total" and "enrolled" in stages:
                stage = "enrolled"
        unit = next((a.unit for a in arms if a.unit_from == "noun"), arms[0].unit)
        if arms[0].arm_group == "sexes" and unit in _SEXES:
            unit = "children" if unit in ("boys", "girls") else "participants"  # women and men together
        elif arms[0].arm_group.startswith("groups") and len({a.unit for a in arms}) > 1:
            unit = "participants"  # "36 patients with schizophrenia and 30 healthy controls were enrolled"
        attributes = {"arms": [{"label": a.attributes.get("arm"), "n": a.n} for a in arms], "sum_of_arms": True}
        sums.append(Count(
            sum(a.n for a in arms), arms[0].start, arms[-1].end, sentence, unit, kind, "sum", role=stage, cue="sum",
            confidence=min(a.confidence for a in arms) - 0.05, attributes=attributes,
            unit_from=min((a.unit_from for a in arms), key=("noun", "context", "default").index),
        ))
    return sums


# "66 women, 68 men", "54 men and 46 women", "12 boys and 14 girls": the two sexes of one sample
_SEXES = {"women": "men", "men": "women", "females": "males", "males": "females", "boys": "girls", "girls": "boys"}
_SEX_JOIN = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:,\s*(?:and\s+)?|and\s+|\+\s*)$", re.I)


def sexes(text: str, counts: list[Count], lexicon: Lexicon) -> None:
    """Counts of women and of men (boys and girls, females and males) side by side in one sentence are two
    groups of one sample: each is marked as a group (not the headline alone) and ``arm_sums`` adds them up
    (FORMAT.md: the sample is everyone the study counts). A group already marked as an arm is left alone."""
    people = [c for c in counts if c.kind in PERSON_KINDS and c.role is not None and not c.attributes.get("each")]
    for first, second in zip(people, people[1:], strict=False):
        if "arm" in first.attributes or "arm" in second.attributes:
            continue
        first_word = first.attributes.get("sex", "")
        other_sex = {"male": "female", "female": "male"}.get(first_word)
        second_word = second.attributes.get("phrase", "").lower().split(" ")[0]
        # "137 male and 51 female outpatients", "709 hospice and 1,326 nonhospice residents"
        adjectives = bool(first_word) and first.unit == second.unit and second_word == (other_sex or second_word) \
            and second.start - first.np_end <= 12
        if _SEXES.get(first.unit) != second.unit and not adjectives:
            continue
        if first.form == "whole" or second.form == "whole" or not _SEX_JOIN.match(text[first.np_end : second.start]):
            continue
        stage = next((c.role for c in (first, second) if c.role not in ("total", "arm")), None)
        confidence = max(first.confidence, second.confidence)  # the second group shares the first's cue
        for group in (first, second):
            _make_arm(group, group.unit, lexicon, stage=stage, group="sexes")
            group.confidence = confidence
            if stage in ("analysed", "followed_up"):
                group.role = stage  # both groups report the stage the first one's cue gives


# "281 burn victims and 273 hospital-based controls", "120 cases (...) and 240 matched controls"
# "312 cases of autism and 1,560 matched controls", "Cases (n = 120) and controls (n = 240)"
_CASES_THEN_CONTROLS = re.compile(
    r"\s*\)?\s*(?:(?:of|with)\s+[^\d,;.()]{1,40}?\s*)?(?:\([^()]*\)\s*)?,?\s*(?:and|plus|as\s+well\s+as|with|vs\.?|versus|,)\s*"
    r"(?:(?:[\w-]+\s+){0,3}controls?\s*(?:[(\[]\s*(?:[nN]\s*[=:]\s*)?)?)?$",
    re.I,
)
_CONTROL_UNITS = ("controls", "control")


def cases_and_controls(text: str, counts: list[Count]) -> list[Count]:
    """A count of people joined to a count of controls right after it ("281 burn victims and 273 controls"),
    added up into one count marked ``cases_and_controls`` (the sample of a case-control study, FORMAT.md: the
    people the study counts). The parts stay candidates; which one is the headline is the chooser's call."""
    sums: list[Count] = []
    people = [c for c in counts if c.kind in PERSON_KINDS and c.role is not None and not c.attributes.get("each")]
    for position, (cases, controls) in enumerate(zip(people, people[1:], strict=False)):
        earlier = people[position - 1] if position else None
        if earlier is not None and earlier.sentence == cases.sentence and cases.start - earlier.np_end <= 80 \
                and ";" not in text[earlier.np_end : cases.start]:
            continue  # "in 12 patients with X, 11 patients with Y and 10 healthy controls": a list of groups
        if controls.unit not in _CONTROL_UNITS or cases.unit in _CONTROL_UNITS or cases.form == "whole" \
                or "arm" in cases.attributes:
            continue
        if controls.start < cases.np_end or not _CASES_THEN_CONTROLS.match(text[cases.np_end : controls.start]):
            continue
        # the stage the two counts report: the cases' role, else the controls' (an arm's stage), else a total
        stages = (cases.role, controls.role, controls.attributes.get("stage"))
        role = next((stage for stage in stages if stage not in (None, "total", "arm")), "total")
        sums.append(Count(
            cases.n + controls.n, cases.start, controls.end, cases.sentence, "participants", "person", "sum", role=role,
            cue="sum", confidence=max(cases.confidence, controls.confidence),
            attributes={"cases_and_controls": True, "sum_of_arms": True, "cases": cases.n, "controls": controls.n},
            unit_from="context",
        ))
    return sums



# groups of people listed side by side before the one verb that gives them their stage: "Fifteen white-coat
# hypertensive out-patients and 23 essential hypertensive out-patients were randomly assigned"
_GROUP_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)$", re.I)
_GROUP_STAGES = ("randomised", "enrolled")
_DESCRIBED_JOIN = re.compile(r"\s*(?:with|without|who\s+had|having)\s+[^\d,;()]{1,50}?\s*(?:,\s*(?:and\s+)?|and\s+)$", re.I)


def groups_sharing_a_verb(text: str, counts: list[Count], lexicon: Lexicon) -> None:
    """Counts of people joined by commas or "and" whose last carries the stage verb ("N X and M Y were
    randomized", the earlier ones inheriting it) are groups of one sample: each is marked as a group and
    ``arm_sums`` adds them up (FORMAT.md: participants randomised, or enrolled). Counts already marked as
    arms or sexes are left alone."""
    people = [c for c in counts if c.kind in PERSON_KINDS and c.role is not None and c.form == "noun"
              and not c.attributes.get("each") and "arm" not in c.attributes]
    position = len(people) - 1
    while position > 0:
        last = people[position]
        if last.cue != "after" or last.role not in _GROUP_STAGES:
            position -= 1
            continue
        group = [last]
        while position > 0:
            earlier = people[position - 1]
            join = text[earlier.np_end : group[0].start]
            if earlier.np_end > group[0].start or (len(group) == 1 and "and" not in join.lower()):
                break  # a list ends with "and": "with 337 participants, 87 persons took part" is no list
            joined = earlier.cue == "inherited" and _GROUP_JOIN.match(join)
            # "36 patients with X and 30 ...", "Overall, 44 patients with X and 44 healthy women were included"
            described = (earlier.cue == "none" or (earlier.cue == "before" and earlier.role == "total")) \
                and _DESCRIBED_JOIN.match(join)
            if not (joined or described):
                break
            group.insert(0, earlier)
            position -= 1
        position -= 1
        if len(group) < 2:
            continue
        confidence = min(c.confidence for c in group)
        for member in group:
            _make_arm(member, member.attributes.get("phrase") or member.unit, lexicon, stage=last.role,
                      group=f"groups{group[0].start}")
            member.confidence = confidence
    _groups_after_a_verb(text, [c for c in people if "arm" not in c.attributes], lexicon)
    _groups_measured(text, [c for c in people if "arm" not in c.attributes], lexicon)
    _groups_receiving(text, [c for c in people if "arm" not in c.attributes], lexicon)


# the second group after the verb that gave the first its stage: "We enrolled 100 hypertensive patients (study
# group) and 30 normotensive subjects (control group)", "... recruited 52 children with asthma and 48 healthy children"
_SECOND_GROUP_JOIN = re.compile(
    r"\s*(?:\([^()]{0,40}\)\s*)?(?:(?:with|without|who\s+had|having)\s+[^\d,;()]{1,50}?\s*(?:\([^()]{0,40}\)\s*)?)?"
    r",?\s*(?:and|as\s+well\s+as)\s+$", re.I)


# two groups studied side by side with no stage verb of their own: "CA125 was measured in 72 patients with
# endometriomas and 55 patients with ovarian cancer", "13 CLBP patients and 15 healthy subjects performed a task"
_MEASURED_IN_BEFORE = re.compile(
    r"\b(?:measured|determined|assessed|evaluated|examined|investigated|studied|compared|analy[sz]ed|obtained|"
    r"collected|tested|performed|conducted|imaged|scanned)\s+(?:\w+\s+){0,2}?(?:in|from|on|among|between|of)\s+"
    r"(?:a\s+total\s+of\s+)?$", re.I)
_STUDIED_AFTER = re.compile(
    r"[^.;\d%]{0,60}?\b(?:performed|underwent|completed|participated|took\s+part|were\s+(?:studied|examined|assessed|"
    r"evaluated|compared|investigated|tested|imaged|scanned|interviewed))\b", re.I)


def _groups_measured(text: str, people: list[Count], lexicon: Lexicon) -> None:
    """Two counts of people joined by "and", neither with a stage of its own, studied together: after a verb of
    measurement and "in" ("measured in 72 patients with X and 55 patients with Y") or before a verb of taking
    part ("13 patients and 15 healthy subjects performed"). The two groups of one sample, added up as a total
    by ``arm_sums``. Results ("observed in 12 patients and 9 patients") have neither verb and stay apart."""
    for position, (first, second) in enumerate(zip(people, people[1:], strict=False)):
        if first.role != "total" or second.role != "total" or first.cue not in ("none", "before") \
                or second.cue != "none" or first.sentence != second.sentence:
            continue
        if first.form != "noun" or second.form != "noun" or second.start < first.np_end \
                or "percent" in first.attributes or "percent" in second.attributes or second.unit in _CONTROL_UNITS:
            continue
        earlier = people[position - 1] if position else None
        if earlier is not None and earlier.sentence == first.sentence and first.start - earlier.np_end <= 80 \
                and ";" not in text[earlier.np_end : first.start]:
            continue
        if not _SECOND_GROUP_JOIN.fullmatch(text, first.np_end, second.start) or _LIST_GOES_ON.match(text, second.np_end):
            continue
        if not (_MEASURED_IN_BEFORE.search(text, max(0, first.start - 60), first.start)
                or _STUDIED_AFTER.match(text, second.np_end)):
            continue
        confidence = min(first.confidence, second.confidence)
        for member in (first, second):
            _make_arm(member, member.attributes.get("phrase") or member.unit, lexicon, stage="total",
                      group=f"groups{first.start}")
            member.confidence = confidence


_LIST_GOES_ON = re.compile(r"[^.;\d]{0,60}?(?:\b(?:and|or)\s+\d|,\s*\d|\brespectively\b)", re.I)


def _groups_after_a_verb(text: str, people: list[Count], lexicon: Lexicon) -> None:
    """Two counts of people in one sentence, the first given its stage by the verb before it (enrolled,
    randomised) and the second, joined by "and", with no cue of its own: the two groups of one sample, each
    marked as a group so that ``arm_sums`` adds them up (FORMAT.md: the participants enrolled)."""
    for position, (first, second) in enumerate(zip(people, people[1:], strict=False)):
        if first.cue != "before" or first.role not in _GROUP_STAGES or second.cue != "none" or second.role != "total":
            continue
        if second.unit in _CONTROL_UNITS:
            continue  # cases and controls: ``cases_and_controls`` adds them up
        earlier = people[position - 1] if position else None
        if earlier is not None and earlier.sentence == first.sentence and first.start - earlier.np_end <= 80 \
                and ";" not in text[earlier.np_end : first.start]:
            continue  # "observed in one case, 12 cases and 12 cases": a longer list, of results
        if _LIST_GOES_ON.match(text, second.np_end):
            continue  # "67 PCPs and 1577 patients in one arm and 53 PCPs and 918 patients in the other"
        if first.sentence != second.sentence or first.form != "noun" or second.form != "noun" \
                or second.start < first.np_end or "percent" in second.attributes:
            continue
        if not _SECOND_GROUP_JOIN.fullmatch(text, first.np_end, second.start):
            continue
        confidence = min(first.confidence, max(second.confidence, first.confidence - 0.1))
        for member in (first, second):
            _make_arm(member, member.attributes.get("phrase") or member.unit, lexicon, stage=first.role,
                      group=f"groups{first.start}")
            member.confidence = confidence


# "Ninety-seven patients received rioprostil, 600 micrograms once-daily, and 110 patients received ranitidine"
_RECEIVED = re.compile(r"\s*(?:received|were\s+given|were\s+treated\s+with|were\s+allocated\s+to|were\s+assigned\s+to)\s", re.I)
_NEXT_GROUP = re.compile(r"(?:,\s*|\s+)(?:and|while|whereas)\s+(?:the\s+(?:other|remaining)\s+)?$", re.I)


def _groups_receiving(text: str, people: list[Count], lexicon: Lexicon) -> None:
    """Counts of people that each received a treatment, side by side in one sentence, with no stage cue of
    their own ("N patients received A, and M patients received B"): the arms of one study, summed as a total
    (FORMAT.md: when only arm sizes are given, n is their sum)."""
    group: list[Count] = []
    for count in people:
        receiving = count.cue == "none" and count.role == "total" and "percent" not in count.attributes \
            and _RECEIVED.match(text, count.np_end) is not None
        if receiving and group and group[-1].unit == count.unit and ";" not in text[group[-1].np_end : count.start] \
                and _NEXT_GROUP.search(text, group[-1].np_end, count.start) \
                and not _DIGIT_BETWEEN.search(text, group[-1].np_end, count.start):
            group.append(count)
            continue
        _receiving_arms(text, group, lexicon)
        group = [count] if receiving else []
    _receiving_arms(text, group, lexicon)


_DIGIT_BETWEEN = re.compile(r"\d+(?:[.,]\d+)?\s*(?:patients|participants|subjects|women|men|children)\b", re.I)


def _receiving_arms(text: str, group: list[Count], lexicon: Lexicon) -> None:
    if not 2 <= len(group) <= 4:
        return
    for member in group:
        label = _RECEIVED.match(text, member.np_end)
        assert label is not None
        _make_arm(member, _arm_label(text, label.end(), member.np_end + 120), lexicon, stage="total",
                  group=f"received{group[0].start}")
