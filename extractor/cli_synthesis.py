"""``extractor synthesize``: pool one outcome's estimates across studies, with a forest plot.

A thin layer over ``extractor.synthesis.analysis.synthesize``; heavy libraries (scipy,
matplotlib) are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path

import click

from .extract.vocabulary import DESIGNS

SCALE_CHOICES = ["SMD", "OR", "RR", "HR", "MD", "RD", "ZCOR"]


@click.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
              help="SQLite database made by `extractor extract`.")
@click.option("--outcome", required=True,
              help="Instrument (PHQ-9) or construct (depression) to gather estimates of.")
@click.option("--measure", type=click.Choice(SCALE_CHOICES), default=None,
              help="Scale to pool on (default: the one most matched estimates convert to).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="synthesis", show_default=True,
              help="Folder for forest.png, forest.svg, summary.csv and pooled.json.")
@click.option("--method", type=click.Choice(["reml", "dl"]), default="reml", show_default=True,
              help="Between-study variance estimator: REML or DerSimonian-Laird.")
@click.option("--design", "designs", multiple=True, type=click.Choice(DESIGNS),
              help="Pool only studies of this design (repeat for several).")
@click.option("--all-estimates", is_flag=True,
              help="Pool every estimate, not only the first of each study (they are then not independent).")
@click.option("--knha", is_flag=True, help="Knapp-Hartung standard error and t-based intervals.")
@click.option("--allow-mixed", is_flag=True,
              help="Pool across design families (randomised, non-randomised, observational, reviews) and "
                   "estimates converted from another kind of measure (an OR as an SMD); kept apart by default.")
@click.option("--keep-shared", is_flag=True,
              help="Pool every report of studies that share participants (same registration, same trial, a "
                   "follow-up); by default the earlier report is kept. Warned about either way.")
def synthesize(db_path: str, outcome: str, measure: str | None, out_dir: str, method: str,
               designs: tuple[str, ...], all_estimates: bool, knha: bool, allow_mixed: bool = False,
               keep_shared: bool = False) -> None:
    """Gather an outcome's estimates across studies, put them on one scale, pool them and draw a forest plot.

    Prints one line per matched estimate (pooled, or why not), what was left out and why, warnings about
    studies that share participants, and the random-effects summary; every row names its document and
    evidence span. Only one design family is pooled unless --allow-mixed is given.
    """
    import json

    from .store import Store
    from .synthesis.analysis import synthesize as run_synthesis
    from .synthesis.forest import forest_plot
    from .synthesis.pooling import SynthesisError
    from .synthesis.summary import summary_lines, write_summary

    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database; create it with `extractor extract ... --db {db_path}`")
    store = Store(db_path)
    try:
        result = run_synthesis(store, outcome, measure, method, list(designs) or None, all_estimates, knha,
                               allow_mixed=allow_mixed, keep_shared=keep_shared)
    except SynthesisError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    finally:
        store.close()
    folder = Path(out_dir)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.pooled is None:
        summary = write_summary(result, folder / "summary.csv")
        for line in summary_lines(result):
            click.echo(line)
        count = len(result.included)
        raise click.ClickException(
            f"{count} estimate{'' if count == 1 else 's'} with a standard error left after the exclusions listed: "
            f"nothing to pool (table written to {summary}); widen --outcome, choose another --measure or --design"
            + ("" if keep_shared or not result.warnings else ", or give --keep-shared"))
    paths = forest_plot(result, folder)
    paths.append(write_summary(result, folder / "summary.csv"))
    pooled_path = folder / "pooled.json"
    from dataclasses import asdict

    pooled_path.write_text(json.dumps({"outcome": outcome, "scale": result.scale, **asdict(result.pooled),
                                       "tau": result.pooled.tau, "notes": result.notes,
                                       "warnings": result.warnings}, indent=2) + "\n")
    paths.append(pooled_path)
    for line in summary_lines(result):
        click.echo(line)
    click.echo("wrote " + ", ".join(str(path) for path in paths), err=True)
