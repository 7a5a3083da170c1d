"""Counts as research abstracts write them: ``6,453``, ``23 005``, ``Sixty-eight``, ``two hundred and twelve``.

``COUNT`` is a regular expression fragment matching one written count (digits
with optional thousands separators, or English number words); ``parse_count``
turns the matched text into an ``int``.

Number words of Spanish, Portuguese, French and German ("cuarenta y dos", "trezentas e doze",
"quatre-vingt-dix", "zweiundvierzig") are read by one grammar whose words are data per language
(``LANGUAGES``): ``foreign_counts`` finds them in a sentence of that language (``languages_of`` tells
which, from the language's common function words) and ``parse_foreign`` gives their value.
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


# -- number words of other languages -------------------------------------------------------------
#
# Every language's words are data: each word has a value and a kind, and one grammar (``_read_group``) reads
# them all. Kinds: "one" (1-9), "teen" (10-19), "ten" (20-90), "hundreds" (a whole hundred in one word:
# "doscientos" 200, "cento" 100), "hundred" (a multiplier: "cent", "hundert"), "scale" (1,000 and 1,000,000).
# Joiners are the words between number words ("y", "e", "et"; German writes "und" inside the word).
# ``rules``: orders a language allows beyond the common ten-then-one ("cuarenta y dos"):
#   one_then_ten   the ones before the tens ("zweiundvierzig": 2 + 40), German;
#   ten_then_teen  sixty or eighty then ten to nineteen ("soixante-douze" 72, "quatre-vingt-dix" 90), French;
#   teen_then_one  ten then a one ("dix-sept" 17), French;
#   four_twenties  "quatre-vingt(s)" is 80, French.
# ``compound``: the words of a number run together into one written word (German).
# ``markers``: common function words of the language; a sentence is read in the language when it holds more of
# them than of English ones.


def _words(kind: str, table: dict[str, int]) -> dict[str, tuple[int, str]]:
    return {word: (value, kind) for word, value in table.items()}


LANGUAGES: dict[str, dict] = {
    "es": {
        "words": {
            **_words("one", {"un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
                             "siete": 7, "ocho": 8, "nueve": 9}),
            **_words("teen", {"diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
                              "dieciséis": 16, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19}),
            **_words("ten", {"veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
                             "ochenta": 80, "noventa": 90}),
            # twenty-one to twenty-nine are one word: a ten and a one together
            **_words("ten_one", {"veintiún": 21, "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidós": 22,
                                 "veintidos": 22, "veintitrés": 23, "veintitres": 23, "veinticuatro": 24,
                                 "veinticinco": 25, "veintiséis": 26, "veintiseis": 26, "veintisiete": 27,
                                 "veintiocho": 28, "veintinueve": 29}),
            **_words("hundreds", {"cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
                                  "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
                                  "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
                                  "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
                                  "novecientas": 900}),
            **_words("scale", {"mil": 1000, "millón": 1_000_000, "millon": 1_000_000, "millones": 1_000_000}),
        },
        "joiners": ("y",),
        "rules": (),
        "compound": False,
        "markers": ("el", "la", "los", "las", "del", "de", "y", "en", "con", "para", "por", "que", "fueron", "una",
                    "estudio", "entre", "sus", "su", "fue", "como", "mediante", "según", "sobre", "pacientes"),
    },
    "pt": {
        "words": {
            **_words("one", {"um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "tres": 3, "quatro": 4, "cinco": 5,
                             "seis": 6, "sete": 7, "oito": 8, "nove": 9}),
            **_words("teen", {"dez": 10, "onze": 11, "doze": 12, "treze": 13, "catorze": 14, "quatorze": 14,
                              "quinze": 15, "dezesseis": 16, "dezasseis": 16, "dezessete": 17, "dezassete": 17,
                              "dezoito": 18, "dezenove": 19, "dezanove": 19}),
            **_words("ten", {"vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50, "cinqüenta": 50,
                             "sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90}),
            **_words("hundreds", {"cem": 100, "cento": 100, "duzentos": 200, "duzentas": 200, "trezentos": 300,
                                  "trezentas": 300, "quatrocentos": 400, "quatrocentas": 400, "quinhentos": 500,
                                  "quinhentas": 500, "seiscentos": 600, "seiscentas": 600, "setecentos": 700,
                                  "setecentas": 700, "oitocentos": 800, "oitocentas": 800, "novecentos": 900,
                                  "novecentas": 900}),
            **_words("scale", {"mil": 1000, "milhão": 1_000_000, "milhao": 1_000_000, "milhões": 1_000_000,
                               "milhoes": 1_000_000}),
        },
        "joiners": ("e",),
        "rules": (),
        "compound": False,
        "markers": ("os", "da", "dos", "das", "de", "em", "na", "nos", "nas", "com", "para", "por", "que", "foram",
                    "foi", "uma", "estudo", "não", "entre", "ao", "pelo", "pela", "sobre", "pacientes"),
    },
    "fr": {
        "words": {
            **_words("one", {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
                             "huit": 8, "neuf": 9}),
            **_words("teen", {"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
                              "seize": 16}),
            **_words("ten", {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
                             "septante": 70, "huitante": 80, "octante": 80, "nonante": 90}),
            **_words("hundred", {"cent": 100, "cents": 100}),
            **_words("scale", {"mille": 1000, "mil": 1000, "million": 1_000_000, "millions": 1_000_000}),
        },
        "joiners": ("et",),
        "rules": ("ten_then_teen", "teen_then_one", "four_twenties"),
        "compound": False,
        "markers": ("le", "la", "les", "des", "du", "de", "en", "dans", "avec", "pour", "par", "sur", "que", "qui",
                    "ont", "été", "est", "une", "au", "aux", "chez", "étude", "ces", "leur", "selon"),
    },
    "de": {
        "words": {
            **_words("one", {"ein": 1, "eins": 1, "eine": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fünf": 5,
                             "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9}),
            **_words("teen", {"zehn": 10, "elf": 11, "zwölf": 12, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14,
                              "fünfzehn": 15, "fuenfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18,
                              "neunzehn": 19}),
            **_words("ten", {"zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50,
                             "fuenfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90}),
            **_words("hundred", {"hundert": 100}),
            **_words("scale", {"tausend": 1000, "million": 1_000_000, "millionen": 1_000_000}),
        },
        "joiners": ("und",),
        "rules": ("one_then_ten",),
        "compound": True,
        "markers": ("der", "die", "das", "den", "dem", "des", "und", "mit", "von", "zu", "im", "bei", "für", "auf",
                    "wurden", "wurde", "ist", "sind", "eine", "einer", "nicht", "sich", "nach", "zur", "zum", "über",
                    "insgesamt", "nahmen"),
    },
}

_ENGLISH_MARKERS = ("the", "and", "of", "with", "were", "was", "in", "to", "for", "by", "on", "at", "from", "that",
                    "this", "these", "than", "who", "which", "or", "are", "is", "we", "between", "after")
_BREAK = r"[\s\-\u2010\u2011\u2013\u00ad]+"


def _alternatives(words) -> str:  # noqa: ANN001
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


def _grammar(code: str) -> tuple[re.Pattern[str], dict[str, tuple[int, str]], frozenset[str]]:
    """The pattern finding one written number of a language (on lower-case text), its words and joiners."""
    language = LANGUAGES[code]
    words, joiners = language["words"], frozenset(language["joiners"])
    word = _alternatives(words)
    if language["compound"]:
        # "zweiundvierzig", "dreihundertzwölf", "zweitausendsechsundvierzig": number words run together
        word = rf"(?:{word})(?:(?:{_alternatives(joiners)})?(?:{word}))*"
    joiner = _alternatives(joiners)
    pattern = rf"(?<![\w\-])(?:{word})(?:(?:{_BREAK}|\s+(?:{joiner})\s+)(?:{word}))*(?![\w\-])"
    return re.compile(pattern), words, joiners


_GRAMMARS = {code: _grammar(code) for code in LANGUAGES}
_MARKER_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _code, _language in (*LANGUAGES.items(), ("en", {"markers": _ENGLISH_MARKERS})):
    for _marker in _language["markers"]:
        _MARKER_LANGUAGES[_marker] = (*_MARKER_LANGUAGES.get(_marker, ()), _code)
_MARKERS = re.compile(rf"(?<!\w)(?:{_alternatives(_MARKER_LANGUAGES)})(?!\w)")
# a word: a run of characters other than white space and these marks (one regex scan is faster than
# str.translate, which looks each character of a non-ASCII text up one by one)
_WORD_BETWEEN_MARKS = re.compile(r"[^\s" + re.escape(".,;:!?()[]{}'’\"«»“”/") + r"]+")
_FOREIGN_MARKERS = frozenset(m for m, codes in _MARKER_LANGUAGES.items() if codes != ("en",))


def languages_present(lower: str, start: int = 0, end: int | None = None) -> tuple[str, ...]:
    """The languages (of ``LANGUAGES``) a lower-case text may hold sentences in: those with at least two
    different function words of theirs in it (a name such as "de Vries" or "von Willebrand" holds one)."""
    end = len(lower) if end is None else end
    seen: dict[str, set[str]] = {}
    # words split at white space and punctuation: many times faster than a pattern of the markers over the page
    for word in _FOREIGN_MARKERS.intersection(_WORD_BETWEEN_MARKS.findall(lower, start, end)):
        for code in _MARKER_LANGUAGES[word]:
            seen.setdefault(code, set()).add(word)
    return tuple(code for code in LANGUAGES if len(seen.get(code, ())) >= 2)


def languages_of(lower: str, start: int, end: int, among: tuple[str, ...]) -> tuple[str, ...]:
    """The languages of ``among`` one sentence (``lower[start:end]``) is written in: those with more of their
    function words in it than English has (a bilingual page's English sentences read as English), and the most
    of all such languages (ties keep each)."""
    if not among:
        return ()
    tally: dict[str, int] = {}
    for match in _MARKERS.finditer(lower, start, end):
        for code in _MARKER_LANGUAGES[match.group()]:
            tally[code] = tally.get(code, 0) + 1
    english = tally.get("en", 0)
    best = max((tally.get(code, 0) for code in among), default=0)
    # of two related languages the sentence holds more words of ("dos pacientes": Portuguese "of the patients",
    # Spanish "two patients"), only that one
    return tuple(code for code in among if tally.get(code, 0) > english and tally.get(code, 0) == best)


def _tokens(text: str, code: str) -> list[str] | None:
    """The number words of a written number, joiners dropped; compounds split into their words (longest first)."""
    words, joiners = _GRAMMARS[code][1], _GRAMMARS[code][2]
    tokens: list[str] = []
    for piece in re.split(rf"{_BREAK}", text.strip().lower()):
        if not piece or piece in joiners:
            continue
        if not LANGUAGES[code]["compound"]:
            if piece not in words:
                return None
            tokens.append(piece)
            continue
        position = 0
        vocabulary = sorted((*words, *joiners), key=len, reverse=True)
        while position < len(piece):
            found = next((w for w in vocabulary if piece.startswith(w, position)), None)
            if found is None:
                return None
            if found not in joiners:
                tokens.append(found)
            position += len(found)
    return tokens


def parse_foreign(text: str, code: str) -> int | None:
    """The value of number words of language ``code`` ("cuarenta y dos" -> 42, "quatre-vingt-dix" -> 90,
    "dreihundertzwölf" -> 312), or None when they are not one number."""
    tokens = _tokens(text, code)
    if not tokens:
        return None
    words, rules = _GRAMMARS[code][1], LANGUAGES[code]["rules"]
    if "four_twenties" in rules:
        merged: list[tuple[int, str]] = []
        for token in tokens:
            value, kind = words[token]
            if token.startswith("vingt") and merged and merged[-1] == (4, "one"):
                merged[-1] = (80, "ten")  # quatre-vingt(s)
            else:
                merged.append((value, kind))
        items = merged
    else:
        items = [words[token] for token in tokens]
    total, group, last = 0, 0, ""
    for value, kind in items:
        if kind == "one":
            teen_one = "teen_then_one" in rules and last == "teen" and group % 100 == 10 and value >= 7
            if last in ("one", "ten_one") or (last == "teen" and not teen_one):
                return None
            last = "one"
        elif kind == "teen":
            ten_teen = "ten_then_teen" in rules and last == "ten" and group % 100 in (60, 80)
            if last in ("one", "teen", "ten_one") or (last == "ten" and not ten_teen):
                return None
            last = "teen"
        elif kind in ("ten", "ten_one"):
            one_ten = "one_then_ten" in rules and last == "one" and group % 100 < 10 and kind == "ten"
            if last in ("teen", "ten", "ten_one") or (last == "one" and not one_ten):
                return None
            last = kind
        elif kind == "hundreds":
            if group:
                return None
            last = "hundreds"
        elif kind == "hundred":
            if last not in ("", "one", "scale") or group >= 10:
                return None
            group, last = max(group, 1) * value, "hundred"
            continue
        else:  # scale
            if last == "scale" and group == 0:
                return None
            total += max(group, 1) * value
            group, last = 0, "scale"
            continue
        group += value
    return total + group


def foreign_counts(lower: str, start: int, end: int, codes: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """The number words of the languages ``codes`` in ``lower[start:end]``: (start, end, value), longest first
    where two overlap; a word of one language that is no number of it is left out."""
    found: list[tuple[int, int, int]] = []
    for code in codes:
        for match in _GRAMMARS[code][0].finditer(lower, start, end):
            if any(other != code and other in codes for other in _MARKER_LANGUAGES.get(match.group(), ())):
                continue  # a lone word that is a function word of another language of the sentence
            value = parse_foreign(match.group(), code)
            if value is not None:
                found.append((match.start(), match.end(), value))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    kept: list[tuple[int, int, int]] = []
    for item in found:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept
