"""docs/api.md and the OpenAPI schema stay complete: every route and setting is
documented, every operation declares its errors and examples, and the curl
walkthrough runs as written against a real server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from agentgraph.api import Settings, create_app

from .live_api import running_api

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
ADMIN = "doc-Wn5Qz8Lk3Tm7Xb2Rv9Hc4Pd"


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(store=str(folder / "s.duckdb"), admin_key=ADMIN))
    schema = app.openapi()
    app.state.service.close()
    return schema


def test_every_route_is_documented(openapi: dict[str, Any]) -> None:
    for path, item in openapi["paths"].items():
        for method in item:
            assert f"`{method.upper()} {path}`" in DOC, f"{method.upper()} {path} not in docs"


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`AGENTGRAPH_{name.upper()}`" in DOC, f"setting {name} not in docs/api.md"


def test_every_operation_declares_errors_and_examples(openapi: dict[str, Any]) -> None:
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    schemas = openapi["components"]["schemas"]
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            assert op.get("summary") and op.get("tags"), where
            codes = set(op["responses"])
            assert codes & {"200", "201", "202", "204"}, where
            errors = {c for c in codes if c.startswith(("4", "5"))}
            assert errors or path == "/healthz", where
            for c in errors:
                assert op["responses"][c]["content"]["application/json"]["schema"] == error_ref, (
                    where,
                    c,
                )
            if path not in ("/healthz", "/readyz") and where != "POST /ui/session":
                # (the workbench's sign-in takes the key in its body)
                assert "401" in codes and op.get("security"), where
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ref = body["schema"].get("$ref") or ""
                name = ref.rsplit("/", 1)[-1]
                target = schemas.get(name, body["schema"])
                variants = [
                    schemas[v["$ref"].rsplit("/", 1)[-1]]
                    for v in target.get("oneOf", []) + target.get("anyOf", [])
                    if "$ref" in v
                ] or [target]
                assert all(v.get("examples") for v in variants), where
    assert schemas["ErrorResponse"]["properties"]["error"]


def _walkthrough() -> str:
    section = DOC.split("## Walkthrough", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_walkthrough_curl_paths_exist(openapi: dict[str, Any]) -> None:
    patterns = [
        re.compile("^" + re.sub(r"\\{\w+\\}", '[^/?"]+', re.escape(p)) + "$")
        for p in openapi["paths"]
    ]
    for url in re.findall(r"\$BASE(/[^\s\"']*)", _walkthrough()):
        path = url.split("?", 1)[0].replace("$SCAN", "scn_0123456789abcdef")
        assert any(p.match(path) for p in patterns), path


@pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("bash")), reason="needs curl and bash"
)
def test_walkthrough_runs_as_written(tmp_path: Path) -> None:
    env = {
        "AGENTGRAPH_ADMIN_KEY": ADMIN,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    with running_api(tmp_path, env, "--store", str(tmp_path / "agentgraph.duckdb")) as base:
        (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
        script = _walkthrough().replace("BASE=http://127.0.0.1:8000", f"BASE={base}")
        run = subprocess.run(
            ["bash", "-c", "set -eu\n" + script],
            cwd=tmp_path,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    out = run.stdout
    assert run.returncode == 0, run.stderr + out
    assert '"code":"guardrail_blocked"' in out
    assert '"newly_fired":[{"rule":"cn.threshold"' in out
    assert '"counts":{"agents":30,"networks":1,"flagged":1,"max_levels":3}' in out
    assert '"row":3' in out and '"file":"bad_utf8.csv"' in out
    report = json.loads((tmp_path / "ladder-report.json").read_text(encoding="utf-8"))
    assert report["schema"] == "agentgraph.report/1" and report["summary"]["agents"] == 29
    assert (
        (tmp_path / "ladder-report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    )
