"""Read commands never make a store; a store held by a running service is named as such."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.test_api_server import _free_port, _start, wait_ready


def test_read_commands_on_a_missing_store_say_so_and_make_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "typo.duckdb"
    for args in (
        ("datasets",),
        ("agent", "A", "--dataset", "d"),
        ("scan", "--dataset", "d"),
        ("export", "--dataset", "d", "--network", "A"),
        ("drop", "d"),
    ):
        r = run_cli(*args, "--store", str(typo))
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert f"no store at {typo}" in r.stderr and "Traceback" not in r.stderr, args
        assert not typo.exists(), args


def test_a_store_held_by_the_service_names_the_process(tmp_path: Path) -> None:
    store = tmp_path / "held.duckdb"
    port = _free_port()
    proc = _start(store, port)
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}")
        r = run_cli("datasets", "--store", str(store))
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert f"in use by process {proc.pid}" in r.stderr, r.stderr
        assert "API service" in r.stderr
    finally:
        proc.terminate()
        proc.wait(20)
