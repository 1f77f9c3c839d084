"""The networks CSV is formula-safe by default (issue 12, finding 7): a text cell that a
spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, CR, or their full-width
forms) is written with a leading ``'``; numbers stay numbers. Checked on a real file
written by the CLI and read back with :mod:`csv`, and on its raw bytes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentgraph.report.csv import FORMULA_PREFIXES, NETWORK_CSV_COLUMNS, render_networks_csv

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = [
    '=CMD("/c calc")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    '＝HYPERLINK("http://x")',
    "＋1",
    "－1",
    "＠x",
]


def _net(root: str, **over: Any) -> dict[str, Any]:
    net: dict[str, Any] = {
        "root": root,
        "members": 30,
        "levels": 3,
        "structure": "multi_level",
        "tier_counts": [1, 5, 24],
        "flags": [{"rule": "cn.threshold", "severity": "high"}],
        "deepest_chain": [root, "b", "c"],
    }
    net.update(over)
    return net


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_hostile_ids_are_prefixed_by_default(tmp_path: Path) -> None:
    path = tmp_path / "networks.csv"
    path.write_text(
        render_networks_csv({"networks": [_net(r) for r in HOSTILE]}), encoding="utf-8", newline=""
    )
    rows = _read(path)
    assert rows[0] == list(NETWORK_CSV_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["'" + r for r in HOSTILE]
    raw = path.read_bytes()
    for line in raw.split(b"\n")[1:-1]:
        first = line[1:] if line.startswith(b'"') else line
        assert first.startswith(b"'"), line
        assert not first.startswith(tuple(p.encode() for p in FORMULA_PREFIXES)), line
    # the other columns are untouched
    assert rows[1][1:] == ["30", "3", "multi_level", "1;5;24", "cn.threshold", "high", "3"]


def test_every_text_column_is_safe_and_numbers_stay_numbers(tmp_path: Path) -> None:
    net = _net(
        "ok",
        members=-5,
        levels=-1.5,
        tier_counts=[-1, 2],
        structure="=evil",
        flags=[{"rule": "@rule", "severity": "-high"}],
    )
    path = tmp_path / "n.csv"
    path.write_text(render_networks_csv({"networks": [net]}), encoding="utf-8", newline="")
    row = _read(path)[1]
    assert row == ["ok", "-5", "-1.5", "'=evil", "-1;2", "'@rule", "'-high", "3"]
    # a number given as text in a numeric column is text: prefixed
    row = _read_text(render_networks_csv({"networks": [_net("ok", members="=1+1")]}))[1]
    assert row[1] == "'=1+1"
    # plain ids, Chinese and ids with a dash inside are left as they are
    for root in ("001", "总代-王", "a-b", "'quoted", " =spaced"):
        assert _read_text(render_networks_csv({"networks": [_net(root)]}))[1][0] == root


def _read_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_explicit_opt_out_keeps_raw_values() -> None:
    text = render_networks_csv({"networks": [_net(HOSTILE[0])]}, excel_safe=False)
    assert _read_text(text)[1][0] == HOSTILE[0]


def test_cli_writes_a_safe_csv(tmp_path: Path) -> None:
    members = tmp_path / "m.csv"
    rows = ["agent_id,upline_id", "=CMD(1),"]
    rows += [f"a{k},=CMD(1)" for k in range(5)]
    rows += [f"b{k},a{k % 5}" for k in range(25)]
    members.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "networks.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentgraph",
            "scan",
            str(members),
            "--format",
            "csv",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: something was flagged
    assert out.exists(), done.stderr
    got = _read(out)
    assert got[1][0] == "'=CMD(1)"
    assert b"\n'=CMD(1)," in out.read_bytes().replace(b"\r\n", b"\n").lstrip(b"\xef\xbb\xbf")


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_prefix(prefix: str) -> None:
    assert _read_text(render_networks_csv({"networks": [_net(prefix + "x")]}))[1][0] == (
        "'" + prefix + "x"
    )
