"""Study design: one label per study from explicit cues, weighed by where they stand.

A cue in the title or in a sentence where the authors describe their own
study ("In this cluster-randomised trial", a Methods sentence) counts most; a
cue in Background, or about other studies ("previous RCTs", "RCTs were
included"), counts little. Reviews outrank the primary designs they mention;
a protocol outranks the trial it describes; cluster randomisation refines a
randomised trial; randomisation outranks a mixed-methods evaluation of it.
"""

from __future__ import annotations

import json
import re
import re._constants as _sre
import re._parser as _sre_parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ...textlayer import TextLayer
from ...types import ExtractedValue, Span
from ..vocabulary import REVIEW_DESIGNS as REVIEWS

VERSION = 5  # 5: cases against matched or healthy controls, a survey-and-interviews title, article-type lines above the title, retrospective studies and narrative reviews in five languages; 4: allocation stated plainly (we randomised, randomly divided) in five languages, retrospective and transversal studies, a presented case or N-year-old patient, inline review headings, a guideline as topic; 3: a review reporting a pooled effect is a meta-analysis; stated absence of randomisation; 2: cues in Spanish, Portuguese, German, French and Chinese; no default `other`
_DATA = Path(__file__).resolve().parents[2] / "data" / "design.json"

PRIMARY_ORDER = (
    "cluster_rct", "rct", "non_randomised_trial", "mixed_methods", "case_control", "cohort",
    "cross_sectional", "qualitative", "case_report", "other",
)  # fmt: skip
_REVIEW_CRITERIA = {"selection criteria", "eligibility criteria", "search methods", "data sources", "study selection",
                    "types of studies", "data collection and analysis", "review methods", "search strategy"}
_PROTOCOL_MENTION = re.compile(
    r"\b(?:registered|published|pre-?registered|according to|following|as per|in line with|described in|"
    r"adhered to|deviations? from)\b[^.]{0,40}$|^[^.]{0,15}\b(?:was|is|has been|were) (?:registered|published|"
    r"pre-?registered|available|approved)",
    re.I,
)

_SELF = re.compile(
    r"\b(?:this|the present|the current|our|we|here(?:in)?|in a|using a|was a|is a|conducted a|performed a|report(?:s|ed)? (?:on )?a)\b",
    re.I,
)
_OTHER_STUDIES = re.compile(
    r"\b(?:previous|prior|earlier|past|existing|other|future|further|larger|more|few|no|many|several|recent|"
    r"published|based on|from (?:a|an|the)|evidence from|data from)\b[\w\s,()-]{0,40}$",
    re.I,
)
# A guideline the study is about, not the document's type: "compliance with a mental health clinical practice
# guideline", "adherence to clinical guidelines", "implementing clinical guidelines".
_GUIDELINE_TOPIC = re.compile(
    r"\b(?:adher\w*|complian\w*|complie[sd]|comply\w*|implement\w*|use|used|using|uptake|concordan\w*|follow\w*|"
    r"appl(?:y|ied|ying|ication)|dissemination|awareness|knowledge|intentions?|attitudes?|barriers?|against|according|"
    r"based on|recommended (?:by|in)|deviat\w*|conform\w*|endorsed by)\b(?:[\s,]+[\w'-]+){0,5}[\s,]*$",
    re.I,
)
_INCLUSION = re.compile(r"\b(?:includ|eligib|search|identified|retrieved|screened|reviewed)\w*\b", re.I)
_NEEDED = re.compile(r"\b(?:are|is) (?:needed|warranted|required|lacking)\b", re.I)
# A review that reports one standardised effect of its included studies pools them (FORMAT.md: a systematic
# review that pools results is a meta-analysis): "d = .37", "g=-0.26", "SMD 0.41", "pooled OR".
_POOLED = re.compile(
    r"(?<![\w.])(?:d|g|ES|SMD|Hedges'?s? g|Cohen'?s d)\s*=\s*[-−–]?\s*\d*\.\d|\bSMD\b[^.;]{0,12}?[-−–]?\d*\.\d|"
    r"\b(?:pooled|summary|overall|combined|aggregate|mean) (?:effect(?: size)?|odds ratio|risk ratio|relative risk|hazard ratio|"
    r"standardi[sz]ed mean difference|estimate|correlation|prevalence)\b"
)
_RESULTS_SIGNS = re.compile(r"\b(?:p\s*[<=>≤]|95%\s*CI|confidence interval|were found|was associated)\b", re.I)


_HYPHEN_CHARS = "‐‑–—−\u00ad"
_HYPHENS = str.maketrans({char: "-" for char in _HYPHEN_CHARS})


@dataclass(frozen=True)
class _Cue:
    label: str
    pattern: re.Pattern[str]  # case-insensitive, for texts whose lower case changes their length
    lower: re.Pattern[str]  # the same pattern lower-cased, run on lower-cased text (faster than re.I)
    strength: float
    rule: int
    triggers: tuple[str, ...]
    title_only: bool = False  # read in the title alone (a fifth element {"where": "title"} in design.json)
    # The strings a match of ``lower`` can begin with (None: not known): a match is tried only where one stands
    # (``_matches``), not at every position of a window, which the regex engine does for a pattern that begins
    # with ``\b`` or a look-behind.
    starts: tuple[str, ...] | None = None


@cache
def _lexicon() -> tuple[list[_Cue], dict[str, str]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    for _, pattern, *_ in data["cues"]:
        if re.search(r"\\[A-Z]", pattern):  # lower-casing would turn \S into \s
            raise ValueError(f"design.json: upper-case escape in {pattern[:40]!r}; write it as a class")
    cues = [
        _Cue(label, re.compile(pattern, re.I | re.M), re.compile(pattern.lower(), re.M), float(strength), index,
             tuple(triggers), (options[0] if options else {}).get("where") == "title",
             _few(_starts(_sre_parse.parse(pattern.lower(), re.M).data)))
        for index, (label, pattern, strength, triggers, *options) in enumerate(data["cues"])
    ]
    return cues, data["publication_types"]


@cache
def _trigger_finder() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """One pattern finding, at every position, the longest trigger word there (a trie, so one scan of the text
    instead of one per trigger), and for each trigger the triggers it begins with (found where it is)."""
    triggers = sorted({trigger for cue in _lexicon()[0] for trigger in cue.triggers})
    trie: dict[str, dict] = {}
    for trigger in triggers:
        node = trie
        for char in trigger:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    firsts = re.escape("".join(sorted({trigger[0] for trigger in triggers})))
    finder = re.compile(f"(?=[{firsts}])(?=({emit(trie)}))")
    return finder, {longest: tuple(t for t in triggers if longest.startswith(t)) for longest in triggers}


def _trigger_places(lowered: str) -> dict[str, list[int]]:
    """Every place of every trigger word in ``lowered`` (overlapping ones too), by trigger; absent ones left out."""
    finder, begins = _trigger_finder()
    found: dict[str, list[int]] = {}
    for match in finder.finditer(lowered):
        at = match.start()
        for trigger in begins[match.group(1)]:
            found.setdefault(trigger, []).append(at)
    return found


_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)


def _starts(items: list[tuple[object, object]]) -> tuple[str, ...] | None:
    """The literal strings a match of the parsed pattern ``items`` (no inline flags) begins with; None when it
    may begin otherwise (with a class, a category, or nothing at all)."""
    items = list(items)
    while items and items[0][0] in _ZERO_WIDTH:
        items.pop(0)  # consumes nothing: the match begins where it would without it
    if not items:
        return None
    op, value = items[0]
    rest = items[1:]
    if op is _sre.LITERAL:
        run = []
        for index, (op, value) in enumerate(items):
            if op is _sre.LITERAL:
                run.append(chr(value))  # type: ignore[arg-type]
            elif op not in _ZERO_WIDTH:  # (one consuming nothing leaves the literals either side next to each other)
                after = _starts(items[index:])  # what follows the literals, when known, lengthens them
                if after is not None and len(after) <= 32:
                    return tuple("".join(run) + text for text in after)
                break
        return ("".join(run),)
    if op is _sre.SUBPATTERN and not value[1] and not value[2]:  # type: ignore[index]
        return _starts([*value[3], *rest])  # type: ignore[index]
    if op is _sre.BRANCH:
        return _union(_starts([*branch, *rest]) for branch in value[1])  # type: ignore[index]
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        body = _starts(value[2])  # type: ignore[index]
        return body if value[0] >= 1 else _union((body, _starts(rest)))  # type: ignore[index]
    if op is _sre.IN and len(value) <= 4 and all(kind is _sre.LITERAL for kind, _ in value):  # type: ignore[arg-type]
        return _union(_starts([(_sre.LITERAL, char), *rest]) for _, char in value)  # type: ignore[union-attr]
    return None


_START_CHARS = 8  # a match's possible beginnings are cut to this many characters: fewer of them to look for


def _few(starts: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """``starts`` cut to ``_START_CHARS`` characters, without those another of them begins (found with it)."""
    if starts is None:
        return None
    kept: list[str] = []
    for text in sorted({text[:_START_CHARS] for text in starts}):  # a string sorts right after its own prefix
        if not (kept and text.startswith(kept[-1])):
            kept.append(text)
    return tuple(kept)


def _union(parts: Iterable[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    starts: set[str] = set()
    for part in parts:
        if part is None:
            return None
        starts.update(part)
    return tuple(sorted(starts))


def _matches(cue: _Cue, lowered: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``cue.lower.finditer(lowered, start, end)``, the same matches, tried only where a match can begin."""
    if cue.starts is None:
        yield from cue.lower.finditer(lowered, start, end)
        return
    places: set[int] = set()
    for text in cue.starts:
        at = lowered.find(text, start, end)
        while at >= 0:
            places.add(at)
            at = lowered.find(text, at + 1, end)
    after = start
    for at in sorted(places):
        if at >= after and (match := cue.lower.match(lowered, at, end)):
            yield match
            after = match.end()


@dataclass
class _Hit:
    label: str
    start: int
    end: int
    score: float
    where: str
    rule: int


def find_design(
    layer: TextLayer,
    start: int = 0,
    end: int | None = None,
    title_span: Span | None = None,
    publication_types: Iterable[str] = (),
    type_lines: Iterable[Span] = (),
) -> list[ExtractedValue]:
    """One candidate per design label that has a cue, best first; the first is the choice (none without a cue).
    ``type_lines``: article-type lines above the title ("Study protocol", "Editorial"), read as the title is."""
    end = len(layer.text) if end is None else end
    hits = list(_hits(layer, start, end, title_span, tuple(type_lines)))
    best: dict[str, _Hit] = {}
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit.label] = counts.get(hit.label, 0) + 1
        if hit.label not in best or hit.score > best[hit.label].score:
            best[hit.label] = hit
    scores = {label: hit.score + min(0.15, 0.05 * (counts[label] - 1)) for label, hit in best.items()}
    label, reason = _decide(scores, best, layer, start, end)
    if label is not None and label not in best:  # a review refined to meta-analysis by its pooled effect
        source = max((r for r in REVIEWS if r in best), key=lambda r: scores[r])
        best[label], scores[label] = best.pop(source), scores.pop(source)
        reason = f"{reason}, pooled effect"
    candidates: list[ExtractedValue] = []
    cue_types = _lexicon()[1]
    from_metadata = [cue_types[t.lower()] for t in publication_types if t.lower() in cue_types]
    if label is None and from_metadata:
        label = _metadata_label(from_metadata)
        candidates.append(ExtractedValue("design", label, None, None, 0.7, f"rule:design.publication_type.v{VERSION}",
                                         attributes={"phrase": None, "reason": "publication type"}))
    for name in sorted(best, key=lambda n: (n != label, -scores[n])):
        hit = best[name]
        confidence = _confidence(scores[name]) if name == label else min(0.5, _confidence(scores[name]))
        candidates.append(
            ExtractedValue(
                field="design",
                value=name,
                start=hit.start,
                end=hit.end,
                confidence=round(confidence, 3),
                source=f"rule:design.cue{hit.rule}.v{VERSION}",
                attributes={"phrase": layer.text[hit.start : hit.end], "where": hit.where,
                            "reason": reason if name == label else "outranked"},
            )
        )
    # No cue, no candidate: the chooser asks the trained model, and abstains (null) when it is unsure too,
    # rather than defaulting to ``other``.
    return candidates


def _hits(layer: TextLayer, start: int, end: int, title_span: Span | None, type_lines: tuple[Span, ...] = ()
          ) -> Iterable[_Hit]:
    cues = _lexicon()[0]
    text = layer.text
    regions: list[tuple[int, int, str]] = []
    if title_span and not (start <= title_span[0] < end):
        regions.append((title_span[0], title_span[1], "title"))
    regions.append((start, end, "body"))
    # after the text: where the title states the same design, its phrase stays the evidence
    regions.extend((line_start, line_end, "title") for line_start, line_end in type_lines
                   if not (start <= line_start < end))
    for region_start, region_end, kind in regions:
        if kind != "title" and not title_span and not type_lines:
            cues_here = [cue for cue in cues if not cue.title_only]
        else:
            cues_here = cues
        chunk = text[region_start:region_end]
        if any(hyphen in chunk for hyphen in _HYPHEN_CHARS):
            # One char for one char, so offsets stay true: typographic hyphens become "-".
            chunk = chunk.translate(_HYPHENS)
        lowered = chunk.lower()
        same_length = len(lowered) == len(chunk)
        found = _trigger_places(lowered)  # each trigger word searched once per region, whichever cues share it
        for cue in cues_here:
            windows = _windows(lowered, cue.triggers, found)
            if not windows:
                continue
            seen: set[tuple[int, int]] = set()
            for window_start, window_end in windows:
                if same_length:
                    matches = _matches(cue, lowered, window_start, window_end)
                else:
                    matches = cue.pattern.finditer(chunk, window_start, window_end)
                for match in matches:
                    if match.end() <= match.start() or (match.start(), match.end()) in seen:
                        continue
                    seen.add((match.start(), match.end()))
                    hit_start, hit_end = region_start + match.start(), region_start + match.end()
                    where, factor = _place(layer, hit_start, hit_end, kind, title_span, cue.label)
                    if cue.title_only and where != "title":
                        continue
                    yield _Hit(cue.label, hit_start, hit_end, cue.strength * factor, where, cue.rule)


_WINDOW = 200  # characters either side of a trigger word that a cue's match can reach


def _windows(lowered: str, triggers: tuple[str, ...], found: dict[str, list[int]] | None = None
             ) -> list[tuple[int, int]]:
    """Merged ranges around each occurrence of a trigger word: the only places a cue can match.
    ``found``: every trigger's places in ``lowered`` (``_trigger_places``), when known already."""
    found = _trigger_places(lowered) if found is None else found
    spots: list[int] = []
    for trigger in triggers:
        spots.extend(found.get(trigger, ()))
    if not spots:
        return []
    spots.sort()
    windows: list[tuple[int, int]] = []
    for spot in spots:
        low, high = max(0, spot - _WINDOW), min(len(lowered), spot + _WINDOW)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


def _place(layer: TextLayer, hit_start: int, hit_end: int, kind: str, title_span: Span | None,
           label: str = "") -> tuple[str, float]:
    """Where a cue stands and how much that counts."""
    if label == "other" and "guideline" in layer.text[hit_start:hit_end].lower() and _GUIDELINE_TOPIC.search(
        layer.text[max(0, hit_start - 80) : hit_start]
    ):
        return "guideline as topic", 0.3
    if kind == "title" or (title_span and title_span[0] <= hit_start < title_span[1]):
        return "title", 1.0
    if label == "other" and (hit_start < 300 or (title_span and hit_start < title_span[0])) and not layer.text[
        layer.text.rfind("\n", 0, hit_start) + 1 : hit_start
    ].strip(" \t•·*|-"):
        return "title", 1.0  # an article-type line above the title: "EDITORIAL", "Dear Editor"
    sentence = layer.sentence_at(hit_start)
    if sentence is None:
        return "body", 0.5
    text = layer.text
    before = text[sentence.start : hit_start]
    after = text[hit_end : sentence.end]
    if label == "protocol" and (_PROTOCOL_MENTION.search(before) or _PROTOCOL_MENTION.search(after)):
        return "protocol mention", 0.2
    if _OTHER_STUDIES.search(before) or _NEEDED.search(after):
        return "other studies", 0.25
    if re.search(r"s\b|s\)$", text[hit_start:hit_end]) and _INCLUSION.search(before[-60:]):
        return "included studies", 0.3
    heading = (sentence.heading or "").lower()
    if heading in _REVIEW_CRITERIA and label not in REVIEWS:
        return "included studies", 0.2
    # Roles predicted by the sentence-role model are not used here: on the design corpus they cost
    # one abstract (159 -> 158 of 164) and gained none, as a stated design in a background-like
    # sentence is usually the study's own.
    section = sentence.section if sentence.role_probability is None else None
    factor = {"background": 0.35, "objective": 0.9, "methods": 0.85, "results": 0.6,
              "conclusions": 0.45, "registration": 0.3, "other": 0.7, None: 0.7}.get(section, 0.6)
    if section in (None, "other", "results") and _SELF.search(before):
        factor = max(factor, 0.85)
    heading = (sentence.heading or "").lower()
    if heading in {"design", "study design", "methods", "design, setting, and participants"}:
        factor = max(factor, 0.9)
    return section or "body", factor


def _decide(scores: dict[str, float], best: dict[str, _Hit], layer: TextLayer, start: int, end: int
            ) -> tuple[str | None, str]:
    """The label the cues support, and why."""
    if not scores:
        return None, "no cue"
    get = lambda label: scores.get(label, 0.0)  # noqa: E731
    if get("protocol") >= 0.75:
        return "protocol", "protocol stated"
    if get("protocol") >= 0.4 and not _RESULTS_SIGNS.search(layer.text[start:end]) and (
        max(get("rct"), get("cluster_rct"), get("non_randomised_trial"), *(get(r) for r in REVIEWS)) >= 0.3
    ):
        return "protocol", "future tense, no results"
    review = max(get(r) for r in REVIEWS)
    primary_label = max(PRIMARY_ORDER, key=lambda label: (get(label), -PRIMARY_ORDER.index(label)))
    primary = get(primary_label)
    review_in_title = any(best.get(r) and best[r].where == "title" and get(r) >= 0.5 for r in REVIEWS)
    primary_in_title = primary_label in best and best[primary_label].where == "title" and primary >= 0.75
    if review >= 0.7 and not (primary_in_title and not review_in_title):
        if get("umbrella_review") >= 0.5:
            return "umbrella_review", "review of reviews"
        if get("meta_analysis") >= 0.5:
            return "meta_analysis", "pooled review"
        if get("systematic_review") >= 0.5:
            return _pooled_or("systematic_review", layer, start, end), "systematic review"
        return _pooled_or(max(REVIEWS, key=get), layer, start, end), "review"
    # Among primary designs: title cues first, randomisation over evaluations of it.
    randomised = max(get("rct"), get("cluster_rct"))
    title_labels = [label for label in PRIMARY_ORDER if label in best and best[label].where == "title"
                    and get(label) >= 0.75]
    if title_labels:
        label = max(title_labels, key=lambda n: (get(n), -PRIMARY_ORDER.index(n)))
        if "mixed_methods" in title_labels:
            return "mixed_methods", "stated in the title"
        if "non_randomised_trial" in title_labels:
            return "non_randomised_trial", "stated in the title"
        if label == "rct" and get("cluster_rct") >= 0.5:
            return "cluster_rct", "cluster randomisation"
        if label != "rct" or get("non_randomised_trial") < 0.6:
            return label, "stated in the title"
    if get("cluster_rct") >= 0.5 and get("cluster_rct") >= get("non_randomised_trial"):
        return "cluster_rct", "cluster randomisation"
    if get("non_randomised_trial") >= 0.6 and get("non_randomised_trial") >= get("rct") - 0.1:
        return "non_randomised_trial", "no randomisation"
    if randomised >= 0.5:
        return ("cluster_rct" if get("cluster_rct") >= get("rct") else "rct"), "randomisation"
    if primary >= 0.3:
        return primary_label, "strongest cue"
    if review >= 0.45:
        return _pooled_or(max(REVIEWS, key=get), layer, start, end), "weak review cues"
    return None, "weak cues only"


def _pooled_or(label: str, layer: TextLayer, start: int, end: int) -> str:
    """``meta_analysis`` for a systematic review whose text reports a pooled effect, else ``label``."""
    if label == "systematic_review" and _POOLED.search(layer.text, start, end):
        return "meta_analysis"
    return label


_TYPE_LINE = re.compile(r"^[ \t•·*|-]*(?P<type>[A-Za-z][A-Za-z ,&'-]{3,60}?)[ \t.:|]*$", re.M)
_ARTICLE_TYPES = {"case report", "systematic review and meta-analysis", "review article", "original article",
                  "research article", "research", "article", "protocol"}


def article_type_lines(text: str, title_start: int, reach: int = 600) -> list[tuple[Span, str]]:
    """Lines of their own just above the title that name the article's type, as journal and database pages print
    them ("• Study protocol", "Randomized Controlled Trial", "Editorial", "Case Report"): (span, lower-cased type)
    for each line whose words are a publication type of ``design.json`` or a common article type."""
    known = set(_lexicon()[1]) | _ARTICLE_TYPES
    lines = []
    for match in _TYPE_LINE.finditer(text, max(0, title_start - reach), title_start):
        name = " ".join(match.group("type").lower().split())
        if name in known:
            lines.append(((match.start("type"), match.end("type")), name))
    return lines


def _metadata_label(labels: list[str]) -> str:
    for preferred in ("protocol", "meta_analysis", "systematic_review", "rct", "non_randomised_trial",
                      "case_control", "cohort", "cross_sectional", "qualitative", "case_report"):
        if preferred in labels:
            return preferred
    return labels[0]


def _confidence(score: float) -> float:
    return max(0.2, min(0.97, 0.35 + 0.65 * score))
