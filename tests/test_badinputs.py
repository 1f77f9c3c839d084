"""The bad-input corpus (tests/badinputs.py) through every route: the library, the CLI
and the API upload. No crash, no traceback, no silent wrong answer (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import agentgraph
from agentgraph.errors import InputError
from tests.badinputs import CASES, Case, write_corpus

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

Corpus = dict[str, tuple[Path, Case]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return write_corpus(tmp_path_factory.mktemp("badinputs"))


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_library(corpus: Corpus, name: str) -> None:
    path, case = corpus[name]
    if case.expect == "ok":
        assert agentgraph.read(path).rows == case.agents
        return
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    text = str(info.value)
    assert "\n" not in text and str(path) in text, text
    assert case.needle.lower() in text.lower(), text


def _scan(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentgraph", "scan", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_reads_the_good_files(corpus: Corpus) -> None:
    """The good files in one ``scan`` (one JSON report a line): exit 0 or 1, right counts."""
    good = {str(p): c for p, c in corpus.values() if c.expect == "ok"}
    got = _scan([Path(p) for p in good])
    assert got.returncode in (0, 1), got.stderr[-2000:]
    assert "Traceback" not in got.stderr and not got.stderr.strip(), got.stderr[-2000:]
    reports = [json.loads(line) for line in got.stdout.splitlines()]
    agents = {r["input"]["source"]: r["summary"]["agents"] for r in reports}
    assert agents == {p: c.agents for p, c in good.items()}


def test_cli_refuses_the_bad_files(corpus: Corpus) -> None:
    """The bad files in one ``scan``: exit 2, one ``error:`` line each, no traceback."""
    bad = {str(p): c for p, c in corpus.values() if c.expect == "error"}
    got = _scan([Path(p) for p in bad])
    assert got.returncode == 2 and "Traceback" not in got.stderr, got.stderr[-2000:]
    lines = got.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), lines
    named: dict[str, str] = {}
    for line in lines:
        path = max((p for p in bad if line.startswith(f"error: {p}")), key=len, default="")
        assert path and path not in named, (line, named.get(path))
        named[path] = line
    assert set(named) == set(bad)
    missing = [(p, c.needle) for p, c in bad.items() if c.needle.lower() not in named[p].lower()]
    assert not missing, (missing, lines)
    assert not got.stdout.strip()


def test_api_upload(api_factory: Callable[..., Harness], corpus: Corpus) -> None:
    api = api_factory(max_upload_bytes=8 << 20, max_body_bytes=8 << 20)
    h = api.key("acme", "analyst")
    failures: list[str] = []
    for k, (name, (path, case)) in enumerate(corpus.items()):
        api.dataset(h, f"bad{k:02d}")
        r = api.client.post(
            f"/v1/datasets/bad{k:02d}/files",
            files={"file": (path.name, path.read_bytes())},
            headers=h,
        )
        if case.expect == "ok":
            if r.status_code != 200 or r.json()["dataset"]["rows"] != case.agents:
                failures.append(f"{name}: {r.status_code} {r.text[:300]}")
        elif not 400 <= r.status_code < 500:
            failures.append(f"{name}: {r.status_code} {r.text[:300]}")
        else:
            err = api.error(r, r.status_code)
            shown = json.dumps(err, ensure_ascii=False).lower()
            if case.needle.lower() not in shown:
                failures.append(f"{name}: {case.needle!r} not in {shown[:300]}")
    assert api.client.get("/v1/me", headers=h).status_code == 200  # still serving
    assert not failures, "\n".join(failures)
