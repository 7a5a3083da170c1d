"""Field extraction of one document: study units, then every field of each unit.

A pure function of a Document (plus the lexicons loaded once), so it runs the
same in this process, in worker processes and on a cluster.
"""

from __future__ import annotations

from ..textlayer import TextLayer, analyse
from ..types import Document, ExtractedValue, StudyUnit
from .choice import choose, mark_chosen
from .fields import specs
from .registry import UnitContext
from .thresholds import thresholds
from .units.segment import UnitRange, given_values, study_units
from .units.tables import header_spans
from .version import code_version, extraction_version  # noqa: F401  (named here for older importers)

EXTRACTION_VERSION = code_version()  # importers of this module load the extraction code anyway

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
    from ..models import sentence_roles

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


def _extract_unit(document: Document, layer: TextLayer, unit: UnitRange, index: int, single: bool,
                  use_models: bool = True) -> StudyUnit:
    """Every registered field of one unit, in record order: its candidates, and the chooser's picks marked."""
    context = UnitContext(document, layer, unit.start, unit.end, single, use_models)
    values: list[ExtractedValue] = []
    picked: list[ExtractedValue] = []
    headers = header_spans(document.text)
    for spec in specs():
        candidates, chosen = given_values(unit, spec.name, *choose(spec, context), headers=headers)
        context.chosen[spec.name] = chosen
        values.extend(candidates)
        picked.extend(chosen)
    mark_chosen(values, picked)
    return StudyUnit(index=index, label=unit.label, start=unit.start, end=unit.end, values=values)
