"""The English and Chinese labels of the HTML report.

Severities, structures, data issues, payment kinds, liabilities, needed evidence
and money evidence keys.

Every label gives the English text first and the Chinese after it, so an analyst
reading either language finds the same page; unknown keys are shown as-is.

Examples
--------
>>> SEVERITY_LABEL["critical"], STRUCTURE_LABEL["five_tier_plus"]
('Critical 情节严重', 'Five tiers or more 五级及以上')
>>> KIND_ORDER[0], KIND_LABEL["entry_fee"]
('entry_fee', 'Entry fee 入门费')
"""

from __future__ import annotations

__all__ = [
    "ISSUE_LABEL",
    "KIND_LABEL",
    "KIND_ORDER",
    "LIABILITY_LABEL",
    "MONEY_EVIDENCE_LABEL",
    "NEEDS_LABEL",
    "SEVERITY_LABEL",
    "SEVERITY_RANK",
    "STRUCTURE_LABEL",
]

SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
"""Order of severities, lowest first; unknown severities rank below ``info``."""


SEVERITY_LABEL = {
    "critical": "Critical 情节严重",
    "high": "High 高",
    "medium": "Medium 中",
    "low": "Low 低",
    "info": "Info 提示",
}
"""Severity badge text by severity."""


STRUCTURE_LABEL = {
    "single_tier": "Single tier 单层",
    "multi_level": "Multi-level 多层级",
    "five_tier_plus": "Five tiers or more 五级及以上",
}
"""Structure class of a network (``structure`` in the report) by its key."""


ISSUE_LABEL = {
    "cycle": "Cycle 循环推荐",
    "self_referral": "Self-referral 自我推荐",
    "multiple_uplines": "Multiple uplines 多个上线",
    "unknown_upline": "Unknown upline 上线不存在",
    "duplicate_agent": "Duplicate agent 重复代理",
    "no_upline_value": "No-upline value 无上线取值",
    "upline_disagreement": "Upline disagreement 上级记录不一致",
}
"""Data issue kinds (``data_issues[].kind``) by key."""


KIND_ORDER = ("entry_fee", "commission", "goods", "rebate", "other")
"""Payment kinds in the order the money section lists them; other kinds follow."""


KIND_LABEL = {
    "entry_fee": "Entry fee 入门费",
    "commission": "Commission 佣金",
    "goods": "Goods 货款",
    "rebate": "Rebate 返利",
    "other": "Other 其他",
}
"""Payment kinds (``money.by_kind``, example payments) by key."""


LIABILITY_LABEL = {
    "criminal": "Criminal 刑事",
    "administrative": "Administrative 行政",
    "civil": "Civil 民事",
    "contractual": "Platform rule 平台规则",
}
"""Liability of a rule or money flag by key (criminal liability gets a red badge)."""


NEEDS_LABEL = {
    "payments": ("payments 付款数据", "无付款数据"),
    "orders": ("orders 订单数据", "无订单数据"),
    "prior_penalties": ("prior penalties 前科标记", "无前科标记"),
}
"""Evidence a rule needs: (label when given, Chinese text when missing) by key."""


MONEY_EVIDENCE_LABEL = {
    "payments": "Payments 付款笔数",
    "amount": "Amount 金额",
    "share_of_payouts": "Share of payouts 占返佣比例",
    "payment_rows": "Payment rows 付款行号 (1-based 从1起)",
    "examples": "Examples 示例",
    "max_levels_up": "Max levels up 最高上溯层级",
    "min_levels_up": "Min levels up 最低上溯层级",
    "collected": "Collected 收取资金",
    "direct": "From direct recruits 直接下线",
    "through_downline": "Through downline 间接下线",
    "min_amount": "Threshold amount 金额标准",
    "members": "Members 人数",
    "levels": "Levels 层级",
    "disguised": "Disguised entry fees 变相入门费 (purchases at joining 入会购货)",
    "join_package": "Join package 入门套餐 (forced first purchase 强制首购)",
    "measured": "Measured 已测量",
    "joining_window_payments": "Payments at joining 入会期间付款笔数",
    "joining_window_amount": "Paid at joining 入会期间付款金额",
    "joining_window_rows": "Rows paid at joining 入会期间付款行号 (1-based 从1起)",
    "window_days": "Joining window (days after joining) 入会期间（加入后天数）",
    "match_ratio": "Goods needed to match 需匹配货物比例",
    "unmatched_pairs": "Unmatched payers 未见等值货物的付款人",
    "agents": "Recruits who paid it 支付该金额的下线人数",
    "recruits_with_join_time": "Recruits with a join time 有加入时间的下线人数",
    "share": "Share of recruits 占下线比例",
    "total_paid": "Total paid 支付合计",
    "min_agents": "Min recruits 最少人数",
    "min_share": "Min share 最低比例",
    "counting": "Counting 计算口径",
    "decided_by": "Decided by 判断依据 (payouts per signal 按依据计笔数)",
    "unknown_basis": "Payouts of unknown basis 依据不明的上级提成",
    "not_checked": "Not checked 未能核查",
    "counted": "Counted 计数对象",
    "accounts": "Accounts 账户数",
}
"""Keys of a money flag's evidence, as table headings; unknown keys are shown as-is."""
