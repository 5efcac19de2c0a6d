"""Fixtures of the web tests: Debian's Chromium driven headless by Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.conftest import ROOT
from tests.web.support import Watched

OUTPUT_DIR = ROOT / "test-output"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

OpenPage = Callable[..., Watched]


def chromium_path() -> str:
    """Debian's chromium binary (`make test` installs the package when it is missing)."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the tests of one module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Opens a watched page in a fresh browser context (its own localStorage), desktop-sized by default."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None, **options: object) -> Watched:
        context = browser.new_context(viewport=viewport or DESKTOP, **options)  # type: ignore[arg-type]
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Watched(context.new_page()).attach()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/ at the repository root (gitignored): screenshots land there."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
