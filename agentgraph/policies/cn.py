"""Policy ``cn``: China's thresholds for organising or leading pyramid selling.

Source: 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
若干问题的意见》(2013) §1, and 立案追诉标准(二) Art. 78 as amended: an organiser
or leader of a pyramid-selling activity with >= 30 participants over >= 3
levels is prosecuted (Criminal Law Art. 224-1); >= 120 participants is a
serious circumstance (情节严重). Counts include the organiser and the
organiser's own level; rank titles are not levels.
"""

from __future__ import annotations

from agentgraph.policies.base import Gating, Policy, ThresholdRule
from agentgraph.policies.circumstances import FundsRule, RecidivistRule
from agentgraph.policies.money import (
    BeyondOwnSalesRule,
    EntryFeeRule,
    HeadcountPayRule,
    TeamPayRule,
)
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS

__all__ = [
    "POLICY",
    "THRESHOLD",
    "SERIOUS",
    "HEADCOUNT_PAY",
    "ENTRY_FEE",
    "TEAM_PAY",
    "DIRECT_SELLING_PAY",
    "SERIOUS_FUNDS",
    "RECIDIVIST",
    "RECIDIVIST_SERIOUS",
]

_OPINION = (
    "最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律"
    "若干问题的意见》(2013) §1"
)

THRESHOLD = ThresholdRule(
    id="cn.threshold",
    severity="high",
    citation=f"{_OPINION}; 《最高人民检察院、公安部关于公安机关管辖的刑事案件立案追诉标准的"
    "规定(二)》; 《刑法》第二百二十四条之一",
    description="Network with >= 30 members over >= 3 levels (root counted as level 1): "
    "the prosecution threshold for organising or leading pyramid selling.",
    min_members=30,
    min_levels=3,
)

SERIOUS = ThresholdRule(
    id="cn.serious",
    severity="critical",
    citation=f"{_OPINION}, 情节严重 (1); 《刑法》第二百二十四条之一",
    description="Network with >= 120 members over >= 3 levels: serious circumstances "
    "(情节严重) under the 2013 opinion.",
    min_members=120,
    min_levels=3,
)

_REGULATIONS = "《禁止传销条例》(2005) 第七条"

HEADCOUNT_PAY = HeadcountPayRule(
    id="cn.headcount_pay",
    severity="high",
    citation=f"{_REGULATIONS}(一) 拉人头; 最高人民法院、最高人民检察院、公安部 (2013) 意见 §5; "
    "《刑法》第二百二十四条之一",
    description="Commissions or rebates paid to an upline on a downline's joining, with no "
    "sale behind them (拉人头): pay computed from people recruited.",
    liability="criminal",
)

ENTRY_FEE = EntryFeeRule(
    id="cn.entry_fee",
    severity="high",
    citation=f"{_REGULATIONS}(二) 入门费 (以交纳费用或者以认购商品等方式变相交纳费用); {_OPINION}",
    description="Agents paid an entry fee to join or to gain the right to recruit (入门费): "
    "a payment of kind entry_fee, a purchase at joining not matched by goods of "
    "similar value (with orders), or a join package (>= 3 recruits, at least "
    "half of those with a join time, paid the same amount at joining).",
    liability="criminal",
)

TEAM_PAY = TeamPayRule(
    id="cn.team_pay",
    severity="medium",
    citation=f"{_REGULATIONS}(三) 团队计酬; 最高人民法院、最高人民检察院、公安部 (2013) 意见 §5 "
    "(sales-based team pay is an administrative violation, not the crime)",
    description="Commissions on downline sales reach >= 2 levels above the seller (团队计酬); "
    "administrative when the pay is sales-based.",
    liability="administrative",
    min_levels_up=2,
)

DIRECT_SELLING_PAY = BeyondOwnSalesRule(
    id="cn.direct_selling_pay",
    severity="medium",
    citation="《直销管理条例》(2005, 2017 修订) 第二十四条",
    description="Pay beyond the seller's own sales: a commission or rebate paid to someone "
    "other than the agent whose sale or recruitment caused it.",
    liability="administrative",
)

SERIOUS_FUNDS = FundsRule(
    id="cn.serious_funds",
    severity="critical",
    citation=f"{_OPINION}, 情节严重 (2): 直接或者间接收取传销资金 250 万元以上",
    description="A network of >= 30 members over >= 3 levels whose root collected >= 2.5M "
    "yuan from its downline, directly or indirectly.",
    liability="criminal",
    min_amount=2_500_000.0,
    min_members=30,
    min_levels=3,
)

RECIDIVIST = RecidivistRule(
    id="cn.recidivist",
    severity="high",
    citation=f"{_OPINION}: 曾因组织、领导传销活动受过刑事处罚，或者一年以内因组织、领导传销活动"
    "受过行政处罚，又直接或者间接发展参与传销活动人员在十五人以上且层级在三级以上",
    description="An agent marked with a prior penalty whose downline (the agent included) "
    "reaches >= 15 people over >= 3 levels.",
    liability="criminal",
    min_members=15,
    min_levels=3,
)

RECIDIVIST_SERIOUS = RecidivistRule(
    id="cn.recidivist_serious",
    severity="critical",
    citation=f"{_OPINION}, 情节严重 (3): 曾受过刑事处罚或者一年以内受过行政处罚，"
    "又发展参与传销活动人员累计达六十人以上",
    description="An agent marked with a prior penalty whose downline (the agent included) "
    "reaches >= 60 people (over >= 3 levels): serious circumstances.",
    liability="criminal",
    min_members=60,
    min_levels=3,
)

POLICY = Policy(
    name="cn",
    version="2013-opinion/1",
    title="China: 2013 SPC/SPP/MPS opinion on pyramid-selling cases",
    rules=(THRESHOLD, SERIOUS),
    organiser_min_downline=30,
    organiser_min_levels=3,
    organiser_citation=_OPINION,
    money_rules=(
        HEADCOUNT_PAY,
        ENTRY_FEE,
        TEAM_PAY,
        DIRECT_SELLING_PAY,
        SERIOUS_FUNDS,
        RECIDIVIST,
        RECIDIVIST_SERIOUS,
    ),
    # 2013 opinion §1: 传销活动 = joining by paying (入门费) and pay from recruiting
    # (拉人头); with payment records, 30/3 alone is not the offence.
    gating=Gating(requires_any=(HEADCOUNT_PAY.id, ENTRY_FEE.id)),
    thresholds=DEFAULT_THRESHOLDS,
)
