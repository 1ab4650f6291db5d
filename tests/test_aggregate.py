"""Unit-safe totals: what may be added, and how exact the sum is."""

import pandas as pd
import pytest

from ftz.aggregate import (
    batch_summary,
    batches_in,
    case_count,
    case_keys,
    combine_bounds,
    convertible_units,
    crosstab,
    first_of_each_case,
    headline_totals,
    ranked_figures,
    readable_money,
    row_bound,
    summable,
    totals,
    unit_choices,
)
from tests.conftest import make_rows


def test_summable_keeps_only_zone_outcomes_that_are_not_parts() -> None:
    rows = make_rows(
        {"value": 200},
        {"value": 27, "part_of": "7-01-01"},
        {"value": 9, "kind": "context"},
        {"value": 9, "kind": "policy"},
        {"value": 9, "kind": "target"},
        {"value": 9, "scope": "city"},
    )
    assert summable(rows)["fact_id"].tolist() == ["7-01-01"]


@pytest.mark.parametrize("unit", ["%", "成", "天", "个工作日", "亿美元", "个百分点", "桶"])
def test_summable_never_adds_shares_durations_usd_or_unknown_units(unit: str) -> None:
    assert summable(make_rows({"unit": unit, "indicator": "other"})).empty


def test_totals_convert_money_to_one_unit() -> None:
    rows = make_rows(
        {"indicator": "financing", "value": 4324.96, "unit": "万元"},
        {"indicator": "financing", "value": 2.92, "unit": "亿元"},
    )
    result = totals(rows, "financing", "万元", by=[])
    assert result["total"].iloc[0] == pytest.approx(4324.96 + 29_200)
    assert result["figures"].iloc[0] == 2


def test_totals_refuse_to_mix_indicators_or_units() -> None:
    rows = make_rows(
        {"value": 10},
        {"value": 5, "unit": "个"},
        {"value": 7, "indicator": "talent", "unit": "名"},
    )
    assert totals(rows, "enterprises", "家", by=[])["total"].tolist() == [10]
    assert unit_choices(rows, "enterprises") == ["家", "个"]


def test_totals_by_area_keep_area_order_and_mark_qualified_sums() -> None:
    rows = make_rows(
        {"value": 100, "qualifier": "超"},
        {"value": 5, "area": "宜昌片区"},
        {"value": 20, "qualifier": "约", "area": "宜昌片区"},
    )
    result = totals(rows, "enterprises", "家", by=["area"])
    assert result[["area", "total", "bound"]].values.tolist() == [
        ["武汉片区", 100, "at_least"],
        ["宜昌片区", 25, "about"],
    ]


@pytest.mark.parametrize(
    ("qualifier", "high", "bound"),
    [
        ("", None, "exact"),
        ("超", None, "at_least"),
        ("累计", None, "exact"),
        ("累计、超", None, "at_least"),
        ("不超过", None, "at_most"),
        ("约", None, "about"),
        ("", 3.0, "at_least"),
    ],
)
def test_row_bound(qualifier: str, high: float | None, bound: str) -> None:
    assert row_bound(qualifier, high) == bound


@pytest.mark.parametrize(
    ("bounds", "combined"),
    [
        (["exact", "exact"], "exact"),
        (["exact", "at_least"], "at_least"),
        (["at_least", "at_most"], "about"),
        (["at_most", "exact"], "at_most"),
    ],
)
def test_combine_bounds(bounds: list[str], combined: str) -> None:
    assert combine_bounds(bounds) == combined


def test_headline_totals_pick_each_indicators_main_unit(store: pd.DataFrame) -> None:
    headline = headline_totals(store, ["enterprises", "financing", "talent"])
    # 超 200 家 only: its parts (27, 53 家) are never added; valuation is `other`, not financing.
    assert headline[["indicator", "unit_std", "total", "bound"]].values.tolist() == [
        ["enterprises", "家", 200, "at_least"]
    ]


@pytest.mark.parametrize(
    ("total", "unit", "shown"),
    [(9_999, "万元", (9_999, "万元")), (29_200, "万元", (2.92, "亿元")), (5, "家", (5, "家"))],
)
def test_readable_money(total: float, unit: str, shown: tuple[float, str]) -> None:
    value, shown_unit = readable_money(total, unit)
    assert (pytest.approx(value), shown_unit) == (shown[0], shown[1])


def test_ranked_figures_keep_one_unit_and_set_the_rest_apart() -> None:
    rows = make_rows(
        {"value": 5, "indicator": "time", "unit": "分钟", "value_text": "5 分钟", "source_quote": "5 分钟。"},
        {"value": 2, "indicator": "time", "unit": "天", "value_text": "2 天", "source_quote": "2 天。"},
        {
            "value": 8,
            "indicator": "time",
            "unit": "个工作日",
            "value_text": "8 个工作日",
            "source_quote": "8 个工作日。",
        },
        {
            "value": 3,
            "indicator": "time",
            "unit": "天",
            "kind": "policy",
            "value_text": "3 天",
            "source_quote": "3 天。",
        },
    )
    assert convertible_units(rows) == ["天", "个工作日"]
    ranked, apart = ranked_figures(rows, "天", outcomes_only=True)
    assert ranked["value_text"].tolist() == ["5 分钟", "2 天"]  # minutes convert to days; 工作日 never does
    assert apart["value_text"].tolist() == ["8 个工作日"]
    assert len(ranked_figures(rows, "天", outcomes_only=False)[0]) == 3


def test_batch_summary_counts_cases_figures_and_outcomes(store: pd.DataFrame) -> None:
    from loaders.store import load_batches

    summary = batch_summary(store, load_batches())
    assert summary[["batch", "cases", "figures", "outcomes"]].values.tolist() == [[7, 3, 9, 9]]


def test_case_count_and_batches_in_count_cases_by_batch_and_number() -> None:
    rows = make_rows(
        {"fact_id": "7-01-01"},
        {"fact_id": "7-01-02"},
        {"fact_id": "7-02-01", "case_no": 2},
        {"fact_id": "9-02-01", "batch": 9, "case_no": 2},
    )
    assert case_count(rows) == 3
    register = pd.DataFrame({"batch": [7, 8, 9], "title": ["七", "八", "九"]})
    assert batches_in(register, rows)["batch"].tolist() == [7, 9]
    assert batches_in(register, rows.iloc[0:0])["batch"].tolist() == [7, 8, 9]


def test_case_keys_tell_apart_the_same_case_number_in_two_batches() -> None:
    rows = make_rows(
        {"fact_id": "7-01-01"},
        {"fact_id": "7-12-01", "case_no": 12},
        {"fact_id": "9-01-01", "batch": 9},
        {"fact_id": "7-01-02"},
    )
    keys = case_keys(rows)
    assert len(set(keys)) == 3
    huge = make_rows({"fact_id": "7-01-01", "case_no": 2**62}, {"fact_id": "7-01-02", "case_no": 2**62 - 1})
    assert len(set(case_keys(huge))) == 2
    assert keys[0] == keys[3]
    assert first_of_each_case(rows)["fact_id"].tolist() == ["7-01-01", "7-12-01", "9-01-01"]
    assert case_count(rows.iloc[0:0]) == 0


def test_crosstab_counts_pairs_in_category_order_without_empty_rows_or_columns() -> None:
    rows = make_rows(
        {"area": "宜昌片区", "kind": "outcome"},
        {"area": "武汉片区", "kind": "context"},
        {"area": "武汉片区", "kind": "context"},
        {"area": "武汉片区", "kind": "outcome"},
    )
    table = crosstab(rows, "area", "kind")
    assert table.index.tolist() == ["武汉片区", "宜昌片区"]  # the register's order; 襄阳片区 has no row
    assert table.columns.tolist() == ["outcome", "context"]  # the code list's order; policy and target unused
    assert table.to_numpy().tolist() == [[1, 2], [1, 0]]
    grouped = rows.groupby(["area", "kind"], observed=True).size().unstack(fill_value=0)
    assert table.equals(grouped.loc[table.index, table.columns].rename_axis(index=None, columns=None))


def test_crosstab_leaves_out_rows_with_a_missing_value() -> None:
    rows = make_rows({"qualifier": "超"}, {}, {"qualifier": "超"}, {"qualifier": "约", "kind": "context"})
    table = crosstab(rows, "qualifier", "kind")
    assert table.to_numpy().tolist() == [[2, 0], [0, 1]]
    across = crosstab(rows, "kind", "qualifier")
    assert across.to_numpy().tolist() == [[2, 0], [0, 1]]
    assert across.to_numpy().sum() == 3  # the row with no qualifier is in no cell, on either side
