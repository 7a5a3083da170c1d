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
