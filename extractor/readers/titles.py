"""Finding a pasted page's own title among its first lines: candidates, their features, a learned scorer.

Text copied from journal sites, PMC views, aggregators and catalogues starts with site chrome (logos,
"Link to Publisher's site", author-manuscript banners, breadcrumbs, menus, cookie notices, "Page 1:"
debris, "Title - SiteName" headings), and the title itself may be wrapped over two lines, run on
into the author list, or sit inside one long line after a citation header. Every line before the
abstract (and a few cut or joined forms of it) is a candidate span; each is described by features of
its position, length, case, punctuation, its neighbours (abstract heading, author line, citation
line) and chrome words, and scored by a logistic regression learned on public MEDLINE and article
titles set in synthetic chrome (``extractor.training.title``; weights in ``models/title/model.json``).
The best candidate is the title unless its probability is below the model's floor, or a page gate
(a second regression over the best candidate's features, its margin over the second best, the number of
likely candidates and whether the page opens on a paragraph) finds the page shows no title at all: then
the title is None.

The module knows nothing of a reader: ``text.py`` hands it the lines and its own tests (the
abstract's start, boilerplate, the old rule score) in a ``Page``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache, wraps
from typing import Any

from ..models.paths import model_dir

MODEL_FILE = "model.json"
MAX_LINES = 60  # a title further down than this is not looked for
_MAX_CHARS = 600  # a longer stretch is not a title (CJK titles are short; Latin ones rarely pass 400)
_SCAN = 2000  # only a line's first characters are searched for a title (long lines cost linear time only)
_HEAD = 20000  # characters of the page searched for a repeat of a candidate
_CACHED_LINES = 256  # answers kept by each test of a line (``line_cache``) ...
_CACHED_CHARS = 2000  # ... for lines of at most this many characters

Line = tuple[int, int, str]  # start, end (exclusive), stripped text
Span = tuple[int, int]

def line_cache(test: Callable[[str], Any]) -> Callable[[str], Any]:
    """``test`` (a pure function of a line's text) keeping its answers for the latest short lines.

    A page asks the same tests of the same lines again and again: a line is a candidate, the source of its
    cut forms, and its neighbours' line before and line after. Long lines are not kept (a cache holding
    them would hold the page's text).
    """
    cached = lru_cache(maxsize=_CACHED_LINES)(test)

    @wraps(test)
    def call(line: str) -> Any:
        return cached(line) if len(line) <= _CACHED_CHARS else test(line)

    return call


def by_first_letter(alternatives: str) -> str:
    """``"logo|link|links|menu"`` as ``"(?:l(?:ogo|ink|inks)|menu)"``: the same matches, found faster.

    Each alternative must start with a lower-case letter (a literal, matched case-insensitively). The
    regular expression engine tries every alternative of a group at every position; grouped by their first
    letter, it tries the few that start with the letter it sees. Alternatives keep their order within a
    group, and alternatives of two groups never both match at one position, so what is matched is unchanged.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives.split("|"):
        if not alternative[:1].isascii() or not alternative[:1].islower():
            raise ValueError(f"an alternative does not start with a lower-case letter: {alternative!r}")
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "(?:" + "|".join(letter + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0])
                            for letter, rests in groups.items()) + ")"


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION = re.compile(
    rf"\b{by_first_letter('of|and|for|in|with|to|a|an|the|on|among|versus|vs|after|during|from|by|or')}\b", re.I)
_VERBISH = re.compile(
    rf"\b{by_first_letter('we|our|was|were|is|are|has|have|had|this|these|you|your|i|it|will|can|please')}\b", re.I)
# Words of site chrome: navigation, accounts, sharing, downloads, banners, cookies, viewers.
_CHROME = re.compile(
    r"\b" + by_first_letter(
        r"logo|link|links|site|menu|cookies?|navigation|skip|search|login|log in|sign in|sign up|register|"
        r"download|downloads|upload|pdf|share|cite|citation|export|manuscripts?|available|publisher'?s?|home|"
        r"views?|embed|size|report|tips|advanced|journal list|browse|subscribe|accept|privacy|policy|preview|"
        r"toggle|print|email|save|loading|cargando|carregando|chargement|wird geladen|full[- ]text|open access|"
        r"permalink|copyright|rights reserved|terms|contact|about us|help|account|cart|issue|volume|current issue|"
        r"archive|alerts|rss|follow|tweet|facebook|twitter|linkedin|metrics|altmetric|related|recommended|journal|"
        r"homepage|contents") + r"\b",
    re.I,
)
_ABSTRACT_WORD = re.compile(r"\b(?:abstract|summary|résumé|resumen|resumo|zusammenfassung)\b|摘要|要旨|초록", re.I)
_CITATION = re.compile(
    r"(?:\b(?:19|20)\d\d\b.{0,40}(?:;|:)\s*\d+|\bdoi:?\s*10\.\d{4,}|\b10\.\d{4,}/\S+|\bPMC?ID:?\s*\w*\d|"
    r"\bvol(?:ume)?\.?\s*\d+|\bpp?\.\s*\d+|\(\d{4}\)\s*\d+|\bet al\b|\bISSN\b|\[J\])",
    re.I,
)
_CITATION_WITHOUT_DIGITS = re.compile(r"\bet al\b|\bISSN\b|\[J\]", re.I)  # _CITATION's branches without a digit
_DIGIT = re.compile(r"\d")
_DEBRIS = re.compile(r"€¦|…|\.{3,}|·\s*$|\s·\s")
_KEY_VALUE = re.compile(r"^[^\s:：]{1,25}(?:\s[^\s:：]{1,20}){0,2}\s*[:：]\s*\S")
_PAGE_N = re.compile(r"^page\s+\d+\s*[:.]", re.I)
_SUFFIX = re.compile(r"\s+[-–—|]\s+(?:[\w.&'’]+\s*){1,5}$")
_NON_WORDS = re.compile(r"\W+")
# (features of every candidate: compiled once)
_INNER_COLON = re.compile(r"[:：]\s*\S")
_SENTENCE_BREAKS = re.compile(r"[a-z)]{2}[.!?。]\s+[A-Z]|。")
_AND_OR = re.compile(r"\b(?:AND|OR)\b")
_TABLE_START = re.compile(r"table\s+[\w.-]{1,8}", re.I)
_TABLE_LINE = re.compile(r"table\s+[\w.-]{1,8}[.:]?", re.I)
_PARAGRAPH_BREAK = re.compile(r"[a-z]{2}[.。]\s+\S")
_KEY_EQUALS = re.compile(r"\b[A-Z]{2,}\s*=")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|html?|php)\b", re.I)

# A run-on author list: two people in a row, or "By" and a person.
_NAME = r"[A-Z][a-zà-öø-ÿ'’]+(?:[A-Z][a-zà-öø-ÿ]+)?(?:[-‑][A-Z][a-zà-öø-ÿ'’]+(?:[A-Z][a-zà-öø-ÿ]+)?)?"
_PERSON = rf"{_NAME}(?:\s+[A-Z]\.?){{0,2}}\s+{_NAME}"
_MARK = r"(?:\s*(?:\d+(?:[,–-]\d+)*|[*†‡§]|(?<=\S)[a-h](?:,[a-h])*(?=[\s,])))*"
_DEGREE = r"(?:,\s*(?:[A-Z][A-Za-z]{1,5}\.?)(?:,[a-h](?:,[a-h])*)?(?=[\s,]))*"
_SEP = r"(?P<sep>\s*(?:,|·|;|&|\band\b)\s*|\s+)"
_AUTHOR_PAIR = re.compile(
    rf"(?P<first>{_PERSON})(?P<mark>{_MARK})(?P<degree>{_DEGREE}){_SEP}(?P<second>{_PERSON})(?P<mark2>{_MARK})")
# (the look-behinds after a first capital stand for a leading \b: the scan then skips to a capital)
_BY_PERSON = re.compile(rf"B(?<!\w.)y\s+{_PERSON}\b")
_INITIALS_PAIR = re.compile(
    rf"[A-Z](?<!\w.){_NAME.removeprefix('[A-Z]')}\s+[A-Z]{{1,3}},\s*{_NAME}\s+[A-Z]{{1,3}}\b(?:[,.]|\s+and\b|$)")
_STARTS_PERSON = re.compile(
    rf"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.?\s+)?{_PERSON}[\s\d*†‡”“\"]*(?:,|$)")
_MIDDLE_INITIAL = re.compile(r"\s[A-Z]\.?\s")
# Where a title may start inside a long line: after a citation header or a breadcrumb.
_PREFIX_END = re.compile(
    r"(?:(?i:\b(?:original|research|review)\s+(?:article|paper)\b|\bstudy\s+protocol\b|\bopen\s+access\b|"
    r"\bdoi:?\s*10\.\S+|\bpage\s+\d+\s*:|\btable\s+[\w.-]{1,8}[.:]?)|[›»|]|\s>\s|\b(?:TITLE|Title|TI)\s*[=:]|(?i:\btitle\s*=\s*[\"{]?))\s*",
)
_INLINE_END = re.compile(
    r"\s(?=(?:abstract|ABSTRACT|Abstract)\b)|\s(?=[Pp]ublished online\b)|\s*(?=€¦|…)|"
    r"\s(?=[A-Z]{3,}(?:\s+[A-Z]{2,}){0,5}\s*:)|\s(?=[A-Z]{2,}\s*=)|(?=[\"}]\s*,)"
)
# Database search syntax: Ovid field tags and combinations ("exp Fathers/", "(father*).ti,ab.", "or/1-4",
# "randomized controlled trial.pt."), PubMed tags ("[tiab]", "[MeSH Terms]"), numbered "#1" lines.
_SEARCH = re.compile(r"\.(?:ti|ab|pt|mp|sh|tw|kw)\b|\[(?:tiab|mesh|mh|title/abstract|mesh terms|pt)\]|\b(?:or|and)/\d|"
                     r"^(?:#\d+|\d+\.\s+(?:exp\s|\d+\s+(?:or|and)\s+\d))|\w\*", re.I)
_TAG_END = re.compile(r"\s(?=[A-Z]{2,}\s*=)")
_AFFILIATION = re.compile(  # also with a superscript marker glued on ("1Department", "IIInstituto")
    r"\b(?:[1-9]|[a-h]|[IVX]{1,4})?" + by_first_letter(
        r"department|dept|university|universidad|universit[éä]t|institute|instituto|school of|hospital|"
        r"centre|center|faculty|college|correspondence|corresponding|e-?mail|head of|professor|unit|lead|"
        r"director|manager|coordinator|consultant|foundation|trust|council|ministry") + r"\b", re.I)


@dataclass
class Page:
    """A page's first lines and the reader's own tests of a line."""

    text: str
    lines: list[Line]
    abstract_start: int | None
    starts_abstract: Callable[[str], bool]
    is_boilerplate: Callable[[str], bool]
    rule_score: Callable[[str], float]
    _nonblank: list[int] = field(default_factory=list)
    _lower_head: str = ""
    _folded_head: str | None = None

    def __post_init__(self) -> None:
        stop = self.stop
        self._nonblank = [i for i, (_, _, line) in enumerate(self.lines[:stop]) if line]
        self._lower_head = self.text[:_HEAD].lower()

    def repeats(self, folded: str) -> int:
        """How many more times than once ``folded`` (a candidate lower-cased, each run of non-word characters
        one space) occurs in the page's head, folded alike."""
        # Each occurrence holds one of its longest word, as written in the head: a word found there at most once
        # spares folding the head, which most pages (an abstract names its title once) never need.
        if self._lower_head.count(max(folded.split(" "), key=len)) <= 1:
            return 0
        if self._folded_head is None:
            self._folded_head = _NON_WORDS.sub(" ", self._lower_head)
        return max(self._folded_head.count(folded) - 1, 0)

    @property
    def stop(self) -> int:
        return min(self.abstract_start if self.abstract_start is not None else MAX_LINES, MAX_LINES,
                   len(self.lines))


@dataclass
class Candidate:
    start: int  # character offsets in the page text
    end: int
    first: int  # line indexes
    last: int
    kind: str  # line, cut, joined
    text: str


@line_cache
def units(text: str) -> float:
    """Length in words: Latin words, and two CJK characters to the word."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk / 2


@line_cache
def author_cut(line: str) -> int | None:
    """Where a run-on author list starts in a line, if one does (leaving at least three words before)."""
    for match in sorted((*_BY_PERSON.finditer(line), *_INITIALS_PAIR.finditer(line)), key=lambda m: m.start()):
        if units(line[: match.start()]) >= 3:
            return match.start()
    for match in _AUTHOR_PAIR.finditer(line):
        if units(line[: match.start()]) < 3:
            continue
        if not match.group("sep").strip() and not (match.group("mark").strip() or match.group("degree")):
            continue
        third = _AUTHOR_PAIR.match(line, match.start("second"))
        strong = bool(match.group("mark").strip() or match.group("mark2").strip() or match.group("degree")
                      or _MIDDLE_INITIAL.search(match.group("first") + " ")
                      or (third and (third.group("sep").strip() or third.group("mark").strip()
                                     or third.group("degree"))))
        if strong:
            return match.start()
    return None


def _ends(line: str) -> list[int]:
    ends = {len(line)}
    cut = author_cut(line)
    if cut is not None:
        ends.add(cut)
    suffix = _SUFFIX.search(line)
    if suffix and units(line[: suffix.start()]) >= 3:
        ends.add(suffix.start())
    found = 0
    # "AUTHOR=... TITLE=... JOURNAL=": the tags' ends first, or a title in capitals ("...: A TRIAL") uses them up
    for match in (*list(_TAG_END.finditer(line))[:2], *_INLINE_END.finditer(line)):
        if units(line[: match.start()]) >= 3 and found < 3 and match.start() not in ends:
            ends.add(match.start())
            found += 1
    return sorted(ends)


def _starts(line: str) -> list[int]:
    starts = {0}
    for match in _PREFIX_END.finditer(line):
        if match.end() < len(line) - 10:
            starts.add(match.end())
    return sorted(starts)[:6]


def candidates(page: Page) -> list[Candidate]:
    """Every line before the abstract, its cut forms, and each line joined with the next non-blank one."""
    out: list[Candidate] = []
    nonblank = page._nonblank
    for rank, index in enumerate(nonblank):
        offset, _, line = page.lines[index]
        line = line[:_SCAN]
        for start in _starts(line):
            for end in _ends(line)[:6]:
                piece = line[start:end].strip(" \t,;·|-–—")
                if end <= start or not piece or len(piece) > _MAX_CHARS:
                    continue
                lead = line.index(piece, start)
                kind = "line" if (start, end) == (0, len(line)) else "cut"
                out.append(Candidate(offset + lead, offset + lead + len(piece), index, index, kind, piece))
        if rank + 1 < len(nonblank) and nonblank[rank + 1] - index <= 2 and len(line) <= 300:
            following = nonblank[rank + 1]
            next_start, _, next_line = page.lines[following]
            next_line = next_line[:_SCAN]
            for end in _ends(next_line)[:3]:
                piece = next_line[:end].rstrip(" \t,;·|-–—")
                if not piece:
                    continue
                joined = f"{line} {piece}"
                if len(joined) <= _MAX_CHARS:
                    out.append(Candidate(offset, next_start + len(piece), index, following, "joined", joined))
    return out


@line_cache
def _is_citation(line: str) -> bool:
    # a line without a digit can match only the branches that need none (a cheaper scan)
    cited = _CITATION.search(line) if _DIGIT.search(line) else _CITATION_WITHOUT_DIGITS.search(line)
    return bool(cited) and units(line) <= 60


@line_cache
def _is_authors(line: str) -> bool:
    if author_cut("x x x " + line) == 6:
        return True
    names = re.findall(rf"{_PERSON}", line)
    return len(names) >= 2 and line.count(",") >= 1 and not _FUNCTION.search(line.lower().replace(" and ", " "))


def features(candidate: Candidate, page: Page, rank: int) -> dict[str, float]:
    """The candidate's features (names as in the model's JSON)."""
    text = candidate.text
    words = text.split()
    n_units = units(text)
    letters = list(filter(str.isalpha, text))
    upper = sum(map(str.isupper, letters)) / max(len(letters), 1)
    latin_words = [w for w in words if _WORD.fullmatch(w.strip(".,:;()[]\"'"))]
    capitalised = sum(w[0].isupper() for w in latin_words) / max(len(latin_words), 1)
    nonblank = page._nonblank
    position = nonblank.index(candidate.first)
    before = page.lines[nonblank[position - 1]][2] if position > 0 else ""
    after_index = nonblank.index(candidate.last) + 1
    after = page.lines[nonblank[after_index]][2] if after_index < len(nonblank) else (
        page.lines[page.stop][2] if page.stop < len(page.lines) else "")
    to_abstract = (len(nonblank) - after_index) if page.abstract_start is not None else -1
    line = page.lines[candidate.first][2][:_SCAN]
    before, after = before[:_SCAN], after[:_SCAN]
    folded = _NON_WORDS.sub(" ", text.lower()).strip()
    repeats = page.repeats(folded) if len(folded) >= 12 else 0
    cjk = len(_CJK.findall(text)) / max(len(text), 1)
    rule = page.rule_score(text)
    f = {
        "bias_line": 1.0 if candidate.kind == "line" else 0.0,
        "kind_cut": 1.0 if candidate.kind == "cut" else 0.0,
        "kind_joined": 1.0 if candidate.kind == "joined" else 0.0,
        "first_line": 1.0 if position == 0 else 0.0,
        "rank_log": math.log1p(position),
        "rank_among_titleish": math.log1p(rank),
        "abstract_found": 1.0 if page.abstract_start is not None else 0.0,
        "next_is_abstract": 1.0 if page.abstract_start is not None and to_abstract == 0 else 0.0,
        "abstract_within_3": 1.0 if 0 <= to_abstract <= 3 else 0.0,
        "to_abstract_log": math.log1p(to_abstract) if to_abstract >= 0 else 0.0,
        "next_starts_abstract": 1.0 if after and (page.starts_abstract(after) or _ABSTRACT_WORD.match(after)) else 0.0,
        "next_authors": 1.0 if after and _is_authors(after) else 0.0,
        "next_citation": 1.0 if after and _is_citation(after) else 0.0,
        "prev_citation": 1.0 if before and _is_citation(before) else 0.0,
        "prev_chrome": 1.0 if before and (_CHROME.search(before) or page.is_boilerplate(before)) else 0.0,
        "units_log": math.log1p(n_units),
        "units_le_2": 1.0 if n_units <= 2 else 0.0,
        "units_3_5": 1.0 if 3 <= n_units <= 5 else 0.0,
        "units_6_25": 1.0 if 6 <= n_units <= 25 else 0.0,
        "units_26_45": 1.0 if 26 <= n_units <= 45 else 0.0,
        "units_gt_45": 1.0 if n_units > 45 else 0.0,
        "cjk": cjk,
        "upper_ratio": upper,
        "all_caps": 1.0 if upper > 0.9 and len(letters) > 8 else 0.0,
        "capitalised_ratio": capitalised,
        "starts_lower": 1.0 if text[:1].islower() else 0.0,
        "ends_period": 1.0 if text.endswith(".") else 0.0,
        "ends_question": 1.0 if text.endswith(("?", "？")) else 0.0,
        "ends_colon": 1.0 if text.endswith((":", "：")) else 0.0,
        "inner_colon": 1.0 if _INNER_COLON.search(text[:-1]) else 0.0,
        "sentences": min(len(_SENTENCE_BREAKS.findall(text)), 3) / 3,
        "function_words": min(len(_FUNCTION.findall(text)) / max(len(latin_words), 1), 1.0),
        "no_function_words": 1.0 if latin_words and len(latin_words) >= 4 and not _FUNCTION.search(text) else 0.0,
        "verbish": min(len(_VERBISH.findall(text)), 3) / 3,
        "commas": min(text.count(",") + text.count("，"), 6) / 6,
        "digits": sum(map(str.isdigit, text)) / max(len(text), 1),
        "brackets": min(text.count("(") + text.count("["), 3) / 3,
        "search_syntax": 1.0 if _SEARCH.search(text) else 0.0,
        "quotes_and_or": 1.0 if _AND_OR.search(text) or text.count('"') >= 2 else 0.0,
        "chrome_words": min(len(_CHROME.findall(text)), 3) / 3,
        "boilerplate": 1.0 if page.is_boilerplate(line) else 0.0,
        "page_n": 1.0 if _PAGE_N.match(text) else 0.0,
        "debris": 1.0 if _DEBRIS.search(text) else 0.0,
        "suffix": 1.0 if _SUFFIX.search(text) else 0.0,
        "key_value": 1.0 if _KEY_VALUE.match(text) else 0.0,
        "url": 1.0 if _URL.search(text) else 0.0,
        "citation": 1.0 if _is_citation(text) else 0.0,
        "has_authors": 1.0 if author_cut(text) is not None or _is_authors(text) else 0.0,
        "email_at": 1.0 if "@" in text else 0.0,
        "affiliation": min(len(_AFFILIATION.findall(text)), 2) / 2,
        "next_affiliation": 1.0 if after and _AFFILIATION.search(after) else 0.0,
        "starts_table": 1.0 if _TABLE_START.match(text) else 0.0,
        "prev_table": 1.0 if _TABLE_LINE.fullmatch(before) else 0.0,
        "starts_person": 1.0 if _STARTS_PERSON.match(text) else 0.0,
        "next_paragraph": 1.0 if len(after) > 250 and _PARAGRAPH_BREAK.search(after) else 0.0,
        "key_equals": 1.0 if _KEY_EQUALS.search(text) else 0.0,
        "tabs_or_pipes": 1.0 if "\t" in line or text.count("|") >= 2 else 0.0,
        "repeated": min(repeats, 2) / 2,
        "rule_score": min(rule, 3.0) / 3,
        "rule_zero": 1.0 if rule == 0 else 0.0,
        "line_share": min(len(text) / max(len(line), 1), 1.0),
    }
    return f


@cache
def load_model(path: str | None = None) -> dict | None:
    """The trained weights (``models/title/model.json``), or None when the file is absent."""
    file = model_dir("title") / MODEL_FILE if path is None else __import__("pathlib").Path(path)
    if not file.is_file():
        return None
    return json.loads(file.read_text(encoding="utf-8"))


def _titleish_ranks(page: Page, found: list[Candidate]) -> dict[int, int]:
    """The order of each line among lines the old rule scores above zero (its first candidate title)."""
    ranks: dict[int, int] = {}
    for index in page._nonblank:
        if page.rule_score(page.lines[index][2]) > 0:
            ranks[index] = len(ranks)
    return ranks


def scored(page: Page, model: dict) -> list[tuple[float, Candidate]]:
    """Every candidate with its probability of being the title, best first."""
    return [(probability, candidate) for probability, candidate, _ in _scored(page, model)]


def _scored(page: Page, model: dict) -> list[tuple[float, Candidate, dict[str, float]]]:
    found = candidates(page)
    ranks = _titleish_ranks(page, found)
    names = model["features"]
    weights = model["weights"]
    out = []
    for candidate in found:
        values = features(candidate, page, ranks.get(candidate.first, len(ranks)))
        z = model["bias"] + sum(w * values[name] for name, w in zip(names, weights, strict=True))
        out.append((1 / (1 + math.exp(-max(min(z, 40.0), -40.0))), candidate, values))
    out.sort(key=lambda triple: (-triple[0], triple[1].start))
    return out


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return max(min(math.log(probability / (1 - probability)), 20.0), -20.0)


PAGE_FEATURES = ("logit_best", "logit_second", "margin", "candidates_log", "likely_log", "first_is_paragraph",
                 "lines_log")


def page_features(page: Page, probabilities: list[float], best: dict[str, float]) -> dict[str, float]:
    """Whether the page shows a title at all: its best candidate against the others, and the page's opening.

    ``probabilities`` are the candidates' title probabilities, best first; ``best`` the best one's features.
    """
    top = _logit(probabilities[0]) if probabilities else -20.0
    second = _logit(probabilities[1]) if len(probabilities) > 1 else -20.0
    first = page.lines[page._nonblank[0]][2] if page._nonblank else ""
    f = {
        "logit_best": top / 10,
        "logit_second": second / 10,
        "margin": min(top - second, 20.0) / 10,
        "candidates_log": math.log1p(len(probabilities)),
        "likely_log": math.log1p(sum(p >= 0.2 for p in probabilities)),
        "first_is_paragraph": 1.0 if units(first) > 45 and re.search(r"[a-z)]{2}[.!?。]\s+\S", first) else 0.0,
        "lines_log": math.log1p(len(page._nonblank)),
    }
    f.update({f"best_{name}": value for name, value in best.items()})
    return f


def page_probability(values: dict[str, float], gate: dict) -> float:
    """The probability that the page's best candidate is its title (the gate of ``model['page']``)."""
    z = gate["bias"] + sum(w * values[name] for name, w in zip(gate["features"], gate["weights"], strict=True))
    return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))


def find_title(page: Page, model: dict | None = None, floor: float | None = None) -> Span | None:
    """The title's span, or None when no candidate reaches the model's floor (or no model is installed).

    With a page gate in the model (``model['page']``), the page must also look titled: the gate's
    probability that the best candidate is the page's title must reach the gate's own floor.
    """
    model = model or load_model()
    if model is None:
        return None
    best = _scored(page, model)
    limit = model.get("floor", 0.5) if floor is None else floor
    if not best or best[0][0] < limit:
        return None
    gate = model.get("page")
    if gate is not None:
        values = page_features(page, [p for p, _, _ in best], best[0][2])
        if page_probability(values, gate) < gate["floor"]:
            return None
    return (best[0][1].start, best[0][1].end)
