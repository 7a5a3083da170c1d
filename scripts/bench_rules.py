"""Benchmark: where the per-document CPU time of extraction goes, stage by stage, in one process.

    .venv/bin/python scripts/bench_rules.py [--limit 500] [--models on off] [--repeat 3] [--profile FILE]

Reads the evidence-inference abstracts as ``scripts/bench_extract.py`` cuts them (title and abstract), then
runs the whole per-document work (reading the text, study units, text layer, every field and the chooser)
``--repeat`` times and prints, for the fastest run, the CPU seconds (``time.process_time``: the machine is
shared, so CPU rather than wall time) of each stage: reading, study units, the text layer, table header
spans, and each field's rule finder, chooser and model hooks. The stages are timed by wrapping the
functions ``extract_document`` calls, so the figures add up to the total less the glue between them.
With ``--profile FILE`` one further run is written as a cProfile file (``python -m pstats FILE``).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _timed(spent: Counter[str], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **options: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **options)
        finally:
            spent[name] += time.process_time() - started

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=500, help="Number of abstracts (default 500).")
    parser.add_argument("--models", nargs="+", choices=["on", "off"], default=["on", "off"])
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each configuration; the fastest counts.")
    parser.add_argument("--profile", type=Path, help="Write one more run (the first --models) as a cProfile file.")
    args = parser.parse_args()

    from bench_extract import load_abstracts

    from extractor.extract import document as extraction
    from extractor.extract import fields
    from extractor.identifiers import attach_identifiers
    from extractor.readers.text import parse_plain_text

    texts = load_abstracts(args.shared, args.limit)
    spent: Counter[str] = Counter()
    for name in ("study_units", "analyse", "header_spans", "given_values"):
        setattr(extraction, name, _timed(spent, name, getattr(extraction, name)))
    for name, spec in list(fields._REGISTRY.items()):
        hooks = tuple(dataclasses.replace(hook, propose=_timed(spent, f"{name} models", hook.propose))
                      for hook in spec.models)
        fields._REGISTRY[name] = dataclasses.replace(
            spec, find=_timed(spent, f"{name} rules", spec.find), select=_timed(spent, f"{name} chooser", spec.select),
            models=hooks)
    read = _timed(spent, "reading", parse_plain_text)

    def run_all(use_models: bool) -> None:
        for name, text in texts:
            extraction.extract_document(attach_identifiers(read(text, name)), use_models=use_models)

    print(f"corpus: {len(texts)} evidence-inference abstracts; CPU seconds of the fastest of {args.repeat} runs")
    for mode in args.models:
        use_models = mode == "on"
        run_all(use_models)  # lexicons, models and patterns loaded before timing
        best: tuple[float, dict[str, float]] | None = None
        for _ in range(max(1, args.repeat)):
            spent.clear()
            started = time.process_time()
            run_all(use_models)
            total = time.process_time() - started
            if best is None or total < best[0]:
                best = (total, dict(spent))
        assert best is not None
        print(f"models {mode}: {best[0]:.2f} s in all, {1000 * best[0] / len(texts):.2f} ms per abstract")
        for name, seconds in sorted(best[1].items(), key=lambda item: -item[1]):
            if seconds >= 0.005:
                print(f"  {name:28s} {seconds:7.2f} s {100 * seconds / best[0]:5.1f}%")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        run_all(args.models[0] == "on")
        profile.disable()
        profile.dump_stats(args.profile)
        print(f"profile of one run (models {args.models[0]}) written to {args.profile}")


if __name__ == "__main__":
    main()
