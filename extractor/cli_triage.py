"""``extractor triage``: criteria, screening (terminal), decisions, duplicates, ASReview interchange, simulation.

Thin click commands over ``extractor.triage``; heavy libraries (scikit-learn, rich,
matplotlib, rapidfuzz) are imported inside the commands.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any

import click

WHO_HELP = "Who decides (default: the login name)."


def _who(value: str | None) -> str:
    if value:
        return value
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something honest
        return "unknown"


def _open(db_path: str) -> Any:
    """The triage store of an existing database (errors as one line)."""
    from .store import SQLiteDatabaseError
    from .store_triage import TriageStore

    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database; create it with `extractor extract ... --db {db_path}`")
    try:
        return TriageStore(db_path)
    except SQLiteDatabaseError as error:
        raise click.ClickException(f"{db_path}: not a usable extractor database ({error})") from None


def _session(db_path: str) -> Any:
    from .errors import ExtractorError
    from .triage.session import Session

    tstore = _open(db_path)
    try:
        return Session(tstore)
    except ExtractorError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None


def _db(function: Any) -> Any:
    return click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
                        help="The extractor SQLite database.")(function)


@click.group()
def triage() -> None:
    """Rank papers for a review, learn from include/exclude decisions, measure the work saved."""


@triage.command()
@_db
@click.option("--criteria", "criteria_path", required=True, type=click.Path(dir_okay=False),
              help="TOML: designs, min_sample_size, years = [first, last], outcome_keywords, population_keywords.")
@click.option("--who", help=WHO_HELP)
def init(db_path: str, criteria_path: str, who: str | None) -> None:
    """Set the review's criteria: designs, sample size and years filter; keywords rank."""
    from .errors import ExtractorError
    from .store import Store
    from .store_triage import TriageStore
    from .triage.criteria import load_criteria

    try:
        criteria = load_criteria(criteria_path)
    except ExtractorError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    Store(db_path).close()  # creates the main tables when the database is new
    tstore = TriageStore(db_path)
    review = tstore.set_criteria(criteria, Path(criteria_path).read_text(encoding="utf-8"), _who(who))
    session = _session(db_path)
    counts = session.progress()
    click.echo(f"criteria {review} set: {counts['records']} records, {counts['filtered']} set aside by the hard "
               f"criteria, {counts['left']} to screen", err=True)


MORE_KEYS = ("f", " ")  # f or the space bar: the next page of the abstract
HEADER_LINES = 14  # the facts panel, the status and guidance lines and the key line


def _key() -> str:
    """One keystroke from the terminal; from piped input (scripts, tests) the next non-blank character."""
    if sys.stdin.isatty():
        return click.getchar().lower()
    while True:
        char = sys.stdin.read(1)
        if not char:
            return "q"
        if not char.isspace():
            return char.lower()


def abstract_pages(text: str, width: int, lines_per_page: int) -> list[list[str]]:
    """The whole abstract wrapped to ``width`` columns and cut into pages of ``lines_per_page`` lines.

    Paragraph breaks are kept (a blank line between paragraphs); nothing is dropped, so the pages
    joined give back every word of the text.
    """
    import textwrap

    lines: list[str] = []
    for paragraph in text.strip().split("\n"):
        if not paragraph.strip():
            if lines and lines[-1]:
                lines.append("")
            continue
        lines.extend(textwrap.wrap(paragraph.strip(), max(width, 20), break_long_words=True,
                                   break_on_hyphens=False))
    size = max(lines_per_page, 1)
    return [lines[start:start + size] for start in range(0, len(lines), size)] or [[]]


def _render(console: Any, candidate: Any, counts: dict[str, int], guidance: str) -> None:
    from rich.panel import Panel
    from rich.table import Table

    evidence, verdict = candidate.evidence, candidate.verdict
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("design", evidence.design or "?")
    facts.add_row("sample size", str(evidence.sample_size) if evidence.sample_size is not None else "?")
    facts.add_row("year", str(candidate.year or "?"))
    facts.add_row("outcomes", "; ".join(evidence.outcomes[:6]) or "-")
    facts.add_row("effects", "; ".join(candidate.effects[:4]) or "-")
    matches = list(verdict.outcome_matches) + list(verdict.population_matches)
    facts.add_row("criteria matches", ", ".join(matches) or "-")
    status = (f"{counts['include']} included, {counts['exclude']} excluded, {counts['maybe']} maybe, "
              f"{counts['left']} left, {counts['filtered']} set aside; score {candidate.score:.2f}")
    console.print(Panel.fit(facts, title=f"[bold]{candidate.title or candidate.doc_id}[/]", subtitle=candidate.doc_id))
    console.print(f"[dim]{status}[/]")
    console.print(f"[dim]{guidance}[/]")


def _print_page(console: Any, pages: list[list[str]], index: int) -> None:
    for line in pages[index]:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if index + 1 < len(pages):
        console.print(f"[dim]... page {index + 1} of {len(pages)}: [bold]f[/] or space for more[/]")
    elif len(pages) > 1:
        console.print(f"[dim](end of abstract, page {index + 1} of {len(pages)})[/]")


def _screen_one(console: Any, session: Any, candidate: Any, who: str, page_lines: int | None,
                skipped: set[str]) -> str | None:
    """Show one record, its abstract page by page, and act on keys until a decision, skip, undo or quit.

    Returns "quit" to stop, "undo:<doc_id>" after an undo, or None to go on to the next record.
    """
    counts = session.progress()
    _render(console, candidate, counts, session.guidance(counts["left"]))
    lines = page_lines or max(console.size.height - HEADER_LINES, 5)
    # One column short of the width: a line that fills the last column leaves the terminal waiting to wrap,
    # and some terminals then join it to the next line when the screen is copied.
    pages = abstract_pages(candidate.abstract or "", console.width - 1, lines)
    index = 0
    _print_page(console, pages, index)
    keys = {"i": "include", "e": "exclude", "m": "maybe"}
    while True:
        more = "  [bold]f[/]/space more" if index + 1 < len(pages) else ""
        console.print(f"[bold]i[/]nclude  [bold]e[/]xclude  [bold]m[/]aybe  [bold]r[/]eason  [bold]s[/]kip  "
                      f"[bold]u[/]ndo last  [bold]q[/]uit{more}")
        reason = None
        key = _key()
        if key in MORE_KEYS:
            if index + 1 < len(pages):
                index += 1
                _print_page(console, pages, index)
            else:
                console.print("[dim](that was the whole abstract)[/]")
            continue
        if key == "r":
            reason = click.prompt("reason", default="", show_default=False) or None
            console.print("decision: i / e / m")
            key = _key()
        if key == "q":
            return "quit"
        if key == "u":
            undone = session.undo_last(who)
            if undone is None:
                console.print("[yellow]nothing of yours to undo[/]")
                continue
            console.print(f"[green]undone[/]: {undone[1]} {undone[0]}\n")
            return f"undo:{undone[0]}"
        if key == "s":
            skipped.add(candidate.doc_id)
            return None
        if key not in keys:
            console.print(f"[yellow]{key!r}: press i, e, m, r, s, u, f or q[/]")
            continue
        session.decide(candidate.doc_id, keys[key], who, reason)
        console.print(f"[green]{keys[key]}[/] {candidate.doc_id}\n")
        return None


@triage.command("next")
@_db
@click.option("--who", help=WHO_HELP)
@click.option("--list", "list_count", type=int, help="Print the next N records (tab-separated) and stop.")
@click.option("--page-lines", type=click.IntRange(min=1),
              help="Abstract lines per page (default: the terminal's height less the header).")
def next_(db_path: str, who: str | None, list_count: int | None, page_lines: int | None) -> None:
    """Screen the next record: i include, e exclude, m maybe, r add a reason first, s skip, u undo, q quit.

    The whole abstract is shown, a page at a time when it is longer than the terminal
    (f or space for the next page). One keystroke per decision; the model is refitted
    after each one and the next likeliest include is shown. u takes back your last
    decision and shows that record again. Under the facts: records screened since the
    last include, and an estimate of the includes still unseen (see ``triage.stopping``).
    """
    session = _session(db_path)
    if list_count:
        for candidate in session.ranked(list_count):
            click.echo("\t".join([candidate.doc_id, f"{candidate.score:.3f}", candidate.evidence.design or "",
                                  str(candidate.evidence.sample_size or ""), candidate.title or ""]))
        return
    from rich.console import Console

    console = Console(highlight=False)
    who = _who(who)
    skipped: set[str] = set()
    again: str | None = None  # the record an undo gave back, shown next
    while True:
        ranked = [c for c in session.ranked() if c.doc_id not in skipped]
        if again is not None:
            candidate = next((c for c in session.ranked() if c.doc_id == again), None)
            again = None
        else:
            candidate = None
        candidate = candidate or (ranked[0] if ranked else None)
        if candidate is None:
            console.print("nothing left to screen (u undoes your last decision, any other key quits)")
            if _key() == "u" and (undone := session.undo_last(who)) is not None:
                console.print(f"[green]undone[/]: {undone[1]} {undone[0]}\n")
                again = undone[0]
                continue
            return
        outcome = _screen_one(console, session, candidate, who, page_lines, skipped)
        if outcome == "quit":
            return
        if outcome and outcome.startswith("undo:"):
            again = outcome.removeprefix("undo:")
            skipped.discard(again)


@triage.command()
@click.argument("doc_id")
@click.argument("decision", type=click.Choice(["include", "exclude", "maybe"]))
@_db
@click.option("--who", help=WHO_HELP)
@click.option("--reason", help="Why, for the record.")
def decide(doc_id: str, decision: str, db_path: str, who: str | None, reason: str | None) -> None:
    """Record one decision on a record (append-only; the latest counts)."""
    from .store import now
    from .store_triage import Decision

    tstore = _open(db_path)
    if not tstore.store.has_document(doc_id):
        raise click.ClickException(f"{doc_id}: no such record in {db_path}; list them with `extractor triage next --list 20`")
    decision_id = tstore.decide(Decision(doc_id, decision, _who(who), now(), reason, "decide"))
    click.echo(f"decision {decision_id}: {doc_id} {decision}", err=True)


@triage.command()
@_db
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def status(db_path: str, as_json: bool) -> None:
    """Counts: records, set aside by the criteria, decided, left; and decision changes."""
    session = _session(db_path)
    counts = session.progress()
    counts["decision_changes"] = len(session.tstore.changes())
    counts["merges"] = len(session.tstore.merges())
    if as_json:
        click.echo(json.dumps(counts))
        return
    for key, value in counts.items():
        click.echo(f"{key}\t{value}")


@triage.command()
@_db
def filtered(db_path: str) -> None:
    """List the records the hard criteria set aside, with the reasons."""
    for candidate in _session(db_path).filtered():
        click.echo("\t".join([candidate.doc_id, "; ".join(candidate.verdict.reasons), candidate.title or ""]))


@triage.command()
@_db
@click.option("--threshold", type=float, default=95.0, show_default=True,
              help="Title similarity (rapidfuzz ratio, 0-100) for a title+year match.")
@click.option("--dry-run", is_flag=True, help="Show the merges without making them.")
@click.option("--who", help=WHO_HELP)
def dedup(db_path: str, threshold: float, dry_run: bool, who: str | None) -> None:
    """Merge records of one paper (same DOI, PMID, or alike title and year); prints each merge."""
    from .triage.dedup import find_duplicates, stored_records

    tstore = _open(db_path)
    proposed = find_duplicates(stored_records(tstore.store, set(tstore.merged_away())), threshold)
    ids = [None] * len(proposed) if dry_run else tstore.add_merges(
        [(m.kept, m.merged, m.rule, m.score) for m in proposed], _who(who))
    for merge_id, merge in zip(ids, proposed, strict=True):
        click.echo("\t".join([str(merge_id or "-"), merge.kept, merge.merged, merge.rule, f"{merge.score:.1f}"]))
    verb = "would be merged" if dry_run else "merged (undo one with `extractor triage unmerge ID`)"
    click.echo(f"{len(proposed)} records {verb}", err=True)


@triage.command()
@_db
@click.option("--all", "show_all", is_flag=True, help="Also list merges that were undone.")
def merges(db_path: str, show_all: bool) -> None:
    """List merges: id, record kept, record merged, rule, score, when, who (and undone)."""
    tstore = _open(db_path)
    for merge in tstore.merges(include_undone=show_all):
        click.echo("\t".join([str(merge.id), merge.kept_doc_id, merge.merged_doc_id, merge.rule, f"{merge.score:.1f}",
                              merge.created_at, merge.created_by] + (["undone"] if merge.undone else [])))


@triage.command()
@click.argument("merge_id", type=int)
@_db
@click.option("--who", help=WHO_HELP)
@click.option("--reason", help="Why the merge was wrong.")
def unmerge(merge_id: int, db_path: str, who: str | None, reason: str | None) -> None:
    """Undo a merge: the merged record returns to the screening pool."""
    tstore = _open(db_path)
    try:
        merge = tstore.unmerge(merge_id, _who(who), reason)
    except KeyError:
        raise click.ClickException(f"merge {merge_id}: no such merge in force; list them with `extractor triage merges`") from None
    click.echo(f"merge {merge_id} undone: {merge.merged_doc_id} is a record of its own again", err=True)


@triage.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@_db
@click.option("--who", help=WHO_HELP)
@click.option("--rules-only", is_flag=True, help="Extract added records with the rules alone.")
def import_(path: str, db_path: str, who: str | None, rules_only: bool) -> None:
    """Import ASReview decisions (CSV/TSV `included` column, RIS N1 ASReview_relevant/irrelevant/not_seen)."""
    from .errors import ExtractorError
    from .store import Store
    from .store_triage import TriageStore
    from .triage.asreview import import_decisions

    Store(db_path).close()
    try:
        summary = import_decisions(TriageStore(db_path), path, _who(who), use_models=not rules_only)
    except ExtractorError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    for notice in summary.notices:
        click.echo(notice, err=True)
    click.echo(f"{summary.records} records: {summary.matched} matched, {summary.added} added; {summary.decisions} "
               f"decisions recorded, {summary.unchanged} unchanged, {summary.not_seen} not seen"
               + (f"; {summary.unreadable} unreadable rows skipped" if summary.unreadable else ""), err=True)


@triage.command("export")
@_db
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "ris"]), default="csv", show_default=True,
              help="ASReview's CSV/TSV (`included` column) or RIS (N1 ASReview_relevant / _irrelevant / _not_seen).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), help="File to write (default stdout).")
def export_(db_path: str, fmt: str, out_path: str | None) -> None:
    """Export records with their decisions for ASReview (maybe and undecided as not seen)."""
    from .triage.asreview import export_decisions

    tstore = _open(db_path)
    handle = open(out_path, "w", encoding="utf-8", newline="") if out_path else sys.stdout  # noqa: SIM115
    try:
        count = export_decisions(tstore, handle, fmt)
    finally:
        if out_path:
            handle.close()
    click.echo(f"{count} records written" + (f" to {out_path}" if out_path else ""), err=True)


@triage.command()
@click.option("--labels", "labels_path", required=True, type=click.Path(dir_okay=False),
              help="Labelled dataset: CSV/TSV/XLSX with title, abstract and a 0/1 included column (or ASReview RIS).")
@click.option("--seeds", type=int, default=1, show_default=True, help="Replays (seeds 0..N-1), averaged.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, writable=True),
              help="Recall curve PNG (default: <labels stem>_recall.png in the working directory).")
@click.option("--label-column", help="The label column to replay, e.g. label_abstract_screening (SYNERGY's "
              "title/abstract-stage label) or label_included (the final label; the default).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def simulate(labels_path: str, seeds: int, plot_path: str | None, label_column: str | None, as_json: bool) -> None:
    """Replay a labelled screening dataset: WSS@95, recall after 10% screened, recall curve PNG.

    Priors: one random include and one random exclude per seed; the model is refitted
    after every decision; metrics leave the priors out. The stopping guidance is replayed
    too: after 5, 10, 25 and 50% screened, the estimate of includes unseen beside the truth
    (first seed).
    """
    from .errors import ExtractorError
    from .triage.simulate import mean_metrics, plot_recall_curves, simulate_file, stopping_check

    if seeds < 1:
        raise click.ClickException("--seeds must be 1 or more")
    try:
        labelled, runs = simulate_file(labels_path, list(range(seeds)), label_column=label_column)
    except ExtractorError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    figures = mean_metrics(runs)
    plot = Path(plot_path or f"{Path(labels_path).stem}_recall.png")
    plot_recall_curves({"extractor triage": [run.found() for run in runs]}, len(labelled.labels) - 2,
                       int(labelled.labels.sum()) - 1, plot, f"{labelled.name}: {len(labelled.labels)} records")
    checks = stopping_check(runs[0])
    result = {"dataset": labelled.name, "label_column": label_column or "included (default)",
              "records": len(labelled.labels), "included": int(labelled.labels.sum()),
              "seeds": seeds, **{key: round(value, 4) for key, value in figures.items()}, "plot": str(plot),
              "stopping": checks}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{labelled.name}: {result['records']} records, {result['included']} included "
               f"({result['label_column']}), {seeds} seed(s)")
    click.echo(f"WSS@95\t{figures['wss@95']:.3f} (sd {figures['wss@95 sd']:.3f})")
    click.echo(f"recall@10%\t{figures['recall@10%']:.3f} (sd {figures['recall@10% sd']:.3f})")
    click.echo(f"recall curve\t{plot}")
    click.echo("stopping guidance (seed 0): screened\tfound\tsince last include\tunseen\testimated unseen")
    for check in checks:
        estimate = "too early" if check["estimate"] is None else f"{check['estimate']:.1f}" + (
            "" if check["settled"] else " (too early: no decline yet)")
        click.echo(f"\t{check['screened']}\t{check['found']}\t{check['since_last_include']}\t{check['unseen']}"
                   f"\t{estimate}")
