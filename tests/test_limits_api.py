"""Read limits over the API (issue 12, finding 3): an upload over a limit answers 413
(rows, field bytes, decompressed bytes) or 422 (columns, id length) in the one error
shape, before the memory is spent, and the dataset is unchanged."""

from __future__ import annotations

import gzip
import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from agentgraph.api.settings import Settings
from agentgraph.loaders.limits import ReadLimits

if TYPE_CHECKING:
    from collections.abc import Callable

    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)


def _post(api: Harness, h: dict[str, str], name: str, fname: str, data: bytes) -> Any:
    return api.client.post(f"/v1/datasets/{name}/files", files=[("file", (fname, data))], headers=h)


def _rows(api: Harness, h: dict[str, str], name: str) -> int:
    return int(api.client.get(f"/v1/datasets/{name}", headers=h).json()["rows"])


def test_settings_defaults_and_read_limits() -> None:
    s = Settings(store="x.duckdb")
    assert s.read_limits() == ReadLimits(
        max_rows=20_000_000,
        max_columns=2000,
        max_id_chars=256,
        max_field_bytes=1 << 20,
        max_nesting=64,
        max_decompressed_bytes=4 << 30,
    )
    assert Settings(store="x.duckdb", max_rows=7).read_limits().max_rows == 7


def test_parquet_bomb_is_422_and_nothing_stored(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "m")
    ok = _post(api, h, "m", "m.csv", b"agent_id,upline_id\nA,\nB,A\n")
    assert ok.status_code == 200, ok.text
    ids = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(1_000_000, np.int32)), pa.array(["a" * 1000])
    )
    buf = io.BytesIO()
    pq.write_table(pa.table({"agent_id": ids, "upline_id": ids}), buf, store_schema=False)
    assert len(buf.getvalue()) < 300_000
    err = api.error(_post(api, h, "m", "bomb.parquet", buf.getvalue()), 422, "limit_exceeded")
    d = err["details"][0]
    assert (d["file"], d["column"], d["limit"], d["value"]) == (
        "bomb.parquet",
        "agent_id",
        "max_id_chars",
        256,
    )
    assert "AGENTGRAPH_MAX_ID_CHARS" in err["message"] and "--limit" not in err["message"]
    assert _rows(api, h, "m") == 2


def test_wide_csv_is_422(api_factory: Callable[..., Harness]) -> None:
    api = api_factory(max_upload_bytes=64 << 20)
    h = api.key("acme", "analyst")
    api.dataset(h, "w")
    n = 1_000_000
    body = (",".join(f"c{k}" for k in range(n)) + "\n" + ",".join(["1"] * n) + "\n").encode()
    err = api.error(_post(api, h, "w", "wide.csv", body), 422, "limit_exceeded")
    assert err["details"][0]["limit"] == "max_columns" and err["details"][0]["row"] == 0


def test_size_limits_are_413(api_factory: Callable[..., Harness]) -> None:
    api = api_factory(max_rows=3, max_decompressed_bytes=1 << 20, max_upload_bytes=64 << 20)
    h = api.key("acme", "analyst")
    api.dataset(h, "s")
    rows = b"agent_id,upline_id\nA,\nB,A\nC,B\nD,C\n"
    err = api.error(_post(api, h, "s", "m.csv", rows), 413, "payload_too_large")
    assert err["details"][0]["limit"] == "max_rows" and err["details"][0]["row"] == 4
    assert "AGENTGRAPH_MAX_ROWS" in err["message"]
    bomb = gzip.compress(b"agent_id,upline_id\n" + b"A,B\n" * 2_500_000, 9)
    assert len(bomb) < 40_000
    err = api.error(_post(api, h, "s", "m.csv.gz", bomb), 413, "payload_too_large")
    assert err["details"][0]["limit"] == "max_decompressed_bytes"
    big = b"agent_id,upline_id,note\nA,,x\nB,A," + b"y" * (2 << 20) + b"\n"
    err = api.error(_post(api, h, "s", "big.csv", big), 413, "payload_too_large")
    assert (err["details"][0]["limit"], err["details"][0]["row"]) == ("max_field_bytes", 2)
    assert _rows(api, h, "s") == 0


def test_long_id_is_422(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "i")
    body = f"agent_id,upline_id\nA,\n{'x' * 300},A\n".encode()
    err = api.error(_post(api, h, "i", "m.csv", body), 422, "limit_exceeded")
    d = err["details"][0]
    assert (d["limit"], d["row"], d["column"]) == ("max_id_chars", 2, "agent_id")


def test_evidence_upload_limits(api_factory: Callable[..., Harness]) -> None:
    api = api_factory(max_rows=1)
    h = api.key("acme", "analyst")
    api.dataset(h, "e")
    body = b"payer_id,payee_id,amount\nB,A,10\nC,A,10\n"
    r = api.client.post(
        "/v1/datasets/e/evidence/payments", files=[("file", ("p.csv", body))], headers=h
    )
    err = api.error(r, 413, "payload_too_large")
    assert err["details"][0]["limit"] == "max_rows"
    long = f"payer_id,payee_id,amount\n{'P' * 300},A,10\n".encode()
    r = api.client.post(
        "/v1/datasets/e/evidence/payments", files=[("file", ("p.csv", long))], headers=h
    )
    assert api.error(r, 422, "limit_exceeded")["details"][0]["column"] == "payer_id"
