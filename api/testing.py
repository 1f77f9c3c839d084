"""Test support for the API: a pytest plugin with fixtures and small input files.

Use from a test module with ``pytest_plugins = ("agentgraph.api.testing",)``. Everything runs
in process over the ASGI app (FastAPI's TestClient, lifespan included) against a
real DuckDB file in ``tmp_path``. Input files are written by the helpers below,
each with a known answer worked out by construction.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: httpx vs httpx2 deprecation notice
    from fastapi.testclient import TestClient

from agentgraph.api.app import create_app
from agentgraph.api.settings import Settings

__all__ = [
    "ADMIN_KEY",
    "Harness",
    "boundary_rows",
    "write_csv",
    "write_inputs",
    "api",
    "api_settings",
    "api_factory",
    "inputs",
]

ADMIN_KEY = "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"
"""The bootstrap admin key of test apps (long, random-looking: not a placeholder)."""

Headers = dict[str, str]


def boundary_rows(members: int = 30, prefix: str = "") -> list[tuple[str, str | None]]:
    """A 3-level network: root ``001``, five agents ``002``-``006`` on level 2, the
    rest on level 3 below them in turn. ``members=30`` meets cn.threshold exactly.
    """
    ids = [f"{prefix}{k:03d}" for k in range(1, members + 1)]
    rows: list[tuple[str, str | None]] = [(ids[0], None)]
    rows += [(ids[k], ids[0]) for k in range(1, min(6, members))]
    rows += [(ids[k], ids[1 + (k - 6) % 5]) for k in range(6, members)]
    return rows


def write_csv(
    path: Path,
    rows: list[tuple[Any, ...]],
    header: str = "agent_id,upline_id",
    encoding: str = "utf-8",
) -> Path:
    lines = [header] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_inputs(folder: Path) -> dict[str, Path]:
    """Small inputs with known answers (see each comment)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    # 001: 30 members, 3 levels, tiers [1, 5, 24] -> cn.threshold
    out["b30"] = write_csv(folder / "b30.csv", boundary_rows(30))
    # 001: 29 members, 3 levels -> not flagged
    out["b29"] = write_csv(folder / "b29.csv", boundary_rows(29))
    # GB18030, Chinese header: 王总 -> 张一, 张二; 张一 -> 𠮷祥 (4-byte char):
    # 4 members, 3 levels, tiers [1, 2, 1]
    out["gb"] = write_csv(
        folder / "gb.csv",
        [
            ("王总", None, "总代"),
            ("张一", "王总", "一级代理"),
            ("张二", "王总", "一级代理"),
            ("𠮷祥", "张一", "二级代理"),
        ],
        header="会员编号,推荐人,级别",
        encoding="gb18030",
    )
    # Parquet, member table: star S0 with 4 recruits (single tier, 5 members, 2 levels)
    pq.write_table(
        pa.table(
            {
                "agent_id": ["S0", "S1", "S2", "S3", "S4"],
                "upline_id": [None, "S0", "S0", "S0", "S0"],
            }
        ),
        folder / "star.parquet",
    )
    out["star"] = folder / "star.parquet"
    # JSON Lines, member table: chain M1 -> M2 -> M3 (3 levels), extra column city
    out["jsonl"] = folder / "chain.jsonl"
    out["jsonl"].write_text(
        '{"agent_id": "M1", "upline_id": null, "city": "深圳"}\n'
        '{"agent_id": "M2", "upline_id": "M1", "city": "广州"}\n'
        '{"agent_id": "M3", "upline_id": "M2", "city": "东莞"}\n',
        encoding="utf-8",
    )
    # edge list: P1 -> P2 -> P3, plus a supply edge P1 -> P9 (not a recruitment)
    out["edges"] = write_csv(
        folder / "edges.csv",
        [("P1", "P2", "recruited"), ("P2", "P3", ""), ("P1", "P9", "supplies")],
        header="upline_id,downline_id,kind",
    )
    # broken inputs
    out["bad_utf8"] = folder / "bad_utf8.csv"
    out["bad_utf8"].write_bytes(b"agent_id,upline_id,rank\nA,,x\nB,A,y\nC,A,\xc3\x28\xff\xfe\n")
    out["no_upline"] = write_csv(folder / "no_upline.csv", [("A", "x")], header="agent_id,rank")
    out["empty"] = folder / "empty.csv"
    out["empty"].write_bytes(b"")
    out["bad_date"] = write_csv(
        folder / "bad_date.csv",
        [("A", None, "2024-01-01"), ("B", "A", "yesterday")],
        header="agent_id,upline_id,joined_at",
    )
    return out


@dataclass
class Harness:
    """A running test app with its admin headers and helpers."""

    client: TestClient
    settings: Settings
    app: FastAPI
    admin: Headers = field(default_factory=lambda: {"Authorization": f"Bearer {ADMIN_KEY}"})

    def restart(self) -> None:
        """Stop the app (lifespan shutdown) and start a fresh one on the same files."""
        self.close()
        self.app = create_app(self.settings)
        self.client = TestClient(self.app)
        self.client.__enter__()

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    @staticmethod
    def error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
        """Assert ``r`` is an error in the one shape; return its ``error`` object."""
        assert r.status_code == status, (r.request.method, str(r.request.url), r.text)
        body = r.json()
        assert set(body) == {"error"}, body
        err = body["error"]
        assert set(err) == {"code", "message", "details"}, err
        assert isinstance(err["code"], str) and err["code"]
        assert isinstance(err["message"], str) and err["message"]
        assert isinstance(err["details"], list)
        assert all(isinstance(d, dict) and "message" in d for d in err["details"])
        if code is not None:
            assert err["code"] == code, err
        return dict(err)

    def tenant(self, tenant_id: str) -> None:
        r = self.client.post("/v1/tenants", json={"id": tenant_id}, headers=self.admin)
        assert r.status_code in (201, 409), r.text

    def key(self, tenant: str | None, role: str) -> Headers:
        if tenant is not None:
            self.tenant(tenant)
        body = {"role": role} if tenant is None else {"tenant": tenant, "role": role}
        r = self.client.post("/v1/keys", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['key']}"}

    def dataset(
        self, headers: Headers, name: str, path: Path | None = None, kind: str = "members"
    ) -> dict[str, Any]:
        r = self.client.post("/v1/datasets", json={"name": name, "kind": kind}, headers=headers)
        assert r.status_code == 201, r.text
        if path is None:
            return dict(r.json())
        with path.open("rb") as fh:
            r = self.client.post(
                f"/v1/datasets/{name}/files", files={"file": (path.name, fh)}, headers=headers
            )
        assert r.status_code == 200, r.text
        return dict(r.json()["dataset"])

    def scan(self, headers: Headers, name: str, timeout: float = 60.0) -> dict[str, Any]:
        r = self.client.post(f"/v1/datasets/{name}/scans", headers=headers)
        assert r.status_code == 202, r.text
        return self.wait_scan(headers, r.json()["id"], timeout)

    def wait_scan(self, headers: Headers, scan_id: str, timeout: float = 60.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while True:
            got = self.client.get(f"/v1/scans/{scan_id}", headers=headers).json()
            if got["state"] in ("succeeded", "failed") or time.monotonic() > end:
                return dict(got)
            time.sleep(0.02)


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Settings of a test app: a DuckDB file in tmp_path, small limits."""
    return Settings(
        store=str(tmp_path / "store.duckdb"),
        admin_key=SecretStr(ADMIN_KEY),
        max_upload_bytes=1 << 20,
        max_body_bytes=1 << 20,
        max_batch_rows=1000,
        page_size_default=10,
        page_size_max=50,
        request_timeout=30,
        upload_dir=str(tmp_path),
    )


@pytest.fixture
def api(api_settings: Settings) -> Iterator[Harness]:
    """A running app (lifespan included) and its helpers."""
    app = create_app(api_settings)
    client = TestClient(app)
    client.__enter__()
    harness = Harness(client, api_settings, app)
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture
def api_factory(api_settings: Settings) -> Iterator[Callable[..., Harness]]:
    """Start extra apps with changed settings: ``api_factory(audit_reads=True)``
    (each on its own files in tmp_path).
    """
    made: list[Harness] = []

    def make(**changes: Any) -> Harness:
        folder = Path(str(api_settings.upload_dir)) / f"app{len(made)}"
        folder.mkdir()
        settings = api_settings.model_copy(
            update={"store": str(folder / "store.duckdb"), **changes}
        )
        app = create_app(settings)
        client = TestClient(app)
        client.__enter__()
        made.append(Harness(client, settings, app))
        return made[-1]

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Small input files with known answers (see :func:`write_inputs`)."""
    return write_inputs(tmp_path / "inputs")
