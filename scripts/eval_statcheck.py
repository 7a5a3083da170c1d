"""How well ``parse_statistic`` reads APA results: statcheck's hand-extracted statistics and unit tests.

Two benchmarks from the statcheck project (../shared/data/statcheck):

1. ``test_materials/manually_extracted_stats.csv``: 227 results that coders
   extracted by hand from 8 papers. The CSV has a ``raw_result`` column holding
   the result as the coders copied it from the paper (with the PDF/HTML
   conversion damage they saw), so that string is the input; nothing is
   rebuilt from the coded columns. The one change: the CSV holds the byte
   0xBC ("¼", which one journal's font prints for "=") as the four characters
   "<bc>" (how R wrote the byte), and they are turned back into "¼". Two
   figures are printed: with ``parse_statistic(repair=False)`` (the string as
   is) and with the default ``repair=True`` (letters that PDF fonts print for
   "=", "<" and ">" restored in test results, as statcheck's own PDF import
   does). A row counts as reproduced when statistic type, degrees of freedom,
   value and p (comparison and value) all agree with the coded columns.
2. ``statcheck_unit_test_cases.json``: 172 checks transcribed from statcheck's
   unit tests. Checks of parsing fields (``n_results``, ``test_type``, ``df1``,
   ``df2``, ``test_comp``, ``test_value``, ``p_comp``, ``reported_p``, ``raw``,
   ``source``) are run; checks of recomputed p-values (``error``,
   ``decision_error``, ``apa_factor``) are not about parsing and are counted
   as skipped.

Usage: ``python scripts/eval_statcheck.py [--shared PATH]``
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.extract.common.numbers import iter_p_values  # noqa: E402
from extractor.extract.effects.rules import iter_statistics  # noqa: E402

PARSING_FIELDS = {
    "n_results",
    "test_type",
    "df1",
    "df2",
    "test_comp",
    "test_value",
    "p_comp",
    "reported_p",
    "raw",
    "source",
}
# statcheck's names -> parse_statistic's
TYPE_NAMES = {
    "t": "t",
    "F": "F",
    "Chi2": "chi2",
    "Z": "z",
    "z": "z",
    "r": "r",
    "Q": "Q",
    "QT": "Q",
    "QBetween": "Q",
    "QWithin": "Q",
    "QError": "Q",
}


def _unquote(text: str) -> str:
    return text.strip().strip('"')


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _statcheck_df(result: dict[str, Any]) -> tuple[float | None, float | None]:
    """parse_statistic's df as statcheck's (df1, df2): t and r put their one df in df2."""
    df = result["df"]
    if result["statistic"] in {"t", "r"}:
        return None, (df[0] if df else None)
    return (df[0] if df else None), (df[1] if len(df) > 1 else None)


def _artefact_hint(raw: str) -> str:
    """The likely cause of a miss, from the look of the raw string."""
    hints = []
    if re.search(r"=\s*[\d.]+\s+and\s+[\d.]+", raw):
        hints.append("two results share one statistic ('= 19.9 and 5.16')")
    if re.search(r"\(\d{4}\)\s*\d+:\d+", raw):
        hints.append("a running page header inside the result")
    if re.match(r"\s*B2\(", raw):
        hints.append("chi lost in conversion ('B2(')")
    if re.search(r"[\x00-\x08]", raw):
        hints.append("control characters in place of symbols")
    if "significant at" in raw:
        hints.append("p not written as 'p = ...'")
    return "; ".join(hints) or "not recognised"


def _coding_hint(result: dict[str, Any], row: dict[str, str]) -> str:
    """Say when the coded column disagrees with what the raw string itself prints."""
    raw = row["raw_result"]
    if row["p"] and result["p"] is not None and not _close(result["p"], _number(row["p"])):
        printed = re.search(r"p\s*\S?\s*\n?\s*(\.\d+)", raw)
        if printed and _close(float(printed.group(1)), result["p"]):
            return (
                " (the raw string prints p = " + printed.group(1) + ": the coded p looks like a coding slip)"
            )
    if result["df"] and not row["df1"].strip() and not row["df2"].strip():
        return " (the raw string prints a df the coder left blank)"
    return ""


def evaluate_csv(path: Path, repair: bool) -> tuple[int, int, list[str], Counter[str]]:
    """Rows reproduced, rows, miss descriptions, miss reasons."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    if "raw_result" not in rows[0]:
        raise SystemExit(f"{path} has no raw_result column; this script expects one")
    reproduced, misses, reasons = 0, [], Counter()
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        raw = row["raw_result"].replace("<bc>", "\u00bc")
        expected_type = TYPE_NAMES.get(row["test_type"].strip())
        expected = {
            "type": expected_type,
            "df1": _number(row["df1"]),
            "df2": _number(row["df2"]),
            "comparison": _unquote(row["test_comparison"]),
            "value": _number(row["test_value"]),
            "p_operator": _unquote(row["p_comparison"]),
            "p": _number(row["p"]),
        }
        if expected["type"] in {"t", "r"}:  # the CSV, like statcheck, keeps a t's or r's one df in df2
            expected["df1"], expected["df2"] = (
                None,
                expected["df2"] if expected["df2"] is not None else expected["df1"],
            )
        found = iter_statistics(raw, repair=repair)
        candidates = [r for r in found if r["statistic"] == expected_type] or found
        if expected["value"] is not None and candidates:
            candidates.sort(key=lambda r: abs(r["value"] - expected["value"]))
        result = candidates[0] if candidates else None
        where = f"line {number} [{row['paper_id']}] {raw!r}"
        if result is None:
            reason = "no statistic found: " + _artefact_hint(raw)
            misses.append(f"{where}: {reason}")
            reasons[reason.split(":")[0] + ": " + _artefact_hint(raw).split(";")[0]] += 1
            continue
        df1, df2 = _statcheck_df(result)
        problems = []
        if result["statistic"] != expected["type"]:
            problems.append(f"type {result['statistic']} != {row['test_type'] or '(blank)'}")
        if not (_close(df1, expected["df1"]) and _close(df2, expected["df2"])):
            problems.append(f"df ({df1}, {df2}) != ({expected['df1']}, {expected['df2']})")
        if result["comparison"] != expected["comparison"]:
            problems.append(f"comparison {result['comparison']} != {expected['comparison']}")
        if not _close(result["value"], expected["value"]):
            problems.append(f"value {result['value']} != {expected['value']}")
        if result["p_operator"] != expected["p_operator"]:
            problems.append(f"p operator {result['p_operator']} != {expected['p_operator']}")
        if not _close(result["p"], expected["p"]):
            problems.append(f"p {result['p']} != {expected['p']}")
        if problems:
            slip = _coding_hint(result, row)
            misses.append(f"{where}: parsed as {result['text']!r}: " + "; ".join(problems) + slip)
            reasons[
                "coded columns disagree with the raw string"
                if slip
                else "parsed differently: " + problems[0].split(" ")[0]
            ] += 1
        else:
            reproduced += 1
    return reproduced, len(rows), misses, reasons


def _observed(field: str, texts: list[str], options: dict[str, Any]) -> Any:
    """What our parser reports for one statcheck field over the concatenated inputs."""
    if options.get("AllPValues"):
        values = [v for text in texts for v in iter_p_values(text, include_ns=True)]
        if field == "n_results":
            return len(values)
        if field == "p_comp":
            return [v[0] for v in values]
        if field == "reported_p":
            return [v[1] for v in values]
    results = [(index, r) for index, text in enumerate(texts, start=1) for r in iter_statistics(text)]
    if field == "n_results":
        return len(results)
    if field == "source":
        return [str(index) for index, _ in results]
    names = {"t": "t", "F": "F", "chi2": "Chi2", "z": "Z", "r": "r", "Q": "Q"}
    getters = {
        "test_type": lambda r: names[r["statistic"]],
        "df1": lambda r: _statcheck_df(r)[0],
        "df2": lambda r: _statcheck_df(r)[1],
        "test_comp": lambda r: r["comparison"],
        "test_value": lambda r: r["value"],
        "p_comp": lambda r: r["p_operator"],
        "reported_p": lambda r: r["p"],
        "raw": lambda r: r["text"].strip(),
    }
    return [getters[field](r) for _, r in results]


def _agrees(observed: Any, check: dict[str, Any]) -> bool:
    if check.get("expected_is_na"):
        values = observed if isinstance(observed, list) else [observed]
        return bool(values) and all(v is None for v in values)
    expected = check["expected"]
    if not isinstance(observed, list):
        return observed == expected
    expected_list = expected if isinstance(expected, list) else [expected]
    if len(observed) != len(expected_list):
        return False
    for got, want in zip(observed, expected_list, strict=True):
        if isinstance(want, float) or isinstance(got, float):
            if got is None or want is None or not math.isclose(float(got), float(want), abs_tol=1e-9):
                return False
        elif got != want:
            return False
    return True


def evaluate_unit_tests(path: Path) -> tuple[int, int, int, list[str]]:
    """Parsing checks passed, parsing checks run, checks skipped, miss descriptions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    passed = run = skipped = 0
    misses = []
    for case in data["cases"]:
        for check in case["checks"]:
            if check["field"] not in PARSING_FIELDS:
                skipped += 1
                continue
            run += 1
            observed = _observed(check["field"], check["input_texts"], check.get("statcheck_options", {}))
            if _agrees(observed, check):
                passed += 1
                continue
            want = "NA" if check.get("expected_is_na") else check["expected"]
            found = [r["text"] for text in check["input_texts"] for r in iter_statistics(text)]
            misses.append(
                f"{case['test_name']!r} {check['field']}: expected {want!r}, got {observed!r} "
                f"(inputs {check['input_texts']!r}; parsed {found!r})"
            )
    return passed, run, skipped, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args(argv)
    base = args.shared / "data" / "statcheck"

    print("== statcheck hand-extracted results (test_materials/manually_extracted_stats.csv)")
    print(
        "Inputs: the CSV's raw_result column as the coders copied it from the papers (no strings rebuilt from"
    )
    print("columns; only the CSV's '<bc>' rendering of the byte 0xBC is turned back into '¼').")
    print(
        "A row is reproduced when statistic type, df, value, p comparison and p value all match the coded columns."
    )
    csv_path = base / "test_materials" / "manually_extracted_stats.csv"
    reproduced, total, _, _ = evaluate_csv(csv_path, repair=False)
    print(f"Reproduced, strings as they are (repair=False): {reproduced}/{total} = {reproduced / total:.1%}")
    reproduced, total, misses, reasons = evaluate_csv(csv_path, repair=True)
    print(
        f"Reproduced, PDF font glyphs restored (repair=True, the default): {reproduced}/{total} = {reproduced / total:.1%}"
    )
    print("Misses (repair=True) by reason:")
    for reason, count in reasons.most_common():
        print(f"  {count:4d}  {reason}")
    print("Every miss:")
    for miss in misses:
        print("  - " + miss)

    print()
    print("== statcheck unit-test checks (statcheck_unit_test_cases.json)")
    passed, run, skipped, unit_misses = evaluate_unit_tests(base / "statcheck_unit_test_cases.json")
    print(
        f"Parsing checks passed: {passed}/{run} = {passed / run:.1%} "
        f"({skipped} checks of recomputed p-values, decision errors and APA factor skipped: not parsing)"
    )
    print("Every failed parsing check:")
    for miss in unit_misses:
        print("  - " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
