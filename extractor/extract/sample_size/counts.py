"""Finding counts: the count a number stands for ("Sixty-eight mothers", "n = 38", "255 of 363", "83 met the
criteria") and its unit noun, read after the number, else from its sentence or the counts before it."""

from __future__ import annotations

import re
from typing import Any

from ..common.number_words import COUNT, parse_count
from .lexicon import Lexicon
from .numbers import (
    DECIMAL_OR_PERCENT,
    NOT_A_COUNT_AFTER,
    PART_OF,
    PERCENT_AFTER,
    Number,
    plausible_number,
    valid_part,
)
from .records import Count, Scan

_TOKEN = re.compile(
    r"\s*(?:(?P<word>[A-Za-z\u00C0-\u024F](?:[\w'’\-\u2010\u2011]|\u2013(?=[A-Za-z]))*|\d+(?:[-\u2010–]\d+)*(?:[-\u2010][A-Za-z][\w'’\-]*)+)|(?P<punct>\S))"
)
_ADJECTIVE = re.compile(
    r"(?:-free|-naive|-na\u00efve|-positive|-negative|ed|al|ic|ive|ous|ful|ant|ent|ary|ile|ing|^healthy|^elderly|^obese|"
    r"^overweight|^male|^female)$", re.I)
# a class, phase or type with its number inside a noun phrase: "48 type 2 diabetic patients", "138 phase 3 (year 4)
# medical students"
_NUMBERED_WORDS = ("type", "phase", "stage", "grade", "class", "year", "level", "tier", "form", "grades", "years",
                   "status")
_ROMAN = re.compile(r"[IVX]{1,4}")
_ROMAN_JOIN = re.compile(r"\s*(?:and|or|to|-|\u2013)\s*(?P<last>[IVX]{1,4})\b")
_NUMBER_TOKEN = re.compile(r"\s*(?:\d{1,2}|[IVX]{1,4})(?![\w.,%])")
# the second class of a range after a class word: "80 ASA physical status 1 and 2 women", "stage 3-4 patients"
_NUMBER_JOIN = re.compile(r"\s*(?:and|or|to|-|\u2013|/)\s*(?:\d{1,2}|[IVX]{1,4})(?![\w.,%])")
# a bracket inside the phrase that gives a measure or a range ("2862 eligible overweight and obese (BMI = 27 to
# 40 kg/m2) members", "120 healthy (aged 18-35) volunteers"): skipped when it holds no count of people of its own
_MEASURE_INSIDE = re.compile(r"[^()%;]{1,45}")
_COUNT_INSIDE = re.compile(r"^\s*(?:[nN]|total)\s*[=:]|\b(?:patients|participants|subjects|women|men|children)\b", re.I)
_NUMBERED_INSIDE = re.compile(rf"(?:{'|'.join(_NUMBERED_WORDS)})\s+(?:\d{{1,2}}|[IVX]{{1,4}})", re.I)
# a dash between letters joins a compound ("mother–infant dyads", printed with an en dash)
_WORDS = re.compile(r"[A-Za-z\u00C0-\u024F](?:[\w'’\-\u2010\u2011]|\u2013(?=[A-Za-z]))*")
_VERB_AFTER = re.compile(
    r"\s*(?:(?:(?:were|was|had\s+been|have\s+been|are|will\s+be)\s+(?:then\s+|subsequently\s+|finally\s+|eventually\s+|"
    r"successfully\s+|actually\s+|ultimately\s+)?(?:randomi[sz]ed|randomly|enrolled|included|recruited|analy[sz]ed|allocated|"
    r"assigned|eligible|evaluable|available|followed|studied|treated|interviewed|surveyed|retained|traced|"
    r"re-?(?:interviewed|assessed|contacted|examined|surveyed))|randomi[sz]ed\s+to|(?:completed|met|participated|took\s+part|"
    r"agreed|consented|provided|contributed|remained|returned|finished|underwent|fulfilled|entered|qualified)\b|"
    r"responded\s+to\s+(?:the\s+|a\s+|an\s+|our\s+|this\s+)?(?:[\w-]+\s+){0,2}(?:survey|questionnaire)s?\b|"
    # the same stages in Spanish, Portuguese, French and German: "trescientas doce aceptaron participar"
    r"(?:fueron|foram|wurden|ont\s+été|han\s+sido|sont)\s+(?:\w+mente\s+|\w+ment\s+)?(?:aleatori[sz]ad|randomi[sz]ad|"
    r"asignad|alocad|distribuid|inclu[íi]d|reclutad|recrutad|seleccionad|selecionad|analizad|analisad|evaluad|avaliad|"
    r"randomis[ée]|inclus|recrut[ée]|analys[ée]|suivi|randomisiert|eingeschlossen|rekrutiert|ausgewertet|analysiert|"
    r"befragt|untersucht)|(?:aceptaron|aceitaram|acceptèrent|ont\s+accepté|participaron|participaram|ont\s+particip[ée]|"
    r"completaron|completaram|concluyeron|concluíram|nahmen|stimmten|willigten)\b))",
    re.I,
)
_VERB_BEFORE = re.compile(
    r"\b(?:enrolled|randomi[sz]ed|recruited|included|studied|analy[sz]ed|surveyed|interviewed|involved|involving)\s+"
    r"(?:a\s+total\s+of\s+|the\s+|all\s+)?$",
    re.I,
)
_PLANNED_BEFORE = re.compile(
    r"\b(?:planned|plans?\s+to\s+\w+|aim(?:s|ed|ing)?\s+to\s+\w+|target(?:ed|ing)?(?:\s+(?:sample|recruitment|enrol+ment|"
    r"accrual|population))?(?:\s+size)?|sample\s+size\s+(?:of|will\s+be|is)|powered\s+(?:for|to\s+\w+)|required|"
    r"needed)\s+(?:for\s+|of\s+|is\s+|a\s+total\s+of\s+|approximately\s+|about\s+|at\s+least\s+)*$|\b(?:will|would|shall)\b[^.;]{0,50}$",
    re.I,
)
_PLANNED_AFTER = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:will|would|are\s+to|is\s+to)\s+be\b|\s*(?:are|were)\s+(?:needed|required)\b", re.I)
# "Sixty American Society of Anesthesiologists status I to II adult women, aged 18-70years were enrolled"
_STAGE_VERB = re.compile(
    r"\b(?:were|was)\s+(?:randomly\s+|then\s+|successfully\s+)?(?:enrolled|randomi[sz]ed|recruited|included|assigned|allocated|studied)\b",
    re.I,
)
# a bare count, a qualifying phrase, then its stage verb: "1,412 with elevated anxiety scores were included"
_QUALIFIED_THEN_STAGE = re.compile(
    r"\s+(?:with|who|whose|having|without)\b[^;.,()\d]{0,80}?\b(?:were|was)\s+(?:\w+ly\s+)?(?:enrolled|randomi[sz]ed|"
    r"recruited|included|assigned|allocated|studied|analy[sz]ed|eligible)\b",
    re.I,
)
_LONE_NUMBER_OR_BREAK = re.compile(r"(?<![\w.\-])\d+(?![\w.%\-])|;")
_AGE_VALUE = re.compile(r"\d+|[a-z]+")
_CAPITALISED_NEXT = re.compile(r"\s+[A-Z][a-z]")
_OPENING = re.compile(r"\s*\(")
# questionnaires or surveys returned, received or completed: counts of respondents ("1,956 self-reported
# questionnaires received", "812 valid questionnaires were returned")
_RESPONSES = re.compile(
    r"\s*(?:(?:valid|usable|completed?|returned|self[- ]?(?:reported|administered|completed)|eligible|effective|"
    r"online|postal|paper)\s+)*(?P<noun>questionnaires|surveys)\b(?:\s*\([^()]*\))?\s*(?:(?:were|was|had\s+been|have\s+been)\s+)?"
    r"(?:received|returned|completed|collected|obtained|retrieved|analy[sz]ed|included)\b",
    re.I,
)
_SEX_THEN_OTHER = re.compile(
    rf"\s*(?P<sex>male|female|boys|girls)\s*(?:,\s*)?(?:and|\+|&)\s+{COUNT}\s+(?P<other>male|female|boys|girls)\b", re.I)
# "709 hospice and 1,326 nonhospice residents": the first group's noun is left out, the second's names both
_ELLIPSIS_THEN_OTHER = re.compile(rf"\s*(?P<sex>[a-z][\w-]{{2,}})\s+and\s+{COUNT}\s+(?P<other>[a-z][\w-]{{2,}})\s", re.I)
_WHOLE_STAGE = re.compile(
    r"\s*(?:(?:who|that)\s+were\s+)?(?P<verb>enrolled|randomi[sz]ed|recruited|registered|allocated|assigned)\b", re.I)
_OF_BASE_BEFORE = re.compile(rf"(?:^|[.;:]\s*|\b)of\s+(?:the\s+|all\s+)?{COUNT}\s+(?:[\w-]+\s+){{0,3}}?(?:studies|trials|articles|records|reports|references|citations|papers|publications)\b[^,;.\d]{{0,40}},\s*$", re.I)
# "12 of the patients"; "dos de los pacientes", "20 dos pacientes", "vingt des patients", "zehn der Kinder"
_OF_GROUP = re.compile(
    r"\s+(?:of\s+(?:the|these|those|all|our|its)|de\s+(?:los|las|estos|estas|os|as|esses|essas|ces)|dos|das|des|"
    r"von\s+den|der)\s+", re.I)
_RESPONSE_NOUN = re.compile(
    r"\s*(?:(?:valid|usable|completed?|returned|self[- ]?(?:reported|administered|completed)|eligible|effective|"
    r"online|postal|paper)\s+)*(?P<noun>questionnaires|surveys)\b", re.I)
_RESPONSES_VERB_BEFORE = re.compile(
    r"\b(?:received|collected|obtained|returned|retrieved|analy[sz]ed)\s+(?:a\s+total\s+of\s+|all\s+|only\s+)?$", re.I)
_STUDIES_BEFORE = re.compile(r"\b(?:studies|trials|RCTs|articles|reports|papers)\s*[(\[,;]\s*(?:[nN]\s*[=:]\s*)?$")


def read_count(
    scan: Scan, s_start: int, s_end: int, number: Number, index: int, sentence_counts: list[Count]
) -> Count | list[Count] | None:
    """The count a number stands for, with its unit, or None; "N of M" gives the part and the whole."""
    text, lexicon = scan.text, scan.lexicon
    count_text = number.text
    n = number.value if number.value is not None else parse_count(count_text)
    if n is None:
        return None
    number_start, number_end = number.start, number.end
    after = text[number_end : min(s_end, number_end + 200)]
    symbol = number.symbol
    if symbol is None and (NOT_A_COUNT_AFTER.match(after) or n <= 1):
        return None
    if symbol is not None and DECIMAL_OR_PERCENT.match(after):
        return None
    attributes: dict[str, Any] = {}
    position = 0
    percent = PERCENT_AFTER.match(after)
    if percent:
        attributes["percent"] = float((percent.group("p") or percent.group("q")).replace(",", ".").replace("·", "."))
        position = percent.end()
    evidence_start = number.label_start
    if symbol:
        if lexicon.approximate_before.search(scan.lower[max(s_start, number.label_start - 25) : number.label_start]):
            attributes["approximate"] = True
        head = _unit_after(after, position, n, lexicon, scan.abbreviations)
        if isinstance(head, tuple) and head[1] != "unknown" and symbol in "nN":
            kind, unit, unit_from = head[1], head[0], "noun"  # "n = 770 four-year-olds"
        else:
            kind, unit, unit_from = _label_unit(scan, s_start, number_start, symbol, index, sentence_counts)
        return Count(n, evidence_start, number_end, index, unit, kind, "label", attributes=attributes,
                     unit_from=unit_from, np_end=number_end)
    whole: int | None = None
    whole_span: tuple[int, int] | None = None
    if not percent:
        part = PART_OF.match(after)
        if part and valid_part(n, part, after):
            value = parse_count(part.group("whole"))
            if value is not None and value >= n:
                whole = value
                whole_span = (number_end + part.start("whole"), number_end + part.end("whole"))
                position = part.end()
                percent = PERCENT_AFTER.match(after, position)
                if percent:
                    attributes["percent"] = float((percent.group("p") or percent.group("q")).replace(",", ".").replace("·", "."))
                    position = percent.end()
    responses = _RESPONSES.match(after, position) if whole is None else None
    if responses is None and whole is None and _RESPONSES_VERB_BEFORE.search(text, max(s_start, number_start - 40), number_start):
        responses = _RESPONSE_NOUN.match(after, position)  # "We received 210 completed surveys from 260 residents"
    if responses is not None:
        # "1,956 questionnaires were received": a survey's sample is the questionnaires returned
        end = number_end + responses.end("noun")
        return Count(n, number_start, end, index, responses.group("noun").lower(), "person", "noun",
                     attributes={**attributes, "responses": True}, np_end=end)
    head = _unit_after(after, position, n, lexicon, scan.abbreviations)
    if head is None and whole is None and not percent:
        group = _OF_GROUP.match(after, position)
        if group is not None:
            # "1,830 of the original participants completed": the people the count is taken from name its unit
            grouped = _unit_after(after, group.end(), n, lexicon, scan.abbreviations)
            if isinstance(grouped, tuple) and grouped[1] == "person":
                head = grouped
                attributes["of_group"] = True
    sex = _SEX_THEN_OTHER.match(after, position) if head is None else None
    ellipsis = _ELLIPSIS_THEN_OTHER.match(after, position) if head is None and sex is None else None
    if ellipsis is not None and (ellipsis.group("sex").lower() in lexicon.stop_words
                                 or _unit_kind(ellipsis.group("sex").lower(), ellipsis.group("sex"), n, lexicon)[0]):
        ellipsis = None  # "12 weeks and 30 patients": the first word is a noun of its own
    if sex is not None or ellipsis is not None:
        # "137 male and 51 female cocaine-dependent outpatients": the first group's noun is the second's
        found = sex or ellipsis
        assert found is not None
        shared = _unit_after(after, found.start("other"), n, lexicon, scan.abbreviations)
        if isinstance(shared, tuple) and shared[1] == "person" and (sex is not None or shared[3]):
            head = (shared[0], "person", found.end("sex"), found.group("sex"))
            attributes["sex"] = found.group("sex").lower()
    if head == "rejected":
        return None
    based = head is None and whole is None and bool(_OF_BASE_BEFORE.search(text, max(s_start, number_start - 80), number_start))
    if head is None and whole is None and not based and _QUALIFIED_THEN_STAGE.match(after, position):
        based = True  # "Of 5,231 children assessed, 1,412 with elevated scores were included": the unit of the context
    if head is None and whole is None and not _VERB_AFTER.match(after, position) and not based:
        head = _distant_unit(after, position, lexicon)
        if head is None:
            return None
    before = scan.lower[max(s_start, number_start - 30) : number_start]
    people_follow = isinstance(head, tuple) and head[1] == "person" and len(head[3].split()) <= 3
    if not plausible_number(n, count_text, before, after, lexicon, people_follow) or (
            lexicon.time_before.search(before) and not isinstance(head, tuple)):
        return None  # "at week 12", but "On two days 60 COPD patients underwent"
    if lexicon.approximate_before.search(scan.lower[max(s_start, number.label_start - 25) : number.label_start]):
        attributes["approximate"] = True
    verb_before = bool(_VERB_BEFORE.search(text[max(s_start, number_start - 40) : number_start]))
    if head is not None:
        unit, kind, head_end, modifiers = head
        unit_from = "noun"
        np_end = number_end + head_end
        verb_after = _VERB_AFTER.match(text, skip_brackets(text, np_end, s_end)) is not None
        stage_verb = _STAGE_VERB.search(after[head_end : head_end + 120])
        if stage_verb and _LONE_NUMBER_OR_BREAK.search(after, head_end, head_end + stage_verb.start()):
            stage_verb = None
        if kind == "unknown" and not (verb_after or verb_before or stage_verb):
            return None  # an unknown plural counts only with a role verb right after or before it
    else:
        if (whole is None or "/" in after[:position]) and not _VERB_AFTER.match(after, position) and not based:
            return None  # (but "Of 34,537 retrieved studies, 199 including ... were eligible": the base's unit)
        parallel = _parallel_unit(scan, s_start, number_start, sentence_counts)
        kind, unit, unit_from = parallel or _context_unit(scan, s_start, number_start, index, sentence_counts)
        np_end = number_end + position
        modifiers = ""
    if modifiers:
        attributes["phrase"] = modifiers
    if _PLANNED_BEFORE.search(text[max(s_start, number_start - 60) : number_start]) or _PLANNED_AFTER.match(after, np_end - number_end):
        attributes["planned"] = True  # a target ("planned for 250 patients", "200 women will be randomised")
    if whole is None:
        form = "noun" if head is not None else "verb"
        return Count(n, number_start, np_end, index, unit, kind, form, attributes=attributes, unit_from=unit_from,
                     np_end=np_end)
    assert whole_span is not None
    part_count = Count(n, number_start, max(np_end, whole_span[1]), index, unit, kind, "part",
                       attributes={**attributes, "of": whole}, unit_from=unit_from, np_end=np_end)
    whole_attributes: dict[str, Any] = {"part": n}
    staged = _WHOLE_STAGE.match(text, np_end, s_end) if head is not None else None
    if staged is not None:
        # "received by 820 of 919 patients enrolled": a participle without its auxiliary describes the whole
        whole_attributes["stage"] = "randomised" if staged.group("verb").startswith(("random", "allocated", "assigned")) \
            else "enrolled"
        part_count.attributes["whole_staged"] = True
    if re.search(r"\b(?:planned|targeted|intended|expected|required)\b", after[: whole_span[0] - number_end], re.I):
        whole_attributes["planned"] = True
    if modifiers:
        whole_attributes["phrase"] = modifiers
    whole_count = Count(whole, whole_span[0], whole_span[1], index, unit, kind, "whole",
                        attributes=whole_attributes, unit_from=unit_from, np_end=np_end)
    return [part_count, whole_count]


def _distant_unit(after: str, position: int, lexicon: Lexicon) -> tuple[str, str, int, str] | None:
    """A person noun further on, before the verb that gives the count its role, with no count between."""
    window = after[position : position + 160]
    verb = _STAGE_VERB.search(window)
    if verb is None or _LONE_NUMBER_OR_BREAK.search(window, 0, verb.start()) or ". " in window[: verb.start()]:
        return None
    best = None
    for word in _WORDS.finditer(window[: verb.start()]):
        found = noun_unit(word.group(), lexicon)
        if found is not None and found[0] == "person":
            best = (found[1], "person", position + word.end(), "")
    return best


def _unit_after(after: str, position: int, n: int, lexicon: Lexicon, abbreviations: dict[str, str] | None = None,
                ) -> tuple[str, str, int, str] | str | None:
    """The unit noun heading the phrase after a number: (unit, kind, end offset, modifiers), "rejected" or None.
    ``abbreviations`` are those the text defines for people ("322 BCS were randomized": survivors)."""
    modifiers: list[str] = []
    for _ in range(10):  # up to 8 words, with commas, brackets and class numbers between them
        if len(modifiers) >= 8:
            return None
        token = _TOKEN.match(after, position)
        if token is not None and token.group("punct") == "," and modifiers and (
                _ADJECTIVE.search(modifiers[-1]) or _ROMAN.fullmatch(modifiers[-1])
                or (len(modifiers) >= 2 and modifiers[-2].lower().endswith("ly") and len(modifiers[-2]) > 4)):
            position = token.end()  # "400 cancer-free, postmenopausal women"; "213 obese, metabolically unhealthy, ..."
            continue
        if token is not None and modifiers and _ROMAN.fullmatch(modifiers[-1]):
            # a range of classes: "61 ASA physical status I and II, healthy female outpatients"
            joined = _ROMAN_JOIN.match(after, position)
            if joined is not None:
                modifiers.append(joined.group("last"))
                position = joined.end()
                continue
        if token is not None and token.group("punct") == "(" and modifiers:
            closing = after.find(")", token.end())
            inside = after[token.end() : closing] if closing != -1 else ""
            if 0 < len(inside) <= 25 and (not re.search(r"[=%;]|\d", inside.replace("II", ""))
                                          or _NUMBERED_INSIDE.fullmatch(inside.strip())):
                position = closing + 1  # "30 non-insulin dependent (Type II) diabetic subjects"
                continue
            if _ADJECTIVE.search(modifiers[-1]) and _MEASURE_INSIDE.fullmatch(inside) \
                    and not _COUNT_INSIDE.search(inside):
                position = closing + 1  # "2862 eligible overweight and obese (BMI = 27 to 40 kg/m2) members"
                continue
        if token is not None and token.group("punct") and modifiers and modifiers[-1].lower() in _NUMBERED_WORDS:
            numbered = _NUMBER_TOKEN.match(after, position)
            if numbered is not None:
                joined = _NUMBER_JOIN.match(after, numbered.end())
                position = joined.end() if joined is not None else numbered.end()
                continue
        if token is None or token.group("word") is None:
            return None
        word = token.group("word")
        position = token.end()
        lower = word.lower().rstrip("'’")
        if lower.endswith(("'s", "’s")):
            modifiers.append(word)
            continue
        if lower == "aged" and modifiers and modifiers[-1].lower() == "middle":
            modifiers.append(word)
            continue
        if lower in lexicon.stop_words:
            return None
        if abbreviations and word in abbreviations:
            return abbreviations[word], "person", position, " ".join(modifiers)
        if lexicon.age_noun.match(lower):
            age = _AGE_VALUE.match(lower)
            years = parse_count(age.group()) if age else None
            unit = "adolescents" if years is not None and years >= 13 and "month" not in lower else "children"
            return unit, "person", position, " ".join(modifiers)
        kind, unit = _unit_kind(lower, word, n, lexicon)
        if kind is not None and word[0].isupper() and _CAPITALISED_NEXT.match(after, position):
            modifiers.append(word)  # "four Veterans Affairs healthcare facilities": part of a name
            continue
        if kind == "not_unit":
            return "rejected"
        if kind is not None:
            if kind == "person" and unit == "analyses" and modifiers and modifiers[-1].lower() == "meta":
                kind, unit = "study", "meta-analyses"
            return unit, kind, position, " ".join(modifiers)
        modifiers.append(word)
    return None


def _unit_kind(lower: str, word: str, n: int, lexicon: Lexicon) -> tuple[str | None, str]:
    """The kind of a head noun: person/cluster/study/report, "not_unit", "unknown" for other plurals, or None."""
    for candidate in (lower, _last_part(lower)):
        kind = lexicon.units.get(candidate)
        if kind is not None:
            if kind.endswith("_singular"):
                if n == 1:
                    return kind.removesuffix("_singular"), candidate
                continue
            # a unit written in another language is recorded in English (FORMAT.md labels pages the same way)
            return kind, "RCTs" if candidate == "rcts" else lexicon.english.get(candidate, candidate)
        if candidate in lexicon.not_units:
            return "not_unit", candidate
    compound = compound_unit(word, lexicon)
    if compound is not None:
        return compound
    if lower == "analyses":
        return None, lower
    if (
        len(lower) > 3
        and lower.endswith("s")
        and not lower.endswith(("ss", "us", "is", "ous", "ics"))
        and lower not in lexicon.modifiers
        and (not word.isupper() or word.endswith("S"))
    ):
        return "unknown", lower
    return None, lower


def _label_unit(
    scan: Scan, s_start: int, number_start: int, symbol: str, index: int, sentence_counts: list[Count]
) -> tuple[str, str, str]:
    """(kind, unit, where from) of an ``n = 38`` label: studies for ``K``, else the people it counts."""
    if symbol in "kK":
        return "study", "studies", "noun"
    # "51 studies (N = 6670)": a participant total inside a count of studies
    previous = scan.text[max(s_start, number_start - 60) : number_start]
    if _STUDIES_BEFORE.search(previous):
        return "person", "participants", "context"
    return _context_unit(scan, s_start, number_start, index, sentence_counts, prefer_person=True)


# where a clause of a sentence starts: after a semicolon, colon, comma or a joining word
_BASE_OF = re.compile(r"\b(?:of|among|from)\s+(?:the\s+|all\s+|these\s+)?$", re.I)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s|\s(?:and|but|whereas|while|y|e|et|und|pero|mas|mais|aber)\s", re.I)


def _parallel_unit(scan: Scan, s_start: int, number_start: int, sentence_counts: list[Count],
                   ) -> tuple[str, str, str] | None:
    """The unit of a bare count whose clause names no noun of its own, from the parallel count before it: the
    first count of people (else the first count) with a noun of its own in the nearest clause before that has
    one, when no noun stands between that count and this one. "Five hundred women attending 12 clinics were invited; three hundred and twelve agreed": women, not
    the clinics named last."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(scan.text, s_start, number_start)]
    if not breaks:
        return None
    clause_start = breaks[-1]
    if any(noun_unit(word, scan.lexicon) for word in _WORDS.findall(scan.text, clause_start, number_start)):
        return None  # the clause names its own noun: the nearest noun before is the count's
    earlier = [c for c in sentence_counts if c.start < clause_start and c.unit_from == "noun" and c.form != "whole"]
    if not earlier:
        return None
    last = earlier[-1].start
    opening = max((b for b in breaks if b <= last), default=s_start)
    clause = [c for c in earlier if c.start >= opening]
    chosen = next((c for c in clause if c.kind in ("person",)), clause[0])
    base = _BASE_OF.search(scan.text, max(s_start, chosen.start - 12), chosen.start) is not None
    if not base and any(noun_unit(word, scan.lexicon)
                        for word in _WORDS.findall(scan.text, max(c.np_end for c in earlier), clause_start)):
        # a noun after the last count ("...; among their patients, 240 were"): the nearest noun is the count's
        # (but "of 3632 women contacted by health workers, 3049 agreed": the base the count is taken from)
        return None
    return chosen.kind, chosen.unit, "context"


def _context_unit(
    scan: Scan, s_start: int, number_start: int, index: int, sentence_counts: list[Count],
    prefer_person: bool = False,
) -> tuple[str, str, str]:
    """The unit of a count that names none: a plural noun before it in its sentence, else the unit of
    the last count of people within three sentences, else a plural noun in those sentences.

    In "mothers with infants were randomized (n = 38)" the count is of the mothers: a person noun
    joined to an earlier one by "with" / "and their" yields the earlier one.
    """
    found = _noun_before(scan.text[s_start:number_start], scan.lexicon, prefer_person)
    if found is not None:
        return found[0], found[1], "context"
    earlier_start = scan.sentences[max(0, index - 3)].start
    for count in reversed(sentence_counts + scan.counts):
        if count.kind == "person" and count.unit_from == "noun" and count.start >= earlier_start:
            return count.kind, count.unit, "context"
    for back in range(index - 1, max(-1, index - 4), -1):
        sentence = scan.sentences[back]
        found = _noun_before(scan.text[max(sentence.start, scan.range_start) : sentence.end], scan.lexicon, prefer_person)
        if found is not None:
            return found[0], found[1], "context"
    return "person", "participants", "default"


def _noun_before(segment: str, lexicon: Lexicon, prefer_person: bool) -> tuple[str, str] | None:
    words = _WORDS.findall(segment)
    for position in range(len(words) - 1, -1, -1):
        found = noun_unit(words[position], lexicon)
        if found is None:
            continue
        following = words[position + 1] if position + 1 < len(words) else ""
        if words[position][0].isupper() and following[:1].isupper() and following[1:2].islower():
            continue  # part of a name: "Patient Health Questionnaire"
        kind, unit = found
        if kind != "person" and prefer_person:
            continue
        if kind == "person" and position >= 2 and words[position - 1].lower() in ("with", "and", "their"):
            back = position - 2 if words[position - 1].lower() != "their" else position - 3
            earlier = noun_unit(words[back], lexicon) if back >= 0 else None
            if earlier is not None and earlier[0] == "person":
                unit = earlier[1]
        return kind, unit
    return None


def _last_part(word: str) -> str:
    """The last part of a hyphenated word: "mother-infant" -> "infant"."""
    if "-" not in word and "\u2010" not in word and "\u2011" not in word and "\u2013" not in word:
        return word
    return word.replace("\u2010", "-").replace("\u2011", "-").replace("\u2013", "-").rsplit("-", 1)[-1]


def noun_unit(word: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """(kind, plural unit) of a person, study or report noun written anywhere, or None."""
    lower = word.lower().rstrip("'’")
    for candidate in (lower, _last_part(lower)):
        kind = lexicon.units.get(candidate)
        if kind is None or candidate in lexicon.not_units:
            continue
        if kind.endswith("_singular"):
            return None  # "infant mental health", "patient education": a singular is a modifier
        return kind, "RCTs" if candidate == "rcts" else candidate
    return compound_unit(word, lexicon)


def compound_unit(word: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """(kind, English unit) of a German compound noun ending in a plural unit noun of the lexicon:
    "Kontrollgruppenstudien" (studies), "Schulkinder" (children), "Großeltern" (parents). German writes
    such compounds as one capitalised word; the head noun comes last. None for any other word."""
    if not word[:1].isupper() or len(word) < 8:
        return None
    lower = word.lower()
    for suffix in lexicon.compound_heads:
        if lower.endswith(suffix) and len(lower) >= len(suffix) + 3:
            kind = lexicon.units[suffix]
            return kind, lexicon.english.get(suffix, suffix)
    return None


def skip_brackets(text: str, position: int, limit: int) -> int:
    """The offset after a bracket that opens right at ``position`` ("259 patients (GET, n = 124; ...) were")."""
    opening = _OPENING.match(text, position, limit)
    if opening is None:
        return position
    depth = 0
    for offset in range(opening.end() - 1, limit):
        if text[offset] == "(":
            depth += 1
        elif text[offset] == ")":
            depth -= 1
            if depth == 0:
                return offset + 1
    return position


_ABBREVIATION = re.compile(r"\(\s*(?P<short>[A-Z][A-Za-z]{1,7})\s*\)")


def people_abbreviations(text: str, lexicon: Lexicon) -> dict[str, str]:
    """Abbreviations the text defines for a group of people, each with the plural noun it stands for:
    "breast cancer survivors (BCS)" -> {"BCS": "survivors"}, "African American women (AAW)" -> {"AAW": "women"}.
    The noun right before the bracket must be a plural person noun of the lexicon, and the abbreviation must
    end with its initial (a plural "s" aside) and start with the initial of a word just before it."""
    found: dict[str, str] = {}
    if "(" not in text:
        return found
    for match in _ABBREVIATION.finditer(text):
        short = match.group("short")
        if sum(c.isupper() for c in short) < 2:
            continue
        words = _WORDS.findall(text[max(0, match.start() - 80) : match.start()])
        if not words:
            continue
        unit = noun_unit(words[-1], lexicon)
        if unit is None or unit[0] != "person":
            continue
        letters = short[:-1] if short.endswith("s") and len(short) > 2 else short
        if letters[-1].lower() != words[-1][0].lower():
            continue
        if not any(word[0].lower() == letters[0].lower() for word in words[-len(letters) - 1 :]):
            continue
        english = lexicon.english.get(unit[1], unit[1])
        found.setdefault(short, english)
        if not short.endswith("s"):
            found.setdefault(short + "s", english)
    return found

