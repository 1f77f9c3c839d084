"""Who in a suspect's downline the thresholds count: participants, and after leaving.

Two readings of the 2013 SPC/SPP/MPS opinion §1 narrow a suspect's downline:

- **participants, not accounts**: under a policy that counts participants
  (:mod:`agentgraph.evidence.participants`) only the participants of the downline
  count (the suspect always does), and its levels are the relative layer of the
  deepest participant;
- **organisers who left**: with a ``left_at`` column in the member table, the
  members who joined after the suspect formally left still count *if the suspect kept
  receiving money* after leaving (a payment to the suspect dated after ``left_at``);
  if it received nothing after, they do not count; without payments (or without
  their times) this cannot be checked, and they are not counted (the finding the
  data cannot support is not made against the suspect).

Both counts, accounts and those counted, are reported; each threshold says which
it used.

Complexity: O(downline) per suspect.

Examples
--------
>>> import numpy as np
>>> layers = [np.array([0]), np.array([1, 2]), np.array([3])]
>>> keep = np.array([True, True, False, False])
>>> counted_layers(layers, keep)
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from agentgraph.evidence.joining import timestamp_micros
from agentgraph.tables import PAYOUT_KINDS, Relations, kind_mask

if TYPE_CHECKING:
    from agentgraph.analysis import Analysis

__all__ = ["LeftTimes", "left_times", "counted_layers", "suspect_counting", "organisations"]


@dataclass(frozen=True)
class LeftTimes:
    """When agents formally left, per dense id, and when they joined.

    Attributes
    ----------
    left_us, left_known : numpy.ndarray
        int64 ``left_at`` in microseconds and whether it is known.
    joined_us, joined_known : numpy.ndarray
        The same for ``joined_at`` (all unknown without the column).

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.scan("fixtures/money_law/left_members.csv")
    >>> t = left_times(a, agentgraph.read("fixtures/money_law/left_members.csv"))
    >>> int(t.left_known.sum())
    2
    """

    left_us: np.ndarray
    left_known: np.ndarray
    joined_us: np.ndarray
    joined_known: np.ndarray


def _per_agent(a: Analysis, rel: Relations, name: str) -> tuple[np.ndarray, np.ndarray]:
    from agentgraph.graph.model import dense_ids

    n = len(a.graph)
    us, known = np.zeros(n, np.int64), np.zeros(n, np.bool_)
    if name not in rel.table.column_names:
        return us, known
    t_us, ok = timestamp_micros(rel.table.column(name))
    ids = dense_ids(a.graph, rel.table.column("agent_id"), rel.table.num_rows)
    take = ok & (ids >= 0)
    us[ids[take]] = t_us[take]
    known[ids[take]] = True
    return us, known


def left_times(a: Analysis, rel: Relations | None) -> LeftTimes | None:
    """The member table's ``left_at`` (and ``joined_at``), None without ``left_at``.

    Parameters
    ----------
    a : Analysis
        The scan (with identities, the merged member table is read).
    rel : Relations or None
        The member table the scan was built from.

    Returns
    -------
    LeftTimes or None

    Notes
    -----
    O(rows).

    Examples
    --------
    >>> import agentgraph
    >>> rel = agentgraph.read("fixtures/money_law/left_members.csv")
    >>> t = left_times(agentgraph.analyse(rel), rel)
    >>> int(t.joined_known.sum()), left_times(agentgraph.analyse(rel), None) is None
    (64, True)
    """
    if a.identities is not None:
        rel = a.identities.merged
    if rel is None or rel.kind != "members" or "left_at" not in rel.table.column_names:
        return None
    left, lk = _per_agent(a, rel, "left_at")
    joined, jk = _per_agent(a, rel, "joined_at")
    if a.as_of is not None:  # as of a date: who had not left by then had not left
        from agentgraph.measure.times import parse_as_of

        limit, _ = parse_as_of(a.as_of["date"])
        lk &= left <= limit
    return LeftTimes(left, lk, joined, jk)


def counted_layers(layers: list[np.ndarray], keep: np.ndarray) -> tuple[int, int]:
    """Members and levels of a downline counting only the agents ``keep`` marks.

    Parameters
    ----------
    layers : list of numpy.ndarray
        The downline layer by layer, the suspect alone in layer 0.
    keep : numpy.ndarray
        bool per dense agent id: counted.

    Returns
    -------
    tuple of int
        ``(members, levels)``: the suspect always counts; levels = the deepest
        layer holding a counted member.

    Notes
    -----
    O(downline).

    Examples
    --------
    >>> import numpy as np
    >>> counted_layers([np.array([0]), np.array([1])], np.array([False, False]))
    (1, 1)
    """
    members, levels = 1, 1
    for k, layer in enumerate(layers[1:], start=2):
        got = int(np.count_nonzero(keep[layer]))
        if got:
            members += got
            levels = k
    return members, levels


def _received_after(a: Analysis, v: int, after_us: int) -> tuple[int, float] | None:
    """Payments to ``v`` dated after ``after_us`` (count, yuan); None when unknowable."""
    m = a.money
    if m is None or "at" not in m.payments.table.column_names:
        return None
    us, ok = timestamp_micros(m.payments.table.column("at"))
    kind = m.payments.table.column("kind")
    mask = (m.payee == v) & ok & (us > after_us) & kind_mask(kind, (*PAYOUT_KINDS, "other"))
    return int(mask.sum()), round(float(m.amounts[mask].sum()), 2)


def suspect_counting(
    a: Analysis, v: int, layers: list[np.ndarray], left: LeftTimes | None
) -> dict[str, Any]:
    """How one suspect's downline is counted: accounts, participants, after leaving.

    Parameters
    ----------
    a : Analysis
        The scan.
    v : int
        The suspect's dense id.
    layers : list of numpy.ndarray
        Its downline layers (:func:`agentgraph.appraisal.counts.downline_layers`).
    left : LeftTimes or None
        The member table's ``left_at`` (:func:`left_times`).

    Returns
    -------
    dict
        ``counted`` (``accounts`` or ``participants``), ``accounts`` (the downline's
        accounts, the suspect included), ``members`` and ``levels`` as the thresholds
        count them, ``participants`` (None when accounts are counted) and ``left``
        (None without ``left_at`` for the suspect): ``left_at``,
        ``joined_after_leaving``, ``payments_after_leaving``,
        ``received_after_leaving``, ``counted`` (whether those who joined after count;
        None when not checkable) and a ``statement``.

    Notes
    -----
    O(downline + payments).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.appraisal.counts import children_csr, downline_layers
    >>> from agentgraph.loaders.payments import read_payments
    >>> rel = agentgraph.read("fixtures/money_law/left_members.csv")
    >>> a = agentgraph.analyse(rel, payments=read_payments("fixtures/money_law/left_payments.csv"))
    >>> start, kids = children_csr(a.graph.parent)
    >>> v = a.graph.node("P01")
    >>> c = suspect_counting(a, v, downline_layers(start, kids, v), left_times(a, rel))
    >>> c["accounts"], c["members"], c["levels"], c["left"]["joined_after_leaving"]
    (32, 20, 3, 12)
    """
    n = len(a.graph)
    keep = np.ones(n, np.bool_)
    accounts = int(sum(len(x) for x in layers))
    part = a.participants
    counted = "participants" if part is not None and part.mask is not None else "accounts"
    if part is not None and part.mask is not None:
        keep &= part.mask
    out: dict[str, Any] = {"counted": counted, "accounts": accounts, "left": None}
    if counted == "participants":
        out["participants"] = counted_layers(layers, keep)[0]
    else:
        out["participants"] = None
    if left is not None and left.left_known[v]:
        after_us = int(left.left_us[v])
        below = np.concatenate(layers[1:]) if len(layers) > 1 else np.zeros(0, np.int64)
        late = below[left.joined_known[below] & (left.joined_us[below] > after_us)]
        got = _received_after(a, v, after_us)
        when = np.datetime_as_string(np.array([after_us], "datetime64[us]"), unit="s")[0]
        info: dict[str, Any] = {
            "left_at": str(when).replace("T", " "),
            "joined_after_leaving": int(len(late)),
            "payments_after_leaving": got[0] if got else None,
            "received_after_leaving": got[1] if got else None,
        }
        if not len(late):
            info["counted"] = True
            text = "nobody in the downline joined after the suspect left"
        elif got is None:
            info["counted"] = None
            text = (
                "not checked: no dated payments were given, so whether the suspect kept "
                f"receiving money after leaving is unknown; the {len(late)} who joined "
                "after leaving are not counted"
            )
        elif got[0] > 0:
            info["counted"] = True
            text = (
                f"kept receiving money after leaving ({got[0]} payments, {got[1]:,.2f} yuan): "
                f"the {len(late)} who joined after leaving are counted"
            )
        else:
            info["counted"] = False
            text = (
                f"received nothing after leaving: the {len(late)} who joined after "
                "leaving are not counted"
            )
        if not info["counted"]:
            keep[late] = False
        info["statement"] = text
        out["left"] = info
    members, levels = counted_layers(layers, keep)
    out["members"], out["levels"] = members, levels
    return out


def organisations(a: Analysis, v: int) -> dict[str, Any] | None:
    """The organisations the accounts of suspect ``v``'s person led before the merge.

    The 2013 opinion §1 adds the counts of several organisations run by one
    organiser; once identity records have merged the person's accounts
    (:mod:`agentgraph.evidence.persons`), its downline holds all of them. This says
    which: every account of the person that was a root before the merge, with that
    network's members and levels.

    Parameters
    ----------
    a : Analysis
        The scan.
    v : int
        The suspect's dense id (its person).

    Returns
    -------
    dict or None
        ``person_id``, ``accounts``, ``led`` (``root``, ``members``, ``levels`` per
        organisation) and a ``statement``; None without identities.

    Notes
    -----
    O(accounts + networks).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/identities/split_members.csv"),
    ...                        identities=res)
    >>> org = organisations(a, a.graph.node("K10"))
    >>> org["accounts"], [(o["root"], o["members"]) for o in org["led"]]
    (['K10', 'M1'], [('M1', 22)])
    """
    ie = a.identities
    if ie is None:
        return None
    person = a.graph.id_of(v)
    accounts = [person]
    for g in ie.resolution.groups:
        if g["person"] == person:
            accounts = list(g["accounts"])
            break
    before, nets = ie.graph_before, ie.networks_before
    led = []
    root_net = {int(r): j for j, r in enumerate(nets.roots)}
    for acc in accounts:
        u = int(before.node(acc))
        if u >= 0 and before.parent[u] < 0 and u in root_net:
            j = root_net[u]
            led.append(
                {"root": acc, "members": int(nets.members[j]), "levels": int(nets.levels[j])}
            )
    n = len(led)
    names = ", ".join(f"{o['root']}: {o['members']} members, {o['levels']} levels" for o in led)
    if n == 0:
        statement = f"no account of {person} ({', '.join(accounts)}) was the root of a network"
    else:
        statement = (
            f"{person}'s accounts ({', '.join(accounts)}) led {n} "
            f"organisation{'s' if n > 1 else ''} before the merge ({names}); "
            "the merged downline adds their counts (2013 opinion §1)"
        )
    return {"person_id": person, "accounts": accounts, "led": led, "statement": statement}
