"""The numbers the evidence is measured with, held by a policy.

The evidence modules (:mod:`agentgraph.evidence`) take arrays and numbers; which
numbers is a legal choice, so it belongs to the policy. :class:`EvidenceThresholds`
holds them (the pay cap, the joining window, the goods-match ratio, the join-package
minimum agents and share, and the payment kinds the window and packages read);
:data:`DEFAULT_THRESHOLDS` holds the values of the built-in packs (``cn``,
``us-ftc``, ``eu-ucpd``), and a custom policy (:mod:`agentgraph.policies.custom`)
starts from them and may set any of them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EvidenceThresholds", "DEFAULT_THRESHOLDS"]


@dataclass(frozen=True)
class EvidenceThresholds:
    """The thresholds the evidence functions are called with; boundaries included.

    Attributes
    ----------
    pay_cap : float
        Largest share of an agent's own sales its commissions and rebates may reach
        (0.30: pay above 30% of own sales is over the cap).
    join_window_days : int
        A payment up to this many days after the payer's ``joined_at`` (or any time
        before it) is made at joining.
    goods_match_ratio : float
        A payer's payments at joining to one payee are matched by goods when the
        orders it bought from that payee reach this share of them.
    join_package_min_agents : int
        Fewest recruits of a network paying the same amount at joining for that
        amount to be a join package.
    join_package_min_share : float
        ... and the least share of the network's recruits with a known ``joined_at``
        they must be.
    window_kinds : tuple of str
        Payment kinds that may hide an entry fee when paid at joining.
    package_kinds : tuple of str
        Payment kinds a join package is recognised in.
    stock_ratio : float
        An agent buying from its supply upline at least this many times what it
        sells on is loading inventory (囤货; :mod:`agentgraph.evidence.supply`).
    participants : str
        Which agents the member thresholds count (``accounts``, ``paid``,
        ``entry_fee`` or ``COLUMN=VALUE`` filters; :mod:`agentgraph.evidence.participants`).

    Notes
    -----
    Plain numbers, O(1). The defaults encode the readings documented in
    ``docs/legal.md``: a purchase at joining that buys membership, not goods, is an
    entry fee in disguise (禁止传销条例 Art. 7(2)); direct sellers' pay is capped at
    30% of their own sales (直销管理条例 Art. 24).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二): 以认购商品等方式变相交纳费用.
    .. [2] 《直销管理条例》(2005, 2017 修订) 第二十四条: 直销员的报酬总额不得超过其本人
       直接向消费者销售产品收入的 30%.

    Examples
    --------
    >>> from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS
    >>> DEFAULT_THRESHOLDS.pay_cap, DEFAULT_THRESHOLDS.join_window_days
    (0.3, 7)
    >>> from dataclasses import replace
    >>> replace(DEFAULT_THRESHOLDS, goods_match_ratio=0.5).goods_match_ratio
    0.5
    """

    pay_cap: float = 0.30
    join_window_days: int = 7
    goods_match_ratio: float = 0.8
    join_package_min_agents: int = 3
    join_package_min_share: float = 0.5
    window_kinds: tuple[str, ...] = ("goods", "other")
    package_kinds: tuple[str, ...] = ("entry_fee", "goods", "other")
    stock_ratio: float = 3.0
    participants: str = "accounts"


# 直销管理条例 Art. 24: pay <= 30% of own sales; a purchase up to 7 days after joining
# (or any time before) is "at joining"; goods >= 80% of what was paid is a real
# purchase; >= 3 recruits, at least half of those with a join time, paying the same
# amount at joining is a join package.
DEFAULT_THRESHOLDS = EvidenceThresholds()
