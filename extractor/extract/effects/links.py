"""What an effect estimate is about: the outcome it measures and the comparison it makes.

``estimate_outcome`` looks, in order, at a label inside the estimate's bracket, a gap after the
measure's name, a label before a colon, an instrument after the estimate, the phrase before its
bracket, and ``for X`` after it. ``sentence_comparison`` reads ``A vs B``, ``between A and B
arms`` and ``compared with B`` from the estimate's sentence.
"""

from __future__ import annotations

import re

from .lexicon import load_lexicon, phrase_key
from .tail import Estimate, Tail, enclosing_bracket

_POST_OUTCOME = re.compile(
    # ("1.3% and 1.1% for mortality": the value paired with this one may stand between it and its outcome)
    r"(?:\s+(?:and|vs\.?|versus)\s+-?\d+(?:\.\d+)?\s*(?:%|percent|per\s+cent)?(?=\s+for\b))?"
    r"(?:\s*[)\]])?\s+(?P<preposition>for|on)\s+(?:the\s+)?(?P<outcome>[^,;.()\[\]\d]{2,60}?)"
    r"(?=\s*(?:[,;.()\[\]]|$)|\s+(?:and|but|while|whereas|compared|than|at|after|was|were|respectively|among)\b)"
)
_VERSUS = re.compile(r"\s(?:vs\.?|versus|v\.)\s+")
_WORDS_BEFORE = re.compile(r"(?:[A-Za-z][\w+\-/]*\s+){0,2}[A-Za-z][\w+\-/]*\s*$")
_WORDS_AFTER = re.compile(r"[A-Za-z][\w+\-/]*(?:\s+[A-Za-z][\w+\-/]*){0,2}")
_COMPARED = re.compile(
    r"\bcompared\s+(?:with|to)\s+(?:the\s+)?(?P<b>[^,;.()\d]{2,40}?)(?=\s*[,;.()]|\s+(?:at|on|for)\b)", re.I
)
# Time points and populations at the end of a phrase are not the outcome ("PHQ-9 scores at 3 months").
QUALIFIER_END = re.compile(
    r"(?:\s+(?:at|after|by|over|up\s+to|during|within|through)\s+(?:the\s+)?(?:\d+[\w\s-]*?|[\w-]+\s+)?"
    r"(?:(?:months?|weeks?|years?|days?)(?:\s+\d+)?|follow[\s-]?up|post[\s-]?test|post[\s-]?intervention|baseline"
    r"|childbirth)"
    r"(?:\s+(?:post[\s-]?partum|postnatal|post[\s-]?childbirth|of\s+age|later))?"
    r"|\s+among\s+[^,;:()]{1,40}"
    r"|\s*(?:[<>≥≤]\s*(?:or\s*)?=?|=\s*[<>])\s*\d+(?:\.\d+)?)\s*$",  # a cut-off: "EPDS ≥ 13", "score >or=12"
    re.I,
)


def strip_qualifiers(phrase: str) -> str:
    """``PHQ-9 ≥ 10 at 6 months`` -> ``PHQ-9``: time points, populations and cut-offs off the end of a phrase."""
    while True:
        stripped = QUALIFIER_END.sub("", phrase)
        if stripped == phrase:
            return phrase
        phrase = stripped


# ("more than 5% of patients" is a quantity, not a comparator)
_COMPARATOR_IN = re.compile(
    r"(?i)\b(?:compared\s+(?:with|to)|than|versus|vs\.?|relative\s+to"
    r"|(?:superior|inferior|non-?inferior|equivalent)\s+to)(?=\s)(?!\s*[<>≤≥]?\s*\d)"
)
_OUTCOME_PREPOSITION = re.compile(r"(?i)\b(?:on|in|for|regarding|with\s+respect\s+to|in\s+terms\s+of)\s")
_COMPARATOR_END = re.compile(
    r"(?i)\b(?:compared\s+(?:with|to)|than|versus|vs\.?|relative\s+to|(?:superior|inferior|non-?inferior|equivalent)\s+to)"
    r"(?:\s+the)?$"
)
TIME_POINT = (  # "6 months", "six weeks", "baseline", "follow-up", "post-test"
    r"(?:(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|twenty-four)"
    r"[\s-]*(?:months?|weeks?|years?|days?)|baseline|follow[\s-]?up|post[\s-]?(?:test|intervention|treatment))\b"
)
TIME_ONLY = re.compile(rf"^{TIME_POINT}", re.I)
# What may follow a time point in a phrase that names only a time ("6-month follow-up", "two years later")
_TIME_REST = re.compile(
    r"(?i)\s*(?:(?:follow[\s-]?up|assessment|visit|time[\s-]?point|point|post[\s-]?partum|postnatal|later|of\s+age"
    r"|after\s+\w+|of\s+(?:follow[\s-]?up|treatment|therapy))\s*)*"
)


def only_time(phrase: str) -> bool:
    """Whether ``phrase`` names only a time point (``6 months``, ``12-month follow-up``), not an outcome measured
    at one (``24-month FFTF rate``, ``five-year survival``)."""
    match = TIME_ONLY.match(phrase)
    return bool(match) and _TIME_REST.fullmatch(phrase, match.end()) is not None


_BETWEEN = re.compile(
    r"\bbetween\s+(?:the\s+)?(?P<a>[^,;.()\d]{2,30}?)\s+and\s+(?:the\s+)?(?P<b>[^,;.()\d]{2,30}?)\s+"
    r"(?:arms|groups|conditions)\b",
    re.I,
)
PAIR_LABEL = re.compile(r"\s[-\u2013\u2212/]\s|\bvs\.?\b|\bversus\b|\bv\.\s")
_COMPARATIVES = frozenset(
    {
        "lower",
        "higher",
        "greater",
        "better",
        "worse",
        "less",
        "more",
        "reduced",
        "increased",
        "improved",
        "decreased",
        "smaller",
        "larger",
        "fewer",
    }
)
_PREDICATES = frozenset(
    {"differ", "change", "improve", "increase", "decrease", "decline", "vary", "reduce", "worsen"}
)
_ARM_PREPOSITIONS = frozenset({"with", "than", "by", "from", "versus", "vs", "vs.", "receiving", "given"})
_QUOTES = "'\"\u2018\u2019\u201c\u201d"
_COLON_LABEL = re.compile(r":(?:\s*[\w-]+){0,3}\s*$")


_PREDICATE_END = re.compile(
    r"(?i)(?<=\w)\s+(?:occurred|developed|appeared|persisted|happened|resolved)(?:\s+\w+ly)?$"
)
# "mean duration of air leak in days (": the unit the values are in is not part of the outcome
_UNIT_END = re.compile(
    r"(?i)\s+in\s+(?:days|hours|minutes|weeks|months|years|seconds|mm|cm|kg|g|ml|mmHg|points)\s*$"
)


def _phrase_before(scan: str, position: int, floor: int) -> str | None:
    """The noun phrase that ends at ``position`` (``for depression (`` -> ``depression``)."""
    lexicon = load_lexicon()
    window = scan[max(floor, position - 100) : position]
    window = re.split(r"[,;:()\[\]]|(?<=\D)\.\s", window)[-1]
    words = _UNIT_END.sub("", strip_qualifiers(window.rstrip())).split()
    cut = len(words)
    while cut and words[cut - 1].lower().strip(_QUOTES) not in lexicon.stop_words:
        cut -= 1
    if _COMPARATOR_END.search(" ".join(words[:cut])):
        return None  # "compared with the placebo group (": a comparator, not an outcome
    comparator = list(_COMPARATOR_IN.finditer(window))
    if comparator and not _OUTCOME_PREPOSITION.search(window, comparator[-1].end()):
        return None  # "compared with that after a diet without walnuts (": still the comparator's phrase
    if (
        cut
        and words[cut - 1].lower() in _ARM_PREPOSITIONS
        and not (cut >= 2 and words[cut - 2].lower() in {"associated", "correlated", "linked", "related"})
    ):
        return None  # "fell by 3.1 mmHg with the leaflet (": an arm, not an outcome
    if (
        cut >= 2
        and words[cut - 1].lower() in {"in", "among", "for", "with"}
        and re.search(r"(?:\d|%|percent|cent)$", words[cut - 2])
    ):
        return None  # "was 20% for tapering and 31% for continuation (": the arm of a value, not an outcome
    if (
        cut >= 2
        and words[cut - 1].lower() in {"in", "among", "for", "at"}
        and words[cut - 2].lower() in _COMPARATIVES
    ):
        return None  # "scores were lower in walking weeks (": a condition; the subject is the outcome
    kept = _after_verb(words[cut:])
    head = _head_of(words, cut) if kept and len(kept) == len(_strip_determiners(words[cut:])) else []
    if head:  # "the rate of blood transfusion (", "osteonecrosis of the jaw (": the whole noun phrase
        kept = [*head, words[cut - 1].lower(), *words[cut:]]
    phrase = " ".join(kept[-9 if head else -6 :]).strip(" -$*_\"'")
    phrase = _PREDICATE_END.sub("", phrase)  # "osteonecrosis of the jaw occurred infrequently ("
    if (
        not phrase
        or re.match(
            r"\d+(?:\.\d+)?(?![\d.]|[-\u2010][A-Za-z])", phrase
        )  # "24 of 90 runners (": a count ("2-year ..." is not)
        or phrase.split()[-1].lower() in _PREDICATES
        or names_measure(phrase)
        or not re.search(r"[A-Za-z]", phrase)
        or phrase.lower() in lexicon.stop_words
        or only_time(phrase)
        or PAIR_LABEL.search(f" {phrase} ")
    ):
        return None
    return phrase


def _after_verb(words: list[str]) -> list[str]:
    """``PFS was significantly improved`` -> ``PFS``...: what follows the last drop word, less drop words at the end."""
    drop = load_lexicon().drop_words
    kept = list(words)
    while kept and kept[-1].lower().strip(_QUOTES) in drop:
        kept.pop()
    for index in range(len(kept) - 1, -1, -1):  # "PFS was significantly improved": keep what follows the verb
        if kept[index].lower().strip(_QUOTES) in drop:
            return kept[index + 1 :]
    return kept


def _strip_determiners(words: list[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index].lower() in {"the", "a", "an"}:
        index += 1
    return words[index:]


def _head_of(words: list[str], cut: int) -> list[str]:
    """The head before ``of`` (``rate``, ``duration``, ``number of days``) when the phrase ending at ``cut`` follows
    ``X of``; empty when there is none or it is a count, a measure's name or an effect."""
    lexicon = load_lexicon()
    if cut < 2 or not (
        words[cut - 1].lower() == "of"
        or (
            words[cut - 1].lower() == "to" and words[cut - 2].lower() in {"time", "times"}
        )  # "time to relapse"
    ):
        return []
    start = cut - 1
    while start and words[start - 1].lower().strip(_QUOTES) not in lexicon.stop_words:
        start -= 1
    if start >= 2 and words[start - 1].lower() == "of":  # "the number of days of a chest tube duration"
        inner = _head_of(words, start)
        if inner:
            return [*inner, "of", *words[start : cut - 1]] if words[cut - 1].lower() == "of" else []
    head = _after_verb(words[start : cut - 1])
    while len(head) > 1 and head[0].lower().endswith("ing"):
        head = head[1:]  # "ameliorating maternal symptoms of OCD": a verb's object, not the verb
    if (
        not head
        or not re.match(r"[A-Za-z]", head[0])
        or names_measure(" ".join(head))
        or head[-1].lower() in _NOT_OUTCOME_HEAD
        or head[-1].lower() in _CHANGE_NOUNS
        or head[-1].lower()
        in {"risk", "risks", "odds", "likelihood", "probability", "chance", "chances", "hazard"}
        or len(head) > 3
    ):
        return []
    return head


# A change alone is not an outcome: "a reduction of 20%", "the addition of X"
_CHANGE_NOUNS = frozenset(
    {
        "reduction",
        "reductions",
        "increase",
        "increases",
        "decrease",
        "decreases",
        "change",
        "changes",
        "addition",
        "use",
        "administration",
        "improvement",
        "improvements",
        "gain",
        "loss",
        "rise",
        "fall",
        "decline",
        "total",
        "out",
        "most",
        "all",
        "none",
        "each",
        "one",
        "some",
        "any",
        "majority",
        "half",
    }
)


def names_measure(phrase: str) -> bool:
    """Whether ``phrase`` is only a measure's name or abbreviation (``RR``, ``odds ratio``): not an outcome."""
    lexicon = load_lexicon()
    return (
        phrase in lexicon.abbreviations or phrase in lexicon.symbols or phrase_key(phrase) in lexicon.phrases
    )


def estimate_outcome(scan: str, estimate: Estimate, floor: int, limit: int) -> tuple[str | None, str | None]:
    """The outcome an estimate is about, and the construct when an instrument names the outcome.

    In order: a label inside the estimate's bracket (``0.25 (depression; ...)``), a gap after the
    measure's name (``RR for mortality was``), a label before a colon (``PHQ-9 remission: RR=``), an
    instrument after the estimate (``... on the SDQ``), the phrase before the estimate's bracket
    (``for depression (−0.19, ...)``), a short name before the measure (``SDQ-TD treatment estimate``),
    and ``for X`` after the estimate.
    """
    if estimate.tail.outcome:
        return estimate.tail.outcome, None
    anchor = estimate.anchor_start
    segment_start = max(floor, scan.rfind(";", floor, anchor) + 1, scan.rfind("(", floor, anchor) + 1)
    before = scan[segment_start:anchor].rstrip()
    colon = _COLON_LABEL.search(before)
    if colon:  # "PHQ-9 remission: RR= 1.08", "PHQ-9 total score: Standardized Mean Difference = ..."
        phrase = clean_outcome(_phrase_before(scan, segment_start + colon.start(), segment_start))
        if phrase:  # (an arm's label, "(home visiting: 0.32 SD", is not: the phrase before the bracket is)
            return phrase, None
    bracket = estimate.in_bracket
    if bracket is None:
        bracket = enclosing_bracket(scan, anchor, floor, past_abbreviations=True)
    construct = _phrase_before(scan, bracket, floor) if bracket is not None else None
    after = _POST_OUTCOME.match(scan, estimate.end, limit) or _FOUND_FOR.match(scan, estimate.end, limit)
    if after is None and estimate.tail.qualifier is not None:  # "a risk ratio of 0.7 for relapse (95% CI"
        after = _POST_OUTCOME.match(scan, estimate.tail.qualifier, limit)
    if after and _RESPECTIVE_REST.match(scan, after.end(), limit):
        after = None  # "17 versus 23% for losartan and captopril, respectively": one item each, read in respective
    if (
        after
        and after.group("preposition") == "for"
        and _FOR_VERSUS.search(scan, max(floor, anchor - 80), anchor)
    ):
        after = None  # "medians of 28.9 for PLD versus 23.3 weeks for topotecan": "for" the arm of each value
    if after and after.group("preposition") == "on" and not clean_outcome(after.group("outcome")):
        after = None  # "neuropathy (13%) on the ixabepilone arm": "on" an arm names no outcome
    if after and after.group("preposition") == "on":
        return after.group("outcome").strip(), construct
    if construct and clean_outcome(construct):
        return construct, None
    # (a bracket after an arm, "than in the control group (... ; rates of 7% and 79%", names no outcome: read on)
    changed = _CHANGED_BY.search(scan, max(floor, anchor - 160), bracket if bracket is not None else anchor)
    if changed and changed.group("bare") is not None and (bracket is None or changed.end() != bracket):
        changed = None
    if changed and "by" not in changed.group().split() and _NOT_AN_OBJECT.search(changed.group("outcome")):
        changed = None  # "decreased while they increased for the waiting list (": a clause, not an object
    if changed and not re.search(r"[;:]", changed.group()):
        # "coaching reduced relapse by 39% (OR = 0.61", "raised attendance by 0.2 SD": the object changed
        phrase = clean_outcome(changed.group("outcome"))
        if phrase:
            return phrase, None
    if (
        before
        and len(before.split()) <= 3
        and estimate.in_bracket is None
        and (not construct or re.search(r"[A-Z]{2,}", before))
    ):
        # (in the bracket after an arm only a code: "(DRFS hazard ratio = 0.78", not "the 150-mg group
        # (least-squares mean difference of -28.9")
        phrase = _phrase_before(scan, segment_start + len(before), segment_start)
        if phrase and phrase == before.strip():
            return phrase, None  # "SDQ-TD treatment estimate: ..." names the outcome before the measure
    of_value = _OF_VALUE.search(scan, max(floor, anchor - 160), anchor)
    if of_value is None and bracket is not None:  # "a pass rate of 81% versus 74% (OR 1.5"
        of_value = _OF_VALUES.search(scan, max(floor, bracket - 160), bracket)
    if of_value:  # "experienced a 4-year PFS of 52% versus 49% for AHT": the phrase the value is "of"
        named = _DETERMINED.search(scan, max(floor, of_value.start("of") - 80), of_value.start("of"))
        phrase = clean_outcome(
            named.group("phrase") if named else _phrase_before(scan, of_value.start("of"), floor)
        )
        if phrase and phrase.split()[-1].lower() not in _CHANGE_HEADS:
            return phrase, None
    if after and clause_subject(scan, estimate, floor):
        # "the relapse rate was 12% for tapering and 4% for continuation": the subject is the outcome and
        # "for X" after each value names its arm
        return None, None
    return (after.group("outcome").strip(), None) if after else (None, None)


_POPULATION_WORDS = (
    r"women|mothers|fathers|parents|children|infants|babies|adolescents|youths?|students|pupils|girls|boys"
    r"|men|participants|patients|adults|individuals|people|persons|subjects|respondents|families"
)
# "reduced relapse by 39% (", "increased school attendance by ": the object of a change verb, then how much
_CHANGED_BY = re.compile(
    r"(?i)\b(?:reduced|increased|decreased|lowered|raised|improved|cut|shortened|lengthened|prolonged|halved"
    r"|doubled|reduces|increases|improves|lowers|raises)\s+(?:the\s+)?"
    r"(?:(?:risk|odds|rate|rates|likelihood|incidence|number|frequency|severity|duration)\s+(?:of|for)\s+(?:the\s+)?)?"
    # (not an adverb or a preposition: "were reduced more significantly in the A group compared with those in")
    r"(?!(?:more|less|\w+ly|in|among|at|after|during|with|for|than|compared)\b)"
    r"(?P<outcome>(?:\d{1,2}-(?:year|month|week|day)\s+)?[A-Za-z][^,;:()\[\]=<>\d]{1,60}?)(?:\s+(?:in|among)\s+(?:the\s+)?[^,;:()\[\]=<>\d]{0,40}?"
    rf"(?:population|{_POPULATION_WORDS}|groups?|subgroups?|cohort|sample))?"
    r"(?:\s+by\s+(?:(?:about|approximately|nearly|almost|around|over)\s+)?"
    r"(?:[-\u2212]?\d[\d.]*\s*(?:%|percent|per\s+cent|points?|percentage\s+points?)?\s*)?[(\[]?"
    # "reduced the thrombosis rate from 1.7% to 0.2%"; "reduced airways resistance in patients (0.53 vs": the
    # bracket of values right after the object (read only when the value is in that bracket)
    r"|\s+from|(?P<bare>))\s*$"
)
# "A hazard ratio of 0.62 (95% CI ...) was found for hospital admission"
# what an object of a change verb read without "by" may not hold: a second clause or a verb
_NOT_AN_OBJECT = re.compile(r"(?i)\b(?:while|whereas|but|which|that|they|it|was|were|is|are|had|have|\w+ed)\b")
_FOUND_FOR = re.compile(
    r"(?:\s*[)\]])?\s+(?:was|were)\s+(?:\w+ly\s+)?(?:found|observed|seen|noted|reported|obtained|estimated)\s+"
    rf"(?P<preposition>for)\s+(?:the\s+)?(?!(?:those|all|each|both|{_POPULATION_WORDS})\b)"
    r"(?P<outcome>[^,;.()\[\]\d]{2,60}?)"
    r"(?=\s*(?:[,;.()\[\]]|$)|\s+(?:and|but|while|whereas|compared|than|at|after|among|in)\b)",
    re.I,
)
_VALUE = r"[-\u2212]?\d[\d.,]*(?:\s*(?:\+/-|\+\s*or\s*-|±)\s*\d[\d.,]*)?\s*(?:%|percent|per\s+cent|[a-zA-Z/]{1,8})?"
_OF_VALUE = re.compile(
    # ("response rates of 17.0% (95% CI 7.7-30.8%) and 15.6%": the first value may carry its interval)
    rf"(?<=[A-Za-z])(?P<of>\s+of)\s+(?:{_VALUE}\s*(?:\((?:[^()]|\([^()]{{0,12}}\)){{0,60}}\)\s*)?,?\s*"
    r"(?:versus|vs\.?|v|and|(?:as\s+)?compared\s+(?:with|to)|to)\s+)?$"
)
_OF_VALUES = re.compile(
    rf"(?<=[A-Za-z])(?P<of>\s+of)\s+{_VALUE}(?:\s*(?:versus|vs\.?|v|and|compared\s+with|to)\s+{_VALUE})?\s*$"
)
# "experienced a 4-year PFS": the noun phrase a determiner opens, right before "of <value>"
_DETERMINED = re.compile(r"(?i)\b(?:an?|the)\s+(?P<phrase>(?:[A-Za-z0-9][\w/+-]*\s+){0,3}[A-Za-z][\w/+-]*)$")
_OUTCOME_WORDS = r"[^,;.:()\[\]=<>\d]{2,60}?"
_OUTCOME_END = (
    r"(?=\s*[,;.:()\[\]]|\s+(?:and|but|as|in|among|at|for|with|was|were|is|are|of|by|than|when|while|whereas|which|"
    r"that|after|compared|across|respectively|included|including|comprised|such|did|does|remained|showed|because"
    r"|due|owing)\b|\s*$)"
)
# "the average overall effect on maternal sensitivity was small ($g=.32$)": the clause before the estimate
_EFFECT_ON = re.compile(
    rf"\b(?:effects?|impacts?|benefits?|improvements?|reductions?|differences?|changes?)\s+(?:\w+\s+){{0,2}}?"
    rf"(?:on|in)\s+(?:the\s+)?(?:(?:prevention|treatment|management|reduction|incidence)\s+of\s+(?:the\s+)?)?"
    rf"(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}",
    re.I,
)
# "... ($d=.37$) at improving maternal behaviours", "(ES = .47) for video feedback on parenting behaviours"
_AT_IMPROVING = re.compile(
    rf"[\s$*_)\]]*(?:[^.;()]|\.(?=\d)){{0,120}}?\b(?:at|in|for)\s+(?:improving|increasing|reducing|decreasing|enhancing|preventing|"
    rf"promoting|lowering|raising)\s+(?:the\s+)?(?:observed\s+)?(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}",
    re.I,
)
_FOR_THEN_ON = re.compile(
    rf"[\s$*_)\]]*\s(?:for|of)\s+[^,;.()]{{1,60}}?\s+on\s+(?:the\s+)?(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}",
    re.I,
)
# "... (OR = 2.1) were associated with depressive symptoms": a dependent named after the estimates
_ASSOCIATED_AFTER = re.compile(
    rf"[\s$*_)\]]*(?:[^.;()\[\]]|\.(?=\d)|\([^()]{{0,80}}\)|\[[^\[\]]{{0,80}}\]){{0,400}}?"
    rf"\b(?:were|was|is|are)\s+(?:\w+\s+){{0,2}}?(?:associated|correlated|linked)\s+with\s+"
    rf"(?:(?:an?\s+)?(?:increased|higher|greater|lower|reduced|decreased)\s+)?(?:(?:risk|odds|likelihood|levels?)\s+of\s+)?"
    rf"(?:the\s+)?(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}",
    re.I,
)
# "the relapse rate was 12.5 % in ...": the subject of the clause that states the value
_SUBJECT = re.compile(
    r"(?:^|(?<=[,;:])\s*|\b(?:the|and|that|where)\s+)"
    # words, a short bracketed abbreviation ("adverse events (AEs)"), digits inside a name or a time ("24-month
    # rate", "survival over 6 months"), but no free-standing number: that is a value, not a name
    r"(?P<outcome>[A-Za-z](?:(?i:grade|type|stage|class|phase)\s\d{1,2}\b|[^,;:()\[\]=<>\d]|\(\s?[^()\d]{1,60}\s?\)|(?<=[A-Za-z-])\d+|\d+(?=-[A-Za-z])"
    r"|\d+(?=\s+(?:months?|weeks?|years?|days?)\b)){1,80}?)(?<!\bwho)(?<!\bthat)(?<!\bwhich)\s+"
    r"(?:was|were|is|are|rose|fell|declined|decreased|increased|improved|differed|changed|remained"
    r"|did\s+not\s+(?:differ|change|improve)|occurred|developed)\b"
    # (the value is in this clause: the way to it crosses no second "was"/"were")
    r"(?:(?!\b(?:was|were)\b)[^.;:()\[\]]|\.(?=\d)|(?<=\bvs)\.|\([^()]{0,60}\)|\[[^\[\]]{0,60}\]){0,140}?"
    # the estimate may be a later value of a bracket: "was lower in A (10% vs. 6%)", "(154 (29) v 144 (31)"
    r"(?:[(\[](?:[^()\[\]]|(?<=\bvs)\.|\.(?=\d)|\([^()]{0,20}\)){0,60})?\s*$",
)
_NAME = r"[A-Za-z](?:[^,;:()\[\]=<>\d.]|\(\s?[^()\d]{1,12}\s?\)|(?<=[A-Za-z-])\d+|\d+(?=-[A-Za-z])){1,80}?"
# "Mean procedure times were: group A, 80 min; group B, 98 min": the subject of a list after a colon
_LIST_SUBJECT = re.compile(
    rf"(?:^|(?<=[.;])\s*|\b(?:the|The)\s+)(?P<outcome>{_NAME})\s+(?:was|were|are|is)"
    # "CGI ratings were higher in the amantadine group: 53% improved versus 25%"
    r"(?:\s+(?!(?:was|were)\b)[^.;:,()\[\]\d]{1,60}?)?\s*:"
)
# "a 57% response rate was seen in ...": the noun the value qualifies
_VALUE_NOUN = re.compile(
    r"\s+(?P<outcome>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3}?)\s+(?:was|were)\s+(?:\w+ly\s+)?"
    r"(?:seen|observed|found|noted|achieved|reported|recorded)\b"
)
# "a 50% increase in heart rate variability"
_VALUE_CHANGE = re.compile(
    r"[\s-]+(?:(?:relative|absolute|mean|median)\s+)?(?:increase|reduction|decrease|rise|fall|improvement|decline|gain|loss"
    r"|(?:(?<=SD\s)|(?<=SDs\s)|(?<=deviation\s)|(?<=deviations\s))(?:effect|impact|difference|advantage|benefit))s?"
    rf"\s+(?:in|of|on)\s+(?:the\s+)?(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}"
)
# "patients had a higher incidence of BWI with A (9.1%)", "were at higher risk for BWI after A (6.7%)"
_HAD_MORE = re.compile(
    r"(?i)\b(?:had|showed|experienced|reported|developed|were\s+at|was\s+at)\s+(?:an?\s+)?(?:significantly\s+)?"
    r"(?:higher|lower|greater|increased|reduced|decreased|more|fewer|less|elevated)\s+"
    r"(?:(?:risk|odds|likelihood)\s+(?:of|for)\s+)?"
    rf"(?P<outcome>{_NAME})(?=\s+(?:with|in|after|than|among|on|during|following)\b|\s*[,(\[])"
)
# "24 recipients (11.7%) had proximal venous thrombosis": what the people counted had, after the count
_THEN_HAD = re.compile(
    # (the way to the verb holds no other count: "two had falls, three with sores and one had delirium")
    # (but a second subject of the same shape may: "22 warfarin recipients (10.4%) and 24 enoxaparin recipients
    # (11.7%) had thrombosis")
    r"(?:\s*[)\]])?(?:(?!\b(?:one|two|three|four|five|six|seven|eight|nine|ten|none)\b)[^.;:,()\[\]\d]"
    r"|\([^()]{0,30}\)|(?<=\))\s+and\s+\d+\s+[A-Za-z][^.;:,()\[\]\d]{0,40}?\s*\([^()]{0,30}\)){0,60}?"
    r"\b(?:had|experienced|showed|developed|achieved"
    r"|suffered(?:\s+from)?|presented\s+with|required|underwent|completed|noted|reported|started|needed"
    r"|(?:were|was)\s+(?:categori[sz]ed|classified|considered|rated|judged)\s+as)\s+(?:an?\s+|the\s+)?"
    rf"(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}"
)
# "the presence of TIMI 3 flow in 96 % of patients", "nodal spread was detected in 21 out of 94 patients": a
# count of people the outcome was found in
_IN_COUNT = re.compile(
    r"(?<=[A-Za-z])\s+(?P<in>in)\s+(?:only\s+|about\s+|approximately\s+)?"
    r"(?=\d+(?:\.\d+)?\s*(?:%|percent|per\s+cent)?\s*(?:(?:out\s+)?of\s+(?:the\s+)?\d+\s*)?"
    rf"(?:of\s+(?:the\s+)?)?(?:{_POPULATION_WORDS}|cases|recipients)\b)"
)
# "spread was detected", "disease, which occurred": the verb before "in <count>", with its subject before it
_PASSIVE_END = re.compile(
    r"(?i)\s+(?:was|were)\s+(?:\w+ly\s+)?[a-z]+(?:ed|en|wn)$|\s*,?\s+(?:which|that)\s+(?:\w+ly\s+)?[a-z]+ed$"
)
# "; for cancer deaths , 156 (3.3%) vs 178 (3.7%)": the outcome a clause opens with
_FOR_LEAD = re.compile(
    r"(?:^|(?<=[;:])|(?<=\.)\s)\s*(?:and\s+)?(?i:for)\s+(?:the\s+)?"
    rf"(?!(?:all|each|both|those|{_POPULATION_WORDS})\b)(?P<outcome>[^,;:()\[\]=<>\d]{{2,60}}?)\s*,"
)
# "X increased significantly from 172 to 220 g": a change verb, then "from" and the value
_CHANGED_FROM = re.compile(
    r"(?i)\s+(?:\w+ly\s+)?(?:increased|decreased|rose|fell|declined|dropped|improved|changed|went\s+(?:up|down))"
    r"\s+(?:\w+ly\s+)?from\s+$"
)
# "19.5% ... compared with 6.9%": the value this one is compared with, earlier in its clause
_PARTNER = re.compile(
    r"(?<![\w.])(?P<value>\d+(?:\.\d+)?)(?![\d.]\d)[^.;\d]{0,80}?\b(?:compared\s+(?:with|to)|versus|vs\.?|than)\s+"
    r"(?:(?:that|those)\s+(?:of|in|for)\s+(?:the\s+)?)?$"
)
# "there were significantly more cardiovascular deaths with A (15%) than with B (13%)"
_THERE_WERE = re.compile(
    r"(?i)\bthere\s+(?:was|were)\s+(?:(?:significantly|significant|slightly|statistically|a\s+trend\s+towards?)\s+)*"
    r"(?:more|fewer|less|greater|lower|higher|no\s+(?:significant\s+)?differences?\s+in)\s+"
    rf"(?P<outcome>{_NAME})(?=\s+(?:with|in|among|for|between|after|on|during)\b|\s*[,(\[])"
)
# "There were a total of three deaths in A and eight deaths in B": an existential clause, and the noun a bare
# count of it counts
_THERE_ARE = re.compile(r"(?i)\bthere\s+(?:was|were|is|are|(?:had|have|has)\s+been)\b")
_BARE_COUNT = re.compile(
    r"(?i)\d+|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?"
)
_COUNTED_NOUN = re.compile(
    rf"\s+(?:\([^()]{{0,30}}\)\s*)?"
    # ("12 patients with sepsis": the people counted, then what they had)
    rf"(?:(?:{_POPULATION_WORDS}|cases)\s+(?:with|who\s+(?:had|developed|experienced))\s+)?"
    rf"(?!(?:{_POPULATION_WORDS}|cases|events|of|more|fewer|additional|other|related|due|attributed|attributable"
    rf"|caused|associated)\b)(?P<outcome>[A-Za-z]{_OUTCOME_WORDS}){_OUTCOME_END}"
)
# "Six patients died of infections", "418 (83%) completed the regimen", "9 (69%) of 13 patients responded": what
# happened to the people a count counts, when the verb is the event (the object of "had" is read by _THEN_HAD)
_PEOPLE_COUNT = re.compile(
    rf"(?i)(?:\d+(?:\.\d+)?|{_BARE_COUNT.pattern[4:]})(?:\s*(?:%|percent|per\s+cent))?"
    rf"(?:\s*\(\s*\d+(?:\.\d+)?\s*%\s*\))?(?:\s+of\s+(?:the\s+)?\d+)?"
    rf"(?:\s+(?:of\s+(?:the\s+)?)?(?:[\w-]+\s+){{0,2}}?(?:{_POPULATION_WORDS}|pts|cases))?"
)
_EVENT_AFTER = re.compile(
    # ("More CD patients (28%) discontinued due to AEs": the count may be the bracket after its people)
    rf"(?:\s*\)(?=\s+\w+ed\b))?(?:\s*\(\s*\d+(?:\.\d+)?\s*%\s*\))?(?:\s+of\s+(?:the\s+)?\d+)?"
    rf"(?:\s+(?:of\s+(?:the\s+)?)?(?:[\w-]+\s+){{0,2}}?(?:{_POPULATION_WORDS}|pts|cases))?"
    r"(?:\s+(?:in|of|from)\s+the\s+[\w\s-]{1,30}?\s+(?:group|arm))?"
    r"\s+(?:\w+ly\s+)?(?P<outcome>(?i:died|completed|discontinued|withdrew|dropped\s+out|responded|resumed|relapsed"
    r"|recovered|survived|stopped|quit|abstained|remitted|deteriorated)\b"
    r"(?:\s+(?!(?:in|at|after|before|because|compared|than|versus|vs|while|whereas|but|and|or|who|which|during"
    r"|following|with|on|within|by)\b)[A-Za-z][\w-]*){0,5})"
)


def _counted_event(scan: str, estimate: Estimate, ceiling: int) -> str | None:
    """What happened to the people a bare count counts, when the count is the clause's subject."""
    if not _PEOPLE_COUNT.fullmatch(scan, estimate.start, estimate.end):
        return None
    match = _EVENT_AFTER.match(scan, estimate.end, ceiling)
    if not match:
        return None
    phrase = match.group("outcome").strip()
    return phrase if _length(phrase) <= 8 else None


# what happens to things counted: "... first attempts failed", "... deaths occurred", "... cancers were detected"
_EVENT_VERB = re.compile(
    r"(?i)\s+(?:(?:were|was)\s+(?:\w+ly\s+)?)?(?:occurred|failed|arose|detected|recorded|observed|reported|found"
    r"|seen|noted|diagnosed)\b(?=\s*$)"
)
_COUNT_SPAN = re.compile(rf"(?:{_BARE_COUNT.pattern[4:]})(?:\s*\(\s*\d+(?:\.\d+)?\s*%\s*\))?", re.I)
# "Six of the seven cardiovascular deaths in A were caused by ...": the things a part of a count is of
_PART_OF = re.compile(
    rf"\s+of\s+(?:the|these|those)\s+(?:\d+|{_BARE_COUNT.pattern[4:]})?\s*"
    rf"(?!(?:{_POPULATION_WORDS}|cases|events)\b)(?P<outcome>[A-Za-z]{_OUTCOME_WORDS}){_OUTCOME_END}"
)
# "2 cases of CHF", "one report of palmar-plantar erythrodysesthesia": what the cases are of
_CASE_WORDS = r"(?:cases?|episodes?|events?|reports?|instances?|occurrences?)"
_CASES_OF = re.compile(
    rf"(?:\s+{_CASE_WORDS})?\s+of\s+(?:the\s+)?(?!(?:{_POPULATION_WORDS})\b)(?P<outcome>[A-Za-z]{_OUTCOME_WORDS}){_OUTCOME_END}"
)
_COUNTED_CASES = re.compile(rf"(?i)(?:{_BARE_COUNT.pattern[4:]})\s+{_CASE_WORDS}")
_ASSOCIATION_WORDS = re.compile(
    r"(?i)(?<![\w-])(?:associated|correlated|linked|related|predicted|predictive)\b"
)
# Heads that make a phrase an arm, a subgroup or a population rather than an outcome.
_NOT_OUTCOME_HEAD = frozenset(
    {
        "intervention",
        "interventions",
        "program",
        "programs",
        "programme",
        "programmes",
        "group",
        "groups",
        "arm",
        "arms",
        "condition",
        "conditions",
        "study",
        "studies",
        "trial",
        "trials",
        "analysis",
        "analyses",
        "sessions",
        "session",
        "visiting",
        "visits",
        "visit",
        "women",
        "mothers",
        "fathers",
        "parents",
        "children",
        "males",
        "females",
        "men",
        "boys",
        "girls",
        "participants",
        "patients",
        "sample",
        "samples",
        "model",
        "models",
        "subgroup",
        "subgroups",
        "care",
        "treatment",
        "therapy",
        "controls",
        "control",
        "placebo",
        "placebos",
        "waitlist",
        "wait-list",
        "results",
        "conclusions",
        "methods",
        "background",
        "there",
        "it",
        "this",
        "these",
        "difference",
        "differences",
        "effect",
        "effects",
        "youth",
        "adolescents",
        "infants",
        "students",
        "adults",
        "families",
        "individuals",
        "people",
        "persons",
        "subjects",
        "respondents",
        "users",
        "recipients",
        "members",
        "households",
        "pupils",
        "staff",
        "nurses",
        "ratio",
        "size",
        "estimate",
        "outcome",
        "outcomes",
        "endpoint",
        "endpoints",
        "end-point",
        "end-points",
        "relationship",
        "relationships",
        "association",
        "associations",
        "correlation",
        "correlations",
    }
)


_COUNT = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
# "three to five ACEs", "2 or more children": an exposure level, not an outcome
COUNT_LEVEL = re.compile(
    rf"(?i){_COUNT}(?:\s*(?:to|or|-|\u2013)\s*(?:{_COUNT}|more))?(?:\s+or\s+more)?\s+[A-Za-z][\w-]*"
)
# "depressive symptoms-one ACE": the exposure level glued to the outcome it is tied to
# (after a word, not a code: "PHQ-9 remission" is an instrument's outcome)
_LEVEL_TAIL = re.compile(rf"(?<=[a-z])\s*[-\u2013]\s*(?i:{COUNT_LEVEL.pattern[4:]})\s*$")
_POPULATIONS = (
    r"women|mothers|fathers|parents|children|infants|babies|adolescents|youths?|students|pupils|girls|boys"
    r"|men|participants|patients|adults|individuals|people|persons|subjects|respondents|families"
)
# "(the proportion of) women who developed postpartum depression", "children with conduct problems": the
# people who had the outcome; the outcome is what follows
_POPULATION_HEAD = re.compile(
    rf"(?i)^(?:(?:the\s+)?(?:proportion|percentage|number|share)\s+of\s+)?(?:the\s+)?(?:{_POPULATIONS})\s+"
    r"(?:(?:who|that)\s+(?:(?:had|have|has)\s+)?(?:developed|had|have|has|reported|experienced|showed|met)"
    r"(?:\s+(?:criteria|the\s+criteria)\s+for)?|with)\s+(?=\S)"
)


def outcome_phrase(phrase: str) -> str:
    """The outcome a linked phrase names, without the people who had it (``women who developed postpartum
    depression`` -> ``postpartum depression``) or an exposure level glued after it (``depressive
    symptoms-one ACE`` -> ``depressive symptoms``)."""
    stripped = _LEVEL_TAIL.sub("", _POPULATION_HEAD.sub("", phrase.strip()))
    head = _MEASURE_HEAD.match(stripped)  # "hazard ratio for hospital admission": the measure's outcome
    if head and names_measure(head.group("measure")):
        stripped = stripped[head.end() :]
    return stripped if re.search(r"[^\W\d_]{3}", stripped) else phrase.strip()


_MEASURE_HEAD = re.compile(
    r"(?i)(?:the\s+)?(?:(?:adjusted|unadjusted|crude|pooled)\s+)?(?P<measure>[\w-]+(?:\s+[\w-]+)?)\s+(?:for|of)\s+(?=\S)"
)


_GENERIC_HEADS = frozenset(
    {
        "rate",
        "rates",
        "risk",
        "incidence",
        "score",
        "scores",
        "level",
        "levels",
        "time",
        "duration",
        "proportion",
        "number",
        "change",
        "frequency",
        "response",
        "values",
        "value",
    }
)
_FIGURES_FOR = re.compile(
    r"(?i)^(?:(?:the|corresponding|respective|similar)\s+)*(?:figures|values|results|numbers|data)\s+(?:for|of|on)\s+(?=\S)"
)
_CHANGE_HEADS = frozenset(
    {
        "reduction",
        "reductions",
        "increase",
        "increases",
        "decrease",
        "decreases",
        "change",
        "changes",
        "improvement",
        "improvements",
        "decline",
        "rise",
        "fall",
        "difference",
        "differences",
    }
)
_NOT_A_NAME = frozenset(
    {
        "prevention",
        "management",
        "treatment",
        "which",
        "who",
        "that",
        "it",
        "this",
        "these",
        "those",
        "they",
        "shorter",
        "longer",
        "similar",
        "different",
        "lower",
        "higher",
        "greater",
        "better",
        "worse",
        "faster",
        "slower",
        "fewer",
        "more",
        "less",
    }
)
_ARM_OPENERS = frozenset(
    {"without", "with", "versus", "vs", "vs.", "comparing", "receiving", "using", "given"}
)
_CONJUNCTIONS = frozenset({"and", "but", "although", "though", "whereas", "while", "however", "also", "thus"})
_SECTION_WORDS = frozenset(
    {"results", "result", "findings", "conclusions", "conclusion", "methods", "background"}
)


def clean_outcome(phrase: str | None) -> str | None:
    """A linked phrase fit to name an outcome, or None (an arm, a subgroup, a population, a measure's name,
    an exposure level)."""
    if not phrase:
        return None
    phrase = outcome_phrase(strip_qualifiers(" " + phrase.strip()).strip(" -$*_\"'"))
    phrase = _FIGURES_FOR.sub("", phrase)  # "corresponding figures for fibrin deposition"
    if COUNT_LEVEL.fullmatch(phrase):
        return None  # "two ACEs (AOR = 3.2)": the exposure level of a list, not its outcome
    words = phrase.split()
    drop = load_lexicon().drop_words
    while words and (
        words[0].lower() in drop
        or words[0].lower() in _CONJUNCTIONS
        or (words[0].isupper() and words[0].lower() in _SECTION_WORDS)
    ):
        words.pop(
            0
        )  # "RESULTS The mean survival": a heading run into the sentence is not part of its subject
    if len(words) == 1 and len(phrase.split()) > 1:
        kept = phrase.split()
        if (
            words[0].lower() in _GENERIC_HEADS and kept[-2].lower() not in {"the", "a", "an", "its", "their"}
        ) or kept[-2].lower() in {"overall", "total", "average", "combined", "composite"}:
            words = kept[
                -2:
            ]  # "the total effective rate", "overall survival": not "rate" or "survival" alone
    phrase = " ".join(words)
    if not words or not re.search(r"[^\W\d_]", phrase) or names_measure(phrase) or only_time(phrase):
        return None
    if words[-1].lower() in _NOT_OUTCOME_HEAD or _length(phrase) > 8:
        return None
    if words[-1].lower() in _CHANGE_HEADS:
        return None  # "an insignificant decrease": a change with nothing it is a change in
    if len(words) == 1 and (
        words[0].lower() in _CHANGE_NOUNS
        or words[0].lower() in _NOT_A_NAME
        or re.fullmatch(rf"(?i){_COUNT}|none|no|nine|eleven|twelve|twenty|thirty|forty|fifty", words[0])
    ):
        return None  # "an effect on the prevention of ...", "which", "shorter": not an outcome's name
    if words[0].lower() in _ARM_OPENERS:
        return None  # "without priming", "comparing GD": an arm or a comparison, not an outcome
    return phrase


def _length(phrase: str) -> int:
    """Words in ``phrase`` outside brackets ("adverse events (AEs)" is two)."""
    return len(re.sub(r"\([^()]*\)", " ", phrase).split())


_TRAILING_PREPOSITION = re.compile(r"(?i)\s+(?:to|on|at|in|for|as|with|during|after|among|from|by|under)\s")


def _shortened(phrase: str) -> str:
    """A subject too long to be a name, less its trailing prepositional phrases (``total dye volume to search and
    engage the ostium`` -> ``total dye volume``), down to eight words if it can be."""
    while _length(re.sub(r"(?i)^\s*(?:the|an?)\s+", "", phrase)) > 8:
        cuts = [match for match in _TRAILING_PREPOSITION.finditer(phrase) if _length(phrase[: match.start()]) >= 2]
        if not cuts:
            break
        phrase = phrase[: cuts[-1].start()]
    return phrase


# "Risk factors for burn injuries were ADHD (OR = 2.8) ...": the dependent, named before the list
_FACTORS_FOR = re.compile(
    rf"\b(?:(?:risk|protective)\s+factors?\s+(?:of|for)|factors?\s+(?:associated\s+with|related\s+to|for)"
    rf"|(?:predictors?|determinants?|correlates?)\s+(?:of|for))\s+(?:the\s+)?"
    rf"(?:(?:an?\s+)?(?:increased|higher|greater|lower|reduced)\s+)?(?:(?:risk|odds|likelihood)\s+of\s+)?"
    rf"(?P<outcome>{_OUTCOME_WORDS}){_OUTCOME_END}",
    re.I,
)


def associated_outcome(scan: str, estimate: Estimate, floor: int, ceiling: int) -> str | None:
    """The dependent of an association the estimate's sentence states: ``smoking (OR = 2.1) and sleep (OR =
    0.5) were associated with depression``, ``risk factors for burns were ADHD (OR = 2.8)``."""
    match = _ASSOCIATED_AFTER.match(scan, estimate.end, ceiling)
    if match and re.match(r"\s*than\b", scan[match.end() : ceiling]):
        return None  # "nausea (53% vs 37%) was more often associated with A than B": A and B are the arms
    if match:
        return clean_outcome(match.group("outcome"))
    before = list(_FACTORS_FOR.finditer(scan, floor, estimate.anchor_start))
    return clean_outcome(before[-1].group("outcome")) if before else None


def clause_outcomes(
    scan: str, estimate: Estimate, floor: int, ceiling: int, partner: bool = True
) -> list[str]:
    """Outcomes the estimate's sentence names around it, nearest reading first: ``effect on X was ... (est)``,
    ``(est) at improving X``, ``(est) for A on X``; with none, and ``partner``, those of the value it is compared
    with (``X was 12% in A compared with 18% in B``)."""
    found: list[str] = []
    clause_start = _clause_start(scan, estimate, floor)
    change = _VALUE_CHANGE.match(scan, estimate.end, ceiling)
    if change and estimate.rule == "sd_units":  # "a 0.45 SD improvement in reading scores": the value's noun
        found.append(change.group("outcome"))
    before = list(_EFFECT_ON.finditer(scan, clause_start, estimate.anchor_start))
    if before:
        found.append(before[-1].group("outcome"))
    for pattern in (_AT_IMPROVING, _FOR_THEN_ON):
        match = pattern.match(scan, estimate.end, ceiling)
        if match:
            found.append(match.group("outcome"))
    for pattern in (_VALUE_NOUN, _VALUE_CHANGE):  # the noun right after the value: nearer than a subject
        match = pattern.match(scan, estimate.end, ceiling)
        if match:
            found.append(match.group("outcome"))
    there = _THERE_ARE.search(scan, clause_start, estimate.anchor_start)
    if _COUNT_SPAN.fullmatch(scan, estimate.start, estimate.end):
        # "There were 10 cerebral infarctions and 1 intracerebral hematoma in A": what the count counts; so too
        # where the counted things are the subject of an event ("Three (6%) first attempts failed in A", "133
        # breast cancer deaths occurred") or "N of the M X" counts them
        noun = _COUNTED_NOUN.match(scan, estimate.end, ceiling)
        if noun and re.fullmatch(rf"(?i){_CASE_WORDS}", noun.group("outcome")):
            noun = _CASES_OF.match(scan, estimate.end, ceiling)  # "There was only one report of X"
        existential = there is not None and not re.search(r"\.\s", scan[there.end() : estimate.start])
        event = _EVENT_VERB.search(noun.group("outcome")) if noun else None
        if noun and (existential or event or _EVENT_VERB.match(scan, noun.end("outcome"), ceiling)):
            found.append(noun.group("outcome")[: event.start()] if event else noun.group("outcome"))
        else:
            part = _PART_OF.match(scan, estimate.end, ceiling) or _CASES_OF.match(scan, estimate.end, ceiling)
            if part:
                found.append(part.group("outcome"))
    elif _COUNTED_CASES.fullmatch(scan, estimate.start, estimate.end):
        part = _CASES_OF.match(scan, estimate.end, ceiling)  # "(including 2 cases of CHF)"
        if part:
            found.append(part.group("outcome"))
    counted = [  # (the count is read past the estimate's start: it may be the estimate)
        match
        for match in _IN_COUNT.finditer(scan, clause_start, min(ceiling, estimate.anchor_start + 60))
        if match.end() <= estimate.anchor_start
    ]
    if counted and not re.search(  # (a relative clause's verb is no new clause: "who were tutored")
        r"\.\s|(?<!who\s)(?<!that\s)\b(?:was|were|is|are)\b", scan[counted[-1].end("in") : estimate.anchor_start]
    ):
        # "showed the presence of TIMI 3 flow in 96% of patients ... and 65% of patients": what the people had;
        # "nodal spread was detected in 21 of 94 patients": the subject of the passive
        position = counted[-1].start()
        passive = _PASSIVE_END.search(scan, clause_start, position)
        counted_what = _phrase_before(scan, passive.start() if passive else position, clause_start) or ""
        if passive and passive.group().lstrip(" ,").lower().startswith(("was", "were")):
            # "TIMI flow after primary PCI was obtained in 85%": the clause subject reads the whole name
            counted_what = clause_subject(scan, estimate, floor) or counted_what
        if not re.fullmatch(r"(?i)[a-z]+ed", counted_what):  # "remained unchanged in 85%": no name
            found.append(counted_what)
    changed = _CHANGED_FROM.search(scan, max(clause_start, estimate.anchor_start - 60), estimate.anchor_start)
    if changed:  # "left ventricular ejection fraction increased from 0.26 to 0.31": the subject that changed
        # (nearer than the clause's subject: "A increased from 1 to 2, B increased from 3 to 4")
        changer = _phrase_before(scan, changed.start(), clause_start) or ""
        found.append(re.split(r"\b(?:groups?|arms?)\s+", changer)[-1])  # "in the A group LVEF increased from"
    subject = clause_subject(scan, estimate, floor)
    if subject:
        found.append(subject)
    had = list(_HAD_MORE.finditer(scan, clause_start, estimate.anchor_start))
    if had and not re.search(r"[.;]\s", scan[had[-1].end() : estimate.anchor_start]):
        found.append(had[-1].group("outcome"))
    there = list(_THERE_WERE.finditer(scan, clause_start, estimate.anchor_start))
    if there and not re.search(r"[.;]\s", scan[there[-1].end() : estimate.anchor_start]):
        found.append(there[-1].group("outcome"))
    then = _THEN_HAD.match(scan, estimate.end, ceiling)
    if then:  # "two patients in the gel group (5.7%) experienced wound infection"
        found.append(then.group("outcome"))
    listed = list(_LIST_SUBJECT.finditer(scan, floor, estimate.anchor_start))
    if (
        listed
        and not re.search(r"\.\s|\b(?:was|were)\b", scan[listed[-1].end() : estimate.anchor_start])
        # ("Risperidone was superior to placebo in preventing relapse: ...": the subject is an arm)
        and not re.search(r"(?i)\b(?:superior|inferior|better|worse|than|non-?inferior)\b", listed[-1].group())
    ):
        found.append(listed[-1].group("outcome"))
    lead = list(_FOR_LEAD.finditer(scan, clause_start, estimate.anchor_start))
    if lead and not re.search(r"\.\s", scan[lead[-1].end() : estimate.anchor_start]):
        found.append(lead[-1].group("outcome"))  # "; for cancer deaths, 156 (3.3%) vs 178 (3.7%)"
    named = [phrase for phrase in map(clean_outcome, found) if phrase]
    event = _counted_event(scan, estimate, ceiling)
    if event and event not in named:
        named.insert(0, event)  # "Six patients died of infections": nearer than any subject
    if not named and partner:
        # "... had X (19.5%) compared with 6.9% in the other arm": the value compared with is of the same outcome
        other = _PARTNER.search(scan, max(clause_start, estimate.anchor_start - 100), estimate.anchor_start)
        if other:
            start, end = other.span("value")
            stand_in = Estimate("other", 0.0, start, end, 0.0, "span", Tail(end=end), {}, start)
            first = clean_outcome(estimate_outcome(scan, stand_in, floor, ceiling)[0])
            named = [first] if first else clause_outcomes(scan, stand_in, floor, ceiling, partner=False)[:1]
    return named


_ARMS_IN_SUBJECT = re.compile(
    r"(?i)\brespective\b|\b(?:in|for)\s+(?:both|all|each|the\s+two|the\s+three)\s+(?:groups|arms)\b"
)


_ARM = r"(?:the\s+)?(?:[^\s,]+\s+){0,3}?(?:groups?|arms?|cohorts?)(?:\s+[A-Z0-9]{1,3})?"
# What ends a clause's subject without naming its outcome: the arm or arms it is in, a time of treatment
_SUBJECT_TAIL = re.compile(
    rf"\s+(?:in|for|among|with|on|of)\s+{_ARM}(?:\s+and\s+{_ARM})?\s*$"
    r"|(?i:\s+(?:after|at|over|during|within)\s+(?:the\s+)?(?:first\s+)?\S+\s+(?:weeks?|months?|years?|days?)"
    r"\s+of\s+(?:treatment|therapy|follow[\s-]?up|study|the\s+study)\s*$)"
    # "ORR for patients randomly assigned to receive A and B": the people the subject is measured in
    rf"|(?i:\s+(?:in|for|among|of)\s+(?:all\s+|the\s+)?(?:{_POPULATION_WORDS})\s+(?:who\s+(?:were\s+)?)?(?:\w+ly\s+)?"
    r"(?:randomi[sz]ed|assigned|allocated|treated|received|receiving|given|taking|took|underwent)\b.*$)"
)


_REPORTED_THAT = re.compile(
    r"(?i)\b(?:showed|shows|demonstrated|found|revealed|indicated|suggested|confirmed|observed|noted)\s+that\s+"
)
_ADVERB_END = re.compile(
    r"(?i)(?:\s+(?:significantly|slightly|markedly|substantially|statistically|also|further|consistently|similarly"
    r"|greatly|modestly|gradually|rapidly|steadily|all))+$"
)
_ARM_LEAD = re.compile(rf"(?i)^(?:in|among|for|within)\s+{_ARM}\s+(?=[A-Za-z])")


def _clause_start(scan: str, estimate: Estimate, floor: int) -> int:
    """Where the estimate's clause starts: after the last ``;`` before it, unless that ``;`` is inside the
    estimate's own bracket (``was lower in A (12% vs. 18%; RR 0.67``): the clause is the one the bracket is in."""
    anchor = estimate.anchor_start
    bracket = enclosing_bracket(scan, anchor, floor, past_abbreviations=True)
    end = bracket if bracket is not None and scan.rfind(";", floor, anchor) > bracket else anchor
    return max(floor, scan.rfind(";", floor, end) + 1)


# "..., but in the B group it was only 23%": a pronoun standing for the subject of the clause before it
# the rest of a list closed by "respectively" ("... and captopril, respectively")
_RESPECTIVE_REST = re.compile(r"(?i)(?:\s*,\s*[^,;.()\[\]]{1,40}?)*,?\s+and\s+[^,;.()\[\]]{1,40}?\s*,?\s*respectively\b")
# a value "for" something, then "versus" the value at hand ("28.9 for PLD versus 23.3 weeks for topotecan")
_FOR_VERSUS = re.compile(r"(?i)\d\s*\S{0,8}\s+for\s+[^,;()\[\]\d]{1,40}?\s+(?:versus|vs\.?|v\.?)\s*$")
_PRONOUN_SUBJECT = re.compile(r"(?i)(?:^|\s)(?:it|they)$")
# "A was better tolerated than B", "A was superior to B": the subject is an arm compared with another
_ARM_PREDICATE = re.compile(
    r"(?i)\s+(?:was|were|is|are)\s+(?:\w+ly\s+)?(?:(?:better|less\s+well|well)\s+tolerated|superior|inferior"
    r"|non-?inferior|equivalent|more\s+effective|less\s+effective|as\s+effective)\s+(?:than|to|as|with)\b"
)
_CLAUSE_OPENER = re.compile(r"(?i)[\s,]*(?:(?:but|and|whereas|while|although)\b\s*)?")


def clause_subject(scan: str, estimate: Estimate, floor: int, pronoun: bool = True) -> str | None:
    """The subject of the clause that states the estimate (``the relapse rate was 12.5% in ...``), unless it is
    the exposure of an association or only a measure's name. A pronoun (``it was only 23%``) stands for the
    subject of the clause before it in the same sentence, never for one in another sentence."""
    clause_start = _clause_start(scan, estimate, floor)
    subject = _SUBJECT.search(scan, clause_start, estimate.anchor_start)
    if subject is None or _ASSOCIATION_WORDS.search(subject.group()):
        return None  # the subject of an association is the exposure
    phrase = subject.group("outcome")
    if _ARM_PREDICATE.match(scan, subject.end("outcome"), estimate.anchor_start):
        return None  # "Losartan was better tolerated than captopril with fewer ... (17 versus 23%": an arm
    if _PRONOUN_SUBJECT.search(phrase.strip()):
        if not pronoun:
            return None
        opened = subject.start("outcome")
        while opened > clause_start and scan[opened - 1] in " ,":
            opened -= 1  # the earlier clause ends where this one's ", but" begins
        if _CLAUSE_OPENER.fullmatch(scan, opened, subject.start("outcome")) is None and not re.match(
            r"(?i)(?:but|and|whereas|while|although)\b", phrase
        ):
            return None
        stand_in = Estimate("other", 0.0, opened, opened, 0.0, "span", Tail(end=opened), {}, opened)
        return clause_subject(scan, stand_in, floor, pronoun=False) if opened > clause_start else None
    respective = re.match(r"(?i)(?:the\s+)?respective\s+(?=\S)", phrase)
    if respective and not re.search(r"(?i)\b(?:for|in|among|with|of)\b", phrase):
        phrase = phrase[respective.end() :]  # "The respective five-year survival rates were 80.4% and 78.7%"
    elif _ARMS_IN_SUBJECT.search(phrase):
        return None  # "the respective event rates for A and B were 1.3% and 1.1% for mortality": "for X" names it
    # "the study showed that insertion time was reduced": the subject of the reported clause
    phrase = _REPORTED_THAT.split(phrase)[-1]
    phrase = _ARM_LEAD.sub("", phrase)  # "In the coached group reading speed increased"
    phrase = re.sub(r"\s*\([^()]{13,}\)", "", phrase)  # "sponge weight (total suture line bleeding)": a gloss
    phrase = _ADVERB_END.sub("", phrase)  # "Endothelial function significantly improved"
    phrase = _shortened(phrase)
    while True:  # "the relapse rate in the tapering group", "the insulin dose after 24 weeks of treatment"
        stripped = _SUBJECT_TAIL.sub("", phrase)
        if stripped == phrase:
            break
        phrase = stripped
    return clean_outcome(phrase)


def sentence_comparison(sentence: str) -> str | None:
    """``intervention vs control``, ``between treatment and EUC arms``, ``compared with controls``."""
    match = _BETWEEN.search(sentence)
    if match:
        return f"{match.group('a')} vs {match.group('b')}"
    stop = load_lexicon().stop_words | {"the", "a", "an"}
    for versus in _VERSUS.finditer(sentence):
        before = _WORDS_BEFORE.search(sentence, max(0, versus.start() - 60), versus.start())
        after = _WORDS_AFTER.match(sentence, versus.end())
        if not (before and after):
            continue
        left = before.group().split()
        while left and any(word.lower() in stop for word in left):
            left.pop(0)
        right: list[str] = []
        for word in after.group().split():
            if word.lower() in stop:
                break
            right.append(word)
        if left and right:
            return f"{' '.join(left)} vs {' '.join(right)}"
    match = _COMPARED.search(sentence)
    return f"vs {match.group('b').strip()}" if match else None


def outcome_at(text: str, start: int, end: int) -> str | None:
    """The outcome the link rules give a value standing at ``text[start:end]`` as if it were an estimate (the
    RCT-ART evaluation reads arm results this way): the dependent of an association, else the estimate's own
    outcome, else the first outcome its clause names."""
    estimate = Estimate("other", 0.0, start, end, 0.0, "span", Tail(end=end), {}, start)
    outcome = clean_outcome(estimate_outcome(text, estimate, 0, len(text))[0])
    dependent = associated_outcome(text, estimate, 0, len(text))
    candidates = [
        phrase for phrase in [dependent or outcome, *clause_outcomes(text, estimate, 0, len(text))] if phrase
    ]
    return candidates[0] if candidates else None
