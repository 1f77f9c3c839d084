"""The workbench in a real browser: Debian's chromium driven by playwright, a real server.

An analyst signs in, uploads an export, scans it, opens the report, the flagged
network and its tree, searches an agent, follows its upline chain and tries a
recruitment on the guardrail; an auditor sees no write control and the server
refuses its writes anyway. Every step takes a screenshot (kept in
``$AGENTGRAPH_SCREENSHOTS`` when set, else in the test's temporary folder, which
pytest keeps for the last runs). No request may leave the service's origin and the
page may log no error (a Content-Security-Policy violation is one).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pytest

from tests.test_api_server import ADMIN, ROOT, _free_port, _start, wait_ready

CHROMIUM = shutil.which("chromium")
REQUIRED = bool(os.environ.get("AGENTGRAPH_REQUIRE_BROWSER"))
if CHROMIUM is None and REQUIRED:
    raise RuntimeError("AGENTGRAPH_REQUIRE_BROWSER is set but no chromium binary is on PATH")
if REQUIRED:  # CI: a missing driver is a failure, not a skip
    import playwright.sync_api as sync_api
else:
    sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (Debian: apt-get install -y chromium)"
)

LADDER = ROOT / "fixtures" / "money" / "ladder5_members.csv"
MONEY = ROOT / "fixtures" / "money"
# four networks of different shapes in one member table: L01 (31 members, 5 levels,
# join times), B0 (36, 3, none), C1 (5, 5, ranks), 001 (32, 4, doubling in 5 days)
MANY = [
    MONEY / "ladder5_members.csv",
    MONEY / "legit3_members.csv",
    ROOT / "fixtures" / "chain5.csv",
    ROOT / "fixtures" / "growth_30_3.csv",
]
MEMBER_COLUMNS = ["agent_id", "upline_id", "joined_at", "rank"]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a free port, with tenant ``acme``."""

    tmp = tmp_path_factory.mktemp("workbench")
    port = _free_port()
    proc = _start(tmp / "store.duckdb", port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, url)
        admin = {"Authorization": f"Bearer {ADMIN}"}
        made = httpx.post(f"{url}/v1/tenants", json={"id": "acme"}, headers=admin)
        assert made.status_code == 201, made.text
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def _joined(out: Path, parts: list[Path], columns: list[str]) -> Path:
    """The rows of several CSV files as one file with ``columns`` (missing ones empty)."""
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for part in parts:
            with part.open(encoding="utf-8", newline="") as src:
                w.writerows(csv.DictReader(src))
    return out


def _key(base: str, role: str) -> str:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    r = httpx.post(f"{base}/v1/keys", json={"tenant": "acme", "role": role}, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


@pytest.fixture(scope="module")
def many(base: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Dataset ``many``: the four networks of ``MANY``, uploaded through the API."""
    path = _joined(tmp_path_factory.mktemp("many") / "many.csv", MANY, MEMBER_COLUMNS)
    h = {"Authorization": f"Bearer {_key(base, 'analyst')}"}
    with httpx.Client(base_url=base, headers=h, timeout=30) as c:
        assert c.post("/v1/datasets", json={"name": "many"}).status_code == 201
        with path.open("rb") as fh:
            r = c.post("/v1/datasets/many/files", files={"file": (path.name, fh)})
        assert r.status_code == 200, r.text
    return "many"


def _api(b: Browser, path: str, **query: Any) -> Any:
    """GET an API path with the page's session cookie (what the page itself would see)."""
    return b.page.evaluate(
        "async ([p, q]) => (await fetch(p + '?' + new URLSearchParams(q))).json()",
        [path, {k: str(v) for k, v in query.items()}],
    )


class Browser:
    """One page, with the requests and console errors it made, and screenshots."""

    def __init__(self, page: Any, base: str, shots: Path) -> None:
        self.page, self.base, self.shots = page, base, shots
        self.foreign: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith(("data:", "blob:")):
            self.foreign.append(request.url)

    def shot(self, name: str, *, full_page: bool = True) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full_page)

    def axe(self, where: str) -> None:
        """Run axe-core (from frontend/node_modules) on the page: no violation allowed."""
        if not AXE.is_file():
            if REQUIRED:
                raise AssertionError(f"{AXE} missing: run npm ci in frontend/")
            return
        # evaluated through the driver: the page's CSP (no inline script) stays as served
        self.page.evaluate(AXE.read_text("utf-8") + "\n;0")
        found = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
        assert not found, f"{where}: accessibility violations: {found}"

    def tid(self, name: str) -> Any:
        return self.page.get_by_test_id(name)

    def sign_in(self, key: str) -> None:
        self.page.goto(f"{self.base}/ui/")
        self.tid("signin-key").fill(key)
        self.tid("signin-submit").click()
        self.tid("whoami").wait_for()


@pytest.fixture
def browser(base: str, tmp_path: Path) -> Iterator[Browser]:
    shots = Path(os.environ.get("AGENTGRAPH_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(20_000)
        b = Browser(page, base, shots)
        try:
            yield b
        finally:
            chromium.close()
    assert not b.foreign, f"requests left the service's origin: {b.foreign}"
    assert not b.errors, f"the page logged errors: {b.errors}"


def test_an_analyst_goes_from_upload_to_the_tree_and_the_guardrail(browser: Browser) -> None:
    b, page = browser, browser.page
    b.sign_in(_key(b.base, "analyst"))
    assert "analyst" in b.tid("whoami").inner_text()
    b.shot("01-signed-in")

    b.tid("upload-name").fill("ladder")
    b.tid("upload-file").set_input_files(str(LADDER))
    b.tid("upload-submit").click()
    row = b.tid("dataset-row").filter(has_text="ladder")
    row.wait_for()
    b.shot("02-uploaded")

    row.get_by_test_id("scan-start").click()
    status = b.tid("scan-status")
    page.wait_for_function(
        "el => /succeeded|完成|成功/.test(el.textContent)", arg=status.element_handle()
    )
    href = b.tid("report-link").get_attribute("href")
    assert href and href.startswith("/v1/scans/")
    b.shot("03-scanned")
    report = page.context.new_page()
    answer = report.goto(f"{b.base}{href}")
    assert answer is not None and answer.status == 200  # the cookie opens the report
    assert "L01" in report.content()
    report.close()

    page.goto(f"{b.base}/ui/#/datasets/ladder/networks")
    net = b.tid("network-row").first
    net.wait_for()
    assert "L01" in net.inner_text()
    b.shot("04-networks")
    net.get_by_role("link").first.click()
    b.tid("tree").wait_for()
    nodes = b.tid("tree-node")
    nodes.first.wait_for()
    before = nodes.count()
    nodes.first.click()  # expand the root
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=tree-node]').length > {before}"
    )
    assert page.evaluate("() => window.__workbench.cy.nodes().length") > 1
    b.shot("05-tree")
    b.axe("network view")

    with page.expect_download() as got:  # GraphML for Gephi / yEd, read back with networkx
        b.tid("export-network-graphml").click()
    saved = b.shots / "ladder-L01.graphml"
    got.value.save_as(saved)
    g = nx.read_graphml(saved)
    assert g.number_of_nodes() == 31 and g.number_of_edges() == 30
    assert g.nodes["L16"]["level"] == 5 and g.nodes["L01"]["flagged"] is True
    assert ("L08", "L16") in g.edges

    b.tid("agent-search").fill("L31")
    b.tid("agent-search").press("Enter")
    chain = b.tid("chain-link")
    chain.first.wait_for()
    names = [c.inner_text() for c in chain.all()]
    assert "L01" in " ".join(names)
    b.shot("06-agent")
    b.axe("agent view")
    chain.filter(has_text="L01").first.click()
    page.wait_for_url("**/agents/L01")
    b.shot("07-upline")

    page.goto(f"{b.base}/ui/#/datasets/ladder/guardrail")
    b.tid("guardrail-upline").fill("L31")
    b.tid("guardrail-agent").fill("NEW-1")
    b.tid("guardrail-check").click()
    result = b.tid("guardrail-result")
    result.wait_for()
    page.wait_for_function("el => el.textContent.trim().length > 0", arg=result.element_handle())
    b.shot("08-guardrail")
    b.axe("guardrail")
    page.get_by_test_id("lang-switch").click()  # Chinese, the same page
    page.wait_for_function("() => document.documentElement.lang.startsWith('zh')")
    b.shot("09-guardrail-zh")
    b.axe("guardrail (zh)")


def test_an_auditor_sees_no_write_control_and_is_refused_anyway(browser: Browser) -> None:
    b, page = browser, browser.page
    analyst = {"Authorization": f"Bearer {_key(b.base, 'analyst')}"}
    httpx.post(f"{b.base}/v1/datasets", json={"name": "seen", "kind": "members"}, headers=analyst)
    b.sign_in(_key(b.base, "auditor"))
    b.tid("dataset-row").filter(has_text="seen").wait_for()
    b.shot("11-auditor")
    b.axe("datasets, auditor")
    assert b.tid("upload-submit").count() == 0
    assert b.tid("scan-start").count() == 0
    page.goto(f"{b.base}/ui/#/datasets/seen/guardrail")
    page.locator("main h1").first.wait_for()
    assert b.tid("guardrail-apply").count() == 0
    status = page.evaluate(
        """async () => {
            const s = await (await fetch('/ui/session')).json();
            const r = await fetch('/v1/datasets/seen', {method: 'DELETE',
                headers: {'X-CSRF-Token': s.csrf_token}});
            return r.status;
        }"""
    )
    assert status == 403  # the server refuses the write whatever the page shows
    b.errors[:] = [e for e in b.errors if "status of 403" not in e]  # that refusal, logged


def test_the_api_docs_render_offline(browser: Browser) -> None:
    b, page = browser, browser.page
    page.goto(f"{b.base}/docs")
    page.locator(".swagger-ui .info").wait_for()
    assert "agentgraph" in page.locator(".swagger-ui .info").inner_text()
    b.shot("21-swagger", full_page=False)
    page.goto(f"{b.base}/redoc")
    page.get_by_text("recruitment-check").first.wait_for()
    b.shot("22-redoc", full_page=False)


def _open_networks(b: Browser, ds: str) -> None:
    b.page.goto(f"{b.base}/ui/#/datasets/{ds}/networks")
    b.tid("network-row").first.wait_for()


def test_typing_a_prefix_suggests_agents_to_choose_by_keyboard_or_mouse(
    browser: Browser, many: str
) -> None:
    b, page = browser, browser.page
    b.sign_in(_key(b.base, "auditor"))
    _open_networks(b, many)
    box = b.tid("agent-search")
    box.press_sequentially("L", delay=30)
    suggestions = b.tid("agent-suggestion")
    suggestions.first.wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=agent-suggestion]').length === 10"
    )
    want = _api(b, f"/v1/datasets/{many}/agents", prefix="L", limit=10)
    assert want["total"] == 31
    ids = [el.get_attribute("data-agent") for el in suggestions.all()]
    assert ids == [a["agent"] for a in want["items"]] == [f"L{k:02d}" for k in range(1, 11)]
    first = suggestions.first.inner_text()
    assert "L01" in first and "level 1" in first and "network L01" in first  # id, level, root
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "true"
    assert "10 of 31" in b.tid("agent-suggest-status").inner_text()
    b.shot("31-suggestions")
    b.axe("agent search suggestions")

    box.press("ArrowDown")
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("data-agent") == "L02"
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    box.press("Enter")  # the active option, not the typed "L"
    page.wait_for_url("**/agents/L02")
    b.tid("agent-facts").wait_for()
    assert b.tid("agent-level").inner_text() == "2"

    box = b.tid("agent-search")
    box.press_sequentially("L2", delay=30)
    b.tid("agent-suggestion").filter(has_text="L25").wait_for()
    box.press("Escape")  # closes the list
    assert box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")  # opens it again
    assert box.get_attribute("aria-expanded") == "true"
    b.tid("agent-suggestion").filter(has_text="L25").click()
    page.wait_for_url("**/agents/L25")
    b.tid("agent-facts").wait_for()
    assert b.tid("agent-root").inner_text() == "L01"

    box = b.tid("agent-search")
    box.fill("001")  # an exact id (another network's) opens that agent at once
    box.press("Enter")
    page.wait_for_url("**/agents/001")
    b.tid("agent-facts").wait_for()


def test_a_partial_id_opens_the_search_results_a_page_at_a_time(
    browser: Browser, many: str
) -> None:
    b, page = browser, browser.page
    b.sign_in(_key(b.base, "auditor"))
    _open_networks(b, many)
    b.tid("agent-search").fill("L")
    page.locator("form.agent-search button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#/datasets/many/search\?prefix=L$"))
    rows = b.tid("search-row")
    rows.first.wait_for()
    assert "31" in b.tid("search-total").inner_text()
    want = _api(b, f"/v1/datasets/{many}/agents", prefix="L", limit=25, offset=0)
    assert [r.get_attribute("data-agent") for r in rows.all()] == [
        a["agent"] for a in want["items"]
    ]
    first = rows.first.locator("td").all_inner_texts()
    assert first[:3] == ["1", "L01", "31"]  # level, root, downline
    assert b.tid("agent-search").input_value() == "L"  # the header keeps the prefix
    b.shot("32-search")
    b.axe("search results")

    b.tid("search-page-next").click()
    page.wait_for_url("**offset=25")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=search-row]').length === 6"
    )
    want = _api(b, f"/v1/datasets/{many}/agents", prefix="L", limit=25, offset=25)
    assert [r.get_attribute("data-agent") for r in rows.all()] == [
        a["agent"] for a in want["items"]
    ]
    assert b.tid("search-page-next").is_disabled()
    b.tid("search-page-prev").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=search-row]').length === 25"
    )

    rows.filter(has_text="L16").get_by_test_id("search-agent-link").click()
    page.wait_for_url("**/agents/L16")
    assert b.tid("agent-level").inner_text() == "5"

    page.goto(f"{b.base}/ui/#/datasets/{many}/search?prefix=ZZ")
    b.tid("search-empty").wait_for()
    assert "ZZ" in b.tid("search-empty").inner_text()


def test_an_unknown_agent_suggests_the_ids_it_starts(browser: Browser, many: str) -> None:
    b, page = browser, browser.page
    b.sign_in(_key(b.base, "auditor"))
    page.goto(f"{b.base}/ui/#/datasets/{many}/agents/L1")
    b.tid("agent-error").wait_for()
    dym = b.tid("agent-did-you-mean")
    dym.wait_for()
    links = dym.get_by_test_id("did-you-mean-link")
    assert links.all_inner_texts() == [f"L{k}" for k in range(10, 20)]
    assert dym.get_by_test_id("did-you-mean-all").count() == 0  # all ten are listed
    b.shot("33-did-you-mean")
    b.axe("agent not found")
    b.errors[:] = [e for e in b.errors if "status of 404" not in e]  # the 404, logged

    page.goto(f"{b.base}/ui/#/datasets/{many}/agents/L")
    b.tid("agent-did-you-mean").get_by_test_id("did-you-mean-link").first.wait_for()
    assert links.count() == 10
    more = b.tid("did-you-mean-all")
    assert "31" in more.inner_text()
    more.click()
    page.wait_for_url("**/search?prefix=L")
    b.tid("search-row").first.wait_for()
    b.errors[:] = [e for e in b.errors if "status of 404" not in e]

    page.goto(f"{b.base}/ui/#/datasets/{many}/agents/L1")
    b.tid("did-you-mean-link").filter(has_text="L13").click()
    page.wait_for_url("**/agents/L13")
    b.tid("agent-facts").wait_for()
    b.errors[:] = [e for e in b.errors if "status of 404" not in e]


def _roots(b: Browser) -> list[str]:
    return [r.get_attribute("data-root") for r in b.tid("network-row").all()]


def _sorted_by(b: Browser, button: str, sort: str | None, **filters: Any) -> None:
    """Click a sort button; wait for the route and rows in the API's order for ``sort``
    (and ``filters``)."""
    b.tid(button).click()
    if sort is None:
        b.page.wait_for_function("() => !location.hash.includes('sort=')")
    else:
        b.page.wait_for_function(f"() => location.hash.includes('sort={sort}')")
    query = {"limit": 25, **filters} if sort is None else {"sort": sort, "limit": 25, **filters}
    want = [n["root"] for n in _api(b, "/v1/datasets/many/networks", **query)["items"]]
    b.page.wait_for_function(
        "want => [...document.querySelectorAll('[data-testid=network-row]')]"
        ".map(r => r.dataset.root).join(',') === want",
        arg=",".join(want),
    )
    assert _roots(b) == want
    # the keyboard stays on the header that was used
    assert b.page.evaluate("() => document.activeElement.dataset.testid") == button


def _aria_sort(b: Browser, button: str) -> str | None:
    return b.tid(button).locator("xpath=..").get_attribute("aria-sort")


def test_sortable_headers_reorder_the_networks(browser: Browser, many: str) -> None:
    b, page = browser, browser.page
    b.sign_in(_key(b.base, "auditor"))
    _open_networks(b, many)
    default = [n["root"] for n in _api(b, f"/v1/datasets/{many}/networks")["items"]]
    assert _roots(b) == default and len(default) == 4
    assert _aria_sort(b, "sort-flagged") == "descending"
    assert _aria_sort(b, "sort-members") == "none"

    _sorted_by(b, "sort-members", "-members")  # numbers: largest first
    assert _roots(b)[0] == "B0"
    assert _aria_sort(b, "sort-members") == "descending"
    assert _aria_sort(b, "sort-flagged") == "none"
    _sorted_by(b, "sort-members", "members")  # the second click turns it round
    assert _roots(b)[0] == "C1" and _aria_sort(b, "sort-members") == "ascending"
    _sorted_by(b, "sort-levels", "-levels")
    assert _aria_sort(b, "sort-levels") == "descending" and _aria_sort(b, "sort-members") == "none"
    _sorted_by(b, "sort-root", "root")  # text: A to Z first
    assert _roots(b) == sorted(default) and _aria_sort(b, "sort-root") == "ascending"
    _sorted_by(b, "sort-root", "-root")
    _sorted_by(b, "sort-max_direct_recruits", "-max_direct_recruits")
    _sorted_by(b, "sort-mean_branching", "-mean_branching")
    _sorted_by(b, "sort-growth", "growth")  # the shortest doubling time first
    assert _aria_sort(b, "sort-growth") == "ascending"
    assert _roots(b)[-1] == "B0"  # no join times: last
    growth = {
        r.get_attribute("data-root"): r.locator("td.growth").inner_text()
        for r in b.tid("network-row").all()
    }
    assert growth["001"] == "5 d · 2024-03-10" and growth["B0"] == "–"
    b.shot("34-networks-sorted")
    b.axe("networks, sorted")

    # the filters keep the order; paging keeps both
    b.tid("filter-min-members").fill("10")
    b.tid("filter-apply").click()
    page.wait_for_function("() => location.hash.includes('min_members=10')")
    assert "sort=growth" in page.evaluate("() => location.hash")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=network-row]').length === 3"
    )
    _sorted_by(b, "sort-flagged", None, min_members=10)  # back to the default order
    assert "min_members=10" in page.evaluate("() => location.hash")
    assert _aria_sort(b, "sort-flagged") == "descending"
    page.goto(f"{b.base}/ui/#/datasets/{many}/networks?sort=-members&offset=2")
    b.tid("network-row").first.wait_for()
    want = _api(b, f"/v1/datasets/{many}/networks", sort="-members", limit=25, offset=2)
    assert _roots(b) == [n["root"] for n in want["items"]]
    _sorted_by(b, "sort-levels", "-levels")
    assert "offset" not in page.evaluate("() => location.hash")  # a new order: page one
    page.get_by_test_id("lang-switch").click()  # Chinese, the same order
    page.wait_for_function("() => document.documentElement.lang.startsWith('zh')")
    assert _aria_sort(b, "sort-levels") == "descending"
    b.axe("networks, sorted (zh)")


def _scan_in_ui(b: Browser, name: str) -> None:
    b.page.goto(f"{b.base}/ui/#/datasets")
    row = b.page.locator(f"[data-testid=dataset-row][data-dataset={name}]")
    row.get_by_test_id("scan-start").click()
    status = row.get_by_test_id("scan-status")
    b.page.wait_for_function(
        "el => /succeeded|完成|成功/.test(el.textContent)",
        arg=status.element_handle(),
        timeout=60_000,
    )


def _report(b: Browser, name: str) -> dict[str, Any]:
    scan = _api(b, f"/v1/datasets/{name}")["last_scan"]
    return _api(b, f"/v1/scans/{scan['id']}/report")  # type: ignore[no-any-return]


def test_money_flow_up_the_levels_per_network(browser: Browser, tmp_path: Path) -> None:
    """Two networks with payments: a ladder paying 3 levels up, a brand paying own sales."""
    b, page = browser, browser.page
    members = _joined(
        tmp_path / "money_members.csv",
        [MONEY / "ladder5_members.csv", MONEY / "legit3_members.csv"],
        ["agent_id", "upline_id", "joined_at"],
    )
    payments = _joined(
        tmp_path / "money_payments.csv",
        [MONEY / "ladder5_payments.csv", MONEY / "legit3_payments.csv"],
        ["payer_id", "payee_id", "amount", "kind", "at", "source_agent_id", "order_id"],
    )
    b.sign_in(_key(b.base, "analyst"))
    b.tid("upload-name").fill("money")
    b.tid("upload-file").set_input_files(str(members))
    b.tid("upload-submit").click()
    page.locator("[data-testid=dataset-row][data-dataset=money]").wait_for()

    page.goto(f"{b.base}/ui/#/datasets/money/evidence")
    b.tid("evidence-upload-form").wait_for()
    b.tid("evidence-upload-kind").select_option("payments")
    b.tid("evidence-upload-file").set_input_files(str(payments))
    b.tid("evidence-upload-submit").click()
    b.tid("evidence-table").wait_for()  # the redrawn page shows the new rows
    assert "147" in b.tid("evidence-upload-status").inner_text()  # 82 + 65 payments
    _scan_in_ui(b, "money")

    report = _report(b, "money")
    flows = report["money"].get("networks")
    assert flows is not None, "the scan report has no money.networks yet (a newer report needed)"
    by_root = {f["root"]: f for f in flows}
    assert by_root["L01"]["levels_up"] == [0, 20, 16, 16] and by_root["L01"]["off_chain"] == 0
    assert by_root["B0"]["levels_up"] == [35]

    page.goto(f"{b.base}/ui/#/datasets/money/evidence")
    table = b.tid("money-networks")
    table.wait_for()
    rows = table.get_by_test_id("money-net-row")
    assert [r.get_attribute("data-root") for r in rows.all()] == [f["root"] for f in flows]
    ladder = table.locator("[data-testid=money-net-row][data-root=L01]")
    assert ladder.get_attribute("data-deepest") == "3" and "3 levels up" in ladder.inner_text()
    brand = table.locator("[data-testid=money-net-row][data-root=B0]")
    assert brand.get_attribute("data-deepest") == "0" and "own sales" in brand.inner_text()
    assert b.tid("money-networks-old").count() == 0
    b.shot("35-money-networks")
    b.axe("money per network")

    b.tid("money-network").select_option("L01")
    page.wait_for_url("**network=L01")
    levels = b.tid("money-network-levels")
    levels.wait_for()
    lines = levels.get_by_test_id("money-level-row")
    assert [r.get_attribute("data-levels-up") for r in lines.all()] == ["0", "1", "2", "3", "off"]
    cells = [r.locator("td").first.inner_text() for r in lines.all()]
    assert cells == ["0", "20", "16", "16", "0"]
    flow = by_root["L01"]
    for i, amount in enumerate(flow["amount_levels_up"]):
        shown = lines.nth(i).locator("td").nth(1).inner_text()
        assert float(re.sub(r"[^\d.]", "", shown)) == amount
    assert lines.nth(1).locator("th").inner_text() == "1 level up"
    assert lines.nth(0).locator("th").inner_text() == "own sales"
    assert lines.nth(0).locator(".bar").count() == 0  # nothing paid on own sales
    widths = [
        lines.nth(i).locator(".bar").evaluate("el => el.getBoundingClientRect().width")
        for i in (1, 2, 3)
    ]
    assert widths[0] > widths[1] == widths[2] > 0  # 20 > 16 = 16
    assert "3 levels up" in b.tid("money-network-summary").inner_text()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "money-network"
    b.shot("36-money-network-L01")
    b.axe("money of one network")

    b.tid("money-network").select_option("B0")
    page.wait_for_url("**network=B0")
    b.page.locator("[data-testid=money-network-detail][data-root=B0]").wait_for()
    lines = b.tid("money-network-levels").get_by_test_id("money-level-row")
    assert [r.get_attribute("data-levels-up") for r in lines.all()] == ["0", "off"]
    assert lines.first.locator("td").first.inner_text() == "35"
    assert "100%" in lines.first.inner_text()

    # a report from before money.networks: today's dataset-wide figures, and a word why
    def older(route: Any) -> None:
        answer = route.fetch()
        body = answer.json()
        body["money"].pop("networks", None)
        route.fulfill(response=answer, json=body)

    page.route(re.compile(r".*/v1/scans/[^/?]+/report$"), older)
    page.goto(f"{b.base}/ui/#/datasets/money/evidence")
    b.tid("money-networks-old").wait_for()
    assert b.tid("money-networks").count() == 0
    assert b.tid("money-levels-up").locator("li").count() == 4  # the dataset's [0, 20, 16, 16]
    b.axe("money, an older report")
    b.tid("money-network").select_option("L01")
    page.locator("[data-testid=money-network-detail][data-root=L01]").wait_for()
    assert b.tid("money-network-detail").get_by_test_id("money-networks-old").count() == 1
    assert b.tid("money-network-levels").count() == 0
