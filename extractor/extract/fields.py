"""The registered fields, in the order a study record lists them.

Built in: design, sample size, outcomes, effects, registrations (study units are the segmenter,
``units``). ``register`` adds a field (a ``FieldSpec``) and every layer picks it up: extraction,
the chooser, ``--jsonl``, ``show``, ``export``, corrections, the review app and annotations.
A field registered at run time is known to this process (and to worker processes forked from it).
"""

from __future__ import annotations

from .design import SPEC as DESIGN
from .effects import SPEC as EFFECT
from .outcomes import SPEC as OUTCOME
from .registrations import SPEC as REGISTRATION
from .registry import CorrectionError, FieldSpec
from .sample_size import SPEC as SAMPLE_SIZE

_REGISTRY: dict[str, FieldSpec] = {spec.name: spec for spec in (DESIGN, SAMPLE_SIZE, OUTCOME, EFFECT, REGISTRATION)}


def specs() -> tuple[FieldSpec, ...]:
    """Every registered field, in record order."""
    return tuple(_REGISTRY.values())


def names() -> tuple[str, ...]:
    """The registered fields' names (as stored in ``extracted_values.field``), in record order."""
    return tuple(_REGISTRY)


def spec_of(name: str) -> FieldSpec:
    """The spec of a registered field; KeyError when there is none."""
    return _REGISTRY[name]


def multiple(name: str) -> bool:
    """Whether a field holds many values; a field no longer registered counts as a list (its values are
    never dropped)."""
    spec = _REGISTRY.get(name)
    return spec.multiple if spec is not None else True


def checked_spec(name: str) -> FieldSpec:
    """The spec of a field an annotator named; CorrectionError listing the fields when it is not one."""
    spec = _REGISTRY.get(name)
    if spec is None:
        raise CorrectionError(f"{name!r} is not a field", hint=f"use one of {', '.join(_REGISTRY)}")
    return spec


def register(spec: FieldSpec) -> None:
    """Add a field after those registered (or replace the field of that name in its place)."""
    if any(other.record_key == spec.record_key and other.name != spec.name for other in _REGISTRY.values()):
        raise ValueError(f"record key {spec.record_key!r} is taken by another field")
    _REGISTRY[spec.name] = spec


def unregister(name: str) -> None:
    """Remove a field added with ``register`` (built-in fields stay)."""
    if name in {DESIGN.name, SAMPLE_SIZE.name, OUTCOME.name, EFFECT.name, REGISTRATION.name}:
        raise ValueError(f"{name!r} is a built-in field")
    _REGISTRY.pop(name, None)
