"""Numbers as research papers print them: signs, decimal marks, thousands groups, p-values.

Regular-expression fragments (``SIGNED``, ``UNSIGNED``, ``P_EXPRESSION``, ...)
are strings so that other patterns can embed them; ``parse_number`` and
``parse_p`` turn what they matched into floats.

Forms handled: unicode minus and dashes used as minus (``−0.34``, ``– 0.5``),
a space after the minus (``− 0.34``), leading-dot decimals (``.23``), middle
dots and bullets as decimal points (``0·10``, ``0•13``), decimal commas when
clearly decimal (``1,24``, ``0,345``), thousands groups with commas or thin,
no-break or plain spaces (``1,224.08``, ``16 560``), and p-values in
scientific notation (``5.81 × 10−48``, ``5.81e-48``, ``P < 10^-5``, ``10⁻⁵``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Characters printed as a minus sign (hyphen-minus, minus, dashes, hyphens, small and full-width minus).
MINUS_CHARS = "-\u2212\u2013\u2014\u2012\ufe63\uff0d\u2010\u2011"
SIGN = "[-+\u2212\u2013\u2014\u2012\ufe63\uff0d\u2010\u2011]"
# Decimal marks: full stop, middle dot, bullet, hyphenation point, bullet operator, dot operator.
DECIMAL_CHARS = ".\u00b7\u2022\u2027\u2219\u22c5"
DECIMAL = "[.\u00b7\u2022\u2027\u2219\u22c5]"
_GROUP = "(?:,|[\u2009\u202f\u00a0\u2007]| (?=\\d{3}(?![\\d.,\u00b7\u2022]\\d)))"

# One number without its sign. Order matters: an unambiguous decimal comma ("0,345", "1,24") before a
# thousands group ("1,224.08", "16 560"), before a plain decimal, before a leading-dot decimal.
UNSIGNED = (
    r"(?:0,\d+(?![\d,]|[.]\d)"
    r"|\d{1,2},\d{1,2}(?![\d,]|[.]\d)"
    rf"|\d{{1,3}}(?:{_GROUP}\d{{3}})+(?![\d]|,\d)(?:{DECIMAL}\d+)?"
    rf"|\d+(?:{DECIMAL}\d+)?"
    rf"|{DECIMAL}\d+)"
)
# A signed number; a single space may follow the minus ("− 0.34").
SIGNED = rf"(?:{SIGN}[ \u00a0\u2009]?)?{UNSIGNED}"

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_EXPONENT = rf"(?:\(?\s*(?:{SIGN}\s*)?\d{{1,3}}\s*\)?|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{{1,3}})"
_NEGATIVE_EXPONENT = rf"(?:\(?\s*{SIGN}\s*\d{{1,3}}\s*\)?|⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]{{1,3}})"
_P_MANTISSA = rf"(?:\d+(?:{DECIMAL}\d+)?|{DECIMAL} ?\d+|0,\d+)"
# A p-value: a decimal, a mantissa times a power of ten, e-notation, or a bare power of ten.
P_NUMBER = (
    rf"(?:10\s*(?:\^|\*\*)?\s*{_NEGATIVE_EXPONENT}"
    rf"|{_P_MANTISSA}(?:\s*[×xX*✕]\s*10\s*(?:\^|\*\*)?\s*{_EXPONENT}|\s*[eE]\s*(?:{SIGN})?\d{{1,3}})?)"
)
# Comparison before a p-value. "=<" is how several journals print "<"; "‹" and "›" are mis-encoded "<" and ">".
P_OPERATOR = r"(?:=\s*[<>\u2039\u203a≤≥]|[<>\u2039\u203a]\s*=|[=<>\u2039\u203a≤≥⩽⩾]|&lt;|&gt;)"
P_LABEL = (
    r"(?<![A-Za-z])(?P<all>[Aa]ll\s*)?"
    r"(?:[pP](?:\s*[-\u2010]?\s*values?|s)?(?:\s*\(\s*(?:one|two)[- ](?:sided|tailed)\s*\))?"
    r"|P\s+for\s+(?:trend|interaction))"
)
P_COMPARISON = rf"\s*(?P<p_operator>{P_OPERATOR})\s*(?P<p_value>{P_NUMBER})(?![\d])"
P_EXPRESSION = P_LABEL + P_COMPARISON

# "ns", "n.s.", "NS" reported in place of a p-value.
NOT_SIGNIFICANT = re.compile(r"(?<![A-Za-z])(?:n\.\s?s\.?|ns|NS|N\.S\.)(?![A-Za-z])")

_OPERATORS = {
    "=": "=",
    "<": "<",
    ">": ">",
    "≤": "<=",
    "≥": ">=",
    "⩽": "<=",
    "⩾": ">=",
    "<=": "<=",
    ">=": ">=",
    "=<": "<",
    "=>": ">",
    "‹": "<",
    "›": ">",
    "=‹": "<",
    "=›": ">",
    "&lt;": "<",
    "&gt;": ">",
    "‹=": "<=",
    "›=": ">=",
    "=≤": "<=",
    "=≥": ">=",
}
_DECIMAL_TABLE = str.maketrans({c: "." for c in DECIMAL_CHARS[1:]})
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u2007]")
_DECIMAL_COMMA = re.compile(r"0,\d+|\d{1,2},\d{1,2}")
_P_RE = re.compile(P_EXPRESSION)
_SCIENTIFIC = re.compile(
    rf"^(?P<mantissa>[^×xX*✕eE]*?)\s*(?:[×xX*✕]\s*10\s*(?:\^|\*\*)?|[eE])\s*\(?\s*(?P<exp>(?:{SIGN})?\s*\d+)\s*\)?$"
)
_POWER_ONLY = re.compile(rf"^10\s*(?:\^|\*\*)?\s*\(?\s*(?P<exp>{SIGN}\s*\d+)\s*\)?$")


def normalise_operator(operator: str) -> str:
    """``≤`` -> ``<=``, ``=<`` -> ``<``, ``‹`` -> ``<``: one spelling per comparison."""
    key = re.sub(r"\s+", "", operator)
    return _OPERATORS.get(key, key)


def parse_number(text: str) -> float | None:
    """The value of one printed number (``"− 0·34"`` -> -0.34, ``"16 560"`` -> 16560.0), or None."""
    text = text.strip()
    if not text:
        return None
    negative = False
    if text[0] in MINUS_CHARS:
        negative, text = True, text[1:].lstrip(" \u00a0\u2009")
    elif text[0] == "+":
        text = text[1:].lstrip(" \u00a0\u2009")
    text = text.translate(_DECIMAL_TABLE)
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    else:
        text = _SPACES.sub("", text).replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return -value if negative else value


def parse_p_number(text: str) -> float | None:
    """The value of a printed p-value (``".03"``, ``"5.81 × 10−48"``, ``"10^-5"``, ``"10⁻⁵"``), or None."""
    text = text.translate(_SUPERSCRIPTS).strip()
    text = re.sub(rf"^({DECIMAL}) (\d)", r"\1\2", text)  # "p < . 001"
    power = _POWER_ONLY.match(text)
    if power:
        exponent = parse_number(power.group("exp").replace(" ", ""))
        return None if exponent is None else float(f"1e{int(exponent)}")
    scientific = _SCIENTIFIC.match(text)
    if scientific:
        mantissa = parse_number(scientific.group("mantissa"))
        exponent = parse_number(scientific.group("exp").replace(" ", ""))
        if mantissa is None or exponent is None:
            return None
        return float(f"{mantissa!r}e{int(exponent)}")
    return parse_number(text)


def parse_p(match: re.Match[str]) -> tuple[str, float] | None:
    """Operator and value of a ``P_EXPRESSION`` match, or None when the value is not a probability."""
    value = parse_p_number(match.group("p_value"))
    if value is None or not 0.0 <= value <= 1.0:
        return None
    return normalise_operator(match.group("p_operator")), value


def iter_p_values(text: str, include_ns: bool = False) -> Iterator[tuple[str, float | None, int, int]]:
    """Every p-value in ``text`` as ``(operator, value, start, end)``; with ``include_ns`` also
    ``("ns", None, start, end)`` for results reported only as not significant (``ns``, ``n.s.``)."""
    found = []
    for match in _P_RE.finditer(text):
        parsed = parse_p(match)
        if parsed:
            found.append((parsed[0], parsed[1], match.start(), match.end()))
    if include_ns:
        found.extend(("ns", None, m.start(), m.end()) for m in NOT_SIGNIFICANT.finditer(text))
    yield from sorted(found, key=lambda item: item[2])
