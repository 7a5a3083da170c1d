"""Effects keep their outcome when a statistic is printed in a way that once split the sentence."""

from __future__ import annotations

import pytest

from extractor.extract.document import extract_document
from extractor.types import Document


def chosen_effects(text: str) -> list[dict]:
    document = Document(doc_id="t", source_path="t.txt", format="text", text=text)
    return [value.value for unit in extract_document(document) for value in unit.values
            if value.field == "effect" and value.chosen]


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Results: Mothers in the programme reported less anxiety (P =. 007; d = 0.30) than controls.", "anxiety"),
        ("Results: Maternal anxiety fell more in the programme group (P =. 007) than in the control group "
         "(d = 0.30, 95% CI 0.10 to 0.50).", "anxiety"),
        ("Results: Maternal depression fell (p < . 001), with an odds ratio of 0.55 (95% CI 0.37 to 0.81).",
         "depression"),
    ],
)
def test_a_spaced_p_value_does_not_cut_an_effect_from_its_outcome(text: str, outcome: str) -> None:
    effects = chosen_effects(text)
    assert len(effects) == 1
    assert outcome in (effects[0].get("outcome") or "").lower()


def test_a_spaced_p_value_reads_like_a_written_one() -> None:
    spaced = "Results: Maternal anxiety fell more in the programme group (P =. 007) than in controls (d = 0.30)."
    written = spaced.replace("=. 007", "= .007")
    assert chosen_effects(spaced) == chosen_effects(written)
