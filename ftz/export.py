"""The filtered table as a workbook (数据, 汇总, 说明) or a CSV that Excel on Chinese Windows opens cleanly.

Both go straight back into the importer: the same column names (Chinese, or the snake_case names in
English) and the Chinese labels of codes the importer accepts. No cell is ever a formula.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from copy import copy
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ftz.aggregate import all_totals, batches_in
from ftz.i18n import ENGLISH_TEXT, batch_label, batch_title, code_label, code_labels, localized, t, unit_label
from loaders.measures import Catalogue
from loaders.numbers import plain_number
from loaders.schema import (
    ABOUT,
    AT_LEAST,
    AT_MOST,
    CHINESE_NAMES,
    COLUMN_NAMES,
    CUMULATIVE,
    ENGLISH_LABELS,
    QUALIFIER_SEPARATOR,
    QUALIFIERS,
)

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CHARS = 32_767
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CODE_COLUMNS = ("section", "indicator", "kind", "scope", "phase")
NUMBER_COLUMNS = ("batch", "case_no", "value", "value_high")
COUNT_COLUMNS = ("batch", "case_no")
WRAPPED_COLUMNS = ("source_quote",)
SHEETS = {"data": ("数据", "Data"), "summary": ("汇总", "Summary"), "about": ("说明", "About")}
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
WRAP = Alignment(wrap_text=True, vertical="top")


class ExportError(ValueError):
    """The selection cannot be written faithfully (too many rows, a cell too long)."""


def _sheet(key: str, lang: str) -> str:
    zh, en = SHEETS[key]
    return en if lang == "en" else zh


def header(column: str, lang: str) -> str:
    """Return a column's header as a person reads it and the importer accepts it: its Chinese name, or
    its English label."""
    return ENGLISH_LABELS[column] if lang == "en" else CHINESE_NAMES[column]


def export_frame(
    rows: pd.DataFrame, lang: str, catalogue: Catalogue, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return the Data sheet as a frame: schema columns in order under their names in the language, codes
    and measures as their labels in it, and in English areas and categories as `names` gives them. The
    importer reads every one of them back. Units, qualifiers and the data's own text stay as written."""
    frame = rows[list(COLUMN_NAMES)].copy()
    # Mapped through tables of labels, not a call per row: an export may hold a million rows.
    for column in CODE_COLUMNS:
        values = frame[column].astype("string")
        frame[column] = values.map(code_labels(column, lang)).fillna(values)
    measures = frame["measure"].astype("string")
    frame["measure"] = measures.map(catalogue.names(lang)).fillna(measures)
    if lang == "en" and names:
        for column in ("area", "category"):
            values = frame[column].astype("string")
            frame[column] = values.map(dict(names)).fillna(values)
    for column in frame.columns:
        if column not in NUMBER_COLUMNS:
            frame[column] = frame[column].astype("string")
    return frame.rename(columns={c: header(c, lang) for c in COLUMN_NAMES})


def reading_frame(
    rows: pd.DataFrame, lang: str, catalogue: Catalogue, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return rows as a person reads them in the language (the data page): as the export writes them, and
    in English with the English case titles, metrics and units in place of the Chinese ones, qualifiers
    in words, and providers that are areas named as areas. Source sentences and the words of figures stay
    as written: they are quotes. Unlike the export, it is not meant to be imported."""
    frame = export_frame(localized(rows, lang), lang, catalogue, names)
    if lang != "en":
        return frame
    frame = frame.drop(columns=[header(c, lang) for c in ENGLISH_TEXT.values()])
    unit, qualifier, provider = header("unit", lang), header("qualifier", lang), header("provider", lang)
    frame[unit] = frame[unit].map(lambda u: unit_label(str(u), "en"), na_action="ignore")
    frame[qualifier] = frame[qualifier].map(qualifier_words, na_action="ignore")
    places = dict(names or {})
    frame[provider] = frame[provider].map(lambda p: ", ".join(places.get(s, s) for s in str(p).split("、")))
    return frame


def qualifier_words(qualifier: str) -> str:
    """Return qualifiers as written (超、累计) in English words (over, cumulative)."""
    words = {AT_LEAST: "at least", AT_MOST: "at most", ABOUT: "about", CUMULATIVE: "cumulative"}
    said = [words[QUALIFIERS[w]] if w in QUALIFIERS else w for w in str(qualifier).split(QUALIFIER_SEPARATOR)]
    return ", ".join(dict.fromkeys(said))


def is_formula_like(text: str) -> bool:
    """Return whether spreadsheet software would take this text for a formula."""
    return text.startswith(FORMULA_STARTS)


def _check_size(frame: pd.DataFrame) -> None:
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise ExportError(
            f"筛选结果有 {len(frame):,} 行，超过 Excel 单表上限 {EXCEL_MAX_ROWS - 1:,} 行，请缩小筛选范围或导出 CSV。"
            f" {len(frame):,} rows exceed Excel's {EXCEL_MAX_ROWS - 1:,}; narrow the filters or export CSV."
        )
    for column in frame.columns:
        if frame[column].dtype == "string":
            too_long = frame[column].str.len() > EXCEL_MAX_CHARS
            if too_long.any():
                row = int(too_long.to_numpy().nonzero()[0][0]) + 2
                raise ExportError(
                    f"第 {row} 行「{column}」超过 Excel 单元格上限 {EXCEL_MAX_CHARS:,} 个字符。"
                    f" Row {row}, column {column}: longer than Excel's {EXCEL_MAX_CHARS:,} characters."
                )


def display_width(values: pd.Series) -> pd.Series:
    """Return how many Excel character widths each text needs (a CJK character takes about two)."""
    text = values.astype("string").fillna("")
    return text.str.len() + text.str.count(r"[^\x00-\x7f]")


def _number_format(value: float) -> str:
    text = plain_number(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


class _StyledCells:
    """Make styled write-only cells, registering each distinct style once rather than per cell."""

    def __init__(self, sheet: object) -> None:
        self.sheet = sheet
        self.styles: dict[object, object] = {}

    def _cell(self, value: object, key: object, style: dict[str, object]) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if key in self.styles:
            # Write-only cells are serialised at once and never changed, so they may share one style.
            cell._style = self.styles[key]
        else:
            for attribute, setting in style.items():
                setattr(cell, attribute, setting)
            self.styles[key] = copy(cell._style)
        return cell

    def number(self, value: float) -> WriteOnlyCell:
        number_format = _number_format(value)
        return self._cell(value, number_format, {"number_format": number_format})

    def text(self, text: str, wrap: bool) -> WriteOnlyCell:
        quoted = is_formula_like(text)
        style: dict[str, object] = {"quotePrefix": quoted}
        if wrap:
            style["alignment"] = WRAP
        cell = self._cell(text, ("text", wrap, quoted), style)
        cell.data_type = "s"
        return cell


def _write_data_sheet(workbook: Workbook, frame: pd.DataFrame, lang: str) -> None:
    sheet = workbook.create_sheet(_sheet("data", lang))
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(frame.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    headers = list(frame.columns)
    kind_of = {header(c, lang): "count" for c in COUNT_COLUMNS}
    kind_of |= {header(c, lang): "number" for c in NUMBER_COLUMNS if c not in COUNT_COLUMNS}
    kind_of |= {header(c, lang): "wrapped" for c in WRAPPED_COLUMNS}
    wrapped = {header(c, lang) for c in WRAPPED_COLUMNS}
    for index, name in enumerate(headers, start=1):
        width = max(int(display_width(pd.Series([name])).iloc[0]), int(display_width(frame[name]).max() or 0))
        sheet.column_dimensions[get_column_letter(index)].width = min(60 if name in wrapped else 40, width + 2)
    bold = Font(bold=True)
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cell.fill = HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    columns = [frame[name].tolist() for name in headers]
    kinds = [kind_of.get(name, "text") for name in headers]
    styled = _StyledCells(sheet)
    for values in zip(*columns, strict=True):
        row: list[object] = []
        for value, kind in zip(values, kinds, strict=True):
            if value is None or value is pd.NA or (kind != "text" and kind != "wrapped" and pd.isna(value)):
                row.append(None)
            elif kind == "count":
                row.append(int(value))
            elif kind == "number":
                row.append(styled.number(float(value)))
            else:
                text = str(value)
                # Plain text goes in as it is; only what needs a style or looks like a formula gets a cell.
                row.append(styled.text(text, kind == "wrapped") if kind == "wrapped" or is_formula_like(text) else text)
        sheet.append(row)


def _summary_tables(
    rows: pd.DataFrame, lang: str, area_names: Mapping[str, str], catalogue: Catalogue
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cases = rows.drop_duplicates(["batch", "case_no"])
    pivot = cases.groupby(["area", "category"], observed=True).size().unstack(fill_value=0)
    pivot.index = [area_names.get(str(a), str(a)) for a in pivot.index]
    pivot.columns = [area_names.get(str(c), str(c)) for c in pivot.columns]
    outcome = all_totals(rows, catalogue, by=["area"])
    if not outcome.empty:
        outcome["name"] = outcome["measure"].map(lambda code: catalogue.name(code, lang))
        outcome["indicator"] = outcome["indicator"].astype(str).map(lambda c: code_label("indicator", c, lang))
        outcome["unit"] = outcome["unit_std"].astype(str).map(lambda u: unit_label(u, lang))
        outcome["area"] = outcome["area"].astype(str).map(lambda a: area_names.get(a, a))
        outcome["bound"] = outcome["bound"].map(lambda b: t(b, lang))
    return pivot, outcome


def _write_summary_sheet(
    workbook: Workbook, rows: pd.DataFrame, lang: str, area_names: Mapping[str, str], catalogue: Catalogue
) -> None:
    sheet = workbook.create_sheet(_sheet("summary", lang))
    pivot, outcome = _summary_tables(rows, lang, area_names, catalogue)
    bold = Font(bold=True)

    def title(text: str) -> None:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        sheet.append([cell])

    sheet.column_dimensions["A"].width = 16
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
    title(t("cases_by_area_category", lang))
    sheet.append([t("axis_area", lang), *[str(c) for c in pivot.columns]])
    first_row = 3
    for area, counts in pivot.iterrows():
        sheet.append([str(area), *[int(v) for v in counts]])
    last_row = first_row + len(pivot) - 1
    figures = rows.groupby(["area", "category"], observed=True).size().reset_index(name="figures")
    sheet.append([])
    title(t("count_figures", lang))
    sheet.append([t("axis_area", lang), t("axis_category", lang), t("count_figures", lang)])
    for record in figures.to_dict("records"):
        area, category = str(record["area"]), str(record["category"])
        sheet.append([area_names.get(area, area), area_names.get(category, category), int(record["figures"])])
    sheet.append([])
    title(f"{t('headline', lang)}（{t('kpi_help', lang)}）")
    names = [
        t("choose_measure", lang),
        t("choose_indicator", lang),
        t("choose_unit", lang),
        t("axis_area", lang),
        t("total", lang),
        t("n_figures", lang),
    ]
    sheet.append([*names, "限定 Bound"])
    for record in outcome.to_dict("records"):
        total = float(record["total"])
        cell = WriteOnlyCell(sheet, value=total)
        cell.number_format = _number_format(total)
        sheet.append(
            [
                record["name"],
                record["indicator"],
                record["unit"],
                record["area"],
                cell,
                int(record["figures"]),
                record["bound"],
            ]
        )
    if len(pivot):
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = t("cases_by_area_category", lang)
        chart.y_axis.title = t("count_cases", lang)
        data = Reference(sheet, min_col=2, max_col=1 + len(pivot.columns), min_row=2, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=first_row, max_row=last_row))
        chart.width, chart.height = 18, 9
        sheet.add_chart(chart, "H2")


def _write_about_sheet(
    workbook: Workbook,
    rows: pd.DataFrame,
    lang: str,
    filters: Mapping[str, str],
    batches: pd.DataFrame,
    data_version: str,
    data_changed: str,
    exported_at: datetime,
    catalogue: Catalogue,
    mark: str,
) -> None:
    sheet = workbook.create_sheet(_sheet("about", lang))
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 70
    bold = Font(bold=True)
    lines: list[tuple[str, str]] = [("标识 Marking", mark)] if mark else []
    lines += [
        (t("app_title", lang), ""),
        ("导出时间 Exported (Beijing time)", f"{exported_at:%Y-%m-%d %H:%M}"),
        ("数据版本 Data version", data_version),
        ("数据更新时间 Data last changed (Beijing time)", data_changed),
        ("行数 Rows", f"{len(rows)}"),
        ("筛选条件 Filters", "" if filters else t("f_all", lang)),
    ]
    lines += [(f"  {t('f_' + key, lang)}", value) for key, value in filters.items()]
    for batch in batches_in(batches, rows).to_dict("records"):
        lines.append(
            (
                batch_label(int(batch["batch"]), lang),
                f"{batch_title(batch, lang)}｜{batch['doc_no']}｜{batch['published']}",
            )
        )
    lines.append(("规则 Rules", t("kpi_help", lang)))
    # The measures of the selection: what each counts, its unit, and whether it is ever added.
    lines.append((f"{CHINESE_NAMES['measure']} Measures", t("about_measures", lang)))
    present = {str(code) for code in rows["measure"].unique()}
    for code in (c for c in catalogue.codes if c in present):
        unit = catalogue.unit(code) or "—"
        adds = t("additive" if code in catalogue.additive else "not_additive", lang)
        lines.append((f"  {catalogue.name(code, lang)}", f"{unit}｜{adds}｜{catalogue.definition(code, lang)}"))
    for key, value in lines:
        cell = WriteOnlyCell(sheet, value=key)
        cell.font = bold
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"
        if is_formula_like(value):
            text.quotePrefix = True
        sheet.append([cell, text])


def to_xlsx(
    rows: pd.DataFrame,
    *,
    filters: Mapping[str, str],
    lang: str,
    batches: pd.DataFrame,
    area_names: Mapping[str, str],
    data_version: str,
    exported_at: datetime,
    catalogue: Catalogue,
    data_changed: str = "",
    mark: str = "",
) -> bytes:
    """Return the workbook of the selected rows: Data (importable), Summary (same totals as the app), About;
    with a `mark` (FTZ_EXPORT_MARK, 内部资料 注意保密) atop About and in every sheet's printed header."""
    frame = export_frame(rows, lang, catalogue, area_names)
    _check_size(frame)
    workbook = Workbook(write_only=True)
    stamp = exported_at.replace(tzinfo=None)
    workbook.properties.created = workbook.properties.modified = stamp
    _write_data_sheet(workbook, frame, lang)
    _write_summary_sheet(workbook, rows, lang, area_names, catalogue)
    _write_about_sheet(workbook, rows, lang, filters, batches, data_version, data_changed, exported_at, catalogue, mark)
    if mark:
        for sheet in workbook.worksheets:
            for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
                header.center.text, header.center.color = mark, "C00000"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(rows: pd.DataFrame, lang: str, catalogue: Catalogue, names: Mapping[str, str] | None = None) -> bytes:
    """Return the Data sheet as UTF-8 CSV with a BOM; formula-like text gets a leading ' (OWASP)."""
    frame = export_frame(rows, lang, catalogue, names)
    for column in frame.columns:
        if frame[column].dtype != "string":
            frame[column] = frame[column].map(plain_number, na_action="ignore").astype("string")
        else:
            values = frame[column]
            risky = values.str.startswith(FORMULA_STARTS).fillna(False)
            frame[column] = values.where(~risky, "'" + values)
    text = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _listed(names: list[str], lang: str, counted: str) -> str:
    """Return up to three names joined, more as the first and how many (第七批等5批): a file name has at
    most 255 bytes."""
    if len(names) <= 3:
        return "-".join(names)
    return f"{names[0]}-and-{len(names) - 1}-more" if lang == "en" else f"{names[0]}等{len(names)}{counted}"


def export_mark() -> str:
    """Return the marking every export and deck page carries (FTZ_EXPORT_MARK, e.g. 内部资料 注意保密), or ''."""
    return " ".join(os.environ.get("FTZ_EXPORT_MARK", "").split())


def export_filename(
    rows: pd.DataFrame,
    filters: Mapping[str, str],
    lang: str,
    area_names: Mapping[str, str],
    exported_at: datetime,
    ext: str,
    mark: str = "",
) -> str:
    """Return a file name that says what the file holds, led by the marking if there is one (a CSV has
    nowhere else to carry it and stay importable).

    For example 湖北自贸试验区实践案例指标_第七批_宜昌片区_20260101-1200.xlsx.
    """
    parts = ["-".join(mark.split())] if mark else []
    parts.append("Hubei-FTZ-case-metrics" if lang == "en" else "湖北自贸试验区实践案例指标")
    numbers = sorted(int(b) for b in rows["batch"].unique())
    batches = [batch_label(b, lang).replace(" ", "") for b in numbers]
    if len(batches) > 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        parts.append(("{}-to-{}" if lang == "en" else "{}至{}").format(batches[0], batches[-1]))
    elif batches:
        parts.append(_listed(batches, lang, "批"))
    if filters.get("area"):
        areas = [area_names.get(a, a).replace(" ", "") for a in filters["area"].split("、")]
        parts.append(_listed(areas, lang, "个片区"))
    if filters.get("category"):
        parts.append(_listed(filters["category"].split("、"), lang, "个领域"))
    parts.append(f"{exported_at:%Y%m%d-%H%M}")
    safe = "_".join(parts).replace("/", "-").replace("\\", "-")
    return f"{safe}.{ext}"
