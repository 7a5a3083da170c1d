"""Construct phrases: list items split, cleaned to a short name, distributed, keyed for grouping."""

from __future__ import annotations

import re
from functools import lru_cache

from .heads import is_modifier, named_alone, never_alone, no_name_alone, seen_in_names, stop_head
from .lexicon import fold, vocabulary
from .sentences import SPACES, TIME_HINTS, TIME_PHRASE

_ITEM_SEPARATORS = re.compile(r"[;,]|\b(?:and/or|and|or|as well as)\b|&")
_ITEM_SEPARATORS_SEMICOLON = re.compile(r";|\b(?:and/or|and|or|as well as)\b|&")
_ITEM_SEPARATORS_ENUMERATED = re.compile(r"[;,]|\b(?:and/or|and|or|as well as)\b|&|\s+(?=\(?[a-h]\)\s)")
OPERATOR = re.compile(r"[<>=≤≥]")
_ENUMERATOR = re.compile(r"^\s*(?:\(?(?:[a-h]|[ivx]{1,4}|\d{1,2})\)|\d{1,2}\.)\s+", re.I)
_STATISTICS = re.compile(r"\b(?:relative risk|odds ratios?|mean differences?|confidence intervals?|effect sizes?|"
                         r"regression|p-values?|standard deviations?|hazard ratios?|risk ratios?|interquartile|"
                         r"numbers? needed to (?:treat|harm|screen))\b"
                         r"|\b(?-i:SD|SE|SEM|IQR|SMD|WMD|CI|NNT|NNH)\b", re.I)
_BRACKETED_STATISTIC = re.compile(r"\(\s*(?:SD|SE|SEM|IQR|range|95%\s*CI)\s*\)")
_TAIL = re.compile(r"\s+(?:(?:post|pre)\s|expressed|defined|identified|measured|assessed|reported|observed|"
                   r"evaluated|as|using|via|abstracted|extracted|retrieved|obtained|derived|collected|drawn|"
                   r"based\s+on|according\s+to|"
                   r"post[- ]?(?:intervention|treatment|test|randomi[sz]ation|baseline|childbirth|delivery|birth)|"
                   r"after)\b.*$", re.I)
_CUT_WORDS = {"among", "in", "for", "of", "across", "at", "after", "during", "from", "within", "over", "between",
              "by", "relative", "versus", "vs", "vs.", "to", "with"}  # "with placebo": an arm
_DANGLING = {"at", "by", "after", "over", "until", "to", "up", "within", "of", "in", "from", "during", "on", "for",
             "and", "or", "the", "with", "post", "pre", "there", "here", "then", "thus", "about", "who", "which",
             "include", "includes", "including", "through", "much", "very"}
_ALWAYS_CUT = {"among", "across", "between", "versus", "vs", "vs.", "after", "during", "within"}
_LONG_CUT = {"for", "in", "among", "from", "at", "during", "within", "to", "with", "by", "regarding"}
# "self controlImproved measures of ...": a lower-case word glued to the next table cell (a phrase run across
# a cell boundary of a flattened table is no outcome's name)
RUN_TOGETHER = re.compile(r"\b[a-z]{3,}[A-Z][a-z]{2}")
_SPACED_HYPHEN = re.compile(r"\s+-\s*")
_HEDGE = re.compile(r"\w+fold|almost|nearly|approximately|about")
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z0-9-]{1,9}")
_NUMBER_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                 r"single|multiple)")
# "two ACEs", "three to five ACEs": a count or an exposure level; "based on the register": where data came from;
# "predicting placement": what an analysis did; "studies comparing outcomes of X"
_BAD_START = re.compile(r"(?:\d|[a-z]\)|to\b|of\b|for\b|in\b|on\b|with\b|by\b|at\b|from\b|than\b|it\b|its\b"
                        r"|as\b|based\b|according\b|where\b|there\b|(?:after|before|during|within|until|since)\b"
                        r"|\w+ed\s+(?:by|to)\b"  # "induced by feeding", "blinded to drug assignment"
                        r"|(?:predicting|comparing|examining|using|regarding|undergone|received)\b"
                        # "among the children who received X", "given alone", "administered with X": who got
                        # what, not what was measured; "patients with severe OSA": who was studied
                        r"|(?:among|given|administered|receiving|treated)\b"
                        r"|(?:patients|subjects|participants|people|persons|individuals|adults|women|men|children)"
                        r"\s+(?:with|who|receiving|treated|randomi[sz]ed)\b"
                        r"|placebo\b|groups?\s+(?:[a-z]|\d+|i{1,3})\b"  # an arm: "group B", "placebo groups"
                        r"|(?:weeks?|months?|days?|years?|hours?|visits?|stages?|cycles?|doses?)\s+\d"  # "week 17"
                        rf"|{_NUMBER_WORDS}(?:\s|$)"
                        r"|(?:studies|trials|reviews|papers|articles|registers?|registry|registries|databases?)\b)")
# "depressive symptoms-one ACE", "suicide plans-1 ACE": an exposure level glued on after a hyphen
# (not "HIV-1 seroconversion", "interleukin-1 beta", "omega-3 fatty acids": a level is a count of a named thing)
_GLUED_LEVEL = re.compile(rf"(?<=[a-z]{{4}})\s?[-–]\s?(?:\d+\s+[A-Z]{{2,}}|(?i:{_NUMBER_WORDS})\s+\S).*$")
_CLAUSE_WORDS = frozenset({"was", "were", "is", "are", "be", "been", "had", "has", "have", "did", "showed", "found",
                           "we", "our", "how", "whether", "why", "can", "could", "will", "would", "considers",
                           "examines", "explores", "describes", "discusses", "seemed", "seems", "appeared", "suggest",
                           "suggests", "indicate", "indicates", "shows", "demonstrate", "demonstrates", "likewise",
                           "tended", "participated", "took", "underwent", "completed", "enrolled"})
# "measures of gambling harm drawn from ...": a participle after the construct ends it.
_TRAILING_PARTICIPLES = frozenset({"drawn", "derived", "adapted", "taken", "obtained", "collected", "used",
                                   "reported", "assessed", "measured", "recorded", "based", "developed",
                                   # "problems evident at 12 months"
                                   "evident", "apparent", "seen", "noted", "present", "made",
                                   # "skin condition occurred", "median atropine dose needed"
                                   "occurred", "needed", "required"})
# "women who developed postpartum depression": the people are counted, what they developed is the outcome
_WHO_DEVELOPED = re.compile(r"^(?:[\w'’-]+\s+){1,3}?(?:who|that)\s+(?:developed|had|experienced|reported|showed|"
                            r"met\s+(?:the\s+)?criteria\s+for|screened\s+positive\s+for|were\s+diagnosed\s+with)\s+",
                            re.I)
# "treatment for vertebral osteomyelitis" names what was given, not what was measured.
_INTERVENTION_START = re.compile(r"(?:treatment|therapy|intervention|interventions|surgery|programme|program)\s+"
                                 r"(?:for|of|with)\b")
_POSSESSIVE = re.compile(r"(\w+?)(?:s?['’]s|s['’])")
_PEOPLE = frozenset({"child", "children", "infant", "mother", "parent", "woman", "women", "patient", "participant",
                     "caregiver", "carer", "famil", "family", "adolescent", "student", "pupil", "youth", "father",
                     "baby", "babie", "girl", "boy", "teacher"})
_WAVE = re.compile(r"t\d{1,2}")  # a measurement wave
_HEADINGS = frozenset({"results", "methods", "background", "conclusion", "conclusions", "objective", "objectives",
                       "aim", "aims", "design", "setting", "participants", "interventions", "measurements", "findings",
                       "interpretation", "introduction", "purpose", "outcomes", "abstract", "summary"})
_THREE_LETTERS = re.compile(r"[a-z]{3}")
_DOSE = re.compile(r"\d\s?(?:mg|µg|μg|mcg|ng|g|ml|mL|IU|U|mmol)(?:/(?:kg|m2|m²|day|d|h|dose))?\b")
_WHO_LINKS = frozenset({"with", "prior", "undergoing", "receiving", "treated", "who", "without", "on"})
_KEEP_ING = {"wellbeing", "well-being", "functioning", "bullying", "parenting", "breastfeeding", "drinking", "smoking",
             "schooling", "caregiving", "self-harming", "gambling", "sleeping", "feeding", "reading", "writing",
             "coping", "crying", "wheezing"}
_ADJECTIVE = re.compile(r"(?:al|ive|ic|ary|ory|ous|ar|ful|less|ent|ant|ed)$|^(?:language|motor|speech|weight|height)$")


def split_items(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Item spans of a list ``X, Y and Z`` (semicolons first when the list uses them), blanks trimmed."""
    segment = masked[start:end]
    semicolon = segment.find(";")
    if semicolon >= 0 and "," not in segment[:semicolon]:
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


_COUNTING_LEADS = frozenset({"incidents", "incidence", "number", "rate", "rates", "occurrence", "frequency"})
# "pain reduction", "body weight decreased": the direction of a change ends no name; what changed is the name
_TRAILING_DIRECTIONS = frozenset({"reduction", "reductions", "decrease", "decreases", "decreased", "increase",
                                  "increases", "increased", "improved", "decline", "declined", "worsened"})
# "change from baseline in pain" (the time phrase already cut, "baseline" gone): what changed is the name
_CHANGE_FROM = re.compile(r"^(?:mean\s+)?changes?\s+from\s+(?:baseline\s+)?(?:in|of)\s+(?=\S)", re.I)
# "survival time", "operating time": a time that is measured; not "each time", "follow-up time"
_TIME_HEADS = frozenset({"time", "times"})
# "side effects", "adverse effects": harms are named by their kind, not cut to "side" or rejected as "effects"
_HARMS = frozenset({"side", "adverse", "undesirable", "unwanted", "harmful", "toxic"})
_NOT_MEASURED_TIMES = frozenset({"same", "each", "first", "last", "this", "that", "any", "one", "every", "point",
                                 "long", "short", "follow-up", "followup", "baseline", "free", "spare", "leisure",
                                 "full", "part", "screen", "study", "over", "real"})
_OUTCOME_WORDS = frozenset({"outcome", "outcomes"})


@lru_cache(maxsize=16384)
def clean_phrase(phrase: str, scored: bool = False, head_pending: bool = False) -> str | None:
    """A short construct name from a list item, or None when the item names nothing measurable.

    ``scored``: the phrase goes to the outcome scorer, which judges the generic constructs the rules reject
    (``feasibility``, ``acceptability``: ``scored_constructs`` of the vocabulary) in context.
    ``head_pending``: an item of a list may still take its head from the next item (``educational and life
    outcomes``), so one ending in a modifier is kept for ``distribute``; the caller drops it if none comes."""
    voc = vocabulary()
    generic = voc.generic - voc.scored_constructs if scored else voc.generic
    phrase = _ENUMERATOR.sub("", SPACES.sub(" ", phrase)).strip(" ,;:-–—'\"*_")  # "*" "_": markdown emphasis
    if " -" in phrase:  # the only blank left is a plain space
        phrase = _SPACED_HYPHEN.sub("-", phrase)
    if any(map(phrase.lower().__contains__, TIME_HINTS)):
        phrase = TIME_PHRASE.sub(" ", phrase)
    phrase = _TAIL.sub("", phrase)
    if "(" in phrase:
        phrase = _BRACKETED_STATISTIC.sub(" ", phrase).strip()  # "(SD) cerebral oxygen saturation"
    if "from" in phrase:
        phrase = _CHANGE_FROM.sub("", phrase)
    if " who " in phrase or " that " in phrase:
        phrase = _WHO_DEVELOPED.sub("", phrase)
    if "-" in phrase or "–" in phrase:
        phrase = _GLUED_LEVEL.sub("", phrase)
    phrase = phrase.strip(" ,;:-*_")
    words = phrase.split()
    lows = phrase.lower().split() if phrase.isascii() else [w.lower() for w in words]
    first, stop = 0, len(words)  # the phrase is words[first:stop]; lows are the same words lower-cased
    while stop - first > 1 and words[first].isupper() and lows[first].strip(":") in _HEADINGS:
        first += 1  # "RESULTS Mean daily nasal symptom": a heading the text layer left glued on
    while stop - first > 1 and lows[stop - 1].endswith("ly") and len(lows[stop - 1]) > 4 and \
            not seen_in_names(lows[stop - 1]):
        stop -= 1  # "hypotension immediately": an adverb, never in people's outcome names, ends none
    while stop - first > 1 and (lows[stop - 1] in _DANGLING or lows[stop - 1] in _TRAILING_PARTICIPLES
                                or lows[stop - 1] in _TRAILING_DIRECTIONS):
        stop -= 1
    counted = False  # "incidents of X": X is counted, so an event noun is fine as head
    changed = True
    while changed and stop - first > 1:
        changed = False
        for lead in voc.lead_phrases.get(lows[first], ()):
            size = len(lead)
            if stop - first > size and tuple(lows[first : first + size]) == lead:
                if lead[-2:] == ("quality", "of") and lows[first + size] in voc.keep_after_quality:
                    continue
                counted = counted or lead[0] in _COUNTING_LEADS
                first, changed = first + size, True
                break
        if not changed and stop - first > 1:
            lead_word = lows[first].strip(",")
            if lead_word == "overall" and lows[first + 1] in voc.keep_after_overall:
                break  # "overall survival": a fixed term
            if lead_word in voc.lead_words or _HEDGE.fullmatch(lead_word):
                first, changed = first + 1, True
            elif stop - first > 1 and _POSSESSIVE.fullmatch(lead_word) and (
                    _POSSESSIVE.fullmatch(lead_word).group(1) in voc.reject_heads | _PEOPLE):
                first, changed = first + 1, True  # "children's injuries": whose outcome it is, not what
    if first and stop - first > 2 and lows[first] in voc.population and lows[first + 1] in {"with", "who"}:
        first += 2 if lows[first + 1] == "with" else 3  # "proportion of patients with remission": remission
    for index in range(first + 1, stop):
        word = lows[index]
        if word in _CUT_WORDS:
            following = lows[index + 1].strip(",.;") if index + 1 < stop else ""
            after = lows[index + 2] if index + 2 < stop else ""
            if word in _ALWAYS_CUT or following in voc.population or following[:1].isdigit() or (
                    _WAVE.fullmatch(following) and after in {"", "to", "and", "through"}):  # "from T1 to T2"
                stop = index
                break
    while stop - first > 6:
        cut = max((i for i in range(first + 2, stop) if lows[i] in _LONG_CUT
                   and not (lows[i] == "to" and lows[i - 1] in _TIME_HEADS)), default=None)  # "time to relapse"
        if cut is None:
            break
        stop = cut
    while stop - first > 1 and (lows[stop - 1] in _DANGLING or lows[stop - 1] in _TRAILING_PARTICIPLES):
        stop -= 1
    while stop - first > 1 and lows[stop - 1] in voc.trail_words:
        if lows[stop - 2] in _HARMS:
            break  # "side effects"
        if stop - first == 2 and lows[stop - 1] in _OUTCOME_WORDS and lows[first] in voc.keep_trail_after:
            break  # "child outcomes"
        if stop - first == 2 and _ADJECTIVE.search(lows[first]):
            break  # "cognitive scores" is not "cognitive"
        if stop - first == 2 and lows[stop - 1] in _OUTCOME_WORDS and (
                is_modifier(lows[first]) or never_alone(lows[first])):
            break  # "life outcomes": people never name "life" alone as an outcome
        if lows[stop - 1] in _OUTCOME_WORDS and is_modifier(lows[stop - 2]):
            break  # "children's developmental outcomes" is not "children's developmental"
        stop -= 1
    while stop - first > 1 and lows[stop - 1] in _DANGLING:
        stop -= 1  # "participation for cases": the word a trailing count or score hung from
    words = words[first:stop]
    phrase = " ".join(words).strip(" ,;:-'\"*_")
    lowered = phrase.lower()
    if not phrase or len(words) > 7 or lowered in generic:
        return None
    if OPERATOR.search(phrase) or _STATISTICS.search(phrase):
        return None
    if ")" in phrase and "(" not in phrase:
        phrase = phrase.rstrip(")").rstrip()  # "WOMAC score)": a span cut inside a bracket
        if ")" in phrase or not phrase:
            return None  # "depression) AND ...": a bracket closed that the phrase never opened is a cut fragment
    if phrase.count("(") > phrase.count(")"):  # a span cut inside a bracket it opened
        head, _, inside = phrase.rpartition("(")
        inside = inside.strip()
        if _ABBREVIATION.fullmatch(inside) and (len(inside) <= 5 or any(c.isupper() for c in inside[1:])) \
                and head.strip():
            phrase = f"{head.rstrip()} ({inside})"  # "alanine amino transferase (ALT": the abbreviation closed
        else:
            phrase = head.rstrip(" ,;:-")  # "hospitalizations (median hospital stay": the name before it
            if not phrase or phrase.count("(") > phrase.count(")"):
                return None
    if _ABBREVIATION.fullmatch(phrase) and sum(c.isupper() for c in phrase) >= 2:
        return phrase  # an abbreviation: kept only when the text defines it
    if _BAD_START.match(lowered) or _INTERVENTION_START.match(lowered):
        return None
    if not _CLAUSE_WORDS.isdisjoint(lowered.split()):
        return None
    if _DOSE.search(phrase):
        return None  # "pembrolizumab 2 mg/kg": what was given
    if any((lows[index] in voc.reject_heads or stop_head(lows[index])) and lows[index + 1] in _WHO_LINKS
           for index in range(first, min(first + 3, stop - 1))):
        return None  # "dogs with parvoviral enteritis", "postmenopausal women prior to ...": who was studied
    if lows[first] in voc.predicates:
        return None  # "outcomes were similar at 4.5 years"
    if not head_pending and lacks_head(phrase):
        return None  # cut before its head ("depressive"), or a word no one names alone ("type")
    if all(w.strip(".,").lower() in voc.header_words for w in words):
        return None  # a table's column headings ("Effect Sample Timing")
    head = words[-1].lower().strip(".,")
    measured_time = head in _TIME_HEADS and len(words) >= 2 and words[-2].lower() not in _NOT_MEASURED_TIMES
    harm = len(words) >= 2 and words[-2].lower() in _HARMS
    if ((head in voc.reject_heads or stop_head(head)) and not counted and not measured_time and not harm) or \
            head in voc.lead_words or \
            head in generic and len(words) == 1:
        return None
    if len(words) == 1 and (len(phrase) < 4 or lowered in _DANGLING or lowered in _TRAILING_PARTICIPLES or lowered.endswith(("ed", "ly", "ing")) and lowered not in _KEEP_ING
                            and not (lowered.endswith("ing") and named_alone(lowered))):
        return None
    if not _THREE_LETTERS.search(lowered):
        return None
    return phrase


def lacks_head(phrase: str) -> bool:
    """A phrase cut before its head noun (``depressive``, ``children's developmental``), or one word that
    people never name an outcome by alone (``type``)."""
    words = phrase.split()
    return bool(words) and (is_modifier(words[-1]) or (len(words) == 1 and no_name_alone(words[0])))


def _takes_head(single: str, modifier: str, distributable: bool) -> bool:
    """Whether a one-word list item takes the head of the next two-word item: an adjective before a head that is
    shared (``cognitive, language and motor development``, ``educational and life outcomes``; not ``depressive,
    suicide intentions``: a head names one thing), or the same word as the next item's modifier (``violent and
    nonviolent convictions``)."""
    return ((distributable and (_ADJECTIVE.search(single) is not None or is_modifier(single)))
            or (len(single) > 3 and single in modifier))


_CAUSE = re.compile(r"^(.+?\s(?:due\s+to|caused\s+by|attributed\s+to|attributable\s+to))\s+\S+$", re.I)


def distribute(items: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``cognitive, language and motor development`` -> each with ``development``; ``mortality due to suicide,
    accidents and cancer`` -> each with ``mortality due to``."""
    voc = vocabulary()
    out = list(items)
    for index, (phrase, _, _) in enumerate(items):
        cause = _CAUSE.match(phrase)
        if cause is None:
            continue
        for later in range(index + 1, len(items)):
            later_phrase, later_start, later_end = items[later]
            if len(later_phrase.split()) > 2 or _CAUSE.match(later_phrase):
                break
            out[later] = (f"{cause.group(1)} {later_phrase}", later_start, later_end)
    for index, (phrase, _, _) in enumerate(items):
        words = phrase.split()
        if len(words) != 2:
            continue
        modifier, head = words[0].lower(), words[1].lower()
        first = index
        while first > 0 and len(items[first - 1][0].split()) == 1 and _takes_head(
                items[first - 1][0].lower(), modifier, head in voc.distributable):
            first -= 1
        for single in range(first, index):
            single_phrase, single_start, single_end = items[single]
            out[single] = (f"{single_phrase} {words[1]}", single_start, single_end)
    return out


def sentence_case(phrase: str) -> str:
    """``Maternal sensitivity`` (capital from the sentence start) -> ``maternal sensitivity``; labels keep theirs."""
    first, _, rest = phrase.partition(" ")
    if first[:1].isupper() and first[1:].islower() and rest and rest == rest.lower():
        return first.lower() + " " + rest
    return phrase


@lru_cache(maxsize=16384)
def construct_key(phrase: str) -> str:
    """The group key of a construct: folded words, plural ``s`` dropped."""
    return "c:" + " ".join(_stem(w) for w in fold(phrase).split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=16384)
def core_stems(phrase: str) -> frozenset[str]:
    """Prefix stems of the words naming what is measured (``maternal depressive symptoms`` -> depres)."""
    modifiers = vocabulary().modifiers
    return frozenset(w[:6] for w in fold(phrase.replace("-", " ")).split() if w not in modifiers and len(w) > 2)
