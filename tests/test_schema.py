"""The schema rejects each broken rule with its own code, and accepts the valid table."""

from collections.abc import Callable

import pandas as pd
import pytest

from loaders.measures import load_catalogue
from loaders.schema import CHINESE_NAMES, COLUMN_NAMES, ERROR, WARNING, validate_metrics

CATALOGUE = load_catalogue()

Mutation = Callable[[pd.DataFrame], pd.DataFrame]

# Rows of tests/fixtures/valid-metrics.csv the mutations touch.
WHOLE, PART, VALUATION, PLATFORMS, BEFORE, AFTER = 0, 1, 3, 4, 7, 8


def set_cell(row: int, column: str, value: str) -> Mutation:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame

    return mutate


def set_cells(row: int, **values: str) -> Mutation:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        for column, value in values.items():
            frame.loc[row, column] = value
        return frame

    return mutate


def set_case(case_no: str, column: str, value: str) -> Mutation:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["case_no"] == case_no, column] = value
        return frame

    return mutate


def drop_column(column: str) -> Mutation:
    return lambda frame: frame.drop(columns=[column])


def add_row_copy(row: int, **values: str) -> Mutation:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        copy = frame.loc[[row]].assign(**values)
        return pd.concat([frame, copy], ignore_index=True)

    return mutate


def drop_row(row: int) -> Mutation:
    return lambda frame: frame.drop(index=row)


# Each mutation breaks one rule; the expected codes are that rule's (a broken number also
# contradicts its value_text, which is checked too).
BROKEN_RULES: list[tuple[str, Mutation, set[str]]] = [
    ("missing column", drop_column("unit"), {"missing-column"}),
    ("unknown column", lambda f: f.assign(备注="x"), {"unknown-column"}),
    ("empty required cell", set_cell(WHOLE, "metric", ""), {"missing-value"}),
    ("value not a number", set_cell(PLATFORMS, "value", "十一"), {"bad-number"}),
    ("case_no not an integer", set_cell(PLATFORMS, "case_no", "1.5"), {"bad-integer"}),
    ("batch not an integer", set_cell(PLATFORMS, "batch", "七"), {"bad-integer"}),
    ("negative value", set_cell(PLATFORMS, "value", "-11"), {"negative-value", "value-text-mismatch"}),
    ("high below low", set_cell(BEFORE, "value_high", "1.5"), {"bad-range", "value-text-mismatch"}),
    ("malformed fact_id", set_cell(PLATFORMS, "fact_id", "7-1-11"), {"bad-fact-id"}),
    ("fact_id of another case", set_cell(PLATFORMS, "fact_id", "7-02-11"), {"fact-id-mismatch"}),
    ("fact_id used twice", set_cell(PLATFORMS, "fact_id", "7-01-10"), {"duplicate-fact-id"}),
    ("same fact twice", add_row_copy(PLATFORMS, fact_id="7-01-99"), {"duplicate-row"}),
    ("unknown indicator", set_cell(PLATFORMS, "indicator", "platforms"), {"unknown-indicator"}),
    ("unknown kind", set_cell(PLATFORMS, "kind", "成效啊"), {"unknown-kind"}),
    ("unknown scope", set_cell(PLATFORMS, "scope", "county"), {"unknown-scope"}),
    ("unknown phase", set_cell(PLATFORMS, "phase", "during"), {"unknown-phase"}),
    ("unknown section", set_cell(PLATFORMS, "section", "附件"), {"unknown-section"}),
    ("unknown qualifier", set_cell(WHOLE, "qualifier", "超、大约"), {"unknown-qualifier"}),
    ("unknown area", set_case("2", "area", "荆州片区"), {"unknown-area"}),
    ("malformed as_of", set_cell(PLATFORMS, "as_of", "2022年6月"), {"bad-as-of"}),
    ("part_of names no fact", set_cell(PART, "part_of", "7-01-98"), {"bad-part-of"}),
    ("part_of names itself", set_cell(PART, "part_of", "7-01-04"), {"bad-part-of"}),
    ("before without after", drop_row(AFTER), {"unpaired-phase"}),
    ("case title differs", set_cell(PLATFORMS, "case_title", "另一个名称"), {"inconsistent-case"}),
    ("value_text without a number", set_cell(PLATFORMS, "value_text", "平台"), {"unreadable-value-text"}),
    ("value disagrees with value_text", set_cell(PLATFORMS, "value", "12"), {"value-text-mismatch"}),
    (
        "unit disagrees with value_text",
        set_cell(PLATFORMS, "unit", "项"),
        {"value-text-mismatch", "measure-unit-mismatch"},
    ),
    ("high disagrees with value_text", set_cell(BEFORE, "value_high", "4"), {"value-text-mismatch"}),
    ("qualifier dropped", set_cell(WHOLE, "qualifier", ""), {"qualifier-mismatch"}),
    ("value_text not in the quote", set_cells(PLATFORMS, value_text="12 个", value="12"), {"value-text-not-in-quote"}),
    ("no measure column", drop_column("measure"), {"missing-column"}),
    (
        "English title on one row of a case",
        set_cell(PART, "case_title_en", "New R&D institutions"),
        {"inconsistent-case"},
    ),
    ("empty measure", set_cell(PLATFORMS, "measure", ""), {"missing-value"}),
    ("unknown measure", set_cell(PLATFORMS, "measure", "platforms_built"), {"unknown-measure"}),
    ("measure of another family", set_cell(PLATFORMS, "measure", "loans_granted"), {"measure-family-mismatch"}),
    (
        "unit foreign to the measure",
        set_cells(WHOLE, measure="valuation", indicator="other"),
        {"measure-unit-mismatch"},
    ),
]


def error_codes(report: pd.DataFrame) -> set[str]:
    return set(report.loc[report["severity"] == ERROR, "code"])


def test_schema_accepts_the_valid_table(valid_raw: pd.DataFrame, areas: list[str]) -> None:
    report = validate_metrics(valid_raw, areas, CATALOGUE)
    assert report.empty, report.to_string()


@pytest.mark.parametrize(("rule", "mutate", "codes"), BROKEN_RULES, ids=[r[0] for r in BROKEN_RULES])
def test_schema_rejects_each_broken_rule(
    valid_raw: pd.DataFrame, areas: list[str], rule: str, mutate: Mutation, codes: set[str]
) -> None:
    report = validate_metrics(mutate(valid_raw.copy()), areas, CATALOGUE)
    assert error_codes(report) == codes, report.to_string()
    assert report["message"].str.len().gt(0).all()


def test_schema_report_names_the_excel_row_and_column(valid_raw: pd.DataFrame, areas: list[str]) -> None:
    report = validate_metrics(set_cell(PLATFORMS, "indicator", "platforms")(valid_raw), areas, CATALOGUE)
    entry = report.iloc[0]
    # The header is row 1 in Excel, so the fifth data row is row 6.
    assert (entry["row"], entry["column"], entry["value"]) == (PLATFORMS + 2, "indicator", "platforms")
    assert entry["message"].startswith("指标类别")


def test_schema_reports_every_problem_not_just_the_first(valid_raw: pd.DataFrame, areas: list[str]) -> None:
    broken = set_cells(PLATFORMS, indicator="x", kind="y")(set_case("19", "area", "荆州片区")(valid_raw))
    assert {"unknown-indicator", "unknown-kind", "unknown-area"} <= error_codes(
        validate_metrics(broken, areas, CATALOGUE)
    )


def test_schema_accepts_unknown_unit_with_a_warning(valid_raw: pd.DataFrame, areas: list[str]) -> None:
    # An unknown unit fits no measure but its family's catch-all, which is never added either.
    broken = set_cells(
        PLATFORMS, unit="桶", value_text="11 桶", source_quote="共有 11 桶。", measure="projects_unclassified"
    )(valid_raw)
    report = validate_metrics(broken, areas, CATALOGUE)
    assert error_codes(report) == set()
    assert report[["code", "severity"]].values.tolist() == [["unknown-unit", WARNING]]


def test_schema_optional_columns_may_be_missing(valid_raw: pd.DataFrame, areas: list[str]) -> None:
    optional = ["part_of", "value_high", "qualifier", "as_of"]
    trimmed = valid_raw.drop(columns=optional).drop(index=[PART, BEFORE, AFTER, WHOLE, VALUATION, 5, 6])
    assert error_codes(validate_metrics(trimmed, areas, CATALOGUE)) == set()


def test_schema_has_one_chinese_name_per_column() -> None:
    assert list(CHINESE_NAMES) == list(COLUMN_NAMES)
    assert len(set(CHINESE_NAMES.values())) == len(COLUMN_NAMES)
