"""The README's shell blocks run as written: the compliance API walkthrough against a
real server on the embedded store, and the Neo4j block (CLI, then the same API
walkthrough) against the Bolt server of the run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .live_api import running_api

pytest_plugins = ("tests.conftest_bolt",)

README = (ROOT / "README.md").read_text(encoding="utf-8")
ADMIN = "readme-Tq7Wm3Kx9Lb2Rz5Hv8Nc4Pd"
needs_shell = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("bash")), reason="needs curl and bash"
)


def _blocks(section: str) -> list[str]:
    """The ```sh blocks of a README section, in order."""
    text = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def _bash(script: str, cwd: Path, env: dict[str, str]) -> str:
    run = subprocess.run(
        ["bash", "-c", "set -eu\n" + script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    return run.stdout


def _as_installed(script: str) -> str:
    """README commands name the setup command's venv; run this interpreter's instead."""
    return script.replace(".venv/bin/agentgraph", f"{sys.executable} -m agentgraph")


def _json_values(out: str) -> list[Any]:
    """The JSON documents curl printed back to back (no newline between them)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while (at := out.find("{", at)) >= 0:
        value, at = decoder.raw_decode(out, at)
        values.append(value)
    return values


def _check_api_walkthrough(out: str) -> None:
    by_key = {next(iter(d)): d for d in _json_values(out)}
    report = by_key["schema"]
    assert report["schema"] == "agentgraph.report/1"
    assert (
        report["summary"] | {"agents": 29, "networks": 1, "flagged": 0, "max_levels": 3}
        == report["summary"]
    )
    agent = by_key["agent"]
    assert (agent["agent"], agent["level"], agent["upline_chain"]) == ("007", 3, ["001", "002"])
    check = by_key["upline_id"]
    assert check["level"] == 3
    assert (check["network"]["members_before"], check["network"]["members_after"]) == (29, 30)
    assert [f["rule"] for f in check["newly_fired"]] == ["cn.threshold"]


@needs_shell
def test_api_block_runs_as_written(tmp_path: Path) -> None:
    start, walkthrough = _blocks("Compliance API")
    assert "agentgraph serve --port 8000" in start
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    env = {"AGENTGRAPH_ADMIN_KEY": ADMIN}
    with running_api(tmp_path, env) as base:  # the embedded default store, as in the README
        out = _bash(
            walkthrough.replace("BASE=http://127.0.0.1:8000", f"BASE={base}"), tmp_path, env
        )
    _check_api_walkthrough(out)
    assert (tmp_path / "agentgraph.duckdb").exists()


@needs_shell
@pytest.mark.bolt
def test_neo4j_block_runs_as_written(
    tmp_path: Path, bolt_server: tuple[str, dict[str, Any]], names: Any
) -> None:
    (cli_block,) = _blocks("Neo4j store")
    uri, options = bolt_server
    name = names("shop")  # a shared Neo4j keeps nothing of this test
    env = {"AGENTGRAPH_STORE": uri, "AGENTGRAPH_ADMIN_KEY": ADMIN}
    if options.get("user"):
        env |= {
            "AGENTGRAPH_NEO4J_USER": options["user"],
            "AGENTGRAPH_NEO4J_PASSWORD": options.get("password") or "",
        }
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    script = _as_installed(cli_block).replace("bolt://127.0.0.1:7687", uri)
    script = script.replace("--dataset shop", f"--dataset {name}")
    try:
        out = _bash(script, tmp_path, env)
        assert f"\n{name}\tmembers\t30 rows\t" in "\n" + out  # `datasets`
        (report,) = _json_values(out)
        summary = report["summary"]
        assert (summary["agents"], summary["flagged"], summary["max_levels"]) == (30, 1, 3)
        assert "agent 007: level 3 of 3 in the network of 001 (30 members)" in out
        assert (tmp_path / "shop.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

        (_, walkthrough) = _blocks("Compliance API")
        walkthrough = walkthrough.replace("datasets/shop", f"datasets/{name}")
        walkthrough = walkthrough.replace('{"name": "shop"}', f'{{"name": "{name}"}}')
        with running_api(tmp_path, env) as base:  # AGENTGRAPH_STORE: the Bolt server
            out = _bash(
                walkthrough.replace("BASE=http://127.0.0.1:8000", f"BASE={base}"), tmp_path, env
            )
        _check_api_walkthrough(out)
        listed = _bash(_as_installed(".venv/bin/agentgraph datasets"), tmp_path, env)
        assert f"acme:{name}\tmembers\t29 rows" in listed  # the API's dataset is on Bolt
    finally:
        for dataset in (name, f"acme:{name}"):
            subprocess.run(
                [sys.executable, "-m", "agentgraph", "drop", dataset],
                env={**os.environ, **env},
                cwd=tmp_path,
                capture_output=True,
                timeout=120,
                check=False,
            )


def test_library_block_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python block runs with the import paths it shows, and gives the
    answers its comments state."""
    text = README.split("\n## Library\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    monkeypatch.chdir(ROOT)
    ns: dict[str, Any] = {}
    exec(compile(block, "README.md#Library", "exec"), ns)
    assert ns["m"].report()["money"]["payouts_levels_up"] == [0, 20, 16, 16]
    info = ns["a"].agent("007")
    assert (info.level, info.root) == (3, "001")
    assert ns["report"]["summary"]["flagged"] == 1
