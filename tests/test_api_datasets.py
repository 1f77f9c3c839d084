"""Datasets and ingest: every format, multipart and raw bodies, all-or-nothing with
row-level errors, JSON batches, pagination."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)


def _upload(api: Harness, headers: dict[str, str], name: str, *paths: Path, query: str = "") -> Any:
    files = [("file", (p.name, p.read_bytes())) for p in paths]
    return api.client.post(f"/v1/datasets/{name}/files{query}", files=files, headers=headers)


def _counts(api: Harness, headers: dict[str, str], name: str) -> dict[str, Any]:
    r = api.client.get(f"/v1/datasets/{name}", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_create_list_show_delete(api: Harness, inputs: dict[str, Path]) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    made = api.dataset(h, "ladder")
    assert (made["rows"], made["kind"], made["last_scan"]) == (0, "members", None)
    api.error(c.post("/v1/datasets", json={"name": "ladder"}, headers=h), 409, "conflict")
    api.error(c.post("/v1/datasets", json={"name": "a/b"}, headers=h), 422)
    api.error(c.post("/v1/datasets", json={"name": "x", "kind": "trees"}, headers=h), 422)
    assert _counts(api, h, "ladder")["counts"] == {
        "agents": 0,
        "networks": 0,
        "flagged": 0,
        "max_levels": 0,
    }
    assert _upload(api, h, "ladder", inputs["b30"]).status_code == 200
    shown = _counts(api, h, "ladder")
    assert shown["rows"] == 30 and shown["source"] == "b30.csv"
    assert shown["counts"] == {"agents": 30, "networks": 1, "flagged": 1, "max_levels": 3}
    for k in range(11):
        api.dataset(h, f"d{k:02d}")
    page = c.get("/v1/datasets?limit=4&offset=8", headers=h).json()
    assert page["total"] == 12 and [d["name"] for d in page["items"]] == [
        "d08",
        "d09",
        "d10",
        "ladder",
    ]
    assert c.delete("/v1/datasets/ladder", headers=h).status_code == 204
    api.error(c.get("/v1/datasets/ladder", headers=h), 404, "not_found")
    api.error(c.delete("/v1/datasets/ladder", headers=h), 404)
    api.dataset(h, "ladder")  # the name is free again, and empty
    assert _counts(api, h, "ladder")["rows"] == 0


def test_every_format(api: Harness, inputs: dict[str, Path]) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "gb", inputs["gb"])  # GB18030 with a Chinese header
    c = _counts(api, h, "gb")
    assert c["counts"]["agents"] == 4 and c["counts"]["max_levels"] == 3
    agent = api.client.get("/v1/datasets/gb/agents/𠮷祥", headers=h).json()
    assert (agent["level"], agent["root"], agent["upline_chain"], agent["rank"]) == (
        3,
        "王总",
        ["王总", "张一"],
        "二级代理",
    )
    api.dataset(h, "star", inputs["star"])  # Parquet
    assert _counts(api, h, "star")["counts"] == {
        "agents": 5,
        "networks": 1,
        "flagged": 0,
        "max_levels": 2,
    }
    api.dataset(h, "chain", inputs["jsonl"])  # JSON Lines with an extra column
    shown = _counts(api, h, "chain")
    assert shown["counts"]["max_levels"] == 3 and "city" in shown["columns"]
    api.dataset(h, "edges", inputs["edges"], kind="edges")  # edge list with a supply edge
    shown = _counts(api, h, "edges")
    assert shown["kind"] == "edges" and shown["counts"]["max_levels"] == 3
    p9 = api.client.get("/v1/datasets/edges/agents/P9", headers=h).json()
    assert p9["level"] == 1  # supplies is not recruitment


def test_raw_bodies_and_options(api: Harness, inputs: dict[str, Path], tmp_path: Path) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "d")
    r = c.post(
        "/v1/datasets/d/files?filename=b30.csv", content=inputs["b30"].read_bytes(), headers=h
    )
    assert r.status_code == 200 and r.json()["rows_added"] == 30
    r = c.post(
        "/v1/datasets/d/files?format=parquet&mode=replace",
        content=inputs["star"].read_bytes(),
        headers={**h, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 200 and r.json()["dataset"]["rows"] == 5
    r = c.post(
        "/v1/datasets/d/files",
        content=inputs["jsonl"].read_bytes(),
        headers={**h, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200 and r.json()["dataset"]["rows"] == 3
    err = api.error(
        c.post(
            "/v1/datasets/d/files",
            content=b"abc",
            headers={**h, "Content-Type": "application/octet-stream"},
        ),
        422,
        "input_error",
    )
    # no name, no type: the bytes are sniffed (text, so a CSV of one header line)
    assert "no data rows" in err["details"][0]["message"]
    api.error(c.post("/v1/datasets/d/files?filename=a.csv", content=b"", headers=h), 422)
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("编号X,上家\nA,\nB,A\n", encoding="utf-8")
    r = _upload(api, h, "d", mapped, query="?columns=agent_id=编号X&columns=upline_id=上家")
    assert r.status_code == 200, r.text
    err = api.error(_upload(api, h, "d", mapped, query="?columns=bogus"), 422)
    assert err["details"][0]["field"] == "columns"
    err = api.error(_upload(api, h, "d", mapped, query="?encoding=klingon"), 422)
    assert err["details"][0]["field"] == "encoding"
    api.error(
        c.post(
            "/v1/datasets/d/files",
            content=b"--x\r\n",
            headers={**h, "Content-Type": "multipart/form-data"},
        ),
        422,
    )
    api.error(
        c.post(
            "/v1/datasets/d/files",
            data={"note": "no file"},
            files={},
            headers={**h, "Content-Type": "multipart/form-data; boundary=zz"},
        ),
        422,
    )


def test_append_and_multiple_files(api: Harness, inputs: dict[str, Path], tmp_path: Path) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b29"])
    more = tmp_path / "more.csv"
    more.write_text("agent_id,upline_id\n030,002\n031,002\n", encoding="utf-8")
    r = _upload(api, h, "d", more, query="?mode=append")
    assert r.status_code == 200 and r.json()["dataset"]["rows"] == 31
    assert _counts(api, h, "d")["counts"]["flagged"] == 1  # 31 members, 3 levels
    part1 = tmp_path / "p1.csv"
    part1.write_text("agent_id,upline_id\nA,\nB,A\n", encoding="utf-8")
    part2 = tmp_path / "p2.csv"
    part2.write_text("agent_id,upline_id\nC,B\n", encoding="utf-8")
    r = _upload(api, h, "d", part1, part2)
    assert r.status_code == 200 and r.json()["files"] == ["p1.csv", "p2.csv"]
    assert _counts(api, h, "d")["counts"] == {
        "agents": 3,
        "networks": 1,
        "flagged": 0,
        "max_levels": 3,
    }
    err = api.error(
        _upload(api, h, "d", inputs["edges"], query="?mode=append"), 409, "kind_mismatch"
    )
    assert "replace" in err["message"]
    err = api.error(_upload(api, h, "d", part1, inputs["edges"]), 422, "input_error")
    assert "mix" in err["message"]


def test_all_or_nothing_with_row_level_errors(api: Harness, inputs: dict[str, Path]) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b30"])
    before = _counts(api, h, "d")
    err = api.error(_upload(api, h, "d", inputs["bad_utf8"]), 422, "input_error")
    assert err["details"] == [
        {"file": "bad_utf8.csv", "row": 3, "message": err["details"][0]["message"]}
    ]
    assert "encoding parameter" in err["details"][0]["message"]
    err = api.error(_upload(api, h, "d", inputs["no_upline"]), 422)
    assert err["details"][0]["column"] == "upline_id"
    err = api.error(_upload(api, h, "d", inputs["bad_date"]), 422)
    assert (err["details"][0]["row"], err["details"][0]["column"]) == (2, "joined_at")
    # two bad files and one good: each bad file listed, nothing stored
    err = api.error(_upload(api, h, "d", inputs["b29"], inputs["empty"], inputs["bad_utf8"]), 422)
    assert err["message"].startswith("2 of 3 file(s) rejected")
    assert [d["file"] for d in err["details"]] == ["empty.csv", "bad_utf8.csv"]
    assert all(str(api.settings.upload_dir) not in d["message"] for d in err["details"])
    api.error(_upload(api, h, "d", inputs["b29"], query="?mode=merge"), 422)
    assert _counts(api, h, "d") == before


def test_json_batches(api: Harness) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "m")
    rows = [{"agent_id": "R"}] + [
        {
            "agent_id": f"L{k}",
            "upline_id": "R",
            "rank": "一级代理",
            "joined_at": "2024-05-01T08:00:00+08:00",
        }
        for k in range(5)
    ]
    r = c.post("/v1/datasets/m/agents", json={"agents": rows}, headers=h)
    assert r.status_code == 200 and r.json()["rows_added"] == 6
    r = c.post(
        "/v1/datasets/m/agents", json={"agents": [{"agent_id": "X", "upline_id": "L0"}]}, headers=h
    )
    assert r.json()["dataset"]["rows"] == 7
    assert c.get("/v1/datasets/m/agents/X", headers=h).json()["level"] == 3
    assert c.get("/v1/datasets/m/agents/L1", headers=h).json()["rank"] == "一级代理"
    err = api.error(
        c.post(
            "/v1/datasets/m/agents",
            json={
                "agents": [
                    {"agent_id": "Y", "joined_at": "someday"},
                    {"agent_id": "Z", "colour": "red"},
                ]
            },
            headers=h,
        ),
        422,
    )
    assert [d["field"] for d in err["details"]] == ["agents[0].joined_at", "agents[1].colour"]
    api.error(c.post("/v1/datasets/m/agents", json={"agents": []}, headers=h), 422)
    api.error(
        c.post(
            "/v1/datasets/m/edges",
            json={"edges": [{"upline_id": "a", "downline_id": "b"}]},
            headers=h,
        ),
        409,
        "kind_mismatch",
    )
    assert _counts(api, h, "m")["rows"] == 7
    api.dataset(h, "e", kind="edges")
    r = c.post(
        "/v1/datasets/e/edges",
        json={
            "edges": [
                {"upline_id": "P1", "downline_id": "P2"},
                {"upline_id": "P2", "downline_id": "P3", "kind": "recruited", "at": "2024-01-01"},
                {"upline_id": "P1", "downline_id": "S", "kind": "supplies"},
            ]
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert c.get("/v1/datasets/e/agents/P3", headers=h).json()["upline_chain"] == ["P1", "P2"]
    r = c.post(
        "/v1/datasets/e/agents", json={"mode": "replace", "agents": [{"agent_id": "Q"}]}, headers=h
    )
    assert r.status_code == 200 and r.json()["dataset"]["kind"] == "members"
