"""Outcome measures: named instruments, abbreviations the text defines, and measured constructs.

``find_outcomes`` returns every mention in a study unit as a candidate (field ``outcome``);
``choose_outcomes`` groups mentions of one outcome and returns those to report, in text order.

Mentions come from four rules (``attributes["matched"]``):

* ``lexicon``: instruments of ``data/instruments.json`` by abbreviation (case-sensitive whole
  token; a version or subscale suffix is kept: ``SDQ-TD``) or by name (case-insensitive,
  British/American spellings and connectives folded);
* ``definition``: abbreviations the text defines, found with the Schwartz-Hearst rule
  (``Strengths and Difficulties Questionnaire Total Difficulties (SDQ-TD)``,
  ``(Patient Health Questionnaire, PHQ-9)``); a definition also vetoes a lexicon reading of
  the same letters (``Perinatal Support Service (PSS)`` is not the Perceived Stress Scale);
* ``fuzzy`` / ``name``: capitalised instrument-shaped names (``... Scale``, ``... Questionnaire``)
  close to a lexicon name, or kept as written when unknown but used as a measure;
* ``construct``: noun phrases named by cues (``primary outcome was X``, ``outcomes included X,
  Y and Z``, ``effects on X``, ``improvements in X``, ``X was assessed with``, ``X (d = ...)``),
  cleaned of determiners, direction words, ``scores`` and time points.

A mention weighs more in methods and results sentences than in background ones, and little
in an eligibility criterion (``scored > 10 on the PHQ-9``). Choosing keeps one value per
outcome (the text's abbreviation when it gives one), lets an instrument absorb the construct
it measures (``depression (PHQ-9)`` -> ``PHQ-9``), and falls back to weaker mentions only when
a unit has no strong one.
"""

from __future__ import annotations

from ...textlayer import TextLayer
from ...types import ExtractedValue
from .choice import choose_outcomes
from .constructs import construct_mentions
from .definitions import read_definitions
from .instruments import instrument_mentions
from .lexicon import vocabulary
from .sentences import Mention, SentenceContext, is_skipped

__all__ = ["choose_outcomes", "find_outcomes", "read_sentences"]


def find_outcomes(layer: TextLayer, start: int = 0, end: int | None = None) -> list[ExtractedValue]:
    """Every outcome-measure mention in ``layer.text[start:end]``, as unchosen candidates."""
    end = len(layer.text) if end is None else end
    text = layer.text
    contexts = [SentenceContext(text, s) for s in layer.sentences_between(start, end)]
    contexts = [c for c in contexts if not is_skipped(c)]
    defined = read_definitions((c.sentence, c.chunk) for c in contexts)
    # one search of the whole range spares one per sentence in most texts, which name no "... Scale"
    heads_in_text = bool(contexts) and vocabulary().capital_heads.search(
        text, min(c.sentence.start for c in contexts), max(c.sentence.end for c in contexts)) is not None
    mentions: list[Mention] = []
    for context in contexts:
        context.instruments = instrument_mentions(text, context, defined, heads_in_text)
        mentions.extend(construct_mentions(context, defined.all))
        mentions.extend(context.instruments)
    values = []
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        if mention.end <= start or mention.start >= end:
            continue
        values.append(ExtractedValue(
            field="outcome", value=mention.display, start=mention.start, end=mention.end,
            confidence=round(min(mention.confidence, 0.99), 3), source=f"rule:outcomes.{mention.rule}.v1",
            role=mention.role,
            attributes={
                "instrument": mention.instrument.name if mention.instrument else (
                    mention.display if mention.kind == "instrument" else None),
                "abbreviation": mention.abbreviation,
                "construct": mention.construct,
                "timepoints": list(mention.timepoints),
                "matched": mention.matched,
                "key": mention.key,
                "kind": mention.kind,
                "link": mention.link,
                "section": mention.sentence.section,
            },
        ))
    return values


def read_sentences(layer: TextLayer, start: int = 0, end: int | None = None) -> list[tuple[int, int, float]]:
    """The sentences of ``layer.text[start:end]`` the rules read (not references, affiliations, keywords), each
    with how much a mention in it counts (its section and wording): where the outcome scorer looks for chunks."""
    end = len(layer.text) if end is None else end
    contexts = [SentenceContext(layer.text, s) for s in layer.sentences_between(start, end)]
    return [(max(c.sentence.start, start), min(c.sentence.end, end), c.weight) for c in contexts
            if not is_skipped(c)]
