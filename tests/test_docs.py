"""Every command and option of the CLI is documented in docs/cli.md."""

from __future__ import annotations

import pytest
import typer.main

from agentgraph.cli import app

from .conftest import ROOT

DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
COMMAND = typer.main.get_command(app)
COMMANDS = COMMAND.commands  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_and_options_documented(name: str) -> None:
    assert f"## `agentgraph {name}" in DOC, f"command {name} is not in docs/cli.md"
    for param in COMMANDS[name].params:
        if getattr(param, "param_type_name", "") == "option":
            longest = max(param.opts, key=len)
            if longest != "--help":
                assert f"`{longest}" in DOC, f"{name} {longest} is not in docs/cli.md"


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"agentgraph {name}" in readme


def test_top_level_options_documented() -> None:
    for param in COMMAND.params:
        longest = max(param.opts, key=len)
        if longest != "--help":
            assert f"`agentgraph {longest}`" in DOC, f"{longest} is not in docs/cli.md"


def test_version_option_prints_the_version() -> None:
    from typer.testing import CliRunner

    from agentgraph.version import __version__

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"agentgraph {__version__}"
