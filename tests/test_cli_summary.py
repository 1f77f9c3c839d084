"""``agentgraph scan`` at a terminal prints a readable summary; piped, the JSON report."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from rich.console import Console

import agentgraph
from agentgraph.cli.summary import MAX_ROWS, print_summary
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
LADDER = "fixtures/money/ladder5_members.csv"


def _on_a_terminal(*args: str, progress: bool = False) -> str:
    """Run the CLI with a pseudo-terminal as stdout (and stderr, with ``progress``)."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "dumb", "AGENTGRAPH_NO_PROGRESS": "1"}
    if progress:  # a terminal that can redraw a line
        env.pop("AGENTGRAPH_NO_PROGRESS")
        env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentgraph", *args],
        cwd=ROOT,
        stdout=child,
        stderr=child if progress else subprocess.PIPE,
        env=env,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(60) == 0, proc.stderr.read() if proc.stderr else ""
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_gets_the_summary_and_json_when_asked() -> None:
    text = _on_a_terminal("scan", LADDER)
    assert "1 of 1 networks flagged" in text and "cn.threshold" in text
    assert "five_tier_plus" in text and "1 2 4 8 16" in text
    assert '"schema"' not in text
    forced = _on_a_terminal("scan", LADDER, "--format", "json")
    assert json.loads(forced)["summary"]["flagged"] == 1


def test_piped_output_stays_the_json_report() -> None:
    r = run_cli("scan", LADDER)
    assert r.returncode == 0 and json.loads(r.stdout)["summary"]["max_levels"] == 5


def test_the_summary_lists_at_most_max_rows_and_counts_the_rest() -> None:
    report = agentgraph.scan(LADDER).report()
    net = report["networks"][0]
    report["networks"] = [dict(net, root=f"R{k}") for k in range(MAX_ROWS + 5)]
    report["summary"] = dict(report["summary"], flagged=MAX_ROWS + 5, networks=MAX_ROWS + 5)
    report["summary"]["data_issues"] = dict(report["summary"]["data_issues"], cycle=2)
    console = Console(width=120, record=True, color_system=None)
    print_summary(report, console)
    text = console.export_text()
    assert f"R{MAX_ROWS - 1}" in text and f"R{MAX_ROWS} " not in text
    assert "and 5 more flagged networks" in text and "cycle 2" in text


def test_a_batch_on_a_terminal_shows_counts_and_an_eta(tmp_path: Path) -> None:
    files = []
    for k in range(3):
        f = tmp_path / f"l{k}.csv"
        f.write_bytes((ROOT / LADDER).read_bytes())
        files.append(str(f))
    text = _on_a_terminal("scan", *files, "--out", str(tmp_path / "out"), progress=True)
    assert "3/3" in text and "ETA" in text and "inputs" in text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["l0.json", "l1.json", "l2.json"]


def test_a_long_read_on_a_terminal_shows_bytes_and_an_eta(tmp_path: Path) -> None:
    """One large input: the bar counts the bytes read (from /proc) with the time left."""
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("agent_id,upline_id\nR,\n")
        fh.writelines(f"A{k:08d},R\n" for k in range(700_000))
    assert big.stat().st_size > 8 << 20
    out = tmp_path / "big.json"
    text = _on_a_terminal("scan", str(big), "--out", str(out), progress=True)
    assert "reading" in text and "MB" in text and "ETA" in text
    assert json.loads(out.read_text())["summary"]["agents"] == 700_001
