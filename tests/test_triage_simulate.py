"""Simulation: WSS@95 and recall@10% on known orders, and a replay of a tiny synthetic labelled set."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.triage.errors import BadLabels
from extractor.triage.simulate import choose_priors, load_labelled, screening_metrics


@pytest.mark.parametrize(("labels_in_order", "wss", "recall_at_10"), [
    # 20 records, 2 includes found first: 95% of 2 includes needs both -> 2 screened
    ([1, 1] + [0] * 18, (20 - 2) / 20 - 0.05, 1.0),
    # includes last: nothing saved beyond screening everything
    ([0] * 18 + [1, 1], (20 - 20) / 20 - 0.05, 0.0),
    # one include found within the first 10% (2 records), the other at record 10
    ([0, 1] + [0] * 7 + [1] + [0] * 10, (20 - 10) / 20 - 0.05, 0.5),
])
def test_metrics_of_a_known_screening_order(labels_in_order: list[int], wss: float, recall_at_10: float) -> None:
    found = np.cumsum(labels_in_order)
    metrics = screening_metrics(found, len(labels_in_order), int(sum(labels_in_order)))
    assert metrics["wss@95"] == pytest.approx(wss)
    assert metrics["recall@10%"] == pytest.approx(recall_at_10)


def test_metrics_of_a_run_stopped_once_every_include_is_found() -> None:
    metrics = screening_metrics(np.cumsum([1, 0, 1]), 100, 2)
    assert metrics["wss@95"] == pytest.approx((100 - 3) / 100 - 0.05)
    assert metrics["recall@10%"] == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_priors_are_one_include_and_one_exclude_drawn_by_the_seed(seed: int) -> None:
    labels = np.array([0, 1, 0, 0, 1, 0])
    include, exclude = choose_priors(labels, seed)
    assert (labels[include], labels[exclude]) == (1, 0)
    assert choose_priors(labels, seed) == [include, exclude]


def _synthetic(path: Path, n_records: int = 120) -> Path:
    """Includes talk about toddler sleep trials, excludes about hospital parking, with shared filler words."""
    rng = np.random.default_rng(7)
    filler = ["study", "results", "methods", "patients", "analysis", "data", "report", "group"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "label_included"])
        for index in range(n_records):
            included = index % 10 == 3
            topic = (["toddler", "sleep", "night", "waking", "randomised"] if included
                     else list(rng.choice(["parking", "hospital", "fees", "staff", "survey", "cost", "car"], 4)))
            words = topic + list(rng.choice(filler, 6))
            writer.writerow([f"record {index} " + " ".join(topic[:2]), " ".join(words), int(included)])
    return path


def test_the_loop_finds_separable_includes_far_sooner_than_random_order(tmp_path: Path) -> None:
    labels = _synthetic(tmp_path / "synthetic.csv")
    plot = tmp_path / "curve.png"
    result = CliRunner().invoke(cli, ["triage", "simulate", "--labels", str(labels), "--seeds", "2",
                                      "--plot", str(plot), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert (figures["records"], figures["included"]) == (120, 12)
    # 11 includes beyond the prior among 118 records: found in the first 11 -> WSS = 107/118 - 0.05
    assert figures["wss@95"] == pytest.approx(107 / 118 - 0.05, abs=0.02)
    assert figures["recall@10%"] >= 0.99
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("content", "message"), [
    ("title,abstract\nA,B\nC,D\n", "has no 0/1 label"),
    ("title,abstract,included\nA,B,1\nC,D,1\n", "needs at least 2 includes and 1 exclude"),
    ("score\n1\n", "no title or abstract column"),
])
def test_an_unusable_labelled_file_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadLabels) as raised:
        load_labelled(path)
    assert message in raised.value.message and "labels.csv" in raised.value.message


def test_simulate_reads_a_shared_screening_dataset() -> None:
    from conftest import shared_path

    labelled = load_labelled(shared_path("screening", "Cohen_2006_Antihistamines.csv"))
    # 310 rows, 10 with neither title nor abstract; 16 included
    assert (len(labelled.labels), int(labelled.labels.sum())) == (300, 16)


def _two_labels(path: Path) -> Path:
    """Ten records with a final label and a title/abstract-stage label (more includes at that stage)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included", "label_abstract_screening"])
        for index in range(10):
            writer.writerow([index, f"record {index}", f"text of record {index}", int(index in (1, 2)),
                             int(index in (1, 2, 3, 4, 5))])
    return path


@pytest.mark.parametrize(("column", "includes"), [
    (None, 2), ("label_included", 2), ("label_abstract_screening", 5), ("LABEL ABSTRACT SCREENING", 5),
])
def test_label_column_picks_the_final_or_the_abstract_stage_label(tmp_path: Path, column: str | None,
                                                                  includes: int) -> None:
    labelled = load_labelled(_two_labels(tmp_path / "two.csv"), column)
    assert int(labelled.labels.sum()) == includes and labelled.label_column == column


@pytest.mark.parametrize(("header", "column", "message"), [
    (["title", "abstract", "label_included"], "label_abstract_screening", "no column 'label_abstract_screening'"),
    (["title", "abstract", "label_included"], "score", "is not a label column"),
    (["title", "abstract", "included", "label_included"], "label_included", "read from column 'included'"),
])
def test_a_label_column_that_cannot_be_used_is_one_clear_error(tmp_path: Path, header: list[str], column: str,
                                                               message: str) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(",".join(header) + "\n" + ",".join(["A", "B"] + ["1"] * (len(header) - 2)) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "simulate", "--labels", str(path), "--label-column", column])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_simulate_replays_the_abstract_stage_label_and_the_stopping_guidance(tmp_path: Path) -> None:
    labels = _synthetic(tmp_path / "synthetic.csv")
    rows = list(csv.reader(labels.open(encoding="utf-8")))
    with labels.open("w", newline="", encoding="utf-8") as handle:  # abstract stage: also every 10th from 5
        writer = csv.writer(handle)
        writer.writerow(rows[0] + ["label_abstract_screening"])
        writer.writerows(row + [int(row[2] == "1" or index % 10 == 5)] for index, row in enumerate(rows[1:]))
    args = ["triage", "simulate", "--labels", str(labels), "--plot", str(tmp_path / "c.png"), "--json"]
    final = json.loads(CliRunner().invoke(cli, args, catch_exceptions=False).stdout)
    stage = json.loads(CliRunner().invoke(cli, args + ["--label-column", "label_abstract_screening"],
                                          catch_exceptions=False).stdout)
    assert (final["included"], stage["included"]) == (12, 24)
    assert stage["label_column"] == "label_abstract_screening"
    checks = final["stopping"]
    assert [check["screened"] for check in checks] == [6, 12, 30, 59]  # 5, 10, 25, 50 % of 118
    # every include is found early, so by half-way the records since the last include pile up and the
    # estimate of includes unseen is near the truth, 0
    assert checks[-1]["unseen"] == 0 and checks[-1]["since_last_include"] >= 40
    assert checks[-1]["estimate"] is not None and checks[-1]["estimate"] < 1.0
