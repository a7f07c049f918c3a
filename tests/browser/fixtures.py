"""Headless Chromium (Debian's package) driven by Playwright, plus an axe-core check.

Screenshots of the page under test are saved to test-artifacts/ when a browser test fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def _unavailable(reason: str):
    if os.environ.get("NDX_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NDX_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        _unavailable("browser tests need Debian's chromium (apt-get install -y chromium)")
    if not AXE_JS.exists():
        _unavailable("browser tests need axe-core from npm: run `npm ci`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Anything the Content-Security-Policy blocks (an inline script or style the app relies
    # on) shows as a console error; the test fails on it after it has run.
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    if csp_errors:
        pytest.fail("Content-Security-Policy blocked: " + " | ".join(csp_errors[:3]))
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content())
        except Exception as exc:  # the page may be gone; the test failure is what matters
            print(f"could not save screenshot: {exc}")
    context.close()


_axe_source: list[str] = []


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, not as an inline <script>, so the page's
    # Content-Security-Policy (which forbids inline scripts) stays in force while testing.
    if not _axe_source:
        _axe_source.append(AXE_JS.read_text(encoding="utf-8"))
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source[0])
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    if violations:
        summary = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in violations
        ]
        pytest.fail(f"axe found violations on {page.url}:\n{json.dumps(summary, indent=2)}")
