"""The appraisal over the API: POST /v1/datasets/{dataset}/appraisals answers the
library's document for the dataset and its stored evidence, as JSON, xlsx or HTML;
analyst only, tenant-bound, audited, bad bodies refused with the field named."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
from python_calamine import CalamineWorkbook

import agentgraph
from agentgraph.appraisal import appraisal_schema

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "appraisal"
MEMBERS = FIX / "members.csv"
PAYMENTS = FIX / "evidence" / "payments.csv"
SUSPECTS = FIX / "suspects.csv"
Headers = dict[str, str]


def _suspects() -> list[dict[str, Any]]:
    with SUSPECTS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [{"agent_id": r["会员编号"], "name": r["姓名"], "role": r["角色"] or None} for r in rows]


def _ready(api: Harness, name: str = "case") -> Headers:
    h = api.key("acme", "analyst")
    api.dataset(h, name, MEMBERS)
    with PAYMENTS.open("rb") as fh:
        r = api.client.post(
            f"/v1/datasets/{name}/evidence/payments",
            files={"file": (PAYMENTS.name, fh)},
            headers=h,
        )
    assert r.status_code == 200, r.text
    return h


def _post(api: Harness, h: Headers, body: dict[str, Any], name: str = "case") -> Any:
    return api.client.post(f"/v1/datasets/{name}/appraisals", json=body, headers=h)


def _same(doc: dict[str, Any]) -> dict[str, Any]:
    """What must equal the library's document (times and input records differ)."""
    keep = ("schema", "schema_revision", "policy", "summary", "suspects", "not_found")
    return {k: doc[k] for k in (*keep, "relations", "same_person", "watch")}


def test_json_is_the_library_document(api: Harness) -> None:
    h = _ready(api)
    r = _post(api, h, {"suspects": _suspects()})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    doc = r.json()
    jsonschema.validate(doc, appraisal_schema())
    lib = agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS).to_dict()
    assert _same(doc) != _same(lib)  # the dataset is named, not a path
    text = json.dumps(_same(lib), ensure_ascii=False).replace(str(MEMBERS), "case")
    assert _same(doc) == json.loads(text)
    assert doc["source"] == "case"
    assert "duckdb" not in r.text  # the store's URL is not told
    b = next(s for s in doc["suspects"] if s["agent_id"] == "B")
    assert (b["downline"]["members"], b["downline"]["levels"]) == (30, 3)
    assert b["funds"]["total"]["total"] == 9800.0 and b["name"] == "乙"
    assert doc["not_found"] == ["X9"]
    roles = {i["role"]: i for i in doc["record"]["inputs"]}
    assert roles["members"]["path"] == "dataset case" and roles["members"]["sha256"] is None
    assert (
        roles["payments"]["rows"]
        == agentgraph.appraise(MEMBERS, SUSPECTS, payments=PAYMENTS).to_dict()["record"]["inputs"][
            2
        ]["rows"]
    )
    assert roles["suspects"]["rows"] == 6
    # audited before the answer
    rows, _ = api.app.state.service.meta.audit_log(
        tenant="acme", key_id=None, action="appraisal.create", dataset="case", limit=5, offset=0
    )
    assert [(x.action, x.detail["suspects"], x.detail["format"]) for x in rows] == [
        ("appraisal.create", 6, "json")
    ]


def test_xlsx_and_html(api: Harness, tmp_path: Path) -> None:
    h = _ready(api)
    r = _post(api, h, {"suspects": _suspects(), "format": "xlsx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="case-appraisal.xlsx"' in r.headers["content-disposition"]
    path = tmp_path / "a.xlsx"
    path.write_bytes(r.content)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[5:] == ["01 A", "02 B", "03 C", "04 B1", "06 R"]
    doc = _post(api, h, {"suspects": _suspects()}).json()
    b = next(s for s in doc["suspects"] if s["agent_id"] == "B")
    assert len(book.get_sheet_by_name("02 B").to_python()[4:]) == b["downline"]["members"]
    page = _post(api, h, {"suspects": [{"agent_id": "B"}], "format": "html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>") and "<script" not in page.text


def test_policy_and_ids_as_strings(api: Harness) -> None:
    h = _ready(api)
    doc = _post(api, h, {"suspects": [{"agent_id": "B"}, {"agent_id": "b"}]}).json()
    assert doc["not_found"] == ["b"]  # ids as written, case kept
    us = _post(api, h, {"suspects": [{"agent_id": "B"}], "policy": "us-ftc"}).json()
    assert us["policy"]["name"] == "us-ftc" != doc["policy"]["name"]


def test_roles_tenants_and_bad_bodies(api: Harness) -> None:
    h = _ready(api)
    body = {"suspects": [{"agent_id": "B"}]}
    auditor = api.key("acme", "auditor")
    api.error(_post(api, auditor, body), 403)
    other = api.key("globex", "analyst")
    api.error(_post(api, other, body), 404, "not_found")
    api.error(_post(api, h, body, name="nope"), 404, "not_found")
    err = api.error(_post(api, h, {"suspects": []}), 422, "validation_error")
    assert err["details"][0]["field"] == "suspects"
    err = api.error(_post(api, h, {"suspects": [{"agent_id": "B"}], "format": "pdf"}), 422)
    assert err["details"][0]["field"] == "format"
    err = api.error(_post(api, h, {"suspects": [{"agent_id": ""}]}), 422)
    assert err["details"][0]["field"].startswith("suspects")
    api.error(_post(api, h, {"suspects": [{"agent_id": "B", "extra": 1}]}), 422)
    r = api.client.post("/v1/datasets/case/appraisals", json=body)
    api.error(r, 401)
