"""Issue 12, finding 7: upload temp folders left by a crash are removed at startup;
those of a live process are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from agentgraph.api.testing import Harness, settings_in

pytest_plugins = ("agentgraph.api.testing",)


def dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def folder(root: Path, name: str, age: float = 0.0) -> Path:
    path = root / name
    path.mkdir()
    (path / "0.csv").write_bytes(b"agent_id,upline_id\n" * 1000)
    if age:
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
    return path


def test_startup_removes_upload_folders_of_dead_processes(tmp_path: Path) -> None:
    up = tmp_path / "uploads"
    up.mkdir()
    stale = folder(up, f"agentgraph-upload-{dead_pid()}-abc123")
    old_live = folder(up, f"agentgraph-upload-{os.getpid()}-old", age=3600)
    unnamed_old = folder(up, "agentgraph-upload-x7f3k2", age=3600)
    live = folder(up, f"agentgraph-upload-{os.getpid()}-def456")
    unnamed_new = folder(up, "agentgraph-upload-q1w2e3")
    other = folder(up, "not-ours-123")
    settings = settings_in(tmp_path).model_copy(
        update={"upload_dir": str(up), "upload_timeout": 60}
    )
    api = Harness.start(settings)
    try:
        assert not stale.exists() and not old_live.exists() and not unnamed_old.exists()
        assert live.exists() and unnamed_new.exists() and other.exists()
        # an upload's own folder carries the pid, and is gone after the upload
        key = api.key("acme", "analyst")
        api.dataset(key, "m")
        r = api.client.post(
            "/v1/datasets/m/files",
            files={"file": ("a.csv", b"agent_id,upline_id\nA,\n")},
            headers=key,
        )
        assert r.status_code == 200, r.text
        assert sorted(p.name for p in up.iterdir()) == sorted(
            p.name for p in (live, unnamed_new, other)
        )
    finally:
        api.close()
