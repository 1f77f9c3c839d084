"""Group commit of recorded recruitments (issue 14): many in flight, one store transaction.

Concurrent recruitments to one dataset are checked in arrival order against the live
index, each seeing the ones before it, and written together. Against a real DuckDB
file over HTTP (the test client's fixtures) and, for a known arrival order, through the
registry itself: the store, the index and the audit log must agree with applying the
same recruitments one by one; a batch the store refuses must leave nothing half
written and answer every request in the one error shape.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
from agentgraph.api.errors import ApiError
from agentgraph.api.quota import TenantQuota
from agentgraph.api.recruiting import fit_columns, recruitment_row
from agentgraph.api.registry import Registry
from agentgraph.api.testing import Harness, boundary_rows, write_csv
from agentgraph.loaders import read_relations

from agentgraph.live import RecruitmentRejected
from agentgraph.stores.duckdb_store import DuckDBStore

pytest_plugins = ("agentgraph.api.testing",)

URL = "/v1/datasets/d/recruitments"


def _forest(path: Path, sizes: list[int]) -> Path:
    """Networks ``n0_``, ``n1_``, ... of ``sizes[i]`` members each (3 levels)."""
    rows = [r for i, m in enumerate(sizes) for r in boundary_rows(m, f"n{i}_")]
    return write_csv(path, rows)


def _fire(api: Harness, h: dict[str, str], bodies: list[dict[str, Any]]) -> list[Any]:
    """POST every body at once from 32 threads; the responses, in the bodies' order."""
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(lambda b: api.client.post(URL, json=b, headers=h), bodies))


def _audited(api: Harness) -> list[dict[str, Any]]:
    """The recruitment.apply audit rows' details, oldest first."""
    meta = api.app.state.service.meta
    rows, _ = meta.audit_log(
        tenant="acme",
        key_id=None,
        action="recruitment.apply",
        dataset=None,
        limit=100_000,
        offset=0,
    )
    return [r.detail for r in reversed(rows)]


def _snapshot(api: Harness, h: dict[str, str], agents: list[str]) -> dict[str, Any]:
    c = api.client
    out: dict[str, Any] = {
        "networks": c.get("/v1/datasets/d/networks?limit=50", headers=h).json(),
        "dataset": {
            k: v
            for k, v in c.get("/v1/datasets/d", headers=h).json().items()
            if k in ("kind", "rows", "columns", "counts")
        },
    }
    for a in agents:
        got = c.get(f"/v1/datasets/d/agents/{a}?recruits_limit=50", headers=h).json()
        got["direct_recruits"] = sorted(got["direct_recruits"]["items"])
        out[a] = got
    return out


def _store_ids(api: Harness) -> list[str]:
    rel = api.app.state.service.store.read("acme:d")
    return [str(v) for v in rel.table.column("agent_id").to_pylist()]


def test_concurrent_recruitments_agree_with_serial_application(
    api_factory: Callable[..., Harness], tmp_path: Path
) -> None:
    sizes = [28] * 6 + [27] * 6 + [29] * 4  # enforced ones fit until one would make 30
    data = _forest(tmp_path / "forest.csv", sizes)
    live = api_factory()
    h = live.key("acme", "analyst")
    live.dataset(h, "d", data)
    base = len(_store_ids(live))
    rng = random.Random(14)
    bodies: list[dict[str, Any]] = []
    for i, m in enumerate(sizes):
        up = f"n{i}_{rng.randint(2, 6):03d}"  # a level-2 agent: recruits land on level 3
        bodies += [{"upline_id": up, "agent_id": f"e{i}_{k}", "enforce": True} for k in range(5)]
        if m == 29:  # one free crossing of the threshold; enforced ones fit after it
            bodies.append({"upline_id": up, "agent_id": f"x{i}"})
        for _ in range(2):  # the same new agent twice: exactly one is recorded
            bodies.append({"upline_id": up, "agent_id": f"dup{i}"})
        # a value the dataset has no column for: refused alone, the others unaffected
        bodies.append({"upline_id": up, "agent_id": f"bad{i}", "joined_at": "2024-05-01T10:00:00"})
    rng.shuffle(bodies)
    responses = _fire(live, h, bodies)

    assert all(r.status_code in (201, 409, 422) for r in responses), [r.text for r in responses]
    for r in responses:
        if r.status_code != 201:
            live.error(r, r.status_code)  # the one error shape
    stats = live.app.state.service.registry.commits
    assert stats.largest > 1, "no two recruitments shared a commit: nothing was batched"
    assert stats.batches < stats.items

    accepted = {b["agent_id"] for b, r in zip(bodies, responses, strict=True) if r.is_success}
    for i in range(len(sizes)):  # each new agent once; nothing the dataset cannot hold
        assert f"dup{i}" in accepted and f"bad{i}" not in accepted
    stored = _store_ids(live)[base:]
    assert sorted(stored) == sorted(accepted) and len(stored) == len(set(stored))
    # the audit log: one row per recorded recruitment, in the store's order
    assert [d["agent_id"] for d in _audited(live)] == stored

    # serial application of the same recruitments: the recorded ones in the order the
    # store holds them; each one the guardrail refused where its network had 29 members
    # (a 30th would newly meet the threshold), the others at the end
    by_agent = {b["agent_id"]: b for b, r in zip(bodies, responses, strict=True) if r.is_success}
    answers = {id(b): r for b, r in zip(bodies, responses, strict=True)}
    refused: dict[int, list[dict[str, Any]]] = {}
    rest: list[dict[str, Any]] = []
    for b, r in zip(bodies, responses, strict=True):
        if r.is_success:
            continue
        if r.json()["error"]["code"] == "guardrail_blocked":
            refused.setdefault(int(b["agent_id"][1:].split("_")[0]), []).append(b)
        else:
            rest.append(b)
    order = [b for i, m in enumerate(sizes) if m == 29 for b in refused.pop(i, [])]
    for a in stored:
        order.append(by_agent[a])
        change = answers[id(by_agent[a])].json()["network"]
        if change["members_after"] == 29:
            order += refused.pop(int(change["root"][1:].split("_")[0]), [])
    assert not refused, refused
    order += rest
    serial = api_factory(group_commit_max=1)
    hs = serial.key("acme", "analyst")
    serial.dataset(hs, "d", data)
    for b in order:
        r = serial.client.post(URL, json=b, headers=hs)
        got = answers[id(b)]
        assert r.status_code == got.status_code, (b, r.text, got.text)
        if r.is_success:
            assert r.json() == got.json(), b
        else:
            assert r.json()["error"]["code"] == got.json()["error"]["code"], b
            assert r.json()["error"]["details"] == got.json()["error"]["details"], b
    assert _store_ids(serial)[base:] == stored
    assert _audited(serial) == _audited(live)
    agents = sorted(accepted) + ["n0_001", "n0_002", "n12_001"]
    want = _snapshot(serial, hs, agents)
    assert _snapshot(live, h, agents) == want
    live.restart()  # the index rebuilt from the store is the one kept live
    assert _snapshot(live, h, agents) == want


Call = tuple[str, str, str | None, bool]  # upline, new agent, rank, enforce


async def _together(registry: Registry, calls: list[Call]) -> list[Any]:
    """Every call queued before the dataset's writer runs: one batch, arrival order kept."""
    return await asyncio.gather(
        *(registry.recruit("acme:d", u, a, at=None, rank=r, enforce=e) for u, a, r, e in calls),
        return_exceptions=True,
    )


async def _one_by_one(registry: Registry, calls: list[Call]) -> list[Any]:
    """Each call answered before the next is made: the serial oracle."""
    out: list[Any] = []
    for u, a, r, e in calls:
        try:
            out.append(await registry.recruit("acme:d", u, a, at=None, rank=r, enforce=e))
        except Exception as exc:
            out.append(exc)
    return out


def test_a_known_arrival_order_in_one_batch_equals_one_by_one(tmp_path: Path) -> None:
    """Through the registry (a real DuckDB file): all queued before the writer runs."""
    rel = read_relations(_forest(tmp_path / "f.csv", [29, 28]))
    calls = [
        ("n0_002", "a1", False),  # 29 -> 30: fires (recorded: not enforced)
        ("a1", "a2", True),  # upline recorded in this batch; already firing: fits
        ("n1_002", "b1", True),  # 28 -> 29: fits
        ("n1_002", "b2", True),  # would reach 30: refused, and not counted
        ("b2", "b3", False),  # its upline was refused: unknown
        ("b1", "b3", False),  # fits (29 -> 30 unenforced)
        ("n1_003", "b1", False),  # b1 exists by now
        ("n1_003", "b4", True),  # already firing: fits
    ]

    def outcome(res: Any) -> Any:
        if isinstance(res, ApiError):
            return (res.status, res.code)
        if isinstance(res, RecruitmentRejected):
            return ("rejected", res.code)
        check, info = res
        return (check.members_before, check.level, [f.rule for f in check.newly_fired], info.rows)

    recs = [(u, a, None, e) for u, a, e in calls]
    results = []
    for name, run in (("batch", _together), ("serial", _one_by_one)):
        with DuckDBStore(tmp_path / f"{name}.duckdb") as store:
            store.load("acme:d", rel)
            registry = Registry(store, "cn")
            asyncio.run(registry.index("acme:d"))
            got = asyncio.run(run(registry, recs))
            index = registry.loaded("acme:d")
            assert index is not None
            results.append(
                (
                    [outcome(r) for r in got],
                    store.read("acme:d").table.to_pylist(),
                    [index.agent(a).downline for a in ("n0_001", "n1_001", "b1")],
                    registry.state("acme:d").version,
                )
            )
            if name == "batch":
                assert registry.commits.batches == 1 and registry.commits.largest == 5
    assert results[0] == results[1]
    assert [o[1] if isinstance(o[1], str) else "ok" for o in results[0][0]] == [
        "ok",
        "ok",
        "ok",
        "guardrail_blocked",
        "unknown_upline",
        "ok",
        "agent_exists",
        "ok",
    ]


def _retype_rank(api: Harness) -> None:
    """Make the stored rank column INTEGER, as another tool might: 'gold' no longer fits."""
    con = duckdb.connect(str(api.settings.store))  # the same in-process database
    try:
        [(tbl,)] = con.execute(
            "SELECT tbl FROM agentgraph_datasets WHERE name = 'acme:d'"
        ).fetchall()
        con.execute(f'ALTER TABLE "{tbl}" ALTER rank TYPE INTEGER')
    finally:
        con.close()


def test_a_batch_the_store_refuses_leaves_nothing_half_written(
    api: Harness, tmp_path: Path
) -> None:
    rows = [(a, u, "") for a, u in boundary_rows(29)]
    key = api.key("acme", "analyst")
    api.dataset(key, "d", write_csv(tmp_path / "r.csv", rows, "agent_id,upline_id,rank"))
    _retype_rank(api)
    base = _store_ids(api)
    registry = api.app.state.service.registry

    # every one refused by the store: all answered 422, nothing written or indexed
    bodies = [{"upline_id": "002", "agent_id": f"g{k}", "rank": "gold"} for k in range(40)]
    for r in _fire(api, key, bodies):
        err = api.error(r, 422, "store_error")
        assert "gold" in err["message"] and "ds_" not in err["message"], err
    assert _store_ids(api) == base
    shown = api.client.get("/v1/datasets/d", headers=key).json()
    assert shown["rows"] == 29 and shown["counts"]["agents"] == 29
    assert _audited(api) == []
    assert registry.commits.batches == 0  # no batch was committed
    assert registry.retried > 0  # batches were refused whole, then tried one by one

    # mixed: only the ones that do not fit fail; the others are recorded and audited
    bodies = [
        {"upline_id": "002", "agent_id": f"m{k}"} | ({"rank": "gold"} if k % 4 == 0 else {})
        for k in range(60)
    ]
    responses = _fire(api, key, bodies)
    for b, r in zip(bodies, responses, strict=True):
        if "rank" in b:
            api.error(r, 422, "store_error")
        else:
            assert r.status_code == 201, r.text
    ok = [b["agent_id"] for b, r in zip(bodies, responses, strict=True) if r.is_success]
    assert len(ok) == 45
    stored = _store_ids(api)[len(base) :]
    assert sorted(stored) == sorted(ok)
    assert [d["agent_id"] for d in _audited(api)] == stored
    shown = api.client.get("/v1/datasets/d", headers=key).json()
    assert shown["rows"] == 29 + 45 and shown["counts"]["agents"] == 29 + 45
    for a in ("m0", "g1"):  # refused: in neither the store nor the index
        api.error(api.client.get(f"/v1/datasets/d/agents/{a}", headers=key), 404)
    live = api.client.get("/v1/datasets/d/networks/001", headers=key).json()
    api.restart()  # rebuilt from the store: the same network
    assert api.client.get("/v1/datasets/d/networks/001", headers=key).json() == live


def test_the_quota_counts_the_earlier_recruitments_of_a_batch(
    api_factory: Callable[..., Harness], tmp_path: Path
) -> None:
    api = api_factory()
    key = api.key("acme", "analyst")
    api.dataset(key, "d", write_csv(tmp_path / "b.csv", boundary_rows(29)))
    meta = api.app.state.service.meta
    stored = meta.usage("acme")[0]
    row = recruitment_row("members", "002", "q00", None, None)
    each = fit_columns(row, ["agent_id", "upline_id"]).table.nbytes
    api.settings = api.settings.model_copy(
        update={"max_tenant_bytes": stored + 5 * each + each // 2}
    )
    api.restart()
    bodies = [{"upline_id": "002", "agent_id": f"q{k:02d}"} for k in range(20)]
    responses = _fire(api, key, bodies)
    assert sorted(r.status_code for r in responses) == [201] * 5 + [413] * 15
    for r in responses:
        if r.status_code == 413:
            api.error(r, 413, "quota_exceeded")
    assert api.client.get("/v1/datasets/d", headers=key).json()["rows"] == 34
    assert api.app.state.service.meta.usage("acme")[0] == stored + 5 * each


def _outcomes(results: list[Any]) -> list[Any]:
    out = []
    for res in results:
        if isinstance(res, (ApiError, RecruitmentRejected)):
            out.append(res.code)
        else:
            out.append(("ok", res[0].upline_id, res[1].rows))
    return out


def _batch_and_serial(
    tmp_path: Path,
    rel: Any,
    calls: list[tuple[str, str, str | None]],
    setup: Callable[[DuckDBStore, Path], TenantQuota | None],
) -> list[list[Any]]:
    """The same calls queued together (one batch) and one by one, each on fresh files."""
    recs = [(u, a, r, False) for u, a, r in calls]
    results = []
    for name, run in (("batch", _together), ("serial", _one_by_one)):
        folder = tmp_path / name
        folder.mkdir()
        with DuckDBStore(folder / "s.duckdb") as store:
            store.load("acme:d", rel)
            registry = Registry(store, "cn", quota=setup(store, folder))
            asyncio.run(registry.index("acme:d"))
            results.append(_outcomes(asyncio.run(run(registry, recs))))
            results.append(store.read("acme:d").table.column("agent_id").to_pylist()[-2:])
    return results


def test_a_refusal_resting_on_one_the_quota_then_refuses_is_checked_again(
    tmp_path: Path,
) -> None:
    """1st passes the first check and is then refused by the quota; the 2nd (the same
    new agent under another upline) must not keep the first check's 'agent exists'."""
    from agentgraph.api.meta import MetaStore
    from agentgraph.api.quota import TenantQuota

    rel = read_relations(_forest(tmp_path / "f.csv", [29]))

    def quota(store: DuckDBStore, folder: Path) -> TenantQuota:
        q = TenantQuota(MetaStore(str(folder / "m.duckdb")), 0)
        q.record("acme:d", rel.table.nbytes, replace=True)
        each = fit_columns(
            recruitment_row("members", "n0_002", "X", None, None), rel.table.column_names
        )
        q.max_bytes = rel.table.nbytes + each.table.nbytes - 1  # not one more row
        return q

    calls = [("n0_002", "X", None), ("n0_003", "X", None)]
    batch, batch_rows, serial, serial_rows = _batch_and_serial(tmp_path, rel, calls, quota)
    assert batch == serial == ["quota_exceeded", "quota_exceeded"]
    assert batch_rows == serial_rows


def test_a_refusal_resting_on_one_the_store_then_refuses_is_checked_again(
    tmp_path: Path,
) -> None:
    """The batch is refused by the store (a rank that does not fit), then written one by
    one: the 2nd, refused at first because the 1st took its id, is recorded."""
    path = write_csv(
        tmp_path / "r.csv", [(a, u, "") for a, u in boundary_rows(29)], "agent_id,upline_id,rank"
    )
    rel = read_relations(path)

    def retype(store: DuckDBStore, folder: Path) -> None:
        con = duckdb.connect(str(folder / "s.duckdb"))
        try:
            [(tbl,)] = con.execute("SELECT tbl FROM agentgraph_datasets").fetchall()
            con.execute(f'ALTER TABLE "{tbl}" ALTER rank TYPE INTEGER')
        finally:
            con.close()

    calls = [("002", "X", "gold"), ("003", "X", None)]
    batch, batch_rows, serial, serial_rows = _batch_and_serial(tmp_path, rel, calls, retype)
    assert serial == ["store_error", ("ok", "003", 30)]
    assert batch == serial
    assert batch_rows == serial_rows == ["029", "X"]
