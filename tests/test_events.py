"""The app's own log: JSON lines of changes, sign-ins, exports and errors; and the audit logs an admin downloads."""

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from loaders import events
from loaders.ingest import apply, prepare
from loaders.store import BEIJING
from loaders.stores import Store, open_store
from loaders.users import new_account
from tests.conftest import FIXTURES
from tests.test_app import REFRESH, STAFF_PASSWORD, make_app, open_page, refresh_page, sign_in_page


def lines(printed: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in printed.splitlines() if line.startswith('{"time"')]


def test_changes_sign_ins_and_exports_are_json_lines_with_the_version(
    either_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    events.to_stdout()
    capsys.readouterr()
    prepared = prepare((FIXTURES / "batch-08-sample-gbk.csv").read_bytes(), "第八批.csv", either_store)
    apply(prepared, either_store, who="王五", filename="第八批.csv", note="", yes=False)
    either_store.record_signin(datetime.now(BEIJING), "王五", "wrong")
    either_store.record_export(datetime.now(BEIJING), "王五", "数据.xlsx", "片区：宜昌片区")
    change, signin, export = lines(capsys.readouterr().out)
    assert (change["event"], change["action"], change["who"], change["batches"]) == ("change", "ingest", "王五", "8")
    assert change["version"] == either_store.version() == signin["version"]  # the version the change made
    assert change["store"] == either_store.where
    assert (signin["event"], signin["name"], signin["outcome"]) == ("sign-in", "王五", "wrong")
    assert (export["event"], export["file"], export["filters"]) == ("export", "数据.xlsx", "片区：宜昌片区")
    datetime.fromisoformat(str(change["time"]))


def test_the_app_writes_its_events_and_an_admin_downloads_the_audit_logs(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at = refresh_page(monkeypatch, data_copy, name="赵六", role="admin")
    sign_in_page(open_page(make_app(monkeypatch, data_copy), REFRESH), "赵六", "not the password")
    printed = lines(capsys.readouterr().out)
    assert [(e["event"], e["name"], e["outcome"]) for e in printed if e["event"] == "sign-in"] == [
        ("sign-in", "赵六", "ok"),
        ("sign-in", "赵六", "wrong"),
    ]
    at.run()
    assert not at.exception
    buttons = {b.key: b for b in at.get("download_button")}
    assert buttons["refresh_audit_signins"].proto.label == "下载登录记录（2 条）"
    assert buttons["refresh_audit_changes"].proto.label == "下载变更记录（1 条）"  # the account added
    assert buttons["refresh_audit_exports"].proto.label == "下载导出记录（0 条）"
    # An editor has no audit section.
    editor = refresh_page(monkeypatch, data_copy, name="王五")
    assert "refresh_audit_signins" not in {b.key for b in editor.get("download_button")}


def test_audit_logs_are_never_pruned(data_copy: Path) -> None:
    store = open_store(path=data_copy)
    long_ago = datetime(2024, 1, 2, 9, 0, tzinfo=BEIJING)
    store.record_signin(long_ago, "王五", "ok")
    store.put_account(new_account("王五", "editor", STAFF_PASSWORD, datetime.now(BEIJING)), who="管理员")
    store.record_signin(datetime.now(BEIJING), "王五", "ok")
    kept = store.signins(datetime(2020, 1, 1, tzinfo=BEIJING))
    assert len(kept) == 2 and pd.Timestamp(kept["time"].iloc[0]) == pd.Timestamp(long_ago)
