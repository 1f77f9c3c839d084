"""Evidence over the API: payments uploaded beside a member table reach the scan
(money section and flags as the library gives them), all or nothing, per tenant,
listed, deleted with the dataset or on their own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from agentgraph.loaders.payments import read_payments

import agentgraph

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

MONEY = Path(__file__).resolve().parents[1] / "fixtures" / "money"
MEMBERS = MONEY / "ladder5_members.csv"
PAYMENTS = MONEY / "ladder5_payments.csv"
Headers = dict[str, str]


def _upload(api: Harness, h: Headers, name: str, path: Path, query: str = "") -> Any:
    with path.open("rb") as fh:
        return api.client.post(
            f"/v1/datasets/{name}/evidence/payments{query}",
            files={"file": (path.name, fh)},
            headers=h,
        )


def _report(api: Harness, h: Headers, name: str) -> dict[str, Any]:
    done = api.scan(h, name)
    assert done["state"] == "succeeded", done
    r = api.client.get(done["links"]["report"], headers=h)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _library(members: Path, payments: Path | None) -> dict[str, Any]:
    pay = None if payments is None else read_payments(payments)
    return dict(agentgraph.analyse(agentgraph.read(members), payments=pay).report())


def _fired(report: dict[str, Any]) -> dict[str, list[str]]:
    return {net["root"]: sorted(f["rule"] for f in net["flags"]) for net in report["networks"]}


def _money(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report["money"].items() if k != "source"}


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs by design between an upload and the file: the
    time, ``source`` (the dataset's name) and ``input.source`` (the upload's file name,
    where the library names the path it read)."""
    out = {k: v for k, v in report.items() if k not in ("generated_at", "source")}
    if "input" in out:
        out["input"] = {k: v for k, v in report["input"].items() if k != "source"}
    if "money" in out:
        out["money"] = _money(report)
    return out


def _stored(api: Harness, h: Headers, name: str) -> list[dict[str, Any]]:
    r = api.client.get(f"/v1/datasets/{name}/evidence", headers=h)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_scan_with_payments_is_the_library_report(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _stored(api, h, "ladder") == []
    r = _upload(api, h, "ladder", PAYMENTS)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["dataset"], got["mode"], got["rows_added"], got["files"]) == (
        "ladder",
        "replace",
        82,
        ["ladder5_payments.csv"],
    )
    listed = _stored(api, h, "ladder")
    assert [(e["kind"], e["rows"], e["source"]) for e in listed] == [
        ("payments", 82, "ladder5_payments.csv")
    ]
    assert listed[0]["loaded_at"].endswith("Z")

    report = _report(api, h, "ladder")
    want = _library(MEMBERS, PAYMENTS)
    assert report["money"]["source"] == "ladder5_payments.csv"
    assert _money(report) == _money(want)
    assert _fired(report) == _fired(want)
    fired = {rule for rules in _fired(report).values() for rule in rules}
    assert {"cn.entry_fee", "cn.headcount_pay"} <= fired
    assert report["rules"] == want["rules"]
    assert report["summary"] == want["summary"]
    assert report["input"]["source"] == "ladder5_members.csv"  # as uploaded
    assert report["input"]["rows_read"] == want["input"]["rows_read"] > 0
    assert _comparable(report) == _comparable(want)

    # the HTML report carries the money flags too
    scan_id = api.client.get("/v1/datasets/ladder/scans", headers=h).json()["items"][0]["id"]
    page = api.client.get(f"/v1/scans/{scan_id}/report.html", headers=h)
    assert page.status_code == 200 and "cn.entry_fee" in page.text

    # the live index stays depth-only: queries answer as without payments
    nets = api.client.get("/v1/datasets/ladder/networks", headers=h).json()["items"]
    assert {n["root"]: sorted(n["rules"]) for n in nets} == _fired(_library(MEMBERS, None))


def test_raw_body_parquet_gb18030_and_json_batch(api: Harness, tmp_path: Path) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    # the same payments as a raw-body Parquet upload give the same report
    pq.write_table(read_payments(PAYMENTS).table, tmp_path / "pay.parquet")
    r = c.post(
        "/v1/datasets/ladder/evidence/payments?filename=pay.parquet",
        headers=h,
        content=(tmp_path / "pay.parquet").read_bytes(),
    )
    assert r.status_code == 200, r.text
    assert _money(_report(api, h, "ladder")) == _money(_library(MEMBERS, PAYMENTS))
    # GB18030 CSV with Chinese headers
    gb = tmp_path / "gb.csv"
    gb.write_bytes("付款人,收款人,金额,类型\nL02,L01,¥1000,入门费\n".encode("gb18030"))
    r = _upload(api, h, "ladder", gb)
    assert r.status_code == 200, r.text
    assert r.json()["evidence"]["rows"] == 1
    # a JSON batch appends
    batch: dict[str, Any] = {
        "mode": "append",
        "payments": [{"payer_id": "L03", "payee_id": "L01", "amount": 1000, "kind": "entry_fee"}],
    }
    r = c.post("/v1/datasets/ladder/evidence/payments/batch", json=batch, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["rows_added"], r.json()["evidence"]["rows"]) == (1, 2)
    assert r.json()["evidence"]["source"] == "gb.csv + JSON batch"
    assert _report(api, h, "ladder")["money"]["entry_fees"]["payments"] == 2
    # appending rows with an order_id column to payments without one is refused
    batch["payments"][0]["order_id"] = None
    err = api.error(
        c.post("/v1/datasets/ladder/evidence/payments/batch", json=batch, headers=h),
        422,
        "column_mismatch",
    )
    assert err["details"][0]["column"] == "order_id"
    # invalid rows name the field; nothing stored changes
    bad = {
        "payments": [
            {"payer_id": "L02", "payee_id": "L01", "amount": 5},
            {"payer_id": "L02", "payee_id": "", "amount": -1},
        ]
    }
    err = api.error(
        c.post("/v1/datasets/ladder/evidence/payments/batch", json=bad, headers=h),
        422,
        "validation_error",
    )
    assert {d["field"] for d in err["details"]} == {"payments[1].payee_id", "payments[1].amount"}
    assert _stored(api, h, "ladder")[0]["rows"] == 2
    # replace
    r = c.post(
        "/v1/datasets/ladder/evidence/payments/batch",
        headers=h,
        json={
            "mode": "replace",
            "payments": [{"payer_id": "L02", "payee_id": "L01", "amount": 10, "order_id": "O1"}],
        },
    )
    assert r.status_code == 200 and r.json()["evidence"]["rows"] == 1
    assert "order_id" in r.json()["evidence"]["columns"]


def test_bad_file_is_rejected_whole(api: Harness, tmp_path: Path) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    before = _stored(api, h, "ladder")
    lines = PAYMENTS.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[2] = "-1000"  # data row 2
    bad = tmp_path / "bad_payments.csv"
    bad.write_text(
        "\n".join([lines[0], lines[1], ",".join(cells), *lines[3:]]) + "\n", encoding="utf-8"
    )
    err = api.error(_upload(api, h, "ladder", bad), 422, "input_error")
    assert len(err["details"]) == 1
    detail = err["details"][0]
    assert (detail["file"], detail["row"], detail["column"]) == ("bad_payments.csv", 2, "amount")
    assert "negative amount" in detail["message"]
    assert str(tmp_path) not in str(err)  # no server paths
    assert _stored(api, h, "ladder") == before
    # also with mode=append, for a file of unknown format, and a missing column
    api.error(_upload(api, h, "ladder", bad, "?mode=append"), 422, "input_error")
    odd = tmp_path / "payments.xyz"  # a name that says nothing: the bytes are read
    odd.write_bytes(bytes(range(256)) * 4)
    api.error(_upload(api, h, "ladder", odd), 422, "input_error")
    assert _stored(api, h, "ladder") == before
    missing = tmp_path / "no_amount.csv"
    missing.write_text("payer_id,payee_id\nA,B\n", encoding="utf-8")
    err = api.error(_upload(api, h, "ladder", missing), 422, "input_error")
    assert err["details"][0]["column"] == "amount"
    assert _stored(api, h, "ladder") == before
    # the scan still uses the good payments
    assert _money(_report(api, h, "ladder")) == _money(_library(MEMBERS, PAYMENTS))
    # an unknown column mapping is a validation error naming the parameter
    err = api.error(
        c.post(
            "/v1/datasets/ladder/evidence/payments?columns=agent_id=x",
            headers=h,
            files={"file": ("p.csv", b"a\n1\n")},
        ),
        422,
    )
    assert err["details"][0]["field"] == "columns"


def test_upload_size_limit(api_factory: Callable[..., Harness]) -> None:
    small = api_factory(max_upload_bytes=MEMBERS.stat().st_size + 1000)
    assert PAYMENTS.stat().st_size > MEMBERS.stat().st_size + 2000
    h = small.key("acme", "analyst")
    small.dataset(h, "ladder", MEMBERS)
    small.error(_upload(small, h, "ladder", PAYMENTS), 413, "payload_too_large")
    assert _stored(small, h, "ladder") == []


def test_roles_and_tenants(api: Harness) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    auditor = api.key("acme", "auditor")
    other = api.key("globex", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    # another tenant: 404 exactly as a missing dataset, on every route
    api.error(_upload(api, other, "ladder", PAYMENTS), 404, "not_found")
    api.error(c.get("/v1/datasets/ladder/evidence", headers=other), 404, "not_found")
    api.error(c.get("/v1/datasets/ladder/evidence/payments", headers=other), 404)
    api.error(c.delete("/v1/datasets/ladder/evidence/payments", headers=other), 404)
    api.error(
        c.post(
            "/v1/datasets/ladder/evidence/payments/batch",
            headers=other,
            json={"payments": [{"payer_id": "a", "payee_id": "b", "amount": 1}]},
        ),
        404,
    )
    api.dataset(other, "ladder")  # the same name in another tenant: its own evidence
    assert _stored(api, other, "ladder") == []
    # the auditor reads the listing, cannot write
    assert [e["kind"] for e in _stored(api, auditor, "ladder")] == ["payments"]
    assert c.get("/v1/datasets/ladder/evidence/payments", headers=auditor).json()["rows"] == 82
    api.error(_upload(api, auditor, "ladder", PAYMENTS), 403, "forbidden")
    api.error(
        c.post(
            "/v1/datasets/ladder/evidence/payments/batch",
            headers=auditor,
            json={"payments": [{"payer_id": "a", "payee_id": "b", "amount": 1}]},
        ),
        403,
    )
    api.error(c.delete("/v1/datasets/ladder/evidence/payments", headers=auditor), 403)
    # the admin has no data access
    api.error(c.get("/v1/datasets/ladder/evidence", headers=api.admin), 403)
    api.error(_upload(api, api.admin, "ladder", PAYMENTS), 403)
    # an unknown kind: no such route
    api.error(c.get("/v1/datasets/ladder/evidence/horoscopes", headers=h), 404, "not_found")
    assert _stored(api, h, "ladder")[0]["rows"] == 82


def test_delete_payments_and_dataset(api: Harness) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    assert "money" in _report(api, h, "ladder")
    assert c.delete("/v1/datasets/ladder/evidence/payments", headers=h).status_code == 204
    assert _stored(api, h, "ladder") == []
    api.error(c.delete("/v1/datasets/ladder/evidence/payments", headers=h), 404, "not_found")
    api.error(c.get("/v1/datasets/ladder/evidence/payments", headers=h), 404, "not_found")
    report = _report(api, h, "ladder")
    assert "money" not in report
    assert _comparable(report) == _comparable(_library(MEMBERS, None))
    # deleting the dataset deletes its evidence files; a new one starts without
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    folder = api.app.state.service.evidence.folder("acme", "ladder")
    assert (folder / "payments.parquet").is_file()
    assert c.delete("/v1/datasets/ladder", headers=h).status_code == 204
    assert not folder.exists()
    api.dataset(h, "ladder", MEMBERS)
    assert _stored(api, h, "ladder") == []
    assert "money" not in _report(api, h, "ladder")


def test_stored_beside_the_meta_store_and_kept_over_restart(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    meta = Path(api.settings.meta_path())
    path = meta.with_name(meta.name + ".evidence") / "acme" / "ladder" / "payments.parquet"
    assert pq.read_table(path).num_rows == 82
    assert [p.name for p in path.parent.iterdir()] == ["payments.parquet"]  # no temp files
    api.restart()
    assert _stored(api, h, "ladder")[0]["rows"] == 82
    assert "money" in _report(api, h, "ladder")


def test_in_memory_store_uses_an_owned_temp_folder(api_factory: Callable[..., Harness]) -> None:
    mem = api_factory(store="duckdb://:memory:")
    h = mem.key("acme", "analyst")
    mem.dataset(h, "ladder", MEMBERS)
    assert _upload(mem, h, "ladder", PAYMENTS).status_code == 200
    assert "money" in _report(mem, h, "ladder")
    store = mem.app.state.service.evidence
    assert store.owned and (store.folder("acme", "ladder") / "payments.parquet").is_file()
    mem.app.state.service.close()
    assert not store.root.exists()


def test_legit_chain_is_not_flagged_with_payments(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "legit", MONEY / "legit3_members.csv")
    assert _report(api, h, "legit")["summary"]["flagged"] == 1  # depth alone
    assert _upload(api, h, "legit", MONEY / "legit3_payments.csv").status_code == 200
    report = _report(api, h, "legit")
    want = _library(MONEY / "legit3_members.csv", MONEY / "legit3_payments.csv")
    assert report["summary"]["flagged"] == 0 == want["summary"]["flagged"]
    assert _money(report) == _money(want)
    assert _fired(report) == _fired(want)


def test_append_unifies_times(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    r = api.client.post(
        "/v1/datasets/ladder/evidence/payments/batch",
        headers=h,
        json={
            "payments": [
                {
                    "payer_id": "L31",
                    "payee_id": "L01",
                    "amount": 1000.5,
                    "kind": "entry_fee",
                    "at": "2020-02-01T09:00:00+08:00",
                    "order_id": None,
                }
            ]
        },
    )
    assert r.status_code == 200, r.text
    path = api.app.state.service.evidence.path("acme", "ladder", "payments")
    table = pq.read_table(path)
    assert table.num_rows == 83 and table.schema.field("at").type == pa.timestamp("us")
    # an instant is kept as wall-clock time in Asia/Shanghai, as files are read
    assert table.column("at")[82].as_py().isoformat() == "2020-02-01T09:00:00"
    money = _report(api, h, "ladder")["money"]
    assert (
        money["entry_fees"]["amount"]
        == _library(MEMBERS, PAYMENTS)["money"]["entry_fees"]["amount"] + 1000.5
    )


def _upload_kind(api: Harness, h: Headers, name: str, kind: str, path: Path) -> Any:
    with path.open("rb") as fh:
        return api.client.post(
            f"/v1/datasets/{name}/evidence/{kind}", files={"file": (path.name, fh)}, headers=h
        )


def test_orders_and_identities_reach_the_scan(api: Harness) -> None:
    from agentgraph.loaders.identities import read_identities
    from agentgraph.loaders.orders import read_orders

    from agentgraph.evidence.identities import resolve_identities

    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200
    orders = MONEY / "ladder5_orders.csv"
    r = _upload_kind(api, h, "ladder", "orders", orders)
    assert r.status_code == 200, r.text
    assert sorted(e["kind"] for e in _stored(api, h, "ladder")) == ["orders", "payments"]
    got = _report(api, h, "ladder")
    want = agentgraph.analyse(
        agentgraph.read(MEMBERS), payments=read_payments(PAYMENTS), orders=read_orders(orders)
    ).report()
    assert {k: v for k, v in got["sales"].items() if k != "source"} == {
        k: v for k, v in want["sales"].items() if k != "source"
    }
    assert got["sales"]["retail_ratio"] == 0.25 and _fired(got) == _fired(want)

    ids = MONEY.parent / "identities"
    api.dataset(h, "split", ids / "split_members.csv")
    assert _report(api, h, "split")["summary"]["flagged"] == 0
    r = _upload_kind(api, h, "split", "identities", ids / "split_identities.csv")
    assert r.status_code == 200, r.text
    got = _report(api, h, "split")
    want = agentgraph.analyse(
        agentgraph.read(ids / "split_members.csv"),
        identities=resolve_identities(read_identities(ids / "split_identities.csv")),
    ).report()
    assert got["identities"] == want["identities"] and got["summary"]["flagged"] == 1
    bad = api.client.post(
        "/v1/datasets/split/evidence/identities/batch",
        json={"identities": [{"agent_id": "", "phone": "1"}]},
        headers=h,
    )
    assert bad.status_code == 422 and "agent_id" in bad.text
    assert api.client.delete("/v1/datasets/split/evidence/identities", headers=h).status_code == 204
    assert "identities" not in _report(api, h, "split")


def test_dataset_deleted_and_created_anew_during_an_upload(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload whose dataset is deleted (and created anew) while its files are
    parsed answers 404 and leaves nothing behind, in the new dataset or on disk."""
    from agentgraph.api.routes import evidence as routes

    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    parse = routes.parse_evidence_files

    def parse_then_recreate(*args: Any, **kwargs: Any) -> pa.Table:
        table = parse(*args, **kwargs)
        assert c.delete("/v1/datasets/ladder", headers=h).status_code == 204
        assert c.post("/v1/datasets", json={"name": "ladder"}, headers=h).status_code == 201
        return table

    monkeypatch.setattr(routes, "parse_evidence_files", parse_then_recreate)
    api.error(_upload(api, h, "ladder", PAYMENTS), 404, "not_found")
    assert _stored(api, h, "ladder") == []
    monkeypatch.setattr(routes, "parse_evidence_files", parse)
    assert _upload(api, h, "ladder", PAYMENTS).status_code == 200  # the new one takes them


def test_identity_columns_map_like_payments(api: Harness, tmp_path: Path) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "split", MONEY.parent / "identities" / "split_members.csv")
    src = tmp_path / "ids.csv"
    src.write_text("agent_id,code,mob2\nx,K10,13800000010\ny,M1,13800000010\n", encoding="utf-8")

    def up(query: str) -> Any:
        with src.open("rb") as fh:
            return c.post(
                f"/v1/datasets/split/evidence/identities{query}",
                files={"file": ("ids.csv", fh)},
                headers=h,
            )

    err = api.error(up("?columns=agent_id=nothere"), 422, "input_error")
    assert "'nothere'" in str(err) and "ids.csv" in str(err)
    # agent_id mapped to another header: the file's own agent_id column is set aside
    r = up("?columns=agent_id=code&columns=phone=MOB2")
    assert r.status_code == 200, r.text
    assert r.json()["evidence"]["columns"] == ["agent_id", "phone"]
    stored = api.app.state.service.evidence.read("acme", "split", "identities")
    assert stored is not None and stored[0].column("agent_id").to_pylist() == ["K10", "M1"]


def test_nanosecond_times_in_parquet(api: Harness, tmp_path: Path) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", MEMBERS)
    t = read_payments(PAYMENTS).table
    at = pa.array([1_577_836_800_000_000_001 + k for k in range(t.num_rows)], pa.timestamp("ns"))
    pq.write_table(t.set_column(t.schema.get_field_index("at"), "at", at), tmp_path / "ns.parquet")
    with (tmp_path / "ns.parquet").open("rb") as fh:
        r = api.client.post(
            "/v1/datasets/ladder/evidence/payments", headers=h, files={"file": ("ns.parquet", fh)}
        )
    assert r.status_code == 200, r.text
    assert _report(api, h, "ladder")["money"]["payments"] == t.num_rows
