"""Shared fixtures: paths, the small valid table the schema tests break one rule at a time."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.filestore import FileStore
from loaders.store import load_areas, read_raw_csv
from loaders.stores import Store, open_store
from tests.postgres import free_port as free_port  # shared with the tests that serve pages
from tests.postgres import throwaway_postgres
from tests.system import program

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# The shipped register's areas, in its order, for tests that need them as plain values.
AREAS = ["武汉片区", "襄阳片区", "宜昌片区"]


@pytest.fixture(scope="session")
def areas() -> list[str]:
    return load_areas()["area"].tolist()


def copy_data_folder(folder: Path) -> Path:
    """Copy the shipped data folder (store, registers, sources) into `folder`; return the store's path
    there, so that a test changes only its own store."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("metrics.csv", "batches.csv", "areas.csv", "measures.csv", "categories.csv", "providers.csv"):
        shutil.copy(ROOT / "data" / name, folder / name)
    shutil.copytree(ROOT / "data" / "sources", folder / "sources")
    return folder / "metrics.csv"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the data folder for pages and imports that change it."""
    return copy_data_folder(tmp_path)


@pytest.fixture
def valid_raw() -> pd.DataFrame:
    """A small table of real rows (cases 1, 2 and 19) that passes every rule."""
    return read_raw_csv(FIXTURES / "valid-metrics.csv")


def wait_for_health(
    base_url: str,
    process: subprocess.Popen[bytes],
    timeout: float,
    health_path: str = "",
    context: ssl.SSLContext | None = None,
) -> None:
    """Wait until a Streamlit server answers its health check; fail with its output if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"server exited with {process.returncode}:\n{output[-4000:]}")
        try:
            with urllib.request.urlopen(
                f"{base_url}{health_path}/_stcore/health", timeout=2, context=context
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    process.kill()
    pytest.fail(f"no answer from {base_url} within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own process group, with all its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def serve(
    command: list[str],
    cwd: Path,
    port: int,
    timeout: float = 60,
    health_path: str = "",
    env: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
) -> Iterator[str]:
    """Run a server command until the block ends; yield its base URL once it is healthy (over HTTPS, with
    this client context, when one is given)."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    base_url = f"{'https' if context else 'http'}://127.0.0.1:{port}"
    try:
        wait_for_health(base_url, process, timeout, health_path, context)
        yield base_url
    finally:
        stop(process)


def chromium_path() -> str:
    """Return Debian's chromium (see tests.system.program)."""
    return program("chromium", "chromium", "browser test", "/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "build" / "screenshots"
# Every page of the app: its url path, and whether it draws charts.
PAGES = [
    ("", True),
    ("areas", True),
    ("categories", True),
    ("case", False),
    ("explorer", True),
    ("time", True),
    ("batches", True),
    ("data", False),
    ("refresh", False),
]


@pytest.fixture(scope="session")
def store() -> pd.DataFrame:
    """The small typed table of real rows (cases 1, 2 and 19)."""
    from loaders.store import load_metrics

    return load_metrics(FIXTURES / "valid-metrics.csv")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of the `ftz` database on a throwaway PostgreSQL server, one server for the whole session."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["file", "database"])
def either_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store holding the shipped data, changed only by this test: a copy of the data folder, or a new
    PostgreSQL database loaded on first use (a test taking it runs once with each)."""
    if request.param == "file":
        yield FileStore(copy_data_folder(tmp_path))
    else:
        yield open_store(database=request.getfixturevalue("postgres_url"))


DATABASE_NUMBERS = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The URL of a fresh, empty database on the session's server, dropped after the test."""
    name = f"ftz_{next(DATABASE_NUMBERS)}"
    # CREATE and DROP DATABASE cannot run inside a transaction.
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        yield sa.make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            # FORCE: a store or server the test left connected must not keep the database alive.
            connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        admin.dispose()


def make_rows(*rows: dict[str, object]) -> pd.DataFrame:
    """Return a typed table built from partial rows over a valid default, for aggregation cases."""
    from loaders.store import type_metrics

    default = {
        "fact_id": "",
        "batch": "7",
        "case_no": "1",
        "case_title": "样例",
        "category": "创新驱动发展",
        "area": "武汉片区",
        "provider": "武汉片区",
        "section": "实践效果",
        "indicator": "enterprises",
        "metric": "样例企业",
        "measure": "enterprises_incubated",
        "kind": "outcome",
        "scope": "zone",
        "part_of": "",
        "phase": "",
        "value": "1",
        "value_high": "",
        "unit": "家",
        "qualifier": "",
        "value_text": "1 家",
        "as_of": "",
        "source_quote": "共 1 家。",
    }
    filled = [
        {**default, "fact_id": f"7-01-{i + 1:02d}", **{k: str(v) for k, v in row.items()}} for i, row in enumerate(rows)
    ]
    return type_metrics(pd.DataFrame(filled), AREAS)
