"""Participants, not accounts: which agents took part, as the policy states it.

The 2013 SPC/SPP/MPS opinion counts the people who took part in the activity (参与
传销活动人员), not the accounts of a platform: an export lists every registered user,
only some of whom joined and paid. The policy's ``participants`` setting says which
agents are participants:

- ``accounts`` (the default): every agent of the input;
- ``paid``: agents who paid money in (an entry fee, goods or other; needs payments);
- ``entry_fee``: agents who paid an entry fee (kind ``entry_fee``; needs payments);
- ``COLUMN=VALUE`` filters on the member table, as ``--where`` reads them (loaders
  filters), several joined by ``;``: ``is_promoter=1``, ``status=1;status=2``.

The root of every network (the organiser) is always a participant. Under a setting
other than ``accounts``, a network's members are its participants and its levels are
the layer of its deepest participant (a layer of the recruitment tree, root = level 1,
accounts between participants keep their layer); both counts, accounts and
participants, are reported, and each threshold flag says which it used
(``counted``).

Complexity: O(n) for the mask (one filter pass or one bincount over the payments),
O(n) for the per-network counts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from agentgraph.errors import PolicyError
from agentgraph.graph.model import RecruitmentGraph, dense_ids
from agentgraph.loaders.filters import parse_where, where_mask
from agentgraph.measure.hierarchy import Hierarchy
from agentgraph.measure.networks import Networks
from agentgraph.tables import MONEY_IN_KINDS, Payments, Relations

__all__ = ["Participants", "participants", "check_participants", "ACCOUNTS"]

ACCOUNTS = "accounts"
_PAID = {"paid": MONEY_IN_KINDS, "entry_fee": ("entry_fee",)}


def check_participants(spec: str) -> str:
    """``spec`` if it is a participants setting, else :class:`~agentgraph.errors.PolicyError`.

    Parameters
    ----------
    spec : str
        ``accounts``, ``paid``, ``entry_fee`` or ``COLUMN=VALUE`` filters joined by ``;``.

    Returns
    -------
    str
        The setting, surrounding spaces removed.

    Raises
    ------
    PolicyError
        Any other text.

    Notes
    -----
    O(len(spec)).

    Examples
    --------
    >>> check_participants("is_promoter=1"), check_participants("paid")
    ('is_promoter=1', 'paid')
    >>> check_participants("promoters")
    Traceback (most recent call last):
    ...
    agentgraph.errors.PolicyError: participants 'promoters' is not accounts, paid, entry_fee or COLUMN=VALUE filters joined by ';'
    """  # noqa: E501
    text = spec.strip()
    if text in (ACCOUNTS, *_PAID):
        return text
    try:
        if text and parse_where(_filters(text)):
            return text
    except Exception:  # noqa: BLE001 - the message below names the setting
        pass
    raise PolicyError(
        f"participants {spec!r} is not accounts, paid, entry_fee or COLUMN=VALUE "
        "filters joined by ';'"
    )


def _filters(spec: str) -> list[str]:
    return [f.strip() for f in spec.split(";") if f.strip()]


@dataclass(frozen=True)
class Participants:
    """Which agents are participants, and the networks counted over them.

    Attributes
    ----------
    spec : str
        The policy's setting.
    mask : numpy.ndarray or None
        bool per dense agent (roots always True); None when every account counts
        (``accounts``, or a setting the inputs could not support).
    members : numpy.ndarray or None
        int64 per network: participants (root included).
    levels : numpy.ndarray or None
        int32 per network: the layer of the deepest participant (root = 1).
    missing : str or None
        Why the setting could not be applied (accounts were counted instead).

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/money_law/participants_members.csv"),
    ...                        policy="cn")
    >>> a.participants is None
    True
    """

    spec: str
    mask: np.ndarray | None
    members: np.ndarray | None
    levels: np.ndarray | None
    missing: str | None = None

    @property
    def applied(self) -> bool:
        """Whether members were counted as participants."""
        return self.mask is not None

    def counting(self, nets: Networks) -> Networks:
        """``nets`` with members and levels counted over participants (or ``nets``)."""
        if self.members is None or self.levels is None:
            return nets
        return dataclasses.replace(
            nets,
            members=self.members,
            levels=self.levels,
            accounts=nets.members,
            counted="participants",
        )

    def as_dict(self, nets: Networks) -> dict[str, object]:
        """The report's ``participants`` entry: setting, totals, what was missing."""
        out: dict[str, object] = {"rule": self.spec, "applied": self.applied}
        out["accounts"] = int(nets.members.sum())
        out["participants"] = int(self.members.sum()) if self.members is not None else None
        if self.missing:
            out["missing"] = self.missing
        return out


def participants(
    spec: str,
    data: Relations | None,
    graph: RecruitmentGraph,
    h: Hierarchy,
    n_networks: int,
    payments: Payments | None,
) -> Participants:
    """Mark the participants under ``spec`` and count them per network.

    Parameters
    ----------
    spec : str
        The setting (see the module docstring).
    data : Relations, optional
        The member table (for ``COLUMN=VALUE`` filters).
    graph : RecruitmentGraph
        The recruitment graph.
    h : Hierarchy
        Its hierarchy (depth and network of every agent).
    n_networks : int
        Number of networks.
    payments : Payments, optional
        The payments (for ``paid`` and ``entry_fee``).

    Returns
    -------
    Participants

    Raises
    ------
    InputError
        A filter names a column the member table lacks.

    Notes
    -----
    O(n + p).

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
       若干问题的意见》(2013) §1: 参与传销活动人员 (people who took part), 层级.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.policies import get_policy, with_participants
    >>> pol = with_participants(get_policy("cn"), "is_promoter=1")
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money_law/participants_members.csv"), pol)
    >>> int(a.participants.members[0]), int(a.networks.members[0]), a.flagged.tolist()
    (27, 32, [False])
    """
    spec = check_participants(spec)
    n = len(graph)
    if spec == ACCOUNTS:
        return Participants(spec, None, None, None)
    mask = np.zeros(n, np.bool_)
    if spec in _PAID:
        if payments is None:
            return Participants(
                spec, None, None, None, f"'{spec}' needs payments; accounts counted"
            )
        t = payments.table
        payer = dense_ids(graph, t.column("payer_id"), t.num_rows)
        paid = payments.kind_in(_PAID[spec]) & (payer >= 0)
        mask[payer[paid]] = True
    else:
        if data is None or data.kind != "members":
            return Participants(
                spec, None, None, None, "participant filters need a member table; accounts counted"
            )
        got = where_mask(data.table, parse_where(_filters(spec)), data.source)
        keep = (
            np.asarray(got.to_numpy(zero_copy_only=False), np.bool_)
            if got is not None
            else np.ones(data.table.num_rows, np.bool_)
        )
        ids = dense_ids(graph, data.table.column("agent_id"), data.table.num_rows)
        ok = ids >= 0
        mask[ids[ok & keep]] = True
    mask[h.depth == 0] = True
    members = np.bincount(h.net[mask], minlength=n_networks)[:n_networks].astype(np.int64)
    levels = np.zeros(n_networks, np.int32)
    np.maximum.at(levels, h.net[mask], (h.depth[mask] + 1).astype(np.int32))
    return Participants(spec, mask, members, levels)
