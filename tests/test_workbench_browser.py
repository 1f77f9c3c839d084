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

import os
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


def _key(base: str, role: str) -> str:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    r = httpx.post(f"{base}/v1/keys", json={"tenant": "acme", "role": role}, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


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
