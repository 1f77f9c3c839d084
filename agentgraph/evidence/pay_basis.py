"""What stands behind each payout to an upline: a sale, a recruitment, or nothing known.

The law tells two kinds of upline pay apart (《禁止传销条例》(2005) 第七条; 2013
SPC/SPP/MPS opinion §5): pay on a downline's *sales* is team pay (团队计酬,
administrative), pay for *recruiting* people is head-count pay (拉人头, the crime).
Real payout ledgers seldom say which: CRMEB's brokerage records carry a link type,
Niushop's commission table a tier, many ledgers neither an order id nor a type.
:func:`pay_basis` decides each payout (a commission or rebate whose payee sits
``levels_up >= 1`` above its ``source_agent_id``) from every signal the inputs carry,
in this order, the first that speaks deciding:

1. ``order_id`` -- a payout naming an order is pay on a sale;
2. ``link_type`` -- a recognised type (:data:`SALE_LINK_TYPES`: ``order``, 订单 ...;
   :data:`RECRUIT_LINK_TYPES`: ``invite``, 拉新, 推荐奖 ...) decides either way;
3. ``orders`` -- the recruit took part in an order (as seller or buyer) within
   ``window_days`` of the payout: pay on a sale;
4. ``join_time`` -- the payout falls within ``window_days`` of the recruit's
   ``joined_at`` (and, when orders were given, no sale of the recruit stands near
   it): pay for the recruitment;
5. ``no_order_id`` -- the ledger has an ``order_id`` column and this payout names
   none: pay for the recruitment;
6. otherwise ``not_checked``: the basis is unknown, and neither team pay nor
   head-count pay is claimed for it (the report says what is missing).

Complexity: O(p) for the column signals; O((p + o) log o) for the order signal
(one sort of the o orders' (agent, time) keys, one binary search per payout).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.evidence.joining import JoinTimes, timestamp_micros
from agentgraph.graph.model import RecruitmentGraph, order_dense_ids
from agentgraph.tables import Orders, Payments

__all__ = [
    "PayBasis",
    "pay_basis",
    "SIGNALS",
    "SALE_LINK_TYPES",
    "RECRUIT_LINK_TYPES",
    "NONE",
    "SALE",
    "RECRUITMENT",
    "UNKNOWN",
]

NONE, SALE, RECRUITMENT, UNKNOWN = 0, 1, 2, 3  # basis codes (NONE: not an upline payout)
SIGNALS = ("order_id", "link_type", "orders", "join_time", "no_order_id", "not_checked")
"""Names of the signals, in the order they decide (index + 1 = code in ``decided_by``)."""

SALE_LINK_TYPES = frozenset(
    {"order", "orders", "sale", "sales", "purchase", "goods", "consume", "consumption"}
    | {"订单", "销售", "购物", "消费", "下单", "业绩", "分销", "订单佣金", "销售佣金"}
)
RECRUIT_LINK_TYPES = frozenset(
    {"invite", "invitation", "recruit", "recruitment", "referral", "register", "registration"}
    | {"signup", "sign_up", "spread", "new_member", "拉新", "邀请", "推荐", "注册", "招募"}
    | {"直推", "推荐奖", "直推奖", "邀请奖", "拉新奖", "人头"}
)
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class PayBasis:
    """The basis of every payment and the signal that decided it.

    Attributes
    ----------
    basis : numpy.ndarray
        int8 per payment: :data:`NONE` (not a payout to an upline), :data:`SALE`,
        :data:`RECRUITMENT` or :data:`UNKNOWN`.
    decided_by : numpy.ndarray
        int8 per payment: 0 for :data:`NONE`, else 1 + the index in :data:`SIGNALS`.
    available : tuple of str
        The signals the inputs carried (``not_checked`` excluded).
    missing : dict of str to str
        Signal -> why it could not be read (e.g. no order table was given).

    Examples
    --------
    >>> import numpy as np
    >>> b = PayBasis(np.array([0, 1, 3], np.int8), np.array([0, 1, 6], np.int8),
    ...              ("order_id",), {"orders": "no order table was given"})
    >>> b.counts(np.ones(3, bool)), b.sale.tolist()
    ({'order_id': 1, 'not_checked': 1}, [False, True, False])
    """

    basis: np.ndarray
    decided_by: np.ndarray
    available: tuple[str, ...]
    missing: dict[str, str]

    @cached_property
    def sale(self) -> np.ndarray:
        """Bool per payment: an upline payout on a sale."""
        out: np.ndarray = self.basis == SALE
        return out

    @cached_property
    def recruitment(self) -> np.ndarray:
        """Bool per payment: an upline payout for a recruitment."""
        out: np.ndarray = self.basis == RECRUITMENT
        return out

    @cached_property
    def unknown(self) -> np.ndarray:
        """Bool per payment: an upline payout whose basis no signal decided."""
        out: np.ndarray = self.basis == UNKNOWN
        return out

    def counts(self, rows: np.ndarray) -> dict[str, int]:
        """Payments under the boolean or index selection ``rows``, per deciding signal.

        O(rows). Signals deciding nothing are left out.
        """
        got = np.bincount(self.decided_by[rows].astype(np.int64), minlength=len(SIGNALS) + 1)
        return {s: int(got[k + 1]) for k, s in enumerate(SIGNALS) if got[k + 1]}

    def not_checked(self) -> list[str]:
        """The signals that could not be read, as ``"signal: why"`` lines."""
        return [f"{s}: {why}" for s, why in self.missing.items()]


def _link_basis(col: pa.ChunkedArray) -> np.ndarray:
    """int8 per payment: SALE, RECRUITMENT or NONE from the link type's words. O(p)."""
    txt = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(col, pa.string())))
    out = np.zeros(len(txt), np.int8)
    for value, words in ((SALE, SALE_LINK_TYPES), (RECRUITMENT, RECRUIT_LINK_TYPES)):
        hit = pc.fill_null(pc.is_in(txt, value_set=pa.array(sorted(words))), False)
        out[np.asarray(hit.to_numpy(zero_copy_only=False), bool)] = value
    return out


def sale_near(
    agent: np.ndarray,
    t_us: np.ndarray,
    order_agent: np.ndarray,
    order_us: np.ndarray,
    window_us: int,
) -> np.ndarray:
    """Whether ``agent[i]`` has an order within ``window_us`` of ``t_us[i]``.

    Parameters
    ----------
    agent, t_us : numpy.ndarray
        Dense agent id and time (microseconds) of each query.
    order_agent, order_us : numpy.ndarray
        Dense agent id and time of each order participation.
    window_us : int
        Largest distance in time, both sides (boundary included).

    Returns
    -------
    numpy.ndarray
        bool per query.

    Notes
    -----
    Sort the orders by (agent, time) once, then two binary searches per query:
    O((q + o) log o).

    Examples
    --------
    >>> import numpy as np
    >>> sale_near(np.array([0, 0, 1]), np.array([10, 50, 10]),
    ...           np.array([0, 1]), np.array([12, 100]), 5).tolist()
    [True, False, False]
    """
    if not len(order_agent) or not len(agent):
        return np.zeros(len(agent), np.bool_)
    order = np.lexsort((order_us, order_agent))
    oa, ot = order_agent[order], order_us[order]
    # first order of the agent at or after t - w: search the (agent, time) pairs
    start = np.searchsorted(oa, agent, "left")
    end = np.searchsorted(oa, agent, "right")
    out = np.zeros(len(agent), np.bool_)
    has = end > start
    idx = np.flatnonzero(has)
    # per query, binary search within its agent's slice: vectorised by offsetting time
    lo, hi = start[idx].copy(), end[idx].copy()
    target = t_us[idx] - window_us
    while True:
        live = lo < hi
        if not live.any():
            break
        mid = (lo + hi) // 2
        go_right = live & (ot[np.minimum(mid, len(ot) - 1)] < target)
        lo = np.where(go_right, mid + 1, lo)
        hi = np.where(live & ~go_right, mid, hi)
    found = lo < end[idx]
    near = found & (ot[np.minimum(lo, len(ot) - 1)] <= t_us[idx] + window_us)
    out[idx] = near
    return out


def pay_basis(
    graph: RecruitmentGraph,
    payments: Payments,
    upline_paid: np.ndarray,
    source: np.ndarray,
    *,
    joined: JoinTimes | None,
    orders: Orders | None,
    window_days: int,
    order_ids: tuple[np.ndarray, np.ndarray] | None = None,
) -> PayBasis:
    """Decide the basis of every upline payout (see the module docstring).

    Parameters
    ----------
    graph : RecruitmentGraph
        The recruitment graph (to encode the orders' ids).
    payments : Payments
        The payment table.
    upline_paid : numpy.ndarray
        bool per payment: a commission or rebate paid ``levels_up >= 1`` above its
        source agent.
    source : numpy.ndarray
        Dense id of each payment's source agent (-1: none).
    joined : JoinTimes, optional
        The agents' ``joined_at``.
    orders : Orders, optional
        The order table.
    window_days : int
        The joining window and the distance to a sale (the policy's
        ``join_window_days``); boundaries included.
    order_ids : tuple of numpy.ndarray, optional
        The orders' seller and buyer dense ids when already encoded
        (:func:`agentgraph.graph.model.order_dense_ids`).

    Returns
    -------
    PayBasis

    Notes
    -----
    O(p) plus O((p + o) log o) with orders.

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(一) 拉人头, (三) 团队计酬.
    .. [2] 最高人民法院、最高人民检察院、公安部 (2013) 意见 §5: team pay on real sales is
       an administrative violation; pay on the number of people recruited is the crime.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money_law/x_members.csv"),
    ...     payments=read_payments("fixtures/money_law/headcount_payments.csv"),
    ... )
    >>> b = a.money.basis
    >>> b.counts(b.basis > 0), b.available
    ({'join_time': 10}, ('join_time',))
    """
    t = payments.table
    n = t.num_rows
    basis = np.zeros(n, np.int8)
    by = np.zeros(n, np.int8)
    todo = upline_paid.copy()
    available: list[str] = []
    missing: dict[str, str] = {}

    def decide(mask: np.ndarray, value: int, signal: str) -> None:
        hit = todo & mask
        basis[hit] = value
        by[hit] = SIGNALS.index(signal) + 1
        todo[hit] = False

    order_col = payments.column("order_id")
    if order_col is not None:
        available.append("order_id")
        decide(
            np.asarray(pc.is_valid(order_col).to_numpy(zero_copy_only=False), bool),
            SALE,
            "order_id",
        )
    else:
        missing["order_id"] = "the payments have no order_id column"
    link = payments.column("link_type")
    if link is not None:
        available.append("link_type")
        lb = _link_basis(link)
        decide(lb == SALE, SALE, "link_type")
        decide(lb == RECRUITMENT, RECRUITMENT, "link_type")
    else:
        missing["link_type"] = "the payments have no link_type column"
    at = payments.column("at")
    pay_us, pay_ok = (
        timestamp_micros(at) if at is not None else (np.zeros(n, np.int64), np.zeros(n, bool))
    )
    window = int(window_days) * _DAY_US
    if orders is not None:
        available.append("orders")
        ot = orders.table
        seller, buyer = order_ids if order_ids is not None else order_dense_ids(graph, orders)
        who = np.concatenate([seller, buyer])
        if "at" in ot.column_names:
            o_us, o_ok = timestamp_micros(ot.column("at"))
            when = np.concatenate([o_us, o_us])
            ok = (who >= 0) & np.concatenate([o_ok, o_ok])
            q = np.flatnonzero(todo & pay_ok & (source >= 0))
            near = np.zeros(n, bool)
            near[q] = sale_near(source[q], pay_us[q], who[ok], when[ok], window)
            decide(near, SALE, "orders")
        else:
            any_order = np.zeros(len(graph), bool)
            any_order[who[who >= 0]] = True
            decide((source >= 0) & any_order[np.maximum(source, 0)], SALE, "orders")
            missing["orders"] = "the orders have no time, so any order of the recruit counted"
    else:
        missing["orders"] = "no order table was given"
    if joined is not None and at is not None:
        available.append("join_time")
        s = np.maximum(source, 0)
        gap = pay_us - joined.us[s]
        at_join = (source >= 0) & pay_ok & joined.known[s] & (np.abs(gap) <= window)
        decide(at_join, RECRUITMENT, "join_time")
    else:
        missing["join_time"] = (
            "the payments have no time" if joined is not None else "the members have no joined_at"
        )
    if order_col is not None:
        decide(np.ones(n, bool), RECRUITMENT, "no_order_id")
    decide(np.ones(n, bool), UNKNOWN, "not_checked")
    return PayBasis(basis, by, tuple(available), missing)
