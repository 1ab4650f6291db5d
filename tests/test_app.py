"""The dashboard in Streamlit's AppTest: every page runs in both languages, filters live in the URL."""

import base64
import dataclasses
import html
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from ftz.aggregate import case_count, headline_totals, totals
from ftz.charts import format_total
from ftz.export import to_csv, to_xlsx
from ftz.filters import Filters, apply_filters, filter_mask, filter_options
from loaders.filestore import FileStore
from loaders.ingest import main as ingest_main
from loaders.ingest import read_log
from loaders.measures import load_catalogue
from loaders.store import BEIJING, load_batches, load_metrics
from loaders.stores import open_store
from loaders.users import new_account
from tests.conftest import FIXTURES, ROOT, copy_data_folder
from ui import SIGNED_IN

PAGES = [
    "pages/overview.py",
    "pages/areas.py",
    "pages/categories.py",
    "pages/case.py",
    "pages/explorer.py",
    "pages/time.py",
    "pages/batches.py",
    "pages/data.py",
]
REFRESH = "pages/refresh.py"


class NavigationPagesManager(PagesManager):
    """AppTest treats a `pages/` folder as a v1 multipage app on every rerun and then runs the page alone,
    skipping the entry script (its sidebar and filters). The server does not: after the first
    st.navigation call the flag is False for good. Keep it so in tests too."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)


def make_app(monkeypatch: pytest.MonkeyPatch, store: Path | None = None, **query: str | list[str]) -> AppTest:
    if store is not None:
        monkeypatch.setenv("FTZ_METRICS_PATH", str(store))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def url(at: AppTest, key: str) -> list[str]:
    """Return a URL parameter's values as a list (AppTest keeps a single value as a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", [*PAGES, REFRESH])
def test_app_every_page_runs_on_the_full_data(monkeypatch: pytest.MonkeyPatch, page: str, lang: str) -> None:
    at = open_page(make_app(monkeypatch, lang=lang), page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_app_every_page_is_friendly_when_nothing_matches(monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = open_page(make_app(monkeypatch, q="不存在的内容xyz"), page)
    assert not at.exception
    assert "没有符合当前筛选条件的数据" in at.info[0].value


def test_app_overview_says_when_the_shipped_data_was_revised_not_when_it_was_cloned(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    data_copy.touch()  # a checkout sets every file's time to the moment of cloning
    revised = max(load_batches()["revised"].astype(str))
    at = open_page(make_app(monkeypatch, data_copy), PAGES[0])
    assert any(c.value == f"数据更新时间 {revised}（北京时间）" for c in at.caption)


def test_app_overview_tiles_follow_the_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(make_app(monkeypatch, FIXTURES / "valid-metrics.csv"), PAGES[0])
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["案例数"], tiles["数据条数"], tiles["片区数"]) == ("3", "9", "1")
    # 超 200 家 is a zone outcome; its parts (27, 53 家) are never added to it.
    assert tiles["培育企业"] == "≥ 200 家"
    assert "鄂自贸组发〔2022〕2号" in " ".join(c.value for c in at.caption)


def test_app_english_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(make_app(monkeypatch, FIXTURES / "valid-metrics.csv", lang="en"), PAGES[0])
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Enterprises incubated"] == "≥ 200 firms"
    assert at.title[0].value == "Hubei FTZ Practice Case Metrics"
    assert "Batch 7" in " ".join(c.value for c in at.caption)


def test_app_query_params_are_honoured_written_back_and_survive_a_page_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    at = make_app(monkeypatch, area=["宜昌片区"], kind=["outcome"], indicator=["nonsense"], lang="en")
    at.run()
    assert at.multiselect(key="f_area").value == ["宜昌片区"]
    assert at.multiselect(key="f_indicator").value == []  # a value the table does not offer is dropped
    assert url(at, "area") == ["宜昌片区"] and url(at, "kind") == ["outcome"]
    assert "indicator" not in at.query_params
    cases = {m.label: m.value for m in at.metric}["Cases"]
    at.switch_page("pages/areas.py").run()
    assert not at.exception
    assert (url(at, "area"), url(at, "lang")) == (["宜昌片区"], ["en"])
    assert at.title[0].value == "Areas"
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["data"][0]["x"] == ["Yichang Area"]
    assert cases == "7"


def test_app_reset_clears_the_filters_and_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    at = make_app(monkeypatch, area=["宜昌片区"], q="超 200")
    at.run()
    at.button(key="reset").click().run()
    assert at.multiselect(key="f_area").value == [] and at.text_input(key="f_q").value == ""
    assert "area" not in at.query_params and "q" not in at.query_params
    assert {m.label: m.value for m in at.metric}["案例数"] == "28"


def test_app_a_filter_change_is_written_to_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    at = make_app(monkeypatch)
    at.run()
    at.multiselect(key="f_category").set_value(["金融改革创新"]).run()
    assert url(at, "category") == ["金融改革创新"]
    assert {m.label: m.value for m in at.metric}["案例数"] == "5"


def test_app_search_ignores_spaces_and_width(monkeypatch: pytest.MonkeyPatch) -> None:
    def figures(q: str) -> str:
        return {m.label: m.value for m in open_page(make_app(monkeypatch, q=q), PAGES[0]).metric}["数据条数"]

    # The document writes 超 200 家 with spaces; a full-width, unspaced query finds the same sentence.
    assert figures("超２００家") == figures("超 200 家") == "8"


def test_app_invalid_store_shows_the_report_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "metrics.csv"
    text = (FIXTURES / "valid-metrics.csv").read_text(encoding="utf-8")
    broken.write_text(text.replace(",enterprises,", ",companies,", 1), encoding="utf-8")
    at = make_app(monkeypatch, broken)
    at.run()
    assert not at.exception
    assert "数据文件未通过校验" in at.error[0].value
    report = at.dataframe[0].value
    assert list(report.loc[0, ["row", "column", "code"]]) == [2, "indicator", "unknown-indicator"]


def test_app_case_page_marks_the_exact_number_and_escapes_markup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "metrics.csv"
    text = (FIXTURES / "valid-metrics.csv").read_text(encoding="utf-8")
    store.write_text(
        text.replace("建设新型研发机构 促进技术要素市场化配置", "<script>alert(1)</script>机构"), encoding="utf-8"
    )
    at = open_page(make_app(monkeypatch, store), "pages/case.py")
    assert not at.exception
    html = " ".join(m.value for m in at.markdown)
    assert "<script>" not in html
    # 3 家 of 武汉上市后备企业 is not the tail of 53 家; 27 家 is marked where it stands, once, in the text.
    assert re.search(r'瞪羚企业 <mark title="7-01-04 · [^"]*"[^>]*>27 家</mark>', html)
    assert html.count('title="7-01-04 · ') == 1
    # 27 家 is a part of 超 200 家: marked apart, as never added
    assert re.search(r'title="7-01-04 · [^"]*不计入合计" class="apart"', html)


def test_app_case_page_picks_a_batch_first_when_there_are_several(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seventh = pd.read_csv(FIXTURES / "valid-metrics.csv", dtype=str, keep_default_na=False)
    eighth = seventh.assign(batch="8", fact_id=seventh["fact_id"].str.replace("7-", "8-", n=1, regex=False))
    eighth["case_title"] = "第八批·" + eighth["case_title"]
    store = tmp_path / "metrics.csv"
    pd.concat([seventh, eighth]).to_csv(store, index=False)
    at = open_page(make_app(monkeypatch, store), "pages/case.py")
    assert not at.exception
    batch = at.selectbox(key="case_batch")
    assert batch.options == ["第八批", "第七批"]  # the latest first
    cases = at.selectbox(key="case_pick")
    assert len(cases.options) == seventh["case_no"].nunique()
    assert all(option.split(". ", 1)[1].startswith("第八批·") for option in cases.options)
    batch.set_value(7).run()
    assert not any(option.split(". ", 1)[1].startswith("第八批·") for option in at.selectbox(key="case_pick").options)
    assert at.subheader[0].value == at.selectbox(key="case_pick").options[0]


class RecordingMediaFileManager(MediaFileManager):
    """Keeps the media manager of the last AppTest run, so that a download button's file can be built."""

    last: "RecordingMediaFileManager | None" = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        RecordingMediaFileManager.last = self


def test_app_download_buttons_give_the_filtered_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)
    at = make_app(monkeypatch, area=["宜昌片区"], category=["政府职能转变"])
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert set(buttons) == {"下载 Excel", "下载 CSV"}
    manager = RecordingMediaFileManager.last
    assert manager is not None

    def build(label: str) -> bytes:
        entry = manager._deferred_callables[buttons[label].deferred_file_id]
        data = entry["callable"]()
        return data if isinstance(data, bytes) else str(data).encode()

    rows = apply_filters(load_metrics(), Filters(area=("宜昌片区",), category=("政府职能转变",)))
    assert build("下载 CSV") == to_csv(rows, "zh", load_catalogue())
    book = openpyxl.load_workbook(io.BytesIO(build("下载 Excel")))
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    exported_at = datetime.strptime(str(about["导出时间 Exported (Beijing time)"]), "%Y-%m-%d %H:%M")
    expected = openpyxl.load_workbook(
        io.BytesIO(
            to_xlsx(
                rows,
                filters={"area": "宜昌片区", "category": "政府职能转变"},
                lang="zh",
                batches=load_batches(),
                area_names={a: a for a in ("武汉片区", "襄阳片区", "宜昌片区")},
                data_version=str(about["数据版本 Data version"]),
                exported_at=exported_at,
                catalogue=load_catalogue(),
                data_changed=max(load_batches()["revised"].astype(str)),
            )
        )
    )
    for name in expected.sheetnames:
        assert list(book[name].iter_rows(values_only=True)) == list(expected[name].iter_rows(values_only=True))
    assert len(list(book["数据"].iter_rows())) == len(rows) + 1


STAFF_PASSWORD = "长江大桥-2026-stays"


def sign_in_page(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").set_value(name)
    at.text_input(key="signin_password").set_value(password)
    [submit] = [button for button in at.button if str(button.key).startswith("FormSubmitter:signin-")]
    return submit.click().run()


def refresh_page(
    monkeypatch: pytest.MonkeyPatch,
    store: Path,
    password: str = STAFF_PASSWORD,
    name: str = "王五",
    role: str = "editor",
    **query: str,
) -> AppTest:
    """Open the Refresh page of a store with one account (`name`, `role`) and sign in with `password`,
    the URL carrying `query` (lang=en)."""
    monkeypatch.delenv("FTZ_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("FTZ_METRICS_PATH", str(store))
    accounts = open_store()  # the app's store: the database when FTZ_DATABASE_URL is set
    if name not in accounts.accounts():
        accounts.put_account(new_account(name, role, STAFF_PASSWORD, datetime.now(BEIJING)), who="管理员")
    return sign_in_page(open_page(make_app(monkeypatch, store, **query), REFRESH), name, password)


def test_refresh_without_accounts_or_a_password_offers_no_upload(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    monkeypatch.delenv("FTZ_ADMIN_PASSWORD", raising=False)
    at = open_page(make_app(monkeypatch, data_copy), REFRESH)
    assert not at.exception
    assert "python -m loaders.users add" in at.warning[0].value
    assert len(at.get("file_uploader")) == 0 and len(at.main.text_input) == 0


def test_refresh_refuses_a_wrong_password_and_logs_the_try_without_it(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = refresh_page(monkeypatch, data_copy, "guess-我的口令")
    assert "账号或密码不正确" in at.error[0].value
    assert len(at.get("file_uploader")) == 0
    signins = (data_copy.parent / "history" / "signins.csv").read_text(encoding="utf-8-sig")
    assert signins.splitlines()[-1].endswith(",王五,wrong") and "我的口令" not in signins


def test_refresh_locks_a_name_after_five_wrong_passwords_even_in_a_new_session(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = refresh_page(monkeypatch, data_copy, "guess-1")
    for n in range(2, 6):
        sign_in_page(at, "王五", f"guess-{n}")
    assert "已暂停登录至" in at.error[0].value
    again = sign_in_page(open_page(make_app(monkeypatch, data_copy), REFRESH), "王五", STAFF_PASSWORD)
    assert "已暂停登录至" in again.error[0].value and len(again.get("file_uploader")) == 0


def test_refresh_signs_out_after_thirty_idle_minutes_and_when_the_account_is_removed(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = refresh_page(monkeypatch, data_copy)
    assert len(at.get("file_uploader")) > 0
    session = at.session_state[SIGNED_IN]
    at.session_state[SIGNED_IN] = dataclasses.replace(session, seen=session.seen - timedelta(minutes=31))
    at.run()
    assert len(at.get("file_uploader")) == 0 and "30 分钟无操作" in at.info[0].value
    sign_in_page(at, "王五", STAFF_PASSWORD)
    assert len(at.get("file_uploader")) > 0
    store = FileStore(data_copy)
    store.put_account(new_account("钱七", "admin", STAFF_PASSWORD, datetime.now(BEIJING)), who="管理员")
    store.remove_account("王五", who="钱七")
    at.run()
    assert len(at.get("file_uploader")) == 0 and "账号已被删除" in at.info[0].value


def test_refresh_shows_an_approver_the_log_but_no_upload(monkeypatch: pytest.MonkeyPatch, data_copy: Path) -> None:
    at = refresh_page(monkeypatch, data_copy, name="赵六", role="approver")
    assert not at.exception
    assert "已登录：赵六（审核）" in at.caption[0].value
    assert len(at.get("file_uploader")) == 0 and "不能导入或恢复数据" in at.info[0].value
    assert at.dataframe[-1].value.loc[0, ["who", "action", "note"]].tolist() == [
        "管理员",
        "account-add",
        "赵六 (approver)",
    ]


def test_refresh_still_takes_the_old_shared_password_as_admin_and_suggests_accounts(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    monkeypatch.setenv("FTZ_ADMIN_PASSWORD", "s3cret-口令")
    at = sign_in_page(open_page(make_app(monkeypatch, data_copy), REFRESH), "admin", "s3cret-口令")
    assert not at.exception and "已登录：admin（管理员）" in at.caption[0].value
    assert "建议为每位工作人员建立自己的账号" in at.info[0].value
    assert len(at.get("file_uploader")) == 3  # batch, document and catalogue


def test_refresh_uploads_reports_applies_and_the_overview_shows_the_new_batch(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = refresh_page(monkeypatch, data_copy)
    assert not at.error
    assert not [box for box in at.text_input if box.key in ("refresh_who", "refresh_measures_who")]
    # a broken file: the report names the row and the reason, nothing changes
    before = data_copy.read_bytes()
    broken = (FIXTURES / "broken" / "bad-number.csv").read_bytes()
    at.get("file_uploader")[0].upload("bad-number.csv", broken, "text/csv").run()
    assert "未通过校验" in at.error[0].value
    assert at.dataframe[0].value.loc[0, ["row", "code"]].tolist() == [5, "bad-number"]
    assert data_copy.read_bytes() == before
    # the sample 8th batch, as saved by Excel on Chinese Windows
    sample = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes()
    at.get("file_uploader")[0].set_value(("第八批.csv", sample, "text/csv")).run()
    assert "gb18030" in at.info[0].value
    at.text_input(key="refresh_note").set_value("第八批样例")
    at.button(key="FormSubmitter:apply-确认导入").click().run()
    assert not at.exception
    assert "已导入" in at.success[0].value
    at.switch_page("pages/overview.py").run()
    assert any("第八批" in c.value for c in at.caption)
    assert {m.label: m.value for m in at.metric}["案例数"] == "30"
    # the data changed when it was applied, as the change log records it
    log = read_log(data_copy)
    assert log.loc[0, ["who", "action", "note"]].tolist() == ["王五", "ingest", "第八批样例"]
    applied = str(log.loc[0, "time"])[:16]
    assert any(f"数据更新时间 {applied}（北京时间）" in c.value for c in at.caption)


def test_with_approval_on_a_batch_reaches_leaders_only_once_a_second_person_publishes_it(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    monkeypatch.setenv("FTZ_APPROVAL", "1")
    editor = refresh_page(monkeypatch, data_copy)
    sample = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes()
    editor.get("file_uploader")[0].set_value(("第八批.csv", sample, "text/csv")).run()
    editor.button(key="FormSubmitter:apply-提交审核").click().run()
    assert not editor.exception and "已提交审核（草稿 batch-8）" in editor.success[0].value
    # A leader sees the published data; the editor sees the draft, marked as such on every page.
    leader = open_page(make_app(monkeypatch, data_copy), PAGES[0])
    assert {m.label: m.value for m in leader.metric}["案例数"] == "28" and not leader.warning
    editor.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in editor.metric}["案例数"] == "30"
    assert "待审核的草稿：第八批（王五 提交）" in editor.warning[0].value
    # The editor cannot publish their own draft; an approver can.
    editor.switch_page(REFRESH).run()
    assert not [b for b in editor.button if b.key == "publish_batch-8"]
    approver = refresh_page(monkeypatch, data_copy, name="赵六", role="approver")
    approver.text_input(key="review_note_batch-8").set_value("已核对")
    approver.button(key="publish_batch-8").click().run()
    assert not approver.exception and "已发布" in approver.success[0].value
    leader.run()
    assert {m.label: m.value for m in leader.metric}["案例数"] == "30"
    log = read_log(data_copy)
    assert log.loc[0, ["who", "action", "note"]].tolist() == ["赵六", "publish", "提交人 submitted by 王五；已核对"]
    assert log.loc[log["action"] == "submit", "who"].tolist() == ["王五"]


def test_with_viewer_sign_in_on_no_page_shows_data_until_signing_in_and_exports_are_logged(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    monkeypatch.setenv("FTZ_VIEWER_LOGIN", "1")
    monkeypatch.setenv("FTZ_EXPORT_MARK", "内部资料 注意保密")
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)
    FileStore(data_copy).put_account(new_account("孙八", "viewer", STAFF_PASSWORD, datetime.now(BEIJING)), "管理员")
    at = make_app(monkeypatch, data_copy, area=["宜昌片区"])
    at.run()
    assert not at.exception and not at.metric and not at.sidebar.caption  # no figure, not even a count
    sign_in_page(at, "孙八", STAFF_PASSWORD)
    assert {m.label: m.value for m in at.metric}["案例数"] == "7"
    assert any("已登录：孙八（查看）" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/data.py").run()
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    manager = RecordingMediaFileManager.last
    assert manager is not None
    manager._deferred_callables[buttons["下载 CSV"].deferred_file_id]["callable"]()
    exports = (data_copy.parent / "history" / "exports.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(exports) == 2 and exports[0] == "time,who,what,filters"
    _, who, what, filters = exports[1].split(",")
    assert (who, filters) == ("孙八", "片区：宜昌片区")
    assert what.startswith("内部资料-注意保密_湖北自贸试验区实践案例指标_第七批_宜昌片区_") and what.endswith(".csv")
    at.switch_page(REFRESH).run()
    assert "不能导入或恢复数据" in at.info[0].value and len(at.get("file_uploader")) == 0


def test_an_admin_adds_changes_and_removes_accounts_on_the_page_and_the_log_names_them(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = refresh_page(monkeypatch, data_copy, name="钱七", role="admin")
    at.text_input(key="account_add_name").set_value("李四")
    at.selectbox(key="account_add_role").set_value("editor")
    at.text_input(key="account_add_password").set_value("short")
    at.text_input(key="account_add_again").set_value("short")
    at.button(key="FormSubmitter:account_add-新增账号").click().run()
    assert "至少 10 个字符" in at.error[0].value and "李四" not in FileStore(data_copy).accounts()
    at.text_input(key="account_add_password").set_value(STAFF_PASSWORD)
    at.text_input(key="account_add_again").set_value(STAFF_PASSWORD)
    at.button(key="FormSubmitter:account_add-新增账号").click().run()
    assert not at.exception and "账号“李四”已保存" in at.success[0].value
    assert FileStore(data_copy).accounts()["李四"].role == "editor"
    at.selectbox(key="account_pick").set_value("钱七").run()
    assert at.button(key="account_remove").disabled  # not the account in use
    at.selectbox(key="account_pick").set_value("李四").run()
    at.selectbox(key="account_role_李四").set_value("approver")
    at.button(key="FormSubmitter:account_role-修改角色").click().run()
    assert FileStore(data_copy).accounts()["李四"].role == "approver"
    at.checkbox(key="account_remove_sure").check().run()
    at.button(key="account_remove").click().run()
    assert "李四" not in FileStore(data_copy).accounts()
    log = read_log(data_copy)
    assert log.loc[:2, ["who", "action", "note"]].values.tolist() == [
        ["钱七", "account-remove", "李四 (approver)"],
        ["钱七", "account-change", "李四 (approver)"],
        ["钱七", "account-add", "李四 (editor)"],
    ]


def test_refresh_applies_and_restores_in_a_database_store(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path, postgres_url: str
) -> None:
    """The same page on the PostgreSQL store: the file's rows land in the database, the log there names who,
    and the backup it kept brings the table back."""
    monkeypatch.setenv("FTZ_DATABASE_URL", postgres_url)
    at = refresh_page(monkeypatch, data_copy)
    sample = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes()
    at.get("file_uploader")[0].set_value(("第八批.csv", sample, "text/csv")).run()
    at.button(key="FormSubmitter:apply-确认导入").click().run()
    assert not at.exception and "已导入" in at.success[0].value
    database = open_store(database=postgres_url)
    assert database.log().loc[0, ["who", "action"]].tolist() == ["王五", "ingest"]
    assert data_copy.read_bytes() == (ROOT / "data" / "metrics.csv").read_bytes()  # the file store untouched
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["案例数"] == "30"
    at.switch_page("pages/refresh.py").run()
    at.checkbox(key="refresh_restore_confirm").check().run()
    at.button(key="refresh_restore").click().run()
    assert not at.exception and database.log().loc[0, ["who", "action"]].tolist() == ["王五", "restore"]
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["案例数"] == "28"


def test_view_memo_is_made_once_for_equal_views_and_again_for_another(store: pd.DataFrame) -> None:
    from ui import Store, View

    made: list[str] = []

    def view_of(token: str, lang: str, filters: Filters) -> View:
        served = Store(store, filter_options(store), "", "v", load_catalogue(), token)
        return View(lang, filters, served, filter_mask(store, filters))

    def build(view: View) -> list[str]:
        made.append(view.key)
        return [view.key]

    wuhan = Filters(area=("武汉片区",))
    first = view_of("memo-a", "zh", wuhan).memo("x", lambda: build(view_of("memo-a", "zh", wuhan)))
    again = view_of("memo-a", "zh", Filters(area=("武汉片区",))).memo(
        "x", lambda: build(view_of("memo-a", "zh", wuhan))
    )
    assert again is first and len(made) == 1  # another session with the same view shares it
    for other in (
        view_of("memo-b", "zh", wuhan),  # the store was read again (changed)
        view_of("memo-a", "en", wuhan),  # another language
        view_of("memo-a", "zh", Filters(area=("宜昌片区",))),  # other filters
    ):
        other.memo("x", lambda other=other: build(other))
    assert len(made) == len(set(made)) == 4
    view_of("memo-a", "zh", wuhan).memo("y", lambda: build(view_of("memo-a", "zh", wuhan)))
    assert len(made) == 5  # another name is another result


def test_view_copies_out_of_the_selection_only_what_is_asked(store: pd.DataFrame) -> None:
    from ui import Store, View

    filters = Filters(area=("武汉片区",), kind=("outcome", "context"))
    served = Store(store, filter_options(store), "2026-01-01", "test", load_catalogue(), "test")
    view = View("zh", filters, served, filter_mask(store, filters))
    selected = apply_filters(store, filters)
    assert view.rows.equals(selected)
    assert view.figures == len(selected) > 0
    assert view.columns("area", "value_std").equals(selected[["area", "value_std"]])
    time = selected[selected["indicator"] == "time"]
    assert not time.empty
    assert view.rows_where(indicator="time").equals(time)
    assert view.rows_where(["metric"], indicator="time").equals(time[["metric"]])
    assert view.rows_where(indicator="no-such-indicator").empty
    case = selected[(selected["batch"] == 7) & (selected["case_no"] == 19)]
    assert not case.empty and view.rows_where(batch=7, case_no=19).equals(case)
    assert view.rows_where(batch=8, case_no=19).empty
    assert view.rows_where(metric="no such metric").empty  # text with missing values compares too
    assert view.head(3).equals(selected.head(3))
    assert view.head(10_000).equals(selected)
    firsts = selected.drop_duplicates(["batch", "case_no"])[
        ["batch", "case_no", "case_title", "case_title_en", "area", "category"]
    ]
    assert view.case_rows().reset_index(drop=True).equals(firsts.reset_index(drop=True))
    assert view.cases == case_count(selected) == selected["case_no"].nunique()


def figures_of(at: AppTest) -> list[go.Figure]:
    return [plotly.io.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def numbers(values: object) -> list[float]:
    """Return a trace's numbers as sent to the browser (plotly packs arrays as typed base64)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)  # type: ignore[call-overload]


def test_app_overview_tiles_and_highlights_are_the_catalogues_headline_measures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_page(make_app(monkeypatch), PAGES[0])
    tiles = {m.label: m.value for m in at.metric}
    expected = headline_totals(load_metrics(), load_catalogue())
    catalogue = load_catalogue()
    for item in expected.to_dict("records"):
        shown = format_total(float(item["total"]), str(item["unit_std"]), str(item["bound"]), "zh")
        assert tiles[catalogue.name(str(item["measure"]), "zh")] == shown
    assert tiles["培育企业"] == "≥ 204 家" and tiles["培养学生学员"] == "1,930 人"
    assert "人才" not in tiles and "融资" not in tiles  # no sum of a whole indicator family any more
    links = [link.proto for link in at.get("page_link")]
    assert [link.query_string for link in links][:2] == ["case=7-1", "case=7-10"]
    assert "超 183 亿元" in links[1].label and "光谷科技企业共获得超183亿元的股权融资" in links[1].help.replace(" ", "")
    english = open_page(make_app(monkeypatch, lang="en"), PAGES[0])
    labels = [link.proto.label for link in english.get("page_link")]
    assert any("over 18.3 billion yuan" in label for label in labels)


@pytest.mark.parametrize(("page", "dimension"), [("pages/areas.py", "area"), ("pages/categories.py", "category")])
def test_app_compare_pages_total_one_measure_as_the_aggregate_does(
    monkeypatch: pytest.MonkeyPatch, page: str, dimension: str
) -> None:
    at = open_page(make_app(monkeypatch), page)
    catalogue, store = load_catalogue(), load_metrics()
    indicator = at.selectbox(key=f"{dimension}_indicator")
    assert indicator.value == "enterprises"
    measure = at.selectbox(key=f"{dimension}_measure")
    assert measure.options[0] == "培育企业"  # measures are shown by name, in catalogue order
    measure.set_value("enterprises_served").run()
    expected = totals(store, catalogue, "enterprises_served", by=[dimension])
    chart = figures_of(at)[0]
    assert numbers(chart.data[0].y) == expected["total"].tolist()
    assert "服务企业（按活动累计）" in chart.layout.title.text
    assert any(catalogue.definition("enterprises_served", "zh") in c.value for c in at.caption)


def test_app_case_page_opens_the_case_a_link_names(monkeypatch: pytest.MonkeyPatch) -> None:
    at = make_app(monkeypatch)
    at.run()
    at.switch_page("pages/case.py")
    at.query_params["case"] = "7-10"
    at.run()
    assert not at.exception
    assert at.selectbox(key="case_pick").value == 10
    assert url(at, "case") == ["7-10"]
    at.selectbox(key="case_pick").set_value(11).run()
    assert url(at, "case") == ["7-11"]  # the URL follows the case shown, so a copied link opens it
    at.switch_page("pages/overview.py").run()
    assert "case" not in at.query_params  # the case belongs to the case page's URL only


def test_app_a_store_from_before_the_catalogue_loads_says_so_and_adds_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = pd.read_csv(FIXTURES / "valid-metrics.csv", dtype=str, keep_default_na=False).drop(columns=["measure"])
    store = tmp_path / "metrics.csv"
    old.to_csv(store, index=False)
    at = open_page(make_app(monkeypatch, store), PAGES[0])
    assert not at.exception
    assert "有 9 条数据尚未归入指标口径" in at.warning[0].value
    assert "当前筛选下没有可以合计的成效数据" in at.info[0].value  # catch-alls never add
    # Re-importing the batch with measures classifies its rows.
    copy_data_folder(tmp_path)
    old.to_csv(store, index=False)
    assert ingest_main([str(FIXTURES / "valid-metrics.csv"), "--store", str(store), "--yes"]) == 0
    at = open_page(make_app(monkeypatch, store), PAGES[0])
    assert not at.warning
    assert {m.label: m.value for m in at.metric}["培育企业"] == "≥ 200 家"


def test_refresh_merges_a_catalogue_file_and_refuses_a_broken_one(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = refresh_page(monkeypatch, data_copy, name="钱七", role="admin")
    catalogue = data_copy.parent / "measures.csv"
    before = catalogue.read_bytes()
    broken = (FIXTURES / "measures" / "duplicate-measure.csv").read_bytes()
    at.file_uploader(key="refresh_measures").upload("口径.csv", broken, "text/csv").run()
    assert not at.exception
    assert any("指标目录文件未通过校验" in e.value for e in at.error)
    assert catalogue.read_bytes() == before
    new = before.decode() + "carbon_reduced,other,碳减排量,Carbon cut,吨,true,,核算的减排量。,Emissions cut.\n"
    at.file_uploader(key="refresh_measures").upload("口径.csv", new.encode("gbk"), "text/csv").run()
    assert any("新增 1 个：carbon_reduced" in m.value for m in at.markdown)
    at.button(key="FormSubmitter:apply_measures-确认更新指标目录").click().run()
    assert not at.exception
    assert any("指标目录已更新" in s.value for s in at.success)
    assert catalogue.read_text(encoding="utf-8").splitlines()[-1].startswith("carbon_reduced,other,碳减排量")
    assert read_log(data_copy).loc[0, ["who", "action"]].tolist() == ["钱七", "measures"]


def test_app_case_page_in_english_names_its_providers_and_category_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    at = make_app(monkeypatch, lang="en")
    at.run()
    at.switch_page("pages/case.py")
    at.query_params["case"] = "7-15"
    at.run()
    info = html.unescape(" ".join(m.value for m in at.markdown))
    assert "People's Bank of China, Wuhan Branch, Hubei Provincial Department of Commerce, Yichang Area" in info
    assert "Investment and trade facilitation" in info
    assert at.subheader[0].value.startswith("15. ") and not re.search(r"[\u4e00-\u9fff]", at.subheader[0].value)
    at.segmented_control(key="lang").set_value("zh").run()  # in Chinese, the document's own names
    info = " ".join(m.value for m in at.markdown)
    assert "中国人民银行武汉分行、省商务厅、宜昌片区" in info and "**片区**  \n宜昌片区" in info
