"""The compiled kernels: interpreted on small inputs, compiled once on large ones,
and their machine code cached even when the package folder and the home are not
writable (agentgraph/compiled.py)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agentgraph.compiled import SMALL_INPUT, kernel

ROOT = Path(__file__).resolve().parents[1]


def test_every_golden_output_is_the_same_with_the_kernels_interpreted() -> None:
    """All 178 golden outputs (scans, reports, HTML, stores, the API's OpenAPI)
    come out byte for byte the same with every kernel running as Python."""
    env = dict(os.environ, AGENTGRAPH_KERNELS="python")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "golden" / "cases.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "identical" in done.stdout
    assert "RuntimeWarning" not in done.stderr


def test_auto_mode_compiles_only_for_large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTGRAPH_KERNELS", "auto")

    @kernel(cache=False)
    def total(a: np.ndarray) -> int:
        s = 0
        for x in a:
            s += x
        return s

    assert total(np.ones(SMALL_INPUT, np.int64)) == SMALL_INPUT
    assert total.dispatcher.signatures == []  # ran as Python: nothing compiled
    assert total(np.ones(SMALL_INPUT + 1, np.int64)) == SMALL_INPUT + 1
    assert len(total.dispatcher.signatures) == 1
    monkeypatch.setenv("AGENTGRAPH_KERNELS", "python")
    assert total(np.ones(3 * SMALL_INPUT, np.int64)) == 3 * SMALL_INPUT


def _unshare_works() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs root and unshare for a read-only mount")
def test_a_read_only_install_without_a_home_compiles_once(tmp_path: Path) -> None:
    """The checkout (package and venv) mounted read-only, the home not writable:
    the first large scan compiles into the temporary folder's cache, the second
    loads it and compiles nothing."""
    data = tmp_path / "forest.parquet"
    subprocess.run(
        [sys.executable, "-m", "agentgraph", "synth", "forest", "-n", "60000", "-o", str(data)],
        check=True,
        capture_output=True,
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": "/proc/agentgraph-no-home",
        "AGENTGRAPH_KERNELS": "auto",
        "NUMBA_DEBUG_CACHE": "1",
        "TMPDIR": str(tmp),
    }
    root = shlex.quote(str(ROOT))
    script = (
        f"mount --bind {root} {root} && mount -o remount,ro,bind {root} && "
        f"{shlex.quote(sys.executable)} -m agentgraph scan {shlex.quote(str(data))}"
    )

    def scan() -> str:
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout + done.stderr  # numba reports cache use on stdout

    first = scan()
    cache = tmp / f"agentgraph-numba-{os.getuid()}"
    assert cache.is_dir() and any(cache.rglob("*.nbi")), first[-2000:]
    assert "data saved" in first
    second = scan()
    assert "data saved" not in second and "data loaded" in second


def test_after_agentgraph_compile_no_scan_compiles(tmp_path: Path) -> None:
    """``agentgraph compile`` covers money, identities, edges, as-of and the live index."""
    import pyarrow.parquet as pq

    from agentgraph import synth
    from agentgraph.synth.money import money_tables

    rel = synth.forest(3 * SMALL_INPUT, seed=5)
    files = dict(zip("poi", money_tables(rel), strict=True))
    for name, table in [("m", rel.table), *files.items()]:
        pq.write_table(table, tmp_path / f"{name}.parquet")
    synth.write(synth.to_edges(rel), tmp_path / "e.csv")
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
        "NUMBA_DEBUG_CACHE": "1",
        "AGENTGRAPH_KERNELS": "auto",
    }
    exe = str(Path(sys.executable).with_name("agentgraph"))

    def saved(*args: str) -> int:
        done = subprocess.run(
            [exe, *args], capture_output=True, text=True, env=env, check=False, cwd=tmp_path
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        return done.stdout.count("data saved") + done.stderr.count("data saved")

    money = ["--payments", "p.parquet", "--orders", "o.parquet"]
    first = saved("scan", "m.parquet", *money, "--out", "r.json")
    assert first > 0  # an empty cache compiles: the check below can fail
    shutil.rmtree(tmp_path / "cache")
    assert saved("compile") > 0
    for args in (
        ["m.parquet"],
        ["m.parquet", *money],
        ["m.parquet", *money, "--identities", "i.parquet"],
        ["e.csv"],
        ["m.parquet", "--payments", "p.parquet", "--as-of", "2024-06-01"],
    ):
        assert saved("scan", *args, "--out", "r.json") == 0, args
    live = (
        "import agentgraph\nfrom agentgraph.live import LiveIndex\n"
        "rel = agentgraph.read('m.parquet')\n"
        "ix = LiveIndex.from_analysis(agentgraph.analysis.analyse(rel))\n"
        "a = rel.table.column('agent_id')[7].as_py()\n"
        "ix.check(a, 'new-1'); ix.add(a, 'new-1')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", live], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "data saved" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("python", "python"),
        (" Compiled ", "compiled"),
        ("auto", "auto"),
        ("junk", "auto"),
        (None, "auto"),
    ],
)
def test_mode_follows_every_change_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str
) -> None:
    """mode() reads os.environ's own table: every set and delete is seen at once."""
    from agentgraph.compiled import mode

    monkeypatch.setenv("AGENTGRAPH_KERNELS", "python")
    assert mode() == "python"
    if value is None:
        monkeypatch.delenv("AGENTGRAPH_KERNELS")
    else:
        monkeypatch.setenv("AGENTGRAPH_KERNELS", value)
    assert mode() == expected
