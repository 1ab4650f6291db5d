"""Staff accounts: hashes, lockouts, the sign-in log and the command line, on the file store and on PostgreSQL."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from loaders.filestore import FileStore, read_cells
from loaders.ingest import prepare, publish, send_back, submit
from loaders.store import BEIJING
from loaders.stores import Store, open_store
from loaders.users import (
    FLOOD,
    FLOOD_WAIT,
    LOCK_AFTER,
    LOCK_FOR,
    LOCKED,
    OK,
    SSO_ONLY,
    WRONG,
    Account,
    connection_of,
    new_account,
    password_matches,
    sign_in,
    still_valid,
)
from tests.conftest import FIXTURES, ROOT, copy_data_folder

PASSWORD = "长江大桥-2026-stays"
START = datetime(2026, 12, 5, 9, 0, tzinfo=BEIJING)


def add(store: Store, name: str = "张三", role: str = "editor", password: str = PASSWORD) -> Account:
    account = new_account(name, role, password, START)
    store.put_account(account, who="管理员")
    return account


def test_a_hash_is_not_the_password_verifies_it_and_refuses_another() -> None:
    account = new_account("张三", "editor", PASSWORD, START)
    again = new_account("张三", "editor", PASSWORD, START)
    assert PASSWORD not in account.hash and account.hash.startswith("$argon2id$")
    assert account.hash != again.hash  # salted
    assert password_matches(account, PASSWORD)
    assert not password_matches(account, PASSWORD + " ")
    assert not password_matches(account, "")


@pytest.mark.parametrize(
    ("name", "role", "password", "reason"),
    [
        ("张三", "editor", "short-1", "至少 10 个字符"),
        ("zhangsan123", "editor", "ZhangSan123", "不能与账号名相同"),
        ("张三", "boss", PASSWORD, "角色须为"),
        (" 张三", "editor", PASSWORD, "首尾不能有空格"),
    ],
)
def test_a_new_account_is_refused_with_the_reason(name: str, role: str, password: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        new_account(name, role, password, START)


def test_the_store_keeps_accounts_and_logs_who_changed_them(either_store: Store) -> None:
    account = add(either_store)
    assert either_store.accounts() == {"张三": account}
    either_store.put_account(Account("张三", "approver", account.hash, "later"), who="管理员")
    assert either_store.accounts()["张三"].role == "approver"
    assert either_store.remove_account("张三", who="管理员") and not either_store.remove_account("张三", who="管理员")
    assert either_store.accounts() == {}
    log = either_store.log()
    assert log[["who", "action", "note"]].values.tolist() == [
        ["管理员", "account-remove", "张三 (approver)"],
        ["管理员", "account-change", "张三 (approver)"],
        ["管理员", "account-add", "张三 (editor)"],
    ]


def test_a_changed_account_changes_the_stores_state(either_store: Store) -> None:
    before = either_store.state()
    add(either_store)
    assert either_store.state() != before


def test_five_wrong_tries_lock_a_name_for_fifteen_minutes_held_by_the_store(either_store: Store) -> None:
    add(either_store)
    add(either_store, "李四")
    for minute in range(LOCK_AFTER - 1):
        assert sign_in(either_store, "张三", "wrong password", START + timedelta(minutes=minute)).outcome == WRONG
    fifth = START + timedelta(minutes=LOCK_AFTER)
    refused = sign_in(either_store, "张三", "wrong password", fifth)
    assert (refused.outcome, refused.until) == (LOCKED, fifth + LOCK_FOR)
    # Another browser or server asks the same store: the right password is refused while the lock holds.
    again = FileStore(Path(either_store.where)) if isinstance(either_store, FileStore) else either_store
    held = sign_in(again, "张三", PASSWORD, fifth + LOCK_FOR - timedelta(seconds=1))
    assert (held.outcome, held.account, held.until) == (LOCKED, None, fifth + LOCK_FOR)
    # Another name is not locked; and the lock ends after its window.
    assert sign_in(again, "李四", PASSWORD, fifth).outcome == OK
    released = sign_in(again, "张三", PASSWORD, fifth + LOCK_FOR)
    assert released.outcome == OK and released.account is not None and released.account.role == "editor"


def test_a_successful_sign_in_starts_the_count_again(either_store: Store) -> None:
    add(either_store)
    moments = (START + timedelta(seconds=10 * n) for n in range(20))
    for _ in range(LOCK_AFTER - 1):
        sign_in(either_store, "张三", "wrong password", next(moments))
    assert sign_in(either_store, "张三", PASSWORD, next(moments)).outcome == OK
    for _ in range(LOCK_AFTER - 1):
        assert sign_in(either_store, "张三", "wrong password", next(moments)).outcome == WRONG


def test_wrong_tries_spread_over_more_than_the_window_do_not_lock(tmp_path: Path) -> None:
    store = FileStore(copy_data_folder(tmp_path))
    add(store)
    for n in range(2 * LOCK_AFTER):
        moment = START + n * (LOCK_FOR / (LOCK_AFTER - 1) + timedelta(seconds=1))
        assert sign_in(store, "张三", "wrong password", moment).outcome == WRONG


def test_every_try_is_logged_with_its_name_and_outcome_never_the_password(either_store: Store) -> None:
    add(either_store)
    sign_in(either_store, "张三", "my-secret-guess", START)
    sign_in(either_store, "nobody", "another-secret-guess", START + timedelta(seconds=1))
    sign_in(either_store, "张三", PASSWORD, START + timedelta(seconds=2))
    tries = either_store.signins(START - timedelta(minutes=1))
    assert tries[["name", "outcome"]].values.tolist() == [["张三", WRONG], ["nobody", WRONG], ["张三", OK]]
    assert tries["time"].tolist() == [START + timedelta(seconds=n) for n in range(3)]
    assert either_store.signins(START + timedelta(seconds=2))["outcome"].tolist() == [OK]
    if isinstance(either_store, FileStore):
        text = (Path(either_store.where).parent / "history" / "signins.csv").read_text(encoding="utf-8-sig")
        assert "secret" not in text and PASSWORD not in text


def test_a_flood_of_wrong_tries_makes_every_sign_in_wait(either_store: Store) -> None:
    add(either_store)
    waited: list[float] = []
    for n in range(FLOOD):
        sign_in(either_store, f"guess{n}", "wrong password", START + timedelta(seconds=n))
    assert sign_in(either_store, "张三", PASSWORD, START + timedelta(seconds=31), wait=waited.append).outcome == OK
    assert waited == []
    sign_in(either_store, "guess", "wrong password", START + timedelta(seconds=32))
    assert sign_in(either_store, "张三", PASSWORD, START + timedelta(seconds=33), wait=waited.append).outcome == OK
    assert waited == [FLOOD_WAIT]
    # A minute later the flood is over.
    sign_in(either_store, "张三", PASSWORD, START + timedelta(seconds=95), wait=waited.append)
    assert waited == [FLOOD_WAIT]


def test_the_old_single_password_signs_in_as_admin_until_an_account_takes_the_name(either_store: Store) -> None:
    legacy = "old-shared-pw"
    signed = sign_in(either_store, "admin", legacy, START, legacy_password=legacy)
    assert signed.outcome == OK and signed.account is not None and signed.account.role == "admin"
    assert sign_in(either_store, "admin", "guess", START, legacy_password=legacy).outcome == WRONG
    assert sign_in(either_store, "admin", legacy, START).outcome == WRONG  # no old password set
    add(either_store, "admin", "admin")
    assert sign_in(either_store, "admin", legacy, START, legacy_password=legacy).outcome == WRONG
    assert sign_in(either_store, "admin", PASSWORD, START, legacy_password=legacy).outcome == OK


def test_a_signed_in_session_ends_when_its_account_is_removed_or_its_password_changes() -> None:
    account = new_account("张三", "editor", PASSWORD, START)
    fingerprint = account.fingerprint
    assert still_valid(account, fingerprint, {"张三": account}, legacy=False) == account
    assert still_valid(account, fingerprint, {}, legacy=False) is None
    changed = new_account("张三", "editor", PASSWORD, START)
    assert still_valid(account, fingerprint, {"张三": changed}, legacy=False) is None
    demoted = Account("张三", "viewer", account.hash)
    assert still_valid(account, fingerprint, {"张三": demoted}, legacy=False) is None
    old = Account("admin", "admin", "")
    assert still_valid(old, old.fingerprint, {}, legacy=True) == old
    assert still_valid(old, old.fingerprint, {}, legacy=False) is None


def users(store: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "loaders.users", "--store", str(store), "--by", "管理员", *args]
    return subprocess.run(command, input=password, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_command_line_adds_changes_lists_and_removes_accounts(tmp_path: Path) -> None:
    store = copy_data_folder(tmp_path)
    assert users(store, "add", "张三", "--role", "editor", "--password-stdin", password=PASSWORD + "\n").returncode == 0
    users_file = store.parent / "users.toml"
    assert PASSWORD not in users_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    refused = users(store, "passwd", "张三", "--password-stdin", password="short\n")
    assert refused.returncode == 2 and "至少 10 个字符" in refused.stderr
    again = users(store, "add", "张三", "--role", "admin", "--password-stdin", password=PASSWORD + "\n")
    assert again.returncode == 2 and "已存在" in again.stderr
    assert users(store, "passwd", "张三", "--password-stdin", password="新的密码-second-one\n").returncode == 0
    assert users(store, "role", "张三", "approver").returncode == 0
    listed = users(store, "list")
    assert listed.returncode == 0 and "张三\tapprover" in listed.stdout
    changed = FileStore(store).accounts()["张三"]
    assert password_matches(changed, "新的密码-second-one") and not password_matches(changed, PASSWORD)
    assert users(store, "remove", "张三").returncode == 0
    assert users(store, "remove", "张三").returncode == 2
    assert "没有账号" in users(store, "list").stdout
    assert set(FileStore(store).log()["who"]) == {"管理员"}


def test_the_users_file_is_kept_out_of_version_control() -> None:
    ignored = subprocess.run(["git", "check-ignore", "data/users.toml"], cwd=ROOT, capture_output=True, text=True)
    assert ignored.returncode == 0


# --- approval (FTZ_APPROVAL=1) ------------------------------------------------------------------------

BATCH_8 = FIXTURES / "batch-08-sample-gbk.csv"


def submitted(store: Store, who: str = "张三", path: Path = BATCH_8) -> str:
    return submit(
        prepare(path.read_bytes(), path.name, store), store, who=who, filename=path.name, note="请审核", yes=True
    )


def test_a_draft_is_kept_apart_from_what_leaders_see_until_someone_else_publishes_it(either_store: Store) -> None:
    before = either_store.load().frame
    draft_id = submitted(either_store)
    assert draft_id == "batch-8"
    pd.testing.assert_frame_equal(either_store.load().frame, before)  # leaders see no change
    (draft,) = either_store.drafts()
    assert (draft.who, draft.batches, draft.added, draft.note) == (
        "张三",
        "8",
        len(read_cells(io.BytesIO(either_store.draft_text(draft_id)))),
        "请审核",
    )
    assert either_store.log().loc[0, ["who", "action", "batches", "backup"]].tolist() == [
        "张三",
        "submit",
        "8",
        "batch-8",
    ]
    with pytest.raises(ValueError, match="不能发布自己提交的数据"):
        publish(either_store, draft_id, who="张三")
    saved = publish(either_store, draft_id, who="李四", note="已核对原文")
    after = either_store.load().frame
    assert len(after[after["batch"] == 8]) == draft.added and either_store.drafts() == []
    published = either_store.log().loc[0]
    assert published[["who", "action", "batches", "backup"]].tolist() == ["李四", "publish", "8", saved]
    assert published["note"] == "提交人 submitted by 张三；已核对原文"
    assert either_store.last_changed() == str(published["time"])[:16]  # the data changed when published


def test_a_draft_from_an_excel_file_is_published_as_it_was_checked(either_store: Store) -> None:
    draft_id = submitted(either_store, path=FIXTURES / "batch-08-sample.xlsx")
    publish(either_store, draft_id, who="李四")
    frame = either_store.load().frame
    assert len(frame[frame["batch"] == 8]) > 0
    assert either_store.log().loc[0, ["action", "file"]].tolist() == ["publish", "batch-08-sample.xlsx"]


def test_a_draft_sent_back_is_dropped_with_the_reason_logged(either_store: Store) -> None:
    before = either_store.load().frame
    draft_id = submitted(either_store)
    send_back(either_store, draft_id, who="李四", note="第3行单位有误")
    assert either_store.drafts() == []
    pd.testing.assert_frame_equal(either_store.load().frame, before)
    assert either_store.log().loc[0, ["who", "action", "note"]].tolist() == [
        "李四",
        "return",
        "提交人 submitted by 张三；第3行单位有误",
    ]
    with pytest.raises(ValueError, match="没有这个草稿"):
        publish(either_store, draft_id, who="李四")


def test_a_new_draft_of_the_same_batch_replaces_the_old_one(either_store: Store) -> None:
    submitted(either_store, who="张三")
    submitted(either_store, who="王五")
    (draft,) = either_store.drafts()
    assert draft.who == "王五"


def test_the_command_line_submits_a_draft_when_approval_is_on(tmp_path: Path) -> None:
    store = copy_data_folder(tmp_path)
    before = store.read_bytes()
    command = [sys.executable, "-m", "loaders.ingest", str(BATCH_8), "--store", str(store), "--by", "张三"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "FTZ_APPROVAL": "1"})
    assert done.returncode == 0 and "已提交审核（草稿 batch-8）" in done.stdout
    assert store.read_bytes() == before and [d.id for d in FileStore(store).drafts()] == ["batch-8"]


def test_an_account_for_single_sign_on_only_has_no_password_that_signs_in(tmp_path: Path) -> None:
    store = copy_data_folder(tmp_path)
    assert users(store, "add", "王五", "--role", "editor", "--sso-only").returncode == 0
    account = FileStore(store).accounts()["王五"]
    assert (account.role, account.hash) == ("editor", SSO_ONLY)
    assert sign_in(FileStore(store), "王五", SSO_ONLY, START).outcome == WRONG
    assert sign_in(FileStore(store), "王五", "", START).outcome == WRONG


def test_the_export_log_keeps_who_took_which_file_of_which_filters(either_store: Store) -> None:
    assert either_store.exports(START).empty
    either_store.record_export(START, "孙八", "湖北自贸试验区实践案例指标_第七批.xlsx", "片区：宜昌片区")
    either_store.record_export(START + timedelta(minutes=1), "孙八", "b.csv", "全部数据，未筛选")
    log = either_store.exports(START + timedelta(seconds=30))
    assert log[["who", "what", "filters"]].values.tolist() == [["孙八", "b.csv", "全部数据，未筛选"]]
    assert log["time"].tolist() == [START + timedelta(minutes=1)]


@pytest.mark.parametrize(
    ("url", "connection"),
    [
        ("https://ftz.example/refresh", "https"),
        ("http://localhost:8501/refresh", "local"),
        ("http://127.0.0.1:8501/", "local"),
        ("http://[::1]:8501/", "local"),
        ("http://10.1.2.3:8501/refresh", "plain"),
        ("http://ftz.example/", "plain"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_connection_of_tells_an_encrypted_a_local_and_a_plain_connection(url: str | None, connection: str) -> None:
    assert connection_of(url) == connection


def test_sign_in_is_refused_without_https_when_it_is_required(monkeypatch: pytest.MonkeyPatch, data_copy: Path) -> None:
    from tests.test_app import REFRESH, make_app, open_page

    monkeypatch.setenv("FTZ_REQUIRE_HTTPS", "1")
    store = open_store(path=data_copy)
    store.put_account(new_account("王五", "editor", "长江大桥-2026-stays", datetime.now(BEIJING)), who="管理员")
    at = open_page(make_app(monkeypatch, data_copy), REFRESH)  # AppTest's browser says no address: not HTTPS
    assert not at.exception and "只允许通过 HTTPS 登录" in at.error[0].value
    assert len(at.text_input) == 0 and len(at.get("file_uploader")) == 0
    monkeypatch.delenv("FTZ_REQUIRE_HTTPS")
    assert len(open_page(make_app(monkeypatch, data_copy), REFRESH).text_input) == 2
