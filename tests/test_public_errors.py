"""One exception tree: bad input to the public API raises an AgentgraphError subclass
(never a bare TypeError, AttributeError or an Arrow error from deep inside)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import agentgraph
from agentgraph.errors import AgentgraphError, ArgumentError, InputError, PolicyError

from .conftest import ROOT

CHAIN = str(ROOT / "fixtures" / "chain5.csv")

CASES: dict[str, tuple[Callable[[], Any], type[AgentgraphError]]] = {
    "scan of a number": (lambda: agentgraph.scan(123), ArgumentError),  # type: ignore[arg-type]
    "scan of None": (lambda: agentgraph.scan(None), ArgumentError),  # type: ignore[arg-type]
    "read of a number": (lambda: agentgraph.read(7), ArgumentError),  # type: ignore[arg-type]
    "policy given as a number": (lambda: agentgraph.scan(CHAIN, policy=5), PolicyError),
    "column mapped to a number": (
        lambda: agentgraph.read(CHAIN, columns={"agent_id": 5}),
        InputError,
    ),
    "analyse of a path": (lambda: agentgraph.analyse(CHAIN), ArgumentError),
    "analyse of None": (lambda: agentgraph.analyse(None), ArgumentError),
    "build_graph of None": (lambda: agentgraph.build_graph(None), ArgumentError),
    "agent id as a number": (lambda: agentgraph.scan(CHAIN).agent(5), ArgumentError),
    "missing file": (lambda: agentgraph.scan("no-such-file.csv"), InputError),
    "unknown policy": (lambda: agentgraph.get_policy("nope"), PolicyError),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_raises_an_agentgraph_error(name: str) -> None:
    call, expected = CASES[name]
    with pytest.raises(expected) as info:
        call()
    assert isinstance(info.value, AgentgraphError)
    assert str(info.value)


def test_argument_error_is_still_a_value_error() -> None:
    with pytest.raises(ValueError):
        agentgraph.analyse(None)  # type: ignore[arg-type]
