"""Issue 12, finding 6: denied calls are audited (who, what, why), rate-limited per key
or client address, and the audit log can be exported (CSV formula-safe, JSON Lines)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from agentgraph.api.testing import Harness, boundary_rows, write_csv

pytest_plugins = ("agentgraph.api.testing",)


def rows(api: Harness, action: str) -> list[dict[str, Any]]:
    api.app.state.service.flush_audit()
    r = api.client.get("/v1/audit", params={"action": action, "limit": 50}, headers=api.admin)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_refusals_are_audited_with_who_what_why(api: Harness, tmp_path: Any) -> None:
    analyst = api.key("acme", "analyst")
    auditor = api.key("acme", "auditor")
    other = api.key("rival", "analyst")
    api.dataset(analyst, "b29", write_csv(tmp_path / "b29.csv", boundary_rows(29)))
    bad = {"Authorization": "Bearer agk_0123456789ab_not-a-real-secret"}
    assert api.client.get("/v1/datasets", headers=bad).status_code == 401
    assert api.client.get("/v1/datasets").status_code == 401
    r = api.client.post("/v1/datasets", json={"name": "x", "kind": "members"}, headers=auditor)
    assert r.status_code == 403
    assert api.client.get("/v1/datasets/b29", headers=other).status_code == 404
    assert api.client.get("/v1/tenants", headers=analyst).status_code == 403
    denied = rows(api, "denied")
    seen = {
        (d["key_id"], d["detail"]["method"], d["detail"]["route"], d["detail"]["code"])
        for d in denied
    }
    auditor_id = auditor["Authorization"].split("_")[1]
    other_id = other["Authorization"].split("_")[1]
    analyst_id = analyst["Authorization"].split("_")[1]
    assert ("unknown", "GET", "/v1/datasets", "unauthorized") in seen
    assert (auditor_id, "POST", "/v1/datasets", "forbidden") in seen
    assert (other_id, "GET", "/v1/datasets/{dataset}", "not_found") in seen
    assert (analyst_id, "GET", "/v1/tenants", "forbidden") in seen
    assert sum(1 for d in denied if d["key_id"] == "unknown") == 2
    mine = next(d for d in denied if d["key_id"] == other_id)
    assert mine["tenant"] == "rival" and mine["dataset"] == "b29" and mine["role"] == "analyst"

    body = {"upline_id": "002", "agent_id": "N30", "enforce": True}
    r = api.client.post("/v1/datasets/b29/recruitments", json=body, headers=analyst)
    assert api.error(r, 409, "guardrail_blocked")
    (refused,) = rows(api, "recruitment.refused")
    assert refused["key_id"] == analyst_id and refused["dataset"] == "b29"
    assert refused["detail"]["rules"] == ["cn.threshold"]
    assert refused["detail"]["agent_id"] == "N30" and refused["detail"]["upline_id"] == "002"


def test_denied_rows_are_rate_limited_then_summarised(
    api_factory: Callable[..., Harness],
) -> None:
    api = api_factory(audit_denied_per_minute=3)
    for _ in range(10):
        assert api.client.get("/v1/datasets").status_code == 401
    assert len(rows(api, "denied")) == 3
    api.restart()  # the minute's count is written when the service stops
    (summary,) = rows(api, "denied.suppressed")
    assert summary["detail"]["count"] == 7 and summary["detail"]["message"] == "7 more denied"
    assert summary["detail"]["bucket"] == "addr:testclient"


def test_audit_export_csv_and_jsonl(api: Harness) -> None:
    analyst = api.key("acme", "analyst")
    auditor = api.key("acme", "auditor")
    api.key("rival", "analyst")
    evil = '=HYPERLINK("http://x")'
    r = api.client.post("/v1/datasets", json={"name": "ladder", "kind": "members"}, headers=analyst)
    assert r.status_code == 201
    r = api.client.post(
        "/v1/datasets/ladder/agents", json={"agents": [{"agent_id": "A"}]}, headers=analyst
    )
    assert r.status_code == 200
    r = api.client.post(
        "/v1/datasets/ladder/recruitments",
        json={"upline_id": "A", "agent_id": evil},
        headers=analyst,
    )
    assert r.status_code == 201, r.text

    r = api.client.get("/v1/audit/export", params={"format": "csv"}, headers=api.admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [k for k in table[0]] == [
        "seq",
        "at",
        "key_id",
        "role",
        "tenant",
        "action",
        "dataset",
        "detail",
    ]
    actions = [t["action"] for t in table]
    assert actions[:2] == ["tenant.create", "key.create"] and "recruitment.apply" in actions
    assert {t["tenant"] for t in table} >= {"acme", "rival"}
    cells = [c for t in table for c in t.values()]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert [int(t["seq"]) for t in table] == sorted(int(t["seq"]) for t in table)

    r = api.client.get("/v1/audit/export", params={"format": "jsonl"}, headers=auditor)
    assert r.status_code == 200
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert lines and {x["tenant"] for x in lines} == {"acme"}
    (applied,) = [x for x in lines if x["action"] == "recruitment.apply"]
    assert applied["detail"]["agent_id"] == evil  # JSON keeps the value as it is

    after = lines[-1]["at"]
    r = api.client.get(
        "/v1/audit/export",
        params={"format": "jsonl", "since": after, "until": "2999-01-01T00:00:00Z"},
        headers=auditor,
    )
    got = [json.loads(line) for line in r.text.splitlines()]
    assert got and all(x["at"] >= after for x in got)
    r = api.client.get("/v1/audit/export", params={"until": "2000-01-01"}, headers=api.admin)
    assert r.content.decode("utf-8-sig").splitlines() == [
        "seq,at,key_id,role,tenant,action,dataset,detail"
    ]
    assert api.error(api.client.get("/v1/audit/export", headers=analyst), 403)
    r = api.client.get("/v1/audit/export", params={"tenant": "rival"}, headers=auditor)
    assert api.error(r, 403)


def test_many_addresses_cannot_flood_the_log() -> None:
    from agentgraph.api.denied import DeniedLimiter

    lim = DeniedLimiter(per_minute=1)
    written = [
        lim.admit(f"addr:10.0.{k // 256}.{k % 256}", "unknown", None, None, now=1.0)[0]
        for k in range(350)
    ]
    assert sum(written) == 100
    ended = lim.admit("addr:10.9.9.9", "unknown", None, None, now=61.0)[1]
    assert sum(s.count for s in ended) == 250 and len(ended) == 100
    assert ended[-1].bucket == "overflow" and ended[-1].count == 151


def test_export_times_must_be_iso(api: Harness) -> None:
    for bad in ("0.5", "1700000000", "yesterday"):
        r = api.client.get("/v1/audit/export", params={"until": bad}, headers=api.admin)
        assert api.error(r, 422, "validation_error")["details"][0]["field"] == "until"
