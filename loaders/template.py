"""The template staff fill in for a new batch: Chinese headers, an example row, drop-down lists, and the
metric catalogue to choose each row's measure from."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from loaders.measures import Catalogue, is_catch_all
from loaders.schema import CHINESE_NAMES, COLUMN_NAMES, COLUMNS, INDICATORS, KINDS, PHASES, QUALIFIERS, SCOPES, SECTIONS

EXAMPLE = {
    "batch": 8,
    "case_no": 1,
    "case_title": "（示例，请删除此行）某某改革试点",
    "category": "投资贸易便利化",
    "area": "武汉片区",
    "provider": "武汉片区",
    "section": "实践效果",
    "indicator": "企业",
    "metric": "培育高新技术企业",
    "kind": "成效",
    "scope": "片区",
    "value": 200,
    "unit": "家",
    "qualifier": "超",
    "value_text": "超 200 家",
    "as_of": "2023-06",
    "source_quote": "截至2023年6月，试点已培育高新技术企业超 200 家。",
}
NOTES = {
    "fact_id": "可留空，导入时自动编号",
    "value_text": "原文中写数字的那几个字，须与原文一致，如“超 200 家”",
    "source_quote": "数字所在的整句原文",
    "part_of": "“其中”项填所属数字的编号，可留空",
    "measure": "从下拉列表选择指标口径（见“指标目录”表）；只有同一口径的数据才会相加",
    "case_title_en": "可留空；填写后英文版显示此名称",
    "metric_en": "可留空；填写后英文版显示此指标名称",
    "as_of": "如 2023、2023-06、2023-H1",
}


def make_template(areas: list[str], catalogue: Catalogue) -> bytes:
    """Return the .xlsx template: the 数据 sheet with the schema's Chinese headers, an example row,
    drop-down lists (Excel data validation) of the allowed values of the coded columns and measures,
    and the 指标目录 sheet saying what each measure counts."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    lists = book.create_sheet("选项")
    # The catch-alls come last: a figure no measure fits (in a unit the dashboard does not know, say) can
    # still be imported, and is never added.
    measures = catalogue.codes
    enterprises = [code for code in catalogue.family("enterprises") if not is_catch_all(code)]
    example = {**EXAMPLE, "measure": catalogue.name(enterprises[0], "zh") if enterprises else ""}
    choices = {
        "measure": [catalogue.name(code, "zh") for code in measures],
        "area": areas,
        "section": list(SECTIONS),
        "indicator": [zh for zh, _ in INDICATORS.values()],
        "kind": [zh for zh, _ in KINDS.values()],
        "scope": [zh for zh, _ in SCOPES.values()],
        "phase": [zh for zh, _ in PHASES.values()],
        "qualifier": list(QUALIFIERS),
    }
    required = {c.name for c in COLUMNS if c.required and c.name != "fact_id"}
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for index, name in enumerate(COLUMN_NAMES, start=1):
        cell = sheet.cell(row=1, column=index, value=CHINESE_NAMES[name])
        cell.font = Font(bold=True, color="C00000" if name in required else "000000")
        cell.fill = header_fill
        if name in NOTES:
            cell.comment = Comment(NOTES[name], "模板")
        sheet.cell(row=2, column=index, value=example.get(name))
        width = 40 if name == "source_quote" else 16
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    for offset, (name, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(offset)
        lists.cell(row=1, column=offset, value=CHINESE_NAMES[name])
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=offset, value=value)
        column = get_column_letter(COLUMN_NAMES.index(name) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"=选项!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            # Qualifiers may be combined (累计、超), so the list only suggests there.
            showErrorMessage=name != "qualifier",
            errorTitle="不在可选范围内",
            error=f"请从下拉列表中选择{CHINESE_NAMES[name]}。",
        )
        validation.add(f"{column}2:{column}5000")
        sheet.add_data_validation(validation)
    _catalogue_sheet(book, catalogue, measures)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _catalogue_sheet(book: Workbook, catalogue: Catalogue, measures: list[str]) -> None:
    sheet = book.create_sheet("指标目录")
    headers = ["指标口径", "代码", "指标类别", "单位", "能否合计", "定义"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for code in measures:
        row = catalogue.table.loc[code]
        sheet.append(
            [
                str(row["name_zh"]),
                code,
                INDICATORS[str(row["indicator"])][0],
                str(row["unit"]),
                "可合计" if code in catalogue.additive else "不合计",
                str(row["definition_zh"]),
            ]
        )
    for letter, width in zip("ABCDEF", (22, 30, 10, 8, 10, 80), strict=True):
        sheet.column_dimensions[letter].width = width
