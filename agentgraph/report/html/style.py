"""The inline CSS of the HTML report and the Content-Security-Policy that forbids any fetch.

The page loads nothing: the CSS goes into one ``<style>`` element, fonts are
named (CJK fonts first) but never downloaded, and the policy allows inline styles
and ``data:`` images only.

Examples
--------
>>> CONTENT_SECURITY_POLICY.split("; ")[0]
"default-src 'none'"
>>> "url(" in CSS, "@import" in CSS
(False, False)
"""

from __future__ import annotations

__all__ = ["CONTENT_SECURITY_POLICY", "CSS"]

CSS = """
:root{--ink:#1d2430;--muted:#5b6573;--line:#d8dde5;--bg:#f5f7fa;--card:#fff;
--accent:#1f5fa8;--crit:#b3261e;--high:#c25e00;--ok:#2e7d32;--bar:#3b78c4;--bar2:#9dbbe3}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.55 "Noto Sans CJK SC",
"Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Hiragino Sans GB",
"WenQuanYi Micro Hei",system-ui,sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
header.top{background:#13243b;color:#fff;padding:22px 20px 16px}
header.top .in{max-width:1180px;margin:0 auto}
header.top h1{margin:0 0 8px;font-size:22px;font-weight:700}
header.top dl{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0;font-size:13px}
header.top dt{color:#a9bbd3;display:inline}
header.top dd{display:inline;margin:0 0 0 6px;overflow-wrap:anywhere}
nav{max-width:1180px;margin:0 auto;padding:10px 20px;display:flex;flex-wrap:wrap;gap:6px 16px;
font-size:13px}
nav a{color:var(--accent);text-decoration:none}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:0;overflow-wrap:anywhere}
.note{color:var(--muted);font-size:13px;margin:6px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .k{color:var(--muted);font-size:12px}
.card .v{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.card.alert{border-color:var(--crit);background:#fdf1f0}
.card.alert .v{color:var(--crit)}
.card.warn .v{color:var(--high)}
.net{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--high);
border-radius:8px;padding:14px 16px;margin:0 0 16px;break-inside:avoid}
.net.critical{border-left-color:var(--crit)}
.net .head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px;margin-bottom:6px}
.stats{display:flex;flex-wrap:wrap;gap:4px 22px;font-size:13px;color:var(--muted);margin:4px 0 8px}
.stats b{color:var(--ink);font-variant-numeric:tabular-nums}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
@media (max-width:900px){.grid2{grid-template-columns:minmax(0,1fr)}}
.sev{display:inline-block;border-radius:4px;padding:0 7px;font-size:12px;font-weight:700;
color:#fff;background:var(--high);white-space:nowrap}
.sev.critical{background:var(--crit)}
.sev.none{background:#8a94a3}
.tag{display:inline-block;border:1px solid var(--line);border-radius:4px;padding:0 6px;
font-size:12px;color:var(--muted);white-space:nowrap}
.id{font-family:ui-monospace,"Noto Sans Mono CJK SC","SFMono-Regular",Consolas,"Microsoft YaHei",
monospace;font-size:12.5px;overflow-wrap:anywhere;word-break:break-all}
.chain{display:flex;flex-wrap:wrap;align-items:center;gap:4px 2px;font-size:12.5px}
.chip{white-space:normal;background:#eef3fa;border:1px solid #d3deee;border-radius:4px;
padding:0 5px;max-width:100%}
.chip sup{color:var(--muted);font-size:10px;margin-right:3px}
.arrow{color:var(--muted);padding:0 2px}
.gap{color:var(--crit);font-weight:700;padding:0 4px}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:13px}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#eaeef4;font-weight:700;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tablewrap{overflow-x:auto}
table.kv{width:auto;min-width:50%;font-size:12.5px}
table.kv th{background:#f3f5f8;font-weight:600;white-space:normal}
.flags{margin-top:10px}
.flag{border-top:1px dashed var(--line);padding:8px 0}
td.rule{white-space:nowrap;font-family:ui-monospace,Consolas,monospace}
.step{white-space:nowrap}
.flag .rule{font-family:ui-monospace,Consolas,monospace;font-weight:700}
.cite{font-size:13px;margin:3px 0 6px}
figure{margin:0}
figcaption{font-size:12px;color:var(--muted);margin:2px 0 6px}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;font-size:12px;
fill:var(--ink)}
svg .muted{fill:var(--muted)}
.more{color:var(--muted);font-style:italic}
.card .v.small{font-size:15px;padding-top:6px}
.liab{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:700;
white-space:nowrap;border:1px solid var(--high);color:var(--high)}
.liab.criminal{border-color:var(--crit);color:var(--crit);background:#fdf1f0}
.rmeta{margin-top:3px;display:flex;flex-wrap:wrap;gap:3px;white-space:normal;
font-family:"Noto Sans CJK SC","Microsoft YaHei",system-ui,sans-serif}
.noeval{color:var(--muted)}
.tag.noeval{border-style:dashed}
table.ex{width:auto;font-size:12px}
table.ex td.exchain{white-space:normal;min-width:12em}
table.ex th{white-space:normal}
table.ex td{white-space:nowrap}
.legend{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
.legend.own{background:#2e7d32}.legend.up{background:#3b78c4}
.grid2.money{align-items:start}
h3.sub{margin:18px 0 4px}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:30px}
@media print{body{background:#fff}nav{display:none}.net,.card{break-inside:avoid}}
"""
"""The page's style sheet, inlined in ``<style>`` (no external resource)."""


CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""Content of the page's ``Content-Security-Policy`` ``<meta>``: no fetch, no script."""
