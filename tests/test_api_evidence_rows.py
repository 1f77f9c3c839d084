"""Evidence rows by agent: payments with the levels the money went up, orders, persons."""

from __future__ import annotations

from pathlib import Path

from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

MONEY = Path("fixtures/money")


def _upload(api: Harness, h: dict[str, str], path: Path, where: str) -> None:
    with path.open("rb") as fh:
        r = api.client.post(where, files={"file": (path.name, fh)}, headers=h)
    assert r.status_code in (200, 201), r.text


def test_payments_of_an_agent_with_levels_up(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MONEY / "ladder5_members.csv")
    _upload(api, h, MONEY / "ladder5_payments.csv", "/v1/datasets/ladder/evidence/payments")
    r = api.client.get(
        "/v1/datasets/ladder/evidence/payments/rows", params={"agent": "L08"}, headers=h
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"]) > 0
    assert all("L08" in (i["payer_id"], i["payee_id"], i["source_agent_id"]) for i in body["items"])
    up = [i for i in body["items"] if i["payee_id"] == "L08" and i["kind"] == "commission"]
    assert up and all(i["payer_level"] == 1 and i["payee_level"] == 4 for i in up)
    assert all(i["levels_up"] is None for i in up)  # paid by the root: money going down
    fee = api.client.get(
        "/v1/datasets/ladder/evidence/payments/rows",
        params={"agent": "L16", "limit": 1},
        headers=h,
    ).json()
    first = fee["items"][0]
    assert (first["payer_id"], first["payee_id"], first["levels_up"]) == ("L16", "L01", 4)
    assert fee["next_offset"] == 1 and fee["total"] > 1
    everything = api.client.get("/v1/datasets/ladder/evidence/payments/rows", headers=h).json()
    assert everything["total"] == 38 or everything["total"] > fee["total"]


def test_identity_rows_of_every_account_merged_into_one_person(api: Harness) -> None:
    h = api.key("acme", "auditor")
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "split", Path("fixtures/identities/split_members.csv"))
    _upload(
        api,
        analyst,
        Path("fixtures/identities/split_identities.csv"),
        "/v1/datasets/split/evidence/identities",
    )
    r = api.client.get(
        "/v1/datasets/split/evidence/identities/rows", params={"agent": "M1"}, headers=h
    )
    assert r.status_code == 200, r.text
    rows = r.json()["items"]
    assert {x["agent_id"] for x in rows} == {"K10", "M1"}  # one phone number, one person
    assert {x["person"] for x in rows} == {"K10"}


def test_missing_evidence_is_a_404_in_the_one_shape(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "bare", MONEY / "ladder5_members.csv")
    r = api.client.get("/v1/datasets/bare/evidence/orders/rows", headers=h)
    assert "no orders" in Harness.error(r, 404, "not_found")["message"]
