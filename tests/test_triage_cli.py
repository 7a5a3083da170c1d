"""The triage command group: help for every command and option; clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.cli_triage import triage


@pytest.mark.parametrize(("name", "command"), sorted(triage.commands.items()))
def test_every_triage_command_and_option_has_help(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"triage {name} has no help"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"triage {name} {parameter.opts} has no help"
    result = CliRunner().invoke(cli, ["triage", name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["triage", "status", "--db", "{tmp}/none.db"], "no such database"),
    (["triage", "init", "--db", "{tmp}/x.db", "--criteria", "{tmp}/missing.toml"], "no such criteria file"),
    (["triage", "simulate", "--labels", "{tmp}/missing.csv"], "no such file"),
    (["triage", "decide", "nope", "include", "--db", "{tmp}/x.db"], "no such record"),
    (["triage", "unmerge", "3", "--db", "{tmp}/x.db"], "no such merge in force"),
])
def test_bad_input_is_one_line_without_a_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    from extractor.store import Store

    Store(tmp_path / "x.db").close()
    result = CliRunner().invoke(cli, [arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("width", "lines"), [(40, 3), (72, 5), (20, 1)])
def test_abstract_pages_keep_every_word_of_a_long_abstract(width: int, lines: int) -> None:
    from extractor.cli_triage import abstract_pages

    text = ("Background: toddlers wake at night.\n\n" + " ".join(f"word{index}" for index in range(400))
            + "\nConclusions: the last line.")
    pages = abstract_pages(text, width, lines)
    assert len(pages) > 1 and all(len(page) <= lines for page in pages)
    assert all(len(line) <= max(width, 20) for page in pages for line in page)
    assert " ".join(" ".join(page) for page in pages).split() == text.split()


def test_next_shows_the_whole_abstract_a_page_at_a_time(tmp_path: Path) -> None:
    """Regression (issue 21): abstracts were cut at 1,200 characters without a mark or a way to read on."""
    from triage_helpers import triage_db

    sentences = " ".join(f"Sentence {index} tells of toddlers and night waking in a trial." for index in range(60))
    papers = [("A long trial of toddler sleep", sentences + " The-very-last-words.", 2020, "10.1000/long")]
    triage_db(tmp_path, None, papers)
    db = str(tmp_path / "triage.db")
    args = ["triage", "next", "--db", db, "--who", "ana", "--page-lines", "4"]
    first = CliRunner().invoke(cli, args, input="q", catch_exceptions=False).output
    assert "Sentence 0 " in first and "The-very-last-words." not in first and "page 1 of" in first
    pages = int(first.split("page 1 of ")[1].split(":")[0])
    read = CliRunner().invoke(cli, args, input="f" * (pages - 1) + "q", catch_exceptions=False).output
    assert "The-very-last-words." in read and f"end of abstract, page {pages} of {pages}" in read
    assert all(f"Sentence {index} " in read for index in range(60))
