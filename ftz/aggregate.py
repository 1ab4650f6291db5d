"""Unit-safe totals: which figures may be added, and their sums marked exact, at least, at most or about.

The rules (DESIGN.md): add only rows of one indicator and one standard unit, only outcomes at zone
scope, never a row that is part of another, never percentages, shares, durations, 成 or US dollars;
a total that includes qualified figures is not exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftz.filters import is_in
from loaders.schema import ABOUT, AT_LEAST, AT_MOST, CUMULATIVE, QUALIFIER_SEPARATOR, QUALIFIERS, UNITS

EXACT = "exact"
BOUNDS = [EXACT, AT_LEAST, AT_MOST, ABOUT]
ADDITIVE_UNITS = frozenset(name for name, unit in UNITS.items() if unit.additive)
# The indicators whose totals head the overview, in order.
HEADLINE_INDICATORS = ["enterprises", "financing", "talent", "projects", "services", "patents", "output"]
# The columns a total reads: a page that only adds up can copy just these out of a large selection.
TOTAL_COLUMNS = ("indicator", "unit_std", "kind", "scope", "part_of", "unit", "value_std", "value_high", "qualifier")


def summable_mask(frame: pd.DataFrame) -> pd.Series:
    """Return which rows may enter a total: zone outcomes, not parts, in a known additive unit."""
    return (
        (frame["kind"] == "outcome")
        & (frame["scope"] == "zone")
        & frame["part_of"].isna()
        & is_in(frame["unit"], ADDITIVE_UNITS)
        & frame["value_std"].notna()
    )


def summable(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that may enter a total (see summable_mask)."""
    return frame[summable_mask(frame)]


def summable_in(frame: pd.DataFrame, indicator: str, unit_std: str) -> pd.DataFrame:
    """Return the summable rows of one indicator in one standard unit: what one total adds up."""
    # Categoricals compare by their codes: no text copy of the column is made.
    return frame[summable_mask(frame) & (frame["indicator"] == indicator) & (frame["unit_std"] == unit_std)]


def row_bound(qualifier: object, value_high: float | None) -> str:
    """Return how exact one figure is: exact, at_least, at_most or about (a range counts as at least)."""
    directions = set()
    if isinstance(qualifier, str) and qualifier:
        directions = {QUALIFIERS.get(word, ABOUT) for word in qualifier.split(QUALIFIER_SEPARATOR)}
        directions.discard(CUMULATIVE)
    if value_high is not None and not pd.isna(value_high):
        directions.add(AT_LEAST)
    return combine_bounds(directions)


def row_bounds(rows: pd.DataFrame) -> pd.Series:
    """Return row_bound for every row, computed once per distinct qualifier rather than per row."""
    qualifier = rows["qualifier"]
    if isinstance(qualifier.dtype, pd.CategoricalDtype):
        codes, distinct = qualifier.cat.codes.to_numpy(), qualifier.cat.categories
    else:
        codes, distinct = pd.factorize(qualifier)
    qualifiers = list(distinct)
    # A missing qualifier has code -1: the last entry of each list. Bounds stay codes until the end.
    plain = np.array([BOUNDS.index(row_bound(q, None)) for q in [*qualifiers, None]])
    ranged = np.array([BOUNDS.index(row_bound(q, 1.0)) for q in [*qualifiers, None]])
    bound = np.where(rows["value_high"].isna(), plain[codes], ranged[codes])
    return pd.Series(pd.Categorical.from_codes(bound, dtype=pd.CategoricalDtype(BOUNDS)), index=rows.index)


def combine_bounds(bounds: set[str] | list[str]) -> str:
    """Return the bound of a sum of figures with these bounds."""
    kinds = set(bounds) - {EXACT}
    if not kinds:
        return EXACT
    if len(kinds) == 1:
        return kinds.pop()
    return ABOUT


def all_totals(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Return the sums of summable figures for every indicator and standard unit, grouped by `by`.

    Columns: indicator, unit_std, the `by` columns, total, figures (how many rows), bound
    (exact/at_least/at_most/about); indicators in code-list order, units by how many figures use them.
    """
    # Only the columns a total needs are copied out of what may be a large selection.
    rows = frame.loc[summable_mask(frame), ["indicator", "unit_std", *by, "value_std", "value_high", "qualifier"]]
    columns = ["indicator", "unit_std", *by, "total", "figures", "bound"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    bounds = row_bounds(rows)
    rows = rows.assign(_least=bounds == AT_LEAST, _most=bounds == AT_MOST, _about=bounds == ABOUT)
    # One pass of sums (a flag's sum is how many rows have it) costs half of a named aggregation.
    grouped = rows.groupby(["indicator", "unit_std", *by], observed=True, sort=True)
    sums = grouped[["value_std", "_least", "_most", "_about"]].sum()
    result = sums.assign(figures=grouped.size()).reset_index().rename(columns={"value_std": "total"})
    # The unit is grouped as the categorical it is and only the few result rows are made text.
    result["unit_std"] = result["unit_std"].astype(str)
    # As combine_bounds: one kind of bound stays, two kinds or any "about" make the sum approximate.
    result["bound"] = [
        combine_bounds({b for b, n in ((AT_LEAST, least), (AT_MOST, most), (ABOUT, about)) if n})
        for least, most, about in zip(result["_least"], result["_most"], result["_about"], strict=True)
    ]
    # How many figures use each indicator's unit, counted on the few result rows, not the selection.
    result["_uses"] = result.groupby(["indicator", "unit_std"], observed=True)["figures"].transform("sum")
    result = result.sort_values(["indicator", "_uses"], ascending=[True, False], kind="stable")
    return result[columns].reset_index(drop=True)


def totals(frame: pd.DataFrame, indicator: str, unit_std: str, by: list[str]) -> pd.DataFrame:
    """Return the sum of summable figures of one indicator and standard unit, grouped by the `by` columns.

    Columns: the `by` columns, total, figures (how many rows), bound (exact/at_least/at_most/about).
    """
    chosen = frame[(frame["indicator"] == indicator) & (frame["unit_std"] == unit_std)]
    return all_totals(chosen, by).drop(columns=["indicator", "unit_std"]).reset_index(drop=True)


def unit_choices(frame: pd.DataFrame, indicator: str) -> list[str]:
    """Return the standard units in which an indicator has summable figures, the most used first."""
    return most_used(frame.loc[summable_mask(frame) & (frame["indicator"] == indicator), "unit_std"])


def indicator_choices(frame: pd.DataFrame) -> list[str]:
    """Return the indicators that have summable figures, in code-list order."""
    present = {str(code) for code in frame.loc[summable_mask(frame), "indicator"].unique()}
    categories = frame["indicator"].cat.categories if hasattr(frame["indicator"], "cat") else sorted(present)
    return [str(c) for c in categories if str(c) in present]


def headline_totals(frame: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """Return, per indicator, the total in its most used standard unit (indicator, unit_std, total, figures, bound)."""
    columns = ["indicator", "unit_std", "total", "figures", "bound"]
    everything = all_totals(frame, by=[])
    if everything.empty:
        return pd.DataFrame(columns=columns)
    everything["indicator"] = everything["indicator"].astype(str)
    # all_totals lists each indicator's units by how many figures use them: the first is the main one.
    main = everything.drop_duplicates("indicator")
    main = main[main["indicator"].isin(indicators)]
    order = {code: i for i, code in enumerate(indicators)}
    main = main.sort_values("indicator", key=lambda s: s.map(order))
    return main[columns].reset_index(drop=True)


def readable_money(total: float, unit_std: str) -> tuple[float, str]:
    """Return money in 亿元 from 1亿 up (万元 below), other units unchanged."""
    if unit_std == "万元" and abs(total) >= 10_000:
        return total / 10_000, "亿元"
    return total, unit_std


def convertible_units(rows: pd.DataFrame) -> list[str]:
    """Return the standard units a set of figures can be shown in, the most used first."""
    return most_used(rows.loc[rows["value_std"].notna(), "unit_std"])


def most_used(values: pd.Series) -> list[str]:
    """Return the distinct values, the most frequent first (ties as they first appear)."""
    # Counted on the column as it is (categorical codes), not on a text copy of every row.
    counts = values.value_counts(sort=False)
    counts = counts[counts > 0]
    first_seen = {value: i for i, value in enumerate(pd.unique(values.dropna()))}
    order = sorted(counts.index, key=lambda value: (-counts[value], first_seen[value]))
    return [str(value) for value in order]


def ranked_figures(rows: pd.DataFrame, unit_std: str, outcomes_only: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the figures that rank in one standard unit (outcomes only if asked) and those that cannot
    be converted to it, which are shown apart and never compared."""
    in_unit = (rows["unit_std"] == unit_std) & rows["value_std"].notna()
    ranks = in_unit & (rows["kind"] == "outcome") if outcomes_only else in_unit
    return rows[ranks], rows[~in_unit]


def batch_summary(rows: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """Return each registered batch that has rows, with its cases, figures and outcome figures."""
    counts = (
        rows[["batch", "case_no"]]
        .assign(outcome=rows["kind"] == "outcome")
        .groupby("batch")
        .agg(cases=("case_no", "nunique"), figures=("case_no", "size"), outcomes=("outcome", "sum"))
    )
    return batches.set_index("batch").join(counts, how="inner").reset_index()


def case_keys(rows: pd.DataFrame) -> np.ndarray:
    """Return one integer per row naming its case (a case is a batch and a case number).

    One integer column hashes several times faster than the pair of columns. Built from the positions
    of each column's distinct values, so no batch or case number is large enough to overflow it."""
    batches, _ = pd.factorize(rows["batch"])
    numbers, distinct = pd.factorize(rows["case_no"])
    return batches.astype(np.int64) * max(len(distinct), 1) + numbers


def case_count(rows: pd.DataFrame) -> int:
    """Return how many cases the rows come from."""
    return len(pd.unique(case_keys(rows)))


def first_of_each_case(rows: pd.DataFrame) -> pd.DataFrame:
    """Return each case's first row."""
    return rows[~pd.Index(case_keys(rows)).duplicated()]


def crosstab(rows: pd.DataFrame, index: str, columns: str) -> pd.DataFrame:
    """Return how many rows have each pair of values of two categorical columns, in the order of their
    categories, leaving out values no row has. Counted on the codes: a groupby costs 5–10× more."""
    down, across = rows[index].cat, rows[columns].cat
    width = len(across.categories)
    pairs = down.codes.to_numpy(dtype=np.int64) * width + across.codes.to_numpy(dtype=np.int64)
    # Code -1 is a missing value: such a row is in no cell.
    pairs = pairs[(down.codes.to_numpy() >= 0) & (across.codes.to_numpy() >= 0)]
    cells = np.bincount(pairs, minlength=len(down.categories) * width).reshape(-1, width)
    table = pd.DataFrame(cells, index=down.categories, columns=across.categories)
    return table.loc[cells.sum(axis=1) > 0, cells.sum(axis=0) > 0]


def batches_in(batches: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Return the registered batches the rows come from (all of them when there are no rows)."""
    if rows.empty:
        return batches
    return batches[batches["batch"].astype(int).isin({int(b) for b in rows["batch"].unique()})]
