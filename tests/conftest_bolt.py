"""Fixtures for tests that need a Bolt server.

Loaded by the store test modules with ``pytest_plugins = ("tests.conftest_bolt",)``.

Which server:

- ``AGENTGRAPH_TEST_NEO4J_URI`` (with ``AGENTGRAPH_TEST_NEO4J_USER`` /
  ``AGENTGRAPH_TEST_NEO4J_PASSWORD``): a real Neo4j 5;
- else ``AGENTGRAPH_TEST_BOLT_URI``: the FalkorDB stand-in, as started by
  ``scripts/with-bolt.sh`` (batches of 150 rows, the most it takes);
- else the tests marked ``bolt`` skip, or fail when ``AGENTGRAPH_REQUIRE_BOLT=1``
  (CI sets it so that a broken server setup cannot pass silently).

Every test works in datasets named ``agtest-<random>-...`` and deletes them
afterwards, so a shared server keeps nothing and other data on it is untouched.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agentgraph.errors import DatasetNotFound

__all__ = [
    "BOLT_SKIP_REASON",
    "bolt_target",
    "bolt_server",
    "bolt_store",
    "bolt_factory",
    "names",
    "make_bolt_store",
]

BOLT_SKIP_REASON = (
    "no Bolt server: run under scripts/with-bolt.sh (FalkorDB stand-in, sets "
    "AGENTGRAPH_TEST_BOLT_URI) or set AGENTGRAPH_TEST_NEO4J_URI (+ AGENTGRAPH_TEST_NEO4J_USER"
    " / AGENTGRAPH_TEST_NEO4J_PASSWORD) for a real Neo4j 5"
)


def bolt_target() -> tuple[str, dict[str, Any]] | None:
    """(URI, store options) of the test server, or None."""
    uri = os.environ.get("AGENTGRAPH_TEST_NEO4J_URI")
    if uri:
        return uri, {
            "user": os.environ.get("AGENTGRAPH_TEST_NEO4J_USER") or None,
            "password": os.environ.get("AGENTGRAPH_TEST_NEO4J_PASSWORD"),
            "batch_size": 100,
            "retry_time": 5.0,
        }
    uri = os.environ.get("AGENTGRAPH_TEST_BOLT_URI")
    if uri:
        return uri, {"batch_size": 150, "retry_time": 1.0, "connect_timeout": 10.0}
    return None


@pytest.fixture(scope="session")
def bolt_server() -> tuple[str, dict[str, Any]]:
    """The Bolt server of this run, or skip (fail under AGENTGRAPH_REQUIRE_BOLT=1)."""
    target = bolt_target()
    if target is None:
        if os.environ.get("AGENTGRAPH_REQUIRE_BOLT") == "1":
            pytest.fail("AGENTGRAPH_REQUIRE_BOLT=1 but " + BOLT_SKIP_REASON)
        pytest.skip(BOLT_SKIP_REASON)
    pytest.importorskip(
        "neo4j", reason="the neo4j driver is not installed (pip install 'agentgraph[neo4j]')"
    )
    return target


@pytest.fixture
def names() -> Callable[[str], str]:
    """``names("x")`` -> a dataset name unique to this test (``agtest-<hex>-x``)."""
    prefix = f"agtest-{uuid.uuid4().hex[:10]}"

    def name(base: str = "data") -> str:
        return f"{prefix}-{base}"

    name.prefix = prefix  # type: ignore[attr-defined]
    return name


def make_bolt_store(target: tuple[str, dict[str, Any]], **options: Any) -> Any:
    from agentgraph.stores.neo4j.store import Neo4jStore

    uri, defaults = target
    return Neo4jStore(uri, **{**defaults, **options})


@pytest.fixture
def bolt_factory(bolt_server: tuple[str, dict[str, Any]]) -> Callable[..., Any]:
    """``bolt_factory(**options)`` -> a new Neo4jStore on the test server (close it)."""

    def make(**options: Any) -> Any:
        return make_bolt_store(bolt_server, **options)

    return make


def _cleanup(store: Any, prefix: str) -> None:
    seen = {d.name for d in store.datasets()} | {u.name for u in store.unfinished()}
    for name in sorted(n for n in seen if n.startswith(prefix)):
        with contextlib.suppress(DatasetNotFound):
            store.delete(name)


@pytest.fixture
def bolt_store(
    bolt_server: tuple[str, dict[str, Any]], names: Callable[[str], str]
) -> Iterator[Any]:
    """A Neo4jStore on the test server; this test's datasets are deleted afterwards."""
    store = make_bolt_store(bolt_server)
    try:
        yield store
    finally:
        try:
            _cleanup(store, names.prefix)  # type: ignore[attr-defined]
        finally:
            store.close()
