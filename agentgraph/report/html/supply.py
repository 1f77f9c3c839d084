"""The supply-ladder section of the HTML report (the report's ``supply``, revision 4).

Examples
--------
>>> supply_section({}).startswith('<section id="supply"><h2>Supply ladder 拿货层级</h2>')
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentgraph.report.html.text import as_mapping, as_sequence, count_text, escape, yuan_text
from agentgraph.report.html.values import records_table

__all__ = ["supply_section"]


def _signal(title: str, sec: Mapping[str, Any], facts: str) -> str:
    if not sec.get("checked"):
        return f"<li>{title}: not checked 未核查</li>"
    return f"<li>{title}: {facts}</li>"


def supply_section(supply: Mapping[str, Any]) -> str:
    """Render the ``supply`` section: both depths per network, then the signals.

    Parameters
    ----------
    supply : Mapping[str, Any]
        The report's ``supply`` section (present when the input has a supply relation).

    Returns
    -------
    str
        ``<section id="supply">``: the relation read, a short table of the referral
        networks with their referral levels (counted by the thresholds) beside
        their supply levels, the signals (inventory loading, paid rank-ups,
        referral bonuses, each "not checked" without its evidence) and what could
        not be checked.

    Notes
    -----
    O(records shown).

    Examples
    --------
    >>> html = supply_section({"relation": "edges of kind supplies", "max_supply_levels": 6,
    ...     "networks": [{"root": "B", "members": 12, "levels": 7, "supply_levels": 6}],
    ...     "rank_ups": {"checked": True, "payments": 3, "amount": 15400.0}})
    >>> "<td>7</td><td>6</td>" in html, "¥15,400.00" in html
    (True, True)
    """
    nets = [n for n in as_sequence(supply.get("networks")) if isinstance(n, Mapping)]
    rows = "".join(
        f"<tr><td>{escape(n.get('root', ''))}</td><td>{count_text(n.get('members', 0))}</td>"
        f"<td>{count_text(n.get('levels', 0))}</td><td>{count_text(n.get('supply_levels', 0))}"
        f"</td><td>{count_text(n.get('recruiter_differs', 0))}</td></tr>"
        for n in nets[:20]
    )
    stock = as_mapping(supply.get("inventory_loading"))
    ranks = as_mapping(supply.get("rank_ups"))
    bonus = as_mapping(supply.get("referral_bonuses"))
    signals = "".join(
        [
            _signal(
                "Inventory loading 囤货",
                stock,
                f"{count_text(stock.get('agents', 0))} agents 名代理 bought "
                f"{yuan_text(stock.get('bought', 0))} from their supplier, sold "
                f"{yuan_text(stock.get('sold', 0))} "
                f"(ratio 倍数 ≥ {escape(stock.get('ratio', ''))})",
            ),
            _signal(
                "Paid rank-ups 升级费",
                ranks,
                f"{count_text(ranks.get('payments', 0))} payments 笔, "
                f"{yuan_text(ranks.get('amount', 0))}",
            ),
            _signal(
                "Referral bonuses 推荐奖",
                bonus,
                f"{count_text(bonus.get('payments', 0))} payments 笔, "
                f"{yuan_text(bonus.get('amount', 0))} for {count_text(bonus.get('recruits', 0))} "
                f"recruits, {yuan_text(bonus.get('per_recruit', 0))} per recruit 每人",
            ),
        ]
    )
    missing = "".join(f"<li>{escape(t)}</li>" for t in as_sequence(supply.get("not_checked")))
    parts = [
        '<section id="supply"><h2>Supply ladder 拿货层级</h2>',
        f'<p class="note">Supply relation 拿货关系: <code>{escape(supply.get("relation", ""))}'
        f"</code>; supply levels 拿货层级 {count_text(supply.get('max_supply_levels', 0))}; "
        f"recruiter is not the supplier 推荐人非拿货上级: "
        f"{count_text(supply.get('recruiter_differs', 0))}. The referral levels are the ones "
        "the thresholds count 门槛按推荐层级计算.</p>",
        '<table class="ex"><thead><tr><th>Network 网络</th><th>Members 人数</th>'
        "<th>Levels 推荐层级</th><th>Supply levels 拿货层级</th>"
        f"<th>Recruiter ≠ supplier</th></tr></thead><tbody>{rows}</tbody></table>",
        f"<ul>{signals}</ul>",
    ]
    loading = [r for r in as_sequence(stock.get("list")) if isinstance(r, Mapping)]
    if loading:
        parts.append(records_table(loading))
    if missing:
        parts.append(f'<p class="note">Not checked 未核查:</p><ul>{missing}</ul>')
    parts.append("</section>")
    return "".join(parts)
