"""Replay a labelled screening dataset: the ranker picks, the labels answer.

Protocol (the same as ``asreview simulate --prior-idx``): one random include and one
random exclude, drawn with the seed, are the prior knowledge; after that the model is
refitted after every decision and the highest-scoring unseen record is screened next.
Metrics leave the two priors out (as asreview-insights does by default):

- WSS@95: the share of records left unscreened when 95 % of the includes are found,
  minus 5 % (what random order would save);
- recall@10 %: the share of includes found after screening 10 % of the records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import BadLabels
from .features import feature_matrix, record_text
from .ranker import Ranker, RankerSettings

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


@dataclass
class LabelledSet:
    """Texts and 0/1 labels of a labelled screening dataset."""

    name: str
    texts: list[str]
    labels: np.ndarray
    record_ids: list[str] = field(default_factory=list)
    label_column: str | None = None  # the column the labels came from, when one was named


@dataclass
class SimulationRun:
    """One replay: which rows were screened in which order, the priors first."""

    seed: int
    priors: list[int]
    order: list[int]
    labels: np.ndarray

    def found(self) -> np.ndarray:
        """Includes found after each screened record (priors left out)."""
        screened = [row for row in self.order if row not in set(self.priors)]
        return np.cumsum(self.labels[screened])

    def metrics(self) -> dict[str, float]:
        """WSS@95 and recall@10 % of this run."""
        return screening_metrics(self.found(), len(self.labels) - len(self.priors),
                                 int(self.labels.sum()) - int(self.labels[self.priors].sum()))


def screening_metrics(found: np.ndarray, total: int, includes: int) -> dict[str, float]:
    """WSS@95 and recall@10 % from the cumulative includes found, for ``total`` records.

    ``found`` may stop early (once every include is found): the rest counts as screened
    without a find, which changes neither figure.
    """
    if includes <= 0 or total <= 0:
        raise ValueError("the labelled set needs includes beyond the priors")
    target = math.ceil(0.95 * includes)
    reached = np.flatnonzero(found >= target)
    screened_at_95 = int(reached[0]) + 1 if len(reached) else total
    wss = (total - screened_at_95) / total - 0.05
    tenth = round(0.10 * total)
    found_at_tenth = int(found[min(tenth, len(found)) - 1]) if tenth and len(found) else 0
    return {"wss@95": wss, "recall@10%": found_at_tenth / includes, "screened_at_95": screened_at_95}


def label_field(path: Path, column: str) -> str:
    """The reader's label field (``label`` final, ``label_abstract`` title/abstract stage) that holds ``column``.

    BadLabels when the name is no label column the table reader knows, or (for CSV/TSV, whose
    header is read here) when the file has no such column or takes that label from another one.
    """
    from ..readers.table import COLUMNS, TABLE_SUFFIXES, map_columns, normalise_header

    wanted = normalise_header(column)
    known = {name: key for key in ("label", "label_abstract") for name in COLUMNS[key]}
    if wanted not in known:
        raise BadLabels(f"{path}: --label-column {column!r} is not a label column",
                        hint="name the final label (label_included, included) or the title/abstract-stage label "
                             "(label_abstract_screening)")
    key = known[wanted]
    if path.suffix.lower() in TABLE_SUFFIXES:
        import csv

        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            sample = handle.readline()
            delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
            header = next(csv.reader([sample], delimiter=delimiter), [])
        names = [normalise_header(cell) for cell in header]
        if wanted not in names:
            raise BadLabels(f"{path}: no column {column!r}",
                            hint=f"the columns are: {', '.join(cell.strip() for cell in header)}")
        taken = map_columns(header).get(key)
        if taken is not None and taken != names.index(wanted):
            raise BadLabels(f"{path}: the {key.replace('_', ' ')} is read from column {header[taken].strip()!r}, "
                            f"not {column!r}", hint="remove or rename the other column")
    return key


def load_labelled(path: Path | str, label_column: str | None = None) -> LabelledSet:
    """A CSV/TSV/XLSX/RIS with titles, abstracts and inclusion labels (ASReview's column names).

    ``label_column`` picks the label: the final one (``label_included``, the default) or the
    title/abstract-stage one (``label_abstract_screening``), as SYNERGY sets carry both.
    """
    from ..errors import ExtractorError
    from ..readers import read_path
    from ..types import Document
    from .asreview import asreview_note_label, interchange_format

    path = Path(path)
    if not path.is_file():
        raise BadLabels(f"{path}: no such file")
    key = label_field(path, label_column) if label_column else "label"
    texts, labels, ids = [], [], []
    try:
        for item in read_path(path, fmt=interchange_format(path)):
            if not isinstance(item, Document):
                if item.kind != "malformed" or "neither a title nor an abstract" not in item.message:
                    raise BadLabels(f"{path}: {item.message}", hint=item.hint)
                continue  # rows with neither title nor abstract hold nothing to rank
            label = item.metadata.extra.get(key)
            if label is None and not label_column:
                label = asreview_note_label(item.metadata.extra.get("notes", []))
            if label not in (0, 1):
                where = f" in column {label_column!r}" if label_column else ""
                raise BadLabels(f"{path}: record {item.record_index} has no 0/1 label{where} ({label!r})")
            texts.append(record_text(item.title, item.abstract))
            labels.append(int(label))
            ids.append(item.doc_id)
    except ExtractorError as error:
        if isinstance(error, BadLabels):
            raise
        raise BadLabels(f"{path}: {error.message}") from None
    array = np.array(labels, dtype=int)
    if not len(array) or array.sum() < 2 or array.sum() == len(array):
        raise BadLabels(f"{path}: needs at least 2 includes and 1 exclude ({int(array.sum())} of {len(array)} included)")
    return LabelledSet(path.stem, texts, array, ids, label_column)


def choose_priors(labels: np.ndarray, seed: int) -> list[int]:
    """One random include and one random exclude (row numbers), drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    return [int(rng.choice(np.flatnonzero(labels == 1))), int(rng.choice(np.flatnonzero(labels == 0)))]


def simulate(features: csr_matrix, labels: np.ndarray, priors: list[int], seed: int = 0,
             settings: RankerSettings | None = None, stop_when_all_found: bool = True) -> SimulationRun:
    """Replay screening from the priors until every include is found (or every record is seen)."""
    labels = np.asarray(labels, dtype=int)
    n_rows = len(labels)
    ranker = Ranker(settings, seed)
    screened = np.zeros(n_rows, dtype=bool)
    order = list(priors)
    screened[priors] = True
    total_includes = int(labels.sum())
    found = int(labels[priors].sum())
    rng = np.random.default_rng(seed)
    while not screened.all():
        if stop_when_all_found and found == total_includes:
            break
        rows = np.flatnonzero(screened)
        unseen = np.flatnonzero(~screened)
        if ranker.fit(features[rows], labels[rows]):
            pick = int(unseen[int(np.argmax(ranker.scores(features[unseen])))])
        else:
            pick = int(rng.choice(unseen))
        screened[pick] = True
        order.append(pick)
        found += int(labels[pick])
    return SimulationRun(seed, list(priors), order, labels)


def simulate_file(path: Path | str, seeds: Sequence[int], settings: RankerSettings | None = None,
                  label_column: str | None = None) -> tuple[LabelledSet, list[SimulationRun]]:
    """Load a labelled file and replay it once per seed (the same features for every seed)."""
    labelled = load_labelled(path, label_column)
    features = feature_matrix(labelled.texts)
    runs = [simulate(features, labelled.labels, choose_priors(labelled.labels, seed), seed, settings)
            for seed in seeds]
    return labelled, runs


def stopping_check(run: SimulationRun, shares: Sequence[float] = (0.05, 0.1, 0.25, 0.5)) -> list[dict[str, float]]:
    """The stopping guidance replayed: after each share of the records screened, the estimate of includes
    unseen beside the true count, and the records since the last include (priors left out)."""
    from .stopping import estimate_unseen, since_last_include

    priors = set(run.priors)
    screened = [int(run.labels[row]) for row in run.order if row not in priors]
    total = len(run.labels) - len(run.priors)
    includes = int(run.labels.sum()) - int(run.labels[run.priors].sum())
    checks = []
    for share in shares:
        count = round(share * total)
        seen = (screened + [0] * total)[:count]  # a run stops once every include is found: the rest are excludes
        estimate = estimate_unseen(seen, total - count)
        checks.append({"screened": count, "found": sum(seen), "unseen": includes - sum(seen),
                       "estimate": round(estimate.unseen, 1) if estimate else None,
                       "settled": bool(estimate and estimate.settled),
                       "since_last_include": since_last_include(seen)})
    return checks


def mean_metrics(runs: Sequence[SimulationRun]) -> dict[str, float]:
    """Each metric averaged over the runs, with its standard deviation."""
    per_run = [run.metrics() for run in runs]
    summary: dict[str, float] = {}
    for key in ("wss@95", "recall@10%"):
        values = np.array([metrics[key] for metrics in per_run])
        summary[key] = float(values.mean())
        summary[f"{key} sd"] = float(values.std())
    return summary


def plot_recall_curves(curves: dict[str, list[np.ndarray]], total: int, includes: int, out: Path | str,
                       title: str) -> Path:
    """Recall against the share screened, one line per run and label, with random order as a diagonal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4.5))
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    for (label, runs), colour in zip(curves.items(), colours, strict=False):
        for index, found in enumerate(runs):
            padded = np.concatenate([[0], found, np.full(max(0, total - len(found)), found[-1] if len(found) else 0)])
            axes.plot(np.arange(len(padded)) / total, padded / includes, color=colour, alpha=0.6, linewidth=1,
                      label=label if index == 0 else None)
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="random order")
    axes.axhline(0.95, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("share of records screened")
    axes.set_ylabel("share of includes found (recall)")
    axes.set_title(title)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="lower right")
    figure.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out
