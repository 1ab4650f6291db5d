"""The dashboard's pages run in Streamlit's AppTest: no exception, the right tiles, a clear message on bad data."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXTURES, ROOT


def run_app(monkeypatch: pytest.MonkeyPatch, store: Path) -> AppTest:
    monkeypatch.setenv("FTZ_METRICS_PATH", str(store))
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()


def test_app_overview_shows_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch, FIXTURES / "valid-metrics.csv")
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {"案例数": "3", "数据条数": "9", "片区数": "1"}
    assert "鄂自贸组发〔2022〕2号" in " ".join(c.value for c in at.caption)


def test_app_invalid_store_shows_the_report_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "metrics.csv"
    text = (FIXTURES / "valid-metrics.csv").read_text(encoding="utf-8")
    broken.write_text(text.replace(",enterprises,", ",companies,", 1), encoding="utf-8")
    at = run_app(monkeypatch, broken)
    assert not at.exception
    assert "数据文件未通过校验" in at.error[0].value
    report = at.dataframe[0].value
    assert list(report.loc[0, ["row", "column", "code"]]) == [2, "indicator", "unknown-indicator"]
