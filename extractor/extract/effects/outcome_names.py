"""An effect's outcome as the study's outcomes name it.

The link rules (``links``) read the words the text ties to an estimate (``on maternal sensitivity
(g = .32)``); ``study_outcome`` gives that phrase the name the study's outcome list uses for the same
outcome (``SDQ total difficulties`` -> ``SDQ-TD``, ``depressive symptoms`` -> ``depression``), so that
an effect and its outcome can be matched by name. A phrase that names none of them is kept as written.
"""

from __future__ import annotations

import re
import unicodedata

_STOP = frozenset(
    {
        "and",
        "of",
        "the",
        "a",
        "an",
        "in",
        "on",
        "for",
        "to",
        "with",
        "at",
        "by",
        "total",
        "score",
        "scores",
        "scale",
        "levels",
        "level",
        "symptoms",
        "symptom",
        "outcome",
        "outcomes",
        "rates",
        "rate",
        "risk",
        "mean",
        "overall",
    }
)
_NARROWER = 0.85
_ABBREVIATION = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][\w-]*|\b[A-Z]{2,}\b")


def fold(text: str) -> str:
    """Case-folded letters and digits, every other run of characters one space."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _stems(text: str) -> set[str]:
    """Content words cut to their first six letters (``depressive`` meets ``depression``)."""
    return {word[:6] for word in fold(text).split() if word not in _STOP and not word.isdigit()}


_SUFFIX = re.compile(r"(?:ing|ly|s)$")


def _joined(text: str) -> str:
    """Content words without suffixes, run together: ``breastfeed exclusively`` and ``exclusive breast
    feeding`` both hold ``breastfeed``."""
    return "".join(_SUFFIX.sub("", word) for word in fold(text).split() if word not in _STOP)


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
    if re.search(rf"\b{re.escape(b)}\b", a):
        return 0.9
    if re.search(rf"\b{re.escape(a)}\b", b):
        return _NARROWER  # the phrase is part of the name: counts only when one name holds it
    codes_a, codes_b = _abbreviations(phrase), _abbreviations(outcome)
    if codes_a & codes_b:
        return 0.8
    stems_a, stems_b = _stems(phrase), _stems(outcome)
    # the phrase says at least what the outcome's name says ("depressive symptoms at 6 months" names
    # "depression"); a phrase saying less ("behaviour") does not pick one of several more specific outcomes
    if stems_a and stems_b and stems_b <= stems_a:
        return 0.6 + 0.1 * len(stems_b) / len(stems_a)
    joined_a, joined_b = _joined(phrase), _joined(outcome)
    if len(joined_b) >= 5 and joined_b in joined_a:
        return 0.55
    return 0.0


def _instrument(outcome: str) -> tuple[str, str] | None:
    """The lexicon instrument an outcome name is (``PHQ-9``) and what it measures (``depression``)."""
    from ..outcomes.lexicon import lookup_token

    tokens = outcome.split()
    found = lookup_token(tokens[0]) if len(tokens) == 1 else None
    return (found[0].name, found[0].construct) if found else None


def _score_with_instrument(phrase: str, outcome: str) -> float:
    """``_score``, and a phrase naming what a study's instrument measures (``depression`` for ``PHQ-9``)."""
    score = _score(phrase, outcome)
    if score:
        return score
    instrument = _instrument(outcome)
    if instrument:
        name, construct = instrument
        score = max(
            _score(phrase, name), 0.5 * bool(_stems(construct) and _stems(construct) <= _stems(phrase))
        )
    return score


def best_outcome(phrase: str, outcomes: list[str]) -> tuple[str | None, float]:
    """The study outcome ``phrase`` names most surely, and how surely (0 when none)."""
    best, best_score, narrower = None, 0.0, 0
    for outcome in outcomes:
        score = _score_with_instrument(phrase, outcome)
        narrower += score == _NARROWER
        if score > best_score:
            best, best_score = outcome, score
    if best_score == _NARROWER and narrower > 1:
        return None, 0.0  # "behaviour" with "parent behaviour" and "child behaviour": which one is not said
    return best, best_score


# A list name that is one adjective ("depressive") is a cut-off mention, not an outcome's name
_ADJECTIVE = re.compile(r"[a-z]+(?:ive|al|ic|ous|ful|ant|ent|ary|ory)")


def study_outcome(phrases: list[str], outcomes: list[str]) -> str | None:
    """The study outcome the first phrase that names one names, else the first phrase as written (and the
    phrase when the list's name is only an adjective the phrase holds: ``depressive symptoms``, not
    ``depressive``)."""
    for phrase in phrases:
        named, score = best_outcome(phrase, outcomes)
        if named is not None:
            return phrase if score == 0.9 and _ADJECTIVE.fullmatch(named) else named
    return phrases[0] if phrases else None


def mentioned_outcome(sentence: str, outcomes: list[str]) -> str | None:
    """The one study outcome a sentence names by its own name (None when it names none or several)."""
    folded = f" {fold(sentence)} "
    named = [outcome for outcome in outcomes if fold(outcome) and f" {fold(outcome)} " in folded]
    named = [a for a in named if not any(a != b and f" {fold(a)} " in f" {fold(b)} " for b in named)]
    return named[0] if len(named) == 1 else None


def with_instrument(phrase: str, sentence_before: str) -> str:
    """``externalizing`` -> ``CBCL externalizing`` when the estimate's own sentence names one instrument before
    it (``... on the CBCL: externalizing (d = .3)``) and the phrase is a subscale's name without one (the
    subscale words are data: ``subscale_words`` in ``data/effects.json``). Never from another sentence."""
    from ..outcomes.lexicon import lookup_token
    from .lexicon import effect_data

    folded = fold(phrase)
    subscales = {fold(word) for word in effect_data().get("subscale_words", [])}
    if not any(folded == word or folded.startswith(word + " ") for word in subscales):
        return phrase
    if any(lookup_token(token) for token in re.findall(r"[A-Za-z][\w-]*", phrase)):
        return phrase  # "SDQ hyperactivity" names its instrument
    named = {}
    for token in re.findall(r"[A-Za-z][\w-]*", sentence_before):
        found = lookup_token(token)
        if found:
            named[found[0].abbreviation] = found[1]
    if len(named) != 1:
        return phrase  # none, or several: which one the subscale belongs to is not said
    return f"{next(iter(named.values()))} {phrase}"
