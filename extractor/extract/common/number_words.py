"""Counts as research abstracts write them: ``6,453``, ``23 005``, ``Sixty-eight``, ``two hundred and twelve``.

``COUNT`` is a regular expression fragment matching one written count (digits
with optional thousands separators, or English number words); ``parse_count``
turns the matched text into an ``int``.
"""

from __future__ import annotations

import re

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_ONE_WORD = "|".join(sorted(_ONES, key=len, reverse=True))
_TEN_WORD = "|".join(sorted(_TENS, key=len, reverse=True))
_SCALE_WORD = "|".join(_SCALES)
_ANY_WORD = rf"(?:{_TEN_WORD}|{_ONE_WORD}|{_SCALE_WORD})"
# Number words joined by spaces, hyphens (also the en dash and the soft hyphen of web and PDF text) or "and": "Three-hundred fifty-one", "two hundred and twelve",
# "Hundred and forty-three", "a hundred"; ``parse_words`` rejects sequences that are not one number.
_WORD_COUNT = (
    rf"(?:(?:a(?=[\s\-]+(?:hundred|thousand)\b)|{_ANY_WORD})(?:(?:[\s\-\u2010\u2011\u2013\u00ad]+|\s+and\s+)(?={_ANY_WORD}\b){_ANY_WORD})*)"
)
# Thousands groups: comma, thin or no-break space, or a plain space (only before exactly three digits).
_SEPARATOR = "[,\u2002-\u200a\u202f\u00a0]|[ ]{1,2}"
_DIGIT_COUNT = rf"(?:\d{{1,3}}(?:(?:{_SEPARATOR})\d{{3}})+(?![\d.,]\d)|\d+)"

# One written count, digits or words; word boundaries are the caller's concern.
COUNT = rf"(?:{_DIGIT_COUNT}|(?i:{_WORD_COUNT})\b)"
WORD_COUNT = rf"(?i:{_WORD_COUNT})\b"
DIGIT_COUNT = _DIGIT_COUNT
_WORD_BREAK = re.compile(r"[\s\-\u2010\u2011\u2013\u00ad]+")


def parse_words(text: str) -> int | None:
    """The value of English number words (``"Three hundred thirty-five"`` -> 335), or None when they are
    not one number ("one two", "a")."""
    words = [w for w in _WORD_BREAK.split(text.strip().lower().replace(",", " ")) if w and w != "and"]
    total, group, last = 0, 0, ""  # last: the kind of the previous word (one, ten, hundred, scale)
    for position, word in enumerate(words):
        if word == "a" and position == 0 and len(words) > 1 and words[1] in _SCALES:
            group, last = 1, "one"
        elif word in _ONES:
            if last in ("one", "teen") or (last == "ten" and _ONES[word] >= 10) or (last == "ten" and _ONES[word] == 0):
                return None
            group += _ONES[word]
            last = "teen" if _ONES[word] >= 10 else "one"
        elif word in _TENS:
            if last in ("one", "teen", "ten"):
                return None
            group += _TENS[word]
            last = "ten"
        elif word == "hundred":
            if last == "hundred" or group >= 100:
                return None
            group = max(group, 1) * 100
            last = "hundred"
        elif word in _SCALES:
            if last == "scale" and group == 0:
                return None
            total += max(group, 1) * _SCALES[word]
            group, last = 0, "scale"
        else:
            return None
    return total + group if last else None


_NO_SEPARATORS = {ord(c): None for c in ", \t\n\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u00a0"}


_MAX_COUNT_DIGITS = 15


def parse_count(text: str) -> int | None:
    """The integer a written count stands for (``"6,453"``, ``"23 005"``, ``"Forty"``), or None."""
    digits = text.translate(_NO_SEPARATORS)
    if digits.isdecimal():
        # a run of digits longer than any count is not one (and int() refuses past 4,300 digits)
        return int(digits) if len(digits) <= _MAX_COUNT_DIGITS else None
    return parse_words(text)


def is_word_count(text: str) -> bool:
    """Whether a count is written in words rather than digits."""
    return not any(character.isdigit() for character in text)
