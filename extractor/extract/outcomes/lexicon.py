"""Outcome instruments: the lexicon and construct word lists, loaded once, and matching names against them.

Names are compared as folded words (lower case, British/American spellings and connectives folded);
abbreviations as case-sensitive tokens, keeping a version or subscale suffix (``SDQ-TD``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

_DATA = Path(__file__).resolve().parents[2] / "data"
FUZZY_CUTOFF = 92.0  # rapidfuzz ratio: variant spellings in the tests score >= 97, other instruments <= 89


@dataclass(frozen=True)
class Instrument:
    """One lexicon entry."""

    name: str
    abbreviation: str
    construct: str
    ambiguous: bool = False
    appraisal: bool = False


@dataclass(frozen=True)
class Lexicon:
    """The instrument lexicon, indexed for the ways sentences are matched against it."""

    instruments: tuple[Instrument, ...]
    by_form: dict[str, Instrument]  # one-token forms, case-sensitive
    by_words: dict[tuple[str, str], list[tuple[tuple[str, ...], Instrument]]]  # names, by first two words
    fuzzy_by_ending: dict[str, tuple[tuple[str, ...], tuple[Instrument, ...]]]  # by the last word's first letters
    gates: dict[str, frozenset[str]]  # rarest word of a name -> its next rarest words (a sentence needs both)
    gate_words: frozenset[str]
    stems: frozenset[str]  # one-token forms up to their first separator
    stems_lower: frozenset[str]  # the same, lower-cased: a sentence without one holds no abbreviation


@dataclass(frozen=True)
class Vocabulary:
    """The word lists that shape construct phrases and instrument names."""

    spelling: dict[str, str]
    joined: dict[tuple[str, str], str]
    joined_seconds: frozenset[str]
    heads: frozenset[str]
    head_prefixes: tuple[str, ...]
    capital_heads: re.Pattern[str]  # the first letters of a head noun, capitalised: a sentence without holds no name
    weak_heads: frozenset[str]
    not_instrument: frozenset[str]
    lead_words: frozenset[str]
    lead_phrases: dict[str, tuple[tuple[str, ...], ...]]  # by first word, longest first
    keep_after_quality: frozenset[str]
    keep_after_overall: frozenset[str]
    trail_words: frozenset[str]
    keep_trail_after: frozenset[str]
    generic: frozenset[str]
    scored_constructs: frozenset[str]  # generic words the outcome scorer may still judge as constructs
    reject_heads: frozenset[str]
    modifiers: frozenset[str]
    umbrella_words: frozenset[str]
    umbrella_required: frozenset[str]
    distributable: frozenset[str]
    population: frozenset[str]
    common_name_words: frozenset[str]
    predicates: frozenset[str]  # a list that starts with one states a finding ("outcomes were similar")
    header_words: frozenset[str]  # column headings of tables of effects: a phrase of only these names nothing


@cache
def vocabulary() -> Vocabulary:
    """The construct word lists of ``data/outcome_constructs.json``, loaded once."""
    data = json.loads((_DATA / "outcome_constructs.json").read_text(encoding="utf-8"))

    def low(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in data[key])

    return Vocabulary(
        spelling=data["spelling"],
        joined={(a, b): joined for a, b, joined in data["joined_words"]},
        joined_seconds=frozenset(b for _, b, _ in data["joined_words"]),
        heads=frozenset(data["instrument_heads"]),
        head_prefixes=tuple(sorted({head.lower()[:7] for head in data["instrument_heads"]})),
        capital_heads=re.compile("|".join(sorted({re.escape(head[:7]) for head in data["instrument_heads"]}))),
        weak_heads=frozenset(data["weak_instrument_heads"]),
        not_instrument=low("not_instrument_words"),
        lead_words=low("lead_words"),
        lead_phrases=_by_first_word(data["lead_phrases"]),
        keep_after_quality=low("keep_after_quality_of"),
        keep_after_overall=low("keep_after_overall"),
        trail_words=low("trail_words"),
        keep_trail_after=low("keep_trail_after"),
        generic=low("generic"),
        scored_constructs=low("scored_constructs"),
        reject_heads=low("reject_heads"),
        modifiers=low("modifiers"),
        umbrella_words=low("umbrella_words"),
        umbrella_required=low("umbrella_required"),
        distributable=low("distributable_heads"),
        population=low("population_words"),
        common_name_words=low("common_name_words"),
        predicates=low("predicate_words"),
        header_words=low("header_words"),
    )


def _by_first_word(phrases: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.lower().split())
        index.setdefault(words[0], []).append(words)
    return {first: tuple(sorted(group, key=len, reverse=True)) for first, group in index.items()}


@cache
def lexicon() -> Lexicon:
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
            words = tuple(w for w, _, _ in folded_words(form))
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
    return Lexicon(tuple(instruments), by_form, by_words, fuzzy_by_ending, frozen_gates,
                   frozenset(frozen_gates), frozenset(stem_of(form) for form in by_form),
                   frozenset(_token_gate(form) for form in by_form))


# ---------------------------------------------------------------- folding

_WORD = re.compile(r"[^\W_]+(?:['’]s\b)?")
_CONNECTIVES = frozenset({"and", "the", "of", "for", "in", "a", "an", "to", "on", "with", "s"})


def folded_words(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
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


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """``text`` as its folded words joined by spaces, for comparing names and keying constructs."""
    return " ".join(w for w, _, _ in folded_words(text))


# ---------------------------------------------------------------- one-token forms (abbreviations)

_SEPARATOR = re.compile(r"[-:/.]")
VERSION_SUFFIX = re.compile(r"[A-Z0-9]{1,4}|[IVX]{1,4}|[A-Z][a-z]?")
_ENGLISH_STEMS = frozenset({"who", "care", "home", "head", "class", "brief", "pass", "mini", "cats", "caps", "grade"})


def _token_gate(form: str) -> str:
    """The lower-case word a sentence must hold to name a one-token form: ``phq`` for ``PHQ-9``."""
    stem = stem_of(form).lower()
    if len(stem) < 2 or stem in _ENGLISH_STEMS:
        return form.lower()  # "C-TRF", "WHO-5": the whole hyphenated token
    return stem


def stem_of(token: str) -> str:
    """A token up to its first separator: ``PHQ`` of ``PHQ-9-based``."""
    return token.split("-", 1)[0].split(":", 1)[0].split("/", 1)[0].split(".", 1)[0]


def lookup_token(token: str) -> tuple[Instrument, str] | None:
    """The lexicon instrument a token names (``PHQ-9``, ``SDQ-TD``, ``PHQ-9-based``) and how to show it."""
    by_form = lexicon().by_form
    if token in by_form:
        return by_form[token], token
    for separator in reversed([m.start() for m in _SEPARATOR.finditer(token)]):
        base = token[:separator]
        if base in by_form:
            suffix = token[separator + 1 :]
            if token[separator] == "-" and VERSION_SUFFIX.fullmatch(suffix):
                return by_form[base], token
            return by_form[base], base
    return None


def instrument_key(instrument: Instrument, display: str) -> str:
    """The group key of an instrument mention; a version or subscale shown (``SDQ-TD``) is a group of its own."""
    key = f"lex:{instrument.abbreviation}"
    if display.startswith(instrument.abbreviation + "-") and display != instrument.abbreviation:
        suffix = display[len(instrument.abbreviation) + 1 :]
        if VERSION_SUFFIX.fullmatch(suffix):
            key += "|" + suffix
    return key


# ---------------------------------------------------------------- names


def may_hold_name(tokens: set[str]) -> bool:
    """Whether a sentence's words include the two rarest words of some lexicon name."""
    lex = lexicon()
    rare = tokens & lex.gate_words
    return bool(rare) and any(not lex.gates[word].isdisjoint(tokens) for word in rare)


def name_hits(words: list[tuple[str, int, int]]) -> Iterable[tuple[int, int, Instrument]]:
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


HEAD_SPLIT = re.compile(r"[\s/-]+")


@lru_cache(maxsize=1024)
def fuzzy_instrument(phrase: str) -> Instrument | None:
    """The lexicon instrument a variant spelling names (``Edinburg Postnatal Depresion Scale``).

    Only names ending in a word that starts like the phrase's last word are compared.
    """
    words = fold(phrase).split()
    if len(words) < 2:
        return None
    names, targets = lexicon().fuzzy_by_ending.get(words[-1][:3], ((), ()))
    best: tuple[float, Instrument] | None = None
    for drop in range(0, min(3, len(words) - 1)):
        result = process.extractOne(" ".join(words[drop:]), names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if result and (best is None or result[1] > best[0]):
            best = (result[1], targets[result[2]])
    return best[1] if best else None


def has_head(phrase: str, strict: bool = False) -> bool:
    """Whether a phrase holds an instrument head noun; ``strict``: ends in a strong one, capitalised."""
    voc = vocabulary()
    tokens = HEAD_SPLIT.split(phrase.strip())
    if not strict:
        return any(t in voc.heads for t in tokens)
    return bool(tokens) and tokens[-1] in voc.heads and tokens[-1] not in voc.weak_heads and sum(
        1 for t in tokens if t[:1].isupper()) >= 2
