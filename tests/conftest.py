"""Shared test helpers: the fixtures folder and the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# the suite checks the compiled kernels; tests/test_kernels.py checks the interpreted ones
# (what small inputs run on by default) against them
os.environ.setdefault("AGENTGRAPH_KERNELS", "compiled")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m agentgraph ARGS`` as a user would (a real process)."""
    full_env = dict(os.environ)
    full_env.pop("AGENTGRAPH_STORE", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "agentgraph", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        input=input,
        timeout=300,
        check=False,
    )
