"""Custom policy files: a platform states its own rules in TOML (or YAML), without code.

```toml
[policy]
name = "acme"                      # required
version = "2026-01"                # required: shown in every report
title = "ACME platform: one agent tier, pay on own sales only"
organiser_min_downline = 30        # optional (default 30; >= 1)
organiser_min_levels = 3           # optional (default 3; >= 1)
pay_cap = 0.30                     # optional: pay over 30% of own sales is over the cap
join_window_days = 7               # optional: days after joining still "at joining" (>= 0)
goods_match_ratio = 0.8            # optional: goods >= 80% of what was paid: matched
join_package_min_agents = 3        # optional: recruits paying one amount at joining (>= 1)
join_package_min_share = 0.5       # optional: ... and their least share of timed recruits
participants = "accounts"          # optional: who the thresholds count (or "paid", "is_promoter=1")

[[rules]]
id = "acme.one_tier"
kind = "network"                   # members/levels threshold on every network
min_members = 1
min_levels = 3                     # root = level 1: a second agent tier is level 3
severity = "high"                  # info | low | medium | high | critical
citation = "ACME distributor agreement §4.2"
description = "At most one agent tier under the platform"

[[rules]]
id = "acme.own_sales_only"
kind = "team_pay"                  # needs payments
min_levels_up = 1
severity = "medium"
citation = "ACME compensation plan §2"
```

The same document in YAML (a file ending in ``.yaml`` or ``.yml``) has a ``policy:``
mapping and a ``rules:`` list of mappings; through the API it is a JSON object of
the same shape (:func:`policy_from_dict`).

Rule kinds and their parameters: ``network`` (``min_members``, ``min_levels``),
``headcount_pay``, ``entry_fee``, ``team_pay`` (``min_levels_up``),
``beyond_own_sales``, ``funds`` (``min_amount``, ``min_members``, ``min_levels``),
``retail_ratio`` (``min_ratio``; needs orders). Every rule needs ``id``,
``severity`` and ``citation``; ``description`` and ``liability`` (``criminal``,
``administrative``, ``civil``, ``contractual``; default ``contractual``) are
optional. Thresholds include their boundary.

The ``[policy]`` table may also set the numbers the evidence is measured with
(:class:`~agentgraph.policies.thresholds.EvidenceThresholds`; the built-in packs'
values by default): ``pay_cap``, ``goods_match_ratio`` and ``join_package_min_share``
(numbers in [0, 1]), ``join_window_days`` (an integer >= 0),
``join_package_min_agents`` (an integer >= 1), ``stock_ratio`` (a number >= 0),
``participants`` (``accounts``, ``paid``, ``entry_fee`` or ``COLUMN=VALUE`` filters
joined by ``;``: :mod:`agentgraph.evidence.participants`), and ``join_window_kinds`` /
``join_package_kinds`` (lists of the payment kinds ``entry_fee``, ``goods``,
``other``). Any unknown key, missing key, wrong type, value out of range or duplicate
id is a :class:`~agentgraph.errors.PolicyError` naming the file and the rule or key.
Loading is O(file size).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from agentgraph.errors import PolicyError
from agentgraph.evidence.participants import check_participants
from agentgraph.policies.base import SEVERITY_ORDER, Policy, ThresholdRule
from agentgraph.policies.circumstances import FundsRule
from agentgraph.policies.money import (
    BeyondOwnSalesRule,
    EntryFeeRule,
    HeadcountPayRule,
    RetailRatioRule,
    TeamPayRule,
)
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS, EvidenceThresholds
from agentgraph.tables import MONEY_IN_KINDS

__all__ = [
    "load_policy_file",
    "policy_from_text",
    "policy_from_dict",
    "RULE_KINDS",
    "THRESHOLD_KEYS",
    "LIABILITIES",
]

LIABILITIES = ("criminal", "administrative", "civil", "contractual")
_COMMON = {
    "id": str,
    "kind": str,
    "severity": str,
    "citation": str,
    "description": str,
    "liability": str,
}
# kind -> (rule class, {parameter: (type, default or None when required)})
RULE_KINDS: dict[str, tuple[type, dict[str, tuple[type, Any]]]] = {
    "network": (ThresholdRule, {"min_members": (int, None), "min_levels": (int, None)}),
    "headcount_pay": (HeadcountPayRule, {}),
    "entry_fee": (EntryFeeRule, {}),
    "team_pay": (TeamPayRule, {"min_levels_up": (int, 2)}),
    "beyond_own_sales": (BeyondOwnSalesRule, {}),
    "funds": (
        FundsRule,
        {"min_amount": (float, None), "min_members": (int, 30), "min_levels": (int, 3)},
    ),
    "retail_ratio": (RetailRatioRule, {"min_ratio": (float, 0.5)}),
}
_POLICY_KEYS: dict[str, type] = {
    "name": str,
    "version": str,
    "title": str,
    "organiser_min_downline": int,
    "organiser_min_levels": int,
}
# [policy] key -> (EvidenceThresholds field, type, range: "ratio" | int minimum | "kinds")
THRESHOLD_KEYS: dict[str, tuple[str, type, Any]] = {
    "pay_cap": ("pay_cap", float, "ratio"),
    "join_window_days": ("join_window_days", int, 0),
    "goods_match_ratio": ("goods_match_ratio", float, "ratio"),
    "join_package_min_agents": ("join_package_min_agents", int, 1),
    "join_package_min_share": ("join_package_min_share", float, "ratio"),
    "join_window_kinds": ("window_kinds", list, "kinds"),
    "join_package_kinds": ("package_kinds", list, "kinds"),
    "stock_ratio": ("stock_ratio", float, 0),
    "participants": ("participants", str, "participants"),
}
_MINIMUM = {"organiser_min_downline": 1, "organiser_min_levels": 1}


def _threshold(key: str, value: Any, where: str) -> Any:
    """A ``[policy]`` evidence threshold, checked for type and range."""
    _, want, bound = THRESHOLD_KEYS[key]
    got = _typed(value, want, where)
    if bound == "ratio" and not 0.0 <= got <= 1.0:
        raise PolicyError(f"{where}: expected a number in [0, 1], got {value!r}")
    if isinstance(bound, int) and got < bound:
        raise PolicyError(f"{where}: expected an integer >= {bound}, got {value!r}")
    if bound == "participants":
        try:
            return check_participants(got)
        except PolicyError as e:
            raise PolicyError(f"{where}: {e}") from None
    if bound == "kinds":
        bad = [k for k in got if k not in MONEY_IN_KINDS]
        if bad:
            raise PolicyError(
                f"{where}: {bad[0]!r} is not a payment kind paid in "
                f"(one of {', '.join(MONEY_IN_KINDS)})"
            )
        return tuple(dict.fromkeys(got))
    return got


def _thresholds(head: dict[str, Any], p: str) -> EvidenceThresholds:
    """The policy's evidence thresholds: the defaults, with the keys ``head`` sets."""
    values = {
        THRESHOLD_KEYS[k][0]: _threshold(k, v, f"{p}: policy.{k}")
        for k, v in head.items()
        if k in THRESHOLD_KEYS
    }
    return replace(DEFAULT_THRESHOLDS, **values)


def _typed(value: Any, want: type, where: str) -> Any:
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, want) or isinstance(value, bool):
        raise PolicyError(f"{where}: expected {want.__name__}, got {value!r}")
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: expected a list of strings, got {value!r}")
    return value


def _rule(raw: dict[str, Any], where: str) -> Any:
    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise PolicyError(f"{where}: kind {kind!r} is not one of {', '.join(RULE_KINDS)}")
    cls, params = RULE_KINDS[kind]
    unknown = set(raw) - set(_COMMON) - set(params)
    if unknown:
        raise PolicyError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} for kind "
            f"{kind!r} (allowed: {', '.join(sorted(set(_COMMON) | set(params)))})"
        )
    for key in ("id", "severity", "citation"):
        if key not in raw:
            raise PolicyError(f"{where}: missing key {key!r}")
    values = {k: _typed(raw[k], t, f"{where}.{k}") for k, t in _COMMON.items() if k in raw}
    if values["severity"] not in SEVERITY_ORDER:
        raise PolicyError(
            f"{where}.severity: {values['severity']!r} is not one of {', '.join(SEVERITY_ORDER)}"
        )
    args: dict[str, Any] = {
        "id": values["id"],
        "severity": values["severity"],
        "citation": values["citation"],
        "description": values.get("description", ""),
    }
    for name, (want, default) in params.items():
        if name in raw:
            args[name] = _typed(raw[name], want, f"{where}.{name}")
        elif default is None:
            raise PolicyError(f"{where}: missing key {name!r} for kind {kind!r}")
        else:
            args[name] = default
    if kind == "network":
        if "liability" in values:
            raise PolicyError(f"{where}: 'liability' is for money rules only")
        return cls(**args)
    liability = values.get("liability", "contractual")
    if liability not in LIABILITIES:
        raise PolicyError(
            f"{where}.liability: {liability!r} is not one of {', '.join(LIABILITIES)}"
        )
    if kind == "funds":
        args["needs_offence"] = False  # a platform's own limit stands on its own
    return cls(liability=liability, **args)


def load_policy_file(path: str | Path) -> Policy:
    """Read a policy file into a :class:`Policy`.

    TOML, or YAML when the name ends in ``.yaml`` / ``.yml`` (see the module
    docstring).

    Parameters
    ----------
    path : str or Path
        The policy file.

    Returns
    -------
    Policy

    Raises
    ------
    PolicyError
        A missing or unreadable file, or a document that does not validate.

    Notes
    -----
    O(file size).

    Examples
    --------
    >>> p = load_policy_file("docs/examples/single-tier-platform.yaml")
    >>> p.name, [r.id for r in p.rules], p.thresholds.join_window_days
    ('acme-single-tier', ['acme.one_agent_tier'], 7)
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{p}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{p}: cannot read the policy file ({exc})") from None
    fmt = "yaml" if p.suffix.lower() in (".yaml", ".yml") else "toml"
    return policy_from_text(text, fmt=fmt, where=str(p), file_name=p.name)


def policy_from_text(
    text: str, *, fmt: str = "toml", where: str = "<policy>", file_name: str | None = None
) -> Policy:
    """Parse a TOML or YAML policy document and validate it (:func:`policy_from_dict`).

    Parameters
    ----------
    text : str
        The document.
    fmt : str
        ``toml`` or ``yaml``.
    where : str
        Names the document in every error.
    file_name : str, optional
        The file's name, for the organiser citation.

    Returns
    -------
    Policy

    Raises
    ------
    PolicyError
        Not valid TOML / YAML, or a document that does not validate.

    Notes
    -----
    O(text size).

    Examples
    --------
    >>> doc = '''
    ... [policy]
    ... name = "p"
    ... version = "1"
    ... pay_cap = 0.2
    ... [[rules]]
    ... id = "p.fee"
    ... kind = "entry_fee"
    ... severity = "high"
    ... citation = "terms §1"
    ... '''
    >>> policy_from_text(doc).thresholds.pay_cap
    0.2
    >>> policy_from_text(doc.replace("0.2", "1.2"))
    Traceback (most recent call last):
    ...
    agentgraph.errors.PolicyError: <policy>: policy.pay_cap: expected a number in [0, 1], got 1.2
    """
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{where}: not valid TOML: {exc}") from None
    elif fmt == "yaml":
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{where}: not valid YAML: {exc}") from None
    else:
        raise PolicyError(f"{where}: unknown policy format {fmt!r} (toml or yaml)")
    return policy_from_dict(data, where=where, file_name=file_name)


def policy_from_dict(data: Any, *, where: str = "<policy>", file_name: str | None = None) -> Policy:
    """Validate a parsed policy document into a :class:`Policy`.

    The document is ``{"policy": {...}, "rules": [...]}``, as a TOML or YAML file or a
    JSON object gives it; the ``policy`` table may set the evidence thresholds
    (:data:`THRESHOLD_KEYS`), which start from the built-in packs' values.

    Parameters
    ----------
    data : dict
        The parsed document.
    where : str
        Names the document in every error.
    file_name : str, optional
        The file's name, for the organiser citation.

    Returns
    -------
    Policy

    Raises
    ------
    PolicyError
        Every problem (unknown, missing or duplicate key or id, wrong type, value out
        of range), naming ``where`` and the rule or key.

    Notes
    -----
    O(rules).

    Examples
    --------
    >>> doc = {"policy": {"name": "p", "version": "1", "join_window_days": 3},
    ...        "rules": [{"id": "p.fee", "kind": "entry_fee", "severity": "high",
    ...                   "citation": "terms §1"}]}
    >>> policy_from_dict(doc).thresholds.join_window_days
    3
    >>> doc["policy"]["join_window_days"] = -1
    >>> policy_from_dict(doc, where="api")
    Traceback (most recent call last):
    ...
    agentgraph.errors.PolicyError: api: policy.join_window_days: expected an integer >= 0, got -1
    """
    p = where
    if not isinstance(data, dict):
        raise PolicyError(f"{p}: expected a table with [policy] and [[rules]]")
    extra = set(data) - {"policy", "rules"}
    if extra:
        raise PolicyError(
            f"{p}: unknown table(s) {', '.join(sorted(extra))} (expected [policy] and [[rules]])"
        )
    head = data.get("policy")
    if not isinstance(head, dict):
        raise PolicyError(f"{p}: missing [policy] table")
    unknown = set(head) - set(_POLICY_KEYS) - set(THRESHOLD_KEYS)
    if unknown:
        raise PolicyError(f"{p}: [policy] has unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "version"):
        if key not in head:
            raise PolicyError(f"{p}: [policy] needs {key!r}")
    meta = {
        k: _typed(v, _POLICY_KEYS[k], f"{p}: policy.{k}")
        for k, v in head.items()
        if k in _POLICY_KEYS
    }
    for key, least in _MINIMUM.items():
        if key in meta and meta[key] < least:
            raise PolicyError(
                f"{p}: policy.{key}: expected an integer >= {least}, got {meta[key]!r}"
            )
    thresholds = _thresholds(head, p)
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise PolicyError(f"{p}: at least one [[rules]] entry is needed")
    network: list[Any] = []
    money: list[Any] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules, start=1):
        where = f"{p}: rule {i}" + (
            f" ({raw['id']})" if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
        )
        if not isinstance(raw, dict):
            raise PolicyError(f"{where}: expected a table")
        rule = _rule(raw, where)
        if rule.id in seen:
            raise PolicyError(f"{where}: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        (network if isinstance(rule, ThresholdRule) else money).append(rule)
    return Policy(
        name=meta["name"],
        version=meta["version"],
        title=meta.get("title", meta["name"]),
        rules=tuple(network),
        money_rules=tuple(money),
        organiser_min_downline=meta.get("organiser_min_downline", 30),
        organiser_min_levels=meta.get("organiser_min_levels", 3),
        thresholds=thresholds,
        organiser_citation=(
            f"policy file {file_name}, version {meta['version']}"
            if file_name
            else f"policy {meta['name']}, version {meta['version']}"
        ),
    )
