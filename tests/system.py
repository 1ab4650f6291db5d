"""Programs the tests take from Debian's packages (which `make test` installs): a test that needs one is
skipped loudly where it is missing, and fails in CI, where it must be there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest


def not_installed(package: str, needed_for: str) -> NoReturn:
    """Skip the test with a loud reason, or fail it in CI (CI=true), for a missing package."""
    reason = f"!!! Debian's {package} is not installed (apt-get install {package}): {needed_for} cannot run"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def program(name: str, package: str, needed_for: str, usual: str | None = None) -> str:
    """Return the path of a package's program, found on PATH or at its usual place (see not_installed)."""
    path = shutil.which(name) or usual
    if path is None or not Path(path).exists():
        not_installed(package, needed_for)
    return path
