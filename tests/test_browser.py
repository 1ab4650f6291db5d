"""The served dashboard in headless Chromium: it renders in Chinese, with no exception box."""

import sys
from collections.abc import Iterator

import pytest

from tests.conftest import CHROMIUM_ARGS, ROOT, SCREENSHOTS, chromium_path, free_port, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    with serve(command, ROOT, port) as url:
        yield url


def test_browser_overview_renders_in_chinese(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(app_url)
        page.get_by_text("湖北自贸试验区实践案例指标看板").first.wait_for(timeout=30_000)
        page.get_by_text("案例数").first.wait_for(timeout=30_000)
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=SCREENSHOTS / "overview-zh-1366.png", full_page=True)
        browser.close()
