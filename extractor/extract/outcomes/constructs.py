"""Construct mentions of one sentence: the lists that outcome cues introduce, with their roles and links."""

from __future__ import annotations

import re

from .cues import (
    ALL_STARTS,
    GLUED_OUTCOME_HEADING,
    GLUED_STARTS,
    MAIN_AIM,
    NOT_AN_EFFECT,
    OUTCOMES_BRACKET,
    PROCESS_AIM,
    RATIO_STATS,
    STAT_FOR,
    STAT_FOR_HINTS,
    STAT_PAREN,
    STATEMENT_CUE,
    STATEMENT_ROLE,
    SUBJECT_AUX,
    SUBJECT_CUE,
    USED_AS_MEASURES,
    cue_matches,
    cues_starting,
)
from .definitions import Definition
from .languages import effect_phrases
from .lexicon import fold, vocabulary
from .phrases import (
    OPERATOR,
    clean_phrase,
    construct_key,
    distribute,
    lacks_head,
    sentence_case,
    split_items,
)
from .sentences import Mention, SentenceContext

_LIST_END = re.compile(
    r"[.;:!?]|\b(?:was|were|is|are|will|would|had|has|have|did|does|do|could|should|can|may|might|which|who|whom|"
    r"whereas|while|although|though|but|because|since|versus|vs|than|whether|if|using|via|compared|that|"
    r"in\s+order|so\s+that|such\s+as|during|among|as\s+(?:measured|assessed|indexed|evaluated)|"
    r"(?:measured|assessed|evaluated|indexed)\s+(?:by|with|using)|suggests?|indicates?|indicated|showed|shows?|"
    r"revealed|demonstrated|remained|persisted|appears?|seems?|found|requires?|need)\b"
)
_BOUNDARY_WORDS = r"and|or|but|whether|that|if|while|whereas|which|when|because|although|though|than|both|then|also"
_SUBJECT_START = re.compile(rf"[;:,]|\b(?:{_BOUNDARY_WORDS})\b")
_STAT_SUBJECT_START = re.compile(
    rf"[;:,]|\b(?:{_BOUNDARY_WORDS}|for|on|in|with|including|regarding|improved|reduced|increased|decreased|"
    rf"enhanced|lowered|showed|had|has|have|was|were|is|are|found|reported|observed|demonstrated|predicted)\b")


def construct_mentions(context: SentenceContext, definitions: list[Definition]) -> list[Mention]:
    """Constructs named by the cues of one sentence."""
    out: list[Mention] = []
    heading = (context.sentence.heading or "").lower()
    if context.sentence.section == "methods" and ("outcome" in heading or "measure" in heading) and \
            context.tokens.isdisjoint(STATEMENT_CUE.starts):
        _headed_statement(context, definitions, out)
    bracketed = "(" in context.chunk or "[" in context.chunk
    if bracketed and not context.tokens.isdisjoint(_BRACKET_STARTS):
        _bracketed_lists(context, definitions, out)
    if not context.tokens.isdisjoint(_PROCESS_WORDS):
        _process_constructs(context, definitions, out)
    # "Effekte auf das elterliche Erziehungsverhalten", "efectos sobre ..."
    if context.foreign_cues:
        items = [(phrase, context.start + s, context.start + e, None) for s, e, phrase in effect_phrases(context.chunk)]
        _add(context, definitions, items, "effect", 0.7 * context.weight, None, out)
    if context.tokens.isdisjoint(ALL_STARTS) and not bracketed:
        return out
    starts = frozenset(context.tokens & ALL_STARTS)
    if not starts.isdisjoint(STATEMENT_CUE.starts) or context.lowered.lstrip().startswith(GLUED_STARTS):
        _statements(context, definitions, out)
    for cue in cues_starting(starts) if starts else ():
        for match in cue_matches(context, cue):
            lower = context.masked_lower
            if cue.rule == "effect" and NOT_AN_EFFECT.search(lower, max(0, match.start() - 20), match.start()):
                continue
            if cue.rule == "aim" and MAIN_AIM.search(context.lowered):  # the study's own aim names its outcomes
                confidence = 0.65 * max(context.weight, 0.95)
            else:
                confidence = cue.base * context.weight
            _emit(context, definitions, match.end(), _list_end(lower, match.end()), cue.rule, confidence, None, None,
                  out)
    if not starts.isdisjoint(SUBJECT_CUE.starts) or "used" in context.tokens:
        _subjects(context, definitions, out)
    if bracketed:
        for match in STAT_PAREN.finditer(context.chunk):
            lower = context.masked_lower
            before = lower[: match.start()]
            if match.group("stat") in RATIO_STATS and not any(
                    map(before.__contains__, ("associated with", "risk of", "odds of"))):
                continue
            begin = _subject_start(lower, match.start(), stat=True)
            _emit(context, definitions, begin, match.start(), "stat", 0.7 * context.weight, None, None, out)
        if any(map(context.lowered.__contains__, STAT_FOR_HINTS)):
            lower = context.masked_lower
            for match in STAT_FOR.finditer(lower):
                _emit(context, definitions, match.end(), _list_end(lower, match.end()), "stat", 0.7 * context.weight,
                      None, None, out)
    return out


_LOWER_HEADS = frozenset({"scale", "scales", "questionnaire", "inventory", "checklist", "measure", "index",
                          "interview", "schedule", "test", "battery", "screener", "survey"})
_BRACKET_STARTS = frozenset({"outcomes", "endpoints", "end-points", "outcome"})
_PROCESS_WORDS = frozenset({"acceptability", "feasibility", "fidelity", "uptake", "adherence", "attendance",
                            "engagement", "satisfaction", "usability", "implementation", "reach", "compliance",
                            "cost-effectiveness", "costs", "cost"})


def _bracketed_lists(context: SentenceContext, definitions: list[Definition], out: list[Mention]) -> None:
    """``Seven outcomes (anxiety, depression, stress and burden) were synthesised``: the bracket lists them."""
    chunk = context.chunk
    for match in OUTCOMES_BRACKET.finditer(chunk):
        close = chunk.find(")" if chunk[match.end() - 1] == "(" else "]", match.end())
        content = chunk[match.end() : close if close >= 0 else len(chunk)]
        if close < 0 or not _LIST_IN_PAREN.search(content) or _NOT_A_LIST.match(content):
            continue
        lower = chunk.lower()
        if len(lower) != len(chunk):
            lower = chunk
        items = []
        for start, end in split_items(lower, match.end(), match.end() + len(content)):
            phrase = clean_phrase(chunk[start:end])
            if phrase:
                items.append((phrase, context.start + start, context.start + end, None))
        _add(context, definitions, items, "statement", max(0.9 * context.weight, 0.85), None, out)


def _process_constructs(context: SentenceContext, definitions: list[Definition], out: list[Mention]) -> None:
    """``to evaluate the acceptability and feasibility of delivering ...``: process constructs a study assessed,
    which the rules reject elsewhere as generic (``a feasibility trial``)."""
    lower = context.masked_lower
    for match in PROCESS_AIM.finditer(lower):
        end = _list_end(lower, match.end())
        items = []
        for start, item_end in split_items(lower, match.end(), end):
            words = lower[start:item_end].split()
            if not words:
                continue
            first = words[1] if words[0] in {"the", "its", "their"} and len(words) > 1 else words[0]
            if first not in _PROCESS_WORDS:
                if items:
                    break  # the list of process constructs has ended
                continue
            offset = lower.find(first, start, item_end)
            items.append((context.chunk[offset : offset + len(first)], context.start + offset,
                          context.start + offset + len(first), None))
        if items:
            _add(context, definitions, items, "aim", 0.65 * context.weight, None, out)


def _headed_statement(context: SentenceContext, definitions: list[Definition], out: list[Mention]) -> None:
    """A sentence under an outcome heading (``Main outcome measures``) lists outcomes."""
    lower = context.masked_lower
    begin = 0
    heading = context.sentence.heading or ""
    if lower.startswith(heading.lower()):
        begin = len(heading)
    begin += len(lower[begin:]) - len(lower[begin:].lstrip(" :.-–"))
    role = "primary" if heading.lower().startswith("primary") else None
    _statement_list(context, definitions, begin, _list_end(lower, begin), role, None, out)


def _statements(context: SentenceContext, definitions: list[Definition], out: list[Mention]) -> None:
    """``The primary outcome was X``; ``Secondary outcomes included X, Y and Z``; ``Main outcome measures X``."""
    lower = context.masked_lower
    glued = GLUED_OUTCOME_HEADING.match(context.chunk)
    if glued:  # a heading the text layer did not split off: "Main outcome measures Incidence of ..."
        role = "primary" if (glued.group(1) or "").lower() in {"main", "primary"} else None
        _statement_list(context, definitions, glued.end(), _list_end(lower, glued.end()), role, None, out)
        return
    matches = list(cue_matches(context, STATEMENT_CUE))
    for index, match in enumerate(matches):
        role = None
        named = STATEMENT_ROLE.search(lower, max(0, match.start() - 40), match.start())
        if named and named.group("role"):
            role = "secondary" if named.group("role") == "secondary" else "primary"
        clause_end = matches[index + 1].start() if index + 1 < len(matches) else len(lower)
        end = min(_list_end(lower, match.end()), clause_end)
        _statement_list(context, definitions, match.end(), end, role, _tail_link(context, end), out,
                        clause=(named.start() if named else match.start(), clause_end))


def _statement_list(context: SentenceContext, definitions: list[Definition], begin: int, end: int, role: str | None,
                    link: str | None, out: list[Mention], clause: tuple[int, int] | None = None) -> None:
    """The outcomes a statement lists; instruments named in its clause take its role."""
    _emit(context, definitions, begin, end, "statement", max(0.9 * context.weight, 0.85), role, None, out,
          last_link=link)
    clause_start, clause_end = clause or (begin, end)
    for mention in context.instruments:
        if clause_start <= mention.start - context.start < clause_end:
            mention.role = mention.role or role
            mention.confidence = max(mention.confidence, 0.9)


def _subjects(context: SentenceContext, definitions: list[Definition], out: list[Mention]) -> None:
    """``X was assessed with ...``, ``X improved``, ``X were used as outcome measures``."""
    lower = context.masked_lower
    for match in cue_matches(context, SUBJECT_CUE):
        aux = SUBJECT_AUX.search(lower, max(0, match.start() - 60), match.start())
        if aux:
            subject_end = aux.start()
        elif match.group() in {"improved", "declined", "worsened"}:
            subject_end = match.start()
        else:
            continue
        measured = match.group("measured") is not None
        link = _link_after(context, match.end()) if measured else None
        confidence = (0.8 if measured else 0.65) * context.weight
        _emit(context, definitions, _subject_start(lower, subject_end), subject_end, "subject", confidence, None, link,
              out)
    for match in USED_AS_MEASURES.finditer(lower) if "used" in context.tokens else ():
        _emit(context, definitions, _subject_start(lower, match.start()), match.start(), "subject",
              0.8 * context.weight, None, None, out)


def _list_end(lower: str, start: int) -> int:
    match = _LIST_END.search(lower, start)
    return match.start() if match else len(lower)


def _subject_start(lower: str, end: int, stat: bool = False) -> int:
    """Where the noun phrase ending at ``end`` starts (after the last clause boundary)."""
    window_start = max(0, end - 90)
    window = lower[window_start:end].rstrip(" ,")
    boundaries = [m.end() for m in (_STAT_SUBJECT_START if stat else _SUBJECT_START).finditer(window)]
    if boundaries:
        return window_start + boundaries[-1]
    return window_start + (window.find(" ") + 1 if window_start else 0)


def _link_after(context: SentenceContext, offset: int) -> str | None:
    """The instrument named just after ``offset`` (``X was assessed with the PHQ-9``)."""
    for mention in context.instruments:
        if context.start + offset <= mention.start <= context.start + offset + 60:
            return mention.key
    return None


_TAIL_LINK = re.compile(r"\s*,?\s*(?:as\s+)?(?:measured|assessed|indexed|evaluated)\s+(?:by|with|using)\s+")
_PAREN_AFTER = re.compile(r"\s*[(\[]([^()\[\]]*(?:\([^()]*\)[^()\[\]]*)*)[)\]]?")
_LIST_IN_PAREN = re.compile(r",|\band\b")
_NOT_A_LIST = re.compile(r"\s*(?:e\.g|i\.e|n\b)|.*[\d=]")


def _tail_link(context: SentenceContext, end: int) -> str | None:
    """``X, as measured by the SDQ``: the instrument after a statement's list."""
    tail = _TAIL_LINK.match(context.masked_lower, end)
    return _link_after(context, tail.end()) if tail else None


def _emit(context: SentenceContext, definitions: list[Definition], start: int, end: int, rule: str, confidence: float,
          role: str | None, link: str | None, out: list[Mention], last_link: str | None = None) -> None:
    """Construct mentions for the list items of the sentence range ``[start, end)``.

    ``link`` is the instrument that measures every item; ``last_link`` the one that measures the last
    (``X, Y and Z, measured with the SDQ``: only Z is).
    """
    if end <= start:
        return
    chunk, masked, lower = context.chunk, context.masked, context.masked_lower
    items: list[tuple[str, int, int, str | None]] = []
    for item_start, item_end in split_items(lower, start, end):
        raw_start, raw_end = context.start + item_start, context.start + item_end
        inside = [m for m in context.instruments if m.start < raw_end and raw_start < m.end]
        if inside:  # "PHQ-9 scores": the instrument is the outcome
            for mention in inside:
                mention.role = mention.role or role
                mention.confidence = max(mention.confidence, confidence)
            continue
        item_link = link
        paren = _PAREN_AFTER.match(chunk, item_end)
        if paren and paren.group(1).strip():
            content, content_start = paren.group(1), paren.start(1)
            held = [m for m in context.instruments
                    if context.start + content_start <= m.start < context.start + content_start + len(content)]
            if held:  # "depression (PHQ-9)": measured with; "remission (PHQ-9 < 10)" is a definition, not a link
                around = chunk[content_start : held[0].start - context.start] + chunk[
                    held[0].end - context.start : held[0].end - context.start + 3]
                if not OPERATOR.search(around):
                    item_link = held[0].key
            elif _LIST_IN_PAREN.search(content) and not _NOT_A_LIST.match(content):
                # "positive aspects of mental health (personal well-being and self-efficacy)": the list names them
                sub_lower = lower[:content_start] + content.lower() + lower[content_start + len(content) :]
                for s, e in split_items(sub_lower, content_start, content_start + len(content)):
                    phrase = clean_phrase(chunk[s:e])
                    if phrase:
                        items.append((phrase, context.start + s, context.start + e, item_link))
                continue
        phrase = clean_phrase(masked[item_start:item_end], head_pending=True)
        if phrase:
            offset = chunk.find(phrase, item_start, item_end + 1)
            span = (offset, offset + len(phrase)) if offset >= 0 else (item_start, item_end)
            items.append((phrase, context.start + span[0], context.start + span[1], item_link))
    if last_link and items:
        items[-1] = (*items[-1][:3], items[-1][3] or last_link)
    _add(context, definitions, items, rule, confidence, role, out)


def _add(context: SentenceContext, definitions: list[Definition], items: list[tuple[str, int, int, str | None]],
         rule: str, confidence: float, role: str | None, out: list[Mention]) -> None:
    """Construct mentions of a list's cleaned items (heads shared out, each mention once per sentence)."""
    for phrase, item_start, item_end, item_link in _distribute_linked(items):
        if lacks_head(phrase):
            continue  # no later item gave it a head
        if (item_start, phrase) in context.seen:
            continue
        context.seen.add((item_start, phrase))
        key, display, abbreviation = _construct_identity(phrase, item_start, item_end, definitions)
        display = sentence_case(display)
        if key is None:
            continue
        out.append(Mention(item_start, item_end, display, key, "construct", "construct", rule, confidence,
                           context.sentence, None, abbreviation, phrase, role, item_link, context.timepoints))


def _distribute_linked(items: list[tuple[str, int, int, str | None]]) -> list[tuple[str, int, int, str | None]]:
    if len(items) < 2:  # a head is shared with the items before it
        return items
    distributed = distribute([(p, s, e) for p, s, e, _ in items])
    return [(p, s, e, item[3]) for (p, s, e), item in zip(distributed, items, strict=True)]


def _names_instrument(long_form: str) -> bool:
    """A long form ending in an instrument head, in any case (``... outcome measure``, ``... rating scale``)."""
    words = long_form.lower().replace("-", " ").split()
    return bool(words) and words[-1] in _LOWER_HEADS


def _construct_identity(phrase: str, start: int, end: int,
                        definitions: list[Definition]) -> tuple[str | None, str, str | None]:
    """Group key, display and abbreviation of a construct; the text's abbreviation when it defines one."""
    modifiers = vocabulary().modifiers
    # (Chinese has no case: "情绪或行为障碍" is no abbreviation)
    is_abbreviation = phrase == phrase.upper() and " " not in phrase and any(c.isupper() for c in phrase)
    words = phrase.split()
    for definition in definitions:
        if phrase == definition.short:
            return f"def:{definition.short}", definition.short, definition.short
        if definition.short in words and all(w.lower() in modifiers for w in words if w != definition.short):
            return f"def:{definition.short}", definition.short, definition.short
        if start <= definition.short_start <= end + 30 and definition.long_start < end and _names_instrument(
                definition.long) and fold(definition.long).startswith(fold(phrase)):
            # "clinical outcomes in routine evaluation-outcome measure (CORE-OM)": an instrument written in lower
            # case, whose head the cleaning cut; FORMAT.md reports an instrument by the abbreviation given
            return f"def:{definition.short}", definition.short, definition.short
        if start <= definition.short_start <= end + 3 and definition.long_start < end:
            if fold(definition.long) == fold(phrase):
                return f"def:{definition.short}", definition.short, definition.short
            if definition.long_start >= start:
                return f"def:{definition.short}", phrase, None
    if is_abbreviation:
        return None, phrase, None  # an undefined abbreviation names nothing we can show
    return construct_key(phrase), phrase, None


# ---------------------------------------------------------------- public API
