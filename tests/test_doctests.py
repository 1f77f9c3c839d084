"""The Examples in every module's docstrings run, from the repository root (they read
``fixtures/``), and give what they show."""

from __future__ import annotations

import doctest
import os

import pytest

from tests.library_modules import ROOT, load, module_names

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", module_names())
def test_examples_run(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("AGENTGRAPH_STORE", str(tmp_path) + "/doctest.duckdb")
    mod = load(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    tests = [t for t in finder.find(mod, name) if t.examples]
    for t in tests:
        t.globs.setdefault("tmp_path", tmp_path)
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist() -> None:
    """The examples are many, so "no example ran" cannot pass as green."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    total = sum(len(t.examples) for name in module_names() for t in finder.find(load(name), name))
    assert total >= 1200, total  # 1,349 after the package reshape
