"""Outcome measures on pages in Spanish, Portuguese, German, French and Chinese, named as the page writes them.

The cue words are data (``data/outcome_languages.json``), not strings of any one page:

* ``reads_as_clause``: a sentence with a finite verb of these languages is a clause, so its mentions weigh as
  an English sentence's do (a title or keyword list weighs less);
* ``instrument_names``: names built on an instrument head (``escala de ideación suicida de Roberts``,
  ``cuestionario de ...``, ``Depressionsskala``, ``...量表``);
* ``effect_phrases``: the construct after ``efectos sobre``, ``Effekte auf``, ``effets sur`` ... (determiners
  dropped, cut at the next verb, preposition or punctuation).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[2] / "data" / "outcome_languages.json"
_MAX_WORDS = 7
_WORD = r"[^\W\d_][\w'’-]*"


@dataclass(frozen=True)
class _Cues:
    clause: re.Pattern[str]
    names: re.Pattern[str]
    gate: re.Pattern[str]  # a sentence without a match holds no name or effect cue of these languages
    effects: re.Pattern[str]
    first_words: frozenset[str]  # plain words a sentence with a cue holds (heads, first words of effect cues)
    substrings: re.Pattern[str]  # compound heads and heads with accents (not plain words)
    cjk: re.Pattern[str]
    cjk_effects: tuple[re.Pattern[str], ...]
    stops: frozenset[str]
    determiners: frozenset[str]
    list_end: frozenset[str]


def _first_words(patterns: list[str]) -> frozenset[str]:
    """The words an effect cue can start with: ``efectos?`` gives efecto and efectos, ``wirkung(?:en)?`` wirkung
    and wirkungen."""
    words = set()
    for pattern in patterns:
        word = re.match(r"[a-z]+", pattern).group()
        words.add(word)
        rest = pattern[len(word):]
        if rest.startswith("?"):
            words.add(word[:-1])
        elif rest.startswith("(?:"):
            words.add(word + rest[3:].split(")")[0])
    return frozenset(words)


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def cues() -> _Cues:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    heads = _alternatives(data["instrument_heads"])
    connectives = _alternatives(data["name_connectives"])
    compound = _alternatives(data["compound_heads"])
    cjk = _alternatives(data["cjk_heads"])
    names = re.compile(
        rf"(?i:\b(?:{heads}))\s+(?:{connectives})\s*{_WORD}(?:\s+{_WORD}){{0,{_MAX_WORDS}}}"
        rf"|\b[A-ZÄÖÜ][a-zäöüß]+(?:{compound})\b"
        rf"|[\u4e00-\u9fff]{{2,12}}(?:{cjk})")
    cjk_effects = [re.compile(pattern) for pattern in data["cjk_effect_patterns"]]
    gate = re.compile(rf"(?i:\b(?:{heads})\b|(?:{compound})\b|{cjk}|" + "|".join(data["effect_cues"]) + ")"
                      + "|" + "|".join(p.pattern for p in cjk_effects))
    return _Cues(
        clause=re.compile(rf"(?<![\w-])(?:{_alternatives(data['clause_words'] + data['measure_cues'])})(?![\w-])"
                          rf"|{_alternatives(data['cjk_clause_words'])}"),
        names=names,
        gate=gate,
        effects=re.compile("|".join(f"(?:{cue})" for cue in data["effect_cues"]), re.I),
        first_words=frozenset(w for w in data["instrument_heads"] if w.isascii()) | _first_words(data["effect_cues"]),
        substrings=re.compile(_alternatives([*data["compound_heads"],
                                             *(w for w in data["instrument_heads"] if not w.isascii())])),
        cjk=re.compile(r"[\u4e00-\u9fff]"),
        cjk_effects=tuple(cjk_effects),
        stops=frozenset(data["name_stops"]),
        determiners=frozenset(data["determiners"]),
        list_end=frozenset(data["list_end_words"]),
    )


def reads_as_clause(chunk: str) -> bool:
    """Whether a sentence holds a finite verb of one of the languages (matched as written: ``SE`` is no ``se``)."""
    return cues().clause.search(chunk) is not None


def may_hold_cues(chunk: str, tokens: frozenset[str] | set[str] | None = None, lowered: str | None = None) -> bool:
    """Whether a sentence holds an instrument head or effect cue of these languages: its plain words (``tokens``,
    lower-case ASCII words) or a few substrings tell most sentences apart before the full pattern is tried."""
    quick = cues()
    if tokens is not None and tokens.isdisjoint(quick.first_words):
        lowered = chunk.lower() if lowered is None else lowered
        if quick.substrings.search(lowered) is None and (chunk.isascii() or quick.cjk.search(chunk) is None):
            return False
    return quick.gate.search(chunk) is not None


def instrument_names(chunk: str) -> list[tuple[int, int, str]]:
    """Instrument names of the sentence built on a head of these languages, cut at the first stop word."""
    found = []
    for match in cues().names.finditer(chunk):
        text = match.group()
        words = text.split()
        keep = len(words)
        for index in range(2, len(words)):
            if words[index].lower().strip(",;") in cues().stops:
                keep = index
                break
        name = " ".join(words[:keep]).rstrip(" ,;:.")
        if len(name.split()) < 3 and not re.search(r"[\u4e00-\u9fff]", name) and " " in name:
            continue  # "escala de" with nothing after names nothing
        start = match.start()
        found.append((start, start + len(name), name))
    return found


def effect_phrases(chunk: str) -> list[tuple[int, int, str]]:
    """The constructs named right after an effect cue of these languages."""
    found = []
    for match in cues().effects.finditer(chunk):
        position = match.end()
        words: list[tuple[int, int, str]] = []
        for word in re.finditer(r"[^\s,;:.()\[\]]+", chunk[position:]):
            gap = chunk[position + (words[-1][1] if words else 0) : position + word.start()]
            if any(mark in gap for mark in ",;:.()[]"):
                break
            lowered = word.group().lower()
            if not words and lowered in cues().determiners:
                continue
            if lowered in cues().list_end or len(words) >= _MAX_WORDS:
                break
            words.append((word.start(), word.end(), word.group()))
        if words and any(ch.isalpha() for ch in words[-1][2]):
            start, end = position + words[0][0], position + words[-1][1]
            found.append((start, end, chunk[start:end]))
    for pattern in cues().cjk_effects:
        found.extend((m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(chunk))
    return found
