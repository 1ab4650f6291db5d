"""What an IT officer installs: the systemd unit verifies, and says what the README says it does."""

import configparser
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.system import program

UNIT = ROOT / "deploy" / "ftz-dashboard.service"
INSTALLED_PYTHON = "/srv/ftz-dashboard/.venv/bin/python"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(UNIT, encoding="utf-8")
    return parser


def test_the_service_unit_verifies(tmp_path: Path) -> None:
    analyze = program("systemd-analyze", "systemd", "the service unit's check")
    # The unit names the installed virtual environment's Python; here it names this one, which exists.
    text = UNIT.read_text(encoding="utf-8")
    assert text.count(INSTALLED_PYTHON) == 1
    copy = tmp_path / "ftz-dashboard.service"
    copy.write_text(text.replace(INSTALLED_PYTHON, sys.executable), encoding="utf-8")
    checked = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    # A misspelt key is caught by the same check: the test would see a broken unit.
    copy.write_text(text.replace(INSTALLED_PYTHON, sys.executable).replace("Restart=", "Restrat="), encoding="utf-8")
    broken = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert "Unknown key" in broken.stderr


def test_the_service_runs_as_its_own_user_restarts_and_logs_to_the_journal() -> None:
    service = unit()["Service"]
    assert (service["User"], service["WorkingDirectory"]) == ("ftz", "/srv/ftz-dashboard")
    assert service["EnvironmentFile"] == "-/etc/ftz-dashboard.env"
    assert service["Restart"] == "on-failure"
    assert service["StandardOutput"] == service["StandardError"] == "journal"
    assert service["ReadWritePaths"] == "/srv/ftz-dashboard/data" and service["ProtectSystem"] == "strict"
    assert "serve.py dashboard.py" in service["ExecStart"] and "--server.address 127.0.0.1" in service["ExecStart"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/ftz-dashboard.service" in readme and "systemctl enable --now ftz-dashboard" in readme
