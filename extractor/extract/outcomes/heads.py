"""Which words end an outcome's name, learned from names people wrote (``data/outcome_word_positions.json``).

The file counts, for each word of the public corpora's outcome names, how often it ends a name, stands
before another content word, or is a whole name alone (``scripts/build_outcome_word_positions.py``). A
word seen rarely or never is judged by its last letters, and those by the corpora's overall share.

* ``is_modifier``: an adjective-shaped word that almost never ends a name (``depressive``,
  ``developmental``): a phrase ending in it was cut before its head noun.
* ``never_alone``: a word often seen in names but never as a whole name (``life``, ``type``): alone it
  names no outcome, though ``life outcomes`` may.
* ``stop_head``: a head word whose candidate names the public annotators almost never marked as outcomes
  (``data/outcome_stop_heads.json``, ``scripts/build_outcome_stop_heads.py``): ``agent``, ``teeth``, ``endpoint``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[2] / "data" / "outcome_word_positions.json"
_STOP_HEADS = _DATA.with_name("outcome_stop_heads.json")
_SMOOTHING = 3.0  # pseudo-counts pulling a word towards its ending's share (and an ending towards the corpus's)
MODIFIER_SHARE = 0.08  # below this share of ending a name, an adjective-shaped word is a modifier
_ALONE_SEEN = 20  # a word seen this often and never alone never names an outcome by itself ...
ALONE_FINAL_SHARE = 0.2  # ... when it also ends fewer names than this
# endings of adjectives (nouns ending so, like "survival", end names often enough to pass)
_ADJECTIVE_SHAPE = re.compile(r"(?:al|ive|ous|ful|less|ible|able|ical)$")


@cache
def _table() -> tuple[dict[str, list[int]], dict[str, list[int]], float]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    words, endings = data["words"], data["endings"]
    final = sum(row[0] for word, row in words.items())
    before = sum(row[1] for word, row in words.items())
    return words, endings, final / max(1, final + before)


def _share(row: list[int] | None, prior: float) -> float:
    if row is None:
        return prior
    return (row[0] + _SMOOTHING * prior) / (row[0] + row[1] + _SMOOTHING)


@cache
def final_share(word: str) -> float:
    """The smoothed share of a word's name-ending or modifying uses in which it ends the name."""
    words, endings, prior = _table()
    word = word.casefold()
    for size in (3, 4):
        if len(word) > size + 1:
            prior = _share(endings.get(word[-size:]), prior)
    return _share(words.get(word), prior)


def is_modifier(word: str) -> bool:
    """An adjective-shaped word that names people's outcomes only before a head (``depressive symptoms``)."""
    word = word.casefold().strip(".,;:'\"’")
    return word.isalpha() and bool(_ADJECTIVE_SHAPE.search(word)) and final_share(word) < MODIFIER_SHARE


def never_alone(word: str) -> bool:
    """A word often in outcome names and never a whole one (``life``, ``type``)."""
    row = _table()[0].get(word.casefold())
    return row is not None and row[3] >= _ALONE_SEEN and row[2] == 0


def no_name_alone(word: str) -> bool:
    """A word that alone names no outcome: never a whole name and seldom the end of one (``type``, not
    ``functioning``, which ends many names)."""
    return never_alone(word) and final_share(word) < ALONE_FINAL_SHARE


def named_alone(word: str) -> bool:
    """A word people wrote as a whole outcome name at least once (``vomiting``, ``learning``)."""
    row = _table()[0].get(word.casefold())
    return row is not None and row[2] > 0


def seen_in_names(word: str) -> bool:
    """Whether the corpora's outcome names hold the word often enough to count it (``family``, not ``immediately``)."""
    return word.casefold() in _table()[0]


@cache
def _stop_heads() -> frozenset[str]:
    return frozenset(json.loads(_STOP_HEADS.read_text(encoding="utf-8"))["heads"])


def stop_head(word: str) -> bool:
    """A head word whose names the public training texts' annotators almost never marked as outcomes."""
    return word.casefold().strip(".,;:'\"’") in _stop_heads()
