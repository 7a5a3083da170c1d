"""Values listed with ``respectively``: each value measures its own outcome, and takes its own p-value, in order.

``improved anxiety and depression (d = 0.31 and 0.42, respectively)``, ``OR 1.8 (1.1-2.9) and 2.3 (1.4-3.8)
for smoking and drinking, respectively``: a run of values closed by ``respectively`` and a list of as many
outcomes, between the run and ``respectively`` (``for X and Y``) or before the run in its clause. The i-th
value measures the i-th outcome. A list of arms, groups, populations or time points names no outcome and
leaves the links alone; so does a list when the values already share an outcome named outside it (``the
hazard ratios for death were 0.8 and 0.7 for low and high doses, respectively``). A list of outcomes of
another length than the run leaves every value of the run unlinked: the text does not say which is which.

p-values listed after a run (``d = 0.30 and d = 0.45 (p = .02 and p = .04, respectively)``, ``(d = 0.30
and 0.45, respectively; p = .02 and .04)``, ``(d = 0.5 and d = 0.3; p = .01 and p = .04)``) go to the run's
values in order (``respective_p_values``), not the first of them to the last value; a
single p after the run's ``respectively`` (``d = 0.30 and 0.45, respectively, p < .01``) is every value's.
A p list of another length than the run gives no value a p.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..common.numbers import P_EXPRESSION, P_NUMBER, P_OPERATOR, normalise_operator, parse_p, parse_p_number
from .lexicon import load_lexicon
from .links import clean_outcome, only_time, strip_qualifiers
from .tail import Estimate, enclosing_bracket

_RESPECTIVELY = re.compile(r"(?i)\brespectively\b")
# Between two values of one run: commas, brackets, "and"/"or" (the CIs and p-values are read with the values)
_GLUE = re.compile(r"[\s,;()\[\]]*(?:(?:and|or|&)(?![\w-])[\s,;()\[\]]*)?")
# Between the run and "respectively": nothing, or the list the values are for ("for smoking and drinking,")
_GAP = re.compile(r"[\s,;)\]]*")
# A list of p-values: "p = .02 and p = .04", "P = 0.837 and 0.696", "p < .01, .02 and .04" (no groups: the items
# are read one by one with _P_ITEM)
_P_ITEM_TEXT = rf"(?:(?<![A-Za-z])[pP]s?\s*)?(?:{P_OPERATOR}\s*)?{P_NUMBER}(?![\d])"
P_LIST = (  # the look-behind after the first letter, so the scan can skip every character but p and P
    rf"[pP](?<![A-Za-z].)s?(?:\s*[-\u2010]?\s*values?)?\s*{P_OPERATOR}\s*{P_NUMBER}(?![\d])"
    rf"(?:(?:\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+){_P_ITEM_TEXT})+"
)
_P_LIST = re.compile(P_LIST)
_P_ITEM = re.compile(
    rf"(?:(?<![A-Za-z])[pP]s?(?:\s*[-\u2010]?\s*values?)?\s*)?(?P<op>{P_OPERATOR})?\s*(?P<value>{P_NUMBER})(?![\d])"
)
_P_ONE = re.compile(P_EXPRESSION)
# What may stand between the values of a run (their own brackets and tails are inside their spans)
_RUN_GLUE = re.compile(r"[\s,;()\[\]]*(?:(?:and|or|&)(?![\w-])[\s,;()\[\]]*)?")
# Between a run's last value and its p list: brackets, commas, "respectively"
# (and the test the p-values are of: "respectively (U test, P = 0.84 and 0.70)")
_TEST_NAME = r"(?:(?:[\w'-]+\s+){0,2}tests?|ANOVA)\s*[,:;]?\s*"
# (with the list the values are for: "2.4 (1.3-3.9) for truancy and dropout, respectively (p = .003 and p < .001)")
_BEFORE_P = re.compile(
    rf"(?i)[\s,;(\[]*(?:(?:(?:for|in|on)\s+[^\d;:()\[\]=<>.]{{1,80}}?\s*,?\s*)?respectively[\s,;(\[]*)?"
    rf"(?:{_TEST_NAME})?"
)
_TEST_BEFORE_P = re.compile(rf"(?i){_TEST_NAME}")
# After a single p that follows "respectively": the end of its bracket or clause
_P_END = re.compile(r"\s*(?:[)\];.]|$)")
_AFTER_LIST = re.compile(
    r"[\s,;)\]]*(?:for|on|in|of|with)\s+(?:the\s+)?(?P<list>[^;:()\[\]=<>]{3,200}?)\s*,?\s*$", re.I
)
_TOKEN = re.compile(r"[^\W_](?:[\w'\u2019+/-]|\.(?=\w))*|[^\w\s]")
# What opens a list of arms, not of outcomes: "with oral and i.v. dosing", "than A and B"
_ARM_PREPOSITIONS = frozenset(
    {"with", "than", "by", "from", "versus", "vs", "receiving", "given", "using", "between"}
)
# A first item that only modifies the last item's head: "physical and mental health", "free and total sulfate"
_MODIFIER = re.compile(
    r"(?i)^(?:\w+(?:al|ive|ic|ing|ous|ary|ory)|free|total|early|late|high|low|short|long|mild|severe|fine|gross"
    r"|upper|lower|left|right|acute|chronic|verbal|performance)$"
)
_CONJUNCTION = frozenset({"and", "or", "&"})
_ITEM_BRACKET = re.compile(r"\s*[(\[][^()\[\]]{1,60}[)\]]")
_DETERMINERS = frozenset({"the", "a", "an", "their", "its", "both", "his", "her", "each"})
_VERB_ENDINGS = ("ed", "ly", "ing")
_KEPT_DROP_WORDS = frozenset(
    {"score", "scores", "total", "composite", "subscale", "overall", "combined", "average"}
)
# "the odds of readmission and relapse": a head the whole list shares, not part of its first item
_SHARED_HEADS = frozenset(
    {
        "odds",
        "risk",
        "risks",
        "likelihood",
        "probability",
        "chance",
        "chances",
        "incidence",
        "rate",
        "rates",
        "number",
        "numbers",
        "proportion",
        "proportions",
        "prevalence",
        "frequency",
        "levels",
        "level",
        "scores",
        "score",
        "severity",
        "symptoms",
    }
)
_MAX_GAP_WORDS = 14  # words between the end of a list and the run it names ("were lower in the ... group (")


def _boundary(word: str) -> bool:
    """Whether ``word`` ends a list item on its side: a stop word, a verb or comparative, a determiner, a number."""
    lexicon = load_lexicon()
    lower = word.lower()
    if len(word) > 1 and word.isupper():
        return False  # "HAS", "OR" as a code: a name, not a stop word
    if lower in lexicon.stop_words or lower in _DETERMINERS or lower in _CONJUNCTION:
        return True
    if lower in lexicon.drop_words and lower not in _KEPT_DROP_WORDS:
        return True
    if lower.endswith(_VERB_ENDINGS) and lower in lexicon.drop_words:
        return True
    return bool(re.match(r"[\d.]", word)) or not re.match(r"\w", word)


def _joins(tokens: list[str], index: int, words: list[str]) -> bool:
    """Whether ``tokens[index]`` is the ``of`` inside an item (``any type of programme``), not its end."""
    return (
        bool(words)
        and tokens[index].lower() == "of"
        and index + 1 < len(tokens)
        and not _boundary(tokens[index + 1])
    )


def _items_at(tokens: list[str], conjunction: int) -> tuple[list[str], int] | None:
    """The items of the list whose last ``and``/``or`` is ``tokens[conjunction]``, and the token after the list;
    None where the list is not one of outcomes by its shape: nested in another list (``A and B and C``), the
    object of an arm's preposition (``with oral and i.v. dosing``)."""
    right: list[str] = []
    index = conjunction + 1
    while index < len(tokens) and tokens[index].lower() in _DETERMINERS:
        index += 1
    while index < len(tokens) and (not _boundary(tokens[index]) or _joins(tokens, index, right)):
        right.append(tokens[index])
        index += 1
    if not right:
        return None
    items = [right]
    current: list[str] = []
    position = conjunction - 1
    if position >= 0 and tokens[position] == ",":  # "A, B, and C"
        position -= 1
    while position >= 0:
        word = tokens[position]
        if word == ",":
            if not current:
                return None
            items.insert(0, current)
            current = []
        elif _boundary(word) and not (
            current
            and word.lower() == "of"
            and position
            and not _boundary(tokens[position - 1])
            and (
                tokens[position - 1].lower() not in _SHARED_HEADS
                or (position >= 2 and tokens[position - 2] == ",")  # ", rate of force development": an item
            )
        ):
            break
        else:
            current.insert(0, word)
        position -= 1
    if not current:
        return None
    items.insert(0, current)
    opener = tokens[position].lower() if position >= 0 else ""
    if opener in _CONJUNCTION or opener in _ARM_PREPOSITIONS:
        return None
    if re.match(r"\d", opener) and len(items) > 2:
        items = items[
            1:
        ]  # "between 26 and 35 wk, haemoglobin, leucocytes and ...": the number's unit, not an item
    if (
        len(right) > 1
        and all(len(words) == 1 for words in items[:-1])
        and all(_MODIFIER.search(words[0]) for words in items[:-1])
    ):
        # "physical and mental health", "free and total plasma sulfate": the last item's head is every item's
        items = [[*words, *right[1:]] for words in items[:-1]] + [right]
    return [" ".join(words) for words in items], index


def _as_outcomes(items: list[str]) -> list[str] | None:
    """The items as outcome names, or None when any is an arm, a group, a population or a time point."""
    names = []
    for item in items:
        name = clean_outcome(item)
        if not name or only_time(name) or re.search(r"\d", item):
            return None
        names.append(name)
    return names


def _list_after(text: str) -> list[str] | None:
    """``for smoking and drinking,`` between a run and its ``respectively``."""
    match = _AFTER_LIST.fullmatch(text)
    if not match:
        return None
    tokens = _TOKEN.findall(match.group("list"))
    conjunctions = [i for i, token in enumerate(tokens) if token.lower() in _CONJUNCTION]
    if not conjunctions:
        return None
    found = _items_at(tokens, conjunctions[-1])
    if found is None or found[1] != len(tokens):
        return None
    items, _ = found
    if len(" ".join(items).split()) + len(items) - 1 < len(tokens) - 3:
        return None  # words left before the list: a clause, not only the list
    return _as_outcomes(items)


def _list_before(text: str) -> list[str] | None:
    """The nearest list of outcomes in the clause before a run (``improved anxiety and depression``)."""
    tokens = _TOKEN.findall(text)
    for conjunction in range(len(tokens) - 1, -1, -1):
        if tokens[conjunction].lower() not in _CONJUNCTION:
            continue
        found = _items_at(tokens, conjunction)
        if found is None:
            return None
        items, after = found
        gap = tokens[after:]
        if len(gap) > _MAX_GAP_WORDS or any(not re.match(r"[^\W\d_]|[+&/]$", t) for t in gap):
            return None  # the list must end in the run's clause: words only, no number or bracket between
        return _as_outcomes(
            items
        )  # the nearest list decides: when it names no outcome, none further back is read
    return None


def respective_outcomes(
    scan: str,
    spans: Sequence[tuple[int, int]],
    sentences: Sequence[tuple[int, int]],
    linked: Sequence[str | None],
    values_at: Sequence[int] | None = None,
) -> dict[int, str | None]:
    """For values at ``spans`` (start, end; the value itself printed at ``values_at``, after its measure's name)
    in sentences ``sentences`` (start, end), already linked to ``linked``, the outcome each value of a ``respectively`` run measures (None: the run lists outcomes of
    another count), by index.

    Values outside a run, in a run whose list names no outcomes, or in a run whose values already share an
    outcome the list does not hold (the list is then its arms or subgroups), are not in the answer.
    """
    found: dict[int, str | None] = {}
    for index in range(len(spans)):
        sentence_start, sentence_end = sentences[index]
        following = index + 1 < len(spans) and sentences[index + 1] == sentences[index]
        stop = spans[index + 1][0] if following else sentence_end
        closing = _RESPECTIVELY.search(scan, spans[index][1], stop)
        if closing is None:
            continue
        # (a list of p-values may stand before "respectively": "d = 0.30 and 0.45 (p = .02 and .04, respectively)")
        between = _P_LIST.sub("", scan[spans[index][1] : closing.start()])
        if between != scan[spans[index][1] : closing.start()]:
            between = re.sub(r"[(\[]", " ", between)
        run = [index]
        while (
            run[0] > 0
            and sentences[run[0] - 1] == sentences[index]
            and _GLUE.fullmatch(scan, spans[run[0] - 1][1], spans[run[0]][0])
        ):
            run.insert(0, run[0] - 1)
        if len(run) < 2 or any(i in found for i in run):
            continue
        if _GAP.fullmatch(between):
            # the list ends before the run's first value ("HRs for death and stroke were 0.8"), or its name
            starts = dict.fromkeys([spans[run[0]][0], values_at[run[0]] if values_at else spans[run[0]][0]])
            names = None
            for first in sorted(starts, reverse=True):
                bracket = enclosing_bracket(scan, first, sentence_start, past_abbreviations=True)
                before = scan[sentence_start : bracket if bracket is not None else first]
                before = strip_qualifiers(re.split(r";", before)[-1].rstrip())  # "... anxiety at 6 months ("
                # an item's own bracket (its p, its instrument) is no part of the list: "anxiety (P = .007) and
                # depression (P = .02) than controls (d = 0.30 and 0.45, respectively)"
                before = _ITEM_BRACKET.sub("", before)
                names = _list_before(before)
                if names is not None:
                    break
        else:
            names = _list_after(between)
        if names is None:
            continue
        shared = {linked[i] for i in run}
        if len(shared) == 1 and None not in shared and not _named_in(shared.pop(), names):
            continue  # "the hazard ratios for death were 0.8 and 0.7 for low and high doses, respectively"
        if len(names) == len(run):
            found.update(zip(run, names, strict=True))
        else:
            found.update(dict.fromkeys(run))
    return found


def _named_in(outcome: str, names: list[str]) -> bool:
    """Whether ``outcome`` is one of ``names`` or runs over them (``depression`` of ``anxiety and depression``)."""
    lowered = outcome.lower()
    return any(name.lower() in lowered or lowered in name.lower() for name in names)


def p_list_spans(text: str) -> list[tuple[int, int]]:
    """Where lists of p-values (``p = .02 and p = .04``) stand in ``text``."""
    return [match.span() for match in _P_LIST.finditer(text)]


def _p_items(text: str) -> list[tuple[str, float]] | None:
    """The (operator, value) of each p in a ``_P_LIST`` match; a bare value takes the operator before it."""
    items: list[tuple[str, float]] = []
    operator = None
    for match in _P_ITEM.finditer(text):
        if match.group("op"):
            operator = normalise_operator(match.group("op"))
        value = parse_p_number(match.group("value"))
        if operator is None or value is None or not 0.0 <= value <= 1.0:
            return None
        items.append((operator, value))
    return items


def _run_before(
    scan: str, estimates: Sequence[Estimate], sentences: Sequence[tuple[int, int]], position: int
) -> list[int]:
    """Indices of the run of estimates that ends just before ``position`` (its last value may have read past it)."""
    last = None
    for index, estimate in enumerate(estimates):
        if estimate.start < position:
            last = index
    if last is None:
        return []
    estimate = estimates[last]
    if estimate.end <= position and not _BEFORE_P.fullmatch(scan, estimate.end, position):
        return []
    run = [last]
    while run[0] > 0:
        previous = estimates[run[0] - 1]
        if sentences[run[0] - 1] != sentences[last] or not _RUN_GLUE.fullmatch(
            scan, previous.end, estimates[run[0]].start
        ):
            break
        run.insert(0, run[0] - 1)
    return run


def respective_p_values(
    scan: str, estimates: Sequence[Estimate], sentences: Sequence[tuple[int, int]], start: int, end: int
) -> None:
    """p-values listed for a run of values: the i-th p to the i-th value, in place; see the module's docstring."""
    for match in _P_LIST.finditer(scan, start, end):
        items = _p_items(match.group())
        run = _run_before(scan, estimates, sentences, match.start())
        if items is None or len(run) < 2:
            continue
        own = [
            i for i in run if estimates[i].tail.p_operator is not None and estimates[i].end <= match.start()
        ]
        if own:
            continue  # a value with its own p: the list is not the run's
        for i in run:
            estimate = estimates[i]
            if estimate.end > match.start():  # its tail read the list's first p
                estimate.end = len(scan[: match.start()].rstrip(" ,;([\t\n"))
                estimate.tail.end = estimate.end
            estimate.tail.p_operator = estimate.tail.p = None
        if len(items) == len(run):
            for i, (operator, value) in zip(run, items, strict=True):
                estimates[i].tail.p_operator, estimates[i].tail.p = operator, value
                estimates[i].attributes["p_respectively"] = True
    # (only "p", "e", "c" and "t" match themselves case-blind: a text without "pect" lower-cased has no match)
    closings = _RESPECTIVELY.finditer(scan, start, end) if "pect" in scan[start:end].lower() else ()
    for closing in closings:
        position = _GAP.match(scan, closing.end(), end).end()
        test = _TEST_BEFORE_P.match(scan, position, end)
        after = _P_ONE.match(scan, test.end() if test else position, end)
        if after is None or not _P_END.match(scan, after.end(), end) or _P_LIST.match(scan, after.start(), end):
            continue  # "d = 0.30 and 0.45, respectively, p < .01": one p for the whole run
        parsed = parse_p(after)
        run = _run_before(scan, estimates, sentences, closing.start())
        if parsed is None or len(run) < 2 or any(estimates[i].tail.p_operator is not None for i in run):
            continue
        for i in run:
            estimates[i].tail.p_operator, estimates[i].tail.p = parsed
            estimates[i].attributes["p_shared"] = True
