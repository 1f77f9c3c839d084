"""The stage profile (``AGENTGRAPH_PROFILE``) and the background kernel loading."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("agentgraph"))


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, env={**os.environ, **env}, check=False
    )


def test_profile_lines_on_stderr_report_unchanged(tmp_path: Path) -> None:
    src = str(ROOT / "fixtures" / "gb18030_members.csv")
    plain = _run(["scan", src])
    profiled = _run(["scan", src, "--out", str(tmp_path / "r.json")], AGENTGRAPH_PROFILE="1")
    assert plain.returncode == profiled.returncode, profiled.stderr
    names = [ln.split()[1] for ln in profiled.stderr.splitlines() if ln.startswith("profile: ")]
    for stage in ("read", "encode", "walk", "measure", "analyse", "report", "render", "write"):
        assert stage in names, profiled.stderr
    assert names[-1] == "main"
    assert "profile:" not in plain.stderr
    a = json.loads(plain.stdout)
    b = json.loads((tmp_path / "r.json").read_text("utf-8"))
    for r in (a, b):
        r.pop("generated_at", None)
        r.get("source", {}).pop("name", None)
    assert a["networks"] == b["networks"] and a["summary"] == b["summary"]


def test_large_input_preloads_and_answers_the_same(tmp_path: Path) -> None:
    """A file over the preload size scans with the kernels loaded in the background."""
    from agentgraph.cli.scan import PRELOAD_BYTES

    n = 300_000
    ids = [f"agent-{k:09d}-{'x' * 8}" for k in range(n)]
    path = tmp_path / "big.parquet"
    table = pa.table({"agent_id": ids, "upline_id": [None] + [ids[k // 3] for k in range(1, n)]})
    pq.write_table(table, path, compression="none")
    assert path.stat().st_size >= PRELOAD_BYTES
    out = str(tmp_path / "r.json")
    done = _run(["scan", str(path), "--out", out, "--fail-on-flag"], AGENTGRAPH_PROFILE="1")
    assert done.returncode == 1, done.stderr  # a 13-level network of 300,000 is flagged
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["summary"]["networks"] == 1 and report["summary"]["flagged"] == 1
    deepest, k = 1, n - 1  # the last agent's chain up to the root: k -> k // 3
    while k:
        k, deepest = k // 3, deepest + 1
    assert report["summary"]["max_levels"] == deepest == 13


def test_preload_loads_cached_kernels_without_compiling() -> None:
    code = (
        "from agentgraph.compiled import preload, compiled_signatures\n"
        "import numba.core.dispatcher as d\n"
        "t = preload(); t.join()\n"
        "print(compiled_signatures())\n"
    )
    env = {**os.environ, "NUMBA_DEBUG_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert int(done.stdout.strip().splitlines()[-1]) > 0
    assert "[cache] data saved" not in done.stdout  # loaded from the cache, nothing compiled
