"""Evaluation of every model, behind ``extractor evaluate``.

Each model has a trainer (``extractor.training.<name>``, ``extractor train``) that
rebuilds it from ``../shared`` with fixed seeds and writes its model card and
``metrics.json`` (figures on the held-out splits of the stored model).
``evaluate`` reads those figures back and scores the whole extractor against
the dev gold with ``../shared/eval/score.py``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models.paths import models_root
from .types import ExtractedValue

_FIGURES = ("accuracy", "macro_f1", "auroc", "exact_match", "f1", "precision", "recall")


def _headline(figures: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, float]:
    """The figures of one split (accuracy, macro_f1, auroc, exact_match, F1 ...), nested ones by their path
    (``ebm.ranker.exact_match``); counts and per-class or per-source breakdowns are left out."""
    found: dict[str, float] = {}
    for key, value in figures.items():
        if key.startswith(("per_class", "by_source", "tuning")):
            continue  # breakdowns: in the model card
        if isinstance(value, dict) and depth < 2:
            found.update(_headline(value, f"{prefix}{key}.", depth + 1))
        elif isinstance(value, int | float) and not isinstance(value, bool) and key.endswith(_FIGURES):
            found[f"{prefix}{key}"] = value
    return found


def model_figures(models: Path | None = None) -> list[dict[str, Any]]:
    """Each committed model's held-out figures, as its trainer recorded them."""
    rows = []
    for metrics_file in sorted((models or models_root()).glob("*/metrics.json")):
        metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        trained = metrics.get("trained") or metrics.get("date")
        model_file = metrics_file.parent / "model.json"
        if not trained and model_file.exists():
            trained = (json.loads(model_file.read_text(encoding="utf-8")).get("metadata") or {}).get("trained")
        row: dict[str, Any] = {"model": metrics_file.parent.name, "version": metrics.get("version"),
                               "trained": trained}
        for split in ("test", "heldout", "held_out", "medline", "dev"):
            if isinstance(metrics.get(split), dict):
                row[split] = _headline(metrics[split])
        rows.append(row)
    return rows


def gold_scores(shared: Path) -> str:
    """The extractor's field scores on ``shared/gold`` (documents from ``shared/corpus``), as score.py prints them."""
    from .batch.run import run_extract
    from .store import Store

    gold_files = sorted((shared / "gold").glob("*.jsonl"))
    if not gold_files:
        raise FileNotFoundError(f"no gold files in {shared / 'gold'}")
    with tempfile.TemporaryDirectory(prefix="extractor_evaluate_") as folder:
        work = Path(folder)
        store = Store(work / "evaluate.db")
        with open(work / "predicted.jsonl", "w", encoding="utf-8") as handle:
            run_extract([str(shared / "corpus")], store, jsonl=handle)
        store.close()
        gold = work / "gold.jsonl"
        gold.write_text("".join(path.read_text(encoding="utf-8") for path in gold_files), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(shared / "eval" / "score.py"), str(gold), str(work / "predicted.jsonl")],
            capture_output=True, text=True, check=False,
        )
        return result.stdout + result.stderr


# ------------------------------------------------------------------ calibration and choices, field by field
#
# A field joins the dev-gold report with one entry of ``FIELD_CHECKS``: how its chosen values are judged
# against a gold study (each judged value's stored confidence, None for an abstention, and whether it is
# right), and optionally how its thresholds are tuned (a grid of settings and how a unit's candidates are
# chosen under one; ``collect`` are the thresholds of one extraction run that keeps every candidate).
# (Sample size tunes its thresholds in scripts/tune_sample_size.py.)
# A trainer joins the public held-out report by writing ``"chooser": {split: {"records", "accuracy",
# "coverage", "reliability": models.calibration.reliability(...)}}`` into its ``metrics.json``.


Judged = list[tuple[float | None, bool]]


@dataclass(frozen=True)
class Tuning:
    collect: dict[str, float]
    grid: Callable[[], list[dict[str, float]]]
    rechoose: Callable[[list[ExtractedValue], dict[str, float]], list[ExtractedValue]]


@dataclass(frozen=True)
class FieldCheck:
    name: str  # the field's spec name (ExtractedValue.field)
    judge: Callable[[dict[str, Any], list[ExtractedValue]], Judged]
    tuning: Tuning | None = None
    counted: str = "gold values"  # what its judged values are, as the report names them


def _judge_design(gold: dict[str, Any], chosen: list[ExtractedValue]) -> Judged:
    if not gold.get("design"):
        return []
    value = chosen[0] if chosen else None
    return [(value.confidence if value else None, bool(value) and value.value == gold["design"])]


def _judge_sample_size(gold: dict[str, Any], chosen: list[ExtractedValue]) -> Judged:
    from .extract.sample_size import judge

    return judge(gold, chosen)


def _judge_outcome(gold: dict[str, Any], chosen: list[ExtractedValue]) -> Judged:
    """Each distinct chosen outcome name (its highest stored confidence) and whether it names a gold outcome,
    matched as the public figures match them (``training.outcome_scorer.names_match``, items of a listed one)."""
    from .training.outcome_scorer import items_of, names_match

    items = [item for outcome in gold.get("outcomes") or [] for item in items_of(str(outcome))]
    names: dict[str, float] = {}
    for value in chosen:
        names[str(value.value)] = max(names.get(str(value.value), 0.0), float(value.confidence))
    return [(confidence, any(names_match(name, item) for item in items)) for name, confidence in names.items()]


def _design_tuning() -> Tuning:
    from .extract.design import rechoose, threshold_grid

    return Tuning({"design_min_confidence": 0.0, "design_model_min_probability": 0.0, "design_rule_trusted": 2.0},
                  threshold_grid, rechoose)


FIELD_CHECKS: dict[str, Callable[[], FieldCheck]] = {
    "design": lambda: FieldCheck("design", _judge_design, _design_tuning()),
    "sample_size": lambda: FieldCheck("sample_size", _judge_sample_size),
    "outcome": lambda: FieldCheck("outcome", _judge_outcome, counted="reported names (accuracy: their precision)"),
}
FOLDS = 5


def fold_of(doc_id: str, folds: int = FOLDS) -> int:
    """The cross-validation fold of a document (by the MD5 of its doc_id)."""
    return int(hashlib.md5(doc_id.encode("utf-8")).hexdigest(), 16) % folds


def _score_module(shared: Path) -> Any:
    spec = importlib.util.spec_from_file_location("shared_score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _thresholds_set(values: dict[str, float]):
    """The chooser's thresholds with ``values`` in place, for one run in this process."""
    from .extract.thresholds import thresholds

    limits = thresholds()
    saved = {key: limits.get(key) for key in values}
    limits.update(values)
    try:
        yield
    finally:
        limits.update(saved)


def _gold_documents(shared: Path) -> tuple[dict[str, dict], list[Any]]:
    """The gold records by doc_id and the corpus documents that have one (read failures left out)."""
    from .batch.discovery import discover
    from .readers import read_path
    from .types import Document

    gold: dict[str, dict] = {}
    for path in sorted((shared / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                gold[str(record["doc_id"])] = record
    documents = []
    files, _ = discover([str(shared / "corpus")])
    for path in files:
        try:
            for document in read_path(path):
                if isinstance(document, Document) and document.doc_id in gold:
                    documents.append(document)
        except Exception:  # noqa: BLE001 - a file extraction cannot read counts as missing, as in score.py
            continue
    return gold, documents


def _paired_units(shared: Path, gold: dict[str, dict], documents: list[Any]) -> list[tuple[str, dict, Any]]:
    """(doc_id, gold study, the study unit paired with it or None) over the gold, paired as score.py pairs."""
    from .extract.document import extract_document
    from .interchange import interchange_record

    scorer = _score_module(shared)
    by_id = {}
    for document in documents:
        units = extract_document(document)
        by_id[document.doc_id] = (units, interchange_record(document, units))
    rows = []
    for doc_id, record in gold.items():
        units, predicted = by_id.get(doc_id, ([], {}))
        studies = scorer.studies_of(predicted)
        for gold_study, pred in scorer.pair_studies(scorer.studies_of(record), studies):
            unit = units[studies.index(pred)] if pred is not None and units else None
            rows.append((doc_id, gold_study, unit))
    return rows


def _candidates(unit: Any, field: str) -> list[ExtractedValue]:
    return [value for value in unit.values if value.field == field] if unit is not None else []


def cross_validate(per_doc: list[dict[str, tuple[int, int, int]]], folds: int = FOLDS
                   ) -> dict[str, Any]:
    """5-fold cross-validation by document of a threshold choice. ``per_doc[k][doc_id]`` is (right, judged,
    answered wrong) under setting k; a fold's setting is the best on the other folds (most right, then fewest
    wrong answers, then the earlier setting). Returns the cross-validated and as-fitted accuracy."""
    documents = sorted(per_doc[0])

    def best(docs: list[str]) -> int:
        totals = [(sum(s[d][0] for d in docs), -sum(s[d][2] for d in docs), -k) for k, s in enumerate(per_doc)]
        return -max(totals)[2]

    right = judged = 0
    picks = []
    for fold in range(folds):
        held = [d for d in documents if fold_of(d, folds) == fold]
        chosen = best([d for d in documents if fold_of(d, folds) != fold])
        picks.append(chosen)
        right += sum(per_doc[chosen][d][0] for d in held)
        judged += sum(per_doc[chosen][d][1] for d in held)
    fitted = best(documents)
    fitted_right = sum(per_doc[fitted][d][0] for d in documents)
    fitted_judged = sum(per_doc[fitted][d][1] for d in documents)
    return {"cv_accuracy": right / judged if judged else None, "fitted_accuracy": fitted_right / fitted_judged
            if fitted_judged else None, "fitted_setting": fitted, "fold_settings": picks, "n": judged}  # fmt: skip


def _per_doc(rows: list[tuple[str, dict, Any]], check: FieldCheck,
             choose_values: Callable[[Any], list[ExtractedValue]]) -> tuple[dict[str, tuple[int, int, int]], Judged]:
    per_doc: dict[str, list[int]] = {}
    judged_all: Judged = []
    for doc_id, gold_study, unit in rows:
        judged = check.judge(gold_study, choose_values(unit))
        tally = per_doc.setdefault(doc_id, [0, 0, 0])
        for confidence, right in judged:
            tally[0] += right
            tally[1] += 1
            tally[2] += confidence is not None and not right
        judged_all.extend(judged)
    return {doc: (t[0], t[1], t[2]) for doc, t in per_doc.items()}, judged_all


def gold_calibration(shared: Path, fields: list[str] | None = None) -> dict[str, Any]:
    """Per field on the dev gold: accuracy and reliability of the stored confidences as extraction runs now,
    and, for a field with a tuning grid, the 5-fold cross-validated (by document) and as-fitted accuracy of
    its thresholds (each new 40-document subset of the gold reported beside all of it)."""
    from .extract.choice import uncalibrated
    from .extract.thresholds import thresholds
    from .models.calibration import reliability

    gold, documents = _gold_documents(shared)
    rows = _paired_units(shared, gold, documents)
    report: dict[str, Any] = {}
    for name in fields or list(FIELD_CHECKS):
        check = FIELD_CHECKS[name]()
        per_doc, judged = _per_doc(rows, check, lambda unit, name=name: [v for v in _candidates(unit, name)
                                                                          if v.chosen])
        answered = [(c, r) for c, r in judged if c is not None]
        entry: dict[str, Any] = {
            "counted": check.counted, "n": len(judged), "accuracy": sum(r for _, r in judged) / len(judged) if judged else None,
            "answered": len(answered),
            "reliability": reliability([c for c, _ in answered], [r for _, r in answered]),
        }  # fmt: skip
        if any("raw_confidence" in (v.attributes or {}) for _, _, unit in rows for v in _candidates(unit, name)):
            _, raw = _per_doc(rows, check, lambda unit, name=name: uncalibrated([v for v in _candidates(unit, name)
                                                                                  if v.chosen]))
            raw = [(c, r) for c, r in raw if c is not None]
            entry["raw_reliability"] = reliability([c for c, _ in raw], [r for _, r in raw])
        if check.tuning is not None:
            with _thresholds_set(check.tuning.collect):
                collected = _paired_units(shared, gold, documents)
            grid = check.tuning.grid()
            configured = {key: float(thresholds()[key]) for key in grid[0]}
            settings = [configured] + [s for s in grid if s != configured]
            rechoose = check.tuning.rechoose
            tables = [_per_doc(collected, check,
                               lambda unit, s=s, name=name, pick=rechoose: pick(_candidates(unit, name), s))[0]
                      for s in settings]  # fmt: skip
            entry["configured"] = configured
            entry["configured_replayed_accuracy"] = (sum(t[0] for t in tables[0].values())
                                                     / max(1, sum(t[1] for t in tables[0].values())))
            entry["all"] = {**cross_validate(tables), "settings": settings}
            new = [d for d in tables[0] if d[:1] in ("p", "q", "r", "s")]
            if new:
                entry["new40"] = cross_validate([{d: t[d] for d in new} for t in tables])
            entry["all"]["fitted_setting"] = settings[entry["all"]["fitted_setting"]]
            entry["all"]["fold_settings"] = [settings[k] for k in entry["all"]["fold_settings"]]
            if new:
                entry["new40"]["fitted_setting"] = settings[entry["new40"]["fitted_setting"]]
                entry["new40"]["fold_settings"] = [settings[k] for k in entry["new40"]["fold_settings"]]
        report[name] = entry
    return report


def reliability_lines(title: str, table: dict[str, Any]) -> list[str]:
    """A reliability table as text: confidence bins, records, mean confidence, share right, and the ECE."""
    from .models.calibration import ece_noise

    noise = ece_noise(table)
    lines = [f"{title}: {table['n']} answered, ECE {table['ece']:.3f} (bootstrap 90% {noise['bootstrap_low']:.3f}-"
             f"{noise['bootstrap_high']:.3f}; a perfectly calibrated source of these confidences would show "
             f"{noise['calibrated_mean']:.3f} on average, up to {noise['calibrated_p95']:.3f} in 95% of draws)",
             "    bin        n   confidence  accuracy"]  # fmt: skip
    for row in table["bins"]:
        lines.append(f"    {row['low']:.1f}-{row['high']:.1f} {row['n']:5d}   {row['confidence']:.3f}       "
                     f"{row['accuracy']:.3f}")  # fmt: skip
    return lines


def public_reliability(models: Path | None = None) -> str:
    """The reliability tables the trainers recorded on held-out public data (``metrics.json``'s ``chooser``)."""
    from .models.calibration import pooled

    lines = []
    for metrics_file in sorted((models or models_root()).glob("*/metrics.json")):
        metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        held_out = {}
        for split, figures in (metrics.get("chooser") or {}).items():
            if isinstance(figures, dict) and "reliability" in figures:
                if figures.get("cross_fitted"):  # every record judged by a calibration fitted without it
                    lines += _cross_fitted_lines(metrics_file.parent.name, figures)
                    continue
                fitted = " (the calibration was fitted on it)" if figures.get("calibration_fitted") else " (held out)"
                lines.append(f"{metrics_file.parent.name} chooser, public {split}{fitted}: accuracy "
                             f"{figures['accuracy']:.3f} over {figures['records']} records, coverage "
                             f"{figures['coverage']:.3f}")
                lines += reliability_lines("  stored confidence", figures["reliability"])
                if not figures.get("calibration_fitted"):
                    held_out[split] = figures["reliability"]
        if len(held_out) > 1:  # one table of every held-out record: a small split's ECE is mostly noise
            lines += reliability_lines(f"{metrics_file.parent.name} chooser, public held-out {' + '.join(held_out)} "
                                       "pooled, stored confidence", pooled(list(held_out.values())))
    return "\n".join(lines)


def _cross_fitted_lines(name: str, figures: dict[str, Any]) -> list[str]:
    """A cross-fitted chooser figure (``training.design.chooser_report``): over all its records, then by group."""
    from .models.calibration import ece_noise

    extra = (", the train split's records judged by models refitted without their fold"
             if figures.get("train_folds") else "")  # fmt: skip
    lines = [f"{name} chooser, public held out, cross-fitted ({figures['cross_fitted']} folds by title: each record's "
             f"stored confidence from a calibration fitted on the other folds{extra}): accuracy "
             f"{figures['accuracy']:.3f} over {figures['records']} records, coverage {figures['coverage']:.3f}"]
    lines += reliability_lines("  stored confidence", figures["reliability"])
    parts = [*(figures.get("groups") or {}).items()]
    if figures.get("train_folds"):  # by source as well: the sources differ in design mix
        parts += [(f"source {source}", part) for source, part in (figures.get("sources") or {}).items()]
    for group, part in parts:
        noise = ece_noise(part["reliability"])
        lines.append(f"  of which {group}: {part['reliability']['n']} answered, accuracy {part['accuracy']:.3f}, ECE "
                     f"{part['reliability']['ece']:.3f} (perfectly calibrated: {noise['calibrated_mean']:.3f} on "
                     f"average, up to {noise['calibrated_p95']:.3f} in 95% of draws)")
    return lines


def reported_outcome_values(text: str, name: str, use_models: bool = True) -> dict[str, ExtractedValue]:
    """The outcome names extraction reports for a plain text (every study unit's chosen values, distinct),
    each with the chosen value of the highest stored confidence that names it."""
    from .extract.document import extract_document
    from .readers.text import parse_plain_text

    names: dict[str, ExtractedValue] = {}
    for unit in extract_document(parse_plain_text(text, name), use_models=use_models):
        for value in unit.values:
            if value.field == "outcome" and value.chosen:
                known = names.get(str(value.value))
                if known is None or float(value.confidence) > float(known.confidence):
                    names[str(value.value)] = value
    return names


def reported_outcomes(text: str, name: str, use_models: bool = True) -> dict[str, float]:
    """The outcome names extraction reports for a plain text, each with the highest confidence stored for it."""
    return {key: float(value.confidence) for key, value in reported_outcome_values(text, name, use_models).items()}


def raw_confidence(value: ExtractedValue) -> float:
    """A value's confidence before any calibration (``raw_confidence`` where the chooser stored a probability)."""
    return float((value.attributes or {}).get("raw_confidence", value.confidence))


def outcome_names_score(texts: list[Any], use_models: bool = True, dump: Any = None) -> dict[str, Any]:
    """Reported outcome names against annotated ones (``training.outcome_scorer.Text``), matched as
    FORMAT.md matches outcome names (an item of a listed annotation counts): precision, recall, F1, the
    reliability of the stored confidences and of the raw ones (right: the name matches an annotated
    outcome), and each reported name judged (``judged``: doc_id, source, raw and stored confidence, right)."""
    from .models.calibration import reliability
    from .training.outcome_scorer import items_of, names_match

    right_predicted = predicted = right_gold = gold = 0
    judged: list[dict[str, Any]] = []
    for text in texts:
        stored = reported_outcome_values(text.text, f"{text.doc_id}.txt", use_models)
        if dump is not None:
            dump.write(json.dumps({"id": text.doc_id, "reported": list(stored), "annotated": text.outcomes}) + "\n")
        distinct: dict[str, list[str]] = {}
        for outcome in text.outcomes:
            distinct.setdefault(outcome.casefold().strip(), items_of(outcome))
        predicted += len(stored)
        for name, value in stored.items():
            right = any(names_match(name, item) for items in distinct.values() for item in items)
            right_predicted += right
            judged.append({"doc_id": text.doc_id, "source": value.source, "raw": raw_confidence(value),
                           "confidence": float(value.confidence), "right": right})  # fmt: skip
        gold += len(distinct)
        right_gold += sum(any(names_match(name, item) for name in stored for item in items)
                          for items in distinct.values())
    precision = right_predicted / predicted if predicted else 0.0
    recall = right_gold / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rights = [row["right"] for row in judged]
    return {"texts": len(texts), "predicted": predicted, "gold": gold, "precision": precision, "recall": recall,
            "f1": f1, "reliability": reliability([row["confidence"] for row in judged], rights),
            "raw_reliability": reliability([row["raw"] for row in judged], rights), "judged": judged}


# The halves of EBM-NLP's expert test abstracts: the outcome calibration (``training.outcome_calibration``)
# is fitted on FIT and reported on HELD_OUT.
FIT, HELD_OUT = "A", "B"


def expert_half(doc_id: str) -> str:
    """The half of the EBM-NLP expert test abstracts a PMID falls in (by its MD5): ``FIT`` or ``HELD_OUT``."""
    return FIT if int(hashlib.md5(doc_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else HELD_OUT


def public_outcome_reliability(shared: Path) -> str:
    """The reported outcomes on EBM-NLP's expert test abstracts (outcome spans marked exhaustively), as
    extraction runs now: names P/R/F1 and the reliability of their stored confidence on each half of the
    abstracts (``training.outcome_calibration``: the stored calibration is fitted on one half, the other is
    held out), the raw confidences' beside; and, as a check, a map fitted the same way on the held-out half
    and read on the fit half. Empty without the data."""
    from .models.calibration import calibration, fit_platt, reliability
    from .training.outcome_scorer import EBM_TEST, conll_texts

    if not (shared / EBM_TEST).is_file():
        return ""
    figures = outcome_names_score(list(conll_texts(shared / EBM_TEST, "test")))
    table = calibration("outcome")
    lines = [f"outcome names, public EBM-NLP expert test ({figures['texts']} abstracts): P {figures['precision']:.3f} "
             f"R {figures['recall']:.3f} F1 {figures['f1']:.3f}"]
    lines += reliability_lines("  raw confidence, all abstracts (no calibration fitted on them)",
                               figures["raw_reliability"])
    halves = {half: [row for row in figures["judged"] if expert_half(row["doc_id"]) == half] for half in (FIT, HELD_OUT)}
    for half, rows in halves.items():
        documents = len({row["doc_id"] for row in rows})
        note = "the calibration was fitted on it" if half == FIT else "held out"
        if table is None:
            note = "no calibration committed"
        raw = reliability([row["raw"] for row in rows], [row["right"] for row in rows])
        lines.append(f"  half {half} ({documents} abstracts with a reported name, {note}): raw ECE {raw['ece']:.3f}")
        lines += reliability_lines(f"  stored confidence, half {half}",
                                   reliability([row["confidence"] for row in rows], [row["right"] for row in rows]))
    if table is not None and all(halves.values()):
        swap = fit_platt([row["raw"] for row in halves[HELD_OUT]], [row["right"] for row in halves[HELD_OUT]])
        check = reliability([swap(row["raw"]) for row in halves[FIT]], [row["right"] for row in halves[FIT]])
        lines.append(f"  cross-fit check: the same map fitted on half {HELD_OUT}, read on half {FIT}: ECE "
                     f"{check['ece']:.3f} ({check['n']} names)")
    return "\n".join(lines)


def gold_calibration_text(report: dict[str, Any]) -> str:
    """``gold_calibration`` as text."""
    lines = []
    for name, entry in report.items():
        lines.append(f"{name} on the dev gold (as extraction runs now): accuracy {entry['accuracy']:.3f} "
                     f"over {entry['n']} {entry.get('counted', 'gold values')}, {entry['answered']} answered")
        lines += reliability_lines("  stored confidence", entry["reliability"])
        if "raw_reliability" in entry:
            raw = entry["raw_reliability"]
            lines.append(f"  raw confidence (before calibration): {raw['n']} answered, ECE {raw['ece']:.3f}")
        for subset in ("all", "new40"):
            if subset in entry:
                figures = entry[subset]
                lines.append(f"  thresholds, {subset} documents: 5-fold CV by document {figures['cv_accuracy']:.3f}, "
                             f"as fitted {figures['fitted_accuracy']:.3f} ({figures['n']} values); fitted "
                             f"{figures['fitted_setting']}")
        if "configured" in entry:
            lines.append(f"  configured {entry['configured']} (replayed: {entry['configured_replayed_accuracy']:.3f})")
    return "\n".join(lines)
