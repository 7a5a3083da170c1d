"""Counts written in Chinese: "共纳入14项研究" (14 studies included), "选取1200名学生" (1,200 students chosen).

Chinese runs numbers into the words around them and has no plural nouns, so the English scan (``counts``)
finds nothing there. A count is a number followed by a measure word: 项 / 篇 (+ study words) for studies,
名 / 例 / 位 / 人 (+ a noun) for people. The role comes from a cue in the few characters before the number
(纳入 "included", 随机 "randomised", 选取 / 调查 / 招募 "chosen, surveyed, recruited") or 随机 just after
the noun, else it is a total.
Units are recorded in English (FORMAT.md labels pages in every language the same way).
"""

from __future__ import annotations

import re

from .records import Count

_CJK = re.compile(r"[\u4e00-\u9fff]")
_STUDY = re.compile(r"(?<![\d.])(?P<n>\d{1,3}(?:[,，]\d{3})+|\d+)\s*(?:项|篇|个)\s*(?:随机对照试验|随机对照研究|研究|文献|试验|RCT)")
_PERSON = re.compile(r"(?<![\d.])(?P<n>\d{1,3}(?:[,，]\d{3})+|\d+)\s*(?:名|例|位)(?P<noun>[\u4e00-\u9fff]{0,4})")
_PERSON_NOUNS = (
    ("儿童", "children"), ("幼儿", "children"), ("青少年", "adolescents"), ("学生", "students"), ("孕妇", "pregnant women"),
    ("产妇", "mothers"), ("母亲", "mothers"), ("父母", "parents"), ("家长", "parents"), ("患者", "patients"),
    ("病人", "patients"), ("妇女", "women"), ("女性", "women"), ("男性", "men"), ("老年人", "older adults"),
    ("婴儿", "infants"), ("新生儿", "newborns"), ("家庭", "families"), ("对象", "participants"), ("受试者", "participants"),
    ("参与者", "participants"), ("居民", "residents"),
)  # fmt: skip
_CUES = (("randomised", re.compile(r"随机")), ("included", re.compile(r"纳入|入选|包括|收录")),
         ("enrolled", re.compile(r"选取|抽取|调查|招募|募集|参与|收集|共有|共")))  # fmt: skip
_LOOK_BACK = 12  # characters before the number where a cue counts


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def _role_before(text: str, start: int, floor: int) -> str | None:
    before = text[max(floor, start - _LOOK_BACK) : start]
    for role, cue in _CUES:
        if cue.search(before):
            return role
    return None


def chinese_counts(text: str, start: int, end: int, sentence: int) -> list[Count]:
    """The counts of studies and of people written in Chinese in ``text[start:end]``."""
    counts: list[Count] = []
    for match in _STUDY.finditer(text, start, end):
        n = int(re.sub(r"[,，]", "", match.group("n")))
        cue = _role_before(text, match.start(), start)
        role = "included_studies" if cue in ("included", "enrolled") else "total"
        counts.append(Count(
            n=n, start=match.start("n"), end=match.end(), sentence=sentence, unit="studies", kind="study",
            form="noun", role=role, raw_role=cue, cue="before" if cue else "none",
            confidence=0.8 if role == "included_studies" else 0.4, np_end=match.end(),
        ))  # fmt: skip
    for match in _PERSON.finditer(text, start, end):
        n = int(re.sub(r"[,，]", "", match.group("n")))
        if n <= 0:
            continue
        noun = match.group("noun")
        unit = next((english for chinese, english in _PERSON_NOUNS if noun.startswith(chinese)), "participants")
        cue = _role_before(text, match.start(), start)
        if "随机" in text[match.start("noun") : min(end, match.end() + 6)]:
            cue = "randomised"  # "将120例患者随机分为两组": 120 patients randomly divided into two groups
        role = {"randomised": "randomised", "included": "enrolled", "enrolled": "enrolled"}.get(cue or "", "total")
        counts.append(Count(
            n=n, start=match.start("n"), end=match.end(), sentence=sentence, unit=unit, kind="person", form="noun",
            role=role, raw_role=cue, cue="before" if cue else "none",
            confidence={"randomised": 0.8, "enrolled": 0.7}.get(role, 0.45), np_end=match.end(),
        ))  # fmt: skip
    return counts
