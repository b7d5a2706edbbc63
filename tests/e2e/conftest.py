from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page() -> Iterator[Page]:
    """A fresh Chromium page (Debian's Chromium; no browser is ever downloaded)."""
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


def assert_accessible(page: Page) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    results = Axe().run(page)
    serious = [
        violation for violation in results.response["violations"] if violation["impact"] in ("serious", "critical")
    ]
    report = "\n".join(
        f"{v['impact']}: {v['id']} – {v['help']} at {[node['target'] for node in v['nodes']]}" for v in serious
    )
    assert not serious, f"Accessibility problems on {page.url}:\n{report}"
