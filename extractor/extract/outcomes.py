"""Outcome measures: named instruments, abbreviations the text defines, and measured constructs.

``find_outcomes`` returns every mention in a study unit as a candidate (field ``outcome``);
``choose_outcomes`` groups mentions of one outcome and returns those to report, in text order.

Mentions come from four rules (``attributes["matched"]``):

* ``lexicon``: instruments of ``data/instruments.json`` by abbreviation (case-sensitive whole
  token; a version or subscale suffix is kept: ``SDQ-TD``) or by name (case-insensitive,
  British/American spellings and connectives folded);
* ``definition``: abbreviations the text defines, found with the Schwartz-Hearst rule
  (``Strengths and Difficulties Questionnaire Total Difficulties (SDQ-TD)``,
  ``(Patient Health Questionnaire, PHQ-9)``); a definition also vetoes a lexicon reading of
  the same letters (``Perinatal Support Service (PSS)`` is not the Perceived Stress Scale);
* ``fuzzy`` / ``name``: capitalised instrument-shaped names (``... Scale``, ``... Questionnaire``)
  close to a lexicon name, or kept as written when unknown but used as a measure;
* ``construct``: noun phrases named by cues (``primary outcome was X``, ``outcomes included X,
  Y and Z``, ``effects on X``, ``improvements in X``, ``X was assessed with``, ``X (d = ...)``),
  cleaned of determiners, direction words, ``scores`` and time points.

A mention weighs more in methods and results sentences than in background ones, and little
in an eligibility criterion (``scored > 10 on the PHQ-9``). Choosing keeps one value per
outcome (the text's abbreviation when it gives one), lets an instrument absorb the construct
it measures (``depression (PHQ-9)`` -> ``PHQ-9``), and falls back to weaker mentions only when
a unit has no strong one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from ..textlayer import Sentence, TextLayer
from ..types import ExtractedValue

_DATA = Path(__file__).resolve().parents[1] / "data"
FUZZY_CUTOFF = 92.0  # rapidfuzz ratio: variant spellings in the tests score >= 97, other instruments <= 89
STRONG = 0.6  # a group at or above this is reported ...
WEAK = 0.35  # ... and down to this when a unit has nothing strong

_SECTION_WEIGHT = {"methods": 1.0, "results": 1.0, None: 0.95, "objective": 0.8, "conclusions": 0.8,
                   "background": 0.6, "registration": 0.1}
_SKIPPED_HEADINGS = {"references", "funding", "acknowledgements", "acknowledgments", "competing interests",
                     "conflict of interest"}


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Instrument:
    """One lexicon entry."""

    name: str
    abbreviation: str
    construct: str
    ambiguous: bool = False
    appraisal: bool = False


@dataclass(frozen=True)
class _Lexicon:
    instruments: tuple[Instrument, ...]
    by_form: dict[str, Instrument]  # one-token forms, case-sensitive
    by_words: dict[tuple[str, str], list[tuple[tuple[str, ...], Instrument]]]  # names, by first two words
    fuzzy_by_ending: dict[str, tuple[tuple[str, ...], tuple[Instrument, ...]]]  # by the last word's first letters
    gates: dict[str, frozenset[str]]  # rarest word of a name -> its next rarest words (a sentence needs both)
    gate_words: frozenset[str]
    stems: frozenset[str]  # one-token forms up to their first separator
    stems_lower: frozenset[str]  # the same, lower-cased: a sentence without one holds no abbreviation


@dataclass(frozen=True)
class _Vocabulary:
    spelling: dict[str, str]
    joined: dict[tuple[str, str], str]
    joined_seconds: frozenset[str]
    heads: frozenset[str]
    head_prefixes: tuple[str, ...]
    capital_head_prefixes: tuple[str, ...]
    weak_heads: frozenset[str]
    not_instrument: frozenset[str]
    lead_words: frozenset[str]
    lead_phrases: dict[str, tuple[tuple[str, ...], ...]]  # by first word, longest first
    keep_after_quality: frozenset[str]
    trail_words: frozenset[str]
    keep_trail_after: frozenset[str]
    generic: frozenset[str]
    reject_heads: frozenset[str]
    modifiers: frozenset[str]
    umbrella_words: frozenset[str]
    umbrella_required: frozenset[str]
    distributable: frozenset[str]
    population: frozenset[str]
    common_name_words: frozenset[str]


@cache
def vocabulary() -> _Vocabulary:
    """The construct word lists of ``data/outcome_constructs.json``, loaded once."""
    data = json.loads((_DATA / "outcome_constructs.json").read_text(encoding="utf-8"))

    def low(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in data[key])

    return _Vocabulary(
        spelling=data["spelling"],
        joined={(a, b): joined for a, b, joined in data["joined_words"]},
        joined_seconds=frozenset(b for _, b, _ in data["joined_words"]),
        heads=frozenset(data["instrument_heads"]),
        head_prefixes=tuple(sorted({head.lower()[:7] for head in data["instrument_heads"]})),
        capital_head_prefixes=tuple(sorted({head[:7] for head in data["instrument_heads"]})),
        weak_heads=frozenset(data["weak_instrument_heads"]),
        not_instrument=low("not_instrument_words"),
        lead_words=low("lead_words"),
        lead_phrases=_by_first_word(data["lead_phrases"]),
        keep_after_quality=low("keep_after_quality_of"),
        trail_words=low("trail_words"),
        keep_trail_after=low("keep_trail_after"),
        generic=low("generic"),
        reject_heads=low("reject_heads"),
        modifiers=low("modifiers"),
        umbrella_words=low("umbrella_words"),
        umbrella_required=low("umbrella_required"),
        distributable=low("distributable_heads"),
        population=low("population_words"),
        common_name_words=low("common_name_words"),
    )


def _by_first_word(phrases: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.lower().split())
        index.setdefault(words[0], []).append(words)
    return {first: tuple(sorted(group, key=len, reverse=True)) for first, group in index.items()}


_WORD = re.compile(r"[^\W_]+(?:['’]s\b)?")
_CONNECTIVES = frozenset({"and", "the", "of", "for", "in", "a", "an", "to", "on", "with", "s"})


def _words(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Content words of ``text`` folded for matching names: (word, start, end)."""
    voc = vocabulary()
    spelling, joined, seconds = voc.spelling, voc.joined, voc.joined_seconds
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered
        lowered = text
    out: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(lowered):
        word = match.group()
        if word in _CONNECTIVES:
            continue
        if word[-2:] in ("'s", "’s"):
            word = word[:-2]
        word = spelling.get(word, word)
        start, end = match.span()
        if word in seconds and out and (out[-1][0], word) in joined:
            previous = out.pop()
            out.append((joined[(previous[0], word)], previous[1], offset + end))
            continue
        out.append((word, offset + start, offset + end))
    return out


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return " ".join(w for w, _, _ in _words(text))


@cache
def lexicon() -> _Lexicon:
    """The instrument lexicon of ``data/instruments.json``, indexed once."""
    data = json.loads((_DATA / "instruments.json").read_text(encoding="utf-8"))
    instruments: list[Instrument] = []
    by_form: dict[str, Instrument] = {}
    by_words: dict[tuple[str, str], list[tuple[tuple[str, ...], Instrument]]] = {}
    fuzzy: dict[str, list[tuple[str, Instrument]]] = {}
    gates: dict[str, set[str]] = {}
    respelled = {folded: plain for plain, folded in vocabulary().spelling.items()}
    common = vocabulary().common_name_words | frozenset(vocabulary().joined.values())  # "wellbeing" may be split
    for entry in data["instruments"]:
        instrument = Instrument(entry["name"], entry["abbreviation"], entry["construct"],
                                bool(entry.get("ambiguous")), entry.get("kind") == "appraisal")
        instruments.append(instrument)
        for form in [instrument.abbreviation, instrument.name, *entry.get("aliases", [])]:
            if " " not in form.strip():
                by_form.setdefault(form, instrument)
                continue
            words = tuple(w for w, _, _ in _words(form))
            if len(words) < 2:
                continue
            by_words.setdefault(words[:2], []).append((words, instrument))
            rare, second = sorted(words, key=lambda w: (w not in common and not w.isdigit(), len(w)))[-1:-3:-1]
            for spelled in {rare, respelled.get(rare, rare)}:
                gates.setdefault(spelled, set()).update({second, respelled.get(second, second)})
            if len(" ".join(words)) >= 12:
                fuzzy.setdefault(words[-1][:3], []).append((" ".join(words), instrument))
    for candidates in by_words.values():
        candidates.sort(key=lambda pair: len(pair[0]), reverse=True)
    frozen_gates = {word: frozenset(others) for word, others in gates.items()}
    fuzzy_by_ending = {ending: (tuple(n for n, _ in pairs), tuple(i for _, i in pairs))
                       for ending, pairs in fuzzy.items()}
    return _Lexicon(tuple(instruments), by_form, by_words, fuzzy_by_ending, frozen_gates,
                    frozenset(frozen_gates), frozenset(_stem_of(form) for form in by_form),
                    frozenset(_token_gate(form) for form in by_form))


# ---------------------------------------------------------------- sentences


@dataclass
class _Mention:
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


class _Context:
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
        if "-" in self.lowered:
            for word in words:
                if "-" in word:
                    tokens.update(word.split("-"))
        self.tokens = tokens  # lower-case words, and the parts of hyphenated ones
        self.instruments: list[_Mention] = []
        self.seen: set[tuple[int, str]] = set()

    @cached_property
    def masked(self) -> str:
        return _mask(self.chunk)

    @cached_property
    def masked_lower(self) -> str:
        lowered = self.masked.lower()
        return lowered if len(lowered) == len(self.masked) else self.masked

    @cached_property
    def has_verb(self) -> bool:
        """Whether the sentence reads as a clause (titles, keyword lists and table cells do not)."""
        return bool(self.tokens & _VERBS) or any(len(t) > 4 and t.endswith("ed") for t in self.tokens)

    @cached_property
    def weight(self) -> float:
        return _weight(self)

    @cached_property
    def eligibility(self) -> bool:
        return any(map(self.lowered.__contains__, _ELIGIBILITY_HINTS)) and bool(_ELIGIBILITY.search(self.chunk))

    @cached_property
    def timepoints(self) -> list[str]:
        return _timepoints(self.chunk) if any(map(self.lowered.__contains__, _TIME_HINTS)) else []


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
_MEASURE_CUE = re.compile(
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
_PLAIN_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_AFFILIATION_HINTS = frozenset({"department", "dept", "faculty", "school", "institute", "university", "college",
                                "hospital", "laboratory", "correspondence", "email", "e-mail", "université",
                                "universidad"})
_BACKGROUND_HINTS = frozenset({"previous", "prior", "past", "earlier", "existing", "other", "known", "been",
                               "prevalent", "common"})
_ELIGIBILITY_HINTS = ("eligib", "inclu", "exclu", "recruit", "screen", "cut", "threshold", "scor", ">", "≥")
_TIME_HINTS = ("month", "year", "week", "day", " mo", "baseline", "post-", "postinterv", "posttreat", "posttest",
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
_TIME = re.compile(rf"\b{_AMOUNT}\s*-?\s*{_UNIT}\b{_AFTER_UNIT}|{_TIME_WORD}", re.I)  # to cut from phrases
_AGE_BEFORE = re.compile(r"\bage[ds]?\s*$")
_SPACES = re.compile(r"\s+")


def _skipped(context: _Context) -> bool:
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


def _weight(context: _Context) -> float:
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


def _mask(chunk: str) -> str:
    """The sentence with bracketed text blanked (same length), so lists read past statistics."""
    if "(" not in chunk and "[" not in chunk:
        return chunk
    out = list(chunk)
    depth = 0
    for match in _BRACKET.finditer(chunk):
        char, index = match.group(), match.start()
        if char in "([":
            if depth == 0:
                opened = index
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                out[opened : index + 1] = " " * (index + 1 - opened)
    if depth:
        out[opened:] = " " * (len(chunk) - opened)
    return "".join(out)


def _timepoints(chunk: str) -> list[str]:
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
        seen.setdefault(_SPACES.sub(" ", chunk[start:end]).strip(), None)
    return list(seen)


# ---------------------------------------------------------------- definitions and instruments


@dataclass(frozen=True)
class _Definition:
    short: str
    long: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int


_TOKEN = re.compile(r"\b(?:[A-Z0-9]|[a-z][a-z0-9]*[A-Z])[A-Za-z0-9]*(?:[-:/.][A-Za-z0-9]+)*")
_SEPARATOR = re.compile(r"[-:/.]")
_SUFFIX = re.compile(r"[A-Z0-9]{1,4}|[IVX]{1,4}|[A-Z][a-z]?")
_SHORT_FORM = re.compile(r"[A-Za-z0-9][\w:/.&+-]{0,14}")
_VERSION_TAIL = re.compile(r"(?:[- ]?(?:\d+[A-Za-z]?|[IVX]{1,4}|R|SF))+$")
_NOT_SHORT_FORMS = {"CI", "OR", "RR", "SD", "SE", "HR", "IQR", "SMD", "MD", "ES", "NS"}


def _is_short_form(token: str) -> bool:
    return (_SHORT_FORM.fullmatch(token) is not None and token != token.lower()
            and sum(c.isalpha() for c in token) >= 2 and token.upper() not in _NOT_SHORT_FORMS)


def _best_long_form(short: str, before: str) -> str | None:
    """Schwartz-Hearst: the shortest end of ``before`` whose letters spell ``short`` in order."""
    s_index, l_index = len(short) - 1, len(before) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            before[l_index].lower() != char or (s_index == 0 and l_index > 0 and before[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    return before[before.rfind(" ", 0, l_index + 1) + 1 :]


_DEFINITION_STOPS = frozenset({"was", "were", "is", "are", "included", "includes", "including", "been", "had", "has",
                               "have", "than", "versus", "vs"})
_PARENTHESIS = re.compile(r"\(([^()]{2,90})\)")
_INNER_DEFINITION = re.compile(r"\s*(?P<lf>[^,;]{3,80}?),\s*(?P<sf>\S+)\s*")
_FIRST_IN_PARENTHESIS = re.compile(r"\s*(?P<sf>[^\s,;]+)\s*(?:[,;]|$)")


def _definitions(text: str, sentences: list[Sentence]) -> list[_Definition]:
    """Abbreviations the text defines: ``Long Form (LF)``, ``Long Form (LF; ...)``, ``(Long Form, LF)``."""
    found: list[_Definition] = []
    for sentence in sentences:
        chunk = text[sentence.start : sentence.end]
        if "(" not in chunk:
            continue
        for match in _PARENTHESIS.finditer(chunk):
            content = match.group(1)
            inner = _INNER_DEFINITION.fullmatch(content)
            first = _FIRST_IN_PARENTHESIS.match(content)
            if inner and _is_short_form(inner.group("sf")) and " " in inner.group("lf").strip():
                short, before = inner.group("sf"), inner.group("lf")
                before_start = sentence.start + match.start(1) + inner.start("lf")
                short_start = sentence.start + match.start(1) + inner.start("sf")
            elif first and _is_short_form(first.group("sf")):
                short = first.group("sf")
                window_start = max(0, match.start() - 200)
                before = chunk[window_start : match.start()].rstrip()
                before_start = sentence.start + window_start
                short_start = sentence.start + match.start(1) + first.start("sf")
            else:
                continue
            definition = _define(short, before, before_start, short_start)
            if definition:
                found.append(definition)
    return found


def _define(short: str, before: str, before_start: int, short_start: int) -> _Definition | None:
    core = _VERSION_TAIL.sub("", short)
    for spelled in (short, core) if core and core != short else (short,):
        if sum(c.isalpha() for c in spelled) < 2:
            continue
        words = before.split()
        window = " ".join(words[-min(len(spelled) + 5, 2 * len(spelled) + 1) :])
        long_form = _best_long_form(spelled, window)
        long_form = (long_form or "").lstrip("([{\"'“ ").strip(" ,;:-")
        if not long_form or "(" in long_form or ")" in long_form:
            continue
        if _DEFINITION_STOPS.intersection(long_form.lower().split()):
            continue
        if len(long_form) <= len(short) or len(long_form.split()) > len(spelled) + 5:
            continue
        long_start = before_start + before.rfind(long_form)
        return _Definition(short, long_form, long_start, long_start + len(long_form), short_start,
                           short_start + len(short))
    return None


_ENGLISH_STEMS = frozenset({"who", "care", "home", "head", "class", "brief", "pass", "mini", "cats", "caps", "grade"})


def _token_gate(form: str) -> str:
    """The lower-case word a sentence must hold to name a one-token form: ``phq`` for ``PHQ-9``."""
    stem = _stem_of(form).lower()
    if len(stem) < 2 or stem in _ENGLISH_STEMS:
        return form.lower()  # "C-TRF", "WHO-5": the whole hyphenated token
    return stem


def _stem_of(token: str) -> str:
    """A token up to its first separator: ``PHQ`` of ``PHQ-9-based``."""
    return token.split("-", 1)[0].split(":", 1)[0].split("/", 1)[0].split(".", 1)[0]


def _lookup_token(token: str) -> tuple[Instrument, str] | None:
    """The lexicon instrument a token names (``PHQ-9``, ``SDQ-TD``, ``PHQ-9-based``) and how to show it."""
    by_form = lexicon().by_form
    if token in by_form:
        return by_form[token], token
    for separator in reversed([m.start() for m in _SEPARATOR.finditer(token)]):
        base = token[:separator]
        if base in by_form:
            suffix = token[separator + 1 :]
            if token[separator] == "-" and _SUFFIX.fullmatch(suffix):
                return by_form[base], token
            return by_form[base], base
    return None


def _may_hold_name(tokens: set[str]) -> bool:
    lex = lexicon()
    return any(not lex.gates[word].isdisjoint(tokens) for word in tokens & lex.gate_words)


def _instrument_key(instrument: Instrument, display: str) -> str:
    key = f"lex:{instrument.abbreviation}"
    if display.startswith(instrument.abbreviation + "-") and display != instrument.abbreviation:
        suffix = display[len(instrument.abbreviation) + 1 :]
        if _SUFFIX.fullmatch(suffix):
            key += "|" + suffix
    return key


def _name_hits(words: list[tuple[str, int, int]]) -> Iterable[tuple[int, int, Instrument]]:
    """Lexicon names among folded words: (first word index, past-last index, instrument)."""
    by_words = lexicon().by_words
    index = 0
    while index < len(words) - 1:
        for name, instrument in by_words.get((words[index][0], words[index + 1][0]), ()):
            stop = index + len(name)
            if stop <= len(words) and all(words[index + k][0] == name[k] for k in range(2, len(name))):
                yield index, stop, instrument
                index = stop - 1
                break
        index += 1


_NAME_RUN = re.compile(
    r"(?:[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*)(?:(?:\s+(?:of|for|and|the|in|on|to|&)\s+|[\s-]+|\s*/\s*)"
    r"(?:[A-Z][\w'’]*(?:-[A-Za-z0-9][\w'’]*)*|[IVX]{1,4}\b|\d+(?:\.\d)?\b))*")
_NAME_SPLIT = re.compile(r"[\s/]+")
_NAME_JOINT = re.compile(r"\s+(?:and|&)\s+(?:the\s+)?")
_HEAD_SPLIT = re.compile(r"[\s/-]+")
_LEADING_WORDS = {"The", "A", "An", "Using", "On", "In", "With", "By", "And", "Both", "Our", "Mothers", "Parents"}


def _is_head(token: str) -> bool:
    """An instrument head noun, misspelt or not (``Questionaire``)."""
    return token[:1].isupper() and token.split("-")[-1].lower().startswith(vocabulary().head_prefixes)


def _shaped_names(chunk: str) -> Iterable[tuple[int, int, str]]:
    """Capitalised runs that hold an instrument head noun (``Maternal Self-Efficacy Scale``).

    A run joined by ``and`` is cut after a head noun: ``the X Scale and the Y Questionnaire`` holds two.
    """
    voc = vocabulary()
    for match in _NAME_RUN.finditer(chunk):
        pieces: list[tuple[int, int]] = []
        position = match.start()
        for joint in _NAME_JOINT.finditer(chunk, match.start(), match.end()):
            before = chunk[position : joint.start()].split()
            if before and _is_head(before[-1]):
                pieces.append((position, joint.start()))
                position = joint.end()
        pieces.append((position, match.end()))
        for start, end in pieces:
            phrase = chunk[start:end]
            tokens = _NAME_SPLIT.split(phrase)
            if len(tokens) < 2 or not any(_is_head(t) for t in tokens):
                continue
            if any(t.lower() in voc.not_instrument for t in tokens):
                continue
            while tokens and tokens[0] in _LEADING_WORDS:
                phrase = phrase[len(tokens[0]) :].lstrip()
                tokens = tokens[1:]
            if len(tokens) >= 2:
                yield end - len(phrase), end, phrase


@lru_cache(maxsize=1024)
def _fuzzy_instrument(phrase: str) -> Instrument | None:
    """The lexicon instrument a variant spelling names (``Edinburg Postnatal Depresion Scale``).

    Only names ending in a word that starts like the phrase's last word are compared.
    """
    words = _fold(phrase).split()
    if len(words) < 2:
        return None
    names, targets = lexicon().fuzzy_by_ending.get(words[-1][:3], ((), ()))
    best: tuple[float, Instrument] | None = None
    for drop in range(0, min(3, len(words) - 1)):
        result = process.extractOne(" ".join(words[drop:]), names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if result and (best is None or result[1] > best[0]):
            best = (result[1], targets[result[2]])
    return best[1] if best else None


def _has_head(phrase: str, strict: bool = False) -> bool:
    voc = vocabulary()
    tokens = _HEAD_SPLIT.split(phrase.strip())
    if not strict:
        return any(t in voc.heads for t in tokens)
    return bool(tokens) and tokens[-1] in voc.heads and tokens[-1] not in voc.weak_heads and sum(
        1 for t in tokens if t[:1].isupper()) >= 2


def _spelled_by_initials(short: str, long: str) -> bool:
    """Whether the letters of ``short`` are initials of successive words of ``long`` (a sure definition)."""
    initials = iter(word[0].lower() for word in _HEAD_SPLIT.split(long) if word[:1].isalpha())
    return all(any(letter == initial for initial in initials) for letter in short.lower() if letter.isalpha())


_Named = dict[str, tuple[str, Instrument | None]]  # defined abbreviation -> (group key, lexicon entry)


def _classify_definitions(definitions: list[_Definition]) -> tuple[_Named, set[str]]:
    """Which defined abbreviations name instruments (their group key), and which veto a lexicon reading."""
    named: _Named = {}
    vetoed: set[str] = set()
    for definition in definitions:
        found = _lookup_token(definition.short)
        entry = found[0] if found else None
        if entry is not None:
            score = fuzz.token_set_ratio(_fold(definition.long), _fold(entry.name))
            if score >= 60 or _has_head(definition.long):
                named[definition.short] = (_instrument_key(entry, definition.short), entry)
            elif _spelled_by_initials(definition.short, definition.long):
                vetoed.add(definition.short)  # "Perinatal Support Service (PSS)"
            continue
        entry = _fuzzy_instrument(definition.long) if _has_head(definition.long) else None
        if entry is None:
            entry = next((instrument for _, _, instrument in _name_hits(_words(definition.long))), None)
        if entry is not None:
            named[definition.short] = (f"lex:{entry.abbreviation}|{definition.short}", entry)
        elif _has_head(definition.long, strict=True):
            named[definition.short] = (f"def:{definition.short}", None)
    return named, vetoed


def _instrument_mentions(text: str, context: _Context, definitions: list[_Definition],
                         named: _Named, vetoed: set[str]) -> list[_Mention]:
    sentence, chunk = context.sentence, context.chunk
    found: list[_Mention] = []

    def add(start: int, end: int, display: str, key: str, matched: str, confidence: float,
            instrument: Instrument | None, abbreviation: str | None) -> None:
        found.append(_Mention(start, end, display, key, "instrument", matched, matched, confidence, sentence,
                              instrument, abbreviation, instrument.construct if instrument else None))

    for definition in definitions:
        if sentence.start <= definition.short_start < sentence.end and definition.short in named:
            key, instrument = named[definition.short]
            add(definition.long_start, definition.short_end, definition.short, key, "definition", 0.85, instrument,
                definition.short)
    words = _words(chunk, sentence.start) if _may_hold_name(context.tokens) else []
    for first, stop, instrument in _name_hits(words):
        start, end = words[first][1], words[stop - 1][2]
        if not any(m.start <= start < m.end for m in found):
            surface = text[start:end]
            abbreviated = surface == surface.upper()
            add(start, end, surface, _instrument_key(instrument, surface), "lexicon", 0.85, instrument,
                surface if abbreviated else None)
    by_form, stems = lexicon().by_form, lexicon().stems
    scan = named or not context.tokens.isdisjoint(lexicon().stems_lower)
    for match in _TOKEN.finditer(chunk) if scan else ():
        token = match.group()
        if token not in by_form and token not in named and _stem_of(token) not in stems:
            continue
        start = sentence.start + match.start()
        if any(m.start <= start < m.end for m in found):
            continue
        if token in named and token not in by_form:
            key, instrument = named[token]
            add(start, start + len(token), token, key, "definition", 0.85, instrument, token)
            continue
        looked_up = _lookup_token(token)
        if not looked_up or looked_up[1] in vetoed or looked_up[1].split("-")[0] in vetoed:
            continue
        instrument, display = looked_up
        is_name = display.lower() == instrument.name.lower()
        confidence = 0.85
        if instrument.ambiguous and display not in named:
            near = chunk[max(0, match.start() - 40) : match.end() + 40]
            confidence = 0.7 if _MEASURE_CUE.search(near) else 0.25
        add(start, start + len(display), display, _instrument_key(instrument, display), "lexicon", confidence,
            instrument, None if is_name else display)
    for start, end, phrase in _shaped_names(chunk) if any(map(chunk.__contains__,
                                                              vocabulary().capital_head_prefixes)) else ():
        start, end = sentence.start + start, sentence.start + end
        if any(m.start < end and start < m.end for m in found):
            continue
        instrument = _fuzzy_instrument(phrase)
        if instrument is not None:
            add(start, end, phrase, f"lex:{instrument.abbreviation}", "fuzzy", 0.8, instrument, None)
        elif _has_head(phrase, strict=True) and _MEASURE_CUE.search(chunk):
            add(start, end, phrase, "name:" + _fold(phrase), "name", 0.6, None, None)
    for mention in found:
        if mention.instrument is not None and mention.instrument.appraisal:
            scored = sentence.section == "results" or "score" in context.lowered
            mention.confidence = 0.65 if scored else 0.3
        if context.eligibility:
            mention.confidence = min(mention.confidence, 0.35)
        mention.confidence *= context.weight
        mention.timepoints = context.timepoints
    return found


# ---------------------------------------------------------------- constructs

# Cues read the sentence lower-cased with brackets blanked. A cue starts with one of its start words
# (found with str.find, far faster than scanning with a regex), its pattern is matched there, and
# ``before``, when given, must match the text just before the start word.
_GERUNDS = ("improving", "reducing", "promoting", "increasing", "enhancing", "preventing", "decreasing", "lowering",
            "alleviating", "supporting", "strengthening", "fostering", "addressing", "treating")
_AIM_VERBS = ("improve", "reduce", "promote", "increase", "enhance", "prevent", "decrease", "lower", "alleviate",
              "strengthen", "foster")
_CHANGE_VERBS = ("improved", "reduced", "increased", "decreased", "enhanced", "lowered", "prevented")


@dataclass(frozen=True)
class _Cue:
    rule: str
    base: float  # confidence of what the cue names, before the sentence's weight
    starts: frozenset[str]
    pattern: re.Pattern[str]
    before: re.Pattern[str] | None = None
    also: frozenset[str] = frozenset()  # another word the sentence must hold, when given
    sections: frozenset[str | None] | None = None  # where the cue counts, when limited


def _cue(rule: str, base: float, starts: Iterable[str], pattern: str, before: str | None = None,
         also: Iterable[str] = (), sections: Iterable[str | None] | None = None) -> _Cue:
    return _Cue(rule, base, frozenset(starts), re.compile(pattern), re.compile(before + "$") if before else None,
                frozenset(also), frozenset(sections) if sections is not None else None)


def _alternatives(words: Iterable[str]) -> str:
    return "(?:" + "|".join(words) + ")"


_SUBJECT_CUE_STARTS = ("assessed", "measured", "evaluated", "rated", "coded", "observed", "examined", "recorded",
                       "indexed", "operationalised", "operationalized", "improved", "reduced", "increased",
                       "decreased", "enhanced", "different", "lower", "higher", "declined", "worsened", "differ",
                       "change")
_RESULTS_LIKE = ("results", "objective", "conclusions", "other", None)
_STATEMENT_CUE = _cue(
    "statement", 0.9, ("outcome", "outcomes", "endpoint", "endpoints", "end-point", "end-points", "end"),
    r"(?:outcomes?|end[- ]?points?)(?:\s+measures?)?"
    r"(?:\s+(?:assessed|evaluated|examined|measured|of\s+interest|analy[sz]ed|reported)(?:\s+[^,;:.]{0,40}?)?)?"
    r"\s*(?:was|were|is|are|will\s+be|included|include|includes|including|comprised|comprise|consisted\s+of|"
    r"focused\s+on|will\s+focus\s+on|will\s+include|:|of)\s+")
_STATEMENT_ROLE = re.compile(
    r"(?:(?P<both>primary\s*(?:/|and|or)\s*secondary)|(?P<role>primary|secondary|main|principal|key|co-primary))"
    r"\s+$")
_GLUED_STARTS = ("main ", "primary ", "secondary ", "outcome")
_GLUED_OUTCOME_HEADING = re.compile(
    r"\s*(?i:(main|primary|secondary)\s+)?(?i:outcomes?(?:\s+(?:and\s+)?measures?)?)\s+(?=[A-Z][a-z])")
# The list after each of these cues names outcomes.
_CUES: tuple[_Cue, ...] = (
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
    _cue("aim", 0.45, _AIM_VERBS, _alternatives(_AIM_VERBS) + r"\s+", before=r"\bto\s+"),
    _cue("aim", 0.45, _GERUNDS, _alternatives(_GERUNDS) + r"(?:\s+(?:or|and)\s+" + _alternatives(_GERUNDS) + r")?\s+",
         before=r"\b(?:at|in|for|by|towards?)\s*:?\s*(?:\(?[a-z0-9]\)\s*)?"),
)
_ALL_STARTS = frozenset().union(*(cue.starts for cue in _CUES), _STATEMENT_CUE.starts, _SUBJECT_CUE_STARTS)
_MAIN_AIM = re.compile(r"\b(?:main|primary|principal|overall)\s+(?:aim|objective|purpose|goal)")
_NOT_AN_EFFECT = re.compile(r"\b(?:moderating|mediating|moderator|mediator|random|fixed|interaction|ceiling|floor|"
                            r"side|adverse|main|indirect|direct|period|carryover|carry-over|design|order)\s*$")
_SUBJECT_CUE = _cue(
    "subject", 0.65, _SUBJECT_CUE_STARTS,
    r"(?:(?P<measured>assessed|measured|evaluated|rated|coded|observed|examined|recorded|indexed|"
    r"operationali[sz]ed)|improved|reduced|increased|decreased|enhanced|different|lower|higher|declined|worsened|"
    r"differ|change)\b")
_SUBJECT_AUX = re.compile(
    r"(?:\b(?:was|were|is|are|will\s+be|would\s+be|could\s+be|can\s+be|has\s+been|have\s+been)\s+"
    r"(?:(?:also|not|significantly|then|independently|statistically|no\s+longer|all)\s+)*|\bdid\s+not\s+)$")
_USED_AS_MEASURES = re.compile(r"\b(?:was|were)\s+used\s+as\b[^.;]{0,60}?\bmeasures?\b")
_STAT_PAREN = re.compile(
    r"[(\[]\s*(?P<stat>d|g|SMD|ES|MD|WMD|IRR|RR|OR|HR|AOR|aOR|β|beta|t|F|ηp?2|Hedges'? g|Cohen'?s d)"
    r"\s*(?:\(\d+(?:,\s*\d+)?\))?\s*[=:,]")
_RATIO_STATS = {"IRR", "RR", "OR", "HR", "AOR", "aOR"}
_STAT_FOR = re.compile(r"\d\s*%?\s+for\s+")
_STAT_FOR_HINTS = ("effect size", "odds ratio", "risk ratio", "smd", "difference")
_LIST_END = re.compile(
    r"[.;:!?]|\b(?:was|were|is|are|will|would|had|has|have|did|does|do|could|should|can|may|might|which|who|whom|"
    r"whereas|while|although|though|but|because|since|versus|vs|than|whether|if|using|via|compared|that|"
    r"in\s+order|so\s+that|such\s+as|during|among|as\s+(?:measured|assessed|indexed|evaluated)|"
    r"(?:measured|assessed|evaluated|indexed)\s+(?:by|with|using)|suggests?|indicates?|indicated|showed|shows?|"
    r"revealed|demonstrated|remained|persisted|appears?|seems?|found|requires?|need)\b"
)
_BOUNDARY_WORDS = r"and|or|but|whether|that|if|while|whereas|which|when|because|although|though|than|both|then|also"
_SUBJECT_START = re.compile(rf"[;:,]|\b(?:{_BOUNDARY_WORDS})\b")
_STAT_SUBJECT_START = re.compile(
    rf"[;:,]|\b(?:{_BOUNDARY_WORDS}|for|on|in|with|including|regarding|improved|reduced|increased|decreased|"
    rf"enhanced|lowered|showed|had|has|have|was|were|is|are|found|reported|observed|demonstrated|predicted)\b")
_ITEM_SEPARATORS = re.compile(r"[;,]|\b(?:and/or|and|or|as well as)\b|&")
_ITEM_SEPARATORS_SEMICOLON = re.compile(r";|\b(?:and/or|and|or|as well as)\b|&")
_ITEM_SEPARATORS_ENUMERATED = re.compile(r"[;,]|\b(?:and/or|and|or|as well as)\b|&|\s+(?=\(?[a-h]\)\s)")
_OPERATOR = re.compile(r"[<>=≤≥]")
_ENUMERATOR = re.compile(r"^\s*(?:\(?(?:[a-h]|[ivx]{1,4}|\d{1,2})\)|\d{1,2}\.)\s+", re.I)
_STATISTICS = re.compile(r"\b(?:relative risk|odds ratios?|mean differences?|confidence intervals?|effect sizes?|"
                         r"regression|p-values?|standard deviations?|hazard ratios?|risk ratios?)\b", re.I)
_TAIL = re.compile(r"\s+(?:(?:post|pre)\s|expressed|defined|identified|measured|assessed|reported|observed|"
                   r"evaluated|as|using|via|"
                   r"post[- ]?(?:intervention|treatment|test|randomi[sz]ation|baseline|childbirth|delivery|birth)|"
                   r"after)\b.*$", re.I)
_CUT_WORDS = {"among", "in", "for", "of", "across", "at", "after", "during", "from", "within", "over", "between",
              "by", "relative", "versus", "vs", "vs.", "to"}
_DANGLING = {"at", "by", "after", "over", "until", "to", "up", "within", "of", "in", "from", "during", "on", "for",
             "and", "or", "the", "with", "post", "pre"}
_ALWAYS_CUT = {"among", "across", "between", "versus", "vs", "vs.", "after", "during", "within"}
_LONG_CUT = {"for", "in", "among", "from", "at", "during", "within", "to", "with", "by", "regarding"}
_SPACED_HYPHEN = re.compile(r"\s+-\s*")
_HEDGE = re.compile(r"\w+fold|almost|nearly|approximately|about")
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z0-9-]{1,9}")
_BAD_START = re.compile(r"(?:\d|[a-z]\)|to\b|of\b|for\b|in\b|on\b|with\b|by\b|at\b|from\b|than\b|it\b|its\b)")
_CLAUSE_WORDS = frozenset({"was", "were", "is", "are", "be", "been", "had", "has", "have", "did", "showed", "found",
                           "we", "our"})
_THREE_LETTERS = re.compile(r"[a-z]{3}")
_KEEP_ING = {"wellbeing", "functioning", "bullying", "parenting", "breastfeeding", "drinking", "smoking",
             "schooling", "caregiving", "self-harming", "gambling", "sleeping", "feeding", "reading", "writing"}
_ADJECTIVE = re.compile(r"(?:al|ive|ic|ary|ory|ous|ar|ful|less|ent|ant|ed)$|^(?:language|motor|speech|weight|height)$")


def _split_items(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Item spans of a list ``X, Y and Z`` (semicolons first when the list uses them), blanks trimmed."""
    segment = masked[start:end]
    if ";" in segment and "," not in segment.split(";")[0]:
        pattern = _ITEM_SEPARATORS_SEMICOLON
    else:
        pattern = _ITEM_SEPARATORS_ENUMERATED if ")" in segment else _ITEM_SEPARATORS
    spans: list[tuple[int, int]] = []
    position = start
    for match in pattern.finditer(segment):
        spans.append((position, start + match.start()))
        position = start + match.end()
    spans.append((position, end))
    trimmed = []
    for item_start, item_end in spans:
        piece = masked[item_start:item_end]
        stripped = piece.strip()
        if stripped:
            item_start += len(piece) - len(piece.lstrip())
            trimmed.append((item_start, item_start + len(stripped)))
    return trimmed


@lru_cache(maxsize=4096)
def _clean(phrase: str) -> str | None:
    """A short construct name from a list item, or None when the item names nothing measurable."""
    voc = vocabulary()
    phrase = _ENUMERATOR.sub("", _SPACES.sub(" ", phrase)).strip(" ,;:-–—'\"")
    phrase = _SPACED_HYPHEN.sub("-", phrase)
    if any(map(phrase.lower().__contains__, _TIME_HINTS)):
        phrase = _TIME.sub(" ", phrase)
    phrase = _TAIL.sub("", phrase)
    words = phrase.strip(" ,;:-").split()
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words = words[:-1]
    counted = False  # "incidents of X": X is counted, so an event noun is fine as head
    changed = True
    while changed and len(words) > 1:
        changed = False
        lowered_words = [w.lower() for w in words]
        for lead in voc.lead_phrases.get(lowered_words[0], ()):
            if len(words) > len(lead) and tuple(lowered_words[: len(lead)]) == lead:
                rest = words[len(lead) :]
                if lead[-2:] == ("quality", "of") and rest[0].lower() in voc.keep_after_quality:
                    continue
                counted = counted or lead[0] in {"incidents", "incidence", "number", "rate", "rates", "occurrence",
                                                 "frequency"}
                words, changed = rest, True
                break
        first = words[0].lower().strip(",")
        if not changed and len(words) > 1 and (first in voc.lead_words or _HEDGE.fullmatch(first)):
            words, changed = words[1:], True
    for index in range(1, len(words)):
        word = words[index].lower()
        if word in _CUT_WORDS:
            following = words[index + 1].lower().strip(",.;") if index + 1 < len(words) else ""
            if word in _ALWAYS_CUT or following in voc.population or following[:1].isdigit():
                words = words[:index]
                break
    while len(words) > 6:
        cut = max((i for i in range(2, len(words)) if words[i].lower() in _LONG_CUT), default=None)
        if cut is None:
            break
        words = words[:cut]
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words = words[:-1]
    while len(words) > 1 and words[-1].lower() in voc.trail_words:
        if len(words) == 2 and words[-1].lower() in {"outcome", "outcomes"} and \
                words[0].lower() in voc.keep_trail_after:
            break  # "child outcomes"
        if len(words) == 2 and _ADJECTIVE.search(words[0].lower()):
            break  # "cognitive scores" is not "cognitive"
        words = words[:-1]
    phrase = " ".join(words).strip(" ,;:-'\"")
    lowered = phrase.lower()
    if not phrase or len(words) > 7 or lowered in voc.generic:
        return None
    if _OPERATOR.search(phrase) or _STATISTICS.search(phrase):
        return None
    if _ABBREVIATION.fullmatch(phrase) and sum(c.isupper() for c in phrase) >= 2:
        return phrase  # an abbreviation: kept only when the text defines it
    if _BAD_START.match(lowered):
        return None
    if set(lowered.split()) & _CLAUSE_WORDS:
        return None
    head = words[-1].lower().strip(".,")
    if (head in voc.reject_heads and not counted) or head in voc.lead_words or head in voc.generic and len(words) == 1:
        return None
    if len(words) == 1 and (len(phrase) < 4 or lowered.endswith(("ed", "ly", "ing")) and lowered not in _KEEP_ING):
        return None
    if not _THREE_LETTERS.search(lowered):
        return None
    return phrase


def _distribute(items: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``cognitive, language and motor development`` -> each with ``development``."""
    voc = vocabulary()
    out = list(items)
    for index, (phrase, _, _) in enumerate(items):
        words = phrase.split()
        if len(words) != 2 or words[1].lower() not in voc.distributable:
            continue
        first = index
        while first > 0 and len(items[first - 1][0].split()) == 1 and _ADJECTIVE.search(items[first - 1][0].lower()):
            first -= 1
        for single in range(first, index):
            single_phrase, single_start, single_end = items[single]
            out[single] = (f"{single_phrase} {words[1]}", single_start, single_end)
    return out


def _sentence_case(phrase: str) -> str:
    """``Maternal sensitivity`` (capital from the sentence start) -> ``maternal sensitivity``; labels keep theirs."""
    first, _, rest = phrase.partition(" ")
    if first[:1].isupper() and first[1:].islower() and rest and rest == rest.lower():
        return first.lower() + " " + rest
    return phrase


def _construct_key(phrase: str) -> str:
    return "c:" + " ".join(_stem(w) for w in _fold(phrase).split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=8192)
def _core(phrase: str) -> frozenset[str]:
    """Prefix stems of the words naming what is measured (``maternal depressive symptoms`` -> depres)."""
    modifiers = vocabulary().modifiers
    return frozenset(w[:6] for w in _fold(phrase.replace("-", " ")).split() if w not in modifiers and len(w) > 2)


def _cue_matches(context: _Context, cue: _Cue) -> Iterable[re.Match[str]]:
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
    return [found[position] for position in sorted(found)]


def _construct_mentions(context: _Context, definitions: list[_Definition]) -> list[_Mention]:
    """Constructs named by the cues of one sentence."""
    out: list[_Mention] = []
    heading = (context.sentence.heading or "").lower()
    if context.sentence.section == "methods" and ("outcome" in heading or "measure" in heading) and \
            context.tokens.isdisjoint(_STATEMENT_CUE.starts):
        _headed_statement(context, definitions, out)
    bracketed = "(" in context.chunk or "[" in context.chunk
    if context.tokens.isdisjoint(_ALL_STARTS) and not bracketed:
        return out
    starts = context.tokens & _ALL_STARTS
    if not starts.isdisjoint(_STATEMENT_CUE.starts) or context.lowered.lstrip().startswith(_GLUED_STARTS):
        _statements(context, definitions, out)
    lower = context.masked_lower
    for cue in _CUES:
        if cue.starts.isdisjoint(starts):
            continue
        for match in _cue_matches(context, cue):
            if cue.rule == "effect" and _NOT_AN_EFFECT.search(lower, max(0, match.start() - 20), match.start()):
                continue
            if cue.rule == "aim" and _MAIN_AIM.search(context.lowered):  # the study's own aim names its outcomes
                confidence = 0.65 * max(context.weight, 0.95)
            else:
                confidence = cue.base * context.weight
            _emit(context, definitions, match.end(), _list_end(lower, match.end()), cue.rule, confidence, None, None,
                  out)
    if not starts.isdisjoint(_SUBJECT_CUE.starts) or "used" in context.tokens:
        _subjects(context, definitions, out)
    if bracketed:
        for match in _STAT_PAREN.finditer(context.chunk):
            before = lower[: match.start()]
            if match.group("stat") in _RATIO_STATS and not any(
                    map(before.__contains__, ("associated with", "risk of", "odds of"))):
                continue
            begin = _subject_start(lower, match.start(), stat=True)
            _emit(context, definitions, begin, match.start(), "stat", 0.7 * context.weight, None, None, out)
        if any(map(context.lowered.__contains__, _STAT_FOR_HINTS)):
            for match in _STAT_FOR.finditer(lower):
                _emit(context, definitions, match.end(), _list_end(lower, match.end()), "stat", 0.7 * context.weight,
                      None, None, out)
    return out


def _headed_statement(context: _Context, definitions: list[_Definition], out: list[_Mention]) -> None:
    """A sentence under an outcome heading (``Main outcome measures``) lists outcomes."""
    lower = context.masked_lower
    begin = 0
    heading = context.sentence.heading or ""
    if lower.startswith(heading.lower()):
        begin = len(heading)
    begin += len(lower[begin:]) - len(lower[begin:].lstrip(" :.-–"))
    role = "primary" if heading.lower().startswith("primary") else None
    _statement_list(context, definitions, begin, _list_end(lower, begin), role, None, out)


def _statements(context: _Context, definitions: list[_Definition], out: list[_Mention]) -> None:
    """``The primary outcome was X``; ``Secondary outcomes included X, Y and Z``; ``Main outcome measures X``."""
    lower = context.masked_lower
    glued = _GLUED_OUTCOME_HEADING.match(context.chunk)
    if glued:  # a heading the text layer did not split off: "Main outcome measures Incidence of ..."
        role = "primary" if (glued.group(1) or "").lower() in {"main", "primary"} else None
        _statement_list(context, definitions, glued.end(), _list_end(lower, glued.end()), role, None, out)
        return
    matches = list(_cue_matches(context, _STATEMENT_CUE))
    for index, match in enumerate(matches):
        role = None
        named = _STATEMENT_ROLE.search(lower, max(0, match.start() - 40), match.start())
        if named and named.group("role"):
            role = "secondary" if named.group("role") == "secondary" else "primary"
        clause_end = matches[index + 1].start() if index + 1 < len(matches) else len(lower)
        end = min(_list_end(lower, match.end()), clause_end)
        _statement_list(context, definitions, match.end(), end, role, _tail_link(context, end), out,
                        clause=(named.start() if named else match.start(), clause_end))


def _statement_list(context: _Context, definitions: list[_Definition], begin: int, end: int, role: str | None,
                    link: str | None, out: list[_Mention], clause: tuple[int, int] | None = None) -> None:
    """The outcomes a statement lists; instruments named in its clause take its role."""
    _emit(context, definitions, begin, end, "statement", max(0.9 * context.weight, 0.85), role, None, out,
          last_link=link)
    clause_start, clause_end = clause or (begin, end)
    for mention in context.instruments:
        if clause_start <= mention.start - context.start < clause_end:
            mention.role = mention.role or role
            mention.confidence = max(mention.confidence, 0.9)


def _subjects(context: _Context, definitions: list[_Definition], out: list[_Mention]) -> None:
    """``X was assessed with ...``, ``X improved``, ``X were used as outcome measures``."""
    lower = context.masked_lower
    for match in _cue_matches(context, _SUBJECT_CUE):
        aux = _SUBJECT_AUX.search(lower, max(0, match.start() - 60), match.start())
        if aux:
            subject_end = aux.start()
        elif match.group() in {"improved", "declined", "worsened"}:
            subject_end = match.start()
        else:
            continue
        measured = match.group("measured") is not None
        link = _link_after(context, match.end()) if measured else None
        confidence = (0.8 if measured else 0.65) * context.weight
        _emit(context, definitions, _subject_start(lower, subject_end), subject_end, "subject", confidence, None, link,
              out)
    for match in _USED_AS_MEASURES.finditer(lower) if "used" in context.tokens else ():
        _emit(context, definitions, _subject_start(lower, match.start()), match.start(), "subject",
              0.8 * context.weight, None, None, out)


def _list_end(lower: str, start: int) -> int:
    match = _LIST_END.search(lower, start)
    return match.start() if match else len(lower)


def _subject_start(lower: str, end: int, stat: bool = False) -> int:
    """Where the noun phrase ending at ``end`` starts (after the last clause boundary)."""
    window_start = max(0, end - 90)
    window = lower[window_start:end].rstrip(" ,")
    boundaries = [m.end() for m in (_STAT_SUBJECT_START if stat else _SUBJECT_START).finditer(window)]
    if boundaries:
        return window_start + boundaries[-1]
    return window_start + (window.find(" ") + 1 if window_start else 0)


def _link_after(context: _Context, offset: int) -> str | None:
    """The instrument named just after ``offset`` (``X was assessed with the PHQ-9``)."""
    for mention in context.instruments:
        if context.start + offset <= mention.start <= context.start + offset + 60:
            return mention.key
    return None


_TAIL_LINK = re.compile(r"\s*,?\s*(?:as\s+)?(?:measured|assessed|indexed|evaluated)\s+(?:by|with|using)\s+")
_PAREN_AFTER = re.compile(r"\s*[(\[]([^()\[\]]*(?:\([^()]*\)[^()\[\]]*)*)[)\]]?")
_LIST_IN_PAREN = re.compile(r",|\band\b")
_NOT_A_LIST = re.compile(r"\s*(?:e\.g|i\.e|n\b)|.*[\d=]")


def _tail_link(context: _Context, end: int) -> str | None:
    """``X, as measured by the SDQ``: the instrument after a statement's list."""
    tail = _TAIL_LINK.match(context.masked_lower, end)
    return _link_after(context, tail.end()) if tail else None


def _emit(context: _Context, definitions: list[_Definition], start: int, end: int, rule: str, confidence: float,
          role: str | None, link: str | None, out: list[_Mention], last_link: str | None = None) -> None:
    """Construct mentions for the list items of the sentence range ``[start, end)``.

    ``link`` is the instrument that measures every item; ``last_link`` the one that measures the last
    (``X, Y and Z, measured with the SDQ``: only Z is).
    """
    if end <= start:
        return
    chunk, masked, lower = context.chunk, context.masked, context.masked_lower
    items: list[tuple[str, int, int, str | None]] = []
    for item_start, item_end in _split_items(lower, start, end):
        raw_start, raw_end = context.start + item_start, context.start + item_end
        inside = [m for m in context.instruments if m.start < raw_end and raw_start < m.end]
        if inside:  # "PHQ-9 scores": the instrument is the outcome
            for mention in inside:
                mention.role = mention.role or role
                mention.confidence = max(mention.confidence, confidence)
            continue
        item_link = link
        paren = _PAREN_AFTER.match(chunk, item_end)
        if paren and paren.group(1).strip():
            content, content_start = paren.group(1), paren.start(1)
            held = [m for m in context.instruments
                    if context.start + content_start <= m.start < context.start + content_start + len(content)]
            if held:  # "depression (PHQ-9)": measured with; "remission (PHQ-9 < 10)" is a definition, not a link
                around = chunk[content_start : held[0].start - context.start] + chunk[
                    held[0].end - context.start : held[0].end - context.start + 3]
                if not _OPERATOR.search(around):
                    item_link = held[0].key
            elif _LIST_IN_PAREN.search(content) and not _NOT_A_LIST.match(content):
                # "positive aspects of mental health (personal well-being and self-efficacy)": the list names them
                sub_lower = lower[:content_start] + content.lower() + lower[content_start + len(content) :]
                for s, e in _split_items(sub_lower, content_start, content_start + len(content)):
                    phrase = _clean(chunk[s:e])
                    if phrase:
                        items.append((phrase, context.start + s, context.start + e, item_link))
                continue
        phrase = _clean(masked[item_start:item_end])
        if phrase:
            offset = chunk.find(phrase, item_start, item_end + 1)
            span = (offset, offset + len(phrase)) if offset >= 0 else (item_start, item_end)
            items.append((phrase, context.start + span[0], context.start + span[1], item_link))
    if last_link and items:
        items[-1] = (*items[-1][:3], items[-1][3] or last_link)
    for phrase, item_start, item_end, item_link in _distribute_linked(items):
        if (item_start, phrase) in context.seen:
            continue
        context.seen.add((item_start, phrase))
        key, display, abbreviation = _construct_identity(phrase, item_start, item_end, definitions)
        display = _sentence_case(display)
        if key is None:
            continue
        out.append(_Mention(item_start, item_end, display, key, "construct", "construct", rule, confidence,
                            context.sentence, None, abbreviation, phrase, role, item_link, context.timepoints))


def _distribute_linked(items: list[tuple[str, int, int, str | None]]) -> list[tuple[str, int, int, str | None]]:
    distributed = _distribute([(p, s, e) for p, s, e, _ in items])
    return [(p, s, e, item[3]) for (p, s, e), item in zip(distributed, items, strict=True)]


def _construct_identity(phrase: str, start: int, end: int,
                        definitions: list[_Definition]) -> tuple[str | None, str, str | None]:
    """Group key, display and abbreviation of a construct; the text's abbreviation when it defines one."""
    modifiers = vocabulary().modifiers
    is_abbreviation = phrase == phrase.upper() and " " not in phrase
    for definition in definitions:
        if phrase == definition.short:
            return f"def:{definition.short}", definition.short, definition.short
        words = phrase.split()
        if definition.short in words and all(w.lower() in modifiers for w in words if w != definition.short):
            return f"def:{definition.short}", definition.short, definition.short
        if start <= definition.short_start <= end + 3 and definition.long_start < end:
            if _fold(definition.long) == _fold(phrase):
                return f"def:{definition.short}", definition.short, definition.short
            if definition.long_start >= start:
                return f"def:{definition.short}", phrase, None
    if is_abbreviation:
        return None, phrase, None  # an undefined abbreviation names nothing we can show
    return _construct_key(phrase), phrase, None


# ---------------------------------------------------------------- public API


def find_outcomes(layer: TextLayer, start: int = 0, end: int | None = None) -> list[ExtractedValue]:
    """Every outcome-measure mention in ``layer.text[start:end]``, as unchosen candidates."""
    end = len(layer.text) if end is None else end
    text = layer.text
    contexts = [_Context(text, s) for s in layer.sentences_between(start, end)]
    contexts = [c for c in contexts if not _skipped(c)]
    definitions = _definitions(text, [c.sentence for c in contexts])
    named, vetoed = _classify_definitions(definitions)
    mentions: list[_Mention] = []
    for context in contexts:
        context.instruments = _instrument_mentions(text, context, definitions, named, vetoed)
        mentions.extend(_construct_mentions(context, definitions))
        mentions.extend(context.instruments)
    values = []
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        if mention.end <= start or mention.start >= end:
            continue
        values.append(ExtractedValue(
            field="outcome", value=mention.display, start=mention.start, end=mention.end,
            confidence=round(min(mention.confidence, 0.99), 3), source=f"rule:outcomes.{mention.rule}.v1",
            role=mention.role,
            attributes={
                "instrument": mention.instrument.name if mention.instrument else (
                    mention.display if mention.kind == "instrument" else None),
                "abbreviation": mention.abbreviation,
                "construct": mention.construct,
                "timepoints": list(mention.timepoints),
                "matched": mention.matched,
                "key": mention.key,
                "kind": mention.kind,
                "link": mention.link,
                "section": mention.sentence.section,
            },
        ))
    return values


@dataclass
class _Group:
    key: str
    members: list[ExtractedValue]

    @property
    def kind(self) -> str:
        kinds = {m.attributes.get("kind") for m in self.members}
        return "instrument" if "instrument" in kinds else "construct"

    @property
    def first(self) -> int:
        return min(m.start or 0 for m in self.members)

    @property
    def confidence(self) -> float:
        best = max(m.confidence for m in self.members)
        places = {m.start for m in self.members if m.confidence >= WEAK}
        return min(0.99, best + 0.05 * min(2, max(0, len(places) - 1)))


def choose_outcomes(candidates: list[ExtractedValue]) -> list[ExtractedValue]:
    """One value per outcome of a study unit, in text order: merged, absorbed, and thresholded."""
    groups: dict[str, _Group] = {}
    for candidate in candidates:
        if candidate.field != "outcome":
            continue
        key = candidate.attributes.get("key") or _construct_key(str(candidate.value))
        groups.setdefault(key, _Group(key, [])).members.append(candidate)
    _merge_instrument_variants(groups)
    _merge_near_duplicates(groups)
    strong = [g for g in groups.values() if g.confidence >= STRONG]
    chosen = strong or [g for g in groups.values() if g.confidence >= WEAK]
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
    return [_value_of(group, inherited.get(group.key)) for group in sorted(kept, key=lambda g: g.first)]


def _merge_instrument_variants(groups: dict[str, _Group]) -> None:
    """``Strengths and Difficulties Questionnaire`` joins ``SDQ-TD`` when the text gives only the variant."""
    for key in [k for k in groups if k.startswith("lex:") and "|" not in k]:
        variants = [k for k in groups if k.startswith(key + "|")]
        if len(variants) == 1 and not any(m.attributes.get("abbreviation") for m in groups[key].members):
            groups[variants[0]].members.extend(groups.pop(key).members)


def _merge_near_duplicates(groups: dict[str, _Group]) -> None:
    """Constructs differing only in modifiers or spelling (``child cognitive development``)."""
    keys = sorted((k for k in groups if groups[k].kind == "construct"), key=lambda k: groups[k].first)
    for index, key in enumerate(keys):
        if key not in groups:
            continue
        for other in keys[index + 1 :]:
            if other not in groups or key not in groups:
                continue
            name, other_name = _display(groups[key]), _display(groups[other])
            if (_core(name) and _core(name) == _core(other_name)) or fuzz.ratio(_fold(name), _fold(other_name)) >= 92:
                survivor, loser = (key, other) if groups[key].confidence >= groups[other].confidence else (other, key)
                groups[survivor].members.extend(groups.pop(loser).members)


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
    name = _display(group)
    words = set(_fold(name.replace("-", " ").replace("/", " ")).split())
    if words and words <= voc.umbrella_words and words & voc.umbrella_required:
        return instruments[0]  # "mental health" when the unit names its mental-health instruments
    core = _core(name)
    for instrument in instruments:
        construct = instrument.members[0].attributes.get("construct")
        if core and construct and core <= _core(construct):
            return instrument
    return None


def _display(group: _Group) -> str:
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
    return replace(best, value=_display(group), confidence=round(group.confidence, 3), role=role,
                   attributes=attributes, chosen=True)
