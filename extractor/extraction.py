"""Field extraction of one document: study units, then every field of each unit.

A pure function of a Document (plus the lexicons loaded once), so it runs the
same in this process, in worker processes and on a cluster.
"""

from __future__ import annotations

from .extract.combine import choose_design, choose_effects, mark_chosen, outcome_choice_pool, thresholds
from .extract.design import find_design
from .extract.effects import find_effects
from .extract.outcomes import choose_outcomes, find_outcomes
from .extract.sample_size import choose_sample_size, find_sample_sizes, sample_size_details
from .extract.segment import UnitRange, study_units
from .textlayer import TextLayer, analyse
from .types import Document, ExtractedValue, StudyUnit


def _code_version() -> str:
    """A version that changes whenever extraction code, lexicons or trained models change, so re-runs redo
    stale records."""
    import hashlib
    from pathlib import Path

    from .models.paths import trained_files

    root = Path(__file__).resolve().parent
    digest = hashlib.sha1()
    code = sorted([*root.glob("extract/*.py"), *root.glob("data/*.json"), root / "textlayer.py",
                   root / "extraction.py", *root.glob("models/*.py")])
    # the trained files follow the code, in their order below the models folder, wherever it is installed
    for path in [*code, *trained_files()]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


EXTRACTION_VERSION = _code_version()


def extraction_version(use_models: bool = True) -> str:
    """The version stored with records: rules-only records differ from records made with models."""
    return EXTRACTION_VERSION if use_models else f"{EXTRACTION_VERSION}+rules-only"
_ABSTRACT_SCOPE_MIN = 400  # an abstract shorter than this is not trusted to hold the facts


def extract_document(document: Document, use_models: bool = True) -> list[StudyUnit]:
    """Study units of a document, each with every candidate value and the chosen ones marked.

    ``use_models=False`` gives the rules alone (trained models add candidates otherwise).
    """
    units = study_units(document)
    single = len(units) == 1
    if single:
        units = [UnitRange(None, *_single_study_scope(document))]
    low = min(unit.start for unit in units)
    high = max(unit.end for unit in units)
    if single and document.title_span:
        low = min(low, document.title_span[0])
    layer = analyse(document.text, document.sections, low, high)
    if single and use_models:
        layer = _predicted_roles(layer, document, units[0])
    return [_extract_unit(document, layer, unit, index, single, use_models) for index, unit in enumerate(units)]


def _predicted_roles(layer: TextLayer, document: Document, unit: UnitRange) -> TextLayer:
    """Sentence roles from the trained model for an abstract without headings (scoping the extractors).

    The title is left out: the model learnt from abstract sentences.
    """
    from .models import sentence_roles

    threshold = thresholds().get("sentence_role_min_probability")
    if threshold is None:
        return layer
    start = unit.start
    if document.title_span and unit.start <= document.title_span[0] < unit.end:
        start = max(start, document.title_span[1])
    return sentence_roles.assign_roles(layer, start, unit.end, threshold)


def _single_study_scope(document: Document) -> tuple[int, int]:
    """Title plus abstract when the abstract is substantial, else the whole text."""
    abstract = document.abstract_span
    if abstract and abstract[1] - abstract[0] >= _ABSTRACT_SCOPE_MIN:
        start = abstract[0]
        if document.title_span and document.title_span[0] < start:
            start = document.title_span[0]
        return start, abstract[1]
    return 0, len(document.text)


_REVIEWS = {"systematic_review", "meta_analysis", "umbrella_review"}


def _design_from_model(document: Document, start: int, end: int, single: bool) -> ExtractedValue:
    """The trained classifier's label for a study whose text states no design explicitly."""
    from .models import design as classifier

    text = document.text[start:end]
    if single and document.title and document.title_span and not (start <= document.title_span[0] < end):
        text = f"{document.title}\n\n{text}"
    label, probability = classifier.predict_design(text)[0]
    return ExtractedValue("design", label, None, None, round(probability, 3),
                          f"model:{classifier.NAME}@{classifier.VERSION}",
                          attributes={"phrase": None, "reason": "no explicit cue; trained classifier"})


def _sample_size_from_model(candidates: list[ExtractedValue], layer: TextLayer) -> ExtractedValue | None:
    """When the rules choose no headline size, the trained ranker may (it abstains when unsure)."""
    from dataclasses import replace

    from .models import sample_size as ranker

    pick, probability = ranker.choose_with_model(candidates, layer)
    if pick is None:
        return None
    return replace(pick, confidence=round(probability, 3), source=f"model:{ranker.NAME}@{ranker.VERSION}",
                   attributes={**pick.attributes, "rule_source": pick.source})


def _extract_unit(document: Document, layer: TextLayer, unit: UnitRange, index: int, single: bool,
                  use_models: bool = True) -> StudyUnit:
    start, end = unit.start, unit.end
    design_candidates = find_design(
        layer, start, end,
        title_span=document.title_span if single else None,
        publication_types=document.metadata.publication_types if single else (),
    )
    design = choose_design(design_candidates)
    if use_models and (design is None or design.confidence < thresholds()["design_rule_trusted"]):
        model_design = _design_from_model(document, start, end, single)
        design_candidates.append(model_design)
        if model_design.confidence >= thresholds()["design_model_min_probability"]:
            design = model_design
    size_candidates = find_sample_sizes(layer, start, end)
    sample_size = choose_sample_size(
        [c for c in size_candidates if c.confidence >= thresholds()["sample_size_min_confidence"]],
        design.value if design else None,
    )
    if sample_size is None and use_models and (design is None or design.value not in _REVIEWS):
        sample_size = _sample_size_from_model(size_candidates, layer)
    if sample_size is not None:
        # Per-arm counts, clusters and attrition travel with the headline size as fields of their own.
        sample_size.attributes = {**sample_size.attributes, "details": sample_size_details(size_candidates)}
    outcome_candidates = find_outcomes(layer, start, end)
    if use_models:  # model spans fold into the rule mentions they overlap; the others are new candidates
        from .models.outcome_spans import model_outcome_candidates

        outcome_candidates += model_outcome_candidates(layer.text, start, end, outcome_candidates,
                                                       thresholds()["outcome_min_confidence"])
    outcomes = choose_outcomes(outcome_choice_pool(outcome_candidates))
    effect_candidates = find_effects(layer, start, end)
    effects = choose_effects(effect_candidates)
    registrations = _registrations(document, start, end, single)
    values: list[ExtractedValue] = [
        *design_candidates, *size_candidates, *outcome_candidates, *effect_candidates, *registrations
    ]
    mark_chosen(values, [design, sample_size, *outcomes, *effects, *registrations])
    return StudyUnit(index=index, label=unit.label, start=start, end=end, values=values)


def _registrations(document: Document, start: int, end: int, single: bool) -> list[ExtractedValue]:
    """Registry IDs of the unit: those stated in its text, and for one study those from metadata."""
    values: list[ExtractedValue] = []
    seen: set[str] = set()
    for identifier in document.identifiers:
        if not identifier.is_registration:
            continue
        inside = identifier.start is not None and start <= identifier.start < end
        if not (single or inside):
            continue
        value = identifier.value.upper() if identifier.scheme != "jprn" else identifier.value
        if value in seen:
            continue
        seen.add(value)
        values.append(ExtractedValue(
            field="registration", value=value, start=identifier.start, end=identifier.end,
            confidence=0.99 if identifier.start is not None else 0.95, source=identifier.source,
            attributes={"scheme": identifier.scheme},
        ))
    return values
