"""The offline installer: built here, installed into a fresh folder with pip closed to every index, served."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import free_port, serve

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from bundle import build, project_files  # noqa: E402

# pip may reach no package index: a closed port stands for the intranet's missing internet.
CLOSED = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": ""}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build("x86_64", tmp_path_factory.mktemp("dist"))


def unpacked(bundle: Path, folder: Path) -> Path:
    with tarfile.open(bundle) as archive:
        archive.extractall(folder, filter="data")
    [top] = list(folder.iterdir())
    return top


def test_the_bundle_carries_the_project_and_its_wheels_but_no_secrets(bundle: Path) -> None:
    assert bundle.name == "ftz-dashboard-0.1.0-offline.tar.gz"
    digest = bundle.with_name(bundle.name + ".sha256").read_text().split()
    assert digest[1] == bundle.name and len(digest[0]) == 64
    with tarfile.open(bundle) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames()}
    assert {
        "install.sh",
        "run.sh",
        "dashboard.py",
        "serve.py",
        "requirements.txt",
        "Makefile",
        "wheels/MACHINE",
    } <= names
    assert {"data/metrics.csv", "data/sources/batch-07.txt", "deploy/ftz-dashboard.service"} <= names
    assert not any(name.startswith(("tests/", "data/history", "data/users.toml", ".venv")) for name in names)
    assert set(project_files()) <= names
    wheels = [name for name in names if name.endswith(".whl")]
    assert any(name.startswith("wheels/streamlit-1.67.0-") for name in wheels)
    assert not [w for w in wheels if "aarch64" in w or "macosx" in w or "win" in w.split("-")[-1]]


def test_the_bundle_installs_with_no_index_and_serves(bundle: Path, tmp_path: Path) -> None:
    folder = unpacked(bundle, tmp_path)
    env = {**os.environ, **CLOSED, "PYTHON": shutil.which("python3.11") or sys.executable}
    env.pop("VIRTUAL_ENV", None)
    installed = subprocess.run(["./install.sh"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert "安装完成" in installed.stderr
    port = free_port()
    with serve(["./run.sh"], folder, port, env={**env, "PORT": str(port), "ADDRESS": "127.0.0.1"}) as url:
        import urllib.request

        with urllib.request.urlopen(f"{url}/", timeout=10) as page:
            assert 'id="root"' in page.read().decode()


def test_install_says_what_is_missing(bundle: Path, tmp_path: Path) -> None:
    folder = unpacked(bundle, tmp_path)
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\necho 3.9\n")
    old.chmod(0o755)
    refused = subprocess.run(
        ["./install.sh"], cwd=folder, env={**os.environ, "PYTHON": str(old)}, capture_output=True, text=True
    )
    assert refused.returncode == 1 and "需要 Python 3.11" in refused.stderr and not (folder / ".venv").exists()
    (folder / "wheels" / "MACHINE").write_text("aarch64\n")
    python = shutil.which("python3.11") or sys.executable
    wrong = subprocess.run(
        ["./install.sh"], cwd=folder, env={**os.environ, "PYTHON": python}, capture_output=True, text=True
    )
    assert wrong.returncode == 1 and "此安装包是为 aarch64 准备的" in wrong.stderr


def test_the_arm_bundle_resolves_every_requirement_from_its_own_wheels(tmp_path: Path) -> None:
    """No ARM machine here: pip resolves the aarch64 bundle's requirements for that platform from its wheels
    alone, as install.sh would on a Kunpeng or Phytium server."""
    from bundle import PLATFORMS

    arm = build("aarch64", tmp_path / "dist")
    assert arm.name == "ftz-dashboard-0.1.0-aarch64-offline.tar.gz"
    folder = unpacked(arm, tmp_path / "unpacked")
    assert (folder / "wheels" / "MACHINE").read_text() == "aarch64\n"
    binaries = [w.name for w in (folder / "wheels").glob("*.whl") if not w.name.endswith("-none-any.whl")]
    assert binaries and all("aarch64" in name for name in binaries), binaries  # every compiled wheel is for ARM
    tags = [option for tag in PLATFORMS["aarch64"] for option in ("--platform", tag)]
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-index"]
    command += ["--find-links", str(folder / "wheels"), "--only-binary=:all:", "--python-version", "3.11"]
    command += [*tags, "--target", str(tmp_path / "target"), "-r", str(folder / "requirements.txt")]
    resolved = subprocess.run(
        command,
        env={**os.environ, **CLOSED, "PIP_CONFIG_FILE": "/dev/null"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resolved.returncode == 0, resolved.stderr[-3000:]
    assert "Would install" in resolved.stdout and "streamlit-1.67.0" in resolved.stdout
