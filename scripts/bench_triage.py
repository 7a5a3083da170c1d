"""Benchmark: triage simulation on the labelled screening datasets, beside ASReview's own.

A benchmark, not a test. For every dataset under ``<shared>/screening`` and every seed:

- prior knowledge: one random include and one random exclude, drawn with the seed
  (``extractor.triage.simulate.choose_priors``); the very same rows are given to
  ASReview with ``--prior-idx``, and the same ``--seed``;
- ours: ``extractor.triage.simulate.simulate`` (TF-IDF + linear SVM, refitted after
  every decision, highest score next) until every include is found;
- ASReview: ``asreview simulate`` (its default model, ELAS u4) in a separate virtualenv
  (created here with ``pip install asreview asreview-insights`` when missing), then
  ``asreview metrics`` (asreview-insights) for its WSS@95 and recall@10%.

Both tools read the same rows: the records with a title or abstract, written once per
dataset to ``--work`` as ``record_id,title,abstract,included`` (so row numbers agree).
Each tool's figures are averaged over the seeds. Two definitions are reported:

- ``wss@95`` / ``recall@10%`` as ``extractor.triage.simulate.screening_metrics`` computes
  them (classic WSS: unscreened share at 95 % recall minus 5 %), for ours and for
  ASReview's labelling order read back from its project file: the like-for-like columns;
- ``insights wss@95`` / ``insights recall@10%``: what asreview-insights prints for
  ASReview's run (its WSS counts records found earlier than random order, so it differs).

Writes ``docs/triage_simulation.json``, ``docs/triage_simulation.md`` and one recall-curve
PNG per dataset under ``docs/triage_curves/``.

    .venv/bin/python scripts/bench_triage.py                       # 8 datasets x 5 seeds
    .venv/bin/python scripts/bench_triage.py --datasets Cohen_2006_ADHD --seeds 1
    .venv/bin/python scripts/bench_triage.py --no-asreview         # ours alone
    .venv/bin/python scripts/bench_triage.py --gather              # table from the runs saved in --work
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.triage.features import feature_matrix  # noqa: E402
from extractor.triage.ranker import RankerSettings  # noqa: E402
from extractor.triage.simulate import (  # noqa: E402
    LabelledSet,
    SimulationRun,
    choose_priors,
    load_labelled,
    plot_recall_curves,
    simulate,
)

SHARED = Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared"))
DEFAULT_VENV = Path("/tmp/asreview-venv")


def ensure_asreview(venv: Path) -> Path:
    """The ``asreview`` executable of ``venv``, creating the virtualenv and installing it when missing."""
    executable = venv / "bin" / "asreview"
    if executable.exists():
        return executable
    print(f"creating {venv} with asreview and asreview-insights ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "asreview", "asreview-insights"], check=True)
    return executable


def write_rows(labelled: LabelledSet, path: Path) -> None:
    """The rows both tools read, in the same order."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "included"])
        for row, (text, label) in enumerate(zip(labelled.texts, labelled.labels, strict=True)):
            title, _, abstract = text.partition("\n")
            writer.writerow([row, title, abstract, int(label)])


def run_asreview(executable: Path, rows: Path, priors: list[int], seed: int, work: Path) -> dict:
    """One ``asreview simulate`` + ``asreview metrics``: insights' figures and the labelling order.

    The project is named by the rows' content hash, the seed and the priors, and a finished one in ``work`` is
    read back instead of being run again (``reused``): ASReview's side of the table does not change when only
    ours does, and a run of it takes minutes per dataset on a shared machine.
    """
    digest = hashlib.sha256(rows.read_bytes()).hexdigest()[:12]
    project = work / f"{rows.stem}.{digest}.seed{seed}.prior{priors[0]}-{priors[1]}.asreview"
    metrics_path = project.with_suffix(".metrics.json")
    timing_path = project.with_suffix(".seconds")
    reused = project.exists() and metrics_path.exists() and timing_path.exists()
    if not reused:
        project.unlink(missing_ok=True)
        leftover = project.with_name(project.name + ".tmp")  # left by a killed run; asreview refuses to start
        if leftover.is_dir():
            shutil.rmtree(leftover)
        leftover.unlink(missing_ok=True)
        started = time.monotonic()
        subprocess.run([str(executable), "simulate", str(rows), "--prior-idx", *map(str, priors), "--seed",
                        str(seed), "-o", str(project)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        seconds = time.monotonic() - started
        subprocess.run([str(executable), "metrics", str(project), "--wss", "0.95", "--recall", "0.1", "-o",
                        str(metrics_path), "--quiet"], check=True, stdout=subprocess.DEVNULL)
        timing_path.write_text(f"{seconds:.2f}\n")
    seconds = float(timing_path.read_text())
    items = {item["id"]: item["value"] for item in json.loads(metrics_path.read_text())["data"]["items"]}
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(project) as archive:
        name = next(n for n in archive.namelist() if n.endswith("results.db"))
        archive.extract(name, folder)
        with sqlite3.connect(Path(folder) / name) as connection:
            order = [row[0] for row in connection.execute("select record_id from results order by rowid")]
    return {"insights_wss@95": items["wss"][0][1], "insights_recall@10%": items["recall"][0][1],
            "order": order, "seconds": seconds, "reused": reused}


def summarise(values: list[float]) -> dict[str, float]:
    array = np.array(values, dtype=float)
    return {"mean": round(float(array.mean()), 4), "sd": round(float(array.std()), 4)}


def bench_dataset(path: Path, seeds: list[int], asreview: Path | None, work: Path, curves: Path,
                  gather: bool = False) -> dict:
    """Both tools on one dataset, every seed; the dataset's row of the table.

    The row and the curves are kept in ``work`` (per dataset, seeds and tools), so runs over
    disjoint datasets can go in parallel and a last run only gathers them (``gather``: the
    saved run with the most seeds, whatever ``seeds`` says).
    """
    ranker = RankerSettings().name  # a changed ranker bumps its name, so its rows are never read from an old run
    cache = work / f"{path.stem}.{ranker}.seeds{len(seeds)}{'' if asreview else '.ours'}.json"
    if gather:
        saved_runs = sorted(work.glob(f"{path.stem}.{ranker}.seeds*{'' if asreview else '.ours'}.json"),
                            key=lambda found: int(found.name.split(".seeds")[1].split(".")[0]))
        cache = saved_runs[-1] if saved_runs else cache
    if cache.exists():
        saved = json.loads(cache.read_text())
        plot_recall_curves({label: [np.array(found) for found in runs] for label, runs in saved["curves"].items()},
                           saved["total"], saved["includes"], curves / f"{path.stem}.png", saved["title"])
        return saved["row"]
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    labelled = load_labelled(path)
    rows = work / f"{path.stem}.csv"
    write_rows(labelled, rows)
    features = feature_matrix(labelled.texts)
    ours: dict[str, list[float]] = {"wss@95": [], "recall@10%": [], "seconds": []}
    theirs: dict[str, list[float]] = {"wss@95": [], "recall@10%": [], "insights_wss@95": [],
                                      "insights_recall@10%": [], "seconds": []}
    our_curves, their_curves = [], []
    reused = 0
    for seed in seeds:
        priors = choose_priors(labelled.labels, seed)
        started = time.monotonic()
        run = simulate(features, labelled.labels, priors, seed)
        ours["seconds"].append(time.monotonic() - started)
        for key, value in run.metrics().items():
            if key in ours:
                ours[key].append(value)
        our_curves.append(run.found())
        line = f"{path.stem} seed {seed} priors {priors}: ours wss@95 {ours['wss@95'][-1]:.3f}"
        if asreview is not None:
            result = run_asreview(asreview, rows, priors, seed, work)
            their_run = SimulationRun(seed, priors, result["order"], labelled.labels)
            for key, value in their_run.metrics().items():
                if key in theirs:
                    theirs[key].append(value)
            for key in ("insights_wss@95", "insights_recall@10%", "seconds"):
                theirs[key].append(result[key])
            reused += int(result["reused"])
            their_curves.append(their_run.found())
            line += f", ASReview {theirs['wss@95'][-1]:.3f} (insights {result['insights_wss@95']:.3f})"
        print(line, file=sys.stderr, flush=True)
    total = len(labelled.labels) - 2
    includes = int(labelled.labels.sum()) - 1
    plot = {"extractor triage": our_curves}
    if their_curves:
        plot["ASReview (ELAS u4)"] = their_curves
    title = f"{path.stem}: {len(labelled.labels)} records, {int(labelled.labels.sum())} included"
    plot_recall_curves(plot, total, includes, curves / f"{path.stem}.png", title)
    row = {"dataset": path.stem, "records": len(labelled.labels), "included": int(labelled.labels.sum()),
           "seeds": seeds, "load_at_start": load,
           "ours": {key: summarise(values) for key, values in ours.items()}}
    if asreview is not None:
        row["asreview"] = {key: summarise(values) for key, values in theirs.items()}
        row["asreview_runs_reused"] = reused
    cache.write_text(json.dumps({"row": row, "total": total, "includes": includes, "title": title,
                                 "curves": {label: [found.tolist() for found in runs] for label, runs in plot.items()}}))
    return row


def markdown(rows: list[dict], load: str) -> str:
    """The results table as Markdown."""
    lines = [
        "# Triage simulation: extractor triage beside ASReview",
        "",
        "Written by `scripts/bench_triage.py` (seeds 0, 1, ... as many as the `seeds` column says; "
        "priors: one random include and one random exclude per seed, the same rows for both tools; "
        "both stop once every include is found). Mean (sd) over the seeds. "
        "WSS@95 and recall@10% are computed the same way for both tools from their labelling order "
        "(classic WSS: unscreened share at 95 % recall minus 0.05; priors left out); "
        "the insights column is what `asreview metrics` reports for ASReview's run "
        "(asreview-insights counts records found earlier than random order, another definition).",
        "",
        f"Machine load when this table was written: `{load}` (the load when each dataset started is in "
        "`triage_simulation.json`; the machine, 2 cores, was shared with other jobs, so seconds are indicative).",
        "",
        "| dataset | records | incl | seeds | WSS@95 ours | WSS@95 ASReview | recall@10% ours | recall@10% ASReview "
        "| insights WSS@95 ASReview | insights recall@10% ASReview | s/run ours | s/run ASReview |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    fmt = lambda cell: f"{cell['mean']:.3f} ({cell['sd']:.3f})"  # noqa: E731
    for row in rows:
        ours, theirs = row["ours"], row.get("asreview")
        missing = "-"
        lines.append(" | ".join([
            f"| {row['dataset']}", str(row["records"]), str(row["included"]), str(len(row["seeds"])),
            fmt(ours["wss@95"]),
            fmt(theirs["wss@95"]) if theirs else missing, fmt(ours["recall@10%"]),
            fmt(theirs["recall@10%"]) if theirs else missing,
            fmt(theirs["insights_wss@95"]) if theirs else missing,
            fmt(theirs["insights_recall@10%"]) if theirs else missing,
            f"{ours['seconds']['mean']:.1f}", f"{theirs['seconds']['mean']:.1f} |" if theirs else "- |",
        ]))
    if rows and all("asreview" in row for row in rows):
        better = sum(row["ours"]["wss@95"]["mean"] >= row["asreview"]["wss@95"]["mean"] for row in rows)
        lines += ["", f"WSS@95 of extractor triage matches or beats ASReview's on {better} of {len(rows)} datasets."]
    sources = sorted({row["asreview_from"] for row in rows if "asreview_from" in row})
    if sources:
        lines += ["", f"ASReview's columns are read from {', '.join(sources)} (an earlier run of this script with "
                  "ASReview 2.2, the same rows, seeds and priors); ASReview was not run again for this table, so the "
                  "recall curves show ours alone."]
    reused = sum(row.get("asreview_runs_reused", 0) for row in rows)
    if reused:
        lines += ["", f"{reused} of {sum(len(row['seeds']) for row in rows if 'asreview' in row)} ASReview runs were "
                  "read back from finished projects of the same rows, seed and priors in the work folder "
                  "(their seconds are those of the run that made them)."]
    lines += ["", "Recall curves: `docs/triage_curves/<dataset>.png`.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (screening/ inside)")
    parser.add_argument("--datasets", nargs="*", help="dataset file stems (default: every CSV in screening/)")
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (0, 1, ... N-1)")
    parser.add_argument("--asreview-venv", type=Path, default=DEFAULT_VENV, help="virtualenv for ASReview")
    parser.add_argument("--no-asreview", action="store_true", help="run ours alone")
    parser.add_argument("--asreview-reference", type=Path,
                        help="a triage_simulation.json written by an earlier full run: ASReview's rows are taken "
                             "from it (the seeds must match; ASReview is not run), ours are run afresh")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "triage-bench",
                        help="folder for the rows and ASReview projects")
    parser.add_argument("--gather", action="store_true",
                        help="only gather the runs saved in --work (each dataset's run with the most seeds)")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where the table and curves go")
    args = parser.parse_args()
    folder = args.shared / "screening"
    if not folder.is_dir():
        sys.exit(f"{folder}: not found; pass --shared or set EXTRACTOR_SHARED")
    paths = sorted(folder.glob("*.csv"))
    if args.datasets:
        paths = [path for path in paths if path.stem in set(args.datasets)]
    args.work.mkdir(parents=True, exist_ok=True)
    asreview = None if args.no_asreview or args.asreview_reference else (args.asreview_venv / "bin" / "asreview" if args.gather
                                              else ensure_asreview(args.asreview_venv))
    seeds = list(range(args.seeds))
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    started = time.monotonic()
    reference = None
    if args.asreview_reference:
        reference = {row["dataset"]: row for row in json.loads(args.asreview_reference.read_text())["datasets"]}
    rows = [bench_dataset(path, seeds, asreview, args.work, args.out / "triage_curves", args.gather) for path in paths]
    if reference is not None:
        for row in rows:
            stored = reference.get(row["dataset"])
            if stored is None or stored["seeds"] != row["seeds"] or "asreview" not in stored:
                sys.exit(f"{args.asreview_reference}: no ASReview row for {row['dataset']} over seeds {row['seeds']}")
            row["asreview"] = stored["asreview"]
            row["asreview_from"] = str(args.asreview_reference)
    result = {"seeds": seeds, "load_at_start": load, "seconds": round(time.monotonic() - started, 1),
              "peak_rss_mb_self": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
              "datasets": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "triage_simulation.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = markdown(rows, load)
    (args.out / "triage_simulation.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"total {result['seconds']} s; peak memory of this process {result['peak_rss_mb_self']} MB; "
          f"corpus: {', '.join(path.stem for path in paths)}", file=sys.stderr)


if __name__ == "__main__":
    main()
