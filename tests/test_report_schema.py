"""Reports validate against the shipped schema (agentgraph/report/report.schema.json) on
fixtures and random forests."""

from __future__ import annotations

import jsonschema
import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import agentgraph
from agentgraph.report.schema import report_schema
from agentgraph.tables import Relations

from .conftest import FIXTURES, ROOT

SCHEMA = report_schema()


def test_fixture_reports_validate() -> None:
    for path in sorted(FIXTURES.glob("*.*")):
        if path.suffix in (".csv", ".jsonl"):
            jsonschema.validate(agentgraph.scan(path).report(), SCHEMA)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(-1, 40)), min_size=1, max_size=120),
    st.integers(0, 3),
)
def test_random_member_tables_validate_and_add_up(rows: list[tuple[int, int]], cap: int) -> None:
    table = pa.table(
        {
            "agent_id": [str(a) for a, _ in rows],
            "upline_id": [None if u < 0 else str(u) for _, u in rows],
        }
    )
    a = agentgraph.analyse(Relations("members", table))
    report = a.report(max_networks=cap)
    jsonschema.validate(report, SCHEMA)
    s = report["summary"]
    listed = sum(n["members"] for n in report["networks"])
    assert listed + report["networks_omitted"]["agents"] == s["agents"]
    assert len(report["networks"]) + report["networks_omitted"]["networks"] == s["networks"]
    flagged = [n for n in report["networks"] if n["flags"]]
    assert len(flagged) == s["flagged"]  # every flagged network listed, whatever the cap
    assert report["networks"][: len(flagged)] == flagged  # flagged first
    sizes = [n["members"] for n in report["networks"][len(flagged) :]]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(report["depth_histogram"]) == s["agents"]
    assert s["max_levels"] == int(np.max(a.networks.levels))


def test_schema_revision_declares_every_key_it_emits() -> None:
    """A report with every kind of evidence only has keys the schema declares, and its
    revision is the newest one the schema describes (revisions are additive)."""
    from agentgraph.loaders.orders import read_orders
    from agentgraph.loaders.payments import read_payments

    money = FIXTURES / "money"
    a = agentgraph.analyse(
        agentgraph.read(money / "ladder5_members.csv"),
        "cn",
        payments=read_payments(money / "ladder5_payments.csv"),
        orders=read_orders(money / "ladder5_orders.csv"),
    )
    report = a.report()
    jsonschema.validate(report, SCHEMA)
    assert report["schema"] == "agentgraph.report/1"
    assert report["schema_revision"] == agentgraph.SCHEMA_REVISION == 6
    assert set(report) <= set(SCHEMA["properties"])
    assert {"money", "sales", "input"} <= set(report)
    described = SCHEMA["properties"]["schema_revision"]["description"]
    assert "2: the evidence sections" in described
    assert "3: 'input' (how the file was read)" in described
    assert "4: 'growth'" in described
    assert "5: money law" in described
    assert f"{agentgraph.SCHEMA_REVISION}: 'money.networks'" in described
    assert report["money"]["networks"][0]["levels_up"] == report["money"]["payouts_levels_up"]
    assert "'supply' (the 微商 supply ladder" in described
    assert set(report["input"]) <= set(SCHEMA["properties"]["input"]["properties"])
    # a report without evidence carries no revision-2 section: a revision-1 reader
    # sees exactly the keys it knows
    plain = agentgraph.scan(FIXTURES / "boundary_30_3.csv").report()
    assert not {"money", "sales", "identities"} & set(plain)


def test_schema_ships_with_the_package() -> None:
    """The schema is package data of agentgraph.report (not a file under docs/), a valid
    draft 2020-12 schema, and each load is a fresh copy."""
    from importlib.resources import files

    from agentgraph.report.schema import SCHEMA_RESOURCE

    assert (files("agentgraph.report") / SCHEMA_RESOURCE).is_file()
    assert not (ROOT / "docs" / "report.schema.json").exists()
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"] == {"const": agentgraph.SCHEMA}
    fresh = report_schema()
    fresh["required"].clear()
    assert report_schema()["required"] == SCHEMA["required"] != []
