"""The Neo4j store over a real Bolt server, and the neo4j-admin CSV export.

Tests marked ``bolt`` need a server (tests/conftest_bolt.py): the FalkorDB
stand-in under ``scripts/with-bolt.sh`` or a real Neo4j 5 named by
``AGENTGRAPH_TEST_NEO4J_URI``. The others (CSV export, codec, credentials in
errors, the base package not importing the driver) run anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import logging
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import agentgraph
from agentgraph import synth
from agentgraph.analysis import analyse
from agentgraph.errors import AgentNotFound, DatasetExists, StoreError
from agentgraph.stores.neo4j.admin_csv import export_admin_csv, import_admin_csv
from agentgraph.stores.neo4j.codec import from_storable, pct_decode, pct_encode, to_storable
from agentgraph.tables import Relations

from .conftest import FIXTURES
from .test_store_shared import FIXED, NASTY_IDS, nasty_members

pytest_plugins = ("tests.conftest_bolt",)  # bolt_server, bolt_store, bolt_factory, names

bolt = pytest.mark.bolt


# --------------------------------------------------------------------- helpers
def counts(store: Any, name: str) -> dict[str, int]:
    """What the server holds for dataset ``name`` (every load of it)."""
    n = store.bolt.codec.encode(name)

    def one(text: str) -> int:
        return int(store.bolt.query("count", text, name=n)[0]["c"])

    out = {
        "datasets": one("MATCH (d:Dataset {name: $name}) RETURN count(d) AS c"),
        "agents": one("MATCH (a:Agent {dataset: $name}) RETURN count(a) AS c"),
    }
    for typ in ("ROOT", "RECRUITED", "SUPPLIES"):
        out[typ] = one(f"MATCH ()-[e:{typ}]->(a:Agent {{dataset: $name}}) RETURN count(e) AS c")
    return out


def failing_writes(store: Any, monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    """Make the ``fail_at``-th batch fail half way: half of its statements reach the
    server (without its ``done`` mark), then an error, as on a server crash."""
    real = store.bolt.write
    calls = {"n": 0}

    def write(what: str, stmts: list[tuple[str, dict[str, Any]]]) -> None:
        calls["n"] += 1
        if calls["n"] == fail_at:
            real(what, stmts[: max(1, (len(stmts) - 1) // 2)])
            raise StoreError("injected failure")
        real(what, stmts)

    monkeypatch.setattr(store.bolt, "write", write)


def members(rows: list[tuple[str, str | None]], source: str = "t") -> Relations:
    return Relations(
        "members",
        pa.table(
            {
                "agent_id": pa.array([r[0] for r in rows]),
                "upline_id": pa.array([r[1] for r in rows], pa.string()),
            }
        ),
        source,
    )


# ------------------------------------------------------------ without a server
def test_base_package_does_not_import_the_driver() -> None:
    code = (
        "import sys, agentgraph, agentgraph.stores, agentgraph.stores.neo4j.admin_csv, "
        "agentgraph.stores.neo4j.codec, agentgraph.stores.neo4j.cypher, "
        "agentgraph.loaders, agentgraph.analysis; assert 'neo4j' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith('neo4j'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_credentials_never_appear_in_errors(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("neo4j")
    from agentgraph.stores.neo4j.store import Neo4jStore

    caplog.set_level(logging.DEBUG)
    secret = "s3cr3t-Passw0rd"
    monkeypatch.setenv("AGENTGRAPH_NEO4J_PASSWORD", secret + "-env")
    cases: list[tuple[str, dict[str, Any]]] = [
        (f"bolt://agent:{secret}@127.0.0.1:9", {}),
        ("bolt://127.0.0.1:9", {"user": "agent", "password": secret}),
        ("bolt://127.0.0.1:9", {"user": "agent"}),
    ]
    for url, kwargs in cases:
        with pytest.raises(StoreError) as err:
            Neo4jStore(url, **kwargs, connect_timeout=2.0)
        text = f"{err.value} {err.value!r} {err.value.__cause__!r}"
        assert secret not in text
        assert "bolt://127.0.0.1:9" in str(err.value)
    assert secret not in caplog.text


def test_bad_options_are_refused_before_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("neo4j")
    from agentgraph.stores.neo4j.store import Neo4jStore

    monkeypatch.setenv("AGENTGRAPH_NEO4J_BATCH_SIZE", "lots")
    with pytest.raises(StoreError, match="AGENTGRAPH_NEO4J_BATCH_SIZE"):
        Neo4jStore("bolt://127.0.0.1:9")
    monkeypatch.delenv("AGENTGRAPH_NEO4J_BATCH_SIZE")
    with pytest.raises(StoreError, match="batch_size must be at least 1"):
        Neo4jStore("bolt://127.0.0.1:9", batch_size=0)


def _typed_extras() -> Relations:
    n = 4
    table = pa.table(
        {
            "agent_id": pa.array(["a", "b", "c", "d"]),
            "upline_id": pa.array([None, "a", "a", "b"], pa.string()),
            "joined_at": pa.array([dt.datetime(2020, 1, 1, 8, 30, 1)] * n, pa.timestamp("s")),
            "rank": pa.array(["总代", None, "x'", "\\"]),
            "count": pa.array([1, -(2**62), None, 7], pa.int64()),
            "score": pa.array([0.1 + 0.2, 1e-300, -0.0, None], pa.float64()),
            "ok": pa.array([True, False, None, True]),
            "day": pa.array(
                [dt.date(2021, 2, 3), None, dt.date(1999, 12, 31), dt.date(2024, 2, 29)]
            ),
            "seen": pa.array(
                [
                    dt.datetime(2022, 1, 31, 10, 0, 0, 123000),
                    None,
                    dt.datetime(2000, 1, 1),
                    dt.datetime(2030, 6, 1),
                ],
                pa.timestamp("ms", "Asia/Shanghai"),
            ),
            "amount": pa.array(
                [decimal.Decimal("12.30"), None, decimal.Decimal("-0.01"), decimal.Decimal("1e3")],
                pa.decimal128(10, 2),
            ),
            "tags": pa.array([[1, 2], [], None, [3]], pa.list_(pa.int64())),
            "blob": pa.array([b"\x00\xff'", None, b"", b"ok"], pa.binary()),
            "city": pa.array(["杭州", "北京", None, "x'}) //"]).dictionary_encode(),
            "big": pa.array([2**64 - 1, 0, None, 5], pa.uint64()),
        }
    )
    return Relations("members", table, "typed")


def test_codec_round_trips_every_column_type() -> None:
    rel = _typed_extras()
    for f in rel.table.schema:
        col = rel.table.column(f.name)
        stored = to_storable(col)
        assert (
            pa.types.is_string(stored.type)
            or pa.types.is_int64(stored.type)
            or (pa.types.is_boolean(stored.type))
        ), f
        assert from_storable(stored, f.type).equals(col.combine_chunks()), f.name


def test_percent_escaping_round_trips() -> None:
    texts = NASTY_IDS + ["%2527", "%%27", "\x00", "'\\%", "%5C%00", None]
    arr = pa.array(texts, pa.string())
    enc = pct_encode(arr)
    for value in enc.to_pylist():
        assert value is None or not any(c in value for c in "'\\\x00")
        assert value is None or (value[0] == "<" and value[-1] == ">")
    assert pct_decode(enc).to_pylist() == texts


ADMIN_CASES = [
    "chain5.csv",
    "star.csv",
    "cycle.csv",
    "gb18030_members.csv",
    "ladder_edges.csv",
    "mixed.jsonl",
    "boundary_30_3.csv",
]


@pytest.mark.parametrize("case", ADMIN_CASES + ["nasty", "typed", "defects", "edges"])
def test_admin_csv_round_trip(tmp_path: Path, case: str) -> None:
    if case in ADMIN_CASES:
        rel = agentgraph.read(FIXTURES / case)
    elif case == "nasty":
        rel = nasty_members()
    elif case == "typed":
        rel = _typed_extras()
    elif case == "defects":
        rel = synth.with_defects(
            synth.random_recursive(800, seed=1),
            seed=3,
            cycles=2,
            self_referrals=2,
            multiple_uplines=4,
            unknown_uplines=3,
            duplicate_agents=3,
        )
    else:
        rel = synth.to_edges(synth.forest(700, seed=2, ids="zh"))
    out = export_admin_csv(rel, tmp_path / "imp", dataset="demo")
    back = import_admin_csv(tmp_path / "imp")
    assert back.kind == rel.kind
    assert back.table.equals(rel.table)
    assert analyse(back).report(**FIXED) == analyse(rel).report(**FIXED)
    with open(tmp_path / "imp" / "agents.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["id:ID", "dataset", ":LABEL", "row:long", "root_rows:long[]"]
    assert len(rows) - 1 == out["agents"]
    assert {r[2] for r in rows[1:]} == {"Agent"} and {r[1] for r in rows[1:]} == {"demo"}
    with open(tmp_path / "imp" / "relationships.csv", newline="", encoding="utf-8") as fh:
        rels = list(csv.reader(fh))
    assert rels[0][:5] == [":START_ID", ":END_ID", ":TYPE", "at", "row:long"]
    assert len(rels) - 1 == out["relationships"]
    ids = {r[0] for r in rows[1:]}
    assert all(r[0] in ids and r[1] in ids for r in rels[1:])
    if case == "nasty":
        assert ids == set(NASTY_IDS)


def test_admin_csv_types_and_supply_edges(tmp_path: Path) -> None:
    rel = agentgraph.read(FIXTURES / "ladder_edges.csv")
    export_admin_csv(rel, tmp_path)
    with open(tmp_path / "relationships.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_pair = {(r[":START_ID"], r[":END_ID"]): r for r in rows}
    assert by_pair[("P04", "P20")][":TYPE"] == "SUPPLIES"
    assert by_pair[("P01", "P02")][":TYPE"] == "RECRUITED"
    assert by_pair[("P01", "P02")]["kind"] == ""  # null kind: no property
    assert by_pair[("P15", "P31")]["at"] == "2022-01-31T10:00:00"


def test_admin_csv_is_the_same_whatever_the_chunk_size(tmp_path: Path) -> None:
    rel = synth.with_defects(
        synth.random_recursive(500, seed=4, ids="zh"),
        seed=1,
        duplicate_agents=3,
        multiple_uplines=3,
    )
    export_admin_csv(rel, tmp_path / "big")
    export_admin_csv(rel, tmp_path / "small", chunk_rows=7)
    for f in ("agents.csv", "relationships.csv", "agentgraph.json"):
        assert (tmp_path / "big" / f).read_bytes() == (tmp_path / "small" / f).read_bytes()


def test_admin_csv_without_manifest(tmp_path: Path) -> None:
    rel = agentgraph.read(FIXTURES / "gb18030_members.csv")
    export_admin_csv(rel, tmp_path)
    (tmp_path / "agentgraph.json").unlink()
    back = import_admin_csv(tmp_path)
    assert back.kind == "members"
    assert back.table.to_pylist() == rel.table.to_pylist()
    zeros = agentgraph.read(FIXTURES / "boundary_30_3.csv")  # ids 001..030, digits only
    export_admin_csv(zeros, tmp_path / "z")
    (tmp_path / "z" / "agentgraph.json").unlink()
    back = import_admin_csv(tmp_path / "z")  # no manifest: the known columns, as text
    assert back.table.select(["agent_id", "upline_id"]).equals(zeros.table)


def test_admin_csv_that_does_not_parse_is_an_input_error(tmp_path: Path) -> None:
    from agentgraph.errors import InputError

    rel = agentgraph.read(FIXTURES / "chain5.csv")
    export_admin_csv(rel, tmp_path)
    manifest = tmp_path / "agentgraph.json"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON manifest") as err:
        import_admin_csv(tmp_path)
    assert err.value.source == str(manifest)
    manifest.write_text(good.replace('"schema": "', '"schema": "x'), encoding="utf-8")
    with pytest.raises(InputError, match="schema does not parse"):
        import_admin_csv(tmp_path)
    manifest.write_text(good, encoding="utf-8")
    rels = tmp_path / "relationships.csv"
    rels.write_text(
        rels.read_text(encoding="utf-8").replace("2020-03-01T09:00:00", "soon"), encoding="utf-8"
    )
    with pytest.raises(InputError, match="does not read back") as err:
        import_admin_csv(tmp_path)
    assert err.value.column == "joined_at"


# ------------------------------------------------------------------ with a server
@bolt
def test_open_store_dispatches_bolt_urls(bolt_server: tuple[str, dict[str, Any]]) -> None:
    from agentgraph.stores import open_store
    from agentgraph.stores.neo4j.store import Neo4jStore

    uri, options = bolt_server
    with open_store(uri, **options) as store:
        assert isinstance(store, Neo4jStore)
        assert "@" not in store.url and "@" not in repr(store)
        assert repr(store).startswith("Neo4jStore(")


@bolt
def test_options_from_the_environment(
    bolt_server: tuple[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentgraph.stores.neo4j.store import Neo4jStore

    monkeypatch.setenv("AGENTGRAPH_NEO4J_BATCH_SIZE", "37")
    options = {k: v for k, v in bolt_server[1].items() if k != "batch_size"}
    with Neo4jStore(bolt_server[0], **options) as store:
        assert store.batch_size == 37


@bolt
def test_wrong_credentials_give_a_clear_error(
    bolt_factory: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wr0ng-s3cret-pw"
    with pytest.raises(StoreError, match="authentication failed") as err:
        bolt_factory(user="agentgraph-nobody", password=secret)
    assert secret not in f"{err.value!r} {err.value.__cause__!r}"
    assert secret not in caplog.text


@bolt
def test_graph_model(bolt_store: Any, names: Callable[[str], str]) -> None:
    store = bolt_store
    gb = agentgraph.read(FIXTURES / "gb18030_members.csv")
    store.load(names("gb"), gb)
    assert counts(store, names("gb")) == {
        "datasets": 1,
        "agents": 34,
        "ROOT": 2,
        "RECRUITED": 32,
        "SUPPLIES": 0,
    }
    got = store.bolt.query(
        "agent",
        "MATCH (a:Agent {dataset: $name, id: $id}) RETURN a.rank AS"
        " rank, a.joined_at AS joined, a.row AS row",
        name=store.bolt.codec.encode(names("gb")),
        id=store.bolt.codec.encode("钱18"),
    )
    row = gb.table.column("agent_id").to_pylist().index("钱18")
    assert len(got) == 1 and got[0]["row"] == row
    assert store.bolt.codec.decode(got[0]["rank"]) == "一级代理"
    joined = gb.table.column("joined_at")[row].as_py()
    assert store.bolt.codec.decode(got[0]["joined"]) == joined.isoformat()
    ds = store.bolt.query(
        "dataset",
        "MATCH (d:Dataset {name: $name}) RETURN d.complete AS c, d.kind AS k, d.rows AS r",
        name=store.bolt.codec.encode(names("gb")),
    )
    assert ds == [{"c": True, "k": "members", "r": 34}]

    edges = agentgraph.read(FIXTURES / "ladder_edges.csv")
    store.load(names("edges"), edges)
    assert counts(store, names("edges")) == {
        "datasets": 1,
        "agents": 31,
        "ROOT": 0,
        "RECRUITED": 31,
        "SUPPLIES": 1,
    }
    sup = store.bolt.query(
        "sup",
        "MATCH (u:Agent {dataset: $name})-[e:SUPPLIES]->(d) RETURN"
        " u.id AS u, d.id AS d, e.kind AS k",
        name=store.bolt.codec.encode(names("edges")),
    )
    assert [{k: store.bolt.codec.decode(v) for k, v in r.items()} for r in sup] == [
        {"u": "P04", "d": "P20", "k": "supplies"}
    ]


@bolt
def test_reload_does_not_duplicate_anything(bolt_store: Any, names: Callable[[str], str]) -> None:
    rel = agentgraph.read(FIXTURES / "gb18030_members.csv")
    bolt_store.load(names("gb"), rel)
    once = counts(bolt_store, names("gb"))
    for _ in range(2):
        bolt_store.load(names("gb"), rel, replace=True)
    assert counts(bolt_store, names("gb")) == once


@bolt
def test_resume_after_a_failed_batch(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("resume")
    store.batch_size = 150
    rel = synth.random_recursive(1000, seed=7)
    failing_writes(store, monkeypatch, fail_at=3)
    with pytest.raises(StoreError, match="injected"):
        store.load(name, rel)
    monkeypatch.undo()
    with pytest.raises(StoreError, match="incomplete.*300 of 1000"):
        store.info(name)
    with pytest.raises(StoreError, match="incomplete"):
        store.read(name)
    assert name not in [d.name for d in store.datasets()]
    assert [(u.name, u.op, u.done, u.target) for u in store.unfinished() if u.name == name] == [
        (name, "load", 300, 1000)
    ]
    seen: list[tuple[int, int]] = []
    store.load(name, rel, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (450, 1000) and seen[-1] == (1000, 1000)
    back = store.read(name)
    assert back.table.equals(rel.table)
    assert analyse(back).report(**FIXED) == analyse(rel).report(**FIXED)
    assert counts(store, name) == {
        "datasets": 1,
        "agents": 1000,
        "ROOT": 1,
        "RECRUITED": 999,
        "SUPPLIES": 0,
    }
    assert name not in [u.name for u in store.unfinished()]


@bolt
def test_a_failed_replacement_keeps_the_old_data(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("replace")
    store.batch_size = 100
    old = agentgraph.read(FIXTURES / "chain5.csv")
    new = agentgraph.read(FIXTURES / "star.csv")
    store.load(name, old)
    failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError, match="injected"):
        store.load(name, new, replace=True)
    monkeypatch.undo()
    assert store.info(name).rows == 5
    assert store.read(name).table.equals(old.table)
    assert [u.target for u in store.unfinished() if u.name == name] == [201]
    store.load(name, new, replace=True)
    assert store.read(name).table.equals(new.table)
    assert counts(store, name) == {
        "datasets": 1,
        "agents": 201,
        "ROOT": 1,
        "RECRUITED": 200,
        "SUPPLIES": 0,
    }


@bolt
def test_an_unfinished_load_of_other_data_needs_replace(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("other")
    store.batch_size = 100
    failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError):
        store.load(name, agentgraph.read(FIXTURES / "star.csv"))
    monkeypatch.undo()
    chain = agentgraph.read(FIXTURES / "chain5.csv")
    with pytest.raises(DatasetExists, match="unfinished"):
        store.load(name, chain)
    store.load(name, chain, replace=True)
    assert store.read(name).table.equals(chain.table)
    assert counts(store, name) == {
        "datasets": 1,
        "agents": 5,
        "ROOT": 1,
        "RECRUITED": 4,
        "SUPPLIES": 0,
    }


@bolt
def test_a_failed_append_is_invisible_then_resumed_or_replaced(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentgraph.stores.neo4j.datasets import current_node
    from agentgraph.stores.neo4j.load import conform

    store, name = bolt_store, names("append")
    store.batch_size = 100
    rel = synth.random_recursive(600, seed=12)
    head = Relations("members", rel.table.slice(0, 250))
    tail = Relations("members", rel.table.slice(250))
    store.load(name, head)
    failing_writes(store, monkeypatch, fail_at=3)
    with pytest.raises(StoreError):
        store.append(name, tail)
    monkeypatch.undo()
    assert store.info(name).rows == 250
    assert store.read(name).table.equals(head.table)
    assert [(u.op, u.done, u.target) for u in store.unfinished() if u.name == name] == [
        ("append", 450, 600)
    ]
    # other rows: what the failed append left is removed first
    other = members([(f"new{i}", "new0" if i else None) for i in range(30)])
    store.append(name, other)
    expected = pa.concat_tables([head.table, conform(current_node(store.bolt, name), other.table)])
    assert store.read(name).table.equals(expected)
    c = counts(store, name)
    assert c["ROOT"] + c["RECRUITED"] == 280 and c["agents"] == 280
    # the same rows as a failed append: resumed
    failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError):
        store.append(name, tail)
    monkeypatch.undo()
    store.append(name, tail)
    full = pa.concat_tables([expected, tail.table])
    assert store.read(name).table.equals(full)
    c = counts(store, name)
    assert c["ROOT"] + c["RECRUITED"] == 630 and c["agents"] == 630


@bolt
def test_delete_removes_an_unfinished_load(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("half")
    store.batch_size = 100
    failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError):
        store.load(name, agentgraph.read(FIXTURES / "star.csv"))
    monkeypatch.undo()
    store.delete(name)
    assert counts(store, name) == {
        "datasets": 0,
        "agents": 0,
        "ROOT": 0,
        "RECRUITED": 0,
        "SUPPLIES": 0,
    }


@bolt
def test_progress_is_reported_per_batch(bolt_store: Any, names: Callable[[str], str]) -> None:
    bolt_store.batch_size = 150
    seen: list[tuple[int, int]] = []
    bolt_store.load(
        names("p"), synth.random_recursive(1000, seed=1), progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(min(k, 1000), 1000) for k in range(150, 1150, 150)]


@bolt
@pytest.mark.parametrize(
    "case",
    [
        "chain5.csv",
        "boundary_30_3.csv",
        "gb18030_members.csv",
        "star.csv",
        "mixed.jsonl",
        "ladder_edges.csv",
        "cycle.csv",
    ],
)
def test_single_agent_queries_agree_with_the_engine(
    bolt_store: Any, names: Callable[[str], str], case: str
) -> None:
    rel = agentgraph.read(FIXTURES / case)
    bolt_store.load(names("q"), rel)
    a = analyse(rel)
    ids = rel.table.column("agent_id" if rel.kind == "members" else "downline_id").to_pylist()
    for agent in dict.fromkeys(ids):
        level = bolt_store.agent_level(names("q"), agent)
        if case == "cycle.csv" and agent[0] in "XS":  # on or below a cycle, or self-referred
            assert level is None and bolt_store.upline_chain(names("q"), agent) is None
            continue
        info = a.agent(agent)
        assert level == info.level, agent
        if case != "ladder_edges.csv":  # P31's two uplines: the engine keeps the earliest
            assert bolt_store.upline_chain(names("q"), agent) == info.upline_chain, agent
            assert bolt_store.downline_size(names("q"), agent) == info.downline, agent


@bolt
def test_depth_bound_and_errors(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("chain")
    rel = synth.chain(12, ids="seq")
    store.load(name, rel)
    ids = rel.table.column("agent_id").to_pylist()
    assert store.agent_level(name, ids[-1]) == 12
    assert store.agent_level(name, ids[-1], max_depth=11) == 12
    assert store.agent_level(name, ids[-1], max_depth=10) is None
    assert store.upline_chain(name, ids[3]) == ids[:3]
    assert store.upline_chain(name, ids[0]) == []
    assert store.downline_size(name, ids[0]) == 12
    assert store.downline_size(name, ids[0], max_depth=3) == 4
    for bad in (0, 1001, True, 2.5):
        with pytest.raises(StoreError, match="max_depth"):
            store.agent_level(name, ids[0], max_depth=bad)
    with pytest.raises(AgentNotFound):
        store.agent_level(name, "no such agent")
    failing_writes(store, monkeypatch, fail_at=1)
    with pytest.raises(StoreError):
        store.load(names("broken"), rel)
    monkeypatch.undo()
    with pytest.raises(StoreError, match="incomplete"):
        store.agent_level(names("broken"), ids[0])


@bolt
def test_single_agent_queries_with_injection_looking_ids(
    bolt_store: Any, names: Callable[[str], str]
) -> None:
    bolt_store.load(names("nasty"), nasty_members())
    for k, agent in enumerate(NASTY_IDS):
        assert bolt_store.agent_level(names("nasty"), agent) == k + 1
        assert bolt_store.upline_chain(names("nasty"), agent) == NASTY_IDS[:k]
        assert bolt_store.downline_size(names("nasty"), agent) == len(NASTY_IDS) - k


@bolt
def test_every_column_type_reads_back(bolt_store: Any, names: Callable[[str], str]) -> None:
    rel = _typed_extras()
    bolt_store.load(names("typed"), rel)
    back = bolt_store.read(names("typed"))
    assert back.table.equals(rel.table)
    assert math.isclose(back.table.column("score")[0].as_py(), 0.1 + 0.2, rel_tol=0)


@bolt
def test_long_values_are_sent_in_small_enough_queries(
    bolt_store: Any, names: Callable[[str], str]
) -> None:
    """300-character Chinese ids (900 bytes): a 150-row batch would overflow the
    stand-in's 4 KB parameter buffer unless it is cut to fit."""
    ids = [f"{k:04d}" + "传销" * 148 for k in range(200)]
    rel = members([(a, ids[k - 1] if k else None) for k, a in enumerate(ids)])
    bolt_store.load(names("long"), rel)
    assert bolt_store.read(names("long")).table.equals(rel.table)
    assert bolt_store.agent_level(names("long"), ids[-1], max_depth=250) == 200
    assert bolt_store.info(names("long")).rows == 200  # the server is still there


@bolt
def test_a_row_larger_than_the_query_budget_is_refused(
    bolt_factory: Callable[..., Any], names: Callable[[str], str]
) -> None:
    with bolt_factory(max_query_bytes=1500) as store:
        rel = members([("x" * 1200, None)])
        with pytest.raises(StoreError, match="max_query_bytes"):
            store.load(names("huge"), rel)
        store.delete(names("huge"))
        store.load(names("small"), members([("a", None), ("b", "a")]))
        with pytest.raises(StoreError, match="max_query_bytes"):
            store.agent_level(names("small"), "y" * 2000)
        assert store.datasets() is not None  # the server still answers
