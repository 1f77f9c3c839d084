"""The Spark engine gives the in-process engine's report, key for key, in local mode.

One Spark session (``local[2]``, UI off, driver on 127.0.0.1) serves the module. Each
scan covers many cases at once: the fixtures' member tables and a dirty table (every
data-issue kind the engine repairs) joined into one input, ids prefixed per case, and a
Parquet folder of part files holding random forests and a 245-level chain.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest

import agentgraph
from agentgraph import synth
from tests.money_cases import money_cases

if os.environ.get("AGENTGRAPH_REQUIRE_SPARK"):  # .ci/run: a missing extra fails, never skips
    import pyspark  # noqa: F401
pyspark = pytest.importorskip("pyspark")  # the spark extra: scripts/setup installs it

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = [
    "boundary_29_3",
    "boundary_30_3",
    "chain5",
    "cycle",
    "star",
    "growth_30_3",
    "gb18030_members",  # declared titles (总代, 一级代理...) beside the measured levels
]
DIRTY = [
    ("R", ""), ("A", "R"), ("B", "A"), ("C", "B"), ("A", "Q"), ("D", "Z"), ("E", "Z"),
    ("S", "S"), ("X1", "X3"), ("X2", "X1"), ("X3", "X2"), ("X4", "X1"), ("F", "0"),
    ("G", "0"), ("H", "无"), ("Y", "C"), ("A", "R"), ("0", "R"),
]  # fmt: skip
"""Duplicates (A: one with another upline), unknown uplines (Z; Q named only by a
dropped row), a self-referral, a 3-cycle with a recruit below it, no-upline values (无;
0 is a listed agent here, so it is one)."""


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from agentgraph.spark import session

    s = session("local[2]")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def _same(got: dict[str, Any], want: dict[str, Any]) -> None:
    got, want = dict(got), dict(want)
    got.pop("generated_at"), want.pop("generated_at")
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == want[key], key


def _cases(path: Path) -> Path:
    tables = []
    for name in FIXTURES:
        t = agentgraph.read(ROOT / "fixtures" / f"{name}.csv").table
        prefix = pa.scalar(f"{name}:")
        rank = t.column("rank") if "rank" in t.column_names else pa.nulls(t.num_rows, pa.string())
        joined = (
            pc.strftime(t.column("joined_at"), "%Y-%m-%d %H:%M:%S")
            if "joined_at" in t.column_names
            else pa.nulls(t.num_rows, pa.string())
        )
        tables.append(
            pa.table(
                {
                    "agent_id": pc.binary_join_element_wise(prefix, t.column("agent_id"), ""),
                    "upline_id": pc.binary_join_element_wise(prefix, t.column("upline_id"), ""),
                    "rank": pc.cast(rank, pa.string()),
                    "joined_at": joined,
                }
            )
        )
    agents, ups = zip(*DIRTY, strict=True)
    n = len(agents)
    tables.append(
        pa.table(
            {
                "agent_id": agents,
                "upline_id": ups,
                "rank": pa.nulls(n, pa.string()),
                "joined_at": pa.nulls(n, pa.string()),
            }
        )
    )
    pv.write_csv(pa.concat_tables(tables), path)
    return path


def test_fixtures_and_dirty_data_give_the_same_report(spark: Any, tmp_path: Path) -> None:
    from agentgraph.spark import scan_detailed

    src = _cases(tmp_path / "cases.csv")
    got = scan_detailed(spark, str(src), policy="cn")
    want = agentgraph.scan(src).report()
    _same(got.report, want)
    issues = want["summary"]["data_issues"]
    assert {k for k, n in issues.items() if n} == {
        "cycle",
        "self_referral",
        "unknown_upline",
        "duplicate_agent",
        "no_upline_value",
    }
    assert want["summary"]["flagged"] >= 2  # boundary_30_3 and growth_30_3 meet 30/3
    assert want["rank_mismatches"]["total"] >= 1 and want["rank_mismatches"]["title_levels"]
    assert want["growth"]["measured"] and want["growth"]["fastest"]  # join times measured
    assert list(got.report["rank_mismatches"]["title_levels"]) == list(
        want["rank_mismatches"]["title_levels"]
    )  # in the order the titles first appear, as the JSON text has them
    # the policy travels to the executors: us-ftc flags differently, still the same
    _same(
        scan_detailed(spark, str(src), policy="us-ftc").report,
        agentgraph.scan(src, policy="us-ftc").report(),
    )


def _forests(folder: Path) -> tuple[Path, pa.Table]:
    """Part files of random forests and an undated 245-level chain; their rows in path order."""
    parts = [  # with join times as Parquet timestamps, and rank titles
        synth.forest(30_000, seed=11).table,
        synth.forest(20_000, seed=12).table,
    ]
    chain = [f"L{k:03d}" for k in range(245)]
    parts.append(
        pa.table(
            {
                "agent_id": chain,
                "upline_id": [None, *chain[:-1]],
                "joined_at": pa.nulls(245, pa.timestamp("s")),
                "rank": pa.nulls(245, pa.string()),
            }
        ).cast(parts[0].schema)
    )
    folder.mkdir()
    for k, t in enumerate(parts):
        pq.write_table(t, folder / f"part-{k:05d}.parquet", row_group_size=7_000)
    return folder, pa.concat_tables(parts)


def test_a_parquet_folder_gives_the_report_of_its_rows(spark: Any, tmp_path: Path) -> None:
    from agentgraph.spark import scan_detailed

    folder, rows = _forests(tmp_path / "export")
    one = tmp_path / "export.parquet"
    pq.write_table(rows, one)
    got = scan_detailed(spark, str(folder), source_name=str(one), agents_per_partition=20_000)
    want = agentgraph.scan(one).report(max_networks=1000)
    _same(got.report, want)
    chain = [n for n in got.report["networks"] if n["root"] == "L000"]
    assert [(n["levels"], len(n["deepest_chain"])) for n in chain] == [(245, 245)]
    assert got.partitions >= 3  # networks spread over several partitions, none split
    assert got.report["growth"]["measured"] and got.report["growth"]["undated_agents"] >= 245
    # pointer doubling: ceil(log2(deepest)) passes, and one more that finds none moved
    deepest = got.report["summary"]["max_levels"]
    assert got.passes <= math.ceil(math.log2(deepest)) + 1


def test_payments_give_the_same_money_evidence(spark: Any, tmp_path: Path) -> None:
    """The money fixtures in one input, networks tied by payments, over 7 partitions:
    the money section, the money flags and the rows they cite are the in-process ones."""
    from agentgraph.loaders.payments import read_payments

    from agentgraph.spark import scan_detailed

    members, payments = money_cases(tmp_path)
    want = agentgraph.analyse(agentgraph.read(members), payments=read_payments(payments))
    got = scan_detailed(spark, str(members), payments=str(payments), agents_per_partition=30)
    assert got.partitions >= 6
    _same(got.report, want.report())
    rules = {f["rule"] for n in got.report["networks"] for f in n["flags"]}
    assert {"cn.headcount_pay", "cn.entry_fee", "cn.team_pay"} <= rules
    law = ROOT / "fixtures" / "money_law"  # the pay-basis signals: join times, link types
    for ledger in ("headcount_payments", "linktype_payments", "participants_payments"):
        members = law / ("participants_members.csv" if "part" in ledger else "x_members.csv")
        pays = law / f"{ledger}.csv"
        want = agentgraph.analyse(agentgraph.read(members), payments=read_payments(pays))
        _same(scan_detailed(spark, str(members), payments=str(pays)).report, want.report())
    # the first bad value, named by its row in the whole ledger
    text = payments.read_text(encoding="utf-8").splitlines()
    cells = text[151].split(",")
    cells[2] = "-3"
    text[151] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(agentgraph.InputError) as err:
        read_payments(bad)
    with pytest.raises(agentgraph.InputError) as got_err:
        scan_detailed(spark, str(members), payments=str(bad), agents_per_partition=30)
    assert str(got_err.value) == str(err.value) and err.value.row == 151


def test_networks_over_the_worker_limit_are_measured_level_by_level(
    spark: Any, tmp_path: Path
) -> None:
    """Networks of more than ``max_network_agents`` agents go through the distributed
    pass (doubling with distances, one pass per level each way): the same report,
    titles and growth too (every 11th agent undated: dated by the dating rule)."""
    from agentgraph.spark import scan_detailed

    t = synth.forest(6000, seed=3).table
    titles = ["总代", "一级代理", "二级代理", "三级代理", "VIP"]
    rank = [titles[k % 5] if k % 7 == 0 else None for k in range(t.num_rows)]
    t = t.set_column(t.column_names.index("rank"), "rank", pa.array(rank))
    joined = t.column("joined_at").to_pylist()
    joined = [None if k % 11 == 0 else v for k, v in enumerate(joined)]
    t = t.set_column(
        t.column_names.index("joined_at"), "joined_at", pa.array(joined, pa.timestamp("s"))
    )
    src = tmp_path / "big.parquet"
    pq.write_table(t, src)
    want = agentgraph.scan(src).report()
    got = scan_detailed(spark, str(src), max_network_agents=400)
    _same(got.report, want)
    big = [n for n in want["networks"] if n["members"] > 400]
    assert len(big) >= 3 and any(n["flags"] for n in big) and any(not n["flags"] for n in big)
    assert want["rank_mismatches"]["total"] and want["organisers"]
    g = want["growth"]
    assert g["dated_from_downline"] and {n["root"] for n in big} & {
        n["root"] for n in g["networks"]
    }
    pen = tmp_path / "penalties.parquet"
    pq.write_table(t.append_column("prior_penalty", pa.array(["no"] * t.num_rows)), pen)
    with pytest.raises(agentgraph.InputError, match="does not measure prior penalties"):
        scan_detailed(spark, str(pen), max_network_agents=400)


EXPORTS = [  # real distribution-system exports, as fixtures/exports/README.md describes
    "crmeb/eb_user.csv",  # CRMEB eb_user: uid / spread_uid, 0 = no upline
    "admin/members.csv",  # an admin panel's export: Chinese headers, a header twice
    "admin/members_unicode.txt",  # Excel's "Unicode text": UTF-16, tab-separated
    "admin/members.csv.gz",
    "dates/chinese.csv",  # 2023年1月5日 join times
]
BAD_EXPORTS = {  # refused with the in-process message, or one naming the same fault
    "bad/dup_key_column.csv": "appears 2 times in the header",
    "bad/bad_date.csv": "does not match the column's format",
    "bad/ragged_row.csv": "more or fewer fields than the header",
    "bad/not_gzip.csv.gz": "does not hold gzip data",
    "admin/members.csv.xz": "not .xz",
    "crmeb/eb_user_path_only.csv": "reads uplines from an upline column",
}


def test_real_exports_give_the_same_report_or_the_same_refusal(spark: Any) -> None:
    """The export fixtures as users have them (encodings, compression, duplicate
    headers, Chinese dates): the in-process report, or a clear refusal."""
    from agentgraph.spark import scan

    folder = ROOT / "fixtures" / "exports"
    for name in EXPORTS:
        _same(scan(spark, str(folder / name)), agentgraph.scan(folder / name).report())
    for name, said in BAD_EXPORTS.items():
        with pytest.raises(agentgraph.InputError, match=said):
            scan(spark, str(folder / name))
    with pytest.raises(agentgraph.InputError) as err:
        agentgraph.scan(folder / "bad" / "ragged_row.csv")
    with pytest.raises(agentgraph.InputError) as got:
        scan(spark, str(folder / "bad" / "ragged_row.csv"))
    assert got.value.row == err.value.row == 3


def test_prior_penalties_travel_with_the_members(spark: Any, tmp_path: Path) -> None:
    """A ``prior_penalty`` column is evidence in-process: the Spark report reads it too,
    and a bad value is named by its row in the input."""
    from agentgraph.spark import scan

    t = agentgraph.read(ROOT / "fixtures" / "boundary_30_3.csv").table
    marks = ["是"] + [""] * (t.num_rows - 2) + ["2024-03-01"]
    src = tmp_path / "penalties.csv"
    pv.write_csv(t.select(["agent_id", "upline_id"]).append_column("prior_penalty",
                 pa.array(marks)), src)  # fmt: skip
    want = agentgraph.scan(src).report()
    assert "prior_penalties" in json.dumps(want["rules"])
    _same(scan(spark, str(src)), want)
    dup = tmp_path / "dup.csv"  # a dropped duplicate row still marks its agent
    rows = ["A,,no", *(f"B{k},A,no" for k in range(8)), *(f"C{k},B0,no" for k in range(8))]
    dup.write_text("agent_id,upline_id,prior_penalty\n" + "\n".join([*rows, "A,,yes"]) + "\n",
                   encoding="utf-8")  # fmt: skip
    assert "cn.recidivist" in json.dumps(agentgraph.scan(dup).report()["networks"])
    _same(scan(spark, str(dup)), agentgraph.scan(dup).report())
    marks[20] = "perhaps"
    pv.write_csv(t.select(["agent_id", "upline_id"]).append_column("prior_penalty",
                 pa.array(marks)), src)  # fmt: skip
    with pytest.raises(agentgraph.InputError) as err:
        agentgraph.scan(src)
    with pytest.raises(agentgraph.InputError) as got:
        scan(spark, str(src))
    assert str(got.value) == str(err.value) and err.value.row == 21


def test_the_cli_refuses_what_the_spark_engine_cannot_do_yet(spark: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agentgraph.cli import app

    src = str(ROOT / "fixtures" / "boundary_30_3.csv")
    run = CliRunner().invoke
    for extra, said in (
        (["--orders", src], "does not take --orders"),
        (["--dataset", "x"], "does not take --dataset"),
        (["--kind", "edges"], "member tables only"),
        ([str(ROOT / "fixtures" / "chain5.csv")], "several inputs"),
    ):
        r = run(app, ["scan", "--engine", "spark", src, *extra])
        assert r.exit_code == 2 and said in r.output, (extra, r.output)
    # in this process the CLI takes the active session
    r = run(app, ["scan", "--engine", "spark", str(tmp_path / "missing.parquet")])
    assert r.exit_code == 2 and "missing.parquet" in r.output, r.output
    supply = tmp_path / "supply.csv"
    supply.write_text("agent_id,upline_id,supply_upline_id\nA,,\nB,A,A\n", encoding="utf-8")
    r = run(app, ["scan", "--engine", "spark", str(supply)])
    assert r.exit_code == 2 and "does not measure supply_upline_id" in r.output, r.output
    out = tmp_path / "r.json"
    r = run(app, ["scan", "--engine", "spark", src, "--out", str(out), "--fail-on-flag"])
    assert r.exit_code == 1, r.output  # boundary_30_3 is flagged
    _same(json.loads(out.read_text(encoding="utf-8")), agentgraph.scan(src).report())
    money = ROOT / "fixtures" / "money"
    members, pays = str(money / "ladder5_members.csv"), str(money / "ladder5_payments.csv")
    r = run(app, ["scan", "--engine", "spark", members, "--payments", pays, "--out", str(out)])
    assert r.exit_code == 0, r.output
    want = run(app, ["scan", members, "--payments", pays, "--format", "json"])
    _same(json.loads(out.read_text(encoding="utf-8")), json.loads(want.output))
    r = run(app, ["scan", "--engine", "spark", members, src, "--payments", pays])
    assert r.exit_code == 2 and "single input" in r.output, r.output
    big = ["scan", "--engine", "spark", src, "--spark-max-network", "5", "--out", str(out)]
    r = run(app, big)  # boundary_30_3's 30 agents measured level by level
    assert r.exit_code == 0, r.output
    _same(json.loads(out.read_text(encoding="utf-8")), agentgraph.scan(src).report())
    r = run(app, [*big, "--payments", pays])
    assert r.exit_code == 2 and "does not measure payments" in r.output, r.output
    r = run(app, ["scan", src, "--spark-max-network", "5"])
    assert r.exit_code == 2 and "goes with --engine spark" in r.output, r.output


def test_a_checkpoint_dir_makes_the_lineage_cuts_reliable(spark: Any, tmp_path: Path) -> None:
    """With a checkpoint dir (storage the cluster shares) every stage writes its rows
    there instead of the executors' memory; the report is the same. (Last of the tests
    on the module's session: the dir stays set.)"""
    from agentgraph.spark import scan

    spark.sparkContext.setCheckpointDir(str(tmp_path / "checkpoints"))
    src = ROOT / "fixtures" / "growth_30_3.csv"
    _same(scan(spark, str(src)), agentgraph.scan(src).report())
    written = [p for p in (tmp_path / "checkpoints").rglob("*") if p.is_file()]
    assert len(written) > 10, written


def test_the_command_line_scans_on_its_own_spark_session(tmp_path: Path) -> None:
    src = ROOT / "fixtures" / "boundary_30_3.csv"
    out = tmp_path / "r.json"
    r = subprocess.run(
        [sys.executable, "-m", "agentgraph", "scan", "--engine", "spark"]
        + ["--spark-master", "local[1]", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    _same(json.loads(out.read_text(encoding="utf-8")), agentgraph.scan(src).report())


def test_spark_submit_runs_the_documented_job_script(tmp_path: Path) -> None:
    """docs/examples/spark_job.py under spark-submit: the scan takes spark-submit's session."""
    submit = Path(sys.executable).with_name("spark-submit")
    src = ROOT / "fixtures" / "boundary_29_3.csv"
    out = tmp_path / "r.json"
    r = subprocess.run(
        [str(submit), "--master", "local[1]", "--conf", "spark.ui.enabled=false"]
        + ["--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1"]
        + [str(ROOT / "docs" / "examples" / "spark_job.py"), str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    _same(json.loads(out.read_text(encoding="utf-8")), agentgraph.scan(src).report())
