"""Back the whole store up into one archive to keep off the machine, and bring it back after a check.

    python -m loaders.backup DIR [--keep N] [--store PATH | --database URL]
    python -m loaders.backup --restore ARCHIVE --yes [--store PATH | --database URL]

An archive (ftz-backup-YYYYMMDD-HHMMSS.tar.gz) holds a manifest with every file's SHA-256 and:
  - for the file store, its whole folder: the table, registers, catalogue, sources, accounts (users.toml),
    history (backups, change log, sign-ins, exports), drafts and reviews in progress;
  - for the database store, a `pg_dump` of the database (custom format), which pg_restore brings back.
A restore checks the archive (manifest, digests, store kind, and for files that the table is valid) before it
changes anything, keeps the store as it was in an archive beside the one restored, and logs the restore.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from loaders import events
from loaders.store import BEIJING, read_metrics
from loaders.stores import Store, StoreUnavailable, open_store

FORMAT = 1
PREFIX = "ftz-backup-"
MANIFEST = "manifest.json"
DUMP = "database.dump"
# What a file store's folder holds that is not the store's: the lock, the typed copies (made again), and
# the drop folder (files still to be taken in, which belong to the machine).
LEFT_OUT = {".cache", "incoming"}


class BadArchive(ValueError):
    """An archive that cannot be restored; the message says why, in Chinese first."""


@dataclass(frozen=True)
class Manifest:
    """What an archive holds: the store's kind, when it was made, the store's version, and each file's digest."""

    kind: str  # "files" or "database"
    made: str
    version: str
    files: dict[str, str]

    def to_json(self) -> bytes:
        """Return the manifest as JSON text."""
        fields = {"format": FORMAT, "kind": self.kind, "made": self.made, "version": self.version, "files": self.files}
        return json.dumps(fields, ensure_ascii=False, indent=1).encode("utf-8")


def store_files(folder: Path) -> list[Path]:
    """Return every file of a file store's folder an archive keeps, in a stable order."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in LEFT_OUT and not path.name.endswith(".lock"):
            found.append(path)
    return found


def make_backup(store: Store, directory: Path, now: datetime | None = None, label: str = "") -> Path:
    """Write one archive of the whole store into `directory` (its name after the time, and `label`); return
    its path. An archive of the same name already there is never replaced."""
    now = now or datetime.now(BEIJING)
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{PREFIX}{label}{now:%Y%m%d-%H%M%S}"
    target = directory / f"{stem}.tar.gz"
    number = 1
    while target.exists():
        number += 1
        target = directory / f"{stem}-{number}.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        contents: dict[str, Path] = {}
        if _is_database(store):
            dump = Path(scratch) / DUMP
            _pg(store, ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"], "--dbname")
            contents[DUMP] = dump
            kind = "database"
        else:
            folder = _folder(store)
            with _held(store):  # no import half-written into the archive
                for path in store_files(folder):
                    copy = Path(scratch) / "files" / path.relative_to(folder)
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, copy)
                    contents[str(path.relative_to(folder))] = copy
            kind = "files"
        digests = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in contents.items()}
        manifest = Manifest(kind, now.isoformat(timespec="seconds"), events.version_of(store), digests)
        partial = target.with_suffix(".partial")
        # Readable by its owner only: it holds the accounts' password hashes and every record.
        raw = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        with raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add(archive, MANIFEST, manifest.to_json())
            for name, path in contents.items():
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, target)  # an archive is there whole, or not at all
    return target


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` archives of a directory (by when each was written, those kept before
    a restore included); return those removed."""
    archives = sorted(directory.glob(f"{PREFIX}*.tar.gz"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in archives[keep:]:
        old.unlink()
    return archives[keep:]


def read_manifest(path: Path) -> tuple[Manifest, dict[str, bytes], dict[str, int]]:
    """Return an archive's manifest, files and their modes, checked: every file listed, none more, each
    digest right, no path outside the store's folder."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = {m.name: m for m in archive.getmembers() if m.isfile()}
            if MANIFEST not in members:
                raise BadArchive(f"{path.name}：不是看板的备份（没有 {MANIFEST}）。 Not a dashboard backup.")
            fields = json.loads(archive.extractfile(members[MANIFEST]).read())  # type: ignore[union-attr]
            files = {
                name: archive.extractfile(member).read()  # type: ignore[union-attr]
                for name, member in members.items()
                if name != MANIFEST
            }
            modes = {name: members[name].mode for name in files}
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as err:
        raise BadArchive(f"{path.name}：备份文件已损坏或不完整（{err}）。 The archive is damaged.") from err
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        raise BadArchive(f"{path.name}：备份格式不受支持。 Unsupported archive format.")
    try:
        manifest = Manifest(str(fields["kind"]), str(fields["made"]), str(fields["version"]), dict(fields["files"]))
    except (KeyError, TypeError, ValueError) as err:
        raise BadArchive(f"{path.name}：清单不完整（{err}）。 The manifest is incomplete.") from err
    if set(files) != set(manifest.files):
        raise BadArchive(f"{path.name}：文件与清单不符。 The files do not match the manifest.")
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != manifest.files[name]:
            raise BadArchive(f"{path.name}：{name} 校验值不符，备份已损坏。 {name} is damaged.")
    for name in files:
        if name.startswith("/") or ".." in Path(name).parts:
            raise BadArchive(f"{path.name}：含有不安全的路径 {name}。 Unsafe path in the archive.")
    return manifest, files, modes


def restore_backup(store: Store, path: Path, who: str) -> Path:
    """Bring an archive back as the store, after checking it and keeping the store as it is now in an
    archive beside it (whose path is returned); the change log records the restore."""
    manifest, files, modes = read_manifest(path)
    kind = "database" if _is_database(store) else "files"
    if manifest.kind != kind:
        raise BadArchive(
            f"{path.name}：这是{'数据库' if manifest.kind == 'database' else '文件'}存储的备份，不能恢复到当前存储。"
            f" A {manifest.kind} backup cannot be restored into a {kind} store."
        )
    if kind == "files":
        _check_table(files)
    kept = make_backup(store, path.parent, label="before-restore-")
    if kind == "database":
        _restore_database(store, files[DUMP])
    else:
        _restore_files(store, files, modes)
    with store.changing() as change:
        change.append_log(
            {
                "time": f"{change.now():%Y-%m-%d %H:%M:%S}",
                "who": who,
                "action": "restore-archive",
                "file": path.name,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "backup": kept.name,
                "note": f"备份时间 made {manifest.made}，版本 version {manifest.version}",
            }
        )
    return kept


def _restore_database(store: Store, dump: bytes) -> None:
    """Replace the database's whole schema with the dump's, in one transaction (all of it or none), then
    bring the schema up to this version's and give the store a new epoch, so that every running server reads
    it again rather than trusting a version number it saw before."""
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / DUMP).write_bytes(dump)
        script = Path(scratch) / "restore.sql"
        _pg(store, ["pg_restore", "--no-owner", f"--file={script}", str(Path(scratch) / DUMP)], None)
        # Tables a newer schema added (not in the dump) go with the schema, so that migrations run cleanly.
        wipe = ["-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public"]
        _pg(
            store,
            ["psql", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", *wipe, "-f", str(script)],
            "--dbname",
        )
    store.upgrade()  # type: ignore[attr-defined]
    with store.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.exec_driver_sql("UPDATE ftz_state SET epoch = gen_random_uuid()::text")


def _restore_files(store: Store, files: dict[str, bytes], modes: dict[str, int]) -> None:
    """Make the store's folder what the archive holds: its files written in place (each whole, with its mode
    from the start), and the files it does not hold removed (drafts, reviews or registers made since)."""
    folder = _folder(store)
    with _held(store):
        for name, data in sorted(files.items()):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            mode = modes[name] & 0o777
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode & 0o700), "wb") as out:
                out.write(data)
            partial.chmod(mode)
            os.replace(partial, target)
        for path in store_files(folder):
            if str(path.relative_to(folder)) not in files:
                path.unlink()


def _check_table(files: dict[str, bytes]) -> None:
    """Refuse an archive whose table does not pass validation (it would stop the dashboard)."""
    if "metrics.csv" not in files:
        raise BadArchive("备份中没有数据表 metrics.csv。 The archive has no table.")
    with tempfile.TemporaryDirectory() as scratch:
        for name, data in files.items():
            if name.endswith(".csv") and "/" not in name:
                (Path(scratch) / name).write_bytes(data)
        try:
            read_metrics(Path(scratch) / "metrics.csv")
        except ValueError as err:
            raise BadArchive(f"备份中的数据表未通过校验，未恢复。 The archive's table is invalid.\n{err}") from err


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _is_database(store: Store) -> bool:
    return hasattr(store, "engine")


def _folder(store: Store) -> Path:
    return Path(store.where).parent


def _held(store: Store) -> AbstractContextManager[None]:
    """Hold a file store's lock, as a change does: no import runs while its files are read or replaced."""
    from loaders.filestore import locked

    return locked(Path(store.where))


def _pg(store: Store, command: list[str], database_option: str | None) -> None:
    """Run a PostgreSQL client program on the store's database (named with `database_option`), its password
    in the environment: a command line is readable by every user of the machine."""
    program = shutil.which(command[0])
    if program is None:
        raise StoreUnavailable(
            f"找不到 {command[0]}（Debian 软件包 postgresql-client）。 {command[0]} is not installed."
        )
    env = dict(os.environ)
    arguments = command[1:]
    if database_option is not None:
        url = store.engine.url  # type: ignore[attr-defined]
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        arguments = [f"{database_option}={plain}", *arguments]
    done = subprocess.run([program, *arguments], capture_output=True, text=True, timeout=3600, env=env)
    if done.returncode != 0:
        raise StoreUnavailable(f"{command[0]} 失败 failed:\n{done.stderr.strip()}")


HELP = """备份整个看板数据到一个文件，或从备份恢复 Back the whole store up into one archive, or restore one.

示例 examples:
  python -m loaders.backup /mnt/backup/ftz --keep 30     备份并只保留最近 30 份 back up, keep the newest 30
  python -m loaders.backup --restore /mnt/backup/ftz/ftz-backup-20261205-020000.tar.gz --yes

退出码 exit codes: 0 成功 success, 1 备份被拒绝 the archive was refused, 2 用法错误或存储不可用 usage or store."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders.backup", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", nargs="?", type=Path, help="备份目录 where archives are written")
    parser.add_argument("--keep", type=int, default=0, help="只保留最近 N 份 keep the newest N archives (0: all)")
    parser.add_argument("--restore", type=Path, metavar="ARCHIVE", help="从备份恢复 restore an archive")
    parser.add_argument("--yes", action="store_true", help="确认用备份替换当前数据 confirm the restore")
    parser.add_argument("--store", type=Path, help="数据文件 the store file (default: FTZ_METRICS_PATH)")
    parser.add_argument("--database", metavar="URL", help="数据库 a PostgreSQL store (default: FTZ_DATABASE_URL)")
    parser.add_argument("--by", default=getpass.getuser(), help="操作人 who restores (default: login name)")
    args = parser.parse_args(argv)
    if (args.directory is None) == (args.restore is None) or (args.store is not None and args.database):
        parser.print_usage(sys.stderr)
        print("请给出备份目录或 --restore ARCHIVE 之一。 Give a directory or --restore.", file=sys.stderr)
        return 2
    try:
        store = open_store(database=args.database, path=args.store)
        if args.restore is not None:
            if not args.yes:
                print(
                    "恢复会替换当前全部数据，请加 --yes 确认。 A restore replaces the store: add --yes.",
                    file=sys.stderr,
                )
                return 2
            kept = restore_backup(store, args.restore, args.by)
            print(
                f"已恢复 {args.restore.name}；恢复前的数据已备份为 {kept}。 Restored; the store before it is in {kept}."
            )
            return 0
        made = make_backup(store, args.directory)
        print(f"已备份 backed up: {made} ({made.stat().st_size:,} bytes)")
        for old in prune(args.directory, args.keep) if args.keep else []:
            print(f"已删除旧备份 removed: {old.name}")
        return 0
    except BadArchive as err:
        print(err, file=sys.stderr)
        return 1
    except StoreUnavailable as err:
        print(err, file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a read-only backup folder, no permission
        print(
            f"无法读写文件，操作未完成：{err}。恢复前的数据（如已保存）在备份目录的 ftz-backup-before-restore-… 中。"
            " A file could not be read or written; the store as it was before a restore is in the backup folder.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
