"""Write the offline installer: the project, a wheelhouse of every run dependency, install.sh and run.sh.

    python scripts/bundle.py [--platform x86_64|aarch64] [--out dist]     (make bundle [PLATFORM=aarch64])

The wheels are CPython 3.11 manylinux wheels (glibc 2.28 or older, as Kylin V10 and UOS 20 have), taken
from the package index this machine reaches; the machine that installs the bundle needs none.
The archive is dist/ftz-dashboard-<version>-offline.tar.gz (…-aarch64-offline.tar.gz for ARM servers),
with its SHA-256 beside it for the file ferry.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = {
    # Newest first; no tag newer than manylinux_2_28, so that glibc 2.28 (Kylin V10, UOS 20) installs them.
    "x86_64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"],
    "aarch64": ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"],
}
# What an intranet server runs; the tests, benchmarks and CI stay in the repository.
LEFT_OUT = ("tests/", "bench/", ".ci/", "scripts/", "requirements-test.txt", ".gitignore")


def version() -> str:
    """Return the project's version (pyproject.toml)."""
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def project_files() -> list[str]:
    """Return the committed files the bundle carries (never data/users.toml, history or drafts: untracked)."""
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--name-only", "HEAD"], cwd=ROOT, capture_output=True, check=True
    )
    return [name for name in listed.stdout.decode().split("\0") if name and not name.startswith(LEFT_OUT)]


def committed() -> tarfile.TarFile:
    """Return the project as committed (HEAD), so that no local change of the working tree, such as data a
    developer imported to try something, ever reaches a server."""
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    return tarfile.open(fileobj=io.BytesIO(archive.stdout))


def download_wheels(platform: str, target: Path) -> None:
    """Download a wheel of every run dependency (requirements.txt) for CPython 3.11 on the platform."""
    tags = [option for tag in PLATFORMS[platform] for option in ("--platform", tag)]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    command += ["-r", str(ROOT / "requirements.txt"), "-d", str(target), "--only-binary=:all:"]
    command += ["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", *tags]
    subprocess.run(command, check=True)


def build(platform: str, out: Path) -> Path:
    """Write the bundle for a platform into `out`; return its path."""
    name = f"ftz-dashboard-{version()}" + ("" if platform == "x86_64" else f"-{platform}")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}-offline.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        wheels = Path(scratch) / "wheels"
        download_wheels(platform, wheels)
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            wanted = set(project_files())
            with committed() as project:
                for member in project.getmembers():
                    if not (member.isfile() and member.name in wanted):
                        continue
                    data = project.extractfile(member).read()  # type: ignore[union-attr]
                    places = [member.name]
                    if member.name.startswith("deploy/offline/"):  # install.sh and run.sh, also at the top
                        places.append(Path(member.name).name)
                    for place in places:
                        copy = tarfile.TarInfo(f"{name}/{place}")
                        copy.size, copy.mode, copy.mtime = len(data), member.mode, member.mtime
                        archive.addfile(copy, io.BytesIO(data))
            for wheel in sorted(wheels.iterdir()):
                archive.add(wheel, arcname=f"{name}/wheels/{wheel.name}", recursive=False)
            _add_text(archive, f"{name}/wheels/MACHINE", f"{platform}\n")
        os.replace(partial, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    target.with_name(target.name + ".sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    return target


def _add_text(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    archive.addfile(info, io.BytesIO(data))


def main(argv: list[str] | None = None) -> int:
    """Build the bundle; print its path and size."""
    parser = argparse.ArgumentParser(prog="python scripts/bundle.py", description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=sorted(PLATFORMS), default="x86_64")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    made = build(args.platform, args.out)
    print(f"{made} ({made.stat().st_size / 1e6:.0f} MB); SHA-256 in {made.name}.sha256")
    return 0


if __name__ == "__main__":
    sys.exit(main())
