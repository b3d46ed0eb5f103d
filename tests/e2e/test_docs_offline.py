"""The documentation pages render in a real browser that can reach nothing but the services.

Headless Debian chromium, driven by Playwright, against the four service
processes. Every request to a host other than 127.0.0.1/localhost is aborted
and recorded; so is every load the pages' Content-Security-Policy refuses. The
pages must render their content with neither.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devtools.devstack.platform import Platform

from .browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    RECORD_REFUSALS,
    TIMEOUT_MS,
    browser_missing,
    in_worker_thread,
)

try:
    from playwright.sync_api import Page, Route, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

# ReDoc's sidebar footer ("API docs by Redocly") shows a logo from cdn.redoc.ly; the pages' policy
# refuses it before any request is made, and ReDoc drops the image. Nothing else may be refused.
EXPECTED_REFUSALS = {("img-src", "https://cdn.redoc.ly/redoc/logo-mini.svg")}

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")]


@dataclass
class Visit:
    """What one page needed that it could not get."""

    blocked: list[str] = field(default_factory=list)  # requests to other hosts, aborted
    failed: list[str] = field(default_factory=list)  # local responses >= 400
    errors: list[str] = field(default_factory=list)  # uncaught page errors
    refused: set[tuple[str, str]] = field(default_factory=set)  # CSP violations


def _browse(urls: dict[str, str], shots: Path, check: Callable[[str, Page], None]) -> dict[str, Visit]:
    visits: dict[str, Visit] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(RECORD_REFUSALS)
            current = Visit()

            def only_loopback(route: Route) -> None:
                url = route.request.url
                parts = urlsplit(url)
                if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
                    route.continue_()
                else:
                    current.blocked.append(url)
                    route.abort("blockedbyclient")

            context.route("**/*", only_loopback)
            for name, url in urls.items():
                current = visits[name] = Visit()
                page = context.new_page()
                page.on("pageerror", lambda error, visit=current: visit.errors.append(str(error)))
                page.on(
                    "response",
                    lambda response, visit=current: (
                        visit.failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
                    ),
                )
                response = page.goto(url, wait_until="load")
                assert response is not None and response.ok, f"{url}: {response and response.status}"
                check(name, page)
                page.wait_for_load_state("networkidle")
                current.refused = {tuple(r) for r in page.evaluate("window.__refused")}
                page.screenshot(path=shots / f"{name}.png", full_page=False)
                page.close()
        finally:
            browser.close()
    return visits


def _check(name: str, page: Page) -> None:
    if name == "intake-index":
        for path in ("/docs", "/redoc", "/asyncapi", "/healthz", "/readyz", "/metrics"):
            expect(page.locator(f'a[href="{path}"]')).to_be_visible()
    elif name == "intake-docs":  # Swagger UI
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() >= 5
        submit = page.locator('.opblock-post .opblock-summary-path[data-path="/v1/reports"]')
        expect(submit).to_be_visible()
        expect(submit).to_have_text("/v1/reports")
    elif name == "intake-redoc":
        page.locator('[data-section-id^="tag/reports/operation/"]').first.wait_for()
        assert page.locator('[data-section-id*="/operation/"]').count() >= 5
        expect(page.get_by_text(re.compile(r"^/v1/reports$")).first).to_be_attached()
        expect(page.get_by_role("heading", name="Submit Report")).to_be_visible()
    elif name == "scoring-asyncapi":
        viewer = page.locator("#asyncapi")
        viewer.locator("#operations").wait_for()
        # The consumed topic and the produced one, as the viewer renders them (not the page's source).
        receive = viewer.locator('[id="operation-receive-kinerja.report.submitted.v1:receive"]')
        expect(receive).to_be_visible()
        expect(receive).to_contain_text("kinerja.report.submitted.v1")
        expect(viewer.locator('[id="operation-send-kinerja.score.computed.v1"]')).to_contain_text(
            "kinerja.score.computed.v1"
        )
        expect(viewer.locator("#messages")).to_contain_text("kinerja.report.submitted.v1:Consumed")
        expect(viewer.locator('[id="schema-Envelope[ReportSubmitted]"]')).to_be_attached()


def test_documentation_pages_render_without_internet(platform: Platform, tmp_path: Path) -> None:
    urls = {
        "intake-index": f"{platform.url('intake')}/",
        "intake-docs": f"{platform.url('intake')}/docs",
        "intake-redoc": f"{platform.url('intake')}/redoc",
        "scoring-asyncapi": f"{platform.url('scoring')}/asyncapi",
    }
    assert all(urlsplit(url).hostname in LOCAL_HOSTS for url in urls.values())
    started = time.monotonic()
    visits = in_worker_thread(lambda: _browse(urls, tmp_path, _check))
    print(f"browsed {len(urls)} pages in {time.monotonic() - started:.1f}s; screenshots in {tmp_path}")

    for name, visit in visits.items():
        assert visit.blocked == [], f"{name} needed other hosts: {visit.blocked}"
        assert visit.refused <= EXPECTED_REFUSALS, f"{name}: policy refused {visit.refused - EXPECTED_REFUSALS}"
        assert visit.errors == [], f"{name}: page errors {visit.errors}"
        assert visit.failed == [], f"{name}: failed local requests {visit.failed}"
        assert (tmp_path / f"{name}.png").stat().st_size > 0
