"""The money evidence of the HTML report.

The ``money`` section (totals, entry fees in any form, team and head-count pay,
the levels-up chart, funds collected) and the evidence tables of money rules'
flags, which :mod:`agentgraph.report.html.networks` puts on the network cards.

Examples
--------
>>> is_money_evidence({"liability": "criminal"})
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agentgraph.report.html.charts import levels_up_svg
from agentgraph.report.html.labels import KIND_LABEL, KIND_ORDER, MONEY_EVIDENCE_LABEL
from agentgraph.report.html.limits import (
    EXAMPLE_CHAIN_HEAD,
    EXAMPLE_CHAIN_TAIL,
    MAX_EXAMPLES,
    MAX_TABLE_ROWS,
)
from agentgraph.report.html.text import (
    agent_span,
    as_int,
    as_mapping,
    as_sequence,
    count_text,
    escape,
    more_rows_row,
    shorten,
    yuan_text,
)
from agentgraph.report.html.values import records_table, value_html

__all__ = ["is_money_evidence", "money_evidence_table", "money_networks_table", "money_section"]

_MONEY_AMOUNT_KEYS = frozenset(
    {
        "amount",
        "collected",
        "direct",
        "through_downline",
        "min_amount",
        "min_collected",
        "joining_window_amount",
        "total_paid",
    }
)


_MONEY_NESTED_KEYS = frozenset(
    {"disguised", "join_package", "unknown_basis"}
)  # entry fees in disguise


_MONEY_RATIO_KEYS = frozenset({"match_ratio", "min_share"})


def _disguised_fee_cards(fees: Mapping[str, Any], card: Callable[..., str]) -> list[str]:
    """Render the cards for entry fees in disguise, beside the entry-fee card.

    Purchases at joining not matched by goods (or "not measured") and join packages;
    none for reports without these keys.
    """
    out: list[str] = []
    disguised, window = fees.get("disguised"), as_mapping(fees.get("joining_window"))
    if isinstance(disguised, Mapping):
        if disguised.get("measured") is False:
            why = (
                "no orders 无订单数据"
                if window.get("measured")
                else "no joined_at or payment time 无加入时间或付款时间"
            )
            out.append(
                card(
                    "disguised_entry_fees",
                    "Disguised entry fees 变相入门费",
                    '<span class="noeval">Not measured 未测量</span>',
                    f"{count_text(window.get('payments', 0))} payments at joining 入会期间付款; "
                    f"{why}",
                ).replace('class="v"', 'class="v small"', 1)
            )
        else:
            out.append(
                card(
                    "disguised_entry_fees",
                    "Disguised entry fees 变相入门费",
                    yuan_text(disguised.get("amount")),
                    f"{count_text(disguised.get('payments', '–'))} payments 笔; purchases at "
                    "joining not matched by goods 入会购货未见等值货物",
                    "alert" if as_int(disguised.get("payments")) else "",
                )
            )
    packages = fees.get("join_packages")
    if isinstance(packages, Mapping):
        out.append(
            card(
                "join_packages",
                "Join packages 入门套餐 (forced first purchase 强制首购)",
                yuan_text(packages.get("amount")),
                f"{count_text(packages.get('payments', '–'))} payments 笔; "
                f"{count_text(packages.get('networks', '–'))} network(s) 个网络",
                "alert" if as_int(packages.get("networks")) else "",
            )
        )
    return out


def money_section(money: Mapping[str, Any]) -> str:
    """Render the report's ``money`` section.

    Cards (all payments, entry fees, disguised entry fees and join packages, team
    pay, head-count pay), the totals by payment kind beside the levels-up chart
    (:func:`~agentgraph.report.html.charts.levels_up_svg`), and the funds collected
    per root or organiser, largest first.

    Parameters
    ----------
    money : Mapping[str, Any]
        The report's ``money`` section (present when the scan had payment records).

    Returns
    -------
    str
        ``<section id="money">``; amounts in yuan; the funds table stops at
        :data:`~agentgraph.report.html.limits.MAX_TABLE_ROWS` rows. Head-count pay
        and disguised entry fees that could not be measured say so instead of
        showing zero.

    Notes
    -----
    O(payment kinds + levels-up bars + funds rows shown).

    Examples
    --------
    >>> import re
    >>> html = money_section({"payments": 3, "amount": 3000.0,
    ...                       "entry_fees": {"payments": 3, "amount": 3000.0}})
    >>> html.startswith('<section id="money">'), re.findall('data-key="([a-z_]+)"', html)
    (True, ['money_total', 'entry_fees', 'team_pay', 'headcount_pay'])
    >>> 'Entry fees 入门费</div><div class="v">¥3,000.00' in html
    True
    """
    total = money.get("amount")
    parts = [
        '<section id="money"><h2>Money evidence 资金证据</h2>',
        '<p class="note">From the payment records 付款记录来源: '
        f"{agent_span(money.get('source', '–'))}; "
        f"{count_text(money.get('payments', '–'))} payments 笔付款, total 合计 {yuan_text(total)}",
    ]
    if money.get("unmatched_payments") is not None:
        parts.append(
            f"; unmatched 未匹配代理 (payer and payee both unknown 付款人和收款人均不在名单中): "
            f"{count_text(money.get('unmatched_payments'))}"
        )
    parts.append(". Amounts in yuan 金额单位：元.</p>")

    team = as_mapping(money.get("team_pay"))
    head = as_mapping(money.get("headcount_pay"))
    fees = as_mapping(money.get("entry_fees"))

    def card(key: str, label: str, value: str, sub: str, cls: str = "") -> str:
        klass = f"card {cls}".strip()
        return (
            f'<div class="{klass}" data-key="{escape(key)}"><div class="k">{label}</div>'
            f'<div class="v">{value}</div><div class="k">{sub}</div></div>'
        )

    def count_sub(m: Mapping[str, Any]) -> str:
        return f"{count_text(m.get('payments', '–'))} payments 笔"

    cards = [
        card("money_total", "All payments 付款合计", yuan_text(total), count_sub(money)),
        card(
            "entry_fees",
            "Entry fees 入门费",
            yuan_text(fees.get("amount")),
            count_sub(fees),
            "alert" if as_int(fees.get("payments")) else "",
        ),
        *_disguised_fee_cards(fees, card),
        card(
            "team_pay",
            "Team pay 团队计酬",
            yuan_text(team.get("amount")),
            f"{count_sub(team)}; up to 最高上溯 {count_text(team.get('max_levels_up', '–'))} "
            "levels 层",
            "warn" if as_int(team.get("payments")) else "",
        ),
    ]
    if head.get("measured") is False:
        cards.append(
            card(
                "headcount_pay",
                "Head-count pay 拉人头计酬",
                '<span class="noeval">Not measured 未测量</span>',
                "no signal (order ids, link types, orders, join times) 无可判断依据",
            ).replace('class="v"', 'class="v small"', 1)
        )
    else:
        cards.append(
            card(
                "headcount_pay",
                "Head-count pay 拉人头计酬",
                yuan_text(head.get("amount")),
                f"{count_sub(head)}; paid for recruiting 因发展人员而付的上级提成",
                "alert" if as_int(head.get("payments")) else "",
            )
        )
    parts.append(f'<div class="cards">{"".join(cards)}</div>')
    parts.append(_basis_note(as_mapping(money.get("pay_basis"))))

    by_kind = as_mapping(money.get("by_kind"))
    kinds = list(KIND_ORDER) + [str(k) for k in by_kind if k not in KIND_ORDER]
    kind_rows = []
    for kind in kinds[:MAX_TABLE_ROWS]:
        entry = as_mapping(by_kind.get(kind))
        amount = entry.get("amount", 0)
        share = (
            f"{amount / total:.1%}"
            if isinstance(amount, int | float)
            and isinstance(total, int | float)
            and not isinstance(amount, bool)
            and total
            else "–"
        )
        kind_rows.append(
            f'<tr data-kind="{escape(kind)}"><td>{shorten(KIND_LABEL.get(kind, kind), 120)}</td>'
            f'<td class="n">{count_text(entry.get("payments", 0))}</td>'
            f'<td class="n">{yuan_text(amount)}</td><td class="n">{escape(share)}</td></tr>'
        )
    kinds_html = (
        '<div class="tablewrap"><div class="note">Totals by payment kind 按付款类型合计</div>'
        '<table class="bykind"><thead><tr><th>Kind 类型</th><th class="n">Payments 笔数</th>'
        '<th class="n">Amount 金额</th><th class="n">Share 占比</th></tr></thead>'
        f"<tbody>{''.join(kind_rows)}</tbody></table></div>"
    )
    levels = [as_int(x) for x in as_sequence(money.get("payouts_levels_up"))]
    parts.append(f'<div class="grid2 money">{kinds_html}<div>{levels_up_svg(levels)}</div></div>')
    parts.append(money_networks_table(as_sequence(money.get("networks"))))

    funds = [f for f in as_sequence(money.get("funds")) if isinstance(f, Mapping)]
    parts.append(
        '<h3 id="money-funds" class="sub">Funds collected 收取资金</h3>'
        '<p class="note">Entry fees, goods and other payments made by each root or organiser\'s '
        "downline, the agent itself excluded, largest first. "
        "网络发起人及组织者从其下线收取的入门费、货款及其他款项（不含本人），按金额从大到小排列。</p>"
    )
    if not funds:
        parts.append('<p class="note">None 无.</p>')
    else:
        shown = funds[:MAX_TABLE_ROWS]
        rows = [
            f"<tr><td>{agent_span(f.get('agent', '–'))}</td>"
            f"<td>{agent_span(f.get('network', '–'))}</td>"
            f'<td class="n">{yuan_text(f.get("collected"))}</td>'
            f'<td class="n">{yuan_text(f.get("direct"))}</td>'
            f'<td class="n">{yuan_text(f.get("through_downline"))}</td></tr>'
            for f in shown
        ]
        parts.append(
            '<div class="tablewrap"><table class="funds"><thead><tr><th>Agent 人员</th>'
            '<th>Network root 所属网络</th><th class="n">Collected 收取资金合计</th>'
            '<th class="n">From direct recruits 直接下线</th>'
            '<th class="n">Through downline 间接下线</th></tr></thead>'
            f"<tbody>{''.join(rows)}{more_rows_row(len(shown), len(funds), 5)}</tbody>"
            "</table></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _levels_up_label(k: int) -> str:
    if k == 0:
        return "own sales 本人销售"
    return f"{k} level{'' if k == 1 else 's'} up 上溯{k}层"


def money_networks_table(networks: Sequence[Any]) -> str:
    """The payouts of each listed network by levels up (revision 6's ``money.networks``).

    Parameters
    ----------
    networks : sequence of mapping
        ``report["money"]["networks"]`` (missing before revision 6).

    Returns
    -------
    str
        One row per network: payouts, amount, the most levels up paid, the payouts
        at each levels up (0 = own sales) with their amounts, and those paid off the
        source's upline chain; "" when there is none.

    Notes
    -----
    O(rows shown x levels); at most ``MAX_TABLE_ROWS`` rows, then a "more" row.

    Examples
    --------
    >>> html = money_networks_table([{"root": "L01", "payouts": 52, "amount": 2400.0,
    ...     "levels_up": [0, 20, 16, 16], "amount_levels_up": [0, 1600, 480, 320],
    ...     "off_chain": 0, "off_chain_amount": 0}])
    >>> "3 levels up" in html and "¥480.00" in html
    True
    >>> money_networks_table([])
    ''
    """
    nets = [n for n in networks if isinstance(n, Mapping)]
    if not nets:
        return ""
    shown = nets[:MAX_TABLE_ROWS]
    rows = []
    for n in shown:
        counts = [as_int(x) for x in as_sequence(n.get("levels_up"))]
        amounts = list(as_sequence(n.get("amount_levels_up")))
        paid = [
            f"{_levels_up_label(k)}: "
            f"{count_text(c)} · {yuan_text(amounts[k] if k < len(amounts) else None)}"
            for k, c in enumerate(counts)
            if c
        ]
        top = max((k for k, c in enumerate(counts) if c), default=0)
        rows.append(
            f"<tr><td>{agent_span(n.get('root', '–'))}</td>"
            f'<td class="n">{count_text(n.get("payouts", 0))}</td>'
            f'<td class="n">{yuan_text(n.get("amount"))}</td>'
            f'<td class="n">{count_text(top)}</td>'
            f"<td>{'<br>'.join(escape(x) for x in paid) or '–'}</td>"
            f'<td class="n">{count_text(n.get("off_chain", 0))} · '
            f"{yuan_text(n.get('off_chain_amount'))}</td></tr>"
        )
    return (
        '<h3 id="money-networks" class="sub">Payouts up the levels, per network '
        "各网络提成上溯层级</h3>"
        '<p class="note">Commissions and rebates of each listed network by how many levels '
        "above the agent whose sale or recruitment caused them they were paid (0 = own sales). "
        "Paid two or more levels up is the shape of team pay (团队计酬). "
        "按付款所依据的销售或招募人员向上溯及的层数统计各网络的佣金与返利（0 为本人销售）。</p>"
        '<div class="tablewrap"><table class="money-networks"><thead><tr>'
        '<th>Network root 所属网络</th><th class="n">Payouts 笔数</th>'
        '<th class="n">Amount 金额</th><th class="n">Most levels up 最高上溯层数</th>'
        "<th>By levels up 按上溯层数</th>"
        '<th class="n">Off the upline chain 非上线链</th></tr></thead>'
        f"<tbody>{''.join(rows)}{more_rows_row(len(shown), len(nets), 6)}</tbody>"
        "</table></div>"
    )


def _example_chain(chain: Sequence[Any]) -> str:
    """Render an example payment's chain payee → … → seller, shortened in the middle."""
    n = len(chain)
    if n == 0:
        return "–"
    arrow = ' <span class="arrow">→</span> '
    if n <= EXAMPLE_CHAIN_HEAD + EXAMPLE_CHAIN_TAIL + 1:
        return arrow.join(agent_span(a) for a in chain)
    skipped = n - EXAMPLE_CHAIN_HEAD - EXAMPLE_CHAIN_TAIL
    head = arrow.join(agent_span(a) for a in chain[:EXAMPLE_CHAIN_HEAD])
    tail = arrow.join(agent_span(a) for a in chain[n - EXAMPLE_CHAIN_TAIL :])
    return f'{head}{arrow}<span class="gap">… {skipped:,} 人 …</span>{arrow}{tail}'


def _examples_table(examples: Sequence[Any]) -> str:
    """Render example payments as a table: row, payer, payee, amount, kind, levels up, chain."""
    items = [x for x in examples[:MAX_EXAMPLES] if isinstance(x, Mapping)]
    if not items:
        return value_html(examples)
    rows = []
    for x in items:
        kind = str(x.get("kind", "–"))
        rows.append(
            f'<tr><td class="n">{count_text(x.get("row", "–"))}</td>'
            f"<td>{agent_span(x.get('payer', '–'))}</td>"
            f"<td>{agent_span(x.get('payee', '–'))}</td>"
            f'<td class="n">{yuan_text(x.get("amount"))}</td>'
            f"<td>{shorten(KIND_LABEL.get(kind, kind), 120)}</td>"
            f'<td class="n">{count_text(x.get("levels_up", "–"))}</td>'
            f'<td class="exchain">{_example_chain(as_sequence(x.get("chain")))}</td></tr>'
        )
    more = (
        f'<tr><td colspan="7" class="more">… +{len(examples) - MAX_EXAMPLES:,} more 更多</td></tr>'
        if len(examples) > MAX_EXAMPLES
        else ""
    )
    return (
        '<table class="ex"><thead><tr><th class="n">Row 行</th><th>Payer 付款人</th>'
        '<th>Payee 收款人</th><th class="n">Amount 金额</th><th>Kind 类型</th>'
        '<th class="n">Levels up 上溯层级</th><th>Chain 链条 (payee → seller 收款人 → 销售者)'
        f"</th></tr></thead><tbody>{''.join(rows)}{more}</tbody></table>"
    )


def money_evidence_table(evidence: Mapping[str, Any]) -> str:
    """Render the evidence of a money rule's flag: labelled keys, yuan amounts, examples as a table.

    Parameters
    ----------
    evidence : Mapping[str, Any]
        A money flag's ``evidence`` (``liability`` is shown as a badge elsewhere and
        skipped here).

    Returns
    -------
    str
        A ``<table class="kv">``: keys labelled in English and Chinese
        (:data:`~agentgraph.report.html.labels.MONEY_EVIDENCE_LABEL`, the raw key
        as the title), amounts in yuan, shares as percentages, ``examples`` and
        lists of records as tables, nested disguised-fee and join-package evidence
        as nested tables; ``payment_rows`` cut short say how many payments they
        stand for. The first 50 keys are shown.

    Notes
    -----
    O(size shown), bounded by the caps whatever the size of the evidence.

    Examples
    --------
    >>> html = money_evidence_table({"payments": 4, "amount": 800.0, "payment_rows": [31, 32]})
    >>> "<td>¥800.00</td>" in html, "(first 2 of 4 payments" in html
    (True, True)
    """
    rows = []
    items = [(k, v) for k, v in evidence.items() if k != "liability"]
    for key, value in items[:50]:
        name = str(key)
        label = MONEY_EVIDENCE_LABEL.get(name)
        head = (
            f'<span title="{escape(name[:200])}">{escape(label)}</span>'
            if label
            else shorten(name, 120)
        )
        if name == "examples" and isinstance(value, Sequence) and not isinstance(value, str):
            cell = _examples_table(value)
        elif name == "decided_by" and isinstance(value, Mapping):
            cell = (
                "; ".join(
                    f"{escape(_SIGNAL_LABEL.get(str(k), str(k)))}: {count_text(v)}"
                    for k, v in value.items()
                )
                or "–"
            )
        elif name == "not_checked" and isinstance(value, Sequence) and not isinstance(value, str):
            cell = (
                "<ul>" + "".join(f"<li>{escape(str(x)[:300])}</li>" for x in value[:20]) + "</ul>"
                if value
                else "–"
            )
        elif name in _MONEY_NESTED_KEYS and isinstance(value, Mapping) and value:
            cell = money_evidence_table(value)
        elif (
            isinstance(value, Sequence)
            and not isinstance(value, str)
            and value
            and all(isinstance(x, Mapping) for x in value)
        ):
            cell = records_table(value)
        elif name in _MONEY_AMOUNT_KEYS and isinstance(value, int | float):
            cell = yuan_text(value)
        elif (
            (name.startswith("share") or name in _MONEY_RATIO_KEYS)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            cell = f"{value:.1%}"
        else:
            cell = value_html(value)
            listed, paid = len(as_sequence(value)), evidence.get("payments")
            if name == "payment_rows" and isinstance(paid, int) and 0 < listed < paid:
                cell += (
                    f'<span class="more"> (first {listed:,} of {paid:,} payments '
                    f"前 {listed:,} 行，共 {paid:,} 笔)</span>"
                )
        rows.append(f"<tr><th>{head}</th><td>{cell}</td></tr>")
    if len(items) > 50:
        rows.append(f'<tr><td colspan="2" class="more">… +{len(items) - 50:,} keys 键</td></tr>')
    return f'<table class="kv">{"".join(rows)}</table>'


def is_money_evidence(evidence: Mapping[str, Any]) -> bool:
    """Tell whether a flag's evidence is a money rule's (liability, payment rows or examples).

    Parameters
    ----------
    evidence : Mapping[str, Any]
        A flag's ``evidence``.

    Returns
    -------
    bool

    Notes
    -----
    O(1).

    Examples
    --------
    >>> is_money_evidence({"payments": 4, "payment_rows": [31]}), is_money_evidence({"members": 30})
    (True, False)
    """
    return any(k in evidence for k in ("liability", "payment_rows", "examples"))


_SIGNAL_LABEL = {
    "order_id": "order id 订单号",
    "link_type": "link type 关联类型",
    "orders": "a sale of the recruit nearby 下级附近的订单",
    "join_time": "paid at the recruit's joining 下级加入时支付",
    "no_order_id": "ledger names orders, this one none 账目有订单号列但此笔无",
    "not_checked": "undecided 无法判断",
}


def _basis_note(basis: Mapping[str, Any]) -> str:
    """What stands behind the payouts to uplines (``money.pay_basis``), as a note.

    Empty for a report before revision 5. O(signals).

    Examples
    --------
    >>> _basis_note({})
    ''
    >>> "undecided" in _basis_note({"decided_by": {"not_checked": 2},
    ...     "unknown": {"payments": 2, "amount": 5.0, "networks": 1},
    ...     "not_checked": ["orders: no order table was given"]})
    True
    """
    if not basis:
        return ""
    decided = as_mapping(basis.get("decided_by"))
    items = ", ".join(
        f"{escape(_SIGNAL_LABEL.get(str(k), str(k)))}: {count_text(v)}" for k, v in decided.items()
    )
    unknown = as_mapping(basis.get("unknown"))
    text = (
        '<p class="note" data-key="pay_basis">What stands behind the payouts to uplines '
        f"上级提成的依据 — decided by 判断依据: {items or '–'}."
    )
    if as_int(unknown.get("payments")):
        text += (
            f" {count_text(unknown.get('payments'))} payouts ({yuan_text(unknown.get('amount'))}) "
            f"in {count_text(unknown.get('networks'))} networks have no known basis: neither "
            "team pay nor head-count pay is claimed for them 依据不明，不认定为团队计酬或拉人头."
        )
    missing = [str(x) for x in basis.get("not_checked") or []]
    if missing:
        text += " Not checked 未能核查: " + "; ".join(escape(x) for x in missing) + "."
    return text + "</p>"
