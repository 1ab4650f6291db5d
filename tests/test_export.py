"""Excel and CSV exports read back: same rows and values, real numbers, no formula, importable headers."""

import csv
import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

import ftz.export as export
from ftz.aggregate import totals
from ftz.export import ExportError, export_filename, export_frame, to_csv, to_xlsx
from loaders.measures import load_catalogue
from loaders.schema import COLUMN_NAMES
from loaders.store import load_batches, load_metrics
from tests.conftest import AREAS

CATALOGUE = load_catalogue()

EXPORTED_AT = datetime(2026, 1, 1, 12, 0)
NAMES = {area: area for area in AREAS}


def workbook(
    rows: pd.DataFrame, lang: str = "zh", filters: dict[str, str] | None = None, names: dict[str, str] | None = None
) -> openpyxl.Workbook:
    data = to_xlsx(
        rows,
        filters=filters or {},
        lang=lang,
        batches=load_batches(),
        area_names=names or NAMES,
        data_version="v1",
        exported_at=EXPORTED_AT,
        catalogue=CATALOGUE,
        data_changed="2026-12-04",
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(book: openpyxl.Workbook, name: str) -> list[list[object]]:
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_data_sheet_holds_the_rows_and_values(store: pd.DataFrame) -> None:
    rows = sheet_rows(workbook(store), "数据")
    assert rows[0][:3] == ["编号", "批次", "案例序号"] and rows[0][-1] == "原文"
    expected = export_frame(store, "zh", CATALOGUE)
    assert len(rows) == len(expected) + 1
    for written, (_, row) in zip(rows[1:], expected.iterrows(), strict=True):
        assert written == [None if pd.isna(v) else v for v in row.tolist()]


def test_data_sheet_numbers_are_numbers_with_formats(store: pd.DataFrame) -> None:
    book = workbook(store)
    sheet = book["数据"]
    headers = [c.value for c in sheet[1]]
    value_col = headers.index("数值") + 1
    cells = [sheet.cell(row=r, column=value_col) for r in range(2, sheet.max_row + 1)]
    assert all(c.data_type == "n" for c in cells)
    assert {c.number_format for c in cells} == {"#,##0"}
    money = store.assign(value=4324.96, value_text="4324.96 万元")
    cell = workbook(money)["数据"].cell(row=2, column=value_col)
    assert (cell.value, cell.number_format) == (4324.96, "#,##0.00")


def test_data_sheet_is_frozen_filtered_and_fitted(store: pd.DataFrame) -> None:
    sheet = workbook(store)["数据"]
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(COLUMN_NAMES))
    assert sheet.auto_filter.ref == f"A1:{last}{len(store) + 1}"
    # 案例名称: the longest title is 22 CJK characters, about 44 widths.
    assert sheet.column_dimensions["D"].width >= 40
    assert sheet.cell(row=2, column=COLUMN_NAMES.index("source_quote") + 1).alignment.wrap_text


def test_english_export_reads_in_english_labels_never_codes(store: pd.DataFrame) -> None:
    book = workbook(store, lang="en", names={"武汉片区": "Wuhan Area", "创新驱动发展": "Innovation-driven development"})
    assert book.sheetnames == ["Data", "Summary", "About"]
    header, first = sheet_rows(book, "Data")[:2]
    assert header[:4] == ["Fact ID", "Batch", "Case no.", "Case"]
    row = dict(zip(header, first, strict=True))
    assert (row["Measure"], row["Kind"], row["Scope"], row["Indicator"]) == (
        "Enterprises incubated", "Outcome", "Zone", "Enterprises",
    )  # fmt: skip
    assert (row["Area"], row["Category"], row["Section"]) == ("Wuhan Area", "Innovation-driven development", "Results")
    # the data's own words stay as written: they are quotes
    assert (row["Unit"], row["Value as written"]) == ("家", "超 200 家")


def test_chinese_export_names_measures_by_their_chinese_names(store: pd.DataFrame) -> None:
    rows = sheet_rows(workbook(store), "数据")
    measure, indicator = COLUMN_NAMES.index("measure"), COLUMN_NAMES.index("indicator")
    assert rows[0][measure] == "指标口径"
    assert rows[1][measure] == "培育企业" and rows[1][indicator] == "企业"


def test_no_cell_is_a_formula_and_formula_like_text_stays_text(store: pd.DataFrame) -> None:
    risky = store.copy()
    risky["metric"] = risky["metric"].astype("string")
    risky.loc[risky.index[0], "metric"] = '=HYPERLINK("http://x")'
    risky.loc[risky.index[1], "metric"] = "@SUM(A1)"
    risky.loc[risky.index[2], "metric"] = "-2+3"
    risky.loc[risky.index[3], "value"] = -5.0  # a negative number stays a number
    book = workbook(risky)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    data = book["数据"]
    metric = [c.value for c in data[1]].index("指标") + 1
    value = [c.value for c in data[1]].index("数值") + 1
    assert (data.cell(2, metric).value, data.cell(2, metric).quotePrefix) == ('=HYPERLINK("http://x")', True)
    assert data.cell(4, metric).quotePrefix and data.cell(4, metric).data_type == "s"
    assert (data.cell(5, value).value, data.cell(5, value).data_type) == (-5, "n")


def test_summary_sheet_has_the_dashboards_totals_and_a_chart(store: pd.DataFrame) -> None:
    book = workbook(store)
    rows = sheet_rows(book, "汇总")
    expected = totals(store, CATALOGUE, "enterprises_incubated", by=["area"])
    found = [r for r in rows if r[:4] == ["培育企业", "企业", "家", "武汉片区"]]
    assert found and found[0][4] == expected["total"].iloc[0] == 200 and found[0][6] == "至少"
    # Only additive measures have totals: a valuation or a processing time is never summed.
    assert not [r for r in rows if r[0] in ("企业估值", "办理用时")]
    assert len(book["汇总"]._charts) == 1


def test_about_sheet_names_filters_batches_and_version(store: pd.DataFrame) -> None:
    rows = dict((r[0], r[1]) for r in sheet_rows(workbook(store, filters={"area": "武汉片区"}), "说明"))
    assert rows["导出时间 Exported (Beijing time)"] == "2026-01-01 12:00"
    assert rows["数据版本 Data version"] == "v1"
    assert rows["数据更新时间 Data last changed (Beijing time)"] == "2026-12-04"
    assert rows["行数 Rows"] == str(len(store))
    assert rows["  片区"] == "武汉片区"
    assert "鄂自贸组发〔2022〕2号" in rows["第七批"]
    # The measures of the selection, each with its unit, whether it adds, and its definition.
    assert rows["  培育企业"].startswith("家｜可合计｜")
    assert rows["  企业估值"].startswith("万元｜不合计｜")


def test_csv_has_a_bom_and_equals_the_data_sheet(store: pd.DataFrame) -> None:
    risky = store.copy()
    risky["metric"] = risky["metric"].astype("string")
    risky.loc[risky.index[0], "metric"] = "=1+2"
    data = to_csv(risky, "zh", CATALOGUE)
    assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"sep=")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = sheet_rows(workbook(risky), "数据")
    assert parsed[0] == sheet[0]
    metric = COLUMN_NAMES.index("metric")
    assert parsed[1][metric] == "'=1+2" and sheet[1][metric] == "=1+2"
    for text_row, cell_row in zip(parsed[1:], sheet[1:], strict=True):
        as_text = ["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in cell_row]
        assert [v.removeprefix("'") for v in text_row] == as_text


def test_too_many_rows_are_refused_not_truncated(store: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 5)
    with pytest.raises(ExportError, match="超过 Excel 单表上限"):
        workbook(store)


def test_a_cell_longer_than_excel_allows_is_refused(store: pd.DataFrame) -> None:
    long = store.copy()
    long["source_quote"] = long["source_quote"].astype("string")
    long.loc[long.index[2], "source_quote"] = "长" * 32_768
    with pytest.raises(ExportError, match="第 4 行"):
        workbook(long)


def test_export_filename_says_what_the_file_holds(store: pd.DataFrame) -> None:
    name = export_filename(store, {"area": "宜昌片区"}, "zh", NAMES, EXPORTED_AT, "xlsx")
    assert name == "湖北自贸试验区实践案例指标_第七批_宜昌片区_20260101-1200.xlsx"
    english = export_filename(store, {}, "en", NAMES, EXPORTED_AT, "csv")
    assert english == "Hubei-FTZ-case-metrics_Batch7_20260101-1200.csv"


def test_export_filename_names_many_batches_by_the_first_and_last() -> None:
    three = pd.DataFrame({"batch": [9, 7, 8, 7]})
    assert (
        export_filename(three, {}, "zh", NAMES, EXPORTED_AT, "csv")
        == "湖北自贸试验区实践案例指标_第七批-第八批-第九批_20260101-1200.csv"
    )
    many = pd.DataFrame({"batch": range(1000, 5000)})
    name = export_filename(many, {}, "zh", NAMES, EXPORTED_AT, "xlsx")
    assert name == "湖北自贸试验区实践案例指标_第1000批至第4999批_20260101-1200.xlsx"
    assert len(name.encode()) < 255
    english = export_filename(many, {}, "en", NAMES, EXPORTED_AT, "csv")
    assert english == "Hubei-FTZ-case-metrics_Batch1000-to-Batch4999_20260101-1200.csv"
    # Batches with gaps are not a range; many categories are the first and how many.
    gaps = pd.DataFrame({"batch": [7, 9, 12, 15]})
    categories = {"category": "、".join(f"领域{i}" for i in range(40))}
    name = export_filename(gaps, categories, "zh", NAMES, EXPORTED_AT, "csv")
    assert name == "湖北自贸试验区实践案例指标_第七批等4批_领域0等40个领域_20260101-1200.csv"
    english = export_filename(gaps, categories, "en", NAMES, EXPORTED_AT, "csv")
    assert english == "Hubei-FTZ-case-metrics_Batch7-and-3-more_领域0-and-39-more_20260101-1200.csv"


def test_a_marking_heads_the_about_sheet_every_printed_page_and_the_file_name() -> None:
    rows = load_metrics().head(20)
    book = openpyxl.load_workbook(
        io.BytesIO(
            to_xlsx(
                rows,
                filters={},
                lang="zh",
                batches=load_batches(),
                area_names={},
                data_version="test",
                exported_at=datetime(2026, 12, 5, 9, 0),
                catalogue=load_catalogue(),
                mark="内部资料 注意保密",
            )
        )
    )
    assert next(book["说明"].iter_rows(values_only=True))[:2] == ("标识 Marking", "内部资料 注意保密")
    assert {sheet.oddHeader.center.text for sheet in book.worksheets} == {"内部资料 注意保密"}
    name = export_filename(rows, {}, "zh", {}, datetime(2026, 12, 5, 9, 0), "csv", "内部资料 注意保密")
    assert name == "内部资料-注意保密_湖北自贸试验区实践案例指标_第七批_20261205-0900.csv"
