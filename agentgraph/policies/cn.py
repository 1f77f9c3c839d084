"""Policy ``cn``: China's thresholds for organising or leading pyramid selling.

Source: 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
若干问题的意见》(2013) §1, and 立案追诉标准(二) Art. 78 as amended: an organiser
or leader of a pyramid-selling activity with >= 30 participants over >= 3
levels is prosecuted (Criminal Law Art. 224-1); >= 120 participants is a
serious circumstance (情节严重). Counts include the organiser and the
organiser's own level; rank titles are not levels.
"""

from __future__ import annotations

from .base import Policy, ThresholdRule

__all__ = ["POLICY", "THRESHOLD", "SERIOUS"]

_OPINION = ("最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律"
            "若干问题的意见》(2013) §1")

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

POLICY = Policy(
    name="cn",
    version="2013-opinion/1",
    title="China: 2013 SPC/SPP/MPS opinion on pyramid-selling cases",
    rules=(THRESHOLD, SERIOUS),
    organiser_min_downline=30,
    organiser_min_levels=3,
    organiser_citation=_OPINION,
)
