"""Policy packs, and the one place that resolves a policy name.

:func:`get_policy` resolves a pack (``cn``, ``us-ftc``, ``eu-ucpd``) or a TOML or YAML
policy file (:mod:`.custom`). A policy holds its rules (:mod:`.base`,
:mod:`.money`), its gating on money evidence (:class:`Gating`) and the thresholds
the evidence is measured with (:mod:`.thresholds`).
"""

from __future__ import annotations

from pathlib import Path

from agentgraph.errors import PolicyError
from agentgraph.policies.base import (
    SEVERITY_ORDER,
    Flag,
    Gating,
    NetworkRule,
    Policy,
    ThresholdRule,
    with_participants,
)
from agentgraph.policies.cn import POLICY as CN
from agentgraph.policies.eu_ucpd import POLICY as EU_UCPD
from agentgraph.policies.us_ftc import POLICY as US_FTC

__all__ = [
    "Flag",
    "Gating",
    "NetworkRule",
    "Policy",
    "ThresholdRule",
    "SEVERITY_ORDER",
    "POLICIES",
    "get_policy",
    "with_participants",
]

POLICIES: dict[str, Policy] = {p.name: p for p in (CN, US_FTC, EU_UCPD)}


def get_policy(name: str | Policy) -> Policy:
    """The policy called ``name`` (``cn`` is the default pack).

    Parameters
    ----------
    name : str or Policy
        A pack name, a path to a TOML or YAML policy file, or a policy (returned as is).

    Returns
    -------
    Policy

    Raises
    ------
    PolicyError
        An unknown name, or a policy file that does not validate.

    Notes
    -----
    O(1) for a pack; O(file size) for a file.

    Examples
    --------
    >>> get_policy("us-ftc").version
    'koscot-vemma/1'
    >>> get_policy("docs/examples/single-tier-platform.toml").name
    'acme-single-tier'
    >>> get_policy("nowhere")
    Traceback (most recent call last):
    ...
    agentgraph.errors.PolicyError: unknown policy 'nowhere'; known: cn, eu-ucpd, us-ftc, ...
    """
    if isinstance(name, Policy):
        return name
    if not isinstance(name, str):
        raise PolicyError(
            f"a policy is a pack name, a TOML or YAML policy file or a Policy, not {name!r}"
        )
    if name in POLICIES:
        return POLICIES[name]
    if name.endswith((".toml", ".yaml", ".yml")) or Path(name).is_file():
        from agentgraph.policies.custom import load_policy_file

        return load_policy_file(name)
    raise PolicyError(
        f"unknown policy {name!r}; known: {', '.join(sorted(POLICIES))}, "
        "or a TOML or YAML policy file"
    )
