"""The new commands and options run in this process (typer's runner), for what they print."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from agentgraph.cli import app

LADDER = "fixtures/money/ladder5_members.csv"


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


def test_export_formats_and_refusals(run: CliRunner, tmp_path: Path) -> None:
    r = run.invoke(app, ["export", "-i", LADDER, "--downline", "L08"])
    assert r.exit_code == 0 and "L16,L08,5,L01" in r.stdout
    for suffix in (".graphml", ".gexf", ".xlsx", ".zip", ".csv"):
        out = tmp_path / f"n{suffix}"
        r = run.invoke(app, ["export", "-i", LADDER, "--network", "L01", "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 0
    assert nx.read_gexf(tmp_path / "n.gexf").number_of_nodes() == 31
    for args, said in (
        (["--network", "L01"], "exactly one of --input"),
        (["-i", LADDER], "exactly one of --network"),
        (["-i", LADDER, "--network", "L01", "--out", str(tmp_path / "x.pdf")], "--format"),
        (["-i", LADDER, "--network", "L01", "-f", "gexf"], "--out"),
        (["-i", LADDER, "--network", "L02", "--out", str(tmp_path / "y.csv")], "not the root"),
    ):
        r = run.invoke(app, ["export", *args])
        assert r.exit_code == 2 and said in r.output, (args, r.output)
    assert not (tmp_path / "y.csv").exists()


def test_export_and_save_from_a_store(run: CliRunner, tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    assert run.invoke(app, ["load", LADDER, "--dataset", "demo", "--store", store]).exit_code == 0
    r = run.invoke(app, ["export", "-d", "demo", "--store", store, "--network", "L01"])
    assert r.exit_code == 0 and r.stdout.count("\n") == 32
    r = run.invoke(app, ["scan", "--dataset", "demo", "--store", store, "--save"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["scan", LADDER, "--save"])
    assert r.exit_code == 2 and "--dataset" in r.output
    r = run.invoke(
        app, ["scan", "--dataset", "demo", "--store", store, "--save", "--as-of", "2020-02-01"]
    )
    assert r.exit_code == 2 and "--as-of" in r.output
    r = run.invoke(app, ["datasets", "--store", str(tmp_path / "typo.duckdb")])
    assert r.exit_code == 2 and "no store at" in r.output


def test_a_batch_marks_every_input_done(run: CliRunner, tmp_path: Path) -> None:
    from agentgraph.cli import common

    files = []
    for k in range(2):
        f = tmp_path / f"l{k}.csv"
        f.write_bytes(Path(LADDER).read_bytes())
        files.append(str(f))
    files.append(str(tmp_path / "missing.csv"))
    r = run.invoke(app, ["scan", *files, "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["l0.json", "l1.json"]
    with common.batch_progress(1) as done:  # one input: no bar, a callable all the same
        done()


def test_the_batch_bar_takes_the_steps_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentgraph.cli import common

    monkeypatch.setattr(common, "progress_enabled", lambda: True)
    with common.batch_progress(2) as done:
        progress, task = common._BATCH[-1]
        with common.step("reading a.csv"):
            assert progress.tasks[0].description == "reading a.csv"
        done()
        done()
        assert progress.tasks[0].completed == 2
    assert not common._BATCH
