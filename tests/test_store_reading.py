"""How an input was read (tables.Reading) is kept by every store: merging readings,
DuckDB files made before the reading was kept, the Neo4j store's parts and its
failed, resumed and replacing loads, and the neo4j-admin CSV manifest."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentgraph
from agentgraph.analysis import analyse
from agentgraph.errors import InputError, StoreError
from agentgraph.stores import DuckDBStore
from agentgraph.stores.base import appended_reading, reading_from_json, reading_to_json
from agentgraph.stores.neo4j.admin_csv import MANIFEST_FILE, export_admin_csv, import_admin_csv
from agentgraph.stores.neo4j.codec import TextCodec
from agentgraph.tables import Reading, Relations

from .conftest import FIXTURES
from .test_store_shared import with_reading

pytest_plugins = ("tests.conftest_bolt",)  # bolt_server, bolt_store, names

FIXED = {"generated_at": "2024-01-01T00:00:00Z", "source_name": "fixed"}


def report(rel: Relations) -> dict[str, Any]:
    return analyse(rel).report(**FIXED)


def reading(source: str, **kw: Any) -> Reading:
    base: dict[str, Any] = {
        "format": "csv",
        "encoding": "gb18030",
        "encoding_confidence": 0.9,
        "columns": {"agent_id": "uid", "upline_id": "spread_uid"},
        "where": ["status=1"],
        "rows_read": 10,
        "rows_excluded": 1,
    }
    return Reading(source, **(base | kw))


@pytest.fixture(params=["duckdb", pytest.param("bolt", marks=pytest.mark.bolt)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each store in turn: a DuckDB file in tmp_path, then the Bolt server."""
    if request.param == "duckdb":
        st_ = DuckDBStore(tmp_path / "store.duckdb")
        yield st_
        st_.close()
    else:
        yield request.getfixturevalue("bolt_store")


# ------------------------------------------------------------------ Reading.merge
def test_merge_sums_counts_joins_sources_and_keeps_what_agrees() -> None:
    a = reading(
        "a.csv",
        no_upline={"0": 3},
        issues=[("no_upline_value", [], "'0' in 3 rows")],
        notes=["same note"],
        encoding_confidence=0.95,
    )
    b = reading(
        "b.csv",
        no_upline={"0": 1, "无": 2},
        issues=[("upline_disagreement", ["7", "8"], "path says 1")],
        notes=["same note", "b only"],
        tables_found=["eb_user"],
    )
    m = Reading.merge([a, b])
    assert m.source == "a.csv, b.csv"
    assert m.no_upline == {"0": 4, "无": 2}
    assert (m.rows_read, m.rows_excluded) == (20, 2)
    assert m.issues == a.issues + b.issues
    assert m.notes == ["same note", "b only"]
    assert (m.format, m.encoding, m.encoding_confidence) == ("csv", "gb18030", 0.9)
    assert m.columns == a.columns and m.where == ["status=1"]
    assert m.tables_found == ["eb_user"] and m.timezone == "Asia/Shanghai"
    # the inputs are not changed
    assert a.no_upline == {"0": 3} and a.notes == ["same note"]


def test_merge_of_differing_inputs_says_so() -> None:
    a = reading("a.csv", timezone="Asia/Shanghai", date_formats={"t": "%Y/%m/%d"})
    b = reading(
        "b.xlsx",
        format="excel",
        encoding=None,
        encoding_confidence=None,
        columns={"agent_id": "会员编号", "upline_id": "spread_uid"},
        timezone="UTC",
        date_formats={"t": "excel serial"},
    )
    m = Reading.merge([a, b])
    assert (m.format, m.encoding, m.encoding_confidence) == (None, None, None)
    assert m.columns == {"upline_id": "spread_uid"}
    assert m.date_formats == {}
    assert m.timezone == "Asia/Shanghai, UTC"
    assert m.notes == [
        "format differs: a.csv: csv; b.xlsx: excel",
        "encoding differs: a.csv: gb18030; b.xlsx: -",
        "columns['agent_id'] differs: a.csv: uid; b.xlsx: 会员编号",
        "date_formats['t'] differs: a.csv: %Y/%m/%d; b.xlsx: excel serial",
        "timezone differs: a.csv: Asia/Shanghai; b.xlsx: UTC",
    ]


def test_merge_of_one_is_an_equal_copy_and_of_none_an_error() -> None:
    a = reading("a.csv", no_upline={"0": 1}, notes=["n"])
    m = Reading.merge([a])
    assert m == a and m is not a
    m.notes.append("changed")
    assert a.notes == ["n"]
    with pytest.raises(ValueError, match="at least one"):
        Reading.merge([])


_names = st.text(st.sampled_from("0无-xy"), min_size=0, max_size=2)
_reading = st.builds(
    reading,
    source=st.sampled_from(["a.csv", "b.csv", "会员.csv"]),
    no_upline=st.dictionaries(_names, st.integers(0, 9), max_size=3),
    rows_read=st.integers(0, 100),
    issues=st.lists(
        st.tuples(st.just("no_upline_value"), st.lists(_names, max_size=2), _names), max_size=2
    ),
    notes=st.lists(st.sampled_from(["n1", "n2", "说明"]), max_size=2, unique=True),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_reading, min_size=3, max_size=3))
def test_merge_is_associative_when_the_inputs_agree(rs: list[Reading]) -> None:
    """Appending file by file gives the reading of one upload of all files."""
    a, b, c = rs
    flat = Reading.merge([a, b, c])
    assert Reading.merge([Reading.merge([a, b]), c]) == flat
    assert Reading.merge([a, Reading.merge([b, c])]) == flat
    assert appended_reading(appended_reading(a, b), c) == flat
    assert sum(flat.no_upline.values()) == sum(sum(r.no_upline.values()) for r in rs)
    assert reading_from_json(reading_to_json(flat)) == flat


def test_appended_reading_without_one_side() -> None:
    a = reading("a.csv")
    assert appended_reading(None, None) is None
    assert appended_reading(a, None) is a
    assert appended_reading(None, a) is a


def test_damaged_stored_reading_is_a_store_error() -> None:
    for text in ["{", "[]", '{"issues": [1]}', '{"rows_read": 1, "nope": 2, "issues": [[1]]}']:
        with pytest.raises(StoreError, match="stored reading is damaged"):
            reading_from_json(text, where="dataset 'x'")
    # unknown keys (a later version) are ignored
    assert reading_from_json('{"source": "a.csv", "later": 1}') == Reading("a.csv")


# ------------------------------------------------------------------------- DuckDB
def _old_store_file(path: Path, rel: Relations) -> None:
    """A store file as the version before readings were kept wrote it (its catalog
    DDL and INSERT, written by DuckDB itself)."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE agentgraph_datasets (name VARCHAR PRIMARY KEY, tbl VARCHAR, "
        "kind VARCHAR, rows BIGINT, source VARCHAR, loaded_at VARCHAR, columns VARCHAR)"
    )
    con.register("_src", rel.table)
    con.execute('CREATE TABLE "ds_old" AS SELECT * FROM _src')
    con.execute(
        "INSERT INTO agentgraph_datasets VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            "old",
            "ds_old",
            rel.kind,
            rel.rows,
            rel.source,
            "2024-01-01T00:00:00Z",
            json.dumps(rel.table.column_names),
        ],
    )
    con.close()


def _catalog_columns(path: Path) -> list[str]:
    con = duckdb.connect(str(path))
    try:
        rows = con.execute("DESCRIBE agentgraph_datasets").fetchall()
    finally:
        con.close()
    return [str(r[0]) for r in rows]


def test_duckdb_file_made_before_readings_were_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    rel = agentgraph.read(FIXTURES / "chain5.csv")
    _old_store_file(path, rel)
    assert "reading" not in _catalog_columns(path)
    with DuckDBStore(path) as st_:
        back = st_.read("old")
        assert back.table.equals(rel.table) and back.reading is None
        assert report(back) == report(dataclasses.replace(rel, reading=None))
        assert "input" not in report(back)
        assert [d.name for d in st_.datasets()] == ["old"]
        new = with_reading()
        st_.load("new", new)
        assert st_.read("new").reading == new.reading
        # an append brings a reading to the old dataset: it is the appended rows' one
        more = agentgraph.read(FIXTURES / "chain5.csv")
        st_.append("old", more)
        assert st_.read("old").reading == more.reading
    assert _catalog_columns(path)[-1] == "reading"
    with DuckDBStore(path) as st_:  # opened again: kept
        assert st_.read("new").reading == new.reading
        assert st_.info("old").rows == 10


def test_duckdb_reading_is_part_of_the_transaction(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    first = with_reading()
    other = agentgraph.read(FIXTURES / "star.csv")

    def cancel(done: int, total: int) -> None:
        raise RuntimeError("cancelled")

    with DuckDBStore(path) as st_:
        st_.load("d", first)
        with pytest.raises(RuntimeError):
            st_.load("d", other, replace=True, progress=cancel)
        assert st_.read("d").reading == first.reading
        with pytest.raises(StoreError):  # a column the dataset lacks: nothing appended
            st_.append("d", Relations("members", pa.table({"zz": [1]}), "x", other.reading))
        assert st_.read("d").reading == first.reading
        assert st_.info("d").rows == first.rows
        st_.load("d", other, replace=True)
        assert st_.read("d").reading == other.reading


def test_duckdb_damaged_reading_names_the_dataset(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with DuckDBStore(path) as st_:
        st_.load("d", agentgraph.read(FIXTURES / "chain5.csv"))
        st_._sql("UPDATE agentgraph_datasets SET reading = '{not json' WHERE name = 'd'")
        with pytest.raises(StoreError, match=r"dataset 'd' in duckdb://.*damaged"):
            st_.read("d")


# --------------------------------------------------------- Neo4j: parts of a reading
@settings(max_examples=80, deadline=None)
@given(
    st.text(st.sampled_from("a\"\\%'\x00 传销😀{}\n"), max_size=300),
    st.integers(8, 60),
    st.booleans(),
)
def test_reading_parts_fit_the_budget_and_join_back(text: str, room: int, escape: bool) -> None:
    from agentgraph.stores.neo4j.readings import reading_parts

    codec = TextCodec(escape=escape)
    parts = reading_parts(text, codec, room=room)
    assert all(len(p.encode()) <= room for p in parts)
    assert "".join(codec.decode(p) or "" for p in parts) == text
    assert reading_parts(text, codec, room=None) == [codec.encode(text)]


def test_reading_parts_refuse_a_budget_without_room() -> None:
    from agentgraph.stores.neo4j.readings import reading_parts

    with pytest.raises(StoreError, match="max_query_bytes"):
        reading_parts("'", TextCodec(escape=True), room=4)


# ---------------------------------------------------------------- neo4j-admin CSV
def test_admin_csv_carries_the_reading(tmp_path: Path) -> None:
    rel = with_reading()
    export_admin_csv(rel, tmp_path / "out", dataset="crmeb")
    back = import_admin_csv(tmp_path / "out")
    assert back.table.equals(rel.table)
    assert back.reading == rel.reading
    assert report(back) == report(rel)
    manifest = tmp_path / "out" / MANIFEST_FILE
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["reading"]["no_upline"] == {"0": 3, "无": 1}
    del data["reading"]  # a manifest from before readings were kept
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert import_admin_csv(tmp_path / "out").reading is None
    data["reading"] = {"issues": [[1]]}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="the reading does not parse"):
        import_admin_csv(tmp_path / "out")
    export_admin_csv(dataclasses.replace(rel, reading=None), tmp_path / "none")
    assert import_admin_csv(tmp_path / "none").reading is None


# ------------------------------------------------------------------ every store
def test_replace_and_append_keep_the_reading_right(store: Any, names: Callable[[str], str]) -> None:
    name = names("lifecycle")
    a = agentgraph.read(FIXTURES / "chain5.csv")
    b = with_reading()
    store.load(name, a)
    store.load(name, b, replace=True)
    assert store.read(name).reading == b.reading
    more = Relations(
        "members",
        pa.table({"agent_id": ["n1"], "upline_id": ["001"]}),
        "more",
        Reading("more.csv", no_upline={"0": 5}, issues=[("no_upline_value", [], "'0' x5")]),
    )
    store.append(name, more)
    assert b.reading is not None and more.reading is not None
    want = Reading.merge([b.reading, more.reading])
    back = store.read(name)
    assert back.reading == want
    assert back.reading is not None and back.reading.no_upline == {"0": 8, "无": 1}
    got = report(back)
    assert got["input"]["source"] == f"{FIXTURES / 'boundary_30_3.csv'}, more.csv"
    assert [i["kind"] for i in got["data_issues"]][:3] == [
        "no_upline_value",
        "upline_disagreement",
        "no_upline_value",
    ]


# --------------------------------------------------------------- Bolt specifics
def _node_props(store: Any, name: str) -> list[dict[str, Any]]:
    rows = store.bolt.query(
        "props",
        "MATCH (d:Dataset {name: $name}) RETURN properties(d) AS p",
        name=store.bolt.codec.encode(name),
    )
    return [dict(r["p"]) for r in rows]


def _failing_writes(store: Any, monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    real = store.bolt.write
    calls = {"n": 0}

    def write(what: str, stmts: list[tuple[str, dict[str, Any]]]) -> None:
        calls["n"] += 1
        if calls["n"] == fail_at:
            real(what, stmts[: max(1, (len(stmts) - 1) // 2)])
            raise StoreError("injected failure")
        real(what, stmts)

    monkeypatch.setattr(store.bolt, "write", write)


@pytest.mark.bolt
def test_bolt_reading_over_the_query_budget_is_kept_in_parts(
    bolt_store: Any, names: Callable[[str], str]
) -> None:
    store, name = bolt_store, names("parts")
    rel = with_reading()
    store.load(name, rel)
    (props,) = _node_props(store, name)
    if store.max_query_bytes:  # the stand-in: several parts, each within the budget
        assert len(props["reading"]) >= 2
        assert all(len(p.encode()) < store.max_query_bytes for p in props["reading"])
    assert props["pending_reading"] == []
    assert store.read(name).reading == rel.reading
    assert store.read(name).table.equals(rel.table)


@pytest.mark.bolt
def test_bolt_failed_append_keeps_the_reading_and_its_resume_merges_once(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("append")
    store.batch_size = 50
    base = with_reading()
    store.load(name, base)
    ids = [f"x{i}" for i in range(200)]
    more = Relations(
        "members",
        pa.table({"agent_id": ids, "upline_id": ["001", *ids[:-1]]}),
        "more",
        Reading("more.csv", no_upline={"0": 2}),
    )
    _failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError, match="injected"):
        store.append(name, more)
    monkeypatch.undo()
    assert store.read(name).reading == base.reading  # readers see the old reading
    assert store.info(name).rows == base.rows
    store.append(name, more)  # resumes
    assert base.reading is not None and more.reading is not None
    back = store.read(name)
    assert back.rows == base.rows + 200
    assert back.reading == Reading.merge([base.reading, more.reading])


@pytest.mark.bolt
def test_bolt_resumed_load_and_failed_replacement(
    bolt_store: Any, names: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = bolt_store, names("resume")
    store.batch_size = 10
    rel = with_reading()
    _failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError, match="injected"):
        store.load(name, rel)
    monkeypatch.undo()
    # the same rows read with other options: the resumed load keeps the newer reading
    assert rel.reading is not None
    again = dataclasses.replace(rel, reading=dataclasses.replace(rel.reading, where=["x=1"]))
    store.load(name, again)
    assert store.read(name).reading == again.reading
    # a replacement that fails leaves the old rows and reading readable
    star = agentgraph.read(FIXTURES / "star.csv")
    _failing_writes(store, monkeypatch, fail_at=2)
    with pytest.raises(StoreError, match="injected"):
        store.load(name, star, replace=True)
    monkeypatch.undo()
    assert store.read(name).reading == again.reading
    store.load(name, star, replace=True)
    assert store.read(name).reading == star.reading
    assert len(_node_props(store, name)) == 1


@pytest.mark.bolt
def test_bolt_dataset_node_from_before_readings_were_kept(
    bolt_store: Any, names: Callable[[str], str]
) -> None:
    store, name = bolt_store, names("old")
    rel = agentgraph.read(FIXTURES / "chain5.csv")
    store.load(name, rel)
    for prop in ("reading", "pending_reading"):  # as the previous version left the node
        store.bolt.query(
            "make old",
            f"MATCH (d:Dataset {{name: $name}}) REMOVE d.{prop}",
            name=store.bolt.codec.encode(name),
        )
    (props,) = _node_props(store, name)
    assert "reading" not in props and "schema" in props
    back = store.read(name)
    assert back.reading is None and back.table.equals(rel.table)
    more = agentgraph.read(FIXTURES / "chain5.csv")
    store.append(name, more)
    assert store.read(name).reading == more.reading
