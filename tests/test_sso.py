"""Single sign-on: the organisation's OpenID Connect provider (a stub on loopback) names the person, the
users file gives the role, in headless Chromium through Streamlit's own st.login."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from loaders.filestore import FileStore
from loaders.store import BEIJING
from loaders.users import SSO_ONLY, Account
from tests.conftest import CHROMIUM_ARGS, ROOT, SCREENSHOTS, chromium_path, copy_data_folder, free_port, serve
from tests.oidc import CLIENT_ID, CLIENT_SECRET, stub_provider

pytestmark = pytest.mark.browser


def test_single_sign_on_signs_in_the_person_the_provider_names_with_their_role(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    store = copy_data_folder(tmp_path)
    FileStore(store).put_account(Account("王五", "editor", SSO_ONLY, f"{datetime.now(BEIJING):%F %T}"), who="管理员")
    port = free_port()
    with stub_provider("王五") as issuer:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-secret-for-the-test-only"\n'
            f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        command = [sys.executable, "serve.py", "dashboard.py", "--server.port", str(port)]
        command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--secrets.files", str(secrets)]
        env = {**os.environ, "FTZ_METRICS_PATH": str(store)}
        with serve(command, ROOT, port, env=env) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.goto(f"{url}/refresh")
            page.get_by_role("button", name="用单位统一身份认证登录").click()
            sidebar = page.locator("[data-testid='stSidebar']")
            sidebar.get_by_text("已登录：王五（编辑）").wait_for(timeout=60_000)
            sidebar.get_by_text("数据更新").click()
            page.get_by_text("上传批次文件").first.wait_for(timeout=30_000)  # an editor's page
            page.screenshot(path=SCREENSHOTS / "signed-in-by-sso.png")
            sidebar.get_by_role("button", name="退出登录").click()  # also ends the provider's cookie
            # Streamlit's logout leaves for /auth/logout and lands on the overview, in a new session; the Refresh
            # page asked for again then offers sign-in, the provider's cookie gone.
            page.wait_for_url(f"{url}/", timeout=30_000)
            page.goto(f"{url}/refresh")
            page.get_by_role("button", name="用单位统一身份认证登录").wait_for(timeout=30_000)
            assert sidebar.get_by_text("已登录").count() == 0  # the provider's cookie did not sign in again
            browser.close()
    tries = (store.parent / "history" / "signins.csv").read_text(encoding="utf-8-sig").splitlines()
    assert tries[-1].endswith(",王五,ok")
