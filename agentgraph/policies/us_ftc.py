"""Policy ``us-ftc``: the US Federal Trade Commission's pyramid tests.

Koscot (In re Koscot Interplanetary, 86 F.T.C. 1106 (1975)), followed by
Omnitrition (9th Cir. 1996) and BurnLounge (FTC v. BurnLounge, 753 F.3d 878 (9th
Cir. 2014)): a pyramid is characterised by participants paying money for the right
to sell and to receive rewards for recruiting others that are unrelated to sales
to ultimate users. The Vemma stipulated order (FTC v. Vemma Development Co., D.
Ariz. 2016) pays compensation only where more than 50% of a distributor's revenue
comes from sales to non-participants. The US sets no depth threshold, so this
pack has no network-size rule: it reads payments and orders only.
"""

from __future__ import annotations

from agentgraph.policies.base import Policy
from agentgraph.policies.money import EntryFeeRule, HeadcountPayRule, RetailRatioRule
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS

__all__ = ["POLICY"]

_KOSCOT = "In re Koscot Interplanetary, Inc., 86 F.T.C. 1106, 1180 (1975)"
_BURNLOUNGE = "FTC v. BurnLounge, Inc., 753 F.3d 878 (9th Cir. 2014)"

RECRUITMENT_REWARDS = HeadcountPayRule(
    id="us.ftc.recruitment_rewards",
    severity="high",
    citation=f"{_KOSCOT}; {_BURNLOUNGE}; FTC Act §5 (15 U.S.C. §45)",
    description="Rewards paid to uplines for recruiting, with no sale to an ultimate user "
    "behind them (Koscot, second prong).",
    liability="civil",
)

ENTRY_PAYMENT = EntryFeeRule(
    id="us.ftc.entry_payment",
    severity="medium",
    citation=f"{_KOSCOT} (first prong: payment for the right to sell and recruit)",
    description="Participants pay to join or to gain the right to recruit (Koscot, first "
    "prong; unlawful together with recruitment rewards): an entry fee, or one in "
    "disguise (a purchase at joining not matched by goods, a join package).",
    liability="civil",
)

RETAIL_RATIO = RetailRatioRule(
    id="us.ftc.retail_ratio",
    severity="high",
    citation="FTC v. Vemma Development Co., No. CV-15-01578 (D. Ariz. 2016), stipulated "
    "order (> 50% of revenue from non-participants); FTC v. Herbalife (2016)",
    description="Members sell half or less of their sales (by amount) to people outside the "
    "network: revenue comes from participants, not ultimate users.",
    liability="civil",
    min_ratio=0.5,
)

POLICY = Policy(
    name="us-ftc",
    version="koscot-vemma/1",
    title="United States: FTC pyramid tests (Koscot, BurnLounge, Vemma)",
    rules=(),
    organiser_min_downline=30,
    organiser_min_levels=3,
    organiser_citation="structural measure only: US law sets no head-count threshold",
    money_rules=(RECRUITMENT_REWARDS, ENTRY_PAYMENT, RETAIL_RATIO),
    thresholds=DEFAULT_THRESHOLDS,
)
