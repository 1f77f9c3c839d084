"""Policy packs. ``get_policy(name)`` is the one place that resolves a name: a pack
(``cn``, ``us-ftc``, ``eu-ucpd``) or a TOML or YAML policy file (:mod:`.custom`).
"""

from __future__ import annotations

from pathlib import Path

from agentgraph.errors import PolicyError
from agentgraph.policies.base import SEVERITY_ORDER, Flag, NetworkRule, Policy, ThresholdRule
from agentgraph.policies.cn import POLICY as CN
from agentgraph.policies.eu_ucpd import POLICY as EU_UCPD
from agentgraph.policies.us_ftc import POLICY as US_FTC

__all__ = [
    "Flag",
    "NetworkRule",
    "Policy",
    "ThresholdRule",
    "SEVERITY_ORDER",
    "POLICIES",
    "get_policy",
]

POLICIES: dict[str, Policy] = {p.name: p for p in (CN, US_FTC, EU_UCPD)}


def get_policy(name: str | Policy) -> Policy:
    """The policy called ``name`` (``cn`` is the default pack)."""
    if isinstance(name, Policy):
        return name
    if name in POLICIES:
        return POLICIES[name]
    if name.endswith((".toml", ".yaml", ".yml")) or Path(name).is_file():
        from agentgraph.policies.custom import load_policy_file

        return load_policy_file(name)
    raise PolicyError(
        f"unknown policy {name!r}; known: {', '.join(sorted(POLICIES))}, "
        "or a TOML or YAML policy file"
    )
