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
    "settings_in",
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
    """A 3-level network: root ``001``, five agents on level 2, the rest on level 3.

    The level-3 agents hang below ``002``-``006`` in turn. ``members=30`` meets
    cn.threshold exactly (30 members over 3 levels); 29 does not.

    Parameters
    ----------
    members : int
        Members, the root included.
    prefix : str
        Put before every id (``prefix + "001"``, ...).

    Returns
    -------
    list of (str, str or None)
        ``(agent_id, upline_id)`` rows, the root first (upline None).

    Notes
    -----
    O(members).

    Examples
    --------
    >>> from agentgraph.api.testing import boundary_rows
    >>> rows = boundary_rows(8)
    >>> rows[:2], rows[6:]
    ([('001', None), ('002', '001')], [('007', '002'), ('008', '003')])
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
    r"""Write rows as a small CSV file (None as an empty field).

    Parameters
    ----------
    path : pathlib.Path
        The file to write.
    rows : list of tuple
        The data rows.
    header : str
        The header line.
    encoding : str
        The file's encoding (``gb18030`` for the Chinese fixtures).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    O(total size of rows).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import write_csv
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     text = write_csv(Path(tmp) / "m.csv", [("A", None), ("B", "A")]).read_text()
    >>> text
    'agent_id,upline_id\nA,\nB,A\n'
    """
    lines = [header] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_inputs(folder: Path) -> dict[str, Path]:
    """Small inputs with known answers (see each comment in the source).

    Parameters
    ----------
    folder : pathlib.Path
        Where to write them (made if missing).

    Returns
    -------
    dict
        Name -> file: ``b30`` (30 members, 3 levels: cn.threshold), ``b29`` (29: not
        flagged), ``gb`` (GB18030, Chinese header, 4 members, 3 levels), ``star``
        (Parquet, 5 members, 2 levels), ``jsonl`` (chain of 3), ``edges`` (an edge
        list with a supply edge), and broken ones: ``bad_utf8``, ``no_upline``,
        ``empty``, ``bad_date``.

    Notes
    -----
    O(1): a few small files.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import write_inputs
    >>> from agentgraph.loaders import read_relations
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_inputs(Path(tmp))
    ...     b30 = read_relations(files["b30"])
    >>> sorted(files)[:4], b30.kind, b30.table.num_rows
    (['b29', 'b30', 'bad_date', 'bad_utf8'], 'members', 30)
    """
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
    """A running test app with its admin headers and helpers.

    Attributes
    ----------
    client : TestClient
        The client, its lifespan entered.
    settings : Settings
        The app's settings.
    app : FastAPI
        The app.
    admin : dict
        Headers of the bootstrap admin key (:data:`ADMIN_KEY`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import Harness, settings_in, write_inputs
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     harness = Harness.start(settings_in(Path(tmp)))
    ...     analyst = harness.key("acme", "analyst")
    ...     dataset = harness.dataset(analyst, "b30", write_inputs(Path(tmp) / "in")["b30"])
    ...     scan = harness.scan(analyst, "b30")
    ...     missing = harness.client.get("/v1/datasets/nope", headers=analyst)
    ...     harness.close()
    >>> dataset["name"], dataset["rows"], scan["state"], scan["summary"]["flagged"]
    ('b30', 30, 'succeeded', 1)
    >>> Harness.error(missing, 404, "not_found")["message"]
    "no dataset 'nope'"
    """

    client: TestClient
    settings: Settings
    app: FastAPI
    admin: Headers = field(default_factory=lambda: {"Authorization": f"Bearer {ADMIN_KEY}"})

    @classmethod
    def start(cls, settings: Settings) -> Harness:
        """Start an app on ``settings`` (lifespan included)."""
        app = create_app(settings)
        client = TestClient(app)
        client.__enter__()
        return cls(client, settings, app)

    def restart(self) -> None:
        """Stop the app (lifespan shutdown) and start a fresh one on the same files."""
        self.close()
        self.app = create_app(self.settings)
        self.client = TestClient(self.app)
        self.client.__enter__()

    def close(self) -> None:
        """Stop the app (lifespan shutdown)."""
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
        """Create a tenant (no matter if it exists)."""
        r = self.client.post("/v1/tenants", json={"id": tenant_id}, headers=self.admin)
        assert r.status_code in (201, 409), r.text

    def key(self, tenant: str | None, role: str) -> Headers:
        """Headers of a new key of ``role`` (for ``tenant``, created if needed)."""
        if tenant is not None:
            self.tenant(tenant)
        body = {"role": role} if tenant is None else {"tenant": tenant, "role": role}
        r = self.client.post("/v1/keys", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['key']}"}

    def dataset(
        self, headers: Headers, name: str, path: Path | None = None, kind: str = "members"
    ) -> dict[str, Any]:
        """Create a dataset, load ``path`` into it if given; its JSON."""
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
        """Start a scan and wait for it to end; the scan's JSON."""
        r = self.client.post(f"/v1/datasets/{name}/scans", headers=headers)
        assert r.status_code == 202, r.text
        return self.wait_scan(headers, r.json()["id"], timeout)

    def wait_scan(self, headers: Headers, scan_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll a scan until it ends (or ``timeout`` seconds pass); the scan's JSON."""
        end = time.monotonic() + timeout
        while True:
            got = self.client.get(f"/v1/scans/{scan_id}", headers=headers).json()
            if got["state"] in ("succeeded", "failed") or time.monotonic() > end:
                return dict(got)
            time.sleep(0.02)


def settings_in(folder: Path) -> Settings:
    """Settings of a test app: a DuckDB file in ``folder``, small limits.

    Parameters
    ----------
    folder : pathlib.Path
        Where the store, the metadata and the upload temp files go.

    Returns
    -------
    Settings
        Admin key :data:`ADMIN_KEY`; 1 MiB bodies, 1000-row batches, pages of 10
        (at most 50).

    Notes
    -----
    O(1); nothing is opened.

    Examples
    --------
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import settings_in
    >>> s = settings_in(Path("/tmp/t"))
    >>> s.store, s.page_size_default, s.page_size_max, s.max_body_bytes
    ('/tmp/t/store.duckdb', 10, 50, 1048576)
    """
    return Settings(
        store=str(folder / "store.duckdb"),
        admin_key=SecretStr(ADMIN_KEY),
        max_upload_bytes=1 << 20,
        max_body_bytes=1 << 20,
        max_batch_rows=1000,
        page_size_default=10,
        page_size_max=50,
        request_timeout=30,
        upload_dir=str(folder),
    )


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Settings of a test app: a DuckDB file in tmp_path, small limits.

    Parameters
    ----------
    tmp_path : pathlib.Path
        pytest's temporary folder of the test.

    Returns
    -------
    Settings
        :func:`settings_in` of ``tmp_path``.

    Notes
    -----
    O(1).

    Examples
    --------
    A test asks for it by name; it is :func:`settings_in` of the test's folder:

    >>> from pathlib import Path
    >>> from agentgraph.api.testing import settings_in
    >>> settings_in(Path("/tmp/t")).admin_key.get_secret_value() == ADMIN_KEY
    True
    """
    return settings_in(tmp_path)


@pytest.fixture
def api(api_settings: Settings) -> Iterator[Harness]:
    """A running app (lifespan included) and its helpers.

    Parameters
    ----------
    api_settings : Settings
        The app's settings (the fixture).

    Yields
    ------
    Harness
        The running app, stopped after the test.

    Notes
    -----
    Starting an app opens its DuckDB files: tens of milliseconds.

    Examples
    --------
    A test asks for it by name; it is :meth:`Harness.start` of ``api_settings``:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import Harness, settings_in
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     api = Harness.start(settings_in(Path(tmp)))
    ...     me = api.client.get("/v1/me", headers=api.admin).json()
    ...     api.close()
    >>> me["role"]
    'admin'
    """
    harness = Harness.start(api_settings)
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture
def api_factory(api_settings: Settings) -> Iterator[Callable[..., Harness]]:
    """Start extra apps with changed settings: ``api_factory(audit_reads=True)``.

    Each app gets its own files in a folder of tmp_path.

    Parameters
    ----------
    api_settings : Settings
        The settings changed (the fixture).

    Yields
    ------
    callable
        ``make(**changes) -> Harness``; every app made is stopped after the test.

    Notes
    -----
    Each app costs what :func:`api` costs.

    Examples
    --------
    A test asks for it by name; each call is :meth:`Harness.start` of changed settings:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import Harness, settings_in
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     changed = settings_in(Path(tmp)).model_copy(update={"page_size_max": 5})
    ...     app = Harness.start(changed)
    ...     r = app.client.get("/v1/tenants?limit=6", headers=app.admin)
    ...     app.close()
    >>> r.status_code, r.json()["error"]["message"]
    (422, 'limit must be <= 5')
    """
    made: list[Harness] = []

    def make(**changes: Any) -> Harness:
        folder = Path(str(api_settings.upload_dir)) / f"app{len(made)}"
        folder.mkdir()
        settings = api_settings.model_copy(
            update={"store": str(folder / "store.duckdb"), **changes}
        )
        made.append(Harness.start(settings))
        return made[-1]

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Small input files with known answers (see :func:`write_inputs`).

    Parameters
    ----------
    tmp_path : pathlib.Path
        pytest's temporary folder of the test.

    Returns
    -------
    dict
        Name -> file, written to ``tmp_path / "inputs"``.

    Notes
    -----
    O(1): a few small files.

    Examples
    --------
    A test asks for it by name; it is :func:`write_inputs` of a folder:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from agentgraph.api.testing import write_inputs
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     names = sorted(write_inputs(Path(tmp) / "inputs"))
    >>> len(names), names[-1]
    (10, 'star')
    """
    return write_inputs(tmp_path / "inputs")
