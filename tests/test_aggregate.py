"""Unit-safe totals: what may be added, and how exact the sum is."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftz.aggregate import (
    all_totals,
    batch_summary,
    batches_in,
    case_count,
    case_keys,
    combine_bounds,
    convertible_units,
    crosstab,
    first_of_each_case,
    headline_totals,
    highlights,
    measure_choices,
    ranked_figures,
    readable_money,
    roll_up,
    row_bound,
    summable,
    totals,
)
from loaders.measures import Catalogue, load_catalogue
from tests.conftest import AREAS, FIXTURES, make_rows

# loans_granted (万元) and enterprises_incubated (家) add; processing_time (天) does not.
CATALOGUE = load_catalogue(FIXTURES / "measures" / "valid.csv")


def test_summable_keeps_only_zone_outcomes_that_are_not_parts() -> None:
    rows = make_rows(
        {"value": 200},
        {"value": 27, "part_of": "7-01-01"},
        {"value": 9, "kind": "context"},
        {"value": 9, "kind": "policy"},
        {"value": 9, "kind": "target"},
        {"value": 9, "scope": "city"},
    )
    assert summable(rows, CATALOGUE)["fact_id"].tolist() == ["7-01-01"]


@pytest.mark.parametrize("unit", ["%", "成", "天", "个工作日", "亿美元", "个百分点", "桶"])
def test_summable_never_adds_shares_durations_usd_or_unknown_units(unit: str) -> None:
    rows = make_rows({"unit": unit, "indicator": "other", "measure": "other_unclassified"})
    assert summable(rows, CATALOGUE).empty


def test_a_part_is_left_out_of_its_wholes_measure_only() -> None:
    # 15 projects of 29 applications entered the roadshow (a part of the same measure); 3 of them were
    # selected (a part of another measure's whole): the 3 are selected projects, counted as such.
    rows = make_rows(
        {"value": 29},
        {"value": 15, "part_of": "7-01-01"},
        {"value": 3, "part_of": "7-01-02", "measure": "enterprises_served"},
    )
    catalogue = with_measures(("enterprises_served", True))
    assert summable(rows, catalogue)["fact_id"].tolist() == ["7-01-01", "7-01-03"]
    assert totals(rows, catalogue, "enterprises_incubated", by=[])["total"].tolist() == [29]


def test_summable_never_adds_a_non_additive_measure_or_a_catch_all() -> None:
    rows = make_rows(
        {
            "indicator": "time",
            "measure": "processing_time",
            "unit": "天",
            "value_text": "1 天",
            "source_quote": "1 天。",
        },
        {"measure": "enterprises_unclassified"},
        {"measure": "enterprises_incubated"},
    )
    assert summable(rows, CATALOGUE)["measure"].astype(str).tolist() == ["enterprises_incubated"]


def test_totals_convert_money_to_the_measures_unit() -> None:
    rows = make_rows(
        {"indicator": "financing", "measure": "loans_granted", "value": 4324.96, "unit": "万元"},
        {"indicator": "financing", "measure": "loans_granted", "value": 2.92, "unit": "亿元"},
    )
    result = totals(rows, CATALOGUE, "loans_granted", by=[])
    assert result["total"].iloc[0] == pytest.approx(4324.96 + 29_200)
    assert result["figures"].iloc[0] == 2


def test_totals_add_only_one_measure_though_indicator_and_unit_agree() -> None:
    rows = make_rows(
        {"value": 10},
        {"value": 5, "measure": "enterprises_unclassified"},
        {"value": 7, "measure": "enterprises_served"},
    )
    catalogue = with_measures(("enterprises_served", True))
    assert totals(rows, catalogue, "enterprises_incubated", by=[])["total"].tolist() == [10]
    assert totals(rows, catalogue, "enterprises_served", by=[])["total"].tolist() == [7]
    assert all_totals(rows, catalogue, by=[])[["measure", "total"]].values.tolist() == [
        ["enterprises_incubated", 10],
        ["enterprises_served", 7],
    ]
    assert measure_choices(rows, catalogue, "enterprises") == ["enterprises_incubated", "enterprises_served"]


def with_measures(*added: tuple[str, bool]) -> Catalogue:
    """The fixture catalogue with more measures of enterprises in 家, each additive or not."""
    table = CATALOGUE.table.copy()
    for code, additive in added:
        table.loc[code] = {
            "indicator": "enterprises",
            "name_zh": code,
            "name_en": code,
            "unit": "家",
            "additive": additive,
            "headline": pd.NA,
            "definition_zh": "测试",
            "definition_en": "test",
        }
    return Catalogue(table)


def test_totals_by_area_keep_area_order_and_mark_qualified_sums() -> None:
    rows = make_rows(
        {"value": 100, "qualifier": "超"},
        {"value": 5, "area": "宜昌片区"},
        {"value": 20, "qualifier": "约", "area": "宜昌片区"},
    )
    result = totals(rows, CATALOGUE, "enterprises_incubated", by=["area"])
    assert result[["area", "total", "bound"]].values.tolist() == [
        ["武汉片区", 100, "at_least"],
        ["宜昌片区", 25, "about"],
    ]


def test_headline_totals_follow_the_catalogue_and_leave_out_measures_without_figures() -> None:
    rows = make_rows(
        {"value": 100, "qualifier": "超"},
        {"value": 5},
        {"value": 9, "kind": "target"},
    )
    headline = headline_totals(rows, CATALOGUE)
    # loans_granted is the first headline measure, but has no figures here: no tile, not a tile of 0.
    assert headline[["measure", "unit_std", "total", "figures", "bound"]].values.tolist() == [
        ["enterprises_incubated", "家", 105, 2, "at_least"]
    ]
    loans = make_rows({"indicator": "financing", "measure": "loans_granted", "value": 3, "unit": "亿元"})
    both = headline_totals(pd.concat([rows, loans], ignore_index=True), CATALOGUE)
    assert both["measure"].tolist() == ["loans_granted", "enterprises_incubated"]


def test_highlights_are_each_headline_measures_largest_zone_outcome() -> None:
    rows = make_rows(
        {"value": 100, "qualifier": "超"},
        {"value": 300, "kind": "target"},
        {"value": 500, "scope": "city"},
        {"value": 120, "part_of": "7-01-01"},
        {"indicator": "financing", "measure": "loans_granted", "value": 300, "unit": "万元"},
        {"indicator": "financing", "measure": "loans_granted", "value": 2.92, "unit": "亿元"},
    )
    found = highlights(rows, CATALOGUE)
    # A part is a figure of its own; a target and a city's figure are not the zone's outcomes.
    assert found["fact_id"].tolist() == ["7-01-06", "7-01-04"]
    assert highlights(rows.iloc[0:0], CATALOGUE).empty


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


# --- a property: no total ever mixes two measures or adds a non-additive one ---------------------------

MEASURES = ["enterprises_incubated", "enterprises_served", "enterprises_unclassified", "enterprises_listed"]
PROPERTY_CATALOGUE = with_measures(("enterprises_served", True), ("enterprises_listed", False))
figures = st.fixed_dictionaries(
    {
        "measure": st.sampled_from(MEASURES),
        "kind": st.sampled_from(["outcome", "outcome", "policy", "target", "context"]),
        "scope": st.sampled_from(["zone", "zone", "city"]),
        "area": st.sampled_from(AREAS),
        "value": st.integers(min_value=0, max_value=10_000),
        "unit": st.sampled_from(["家", "万家"]),
        "part": st.booleans(),
    }
)


@settings(max_examples=80, deadline=None)
@given(st.lists(figures, min_size=1, max_size=12))
def test_no_total_mixes_measures_or_adds_a_non_additive_one(given_rows: list[dict[str, object]]) -> None:
    rows = make_rows(
        *(
            {
                **{k: v for k, v in row.items() if k != "part"},
                "part_of": "7-01-01" if row["part"] and i else "",
                "value_text": f"{row['value']} {row['unit']}",
                "source_quote": f"共 {row['value']} {row['unit']}（{i}）。",
            }
            for i, row in enumerate(given_rows)
        )
    )
    result = all_totals(rows, PROPERTY_CATALOGUE, by=["area"])
    # An independent oracle: for each measure and area, the sum of exactly the rows the rules allow.
    factor = {"家": 1, "万家": 10_000}
    expected: dict[tuple[str, str], float] = {}
    for row, fact_id in zip(given_rows, rows["fact_id"], strict=True):
        # A part (of the first row) is left out only of its whole's measure.
        part_of_same = row["part"] and fact_id != "7-01-01" and row["measure"] == given_rows[0]["measure"]
        adds = (
            row["measure"] in ("enterprises_incubated", "enterprises_served")
            and row["kind"] == "outcome"
            and row["scope"] == "zone"
            and not part_of_same
        )
        if adds:
            key = (str(row["measure"]), str(row["area"]))
            expected[key] = expected.get(key, 0) + int(str(row["value"])) * factor[str(row["unit"])]
    got = {(m, str(a)): total for m, a, total in result[["measure", "area", "total"]].itertuples(index=False)}
    assert got == pytest.approx(expected)
    assert set(result["measure"]) <= PROPERTY_CATALOGUE.additive
    # Adding up the areas' totals gives what adding the figures at once gives, bounds included.
    at_once = all_totals(rows, PROPERTY_CATALOGUE, by=[])
    pd.testing.assert_frame_equal(roll_up(result, ["area"]), at_once, check_dtype=False)
