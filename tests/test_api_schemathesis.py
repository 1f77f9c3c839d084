"""Schemathesis against the OpenAPI schema: generated requests for every operation,
sent with a key of the operation's role, must never meet a server error and must
answer as the schema says (status codes, content types, response bodies)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from agentgraph.api import Settings, create_app
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.python.asgi import shutdown_lifespans

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ADMIN = "sch-Hk3Vn8Qz2Wm6Tp4Xr9Lc7Bd"
HEADERS: dict[str, dict[str, str]] = {"admin": {"Authorization": f"Bearer {ADMIN}"}}

_FOLDER = Path(tempfile.mkdtemp(prefix="agentgraph-schemathesis-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)  # also when only collected
# default body limits: a 413 for a big generated body would read as "accepted"
app = create_app(
    Settings(
        store=str(_FOLDER / "store.duckdb"),
        admin_key=ADMIN,
        page_size_max=50,
        request_timeout=20,
        upload_dir=str(_FOLDER),
    )
)
# The workbench's session routes sign a browser in by cookie, which the schema's bearer
# auth cannot give: tests/test_api_workbench.py covers them.
schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex="^/ui/")


def _seed() -> None:
    """A tenant, an analyst key and a small dataset named like the schema's examples.
    Run at import: schemathesis builds its coverage cases, credentials included, when
    the tests are collected."""
    with TestClient(app) as c:  # lifespan: (re)opens the service
        admin = HEADERS["admin"]
        c.post("/v1/tenants", json={"id": "acme"}, headers=admin)
        key = c.post("/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=admin).json()[
            "key"
        ]
        HEADERS["analyst"] = {"Authorization": f"Bearer {key}"}
        c.post("/v1/datasets", json={"name": "ladder"}, headers=HEADERS["analyst"])
        rows = [{"agent_id": "001"}] + [
            {"agent_id": f"{k:03d}", "upline_id": "001"} for k in range(2, 7)
        ]
        c.post("/v1/datasets/ladder/agents", json={"agents": rows}, headers=HEADERS["analyst"])


_seed()


@pytest.fixture(scope="module", autouse=True)
def _teardown() -> Iterator[None]:
    yield
    shutdown_lifespans()  # now, not at interpreter exit (DuckDB objects freed in time)
    service = app.state.service
    service.close()
    vars(service).clear()  # drop the closed DuckDB handles now, not at interpreter exit
    shutil.rmtree(_FOLDER, ignore_errors=True)


def _admin_route(path: str) -> bool:
    return path.startswith(("/v1/tenants", "/v1/keys", "/v1/audit"))


@schema.auth(refresh_interval=None)  # per operation: no cached token
class _Keys:
    """A key of the operation's role. Given as schemathesis auth (not as extra headers)
    so that its negative cases, which drop or spoil the credentials, stay negative."""

    def get(self, case: Any, context: Any) -> str:
        return HEADERS["admin" if _admin_route(case.path) else "analyst"]["Authorization"]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any) -> None:
    # positive_data_acceptance is left out: schema-valid bytes can still be a broken
    # CSV, an unknown upline or a column the dataset lacks, which answer 422 by design.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    if case.meta is not None and not case.meta.generation.mode.is_negative:
        # the key of the operation's role was sent and accepted: nothing was
        # tested vacuously behind a 401/403
        assert response.status_code not in (401, 403), (case.method, case.path)
