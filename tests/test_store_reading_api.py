"""The API keeps how uploads were read: several files in one upload give one merged
reading (named as uploaded), and mode=append merges it with the stored one the same
way, so the report's ``input`` section does not depend on how the files came in."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import agentgraph
from agentgraph.tables import Reading

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

Headers = dict[str, str]


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agent_id", "upline_id", "城市"])
        w.writerows([(a, u, "深圳") for a, u in rows])
    return path


def _upload(api: Harness, h: Headers, name: str, *paths: Path, query: str = "") -> None:
    files = [("file", (p.name, p.read_bytes())) for p in paths]
    r = api.client.post(f"/v1/datasets/{name}/files{query}", files=files, headers=h)
    assert r.status_code == 200, r.text


def _report(api: Harness, h: Headers, name: str) -> dict[str, Any]:
    done = api.scan(h, name)
    assert done["state"] == "succeeded", done
    r = api.client.get(done["links"]["report"], headers=h)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _without_names(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in report.items() if k != "generated_at"}
    out["source"] = {k: v for k, v in report["source"].items() if k != "name"}
    return out


def test_upload_of_several_files_and_appends_give_the_same_input(
    api: Harness, tmp_path: Path
) -> None:
    h = api.key("acme", "analyst")
    p1 = _write(tmp_path / "p1.csv", [("A", ""), ("B", "A"), ("C", "B")])
    p2 = _write(tmp_path / "p2.csv", [("D", "C"), ("E", "A")])
    p3 = _write(tmp_path / "p3.csv", [("F", "E")])

    api.dataset(h, "together")
    _upload(api, h, "together", p1, p2, p3)
    together = _report(api, h, "together")

    api.dataset(h, "stepwise")
    _upload(api, h, "stepwise", p1)
    _upload(api, h, "stepwise", p2, query="?mode=append")
    _upload(api, h, "stepwise", p3, query="?mode=append")
    stepwise = _report(api, h, "stepwise")

    inp = together["input"]
    assert inp["source"] == "p1.csv, p2.csv, p3.csv"  # as uploaded, not the spooled copies
    assert inp["rows_read"] == 6 and inp["format"] == "csv"
    assert stepwise["input"] == inp
    assert _without_names(stepwise) == _without_names(together)

    # what the library reads from the same files, merged, named as uploaded
    readings = []
    for p in (p1, p2, p3):
        rel = agentgraph.read(p)
        assert rel.reading is not None
        readings.append(dataclasses.replace(rel.reading, source=p.name))
    assert inp == Reading.merge(readings).as_dict()


def test_rows_without_a_reading_leave_the_input_as_it_was(api: Harness, tmp_path: Path) -> None:
    h = api.key("acme", "analyst")
    p1 = _write(tmp_path / "p1.csv", [("A", ""), ("B", "A")])
    api.dataset(h, "d", p1)
    before = _report(api, h, "d")["input"]
    r = api.client.post(
        "/v1/datasets/d/agents",
        json={"mode": "append", "agents": [{"agent_id": "C", "upline_id": "B"}]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    after = _report(api, h, "d")
    assert after["summary"]["agents"] == 3
    assert after["input"] == before and before["source"] == "p1.csv"
    # a JSON batch that replaces the rows has no reading: no input section
    r = api.client.post(
        "/v1/datasets/d/agents",
        json={"mode": "replace", "agents": [{"agent_id": "X", "upline_id": None}]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert "input" not in _report(api, h, "d")
