"""An effect's outcome as the study's outcomes name it.

The link rules (``links``) read the words the text ties to an estimate (``on maternal sensitivity
(g = .32)``); ``study_outcome`` gives that phrase the name the study's outcome list uses for the same
outcome (``SDQ total difficulties`` -> ``SDQ-TD``, ``depressive symptoms`` -> ``depression``), so that
an effect and its outcome can be matched by name. A phrase that names none of them is kept as written.
"""

from __future__ import annotations

import re
import unicodedata

_STOP = frozenset({"and", "of", "the", "a", "an", "in", "on", "for", "to", "with", "at", "by", "total", "score",
                   "scores", "scale", "levels", "level", "symptoms", "symptom", "outcome", "outcomes", "rates",
                   "rate", "risk", "child", "children's", "childrens", "mean", "overall"})
_ABBREVIATION = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][\w-]*|\b[A-Z]{2,}\b")


def fold(text: str) -> str:
    """Case-folded letters and digits, every other run of characters one space."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _stems(text: str) -> set[str]:
    """Content words cut to their first six letters (``depressive`` meets ``depression``)."""
    return {word[:6] for word in fold(text).split() if word not in _STOP and not word.isdigit()}


def _abbreviations(text: str) -> set[str]:
    """``SDQ-TD`` -> {``SDQ-TD``, ``SDQ``}: capitalised codes and their stems before a hyphen."""
    found: set[str] = set()
    for match in _ABBREVIATION.finditer(text):
        code = match.group().rstrip("-")
        found.add(code.casefold())
        found.add(re.split(r"[-/]", code)[0].casefold())
    return {code for code in found if len(code) >= 2}


def _score(phrase: str, outcome: str) -> float:
    """How surely ``phrase`` names ``outcome``: 1 the same name, less for shared codes or words, 0 not."""
    a, b = fold(phrase), fold(outcome)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if re.search(rf"\b{re.escape(b)}\b", a) or re.search(rf"\b{re.escape(a)}\b", b):
        return 0.9
    codes_a, codes_b = _abbreviations(phrase), _abbreviations(outcome)
    if codes_a & codes_b:
        return 0.8
    stems_a, stems_b = _stems(phrase), _stems(outcome)
    if stems_a and stems_b and (stems_a <= stems_b or stems_b <= stems_a):
        return 0.6 + 0.1 * len(stems_a & stems_b) / max(len(stems_a), len(stems_b))
    return 0.0


def study_outcome(phrase: str, outcomes: list[str]) -> str:
    """The study outcome ``phrase`` names (the best-matching name), else ``phrase`` itself."""
    best, best_score = phrase, 0.0
    for outcome in outcomes:
        score = _score(phrase, outcome)
        if score > best_score:
            best, best_score = outcome, score
    return best
