"""A scan's own policy over the API: a pack (``policy``) or a platform's own rules
(``custom_policy``, the policy file's document as JSON); the report equals the
library's under the same policy, bad policies answer 422 before any job starts."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from agentgraph.loaders.payments import read_payments

import agentgraph

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

ROOT = Path(__file__).resolve().parents[1]
MONEY = ROOT / "fixtures" / "money"
EXAMPLE = ROOT / "docs" / "examples" / "single-tier-platform.toml"
Headers = dict[str, str]


def _ladder(api: Harness) -> Headers:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MONEY / "ladder5_members.csv")
    with (MONEY / "ladder5_payments.csv").open("rb") as fh:
        r = api.client.post(
            "/v1/datasets/ladder/evidence/payments",
            files={"file": ("ladder5_payments.csv", fh)},
            headers=h,
        )
    assert r.status_code == 200, r.text
    return h


def _scan(api: Harness, h: Headers, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    r = api.client.post("/v1/datasets/ladder/scans", json=body, headers=h)
    assert r.status_code == 202, r.text
    done = api.wait_scan(h, r.json()["id"])
    assert done["state"] == "succeeded", done
    return done, api.client.get(done["links"]["report"], headers=h).json()


def _library(policy: str) -> dict[str, Any]:
    return dict(
        agentgraph.analyse(
            agentgraph.read(MONEY / "ladder5_members.csv"),
            policy,
            payments=read_payments(MONEY / "ladder5_payments.csv"),
        ).report()
    )


def _flags(report: dict[str, Any]) -> list[list[str]]:
    return [[f["rule"] for f in n["flags"]] for n in report["networks"]]


@pytest.mark.parametrize(("pack", "flagged"), [("us-ftc", True), ("cn", True), ("eu-ucpd", False)])
def test_pack_per_scan(api: Harness, pack: str, flagged: bool) -> None:
    h = _ladder(api)
    done, report = _scan(api, h, {"policy": pack})
    want = _library(pack)
    assert (report["policy"], report["policy_version"]) == (want["policy"], want["policy_version"])
    assert report["networks"] == want["networks"] and report["rules"] == want["rules"]
    assert done["options"]["policy"] == pack
    assert any(_flags(report)) is flagged  # eu: payouts follow sales more than recruits


def test_default_is_the_service_policy(api: Harness) -> None:
    h = _ladder(api)
    done, report = _scan(api, h, {})
    assert done["options"]["policy"] == "cn" and report["policy"] == "cn"
    assert report["networks"] == _library("cn")["networks"]


def test_custom_policy_document(api: Harness) -> None:
    h = _ladder(api)
    doc = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    done, report = _scan(api, h, {"custom_policy": doc, "max_networks": 5})
    want = _library(str(EXAMPLE))
    assert (report["policy"], report["policy_version"]) == ("acme-single-tier", "2026-11")
    assert (
        _flags(report)
        == [["acme.one_agent_tier", "acme.own_sales_only", "acme.no_joining_fee"]]
        == _flags(want)
    )
    assert report["rules"] == want["rules"]
    assert done["options"]["custom_policy"] == doc and "policy" not in done["options"]
    # the live index keeps the service's policy: queries still answer cn's rules
    nets = api.client.get("/v1/datasets/ladder/networks", headers=h).json()["items"]
    assert nets[0]["rules"] == ["cn.threshold"]


def test_bad_policies_answer_422_and_start_nothing(api: Harness) -> None:
    h = _ladder(api)
    c = api.client
    bad_rule = {
        "policy": {"name": "p", "version": "1"},
        "rules": [
            {
                "id": "p.a",
                "kind": "network",
                "min_members": 1,
                "min_levels": "3",
                "severity": "high",
                "citation": "x",
            }
        ],
    }
    err = api.error(
        c.post("/v1/datasets/ladder/scans", json={"custom_policy": bad_rule}, headers=h),
        422,
        "policy_error",
    )
    assert "min_levels: expected int" in err["message"]
    assert err["details"][0]["field"] == "custom_policy"
    err = api.error(
        c.post("/v1/datasets/ladder/scans", json={"custom_policy": {"rules": []}}, headers=h),
        422,
        "policy_error",
    )
    assert "missing [policy] table" in err["message"]
    huge = {"policy": {"name": "p", "version": "1", "title": "x" * 70_000}, "rules": []}
    err = api.error(
        c.post("/v1/datasets/ladder/scans", json={"custom_policy": huge}, headers=h),
        422,
        "policy_error",
    )
    assert "at most 65536" in err["message"]
    api.error(
        c.post(
            "/v1/datasets/ladder/scans", json={"policy": "cn", "custom_policy": bad_rule}, headers=h
        ),
        422,
        "validation_error",
    )
    # a pack name only: never a path on the server
    for name in ("xx", "docs/examples/single-tier-platform.toml", "/etc/passwd"):
        api.error(
            c.post("/v1/datasets/ladder/scans", json={"policy": name}, headers=h),
            422,
            "validation_error",
        )
    api.error(
        c.post("/v1/datasets/ladder/scans", json={"custom_policy": "cn"}, headers=h),
        422,
        "validation_error",
    )
    assert c.get("/v1/datasets/ladder/scans", headers=h).json()["total"] == 0


def test_participants_per_scan(api: Harness) -> None:
    """``participants`` counts the policy's participants; a bad setting answers 422
    before any job starts."""
    h = api.key("acme", "analyst")
    api.dataset(h, "q", ROOT / "fixtures" / "money_law" / "participants_members.csv")
    bad = api.client.post("/v1/datasets/q/scans", json={"participants": "nobody"}, headers=h)
    assert bad.status_code == 422, bad.text
    assert "participants 'nobody'" in bad.text
    r = api.client.post("/v1/datasets/q/scans", json={"participants": "is_promoter=1"}, headers=h)
    assert r.status_code == 202, r.text
    done = api.wait_scan(h, r.json()["id"])
    assert done["state"] == "succeeded", done
    report = api.client.get(done["links"]["report"], headers=h).json()
    assert report["participants"] == {
        "rule": "is_promoter=1",
        "applied": True,
        "accounts": 32,
        "participants": 27,
    }
    assert report["networks"][0]["participants"] == 27 and not report["networks"][0]["flags"]
