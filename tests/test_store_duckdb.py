"""The embedded store on a real DuckDB file: datasets, transactions, isolation."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import agentgraph
from agentgraph.errors import DatasetExists, DatasetNotFound, StoreError
from agentgraph.stores import DuckDBStore, open_store
from agentgraph.tables import Relations

from .conftest import FIXTURES


def test_round_trip_keeps_rows_types_and_extra_columns(tmp_path: Path) -> None:
    rel = agentgraph.read(FIXTURES / "mixed.jsonl")
    with open_store(str(tmp_path / "s.duckdb")) as st:
        info = st.load("mixed", rel)
        assert (info.kind, info.rows) == ("members", rel.rows)
        back = st.read("mixed")
    assert back.table.to_pylist() == rel.table.to_pylist()
    assert back.table.column_names == rel.table.column_names


def test_reports_from_store_and_file_are_identical(tmp_path: Path) -> None:
    for name in ["gb18030_members.csv", "ladder_edges.csv", "cycle.csv"]:
        rel = agentgraph.read(FIXTURES / name)
        with open_store(f"duckdb://{tmp_path / 'r.duckdb'}") as st:
            st.load(name, rel)
            stored = st.read(name)
        fixed = {"generated_at": "2026-01-01T00:00:00Z", "source_name": name}
        assert agentgraph.analyse(stored).report(**fixed) == agentgraph.analyse(rel).report(**fixed)


def test_failed_load_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    good = agentgraph.read(FIXTURES / "chain5.csv")
    with DuckDBStore(path) as st:
        st.load("d", good)
        star = agentgraph.read(FIXTURES / "star.csv")

        def cancel(done: int, total: int) -> None:  # fails after the rows are in
            raise RuntimeError("cancelled")

        with pytest.raises(RuntimeError):
            st.load("d", star, replace=True, progress=cancel)
        with pytest.raises(RuntimeError):
            st.load("e", star, progress=cancel)
        assert [d.name for d in st.datasets()] == ["d"]
        assert st.read("d").table.to_pylist() == good.table.to_pylist()
        tables = st._sql("SELECT count(*) FROM duckdb_tables()")[0][0]
        assert tables == 2  # the catalog and one dataset: no orphan half-loaded table
    with DuckDBStore(path) as st:  # and it is all still there after reopening the file
        assert st.info("d").rows == 5


def test_exists_replace_delete_and_missing(tmp_path: Path) -> None:
    with DuckDBStore(tmp_path / "s.duckdb") as st:
        st.load("d", agentgraph.read(FIXTURES / "chain5.csv"))
        with pytest.raises(DatasetExists):
            st.load("d", agentgraph.read(FIXTURES / "star.csv"))
        st.load("d", agentgraph.read(FIXTURES / "star.csv"), replace=True)
        assert st.info("d").rows == 201
        st.delete("d")
        with pytest.raises(DatasetNotFound):
            st.read("d")
        with pytest.raises(DatasetNotFound):
            st.delete("d")
        with pytest.raises(StoreError):
            st.load("a/b", agentgraph.read(FIXTURES / "chain5.csv"))


def test_append_is_checked_and_atomic(tmp_path: Path) -> None:
    with DuckDBStore(tmp_path / "s.duckdb") as st:
        st.load("d", agentgraph.read(FIXTURES / "chain5.csv"))
        st.append("d", Relations("members", pa.table({"agent_id": ["C6"], "upline_id": ["C5"]})))
        assert agentgraph.analyse(st.read("d")).networks.levels.tolist() == [6]
        with pytest.raises(StoreError):
            st.append("d", agentgraph.read(FIXTURES / "ladder_edges.csv"))
        assert st.info("d").rows == 6


def test_second_process_gets_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "owned.duckdb"
    with DuckDBStore(path):
        code = f"from agentgraph.stores import DuckDBStore\nDuckDBStore({str(path)!r})\n"
        res = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
    assert res.returncode != 0
    assert "cannot open store" in res.stderr


def test_unknown_url_scheme() -> None:
    with pytest.raises(StoreError):
        open_store("mysql://x")


def test_a_table_duckdb_refuses_is_a_store_error_and_changes_nothing(tmp_path: Path) -> None:
    union = pa.UnionArray.from_dense(
        pa.array([0], pa.int8()), pa.array([0], pa.int32()), [pa.array([1])]
    )
    table = pa.table({"agent_id": ["a"], "upline_id": pa.array([None], pa.string()), "u": union})
    with DuckDBStore(tmp_path / "s.duckdb") as st:
        st.load("chain", agentgraph.read(FIXTURES / "chain5.csv"))
        with pytest.raises(StoreError, match="cannot load 'odd'"):
            st.load("odd", Relations("members", table, "odd"))
        assert [d.name for d in st.datasets()] == ["chain"]
        st.load("after", agentgraph.read(FIXTURES / "star.csv"))  # the store still works
        assert [d.name for d in st.datasets()] == ["after", "chain"]


def _big(n: int, start: int = 0) -> Relations:
    ids = [f"A{k:08d}" for k in range(start, start + n)]
    ups = [None] + [f"A{k // 2:08d}" for k in range(start + 1, start + n)]
    return Relations("members", pa.table({"agent_id": ids, "upline_id": ups}), "big.csv")


def test_large_load_reads_back_in_load_order(tmp_path: Path) -> None:
    """DuckDB writes a large load out of order; the read puts every row back."""
    import duckdb

    from agentgraph.stores.duckdb_store import ROW_COLUMN

    rel = _big(1_500_000)
    path = tmp_path / "s.duckdb"
    with DuckDBStore(path, threads=2) as st:
        st.load("big", rel)
        tbl = st._row("big")[0]  # type: ignore[index]
    con = duckdb.connect(str(path))
    rows = con.sql(f'SELECT "{ROW_COLUMN}" FROM "{tbl}"').to_arrow_table().column(0)
    con.close()
    assert sorted(rows.to_pylist()) == list(range(rel.rows))
    with DuckDBStore(path) as st:
        back = st.read("big")
        assert back.table.equals(rel.table)
        assert st.info("big").columns == ["agent_id", "upline_id"]
        st.append("big", _big(3, start=rel.rows))
        tail = st.read("big").table.column("agent_id")[-4:].to_pylist()
    assert tail == [f"A{k:08d}" for k in range(rel.rows - 1, rel.rows + 3)]


def test_appends_number_on_from_the_catalog_count(tmp_path: Path) -> None:
    """Appends go on numbering from the dataset's row count: 0 .. rows-1, no gap."""
    import duckdb

    from agentgraph.stores.duckdb_store import ROW_COLUMN

    path = tmp_path / "s.duckdb"
    with DuckDBStore(path) as st:
        st.load("d", _big(10))
        for start, n in ((10, 3), (13, 1), (14, 5)):
            st.append("d", _big(n, start=start))
        tbl = st._row("d")[0]  # type: ignore[index]
        got = st.read("d").table.column("agent_id").to_pylist()
        assert st.info("d").rows == 19
    con = duckdb.connect(str(path))
    rows = con.sql(f'SELECT "{ROW_COLUMN}" FROM "{tbl}"').to_arrow_table().column(0)
    con.close()
    assert sorted(rows.to_pylist()) == list(range(19))
    assert got == [f"A{k:08d}" for k in range(19)]


def test_a_dataset_stored_without_row_numbers_reads_and_appends_in_order(tmp_path: Path) -> None:
    """Files written before the row column: rows kept in DuckDB's insertion order."""
    from agentgraph.stores.duckdb_store import ROW_COLUMN

    path = tmp_path / "old.duckdb"
    rel = _big(1000)
    with DuckDBStore(path) as st:
        st.load("old", rel)
        tbl = st._row("old")[0]  # type: ignore[index]
        st._sql(f'ALTER TABLE "{tbl}" DROP COLUMN "{ROW_COLUMN}"')
        assert st.read("old").table.equals(rel.table)
        st.append("old", _big(2, start=1000))
        got = st.read("old").table
    assert got.num_rows == 1002 and ROW_COLUMN not in got.column_names
    assert got.column("agent_id")[-2:].to_pylist() == ["A00001000", "A00001001"]


@pytest.mark.parametrize("seed", range(20))
def test_in_load_order_any_permutation(seed: int) -> None:
    import numpy as np

    from agentgraph.stores.duckdb_store import ROW_COLUMN, in_load_order

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    if seed % 2:  # runs of consecutive rows, as DuckDB writes them
        cuts = np.sort(
            rng.choice(np.arange(1, max(n, 2)), size=min(3, max(n - 1, 0)), replace=False)
        )
        runs = np.split(np.arange(n), cuts)
        order = np.concatenate([runs[k] for k in rng.permutation(len(runs))]) if n else runs[0]
    else:
        order = rng.permutation(n)
    t = pa.table({"v": pa.array(order * 10), ROW_COLUMN: pa.array(order, pa.int64())})
    assert in_load_order(t).column("v").to_pylist() == [k * 10 for k in range(n)]
