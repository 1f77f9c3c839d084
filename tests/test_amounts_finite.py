"""Non-finite and absurd amounts are refused with their row (issue 12, finding 2).

Before: ``nan`` in a payment file un-flagged a 30/3 network (an entry fee of NaN made
the entry-fee rule false), ``inf`` or ``1e400`` added the critical
``cn.serious_funds`` flag, and the JSON report held ``NaN``/``Infinity``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from agentgraph.loaders.payments import read_payments

import agentgraph
from agentgraph.errors import InputError

MONEY = Path(__file__).resolve().parents[1] / "fixtures" / "money"


def _with_amount(tmp_path: Path, value: str) -> Path:
    lines = (MONEY / "ladder5_payments.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[2] = value  # data row 3
    path = tmp_path / "payments.csv"
    path.write_text("\n".join([*lines[:3], ",".join(cells), *lines[4:]]) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "1e16"])
def test_a_non_finite_or_absurd_amount_is_refused_with_its_row(tmp_path: Path, value: str) -> None:
    with pytest.raises(InputError) as info:
        read_payments(_with_amount(tmp_path, value))
    assert info.value.row == 3 and info.value.column == "amount"
    assert repr(value) in str(info.value)


def test_parquet_nan_is_refused_too(tmp_path: Path) -> None:
    t = pa.table({"payer_id": ["a", "b"], "payee_id": ["c", "c"], "amount": [10.0, float("nan")]})
    pq.write_table(t, tmp_path / "p.parquet")
    with pytest.raises(InputError, match="row 2.*not a finite amount"):
        read_payments(tmp_path / "p.parquet")


def test_the_cli_exits_2_and_writes_no_report(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentgraph",
            "scan",
            str(MONEY / "ladder5_members.csv"),
            "--payments",
            str(_with_amount(tmp_path, "1e400")),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "row 3" in run.stderr and not out.exists()


def test_reports_are_strict_json() -> None:
    from agentgraph.report.build import dumps

    with pytest.raises(ValueError):
        dumps({"amount": float("nan")})
    report = agentgraph.scan(MONEY / "ladder5_members.csv").report()
    json.loads(dumps(report), parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
