"""What a field is: the spec every field declares, and the unit context its finders read.

A field (design, sample size, outcomes, effects, registrations, or one a user adds) is a
subpackage of ``extractor.extract`` with a ``SPEC``: its name, whether a study holds one value
or many, its vocabulary, how it finds rule candidates, which trained models may offer
candidates and when, how a correction value is parsed, checked and shown, and its interchange
and CSV shape. Extraction, the chooser, corrections, ``show``, the exports, the review app and
annotations all loop over the registered specs (``extractor.extract.fields``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ExtractorError

if TYPE_CHECKING:
    from ..textlayer import TextLayer
    from ..types import Correction, Document, ExtractedValue


class CorrectionError(ExtractorError):
    """A correction that cannot be made: a bad value, an unknown field or study, a second undo."""

    kind = "correction"
    hint = "check the value against the field's format (see `extractor correct --help`)"


@dataclass
class UnitContext:
    """What a field's finders and model hooks see of one study unit.

    ``chosen`` holds the values already chosen for the fields before this one (in registry order),
    so a later field can depend on an earlier one (the sample size on the design).
    """

    document: Document
    layer: TextLayer
    start: int
    end: int
    single: bool  # the document reports one study
    use_models: bool = True
    chosen: dict[str, list[ExtractedValue]] = field(default_factory=dict)

    def chosen_value(self, name: str) -> Any:
        """The chosen value of a single-valued field already decided, or None."""
        values = self.chosen.get(name) or []
        return values[0].value if values else None


# When the chooser consults a model, and what its candidates do:
# "join": always consulted; its candidates join the rules' before the choice (outcome spans);
# "unsure": consulted when the rules choose nothing or below the field's trusted confidence; its best
#   candidate is chosen when it reaches the model floor (design);
# "abstain": consulted when the rules choose nothing; its candidate is chosen (the model abstains itself).
Consult = Literal["join", "unsure", "abstain"]


@dataclass(frozen=True)
class ModelHook:
    """A trained model that offers candidates for a field."""

    name: str
    consult: Consult
    propose: Callable[[list[ExtractedValue], UnitContext], list[ExtractedValue]]
    applies: Callable[[UnitContext], bool] = lambda context: True


def _identity(values: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    return values


def _plain_parse(text: str, previous: Any = None) -> Any:
    """Free text (or a JSON string), with runs of white space made one space."""
    try:
        as_json = json.loads(text)
    except json.JSONDecodeError:
        as_json = None
    return as_json if isinstance(as_json, str) else " ".join(text.split())


def _plain_short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a study record, declared once.

    ``find`` gives rule candidates of a unit; ``select`` picks among the candidates that pass the
    field's confidence floors (all of them by default); ``finish`` may add to the chosen values'
    attributes. ``rule_floor``/``model_floor``/``trusted`` name thresholds of ``data/combine.json``.
    """

    name: str  # as stored in extracted_values.field and corrections.field
    record_key: str  # the key of the interchange study record (FORMAT.md)
    multiple: bool  # a study holds many values (a list) rather than one
    title: str  # as the review app and `show` name it
    find: Callable[[UnitContext], list[ExtractedValue]]
    vocabulary: tuple[str, ...] | None = None
    select: Callable[[list[ExtractedValue], UnitContext], list[ExtractedValue]] = _identity
    finish: Callable[[list[ExtractedValue], list[ExtractedValue]], None] | None = None
    models: tuple[ModelHook, ...] = ()
    rule_floor: str | None = None
    model_floor: str | None = None
    trusted: str | None = None
    # corrections: the value an annotator typed (JSON or the short form) -> a checked value
    parse: Callable[[str, Any], Any] = _plain_parse
    short: Callable[[Any], str] = _plain_short  # the short form ``parse`` reads back
    text: Callable[[ExtractedValue], str] | None = None  # as `show` prints a value (``short`` by default)
    comparable: Callable[[Any], Any] = lambda value: value  # what annotators' values are compared on
    # what still names a value when a re-run changes its other parts (an effect's numbers when its outcome link
    # changes), so a correction replaces it instead of standing beside it; None: the whole value
    identity: Callable[[Any], Any] | None = None
    # the interchange record and CSV row
    record: Callable[[Any], Any] = lambda value: value  # one chosen value as FORMAT.md writes it
    without_units: Callable[[Document], Any] | None = None  # the record of a document with no study units
    csv: Callable[[list[ExtractedValue], Any], dict[str, Any]] | None = None
    csv_columns: Sequence[str] = ()
    style: str = ""  # rich style of its evidence spans in `show`
    # the role of a corrected value, read from the machine candidates (a count's randomised, analysed, ...)
    corrected_role: Callable[[list[ExtractedValue], Correction], str | None] | None = None

    def interchange(self, values: list[ExtractedValue]) -> Any:
        """The field's entry in an interchange study record from its chosen values."""
        if self.multiple:
            return [self.record(value.value) for value in values]
        return self.record(values[0].value) if values else None

    def csv_cells(self, values: list[ExtractedValue], recorded: Any) -> dict[str, Any]:
        """The field's cells of a CSV row (``recorded`` is its interchange entry)."""
        if self.csv is not None:
            return self.csv(values, recorded)
        if self.multiple:
            return {self.csv_columns[0]: "; ".join(self.short(value) for value in recorded)}
        return {self.csv_columns[0]: None if recorded is None else self.short(recorded)}

    def show(self, value: ExtractedValue) -> str:
        """A value as ``show`` prints it."""
        return self.text(value) if self.text is not None else str(value.value)

    def check(self, text: str, previous: Any = None) -> Any:
        """An annotator's value checked through the spec; CorrectionError names what is allowed."""
        text = (text or "").strip()
        if not text:
            raise CorrectionError(f"no value given for {self.name}", hint="type a value, or reject the value instead")
        if len(text) > 500:
            raise CorrectionError(f"the {self.name} value is {len(text)} characters long", hint="keep it under 500")
        value = self.parse(text, previous)
        if self.vocabulary is not None and value not in self.vocabulary:
            raise CorrectionError(f"{text!r} is not a {self.name}", hint=f"use one of {', '.join(self.vocabulary)}")
        return value
