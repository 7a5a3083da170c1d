"""Outcome mentions and the sentence they are read in: weight, eligibility, time points, brackets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ...textlayer import Sentence
from .lexicon import Instrument

_T = TypeVar("_T")

_SECTION_WEIGHT = {"methods": 1.0, "results": 1.0, None: 0.95, "objective": 0.8, "conclusions": 0.8,
                   "background": 0.6, "registration": 0.1}
_SKIPPED_HEADINGS = {"references", "funding", "acknowledgements", "acknowledgments", "competing interests",
                     "conflict of interest"}


@dataclass
class Mention:
    """An outcome named in a sentence: an instrument or a construct, with what is known of it so far."""

    start: int
    end: int
    display: str
    key: str
    kind: str  # instrument | construct
    matched: str  # lexicon | definition | fuzzy | name | construct
    rule: str
    confidence: float
    sentence: Sentence
    instrument: Instrument | None = None
    abbreviation: str | None = None
    construct: str | None = None
    role: str | None = None
    link: str | None = None  # key of the instrument a construct is measured with
    timepoints: list[str] = field(default_factory=list)


class _once(Generic[_T]):
    """An attribute worked out on first use and kept on the instance.

    ``functools.cached_property`` takes a lock on every first use before Python 3.12; a sentence
    context is never shared between threads, so this does without.
    """

    def __init__(self, function: Callable[[Any], _T]) -> None:
        self.function = function
        self.name = function.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        value = self.function(instance)
        instance.__dict__[self.name] = value  # found before this (non-data) descriptor from now on
        return value


class SentenceContext:
    """One sentence being read: its text, the text with brackets blanked, and what was found in it.

    What only a sentence with a mention needs (weight, time points, ...) is worked out on first use.
    """

    def __init__(self, text: str, sentence: Sentence) -> None:
        self.sentence = sentence
        self.start = sentence.start
        self.chunk = text[sentence.start : sentence.end]
        lowered = self.chunk.lower()
        self.lowered = lowered if len(lowered) == len(self.chunk) else self.chunk  # offsets must agree
        words = _PLAIN_WORD.findall(self.lowered)
        tokens = set(words)
        if "-" in self.lowered:  # the parts of hyphenated words (the other words are in already)
            for word in words:
                if "-" in word:
                    tokens.update(word.split("-"))
        self.tokens = tokens  # lower-case words, and the parts of hyphenated ones
        self.instruments: list[Mention] = []
        self.seen: set[tuple[int, str]] = set()

    @_once
    def masked(self) -> str:
        return mask_brackets(self.chunk)

    @_once
    def masked_lower(self) -> str:
        lowered = self.masked.lower()
        return lowered if len(lowered) == len(self.masked) else self.masked

    @_once
    def has_verb(self) -> bool:
        """Whether the sentence reads as a clause (titles, keyword lists and table cells do not)."""
        if not _VERBS.isdisjoint(self.tokens) or any(len(t) > 4 and t.endswith("ed") for t in self.tokens):
            return True
        from .languages import reads_as_clause

        return reads_as_clause(self.chunk)  # a sentence in Spanish, German, ...

    @_once
    def foreign_cues(self) -> bool:
        """Whether the sentence may hold an instrument head or effect cue of another language (``languages``)."""
        from .languages import may_hold_cues

        return may_hold_cues(self.chunk, self.tokens, self.lowered)

    @_once
    def weight(self) -> float:
        return _weight(self)

    @_once
    def eligibility(self) -> bool:
        return any(map(self.lowered.__contains__, _ELIGIBILITY_HINTS)) and bool(_ELIGIBILITY.search(self.chunk))

    @_once
    def timepoints(self) -> list[str]:
        return find_timepoints(self.chunk) if any(map(self.lowered.__contains__, TIME_HINTS)) else []


_ELIGIBILITY = re.compile(
    r"\b(?:eligib\w*|inclusion|exclusion|included if|excluded|recruited|screen(?:ed|ing) positive|cut-?off|"
    r"threshold|scor(?:ed|ing) (?:>|≥|above|at least|higher than|more than|over|\d))|(?:>|≥|>=)\s*\d+\s+on\b",
    re.I,
)
_BACKGROUND_CUE = re.compile(
    r"\b(?:previous|prior|past|earlier|existing|other) (?:studies|research|reviews|trials|literature|work|"
    r"meta-analyses)|\b(?:little|less) is known\b|\bhas been (?:shown|linked|associated)|\bare (?:prevalent|common)\b",
    re.I,
)
MEASURE_CUE = re.compile(
    r"\b(?:scores?|scales?|subscales?|questionnaire|inventory|measured|assessed|completed|administered|rated|"
    r"using|total|version|instrument)\b", re.I)
_AFFILIATION = re.compile(
    r"\b(?:Department|Dept|Faculty|School of|Institute|University|Universit[éy]|College|Hospital|Laboratory|"
    r"Correspondence|e-?mail)\b|@")
_VERBS = frozenset({"was", "were", "is", "are", "has", "have", "had", "did", "showed", "found", "included",
                    "measured", "assessed", "evaluated", "reported", "examined", "used", "aim", "aimed", "aims",
                    "compared", "investigated", "associated", "improved", "reduced", "will", "evaluate", "assess",
                    "examine", "investigate", "determine", "compare", "test", "explore", "describe", "estimate",
                    "measure", "identify", "can", "may", "could", "would", "should", "be", "been", "do", "does",
                    "shows", "show", "suggest", "suggests", "include", "includes", "received", "completed"})
_PLAIN_WORD = re.compile(r"[a-z0-9]++(?:-[a-z0-9]++)*+")  # possessive: the same words, no backtracking
_AFFILIATION_HINTS = frozenset({"department", "dept", "faculty", "school", "institute", "university", "college",
                                "hospital", "laboratory", "correspondence", "email", "e-mail", "université",
                                "universidad"})
_BACKGROUND_HINTS = frozenset({"previous", "prior", "past", "earlier", "existing", "other", "known", "been",
                               "prevalent", "common"})
_ELIGIBILITY_HINTS = ("eligib", "inclu", "exclu", "recruit", "screen", "cut", "threshold", "scor", ">", "≥")
TIME_HINTS = ("month", "year", "week", "day", " mo", "baseline", "post-", "postinterv", "posttreat", "posttest",
              "pre-test", "pretest", "end of")
_REFERENCE = re.compile(r"\bet al\b.{0,120}\b(?:19|20)\d\d\b.{0,80}(?:\d+\s*[(:]\s*\d+|\bdoi\b|PubMed|\bpp?\.\s*\d)",
                        re.I)
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty-four|" \
                r"thirty-six"
_AMOUNT = (rf"(?:\d+(?:\.\d+)?|{_NUMBER_WORDS})(?:\s*[-–]?\s*(?:,\s*(?:and|or)?|and|or|to|-|–)\s*"
           rf"(?:\d+(?:\.\d+)?|{_NUMBER_WORDS}))*")
_UNIT = r"(?:months?|years?|weeks?|days?|mo|yrs?|wks?)"
_AFTER_UNIT = (r"(?!\s*-?\s*old)(?:\s+(?:post[- ]?(?:partum|natal|childbirth|intervention|treatment|"
               r"randomi[sz]ation|birth|baseline)|of\s+age|after\s+(?:study\s+entry|birth|delivery|randomi[sz]ation|"
               r"enrolment|enrollment|baseline|treatment|the\s+intervention)|later|follow-?up|postintervention|"
               r"post-intervention|postpartum))?")
_TIME_WORD = (r"\b(?:baseline|post-?intervention|post-?treatment|post-?test|pre-?test|end\s+of\s+(?:treatment|"
              r"the\s+intervention|intervention|the\s+study))\b")
_TIME_UNIT = re.compile(rf"\b{_UNIT}\b")
_TIME_AMOUNT = re.compile(rf"\b{_AMOUNT}\s*-?\s*$")
_TIME_AFTER = re.compile(_AFTER_UNIT)
_TIME_WORDS = re.compile(_TIME_WORD)
TIME_PHRASE = re.compile(rf"\b{_AMOUNT}\s*-?\s*{_UNIT}\b{_AFTER_UNIT}|{_TIME_WORD}", re.I)  # to cut from phrases
_AGE_BEFORE = re.compile(r"\bage[ds]?\s*$")
SPACES = re.compile(r"\s+")


def is_skipped(context: SentenceContext) -> bool:
    """Sentences that name instruments without measuring anything: references, affiliations, keywords."""
    sentence, chunk = context.sentence, context.chunk
    heading = (sentence.heading or "").lower().rstrip(":")
    if heading in _SKIPPED_HEADINGS or sentence.section == "registration":
        return True
    if heading in {"keywords", "key words"} and not context.has_verb:
        return True
    if "et al" in context.lowered and _REFERENCE.search(chunk):
        return True
    affiliation = "@" in chunk or bool(context.tokens & _AFFILIATION_HINTS)
    return affiliation and not context.has_verb and _AFFILIATION.search(chunk) is not None


def _weight(context: SentenceContext) -> float:
    """How much a mention in this sentence counts, from its section and wording."""
    sentence, chunk = context.sentence, context.chunk
    has_verb = context.has_verb
    if sentence.section == "other":
        heading = (sentence.heading or "").lower()
        weight = 0.95 if heading in {"abstract", "summary", ""} or has_verb else 0.5
    else:
        weight = _SECTION_WEIGHT.get(sentence.section, 0.9)
    if context.tokens & _BACKGROUND_HINTS and _BACKGROUND_CUE.search(chunk):
        weight *= 0.6
    if not has_verb or chunk.count("•") > 1:
        weight *= 0.4  # titles, bullet lists, keyphrases
    return weight


_BRACKET = re.compile(r"[()\[\]]")


def mask_brackets(chunk: str) -> str:
    """The sentence with bracketed text blanked (same length), so lists read past statistics."""
    if "(" not in chunk and "[" not in chunk:
        return chunk
    pieces: list[str] = []
    kept = 0  # chunk[kept:] is not blanked yet
    opened = depth = 0
    for match in _BRACKET.finditer(chunk):
        index = match.start()
        if chunk[index] in "([":
            if depth == 0:
                opened = index
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                pieces += (chunk[kept:opened], " " * (index + 1 - opened))
                kept = index + 1
    if depth:  # an unclosed bracket blanks the rest
        pieces += (chunk[kept:opened], " " * (len(chunk) - opened))
        kept = len(chunk)
    pieces.append(chunk[kept:])
    return "".join(pieces)


def find_timepoints(chunk: str) -> list[str]:
    """Time points a sentence names (``at 2.5 years``, ``six and 12 months later``, ``baseline``)."""
    lowered = chunk.lower()
    if len(lowered) != len(chunk):
        lowered = chunk
    found: list[tuple[int, int]] = []
    for unit in _TIME_UNIT.finditer(lowered):
        window_start = max(0, unit.start() - 50)
        amount = _TIME_AMOUNT.search(lowered, window_start, unit.start())
        if not amount or _AGE_BEFORE.search(lowered, max(0, amount.start() - 8), amount.start()):
            continue
        after = _TIME_AFTER.match(lowered, unit.end())
        if after is None:
            continue  # "2-year-old"
        found.append((amount.start(), after.end()))
    for word in _TIME_WORDS.finditer(lowered):
        found.append(word.span())
    seen: dict[str, None] = {}
    for start, end in sorted(found):
        seen.setdefault(SPACES.sub(" ", chunk[start:end]).strip(), None)
    return list(seen)
