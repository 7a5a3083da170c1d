"""The wording that introduces outcomes (``effects on X``, ``the primary outcome was X``) and where it matches."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .sentences import SentenceContext

# Cues read the sentence lower-cased with brackets blanked. A cue starts with one of its start words
# (found with str.find, far faster than scanning with a regex), its pattern is matched there, and
# ``before``, when given, must match the text just before the start word.
_GERUNDS = ("improving", "reducing", "promoting", "increasing", "enhancing", "preventing", "decreasing", "lowering",
            "alleviating", "supporting", "strengthening", "fostering", "addressing", "treating")
_AIM_VERBS = ("improve", "reduce", "promote", "increase", "enhance", "prevent", "decrease", "lower", "alleviate",
              "strengthen", "foster")
_CHANGE_VERBS = ("improved", "reduced", "increased", "decreased", "enhanced", "lowered", "prevented")


@dataclass(frozen=True)
class Cue:
    """Wording that introduces outcomes; what it names is read after its match."""

    rule: str
    base: float  # confidence of what the cue names, before the sentence's weight
    starts: frozenset[str]
    pattern: re.Pattern[str]
    before: re.Pattern[str] | None = None
    also: frozenset[str] = frozenset()  # another word the sentence must hold, when given
    sections: frozenset[str | None] | None = None  # where the cue counts, when limited


def _cue(rule: str, base: float, starts: Iterable[str], pattern: str, before: str | None = None,
         also: Iterable[str] = (), sections: Iterable[str | None] | None = None) -> Cue:
    return Cue(rule, base, frozenset(starts), re.compile(pattern), re.compile(before + "$") if before else None,
               frozenset(also), frozenset(sections) if sections is not None else None)


def _alternatives(words: Iterable[str]) -> str:
    return "(?:" + "|".join(words) + ")"


_SUBJECT_CUE_STARTS = ("assessed", "measured", "evaluated", "rated", "coded", "observed", "examined", "recorded",
                       "indexed", "operationalised", "operationalized", "improved", "reduced", "increased",
                       "decreased", "enhanced", "different", "lower", "higher", "declined", "worsened", "differ",
                       "change")
_RESULTS_LIKE = ("results", "objective", "conclusions", "other", None)
STATEMENT_CUE = _cue(
    "statement", 0.9, ("outcome", "outcomes", "endpoint", "endpoints", "end-point", "end-points", "end"),
    r"(?:outcomes?|end[- ]?points?)(?:\s+measures?)?"
    r"(?:\s+(?:assessed|evaluated|examined|measured|of\s+interest|analy[sz]ed|reported)(?:\s+[^,;:.]{0,40}?)?)?"
    # "primary outcomes, measured at baseline, midline and endline, were X": a participial clause between commas
    r"(?:,\s*(?:measured|assessed|evaluated|collected|recorded|examined)\b[^;:.]{0,120}?,)?"
    r"\s*(?:was|were|is|are|will\s+be|included|include|includes|including|comprised|comprise|consisted\s+of|"
    r"focused\s+on|will\s+focus\s+on|will\s+include|:|of|,\s*(?:including|such\s+as|namely))\s+")
STATEMENT_ROLE = re.compile(
    r"(?:(?P<both>primary\s*(?:/|and|or)\s*secondary)|(?P<role>primary|secondary|main|principal|key|co-primary))"
    r"\s+$")
GLUED_STARTS = ("main ", "primary ", "secondary ", "outcome")
GLUED_OUTCOME_HEADING = re.compile(
    r"\s*(?i:(main|primary|secondary)\s+)?(?i:outcomes?(?:\s+(?:and\s+)?measures?)?)\s+(?=[A-Z][a-z])")
# The list after each of these cues names outcomes.
CUES: tuple[Cue, ...] = (
    _cue("effect", 0.7, ("effect", "effects", "impact", "impacts", "influence", "influences", "benefit", "benefits",
                         "effectiveness", "efficacy"),
         r"(?:effects?|impacts?|influences?|benefits?|effectiveness|efficacy)\b(?:\s*(?:was|were)\s+"
         r"(?:found|observed|seen|detected|shown)\b)?(?:\s+(?:of|for)\s+[^;:]{1,120}?)?\s+(?:on|for|upon)\s+"),
    _cue("change", 0.7, ("improvement", "improvements", "reduction", "reductions", "increase", "increases",
                         "decrease", "decreases", "decline", "declines", "change", "changes", "gain", "gains",
                         "deterioration", "deteriorations", "worsening"),
         r"(?:improvements?|reductions?|increases?|decreases?|declines?|changes?|gains?|deteriorations?|worsening)"
         r"\s+(?:was\s+|were\s+)?(?:in|on)\s+"),
    _cue("difference", 0.7, ("difference", "differences"),
         r"differences?\s+(?:between\s+[^;:]{1,60}?\s+)?(?:(?:were\s+|was\s+)?(?:emerged|found|observed|seen|"
         r"detected|noted)\s+)?(?:in|on|for)\s+"),
    _cue("likelihood", 0.7, ("higher", "lower", "better", "greater", "worse", "fewer", "less", "more", "reduced",
                             "increased", "improved"),
         r"(?:higher|lower|better|greater|worse|fewer|less|more|reduced|increased|improved)\s+(?:probability|"
         r"rates?|levels?|risk|odds|incidence|likelihood|prevalence|scores?)\s+(?:of|on|for)\s+",
         also=("probability", "rate", "rates", "level", "levels", "risk", "odds", "incidence", "likelihood",
               "prevalence", "score", "scores")),
    _cue("associated", 0.65, ("associated",), r"associated\s+with\s+",
         before=r"\b(?:was|were|is|are)\s+(?:(?:also|significantly|independently)\s+)*", sections=_RESULTS_LIKE),
    _cue("verb", 0.6, ("reduces", "improves", "increases", "decreases", "enhances", "prevents", "affected"),
         r"(?:reduces|improves|increases|decreases|enhances|prevents|affected)\s+", sections=_RESULTS_LIKE),
    _cue("verb", 0.6, (*_AIM_VERBS, "affect", "change", "influence"),
         _alternatives((*_AIM_VERBS, "affect", "change", "influence")) + r"\s+",
         before=r"\b(?:may|can|could|to|(?:did|does|do)\s+not)\s+", sections=_RESULTS_LIKE),
    _cue("verb", 0.6, _CHANGE_VERBS, _alternatives(_CHANGE_VERBS) + r"\s+",
         before=r"\b(?:intervention|programme|program|treatment|therapy|training|visiting|it)\s+(?:significantly\s+)?",
         sections=_RESULTS_LIKE),
    _cue("measured", 0.8, ("assessing", "measuring", "question", "questions", "reported", "measures", "measure",
                           "assessed", "measured", "evaluated", "self-report", "self-reports", "parent-report",
                           "parent-reports", "mother-report", "teacher-report"),
         r"(?:assessing|measuring|questions?\s+(?:assessing|about|on)|reported\s+on|measures?\s+of|"
         r"(?:assessed|measured|evaluated)\s+for|(?:self|parent|mother|teacher)-reports?\s+of)\s+"),
    # what is predicted or whose risk is estimated is the outcome ("predictors of depressive symptoms",
    # "hazard ratios for all-cause mortality")
    _cue("predicted", 0.65, ("predictor", "predictors", "determinants", "correlates"),
         r"(?:predictors?|determinants|correlates)\s+(?:of|for)\s+"),
    _cue("predicted", 0.65, ("factors", "factor"), r"factors?\s+(?:of|for)\s+", before=r"\b(?:risk|protective)\s+"),
    _cue("stat", 0.65, ("ratios", "ratio"), r"ratios?(?:\s+and\s+[^;:.]{0,60}?)?\s+for\s+",
         before=r"\b(?:hazard|odds|risk|rate)\s+"),
    _cue("aim", 0.45, _AIM_VERBS, _alternatives(_AIM_VERBS) + r"\s+", before=r"\bto\s+"),
    _cue("aim", 0.45, _GERUNDS, _alternatives(_GERUNDS) + r"(?:\s+(?:or|and)\s+" + _alternatives(_GERUNDS) + r")?\s+",
         before=r"\b(?:at|in|for|by|towards?)\s*:?\s*(?:\(?[a-z0-9]\)\s*)?"),
)
ALL_STARTS = frozenset().union(*(cue.starts for cue in CUES), STATEMENT_CUE.starts, _SUBJECT_CUE_STARTS)
MAIN_AIM = re.compile(r"\b(?:main|primary|principal|overall)\s+(?:aim|objective|purpose|goal)")
NOT_AN_EFFECT = re.compile(r"\b(?:moderating|mediating|moderator|mediator|random|fixed|interaction|ceiling|floor|"
                           r"side|adverse|main|indirect|direct|period|carryover|carry-over|design|order)\s*$")
SUBJECT_CUE = _cue(
    "subject", 0.65, _SUBJECT_CUE_STARTS,
    r"(?:(?P<measured>assessed|measured|evaluated|rated|coded|observed|examined|recorded|indexed|"
    r"operationali[sz]ed)|improved|reduced|increased|decreased|enhanced|different|lower|higher|declined|worsened|"
    r"differ|change)\b")
SUBJECT_AUX = re.compile(
    r"(?:\b(?:was|were|is|are|will\s+be|would\s+be|could\s+be|can\s+be|has\s+been|have\s+been)\s+"
    r"(?:(?:also|not|significantly|then|independently|statistically|no\s+longer|all)\s+)*|\bdid\s+not\s+)$")
USED_AS_MEASURES = re.compile(r"\b(?:was|were)\s+used\s+as\b[^.;]{0,60}?\bmeasures?\b")
STAT_PAREN = re.compile(
    r"[(\[]\s*(?P<stat>d|g|SMD|ES|MD|WMD|IRR|RR|OR|HR|AOR|aOR|β|beta|t|F|ηp?2|Hedges'? g|Cohen'?s d)"
    r"\s*(?:\(\d+(?:,\s*\d+)?\))?\s*[=:,]")
# "N outcomes (X, Y and Z) were synthesised": the bracket after the word lists them
OUTCOMES_BRACKET = re.compile(r"\b(?:outcomes|end-?points|outcome\s+measures|outcome\s+variables)\s*[(\[]", re.I)
# "to evaluate the acceptability and feasibility of ...": a process evaluation names what it assessed
PROCESS_AIM = re.compile(r"\b(?:evaluate|evaluating|assess|assessing|examine|examining|explore|exploring|determine|"
                         r"determining|test|testing|establish|establishing|investigate|investigating|report\s+on|"
                         r"measure|measuring|describe|describing)\s+(?:the\s+)?")
RATIO_STATS = {"IRR", "RR", "OR", "HR", "AOR", "aOR"}
STAT_FOR = re.compile(r"\d\s*%?\s+for\s+")
STAT_FOR_HINTS = ("effect size", "odds ratio", "risk ratio", "smd", "difference")


@lru_cache(maxsize=2048)
def cues_starting(starts: frozenset[str]) -> tuple[Cue, ...]:
    """The cues of ``CUES``, in order, that start with one of ``starts``."""
    return tuple(cue for cue in CUES if not cue.starts.isdisjoint(starts))


def cue_matches(context: SentenceContext, cue: Cue) -> Iterable[re.Match[str]]:
    """Where ``cue`` matches in the sentence, in text order."""
    tokens = context.tokens
    if tokens.isdisjoint(cue.starts) or (cue.also and tokens.isdisjoint(cue.also)):
        return []
    if cue.sections is not None and context.sentence.section not in cue.sections:
        return []
    lower = context.masked_lower
    found: dict[int, re.Match[str]] = {}
    for word in tokens & cue.starts:
        position = lower.find(word)
        while position >= 0:
            if position not in found and (position == 0 or not (lower[position - 1].isalnum()
                                                                or lower[position - 1] == "-")):
                match = cue.pattern.match(lower, position)
                if match and (cue.before is None or cue.before.search(lower, max(0, position - 60), position)):
                    found[position] = match
            position = lower.find(word, position + 1)
    return [found[position] for position in sorted(found)] if len(found) > 1 else list(found.values())
