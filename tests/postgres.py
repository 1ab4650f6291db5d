"""A throwaway PostgreSQL server for the tests: Debian's binaries, a fresh cluster in a temporary folder."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.system import not_installed

# initdb, pg_ctl and postgres refuse to run as root; CI runs the suite as root, so they run as this user.
SERVER_USER = "nobody"
# Speed over durability: the cluster is thrown away after the session.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
}


def postgres_bin() -> Path:
    """Return the newest installed PostgreSQL's bin folder; skip loudly without one, but fail in CI."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda initdb: int(initdb.parent.parent.name) if initdb.parent.parent.name.isdigit() else 0,
    )
    if not found:
        not_installed("postgresql", "database tests")
    return found[-1].parent


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 now (conftest.py passes it on to the other tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_as_server_user(command: list[str | Path], folder: Path) -> None:
    """Run a PostgreSQL command as the unprivileged user when we are root, else as ourselves; raise with its
    output (and the server's log) if it fails."""
    prefix = ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []
    # cwd is the cluster's folder: the server user may not be able to enter ours.
    done = subprocess.run([*prefix, *command], cwd=folder, capture_output=True, text=True)
    if done.returncode != 0:
        log = folder / "server.log"
        server_log = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}{server_log}")


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a fresh PostgreSQL cluster on a free port; yield the SQLAlchemy URL of its `ftz` database,
    owned by the superuser `ftz`. The server is stopped and its folder removed when the block ends."""
    bin_dir = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="ftz-postgres-"))  # mode 0700: only the server user may enter
    data = folder / "data"
    port = free_port()
    started = False
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(folder, user.pw_uid, user.pw_gid)
        # --no-sync: the cluster lives for one session, so initdb need not wait for the disk.
        initdb: list[str | Path] = [
            bin_dir / "initdb",
            "--no-sync",
            "-D",
            data,
            "-U",
            "ftz",
            "-E",
            "UTF8",
            "--locale=C",
            "--auth=trust",
        ]
        run_as_server_user(initdb, folder)
        # Our own socket folder, so that nothing touches (or depends on) the system cluster's /var/run/postgresql.
        settings = {**SETTINGS, "port": str(port), "unix_socket_directories": f"'{folder}'"}
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        run_as_server_user([bin_dir / "pg_ctl", "start", "-w", "-D", data, "-l", folder / "server.log"], folder)
        started = True
        run_as_server_user([bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "ftz", "ftz"], folder)
        yield f"postgresql+psycopg://ftz@127.0.0.1:{port}/ftz"
    finally:
        if started:
            # Immediate: no shutdown checkpoint, since the data is deleted next.
            run_as_server_user([bin_dir / "pg_ctl", "stop", "-w", "-m", "immediate", "-D", data], folder)
        shutil.rmtree(folder, ignore_errors=True)
