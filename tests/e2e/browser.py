"""Headless Debian chromium driven by Playwright, for the tests that look at pages as people do.

Playwright's own browser download needs internet; the suite uses Debian's `chromium` (`apt-get install
chromium`, which `.ci/run` does when it can) and skips with the reason when it is missing. The browser reaches
nothing but loopback: every other request is aborted and recorded, as are page errors and CSP refusals.
"""

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

try:
    from playwright.sync_api import BrowserContext, Route, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

CHROMIUM = os.environ.get("KINERJA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 30_000
# Collects CSP violations from the moment each document starts, before any of its scripts run.
RECORD_REFUSALS = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (e) => window.__refused.push([e.violatedDirective, e.blockedURI]));
"""


def browser_missing() -> str | None:
    """Why browser tests cannot run here, or None."""
    if sync_playwright is None:
        return "playwright not installed: pip install -e '.[dev]'"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Debian chromium not installed at {CHROMIUM}: apt-get install chromium"
    return None


def in_worker_thread(fn: Callable[[], Any]) -> Any:
    """Playwright's sync API refuses to run on a thread with a running asyncio loop (pytest-asyncio)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright") as pool:
        return pool.submit(fn).result()


@contextlib.contextmanager
def launch() -> Iterator[tuple["BrowserContext", list[str]]]:
    """A browser context that reaches only loopback, and the list of what went wrong on its pages."""
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(RECORD_REFUSALS)

            def only_loopback(route: "Route") -> None:
                parts = urlsplit(route.request.url)
                if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
                    route.continue_()
                else:
                    problems.append(f"blocked {route.request.url}")
                    route.abort("blockedbyclient")

            context.route("**/*", only_loopback)
            context.on("page", lambda page: _watch(page, problems))
            yield context, problems
        finally:
            browser.close()


def _watch(page: Any, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(f"page error {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: problems.append(f"console {m.text}") if m.type == "error" else None)
