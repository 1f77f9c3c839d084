"""The supply ladder through the API: a stored member table keeps its supply column, so
a dataset's scan reports the supply section as the library does."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import agentgraph

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

SUPPLY = Path(__file__).resolve().parents[1] / "fixtures" / "supply"


def test_scan_of_a_dataset_reports_both_depths(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "ladder", SUPPLY / "members.csv")
    done = api.scan(h, "ladder")
    assert done["state"] == "succeeded", done
    report = api.client.get(done["links"]["report"], headers=h).json()
    want = agentgraph.scan(SUPPLY / "members.csv").report()["supply"]
    got = report["supply"]
    assert got == want
    assert got["networks"][0]["levels"] == 7 and got["networks"][0]["supply_levels"] == 6


def test_empty_dataset_appraisal_finds_no_one(api: Harness) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "empty")
    r = api.client.post(
        "/v1/datasets/empty/appraisals", json={"suspects": [{"agent_id": "A"}]}, headers=h
    )
    assert r.status_code == 200, r.text  # nothing to count: the suspect is not found
    assert r.json()["not_found"] == ["A"] and r.json()["summary"]["agents"] == 0
