"""Behaviour unchanged: every golden case gives the stored output byte for byte.

The outputs in ``tests/golden/outputs`` were written by ``tests/golden/cases.py
--write`` before the package was reshaped; a change that alters a report, a CLI
message, a synthetic file or the OpenAPI document fails here with the case named.
Regenerate them only for an intended change, and say so in the commit.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("golden_cases", HERE / "cases.py")
assert _spec is not None and _spec.loader is not None
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return cases.all_outputs()


def test_every_case_is_stored(outputs: dict[str, str]) -> None:
    stored = {p.name for p in cases.OUTPUTS.iterdir()}
    assert set(outputs) == stored
    assert len(stored) > 150


def test_outputs_identical(outputs: dict[str, str]) -> None:
    changed = []
    for name, text in sorted(outputs.items()):
        old = (cases.OUTPUTS / name).read_text(encoding="utf-8")
        if old != text:
            diff = difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), "stored", "now", n=1
            )
            changed.append(f"{name}:\n" + "".join(list(diff)[:12]))
    assert not changed, "outputs changed:\n" + "\n".join(changed[:5])
