"""The parent study's counts: in a secondary analysis, follow-up or ancillary study of another trial or cohort,
the counts that describe that study ("a secondary analysis of the ABC trial, which screened 3000 women and
randomised 1200", "a follow-up of the XYZ trial (n = 1500)", "using data from a cohort of 18,000 families")
and those of a clause that names the parent study as such ("Of 2,500 participants in the parent trial, ...")
are not the sample of this report, when the report gives a count of its own elsewhere ("we analysed 412
mothers"). They are marked ``parent_study`` and the chooser leaves them out (``choice``)."""

from __future__ import annotations

import re

from .records import PERSON_KINDS, Count, Scan

# the study named after the marker: a word for a trial, cohort or survey before the first count
_STUDY_NOUN = re.compile(
    r"\b(?:trials?|stud(?:y|ies)|rcts?|cohorts?|surveys?|programmes?|programs?|projects?|registry|registries|"
    r"database|ensayo|estudio|studie)\b")
# a marker after a time word ("at the 12-month follow-up of the trial") is a time point of this study
_TIME_BEFORE = re.compile(r"\b(?:at|during|after|by|until|before|over|throughout)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+)?$")
_SCOPE_LIMIT = 250
# what joins a count to the study named before it, making it the study's: a relative clause, a bracket, a
# preposition ("the ABC trial, which screened 3000", "trial (n = 1500)", "a trial of 742 families")
_ATTACHED = re.compile(r"[,(]|\b(?:which|that|who|whom|where|whose|of|in|with|among|including|involving)\b")
# the parent study named as such: "Of 2,500 participants in the parent trial, ...", "the original cohort of 2867"
# (the look-behinds after the first letters stand for a leading \b: the scan then skips to a "p", "o" or "i")
_PARENT_NOUN = re.compile(
    r"(?:p(?<!\w.)arent|o(?<!\w.)riginal|i(?<!\w.)nitial)\s+(?:randomi[sz]ed\s+)?(?:controlled\s+)?(?:clinical\s+)?(?:trial|study|rct|cohort)\b")
_FRONTED = re.compile(r"\s*(?:[a-z ]{1,30}:\s*)?(?:in|within|across|for)\b")
# the report calls itself a derived study: "In this long-term follow-up", "the present secondary analysis"
_THIS_DERIVED = re.compile(  # (look-behinds as in _PARENT_NOUN)
    r"(?:t(?<!\w.)h(?:is|e\s+present|e\s+current)|o(?<!\w.)ur)\s+(?:[\w-]+\s+){0,2}?(?:follow[- ]?up|secondary\s+analys[ie]s|"
    r"post[- ]?hoc\s+analys[ie]s|ancillary\s+study|sub-?study|exploratory\s+analys[ie]s|re-?analys[ie]s)\b")
# in a derived report, a clause about the trial ("1,645 mothers were randomised in the trial"; but "412 mothers
# from the trial", "children of the Millennium Cohort Study" are the report's own sample) or one whose
# subject is the named parent ("The PACE trial enrolled 641 patients"; a bare "The trial included 247" may be
# the report's own, in a long-term follow-up of the same participants) describes the parent study
_TRIAL_CLAUSE = re.compile(
    r"\b(?:in|by|into)\s+the\s+(?!present\b|current\b)(?:[\w-]+\s+){0,3}?(?:trial|rct)s?\b"
    r"(?!\s+(?:arms?|groups?|conditions?|interventions?|data|sites?|protocol)\b)")
_NAMED_STUDY = re.compile(r"\b(?:in|by|into)\s+the\s+(?:[A-Z][\w-]*\s+){1,4}(?:[Ss]tudy|[Cc]ohort|[Ss]urvey)\b")
_TRIAL_SUBJECT = re.compile(
    r"(?:[a-z ]{1,30}:\s*)?the\s+(?!present\b|current\b|this\b)(?:[\w-]+\s+){1,4}?(?:trial|rct|study|cohort)\b"
    r"(?:\s*\([^)]*\))?\s+"
    r"(?:\w+ly\s+)?(?:randomi[sz]ed|enrolled|recruited|included|screened|assessed|allocated|involved|comprised|followed)\b")
_THIS_REPORT = re.compile(r"\b(?:this|the\s+present|the\s+current|our)\s+(?:[\w-]+\s+){0,2}?(?:analys[ie]s|study|report|sample)\b")
_OPENING_CHARS = 1500
_SELF_BEFORE = re.compile(
    r"(?::\s*|\b(?:this|it)\s+(?:is|was)\s+|\bwe\s+(?:conducted|performed|carried\s+out|report|present|did)\s+)"
    r"(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}$")
_SEGMENT_BREAK = re.compile(r"(?<!\d),|,(?!\d{3}\b)|[;()]")
_STAGE_ROLES = ("randomised", "enrolled", "analysed", "followed_up")
_OWN_CONFIDENCE = 0.5


def parent_scopes(scan: Scan, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of text, one per marker, that describe a parent study: from the marker to the end of its
    clause (a semicolon or the sentence's end, or the first comma or closing bracket after a count in it)."""
    scopes = []
    counts = sorted(scan.counts, key=lambda c: c.start)
    derived = _calls_itself_derived(scan, start, end)
    for sentence in scan.sentences:
        s_start, s_end = max(sentence.start, start), min(sentence.end, end)
        if s_start >= s_end:
            continue
        for marker in scan.lexicon.derived_study.finditer(scan.lower, s_start, s_end):
            if _TIME_BEFORE.search(scan.lower, max(s_start, marker.start() - 30), marker.start()):
                continue
            limit = min(s_end, marker.end() + _SCOPE_LIMIT)
            semicolon = scan.text.find(";", marker.end(), limit)
            scope_end = semicolon if semicolon != -1 else limit
            inside = [c for c in counts if marker.end() <= c.start < scope_end]
            nouns = list(_STUDY_NOUN.finditer(scan.lower, marker.end(), inside[0].start)) if inside else []
            if not nouns:
                continue  # no count, or no study named before the first count ("follow-up of 320 children")
            if not _ATTACHED.search(scan.lower, nouns[-1].end(), inside[0].start):
                continue  # "This secondary analysis of the ABC trial included 412 mothers": the report's own verb
            breaks = [m.start() for m in re.finditer(r"[,)]", scan.text[inside[0].np_end : scope_end])]
            if breaks:
                scope_end = inside[0].np_end + breaks[0]
            scopes.append((marker.start(), scope_end))
        for named in _PARENT_NOUN.finditer(scan.lower, s_start, s_end):
            scopes.append(_segment(scan, s_start, s_end, named.start(), named.end()))
        if derived:
            scopes.extend(_parent_clauses(scan, s_start, s_end))
    return scopes


def _calls_itself_derived(scan: Scan, start: int, end: int) -> bool:
    """Whether the report says it is a secondary analysis or follow-up of another study: "this long-term
    follow-up", or the marker in its opening (title, design line, first sentences), after a heading
    ("Design: Secondary analysis of ...") or after "This is / We conducted". A full paper of a trial that
    mentions "a secondary analysis of the data" further on is not one."""
    if _THIS_DERIVED.search(scan.lower, start, end):
        return True
    for marker in scan.lexicon.derived_study.finditer(scan.lower, start, end):
        if marker.start() - start <= _OPENING_CHARS or _SELF_BEFORE.search(
                scan.lower, max(start, marker.start() - 40), marker.start()):
            return True
    return False


def _parent_clauses(scan: Scan, s_start: int, s_end: int) -> list[tuple[int, int]]:
    """In a derived report, the clauses of one sentence about the trial it derives from: a stretch between
    breaks that says "in the trial" (or names a study, "of the Millennium Cohort Study") and not "this
    analysis", and a sentence whose subject is the trial ("The PACE trial enrolled 641 patients")."""
    found = []
    subject = _TRIAL_SUBJECT.match(scan.lower, s_start, s_end)
    if subject is not None:
        semicolon = scan.text.find(";", subject.end(), s_end)
        found.append((s_start, semicolon if semicolon != -1 else s_end))
    for named in [*_TRIAL_CLAUSE.finditer(scan.lower, s_start, s_end), *_NAMED_STUDY.finditer(scan.text, s_start, s_end)]:
        segment = _segment(scan, s_start, s_end, named.start(), named.end())
        if not _THIS_REPORT.search(scan.lower, *segment):
            found.append(segment)
    return found


def _segment(scan: Scan, s_start: int, s_end: int, start: int, end: int) -> tuple[int, int]:
    """The stretch between commas, semicolons and brackets around ``[start, end)``; a fronted phrase ("In the
    parent trial, 2,500 adolescents were randomised") reaches over the comma to the clause it heads."""
    before = [m.end() for m in _SEGMENT_BREAK.finditer(scan.text, s_start, start)]
    segment_start = before[-1] if before else s_start
    after = _SEGMENT_BREAK.search(scan.text, end, s_end)
    segment_end = after.start() if after else s_end
    if after is not None and after.group() == "," and _FRONTED.match(scan.lower, segment_start, start):
        following = _SEGMENT_BREAK.search(scan.text, after.end(), s_end)
        segment_end = following.start() if following else s_end
    return segment_start, segment_end


def mark_parent_counts(scan: Scan, start: int, end: int) -> None:
    """Mark the counts of people and clusters inside a parent study's scope, when the report has a count of
    people with a stage outside every scope (else the parent's count is all the report gives, and stays)."""
    staged = [c for c in scan.counts if c.kind in PERSON_KINDS and c.role in _STAGE_ROLES
              and c.form != "whole" and c.confidence >= _OWN_CONFIDENCE]
    if not staged:
        return  # no count can be the report's own: nothing is marked, wherever the scopes lie
    if not (scan.lexicon.derived_study.search(scan.lower, start, end) or _PARENT_NOUN.search(scan.lower, start, end)
            or _THIS_DERIVED.search(scan.lower, start, end)):
        return
    scopes = parent_scopes(scan, start, end)
    if not scopes:
        return

    def inside(count: Count) -> bool:
        return any(s <= count.start < e for s, e in scopes)

    if all(inside(c) for c in staged):
        return
    for count in scan.counts:
        if count.kind != "study" and count.kind != "report" and inside(count):
            count.attributes["parent_study"] = True
