"""Review criteria from a small TOML file: hard criteria filter, the rest rank.

```toml
designs = ["rct", "cluster_rct"]      # wanted designs (extractor's labels)
min_sample_size = 50                  # headline sample size at least this
years = [2005, 2025]                  # publication years, inclusive
outcome_keywords = ["sleep", "night waking"]
population_keywords = ["toddler", "infant"]
```

Keys may also sit under a ``[criteria]`` table. A record whose design, sample
size or year is unknown passes the hard filter: the reviewer decides it. The size
filter looks only at the sample size the extractor chose (or an annotator corrected),
the one ``extractor show`` lists: a count the extractor passed over (an arm, a
subgroup) never sets a record aside.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BadCriteria

KNOWN_KEYS = {"designs", "min_sample_size", "years", "outcome_keywords", "population_keywords"}


@dataclass(frozen=True)
class Criteria:
    """What a review wants: hard filters (designs, size, years) and ranking keywords."""

    designs: tuple[str, ...] = ()
    min_sample_size: int | None = None
    years: tuple[int | None, int | None] = (None, None)
    outcome_keywords: tuple[str, ...] = ()
    population_keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """The facts of one record that criteria look at (None when not extracted)."""

    design: str | None = None
    sample_size: int | None = None
    year: int | None = None
    outcomes: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Verdict:
    """Whether a record passes the hard criteria, why not, and its keyword matches."""

    passes: bool
    reasons: tuple[str, ...] = ()
    outcome_matches: tuple[str, ...] = field(default_factory=tuple)
    population_matches: tuple[str, ...] = field(default_factory=tuple)


def load_criteria(path: Path | str) -> Criteria:
    """Criteria read from a TOML file; BadCriteria names the file and the bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadCriteria(f"{path}: no such criteria file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BadCriteria(f"{path}: not valid TOML ({error})") from None
    return criteria_from_dict(data.get("criteria", data), str(path))


def criteria_from_dict(data: dict[str, Any], where: str = "criteria") -> Criteria:
    """Criteria from parsed TOML, checking each key's type."""
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise BadCriteria(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN_KEYS))}")

    def words(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise BadCriteria(f"{where}: {key} must be a list of strings")
        return tuple(item.strip().lower() for item in value if item.strip())

    size = data.get("min_sample_size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise BadCriteria(f"{where}: min_sample_size must be a whole number >= 0")
    years = data.get("years", [None, None])
    if isinstance(years, int) and not isinstance(years, bool):
        years = [years, years]
    if (not isinstance(years, list) or len(years) != 2
            or not all(year is None or (isinstance(year, int) and not isinstance(year, bool)) for year in years)):
        raise BadCriteria(f"{where}: years must be [first, last], e.g. [2005, 2025]")
    if years[0] is not None and years[1] is not None and years[0] > years[1]:
        raise BadCriteria(f"{where}: years {years[0]} > {years[1]}; give [first, last]")
    return Criteria(designs=words("designs"), min_sample_size=size, years=(years[0], years[1]),
                    outcome_keywords=words("outcome_keywords"), population_keywords=words("population_keywords"))


def criteria_to_dict(criteria: Criteria) -> dict[str, Any]:
    """Criteria as plain JSON-able values (stored with the review)."""
    return {"designs": list(criteria.designs), "min_sample_size": criteria.min_sample_size,
            "years": list(criteria.years), "outcome_keywords": list(criteria.outcome_keywords),
            "population_keywords": list(criteria.population_keywords)}


def keyword_matches(keywords: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The keywords found in ``text`` as whole words (case-insensitive, plural -s allowed)."""
    lowered = text.lower()
    return tuple(word for word in keywords if re.search(rf"\b{re.escape(word)}s?\b", lowered))


def judge(criteria: Criteria, evidence: Evidence) -> Verdict:
    """Apply the hard criteria to one record; unknown facts pass."""
    reasons: list[str] = []
    if criteria.designs and evidence.design and evidence.design not in criteria.designs:
        reasons.append(f"design {evidence.design} not in {', '.join(criteria.designs)}")
    # Only the chosen (or corrected) size: a candidate the extractor passed over is no fact about the study,
    # and a wrong exclusion costs a review more than screening one more record.
    size = evidence.sample_size
    if criteria.min_sample_size is not None and size is not None and size < criteria.min_sample_size:
        reasons.append(f"sample size {size} < {criteria.min_sample_size}")
    first, last = criteria.years
    if evidence.year is not None and ((first is not None and evidence.year < first)
                                      or (last is not None and evidence.year > last)):
        reasons.append(f"year {evidence.year} outside {first or '...'}-{last or '...'}")
    searched = " ".join([evidence.text, *evidence.outcomes])
    return Verdict(passes=not reasons, reasons=tuple(reasons),
                   outcome_matches=keyword_matches(criteria.outcome_keywords, searched),
                   population_matches=keyword_matches(criteria.population_keywords, evidence.text))
