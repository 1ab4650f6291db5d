"""The README's promises: two set-up commands that work from a clean clone, every setting documented."""

import ast
import subprocess
import tomllib
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, serve

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    opening = "\n".join(README.splitlines()[:12])
    assert "make run" in opening
    assert "make test" in opening
    assert "http://localhost:8501" in opening


@pytest.mark.parametrize("setting", ["ADDRESS", "PORT", "BASE_PATH", "FTZ_METRICS_PATH", "FTZ_ADMIN_PASSWORD"])
def test_readme_documents_each_setting(setting: str) -> None:
    assert setting in README


def test_streamlit_config_keeps_the_app_on_the_intranet() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorLinks"] is False
    assert config["server"]["headless"] is True


@pytest.mark.slow
def test_make_run_serves_the_dashboard_from_a_clean_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    base_path = "ftz"
    command = ["make", "run", "ADDRESS=127.0.0.1", f"PORT={port}", f"BASE_PATH={base_path}"]
    with serve(command, clone, port, timeout=600, health_path=f"/{base_path}") as url:
        page = urllib.request.urlopen(f"{url}/{base_path}/", timeout=10).read().decode()
    assert 'id="root"' in page
    assert (clone / ".venv" / "bin" / "streamlit").exists()


def test_each_page_file_is_named_as_its_url() -> None:
    # Until the first st.navigation call of a fresh server, Streamlit knows the pages by their file
    # names: a link to a page whose file is named otherwise opens with "Page not found".
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    pages = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PAGES" for t in node.targets)
    )
    assert len(pages) == len(list((ROOT / "pages").glob("*.py")))
    for path, _, url, _ in pages:
        assert Path(path).stem == url and (ROOT / path).exists()
