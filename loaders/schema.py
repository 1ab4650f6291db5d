"""The tidy table declared once: columns and their Chinese names, code lists, units, and validation."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from loaders.numbers import normalize_width, parse_figure

if TYPE_CHECKING:
    from loaders.measures import Catalogue


class Column(NamedTuple):
    name: str
    zh: str
    en: str
    required: bool


# The settled column list, in file order, with the names the UI, the exports and the importer use.
COLUMNS: tuple[Column, ...] = (
    Column("fact_id", "编号", "Fact ID", True),
    Column("batch", "批次", "Batch", True),
    Column("case_no", "案例序号", "Case no.", True),
    Column("case_title", "案例名称", "Case", True),
    Column("case_title_en", "案例名称（英文）", "Case (English)", False),
    Column("category", "领域", "Category", True),
    Column("area", "片区", "Area", True),
    Column("provider", "提供单位", "Provider", True),
    Column("section", "章节", "Section", True),
    Column("indicator", "指标类别", "Indicator", True),
    Column("metric", "指标", "Metric", True),
    Column("metric_en", "指标（英文）", "Metric (English)", False),
    Column("measure", "指标口径", "Measure", True),
    Column("kind", "类型", "Kind", True),
    Column("scope", "范围", "Scope", True),
    Column("part_of", "所属", "Part of", False),
    Column("phase", "阶段", "Phase", False),
    Column("value", "数值", "Value", True),
    Column("value_high", "上限", "High value", False),
    Column("unit", "单位", "Unit", True),
    Column("qualifier", "限定词", "Qualifier", False),
    Column("value_text", "原文数值", "Value as written", True),
    Column("as_of", "截至", "As of", False),
    Column("source_quote", "原文", "Source sentence", True),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = frozenset(c.name for c in COLUMNS if c.required)
CHINESE_NAMES = {c.name: c.zh for c in COLUMNS}
ENGLISH_LABELS = {c.name: c.en for c in COLUMNS}

# Code lists: code -> (Chinese label, English label), in display order.
INDICATORS = {
    "enterprises": ("企业", "Enterprises"),
    "financing": ("融资", "Financing"),
    "talent": ("人才", "Talent"),
    "time": ("时效", "Time"),
    "patents": ("知识产权", "Patents & IP"),
    "projects": ("项目平台", "Projects & platforms"),
    "services": ("服务", "Services"),
    "output": ("产出", "Output"),
    "share": ("占比", "Shares"),
    "other": ("其他", "Other"),
}
KINDS = {
    "outcome": ("成效", "Outcome"),
    "policy": ("政策参数", "Policy parameter"),
    "target": ("目标", "Target"),
    "context": ("背景", "Context"),
}
SCOPES = {
    "zone": ("片区", "Zone"),
    "city": ("全市", "City"),
    "province": ("全省", "Province"),
    "national": ("全国", "National"),
}
PHASES = {"before": ("改革前", "Before"), "after": ("改革后", "After")}
SECTIONS = {
    "导语": ("导语", "Lead"),
    "主要做法": ("主要做法", "Main practices"),
    "创新点": ("创新点", "Innovations"),
    "实践效果": ("实践效果", "Results"),
    "下一步工作思路": ("下一步工作思路", "Next steps"),
}
SECTION_ALIASES = {"主要成效": "实践效果"}
# The coded columns and their lists, for whatever labels or reads codes column by column.
CODE_LISTS = {"section": SECTIONS, "indicator": INDICATORS, "kind": KINDS, "scope": SCOPES, "phase": PHASES}

AT_LEAST, AT_MOST, ABOUT, CUMULATIVE = "at_least", "at_most", "about", "cumulative"
QUALIFIERS = {
    "超": AT_LEAST,
    "超过": AT_LEAST,
    "余": AT_LEAST,
    "多": AT_LEAST,
    "以上": AT_LEAST,
    "逾": AT_LEAST,
    "不少于": AT_LEAST,
    "不低于": AT_LEAST,
    "突破": AT_LEAST,
    "破": AT_LEAST,
    "上": AT_LEAST,
    "不超过": AT_MOST,
    "以内": AT_MOST,
    "内": AT_MOST,
    "最高": AT_MOST,
    "以下": AT_MOST,
    "不足": AT_MOST,
    "约": ABOUT,
    "近": ABOUT,
    "左右": ABOUT,
    "累计": CUMULATIVE,
}
QUALIFIER_SEPARATOR = "、"


@dataclass(frozen=True)
class Unit:
    """How a unit as written converts to its dimension's standard unit, and whether it may be added."""

    dimension: str
    standard: str
    factor: float
    additive: bool


def _units(dimension: str, standard: str, additive: bool, factors: dict[str, float]) -> dict[str, Unit]:
    return {name: Unit(dimension, standard, factor, additive) for name, factor in factors.items()}


# Counters that are only ever added to themselves.
COUNT_UNITS = "个 项 次 场 条 类 所 台 套 篇 期 支 批 份 张 座 间 届 级 方面 部分 道 部委 地 方 面 款 单 轮 站".split()

# Percentages, shares, durations, 成 and US dollars are never added to anything; 个工作日 is not 天.
UNITS: dict[str, Unit] = {
    **_units("money_cny", "万元", True, {"元": 1e-4, "万元": 1, "亿元": 1e4, "亿": 1e4}),
    **_units("money_usd", "万美元", False, {"美元": 1e-4, "万美元": 1, "亿美元": 1e4}),
    **_units(
        "duration", "天", False, {"分钟": 1 / 1440, "小时": 1 / 24, "天": 1, "周": 7, "个月": 30, "月": 30, "年": 365}
    ),
    **_units("workdays", "个工作日", False, {"个工作日": 1, "工作日": 1}),
    **_units("percent", "%", False, {"%": 1, "成": 10}),
    **_units("percentage_points", "个百分点", False, {"个百分点": 1}),
    **_units("people", "人", True, {"人": 1, "名": 1, "位": 1, "万人": 1e4, "万名": 1e4}),
    **_units("person_times", "人次", True, {"人次": 1, "万人次": 1e4}),
    **_units("enterprises", "家", True, {"家": 1, "万家": 1e4}),
    **_units("households", "户", True, {"户": 1, "万户": 1e4}),
    **_units("items", "件", True, {"件": 1, "万件": 1e4}),
    **_units("transactions", "笔", True, {"笔": 1, "万笔": 1e4}),
    **_units("floor_area", "平方米", True, {"平方米": 1, "万平方米": 1e4}),
    **_units("land_area", "亩", True, {"亩": 1, "万亩": 1e4}),
    **_units("tonnes", "吨", True, {"吨": 1, "万吨": 1e4}),
    **_units("length", "米", False, {"米": 1, "公里": 1000, "千米": 1000}),
    **{name: Unit(name, name, 1, True) for name in COUNT_UNITS},
}

FACT_ID = re.compile(r"^(\d+)-(\d{2,})-(\d{2,})$")
_PERIOD = r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-H[12]|-Q[1-4])?"
AS_OF = re.compile(rf"^{_PERIOD}(/{_PERIOD})?$")

MESSAGES: dict[str, tuple[str, str]] = {
    "missing-column": ("缺少必填列", "a required column is missing"),
    "unknown-column": ("无法识别的列名", "unknown column"),
    "missing-value": ("必填项为空", "a required cell is empty"),
    "bad-number": ("不是有效数字", "not a number"),
    "bad-integer": ("应为正整数", "not a positive integer"),
    "negative-value": ("数值不能为负", "negative value"),
    "bad-range": ("上限小于数值", "value_high is below value"),
    "bad-fact-id": ("编号格式应为 批次-案例-序号，如 7-01-03", "fact_id must look like 7-01-03"),
    "fact-id-mismatch": ("编号与批次或案例序号不符", "fact_id disagrees with batch or case_no"),
    "duplicate-fact-id": ("编号重复", "duplicate fact_id"),
    "duplicate-row": ("与另一行重复（同一案例、同一原文、同一原文数值、同一指标）", "duplicates another row"),
    "unknown-indicator": ("指标类别不在允许列表中", "unknown indicator code"),
    "unknown-kind": ("类型不在允许列表中", "unknown kind code"),
    "unknown-scope": ("范围不在允许列表中", "unknown scope code"),
    "unknown-phase": ("阶段只能为 before/after 或留空", "unknown phase code"),
    "unknown-section": ("章节不在允许列表中", "unknown section"),
    "unknown-qualifier": ("限定词不在允许列表中", "unknown qualifier"),
    "unknown-area": ("片区不在片区表 data/areas.csv 中", "area not listed in data/areas.csv"),
    "unknown-unit": ("未知单位：已接受，但不换算、不参与合计", "unknown unit: accepted, never converted or summed"),
    "bad-as-of": (
        "截至时间格式应为 2022、2022-06、2022-H1 或 2020/2022",
        "as_of must look like 2022, 2022-06, 2022-H1",
    ),
    "bad-part-of": ("所属编号不存在或指向自身", "part_of names no other fact_id of the table"),
    "unpaired-phase": ("改革前数值缺少对应的改革后数值（同一案例、同一指标）", "a before row has no after row"),
    "inconsistent-case": ("同一案例的名称、领域、片区或提供单位前后不一致", "case fields disagree between rows"),
    "unreadable-value-text": ("无法从原文数值读出数字和单位", "value_text cannot be read as a figure"),
    "value-text-mismatch": ("原文数值与数值、上限或单位不符", "value_text disagrees with value, value_high or unit"),
    "qualifier-mismatch": ("原文数值中的限定词未填入限定词列", "a qualifier in value_text is missing from qualifier"),
    "value-text-not-in-quote": ("原文数值不在原文句子中", "value_text does not occur in source_quote"),
    "quote-not-in-source": (
        "原文句子在登记的原文文件中找不到（须为该案例的一整句）",
        "source_quote is not a sentence of its case",
    ),
    "register-unknown": ("只能替换这些登记表", "only these registers can be replaced"),
    "register-columns": ("登记表的列与现有登记表不同", "the register's columns differ from the current one's"),
    "register-key-missing": ("登记表的关键列为空或不合格", "a key of the register is empty or malformed"),
    "register-duplicate": ("登记表中有重复的关键值", "a key appears twice in the register"),
    "register-key-in-use": ("数据表仍在使用这个值，不能从登记表中删去", "the table still uses this key: it cannot go"),
    "source-batch-missing": ("随附的原文不是文件中任何一批的原文", "the document given is of no batch in the file"),
    "empty-file": ("文件是空的", "the file is empty"),
    "no-rows": ("文件只有表头，没有数据行", "the file has a header but no rows"),
    "not-a-table": ("文件不是 CSV 或 Excel 表格", "the file is not a CSV or an Excel table"),
    "bad-xlsx": ("不是有效的 Excel (.xlsx) 文件", "not a valid .xlsx file"),
    "bad-encoding": ("无法识别文件编码", "unknown text encoding"),
    # the metric catalogue (data/measures.csv) and the rows' measures
    "unknown-measure": ("指标口径不在指标目录中", "measure not in the catalogue data/measures.csv"),
    "measure-family-mismatch": ("指标口径与指标类别不符", "the measure belongs to another indicator"),
    "measure-unit-mismatch": ("单位不能换算为指标口径的单位", "the unit does not convert to the measure's unit"),
    "bad-measure-code": ("口径代码只能用小写英文字母、数字和下划线", "measure codes are lower-case snake_case"),
    "reserved-measure": ("以 _unclassified 结尾的代码留给未分类口径", "codes ending in _unclassified are reserved"),
    "duplicate-measure": ("口径代码重复", "duplicate measure code"),
    "duplicate-measure-name": ("口径名称与另一口径重复", "another measure has this name or code"),
    "unknown-measure-unit": ("单位不在单位表中", "unknown unit"),
    "bad-flag": ("应为 true 或 false", "must be true or false"),
    "additive-unit": ("百分比、时长、成、美元等单位的口径不能合计", "a measure in this unit cannot be additive"),
    "bad-headline": ("总览位置应为正整数或留空", "headline must be a positive integer or empty"),
    "duplicate-headline": ("总览位置已被另一口径占用", "another measure has this headline place"),
    "headline-not-additive": ("总览主要指标必须可以合计", "a headline measure must be additive"),
    "measure-in-use": ("仍有数据使用该口径，不能删除", "rows still use this measure"),
}


class MetricsSchema(pa.DataFrameModel):
    """Column rules of the tidy table; relations between rows and columns are checked in `validate_metrics`."""

    fact_id: Series[str] = pa.Field(str_matches=FACT_ID.pattern, unique=True)
    batch: Series[pd.Int64Dtype] = pa.Field(ge=1)
    case_no: Series[pd.Int64Dtype] = pa.Field(ge=1)
    case_title: Series[str]
    case_title_en: Series[str] = pa.Field(nullable=True)
    category: Series[str]
    area: Series[str]
    provider: Series[str]
    section: Series[str] = pa.Field(isin=list(SECTIONS))
    indicator: Series[str] = pa.Field(isin=list(INDICATORS))
    metric: Series[str]
    metric_en: Series[str] = pa.Field(nullable=True)
    measure: Series[str]
    kind: Series[str] = pa.Field(isin=list(KINDS))
    scope: Series[str] = pa.Field(isin=list(SCOPES))
    part_of: Series[str] = pa.Field(nullable=True)
    phase: Series[str] = pa.Field(isin=list(PHASES), nullable=True)
    value: Series[float] = pa.Field(ge=0)
    value_high: Series[float] = pa.Field(ge=0, nullable=True)
    unit: Series[str]
    qualifier: Series[str] = pa.Field(nullable=True)
    value_text: Series[str]
    as_of: Series[str] = pa.Field(str_matches=AS_OF.pattern, nullable=True)
    source_quote: Series[str]

    class Config:
        coerce = True
        ordered = False


# Which report code a failed pandera check stands for, by check name and column.
_CODE_BY_CHECK = {
    "not_nullable": "missing-value",
    "greater_than_or_equal_to(0)": "negative-value",
    "field_uniqueness": "duplicate-fact-id",
}


def _code_for(column: str, check: str) -> str:
    if check in _CODE_BY_CHECK:
        return _CODE_BY_CHECK[check]
    if check.startswith("coerce_dtype"):
        return "bad-integer" if column in ("batch", "case_no") else "bad-number"
    if check.startswith("greater_than_or_equal_to"):
        return "bad-integer" if column in ("batch", "case_no") else "negative-value"
    if check.startswith("isin"):
        return f"unknown-{column}"
    if check.startswith("str_matches"):
        return "bad-fact-id" if column == "fact_id" else "bad-as-of"
    raise ValueError(f"no report code for check {check!r} on {column!r}")


REPORT_COLUMNS = ["row", "column", "value", "code", "severity", "message", "message_en"]
ERROR, WARNING = "error", "warning"


def excel_row(index: int) -> int:
    """Return the row number a user sees in Excel for a data row index (the header is row 1)."""
    return int(index) + 2


def issue(
    index: int | None, column: str | None, value: object, code: str, detail: str = "", *, severity: str = ERROR
) -> dict[str, object]:
    """Return one report entry; `detail` is appended to the stock message for the code."""
    zh, en = MESSAGES[code]
    return {
        "row": None if index is None else excel_row(index),
        "column": column,
        "value": None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value),
        "code": code,
        "severity": severity,
        "message": f"{zh}：{detail}" if detail else zh,
        "message_en": f"{en}: {detail}" if detail else en,
    }


def first_problem(path: object, errors: pd.DataFrame) -> str:
    """Return how many problems a file has and where the first is, as an error's message says it: 第 3 行
    「unit」 for a cell, 列「a」 for a header (which has no row)."""
    first = errors.iloc[0]
    where = f"列「{first['column']}」" if pd.isna(first["row"]) else f"第 {first['row']} 行「{first['column']}」"
    return f"{path}：{len(errors)} 处错误，例如{where}：{first['message']}"


def make_report(entries: list[dict[str, object]]) -> pd.DataFrame:
    """Return report entries as a table sorted by row, errors first within a row."""
    report = pd.DataFrame(entries, columns=REPORT_COLUMNS)
    if report.empty:
        return report
    return report.sort_values(["row", "severity", "column"], na_position="first", kind="stable").reset_index(drop=True)


def with_optional_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Return cells with every optional column the table may lack (case_title_en, metric_en …) added empty,
    so that a file written before a column existed still reads."""
    missing = [c.name for c in COLUMNS if not c.required and c.name not in raw.columns]
    return raw.assign(**dict.fromkeys(missing, "")) if missing else raw


def blank_to_na(raw: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with surrounding spaces stripped and empty cells as missing."""
    stripped = raw.apply(
        lambda col: col.str.strip() if col.dtype == object or pd.api.types.is_string_dtype(col) else col
    )
    return stripped.replace("", pd.NA)


def _column_issues(frame: pd.DataFrame) -> list[dict[str, object]]:
    entries = []
    present = set(frame.columns)
    for col in COLUMNS:
        if col.name not in present and col.required:
            detail = f"{col.name}（{col.zh}）"
            if col.name == "measure":
                detail += "：每行填写指标目录 data/measures.csv 中的口径（代码或中文名称） each row names a measure"
            entries.append(issue(None, col.name, None, "missing-column", detail))
    accepted = "、".join(COLUMN_NAMES)
    for name in frame.columns:
        if name not in CHINESE_NAMES:
            entries.append(issue(None, str(name), None, "unknown-column", f"可用列名：{accepted}"))
    return entries


def _pandera_issues(frame: pd.DataFrame) -> list[dict[str, object]]:
    present = [c for c in COLUMN_NAMES if c in frame.columns]
    schema = MetricsSchema.to_schema()
    schema = schema.remove_columns([c for c in COLUMN_NAMES if c not in present])
    try:
        schema.validate(frame[present], lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        # A column that cannot be coerced gets one entry per bad cell; its other checks ran on text.
        uncoerced = set(cases.loc[cases["check"].astype(str).str.startswith("coerce_dtype"), "column"])
        entries = []
        for case in cases.itertuples(index=False):
            column, check = str(case.column), str(case.check)
            if column in uncoerced and not check.startswith("coerce_dtype"):
                continue
            if check == "not_nullable" and column not in REQUIRED:
                continue
            index = None if pd.isna(case.index) else int(case.index)
            entries.append(issue(index, column, case.failure_case, _code_for(column, check)))
        return entries
    return []


def _to_float(value: object) -> float | None:
    try:
        number = float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _to_int(value: object) -> int | None:
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _row_issues(frame: pd.DataFrame, areas: list[str]) -> list[dict[str, object]]:
    entries = []
    has = set(frame.columns)
    for idx, row in enumerate(frame.to_dict("records")):
        get = row.get
        value, high = _to_float(get("value")), _to_float(get("value_high"))
        if value is not None and high is not None and high < value:
            entries.append(issue(idx, "value_high", get("value_high"), "bad-range", f"{high:g} < {value:g}"))
        if "area" in has and pd.notna(get("area")) and get("area") not in areas:
            entries.append(issue(idx, "area", get("area"), "unknown-area", "可用片区：" + "、".join(areas)))
        unit = get("unit")
        if pd.notna(unit) and unit not in UNITS:
            entries.append(issue(idx, "unit", unit, "unknown-unit", severity=WARNING))
        qualifier = get("qualifier")
        qualifiers = [] if pd.isna(qualifier) else str(qualifier).split(QUALIFIER_SEPARATOR)
        for word in qualifiers:
            if word not in QUALIFIERS:
                entries.append(
                    issue(idx, "qualifier", qualifier, "unknown-qualifier", "可用：" + "、".join(QUALIFIERS))
                )
        fact_id, batch, case_no = get("fact_id"), _to_int(get("batch")), _to_int(get("case_no"))
        match = FACT_ID.match(str(fact_id)) if pd.notna(fact_id) else None
        if match and batch and case_no and (int(match.group(1)), int(match.group(2))) != (batch, case_no):
            entries.append(issue(idx, "fact_id", fact_id, "fact-id-mismatch", f"批次 {batch}，案例 {case_no}"))
        entries += _value_text_issues(idx, row, value, high, qualifiers)
    return entries


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _value_text_issues(
    idx: int, row: dict[Hashable, Any], value: float | None, high: float | None, qualifiers: list[str]
) -> list[dict[str, object]]:
    text, quote, unit = row.get("value_text"), row.get("source_quote"), row.get("unit")
    if pd.isna(text):
        return []
    entries = []
    if pd.notna(quote) and str(text) not in str(quote):
        entries.append(issue(idx, "value_text", text, "value-text-not-in-quote"))
    try:
        figure = parse_figure(str(text))
    except ValueError as err:
        return [*entries, issue(idx, "value_text", text, "unreadable-value-text", str(err))]
    wrong = []
    if figure.parts:
        if value is not None and value not in figure.parts:
            wrong.append("数值应为比例中的一项：" + "：".join(f"{part:g}" for part in figure.parts))
    elif value is not None and not _close(figure.value, value):
        wrong.append(f"数值应为 {figure.value:g}")
    if (figure.value_high is None) != (high is None) or (
        high is not None and figure.value_high is not None and not _close(figure.value_high, high)
    ):
        wrong.append("上限应为 " + ("空" if figure.value_high is None else f"{figure.value_high:g}"))
    if figure.unit and pd.notna(unit) and normalize_width(str(unit)) != figure.unit:
        wrong.append(f"单位应为 {figure.unit}")
    if wrong:
        entries.append(issue(idx, "value_text", text, "value-text-mismatch", "；".join(wrong)))
    missing = [q for q in figure.qualifiers if q not in qualifiers]
    if missing:
        entries.append(
            issue(idx, "qualifier", row.get("qualifier"), "qualifier-mismatch", "应含 " + "、".join(missing))
        )
    return entries


def _table_issues(frame: pd.DataFrame) -> list[dict[str, object]]:
    entries = []
    has = set(frame.columns)
    if {"part_of", "fact_id"} <= has:
        ids = set(frame["fact_id"].dropna())
        for index, part_of, fact_id in frame[["part_of", "fact_id"]].dropna(subset=["part_of"]).itertuples():
            if part_of not in ids or part_of == fact_id:
                entries.append(issue(int(index), "part_of", part_of, "bad-part-of"))
    case_key = ["batch", "case_no"]
    case_fields = [c for c in ("case_title", "case_title_en", "category", "area", "provider") if c in has]
    if set(case_key) <= has:
        for field in case_fields:
            # An optional field is empty on every row of a case or the same on all: an English title on
            # some rows only would split the case in two in English.
            values = frame[field].fillna("") if field == "case_title_en" else frame[field]
            counts = values.groupby([frame[c] for c in case_key], dropna=True).nunique()
            for key in counts[counts > 1].index:
                rows = values[(frame["batch"] == key[0]) & (frame["case_no"] == key[1])]
                first = rows.iloc[0]
                for index, val in rows[rows != first].items():
                    entries.append(issue(int(index), field, val, "inconsistent-case", f"本案例其他行为「{first}」"))
    pair_key = ["batch", "case_no", "metric"]
    if {*pair_key, "phase"} <= has:
        after = set(map(tuple, frame.loc[frame["phase"] == "after", pair_key].astype(str).to_numpy()))
        for index, row in frame[frame["phase"] == "before"].iterrows():
            if tuple(row[pair_key].astype(str)) not in after:
                entries.append(issue(int(index), "phase", "before", "unpaired-phase", str(row["metric"])))  # type: ignore[call-overload]
    dup_key = ["batch", "case_no", "metric", "value_text", "source_quote"]
    if set(dup_key) <= has:
        dups = frame[frame.duplicated(subset=dup_key, keep="first")]
        for index, row in dups.iterrows():
            entries.append(issue(int(index), "value_text", row["value_text"], "duplicate-row"))  # type: ignore[call-overload]
    return entries


def validate_metrics(raw: pd.DataFrame, areas: list[str], catalogue: Catalogue) -> pd.DataFrame:
    """Return the report (row, column, value, code, severity, message) of every problem of a raw table.

    `raw` holds the cells as read from a file (strings); `areas` are the allowed area names and
    `catalogue` the measures a row may name. An empty report means the table is valid; warnings alone
    do not make it invalid.
    """
    frame = blank_to_na(raw.reset_index(drop=True))
    entries = _column_issues(frame)
    entries += _pandera_issues(frame)
    entries += _row_issues(frame, areas)
    entries += _table_issues(frame)
    entries += catalogue.issues(frame)
    return make_report(entries)


def has_errors(report: pd.DataFrame) -> bool:
    """Return whether a validation report holds at least one error (not just warnings)."""
    return bool((report["severity"] == ERROR).any())
