"""Backups off the machine: one archive of the whole store, checked and brought back after a wipe."""

import hashlib
import io
import shutil
import stat
import tarfile
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from loaders.backup import BadArchive, main, make_backup, prune, read_manifest, restore_backup, store_files
from loaders.ingest import apply, prepare
from loaders.store import BEIJING
from loaders.stores import Store, open_store
from loaders.users import new_account
from tests.conftest import FIXTURES, copy_data_folder
from tests.test_app import PAGES, make_app, open_page

BATCH_8 = FIXTURES / "batch-08-sample-gbk.csv"


def filled(store: Store) -> None:
    """Give a store what a year of use gives it: an account, an import (with its backup and log line), a
    sign-in and an export logged, and a review in progress."""
    store.put_account(new_account("王五", "editor", "长江大桥-2026-stays", datetime.now(BEIJING)), who="管理员")
    prepared = prepare(BATCH_8.read_bytes(), "第八批.csv", store)
    apply(prepared, store, who="王五", filename="第八批.csv", note="第八批样例", yes=False)
    store.record_signin(datetime.now(BEIJING), "王五", "ok")
    store.record_export(datetime.now(BEIJING), "王五", "数据.xlsx", "片区：宜昌片区")
    store.save_review("王五", "0123456789abcdef", b'{"file": "x"}')


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in store_files(folder)}


def shown(monkeypatch: pytest.MonkeyPatch, path: Path) -> dict[str, list[str]]:
    """Return what each page shows of the data: its metrics, captions and table sizes."""
    pages = {}
    for page in PAGES:
        at = open_page(make_app(monkeypatch, path), page)
        assert not at.exception
        pages[page] = [f"{m.label}={m.value}" for m in at.metric] + [str(len(d.value)) for d in at.dataframe]
        pages[page] += [c.value for c in at.caption if "数据更新时间" in c.value]
    return pages


def test_a_file_store_wiped_and_restored_gives_back_the_same_files_and_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_copy = copy_data_folder(tmp_path / "data")
    store = open_store(path=data_copy)
    filled(store)
    folder = data_copy.parent
    before, pages = digests(folder), shown(monkeypatch, data_copy)
    archive = make_backup(store, tmp_path / "off-site")
    manifest, files, _ = read_manifest(archive)
    assert manifest.kind == "files" and set(files) == set(before)
    assert {"metrics.csv", "users.toml", "history/log.csv", "history/signins.csv", "history/exports.csv"} <= set(files)
    assert "sources/batch-07.txt" in files and any(name.startswith("reviews/") for name in files)

    shutil.rmtree(folder)  # the disk is lost
    folder.mkdir()
    assert main(["--restore", str(archive), "--store", str(data_copy), "--by", "管理员"]) == 2  # needs --yes
    assert main(["--restore", str(archive), "--store", str(data_copy), "--by", "管理员", "--yes"]) == 0

    after = digests(folder)
    assert {k: v for k, v in after.items() if k != "history/log.csv"} == {
        k: v for k, v in before.items() if k != "history/log.csv"
    }
    log = open_store(path=data_copy).log()
    assert log.loc[0, ["who", "action", "file"]].tolist() == ["管理员", "restore-archive", archive.name]
    assert log.loc[1, ["who", "action", "note"]].tolist() == ["王五", "ingest", "第八批样例"]  # the history came back
    assert stat.S_IMODE((folder / "users.toml").stat().st_mode) == 0o600  # still readable by its owner only
    assert shown(monkeypatch, data_copy) == pages
    # The store as it was just before the restore (empty) was kept beside the archive.
    assert [p.name.startswith("ftz-backup-before-restore-") for p in sorted(archive.parent.iterdir())].count(True) == 1


def rewritten(archive: Path, target: Path, change: dict[str, bytes]) -> Path:
    """Write a copy of an archive with some files' contents changed (its manifest untouched)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            data = change.get(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def test_a_damaged_or_foreign_archive_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    data_copy = copy_data_folder(tmp_path / "data")
    store = open_store(path=data_copy)
    archive = make_backup(store, tmp_path / "off-site")
    before = digests(data_copy.parent)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    tampered = rewritten(archive, tmp_path / "tampered.tar.gz", {"areas.csv": b"area\n"})
    broken_table = (data_copy.read_text(encoding="utf-8-sig") + "这一行不是数据\n").encode()
    invalid = tmp_path / "invalid.tar.gz"
    with tarfile.open(invalid, "w:gz") as out:  # a well-formed archive whose table does not pass
        import json

        manifest = {"format": 1, "kind": "files", "made": "", "version": "", "files": {}}
        manifest["files"]["metrics.csv"] = hashlib.sha256(broken_table).hexdigest()
        for name, data in (("manifest.json", json.dumps(manifest).encode()), ("metrics.csv", broken_table)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    for bad, reason in ((cut, "已损坏或不完整"), (tampered, "areas.csv 校验值不符"), (invalid, "未通过校验")):
        with pytest.raises(BadArchive, match=reason):
            restore_backup(store, bad, "管理员")
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["--restore", str(tmp_path / "notes.txt"), "--store", str(data_copy), "--yes"]) == 1
    assert digests(data_copy.parent) == before


def test_old_archives_beyond_the_number_kept_are_removed(tmp_path: Path) -> None:
    store = open_store(path=copy_data_folder(tmp_path / "data"))
    tmp_path = tmp_path / "off-site"
    for day in range(1, 5):
        make_backup(store, tmp_path, datetime(2026, 12, day, 2, 0, tzinfo=BEIJING))
    removed = prune(tmp_path, keep=2)
    assert [p.name for p in removed] == ["ftz-backup-20261202-020000.tar.gz", "ftz-backup-20261201-020000.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ftz-backup-20261203-020000.tar.gz",
        "ftz-backup-20261204-020000.tar.gz",
    ]


def test_a_restore_takes_back_what_was_made_since_and_keeps_archives_private(tmp_path: Path) -> None:
    data_copy = copy_data_folder(tmp_path / "data")
    store = open_store(path=data_copy)
    archive = make_backup(store, tmp_path / "off-site")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the accounts' password hashes
    filled(store)  # after the backup: an account, an import, a review
    restore_backup(store, archive, "管理员")
    again = open_store(path=data_copy)
    assert again.accounts() == {} and again.reviews("王五") == {}
    assert set(again.load().frame["batch"]) == {7}
    assert not (data_copy.parent / "users.toml").exists()


def test_a_database_restored_over_later_changes_and_a_newer_schema_is_whole_and_read_again(
    tmp_path: Path, postgres_url: str
) -> None:
    store = open_store(database=postgres_url)
    filled(store)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:  # as a database of the schema before reviews were kept in it
        connection.execute(sa.text("DROP TABLE reviews"))
        connection.execute(sa.text("UPDATE ftz_schema_version SET version_num = '0005'"))
    frame, accounts, log = store.load().frame, store.accounts(), store.log()
    registers = {name: store.register(name) for name in ("batches", "categories", "measures")}
    archive = make_backup(store, tmp_path)
    manifest, files, _ = read_manifest(archive)
    assert manifest.kind == "database" and set(files) == {"database.dump"}
    with pytest.raises(BadArchive, match="不能恢复到当前存储"):  # a database backup is no file store's
        restore_backup(open_store(path=tmp_path / "files" / "metrics.csv"), archive, "管理员")

    store.upgrade()  # this version's schema again, then changes made after the backup
    store.put_account(new_account("钱七", "viewer", "长江大桥-2026-stays", datetime.now(BEIJING)), who="管理员")
    store.save_review("王五", "fedcba9876543210", b"{}")
    seen = store.state()
    restore_backup(store, archive, "管理员")

    again = open_store(database=postgres_url)
    assert again.state() != seen  # every server reads the restored data again
    assert again.load().frame.equals(frame)
    assert again.accounts() == accounts and again.reviews("王五") == {}
    assert all(again.register(name).equals(register) for name, register in registers.items())
    assert again.log().iloc[1:].reset_index(drop=True).equals(log)
    assert again.log().loc[0, "action"] == "restore-archive"
    with engine.connect() as connection:  # the schema is this version's
        assert connection.execute(sa.text("SELECT version_num FROM ftz_schema_version")).scalar_one() == "0006"
