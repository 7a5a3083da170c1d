"""Reading numbers for sample sizes: each written count that stands alone, with the ``n =`` / ``K =`` label
before it, the percentage or "of M" whole after it, and whether it may be a count at all (not a year, age,
percentage, range or code)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..common.number_words import COUNT, foreign_counts, is_word_count, languages_of, parse_count
from ..common.numbers import DECIMAL
from .lexicon import Lexicon

# Where a count may start, found on the lower-cased text (a case-sensitive scan is many times faster than
# an IGNORECASE one); the full count is then matched from there. The lookahead on the first characters of a
# digit or number word turns most word starts away before the alternatives are tried.
_NUMBER_START = re.compile(
    r"(?<![\w.,/\-\u2010\u2011\u2212–—])(?=[\daefhnost])(?:\d+|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|a(?=[\s-]+hundred|[\s-]+thousand))\b)"
)
_COUNT_AT = re.compile(COUNT)
DECIMAL_OR_PERCENT = re.compile(rf"(?:{DECIMAL}|,)\d|\s*%")  # "0.05", "0·10", "0•13", "1,24", "95%"
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?![\d.,%·])(?=\s+[^\W\d_])")
_LABEL_BEFORE = re.compile(r"(?<![\w])([nNkK])\.?\s*(?:=|:|\uff1d)\s*$")
_PERCENT_WORD_BEFORE = re.compile(r"\b(?:por|pour|per)\s+$")  # "por ciento", "pour cent": per cent, no count
_YEAR_AFTER = re.compile(r"\s*[-–/)]")
_RANGE_AFTER = re.compile(r"\s*[-–]\s*(?:and|to)\s")
PERCENT_AFTER = re.compile(r"\s*[(\[]\s*(?P<p>\d+(?:[.,·]\d+)?)\s*%\s*[)\]]|\s*[,;]\s*(?P<q>\d+(?:[.,·]\d+)?)\s*%")
PART_OF = re.compile(
    rf"\s*(?:(?:of|out\s+of|de|sur|von)\s+(?:the\s+|all\s+|these\s+|those\s+)?(?:planned\s+|targeted\s+|intended\s+|original\s+|"
    rf"expected\s+|required\s+|initial\s+|enrolled\s+|randomi[sz]ed\s+|eligible\s+)?|/\s*)(?P<whole>{COUNT})(?![\d/])",
    re.I,
)
NOT_A_COUNT_AFTER = re.compile(
    r"(?:\s*(?:years?|yrs?|months?|weeks?|days?)[\s\-]+olds?\b|\s*(?:%|percent\b|per\s*cent\b|‰|por\s+cien(?:to)?\b|por\s+cento\b|pour\s+cent\b|prozent\b)|[.,·]\d|\s*(?:-|–|—|to|‐)\s*\d|\s*:\s*\d|(?:st|nd|rd|th)\b|\s*[-‐‑]\s*[A-Za-z]|\s*[×x]\s*\d|"
    r"\s*(?:±|\+/-|\(\s*\d+(?:\.\d+)?\s*-\s*\d))",
    re.I,
)


@dataclass(slots=True)
class Number:
    """A written number: its text, span, and the ``n =`` / ``K =`` label before it if any; ``value`` is set for
    number words of another language ("cuarenta y dos"), which ``parse_count`` does not read."""

    text: str
    start: int
    end: int
    symbol: str | None
    label_start: int
    value: int | None = None


def find_numbers(text: str, lower: str, start: int, end: int, languages: tuple[str, ...] = ()) -> list[Number]:
    """Every number in ``text[start:end]`` that stands alone (not inside a word, decimal or hyphenated token);
    number words of ``languages`` (those the page may hold, ``languages_present``) too when the sentence is
    written in one of them."""
    found = _english_numbers(text, lower, start, end)
    codes = languages_of(lower, start, end, languages)
    if not codes:
        return found
    words = [Number(text[s:e], s, e, None, s, value) for s, e, value in foreign_counts(lower, start, end, codes)
             if value > 1 and not DECIMAL_OR_PERCENT.match(text, e)
             and not (value == 100 and _PERCENT_WORD_BEFORE.search(lower, max(start, s - 6), s))]
    if not words:
        return found
    # a number word of the sentence's language over any shorter English reading inside it ("six cents")
    kept = [n for n in found if not any(w.start < n.end and n.start < w.end for w in words)]
    return sorted(kept + words, key=lambda n: n.start)


def _english_numbers(text: str, lower: str, start: int, end: int) -> list[Number]:
    found: list[Number] = []
    position = start
    while True:
        hit = _NUMBER_START.search(lower, position, end)
        if hit is None:
            return found
        at = hit.start()
        count = _COUNT_AT.match(text, at, end)
        if count is None or not count.group():
            position = hit.end()
            continue
        dotted = _DOT_THOUSANDS.match(text, at, end)
        if dotted is not None:
            # "4.213 Personen", "1.245 adolescentes": thousands grouped by full stops (German, Spanish,
            # Portuguese); three decimals before a word are no measurement anyone writes of a count
            found.append(Number(dotted.group().replace(".", ""), at, dotted.end(), None, at))
            position = dotted.end()
            continue
        if DECIMAL_OR_PERCENT.match(text, count.end()):
            position = count.end() + 1  # "0.05", "95%": never a count
            continue
        window = text[max(start, at - 4) : at]
        label = _LABEL_BEFORE.search(text, max(start, at - 8), at) if ("=" in window or ":" in window or "\uff1d" in window) else None
        found.append(Number(count.group(), at, count.end(), label.group(1) if label else None,
                            label.start() if label else at))
        position = count.end()


# Before a four-digit number, words that make it a year even when a noun for people follows: a month or day,
# a season, "since", "between", "during", a range of years ("2010 and 2014 patients"), or "In" opening the
# sentence ("In 2012 patients were recruited ..."). Other prepositions ("in 2046 patients", "of 1998 women",
# "from 2019 participants") then read as counts.
_YEAR_EVEN_BEFORE_NOUN = re.compile(
    r"(?:\b(?:since|between|during|until|till|year|years|early|late|mid|circa|jan(?:uary)?|feb(?:ruary)?|"
    r"mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|"
    r"dec(?:ember)?|spring|summer|autumn|fall|winter|copyright)\.?\s*,?\s*|©\s*|\b\d{1,2}(?:st|nd|rd|th)?,\s*|"
    r"\b\d{4}\s*(?:and|to|or|-|–)\s*|(?:^|[.:;]\s*)\s*in\s+)$"
)


# a year a study reports on (not one it projects to: "by 2050"); "In 2046 patients ..." opening a sentence is a count
_LATEST_PLAUSIBLE_YEAR = 2035


def plausible_number(n: int, count_text: str, before: str, after: str, lexicon: Lexicon,
                     people_follow: bool = False) -> bool:
    """Whether a bare number may be a count: not a percentage, decimal, range, ordinal, age, score, ...
    ``people_follow``: a noun for people heads the phrase after it ("in 2046 patients"), so a number that
    could be a year is one only when a date word stands before it (``_YEAR_EVEN_BEFORE_NOUN``)."""
    if NOT_A_COUNT_AFTER.match(after):
        # "770 four-year-olds" is a count even though a hyphen follows a number word elsewhere
        return False
    if lexicon.rejected_before.search(before):
        return False
    if (
        not is_word_count(count_text)
        and 1900 <= n <= 2099
        and len(count_text) == 4
        and (lexicon.year_rejected_before.search(before) or _YEAR_AFTER.match(after))
        and not (people_follow and not _YEAR_AFTER.match(after)
                 and (n > _LATEST_PLAUSIBLE_YEAR or not _YEAR_EVEN_BEFORE_NOUN.search(before)))
    ):
        return False
    if n <= 1 or (count_text[0] == "0" and len(count_text) > 1):
        return False  # "SWOG 0307": a code
    return not _RANGE_AFTER.match(after)


def valid_part(n: int, part: re.Match[str], after: str) -> bool:
    """Whether an "of M" / "/M" after a count gives its whole (not a date, a ratio or a range)."""
    whole = parse_count(part.group("whole"))
    if whole is None or whole < n or whole == 0:
        return False
    if "/" in part.group(0):
        rest = after[part.end() :]
        if re.match(r"[/\-]\d", rest) or (n <= 12 and 1900 <= whole <= 2100):
            return False
    return not NOT_A_COUNT_AFTER.match(after[part.end() :])
