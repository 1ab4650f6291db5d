"""The global filters: URL round trip, invalid values dropped, width- and space-insensitive search."""

import pandas as pd
import pytest

from ftz.filters import Filters, apply_filters, filter_mask, filter_options, from_query, is_in, normalize_text


def test_filters_round_trip_through_the_url(store: pd.DataFrame) -> None:
    options = filter_options(store)
    chosen = Filters(area=("武汉片区",), kind=("outcome",), indicator=("time", "enterprises"), q="超 200 家")
    assert from_query(chosen.to_query(), options) == chosen


def test_from_query_drops_values_the_table_does_not_offer(store: pd.DataFrame) -> None:
    filters = from_query(
        {"area": ["武汉片区", "荆州片区"], "indicator": "nonsense", "batch": ["7", "7"]}, filter_options(store)
    )
    assert (filters.area, filters.indicator, filters.batch) == (("武汉片区",), (), ("7",))


def test_filter_options_are_in_document_and_code_order(store: pd.DataFrame) -> None:
    options = filter_options(store)
    assert options["category"] == ["创新驱动发展", "金融改革创新"]
    assert options["indicator"] == ["enterprises", "time", "projects", "other"]


@pytest.mark.parametrize(
    ("text", "folded"), [("超 200 家", "超200家"), ("超２００家", "超200家"), ("ＡＢＣ d", "abcd")]
)
def test_normalize_text(text: str, folded: str) -> None:
    assert normalize_text(text) == folded


@pytest.mark.parametrize("q", ["超200家", "超２００家", " 超 200 家 ", "瞪羚"])
def test_search_ignores_spaces_and_width(store: pd.DataFrame, q: str) -> None:
    found = apply_filters(store, Filters(q=q))
    assert set(found["fact_id"]) == {"7-01-03", "7-01-04", "7-01-05", "7-01-10"}


def test_filters_combine_with_and(store: pd.DataFrame) -> None:
    found = apply_filters(store, Filters(indicator=("time",)))
    assert set(found["case_no"]) == {2, 19}
    assert apply_filters(store, Filters(indicator=("time",), area=("宜昌片区",))).empty


def test_search_column_folds_like_normalize_text(store: pd.DataFrame) -> None:
    from ftz.filters import search_column

    expected = [
        normalize_text(" ".join(v)) for v in store[["metric", "case_title", "source_quote"]].astype(str).to_numpy()
    ]
    assert search_column(store).tolist() == expected


def test_is_in_compares_categoricals_by_code_and_never_matches_a_missing_value() -> None:
    column = pd.Series(pd.Categorical(["a", None, "b", "c", "a"], categories=["a", "b", "c", "d"]))
    assert is_in(column, ["a", "c"]).tolist() == [True, False, False, True, True]
    assert is_in(column, ["zz"]).tolist() == [False] * 5  # a value the column does not have
    assert is_in(column, []).tolist() == [False] * 5
    assert is_in(pd.Series([7, 9, 7]), ["7", "x"]).tolist() == [True, False, True]


def test_filter_mask_selects_the_rows_every_filter_allows(store: pd.DataFrame) -> None:
    filters = Filters(area=("武汉片区", "宜昌片区"), kind=("outcome",), q="企业")
    mask = filter_mask(store, filters)
    text = (store["metric"].astype(str) + store["case_title"].astype(str) + store["source_quote"].astype(str)).map(
        normalize_text
    )
    by_hand = store["area"].isin(["武汉片区", "宜昌片区"]) & (store["kind"] == "outcome") & text.str.contains("企业")
    assert mask.tolist() == by_hand.tolist()
    assert 0 < mask.sum() < len(store)
