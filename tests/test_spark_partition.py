"""The Spark engine's per-partition work, run here in-process (no Spark needed).

:func:`agentgraph.spark.measure.measure_partition` is what every executor runs: a
partition of whole networks with the payments that name them. Its rows, put together
as the driver does, must give the in-process report's money section and network
entries, with the money flags citing the payments' rows in the whole file.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pytest
from agentgraph.loaders.payments import read_payments

import agentgraph
from agentgraph.spark.measure import measure_partition
from agentgraph.spark.money import merge_money
from agentgraph.spark.payments import (
    PAYMENT_COLUMNS,
    _schema,
    error_of,
    first_error,
    partition_payments,
)
from tests.money_cases import money_cases


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    m, p = money_cases(tmp_path_factory.mktemp("money"))
    a = agentgraph.analyse(agentgraph.read(m), payments=read_payments(p))
    want = a.report(generated_at="x")
    members = pv.read_csv(m, convert_options=pv.ConvertOptions(strings_can_be_null=True))
    n = members.num_rows
    ids = members.column("agent_id").to_pylist()
    root = a.hierarchy.root[:n].astype(np.int64)
    agents = pa.table(
        {
            "row": pa.array(np.arange(n, dtype=np.int64)),
            "agent_id": members.column("agent_id"),
            "upline_id": members.column("upline_id"),
            "root": pa.array(root),
            "root_id": pa.array([ids[r] for r in root.tolist()]),
            "joined_at": pc.cast(members.column("joined_at"), pa.string()),
            "_t": pa.array(["a"] * n),
        }
    )
    text = pv.ConvertOptions(
        column_types=dict.fromkeys(PAYMENT_COLUMNS, pa.string()), strings_can_be_null=True
    )
    raw = pv.read_csv(p, convert_options=text)
    pays = pa.table(
        {
            "row": pa.array(np.arange(raw.num_rows, dtype=np.int64)),
            **{f"p_{c}": raw.column(c) for c in raw.column_names},
            "_t": pa.array(["p"] * raw.num_rows),
        }
    )
    schema = read_payments(p).table.schema
    return {"a": a, "want": want, "agents": agents, "pays": pays, "schema": schema, "src": str(p)}


def _run(case: dict[str, Any], agents: pa.Table, pays: pa.Table) -> pa.Table:
    both = pa.concat_tables([agents, pays], promote_options="default")
    both = both.take(pc.sort_indices(both, [("row", "ascending"), ("_t", "ascending")]))
    return measure_partition(
        both,
        "cn",
        "members.csv",
        payment_schema=case["schema"],
        payment_source=case["src"],
    )


def _kind(out: pa.Table, kind: str) -> list[dict[str, Any]]:
    return [r for r in out.to_pylist() if r["kind"] == kind]


def test_one_partition_gives_the_money_section(case: dict[str, Any]) -> None:
    out = _run(case, case["agents"], case["pays"])
    want = case["want"]["money"]
    meta = json.loads(_kind(out, "meta")[0]["entry"])
    got = merge_money([meta["money"]])
    funds = sorted(_kind(out, "fund"), key=lambda r: (-r["amount"], r["key"]))
    got["funds"] = [json.loads(r["entry"]) for r in funds]
    flows = {r["key"]: json.loads(r["entry"]) for r in _kind(out, "mnet")}
    roots = {n["root"]: n for n in case["want"]["networks"]}
    keys = {r["root_id"]: r["root"] for r in case["agents"].to_pylist()}
    got["networks"] = [flows[keys[n["root"]]] for n in want["networks"]]
    assert got == want
    assert want["unmatched_payments"] == 1 and want["funds"] and len(want["networks"]) >= 30
    entries = {
        json.loads(r["entry"])["root"]: json.loads(r["entry"])
        for r in _kind(out, "net")
        if r["entry"]
    }
    assert entries == roots


def test_a_partition_cites_the_rows_of_the_whole_ledger(case: dict[str, Any]) -> None:
    """The tied networks (ladder, legitimate plan, join packages) alone, with the
    payments naming them: their flags cite the same payment rows as in-process."""
    agents = case["agents"]
    tied = {"L01", "B0", "J00"}
    mine = agents.filter(pc.is_in(agents.column("root_id"), pa.array(sorted(tied))))
    names = pa.array(mine.column("agent_id").to_pylist())
    pays = case["pays"]
    hit = pc.is_in(pays.column("p_payer_id"), names)
    for c in ("p_payee_id", "p_source_agent_id"):
        hit = pc.or_(hit, pc.fill_null(pc.is_in(pays.column(c), names), False))
    out = _run(case, mine, pays.filter(hit))
    got = {e["root"]: e for e in (json.loads(r["entry"]) for r in _kind(out, "net") if r["entry"])}
    want = {n["root"]: n for n in case["want"]["networks"] if n["root"] in tied}
    assert got == want
    cited = [f["evidence"].get("payment_rows") for f in want["L01"]["flags"]]
    assert any(rows and rows[0] > pays.filter(hit).num_rows // 2 for rows in cited)


def test_a_bad_value_is_named_by_its_row_in_the_file(case: dict[str, Any]) -> None:
    pays = case["pays"]
    amount = pays.column("p_amount").to_pylist()
    amount[150] = "-3"
    bad = pays.set_column(pays.column_names.index("p_amount"), "p_amount", pa.array(amount))
    keep = pc.greater_equal(bad.column("row"), 100)  # rows 101.. of the ledger only
    out = _run(case, case["agents"], bad.filter(keep))
    [err] = _kind(out, "perr")
    msg = str(error_of(err["entry"]))
    assert msg.startswith(f"{case['src']}, row 151, column 'amount': negative amount"), msg


def test_a_partition_without_payments_has_every_payment_column(case: dict[str, Any]) -> None:
    """A ledger without ``kind``: a partition with no payments still measures (the
    normalised table always has ``kind``)."""
    schema = _schema(["payer_id", "payee_id", "amount"])
    assert schema.names == ["payer_id", "payee_id", "amount", "kind"]
    none = case["pays"].slice(0, 0).select(["row", "p_payer_id", "p_payee_id", "p_amount", "_t"])
    both = pa.concat_tables([case["agents"], none], promote_options="default")
    out = measure_partition(both, "cn", "m.csv", payment_schema=schema, payment_source="p.csv")
    meta = json.loads(_kind(out, "meta")[0]["entry"])
    assert meta["money"]["payments"] == 0


def test_bad_values_are_named_as_in_process(case: dict[str, Any]) -> None:
    """The input's own header names the column, and of several partitions' errors the
    one the in-process reader meets first (column by column, then row) is raised."""
    t = pa.table({"row": [4, 9], "p_payer_id": ["A", None], "p_payee_id": ["B", "C"],
                  "p_amount": ["-1", "2"]})  # fmt: skip
    headers = {"payer_id": "付款人", "payee_id": "收款人", "amount": "金额"}
    _, _, bad = partition_payments(t, pa.schema([]), "p.csv", headers=headers)
    assert bad is not None and bad["column"] == "付款人" and bad["row"] == 10
    _, _, later = partition_payments(t.slice(0, 1), pa.schema([]), "p.csv", headers=headers)
    assert later is not None and later["column"] == "金额" and later["row"] == 5
    first = first_error([later, bad])
    assert first is not None and (first.row, first.column) == (10, "付款人")


def test_a_policy_counting_participants_is_refused_before_spark_starts() -> None:
    pytest.importorskip("pyspark")
    from agentgraph.errors import ArgumentError
    from agentgraph.policies import get_policy
    from agentgraph.policies.base import with_participants
    from agentgraph.spark import scan_detailed

    paid = with_participants(get_policy("cn"), "paid")
    with pytest.raises(ArgumentError, match="counts participants"):
        scan_detailed(None, "members.csv", policy=paid)


def test_money_totals_do_not_depend_on_how_the_ledger_is_split() -> None:
    """Totals are added exactly (units of 0.0001 yuan): halves added give the cent of
    the whole, where float sums of the halves could round to another one."""
    import numpy as np

    from agentgraph.report.amounts import summed

    a = np.array([47.319, 51.182, 75.516, 95.046, 3.486, 14.416])
    halves = [{"amount": summed(a[:3], None, None)}, {"amount": summed(a[3:], None, None)}]
    assert merge_money(halves)["amount"] == summed(a) == 286.96
    assert round(float(a[:3].sum()) + float(a[3:].sum()), 2) != summed(a)  # what floats gave
