"""Annotation files (interchange records plus spans), agreement between annotators, and consensus.

An annotation file is JSON Lines, one record per document: the FORMAT.md record
(``doc_id``, ``title``, ``studies`` with ``design``, ``sample_size``,
``outcomes``, ``effects``, ``registrations``) with, added, where each value's
evidence lies. It holds offsets, never the document text itself, so records of
third-party documents can be kept.

Each annotator's record of a document is the machine values with that
annotator's corrections applied; agreement compares two annotators' records
field by field; a consensus settles a disagreement into one value that
``show`` and ``export`` return from then on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .corrections import EVIDENCE_KINDS, chosen_values, corrections_of, record_correction, role_choices
from .errors import ExtractorError
from .extract.choice import apply_corrections
from .extract.fields import multiple, names, spec_of, specs
from .interchange import interchange_record
from .store import Store, now
from .types import ExtractedValue, StudyUnit

CONSENSUS_PREFIX = "consensus:"


class BadAnnotationFile(ExtractorError):
    """An annotation file that is not JSON Lines of interchange records."""

    kind = "annotations"
    hint = "each line must be one JSON record as `extractor annotations export` writes it"


def comparable(field_name: str, value: Any) -> str:
    """A value as compared between annotators and files: JSON with sorted keys of what the field's spec
    compares (effects by measure, value, CI, p and outcome link, sample sizes by count and unit)."""
    with suppress(KeyError):
        value = spec_of(field_name).comparable(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- per-annotator records


def annotators(store: Store) -> list[str]:
    """Everyone who corrected or reviewed a record, consensus settlers aside, in order of first appearance."""
    return [name for name in store.annotator_names() if not name.startswith(CONSENSUS_PREFIX)]


def annotator_studies(store: Store, doc_id: str, names: set[str] | None = None) -> list[StudyUnit]:
    """A document's study units with the corrections of ``names`` applied (of everyone when None)."""
    units = store.machine_studies(doc_id)
    corrections = store.corrections(doc_id)
    if names is not None:
        corrections = corrections_of(corrections, names)
    return apply_corrections(units, corrections) if units else units


def documents_seen_by(store: Store, name: str) -> set[str]:
    """Documents an annotator marked done or corrected."""
    done = {doc_id for doc_id, names in store.reviewed_documents().items() if name in names}
    corrected = store.corrected_by(name)
    return done | corrected


# ---------------------------------------------------------------- agreement


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' labels; None when chance agreement is 1 (one label used throughout)."""
    if not pairs:
        return None
    total = len(pairs)
    observed = sum(a == b for a, b in pairs) / total
    labels = {label for pair in pairs for label in pair}
    expected = sum((sum(a == label for a, _ in pairs) / total) * (sum(b == label for _, b in pairs) / total)
                   for label in labels)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def percent_agreement(pairs: list[tuple[str, str]]) -> float | None:
    """Share of items on which two raters gave the same label, as a percentage."""
    return 100.0 * sum(a == b for a, b in pairs) / len(pairs) if pairs else None


@dataclass
class Disagreement:
    """One field of one study on which two annotators' records differ."""

    doc_id: str
    study_index: int
    field: str
    first: list[Any]
    second: list[Any]
    settled: Any = None  # the consensus value, when one was recorded
    is_settled: bool = False


@dataclass
class FieldAgreement:
    """Agreement on one field over the documents both annotators saw."""

    field: str
    items: int
    agreed: int
    percent: float | None
    kappa: float | None


@dataclass
class Agreement:
    """Two annotators' agreement per field, and where they differ."""

    first: str
    second: str
    documents: list[str]
    fields: list[FieldAgreement]
    disagreements: list[Disagreement] = field(default_factory=list)


def field_pairs(field_name: str, machine: list[Any], first: list[Any], second: list[Any]) -> list[tuple[str, str]]:
    """The (first, second) labels a field contributes to kappa for one study.

    A single-valued field is one categorical item (its value, or "none"). A list field
    gives one yes/no item per value either annotator or the machine chose.
    """
    if not multiple(field_name):
        label = lambda values: comparable(field_name, values[0]) if values else "none"  # noqa: E731
        return [(label(first), label(second))]
    in_first = {comparable(field_name, value) for value in first}
    in_second = {comparable(field_name, value) for value in second}
    items = sorted({comparable(field_name, value) for value in machine} | in_first | in_second)
    return [("yes" if item in in_first else "no", "yes" if item in in_second else "no") for item in items]


def agreement(store: Store, first: str, second: str) -> Agreement:
    """Per-field Cohen's kappa and percent agreement between two annotators, over documents both saw."""
    documents = sorted(documents_seen_by(store, first) & documents_seen_by(store, second))
    settled = {(row["doc_id"], row["study_index"], row["field"]): json.loads(row["value"])
               for row in store.consensus_rows()}
    pairs: dict[str, list[tuple[str, str]]] = {name: [] for name in names()}
    disagreements: list[Disagreement] = []
    for doc_id in documents:
        machine = store.machine_studies(doc_id)
        machine_chosen = {unit.index: unit for unit in machine}
        ones = annotator_studies(store, doc_id, {first})
        twos = {unit.index: unit for unit in annotator_studies(store, doc_id, {second})}
        for unit in ones:
            other = twos.get(unit.index)
            if other is None:
                continue
            for name in names():
                a, b = chosen_values(unit, name), chosen_values(other, name)
                base = machine_chosen.get(unit.index)
                field_items = field_pairs(name, chosen_values(base, name) if base else [], a, b)
                pairs[name].extend(field_items)
                if any(x != y for x, y in field_items):
                    key = (doc_id, unit.index, name)
                    disagreements.append(Disagreement(doc_id, unit.index, name, a, b, settled.get(key),
                                                      key in settled))
    fields = [FieldAgreement(name, len(items), sum(a == b for a, b in items), percent_agreement(items),
                             cohen_kappa(items)) for name, items in pairs.items()]
    return Agreement(first, second, documents, fields, disagreements)


def agreement_table(result: Agreement) -> str:
    """The agreement figures as a tab-separated table with a header line."""
    lines = [f"# {result.first} vs {result.second}: {len(result.documents)} documents both reviewed",
             "field\titems\tagreed\tpercent\tkappa"]
    for row in result.fields:
        percent = "n/a" if row.percent is None else f"{row.percent:.1f}"
        kappa = "n/a" if row.kappa is None else f"{row.kappa:.3f}"
        lines.append(f"{row.field}\t{row.items}\t{row.agreed}\t{percent}\t{kappa}")
    open_count = sum(not d.is_settled for d in result.disagreements)
    lines.append(f"# {len(result.disagreements)} disagreements, {open_count} not settled")
    return "\n".join(lines)


# ---------------------------------------------------------------- writing a target record as corrections


@dataclass
class Evidence:
    """Where a value's evidence lies and how it was given, as an annotation file's span says, and the role the
    annotator gave the value (None: not said)."""

    start: int | None = None
    end: int | None = None
    role: str | None = None
    origin: str | None = None  # "selection", "kept", "by hand" (corrections.EVIDENCE_KINDS), else not said


def _evidence(given: Evidence | tuple[int | None, int | None] | None) -> Evidence | None:
    if given is None or isinstance(given, Evidence):
        return given
    return Evidence(given[0], given[1])


def _span_of(units: list[StudyUnit], study_index: int, field_name: str, value: Any) -> Evidence | None:
    key = comparable(field_name, value)
    for unit in units:
        if unit.index != study_index:
            continue
        for candidate in unit.values:
            if candidate.field == field_name and comparable(field_name, candidate.value) == key \
                    and candidate.start is not None:
                return Evidence(candidate.start, candidate.end)
    return None


def correct_towards(store: Store, doc_id: str, study_index: int, field_name: str, target: list[Any],
                    annotator: str, reason: str,
                    spans: dict[str, Evidence | tuple[int | None, int | None]] | None = None,
                    accept_when_equal: bool = False) -> int:
    """Append the corrections that make a field's current values equal ``target``; returns how many.

    ``spans`` maps ``comparable`` values to their evidence (offsets, or an ``Evidence`` that may also
    carry the value's role and how its evidence was given); values without one take the span of an
    equal stored candidate. A value equal to the current one whose role differs from the one
    ``spans`` gives is corrected too (only its role changes).
    """
    units = store.studies(doc_id)
    unit = next((unit for unit in units if unit.index == study_index), None)
    if unit is None:
        return 0
    current = [value for value in unit.values if value.field == field_name and value.chosen]
    if not multiple(field_name):
        current = current[:1]
    spans = spans or {}
    roles = bool(role_choices(field_name))

    def evidence(value: Any) -> Evidence:
        given = _evidence(spans.get(comparable(field_name, value))) or Evidence()
        if given.start is None and given.origin is None:  # nothing said of where: an equal stored candidate's span
            found = _span_of(units, study_index, field_name, value)
            if found is not None:
                return Evidence(found.start, found.end, given.role, "kept")
        return given

    def add(before: Any, after: Any) -> None:
        found = evidence(after) if after is not None else Evidence()
        start, end = (found.start, found.end) if found.start is not None and found.end is not None else (None, None)
        origin = found.origin if found.origin in EVIDENCE_KINDS else None
        if origin in ("selection", "kept") and start is None:
            origin = None
        record_correction(store, doc_id, study_index, field_name, before, after, annotator, reason, start, end,
                          found.role if roles else None, origin)

    def role_changed(value: ExtractedValue) -> bool:
        given = _evidence(spans.get(comparable(field_name, value.value)))
        return roles and given is not None and given.role is not None and given.role != value.role

    count = 0
    if not multiple(field_name):
        before = current[0].value if current else None
        after = target[0] if target else None
        changed = comparable(field_name, before) != comparable(field_name, after)
        if (changed or accept_when_equal) and not (before is None and after is None):
            add(before, after)
            count += 1
        elif current and after is not None and role_changed(current[0]):
            add(before, before)  # the same value: only its role changes
            count += 1
        return count
    wanted = {comparable(field_name, value) for value in target}
    have = {comparable(field_name, value.value) for value in current}
    for value in current:
        if comparable(field_name, value.value) not in wanted:
            add(value.value, None)
            count += 1
    for value in target:
        if comparable(field_name, value) not in have:
            add(None, value)
            have.add(comparable(field_name, value))
            count += 1
        elif accept_when_equal:
            add(value, value)
            count += 1
    return count


def settle(store: Store, doc_id: str, study_index: int, field_name: str, value: list[Any], settler: str,
           between: list[str]) -> int:
    """Record a consensus value for one field of one study and make it the current value; returns its id."""
    correct_towards(store, doc_id, study_index, field_name, value, f"{CONSENSUS_PREFIX}{settler}",
                    f"consensus of {' and '.join(sorted(between))}", accept_when_equal=True)
    single = not multiple(field_name)
    stored = value[0] if single and value else (None if single else value)
    return store.add_consensus(doc_id, study_index, field_name, stored, settler, between)


# ---------------------------------------------------------------- export and import


def export_annotations(store: Store, handle: TextIO, names: set[str] | None = None, everything: bool = False) -> int:
    """Write corrected records (every record with ``everything``) as annotation JSONL; returns how many.

    With ``names``, each record is those annotators' own (machine values plus their corrections).
    """
    corrected: dict[str, set[str]] = {}
    for doc_id, name in store.active_correction_authors():
        corrected.setdefault(doc_id, set()).add(name)
    count = 0
    documents = store.documents() if everything else store.corrected_documents()
    for document in documents:
        by = corrected.get(document.doc_id, set())
        if names is not None:
            by = by & names
        if not by and not everything:
            continue
        units = annotator_studies(store, document.doc_id, names)
        record = annotation_record(document.doc_id, document.title, document.content_hash,
                                   interchange_record(document, units), units, sorted(by))
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def annotation_record(doc_id: str, title: str | None, content_hash: str, record: dict[str, Any],
                      units: list[StudyUnit], by: list[str]) -> dict[str, Any]:
    """An interchange record with, per study, its index, range and every chosen value's span."""
    studies = []
    for entry, unit in zip(record["studies"], units or [None], strict=False):
        if unit is not None:
            entry = {**entry, "study_index": unit.index, "start": unit.start, "end": unit.end, "spans": [
                {"field": value.field, "value": value.value, "start": value.start, "end": value.end,
                 "role": value.role, "source": value.source, "confidence": value.confidence,
                 "origin": _origin(value)}
                for value in unit.values if value.chosen]}
        studies.append(entry)
    return {"doc_id": doc_id, "title": title, "studies": studies, "annotators": by, "content_hash": content_hash,
            "exported_at": now()}


def _origin(value: ExtractedValue) -> str | None:
    """How a chosen value's evidence was given: "machine" for the tool's own, else the annotator's kind
    ("selection", "kept", "by hand"; None for a correction made before the kind was kept)."""
    if not value.source.startswith("annotator:"):
        return "machine"
    return (value.attributes or {}).get("evidence")


def read_annotation_file(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one annotation file; BadAnnotationFile naming the line when one is not a record."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise BadAnnotationFile(f"{path}: cannot be read ({error.strerror})",
                                hint="give the path of a .jsonl file") from None
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise BadAnnotationFile(f"{path}, line {number}: not JSON ({error.msg})") from None
                if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str) \
                        or not isinstance(record.get("studies"), list):
                    raise BadAnnotationFile(f"{path}, line {number}: not a record (needs doc_id and a studies list)")
                yield record
        except UnicodeDecodeError:
            raise BadAnnotationFile(f"{path}: not UTF-8 text", hint="save the file as UTF-8 and run again") from None


def load_annotation_records(folder: Path) -> Iterator[dict[str, Any]]:
    """Every record of every ``folder/*.jsonl`` file, files in name order, for the trainers.

    Each record is a dict::

        {"doc_id": "example_pubmed_page", "title": "...",
         "studies": [{"label": None, "design": "rct", "sample_size": {"n": 241, "unit": "mothers"},
                      "outcomes": ["GAD-7"], "effects": [{"measure": "MD", "value": -1.6,
                      "ci": [-2.7, -0.5], "p": 0.004}], "registrations": ["NCT09999999"],
                      "study_index": 0, "start": 201, "end": 1498,
                      "spans": [{"field": "sample_size", "value": {"n": 241, "unit": "mothers"},
                                 "start": 770, "end": 788, "role": "randomised",
                                 "source": "annotator:ana", "confidence": 1.0,
                                 "origin": "selection"}, ...]}],
         "annotators": ["ana"], "content_hash": "<sha256 of the document as read>",
         "exported_at": "2026-...", "annotation_file": "ana.jsonl"}

    The FORMAT.md keys are always there; ``study_index``, ``start``/``end`` and
    ``spans`` are there for records exported from a database (a gold file made
    elsewhere may lack them). Span offsets point into the document's canonical
    text as extractor reads it (``Document.text``), whose ``content_hash`` the
    record names; the text itself is not in the file. A span's ``origin`` says
    how its evidence was given: ``machine`` (the tool's), or for an annotator's
    value ``selection``, ``kept`` (the tool's evidence of that same value) or
    ``by hand`` (no evidence: start and end are null); older files lack it. ``annotation_file`` is the
    file's name, added on reading. A line that is not a record raises
    BadAnnotationFile naming the file and line.
    """
    for path in sorted(Path(folder).glob("*.jsonl")):
        for record in read_annotation_file(path):
            yield {**record, "annotation_file": path.name}


@dataclass
class ImportSummary:
    """What an import did."""

    records: int = 0
    corrections: int = 0
    skipped: list[str] = field(default_factory=list)


def _targets(entry: dict[str, Any]) -> dict[str, list[Any]]:
    """The values a study entry of a file sets, per field; a key left out is not touched."""
    targets: dict[str, list[Any]] = {}
    for spec in specs():
        name, key = spec.name, spec.record_key
        if key not in entry:
            continue
        value = entry[key]
        if not spec.multiple:
            targets[name] = [] if value is None else [value]
        else:
            targets[name] = list(value or [])
    return targets


def import_annotations(store: Store, path: Path, annotator: str | None = None) -> ImportSummary:
    """Bring an annotation file's values into the store as corrections (re-importing adds nothing)."""
    from .corrections import CorrectionError, parse_value

    summary = ImportSummary()
    known = store.content_hashes()
    for record in read_annotation_file(path):
        doc_id = record["doc_id"]
        if doc_id not in known:
            summary.skipped.append(f"{doc_id}: not in the database; extract its file first")
            continue
        named = record.get("annotators") or []
        name = annotator or (named[0] if len(named) == 1 else f"import:{path.stem}")
        same_text = record.get("content_hash") in (None, known[doc_id])
        units = store.studies(doc_id)
        summary.records += 1
        for position, entry in enumerate(record["studies"]):
            index = entry.get("study_index", units[position].index if position < len(units) else None)
            if index is None or not any(unit.index == index for unit in units):
                summary.skipped.append(f"{doc_id}: study {position + 1} is not in the database")
                continue
            spans: dict[str, Evidence | tuple[int | None, int | None]] = {}
            for span in entry.get("spans") or []:
                if not isinstance(span, dict):
                    continue
                by_annotator = str(span.get("source") or "").startswith("annotator:")
                origin = span.get("origin") if by_annotator else None
                role = span.get("role") if by_annotator and isinstance(span.get("role"), str) else None
                if role is not None and role_choices(str(span.get("field"))) \
                        and role not in role_choices(str(span.get("field"))):
                    raise BadAnnotationFile(f"{path}: {doc_id}: {role!r} is not a role of a {span.get('field')} value",
                                            hint=f"use one of {', '.join(role_choices(str(span.get('field'))))}")
                # offsets into another text than the stored one point nowhere: the value keeps no evidence
                start, end = (span.get("start"), span.get("end")) if same_text else (None, None)
                if not (isinstance(start, int) and isinstance(end, int)):
                    start = end = None
                    origin = "by hand" if origin == "by hand" else None
                spans[comparable(span.get("field"), span.get("value"))] = Evidence(start, end, role, origin)
            for name_of_field, target in _targets(entry).items():
                try:
                    checked = [parse_value(name_of_field, json.dumps(value, ensure_ascii=False)) for value in target]
                except CorrectionError as error:
                    raise BadAnnotationFile(f"{path}: {doc_id}: {error.message}", hint=error.hint) from None
                summary.corrections += correct_towards(store, doc_id, index, name_of_field, checked, name,
                                                       f"imported from {path.name}", spans)
    return summary
