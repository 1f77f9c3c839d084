"""Policy packs. ``get_policy(name)`` is the one place that resolves a name."""

from __future__ import annotations

from ..errors import PolicyError
from .base import SEVERITY_ORDER, Flag, NetworkRule, Policy, ThresholdRule
from .cn import POLICY as CN

__all__ = ["Flag", "NetworkRule", "Policy", "ThresholdRule", "SEVERITY_ORDER",
           "POLICIES", "get_policy"]

POLICIES: dict[str, Policy] = {CN.name: CN}


def get_policy(name: str | Policy) -> Policy:
    """The policy called ``name`` (``cn`` is the default pack)."""
    if isinstance(name, Policy):
        return name
    try:
        return POLICIES[name]
    except KeyError:
        raise PolicyError(f"unknown policy {name!r}; known: {', '.join(sorted(POLICIES))}"
                          ) from None
