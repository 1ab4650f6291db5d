"""load_metrics: dtypes, document order, standard units, and a lossless round trip."""

from pathlib import Path

import pandas as pd
import pytest

from loaders.schema import COLUMN_NAMES
from loaders.store import METRICS_PATH, InvalidMetricsError, cache_path, load_batches, load_metrics, read_metrics
from tests.conftest import FIXTURES

VALID = FIXTURES / "valid-metrics.csv"


def test_load_metrics_types_each_column() -> None:
    frame = load_metrics(VALID)
    assert list(frame.columns) == [*COLUMN_NAMES, "value_std", "value_high_std", "unit_std", "whole_measure"]
    assert frame["case_no"].dtype == "int64"
    assert frame["value"].dtype == "float64"
    for column in ("category", "area", "indicator", "kind", "scope", "phase", "section", "unit_std"):
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
    assert list(frame["indicator"].cat.categories[:3]) == ["enterprises", "financing", "talent"]
    assert list(frame["area"].cat.categories) == ["武汉片区", "襄阳片区", "宜昌片区"]


def test_load_metrics_orders_categories_as_the_document(tmp_path: Path) -> None:
    raw = pd.read_csv(VALID, dtype=str, keep_default_na=False)
    shuffled = tmp_path / "metrics.csv"
    raw.iloc[::-1].to_csv(shuffled, index=False)
    assert list(load_metrics(shuffled)["category"].cat.categories) == ["创新驱动发展", "金融改革创新"]


@pytest.mark.parametrize(
    ("fact_id", "value_std", "unit_std"),
    [
        ("7-01-03", 200, "家"),  # counts stay as they are
        ("7-01-10", 1_000_000, "万元"),  # 100 亿元 in 万元
        ("7-02-03", 5 / 1440, "天"),  # 5 分钟 in days
        ("7-19-01", 2, "天"),
    ],
)
def test_load_metrics_converts_to_standard_units(fact_id: str, value_std: float, unit_std: str) -> None:
    row = load_metrics(VALID).set_index("fact_id").loc[fact_id]
    assert row["value_std"] == pytest.approx(value_std)
    assert row["unit_std"] == unit_std


def test_load_metrics_round_trips(tmp_path: Path) -> None:
    first = load_metrics(VALID)
    again = tmp_path / "metrics.csv"
    first[list(COLUMN_NAMES)].to_csv(again, index=False)
    second = load_metrics(again)
    pd.testing.assert_frame_equal(first, second)


def test_load_metrics_unknown_unit_is_never_converted(tmp_path: Path) -> None:
    raw = pd.read_csv(VALID, dtype=str, keep_default_na=False)
    raw.loc[4, ["unit", "value_text", "source_quote", "measure"]] = [
        "桶",
        "11 桶",
        "共有 11 桶。",
        "projects_unclassified",
    ]
    path = tmp_path / "metrics.csv"
    raw.to_csv(path, index=False)
    result = read_metrics(path)
    row = result.frame.set_index("fact_id").loc["7-01-11"]
    assert pd.isna(row["value_std"]) and row["unit_std"] == "桶"
    assert result.report["code"].tolist() == ["unknown-unit"]


def test_read_metrics_raises_with_the_whole_report(tmp_path: Path) -> None:
    raw = pd.read_csv(VALID, dtype=str, keep_default_na=False)
    raw.loc[0, "kind"] = "成果"
    raw.loc[1, "scope"] = "县"
    path = tmp_path / "metrics.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(InvalidMetricsError) as caught:
        read_metrics(path)
    assert caught.value.report["code"].tolist() == ["unknown-kind", "unknown-scope"]
    assert "第 2 行" in str(caught.value)


def test_shipped_store_loads() -> None:
    result = read_metrics(METRICS_PATH)
    assert not result.frame.empty
    assert set(result.report["severity"]) <= {"warning"}, result.report.to_string()


def test_batches_register_points_at_its_source() -> None:
    batches = load_batches()
    for batch in batches.itertuples():
        assert (METRICS_PATH.parent / str(batch.source_file)).is_file()


def test_a_valid_store_is_read_from_its_typed_copy_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "metrics.csv"
    path.write_bytes(VALID.read_bytes())
    first = read_metrics(path)
    assert cache_path(path).exists()
    with monkeypatch.context() as patched:
        patched.setattr("loaders.store.read_raw_csv", lambda _: pytest.fail("the CSV was parsed again"))
        again = read_metrics(path)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    # the file changes: the copy no longer matches, the file is read and validated again
    raw = pd.read_csv(VALID, dtype=str, keep_default_na=False)
    raw.loc[0, "kind"] = "成果"
    raw.to_csv(path, index=False)
    with pytest.raises(InvalidMetricsError):
        read_metrics(path)


def test_last_changed_is_the_last_import_or_restore_else_the_registers_revision(tmp_path: Path) -> None:
    from loaders.store import history_dir, last_changed

    store = tmp_path / "metrics.csv"
    store.write_text("", encoding="utf-8")
    (tmp_path / "batches.csv").write_text(
        "batch,title,title_en,doc_no,published,source_file,revised\n7,七,,,,,2026-11-20\n8,八,,,,,2026-12-01\n",
        encoding="utf-8",
    )
    assert last_changed(store) == "2026-12-01"
    history_dir(store).mkdir()
    (history_dir(store) / "log.csv").write_text(
        "time,who,action\n2026-12-02 09:15:07,张三,ingest\n2026-12-03 10:00:00,李四,restore\n"
        "2026-12-05 08:00:00,王五,measures\n",
        encoding="utf-8",
    )
    # A change of the catalogue is not a change of the data.
    assert last_changed(store) == "2026-12-03 10:00"
