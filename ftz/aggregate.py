"""Totals by measure: which figures may be added, and their sums marked exact, at least, at most or about.

The rules (DESIGN.md): add only rows of one measure (指标口径, data/measures.csv) in its unit, only
outcomes at zone scope, never a part (其中) in the total of its whole's measure, never a measure marked
non-additive, and never percentages, shares, durations, 成 or US dollars; a total that includes qualified
figures is not exact. Every total the app or its exports show comes from here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from ftz.filters import is_in
from loaders.measures import Catalogue
from loaders.schema import ABOUT, AT_LEAST, AT_MOST, CUMULATIVE, QUALIFIER_SEPARATOR, QUALIFIERS, UNITS

EXACT = "exact"
BOUNDS = [EXACT, AT_LEAST, AT_MOST, ABOUT]
ADDITIVE_UNITS = frozenset(name for name, unit in UNITS.items() if unit.additive)
# The columns a total reads: a page that only adds up can copy just these out of a large selection.
TOTAL_COLUMNS = (
    "indicator",
    "measure",
    "whole_measure",
    "unit_std",
    "kind",
    "scope",
    "unit",
    "value_std",
    "value_high",
    "qualifier",
)
# What a highlight shows of its figure, besides what a total reads: taken for the few highlights only.
HIGHLIGHT_COLUMNS = ("fact_id", "batch", "case_no", "case_title", "case_title_en", "value_text", "source_quote")


def in_measure_unit(frame: pd.DataFrame, catalogue: Catalogue) -> np.ndarray:
    """Return which rows are converted to their measure's standard unit (the catalogue's checks make
    every row so; a total checks it again rather than trust it). Compared on categorical codes."""
    measure, unit_std = frame["measure"], frame["unit_std"]
    if isinstance(measure.dtype, pd.CategoricalDtype) and isinstance(unit_std.dtype, pd.CategoricalDtype):
        units = unit_std.cat.categories
        wanted = [
            catalogue.standard_unit(str(m)) if str(m) in catalogue.table.index else "" for m in measure.cat.categories
        ]
        # Position of each measure's unit among the unit categories; -2 matches no row, -1 is missing.
        expected = np.array([*(units.get_loc(u) if u in units else -2 for u in wanted), -2])
        return expected[measure.cat.codes.to_numpy()] == unit_std.cat.codes.to_numpy()
    standard = {code: catalogue.standard_unit(code) for code in catalogue.codes}
    return (measure.astype(str).map(standard) == unit_std.astype(str)).to_numpy(dtype=bool, na_value=False)


def not_a_part_of_its_measure(frame: pd.DataFrame) -> np.ndarray:
    """Return which rows are no part of a whole of their own measure: a part (其中 27 家 of 超 200 家) never
    enters the total its whole is in, but a part of another measure's whole (3 projects selected out of
    15 applications) is a figure of its own measure."""
    whole, measure = frame["whole_measure"], frame["measure"]
    coded = isinstance(whole.dtype, pd.CategoricalDtype) and isinstance(measure.dtype, pd.CategoricalDtype)
    if coded and whole.cat.categories.equals(measure.cat.categories):
        return (whole.cat.codes.to_numpy() != measure.cat.codes.to_numpy()) | whole.isna().to_numpy()
    return (whole.astype("string") != measure.astype("string")).to_numpy(dtype=bool, na_value=True)


def summable_mask(frame: pd.DataFrame, catalogue: Catalogue) -> np.ndarray:
    """Return which rows may enter a total: zone outcomes, not parts of a whole of their measure, of an
    additive measure, in its unit."""
    return (
        (frame["kind"] == "outcome").to_numpy(dtype=bool)
        & (frame["scope"] == "zone").to_numpy(dtype=bool)
        & not_a_part_of_its_measure(frame)
        & is_in(frame["unit"], ADDITIVE_UNITS)
        & frame["value_std"].notna().to_numpy()
        & is_in(frame["measure"], catalogue.additive)
        & in_measure_unit(frame, catalogue)
    )


def summable(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Return the rows that may enter a total (see summable_mask)."""
    return frame[summable_mask(frame, catalogue)]


def summable_in(frame: pd.DataFrame, catalogue: Catalogue, measure: str) -> pd.DataFrame:
    """Return the summable rows of one measure: what one total adds up."""
    # Categoricals compare by their codes: no text copy of the column is made.
    return frame[summable_mask(frame, catalogue) & (frame["measure"] == measure).to_numpy(dtype=bool)]


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


def all_totals(
    frame: pd.DataFrame, catalogue: Catalogue, by: list[str], measures: Collection[str] | None = None
) -> pd.DataFrame:
    """Return the sums of summable figures for every measure (or only the `measures` given), grouped by `by`.

    Columns: measure, indicator, unit_std (the measure's standard unit), the `by` columns, total,
    figures (how many rows), bound (exact/at_least/at_most/about); measures in catalogue order.
    """
    chosen = summable_mask(frame, catalogue)
    if measures is not None:
        chosen &= is_in(frame["measure"], measures)
    # Only the columns and rows a total needs are copied out of what may be a large selection.
    rows = frame.loc[chosen, ["measure", "unit_std", *by, "value_std", "value_high", "qualifier"]]
    columns = ["measure", "indicator", "unit_std", *by, "total", "figures", "bound"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    bounds = row_bounds(rows)
    rows = rows.assign(_least=bounds == AT_LEAST, _most=bounds == AT_MOST, _about=bounds == ABOUT)
    # One pass of sums (a flag's sum is how many rows have it) costs half of a named aggregation.
    # The unit is grouped too: a measure whose rows were in two units would give two totals, never one.
    grouped = rows.groupby(["measure", "unit_std", *by], observed=True, sort=True)
    sums = grouped[["value_std", "_least", "_most", "_about"]].sum()
    result = sums.assign(figures=grouped.size()).reset_index().rename(columns={"value_std": "total"})
    # Only the few result rows are made text.
    result["measure"] = result["measure"].astype(str)
    result["unit_std"] = result["unit_std"].astype(str)
    result["indicator"] = [str(catalogue.table.at[m, "indicator"]) for m in result["measure"]]
    # As combine_bounds: one kind of bound stays, two kinds or any "about" make the sum approximate.
    result["bound"] = [
        combine_bounds({b for b, n in ((AT_LEAST, least), (AT_MOST, most), (ABOUT, about)) if n})
        for least, most, about in zip(result["_least"], result["_most"], result["_about"], strict=True)
    ]
    order = {code: i for i, code in enumerate(catalogue.codes)}
    result = result.sort_values("measure", key=lambda s: s.map(order), kind="stable")
    return result[columns].reset_index(drop=True)


def totals(frame: pd.DataFrame, catalogue: Catalogue, measure: str, by: list[str]) -> pd.DataFrame:
    """Return the sum of summable figures of one measure, grouped by the `by` columns.

    Columns: the `by` columns, total, figures (how many rows), bound (exact/at_least/at_most/about).
    """
    chosen = frame[(frame["measure"] == measure).to_numpy(dtype=bool)]
    result = all_totals(chosen, catalogue, by)
    return result.drop(columns=["measure", "indicator", "unit_std"]).reset_index(drop=True)


def measure_choices(frame: pd.DataFrame, catalogue: Catalogue, indicator: str) -> list[str]:
    """Return the measures of an indicator family that have summable figures, in catalogue order."""
    present = {str(code) for code in frame.loc[summable_mask(frame, catalogue), "measure"].unique()}
    return [code for code in catalogue.family(indicator) if code in present]


def indicator_choices(frame: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    """Return the indicator families that have summable figures, in code-list order."""
    present = {str(code) for code in frame.loc[summable_mask(frame, catalogue), "indicator"].unique()}
    categories = frame["indicator"].cat.categories if hasattr(frame["indicator"], "cat") else sorted(present)
    return [str(c) for c in categories if str(c) in present]


def headline_totals(frame: pd.DataFrame, catalogue: Catalogue, by: Sequence[str] = ()) -> pd.DataFrame:
    """Return the total of each of the catalogue's headline measures that has figures, grouped by `by`,
    in headline order (measure, indicator, unit_std, the `by` columns, total, figures, bound); a measure
    without figures is left out, not shown as 0."""
    found = all_totals(frame, catalogue, list(by), measures=catalogue.headline)
    place = {code: i for i, code in enumerate(catalogue.headline)}
    return found.sort_values("measure", key=lambda s: s.map(place), kind="stable").reset_index(drop=True)


def roll_up(totals: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Return totals grouped by `by` (headline_totals by area, say) added up over those columns, in the
    order the measures come: the same sums and bounds as adding the figures at once (a bound of bounds is
    the bound of their figures), without reading the figures again."""
    if totals.empty:
        return totals.drop(columns=list(by))
    keys = ["measure", "indicator", "unit_std"]
    grouped = totals.groupby(keys, sort=False)
    rolled = grouped[["total", "figures"]].sum()
    rolled["bound"] = grouped["bound"].agg(lambda bounds: combine_bounds(set(bounds)))
    return rolled.reset_index()


def highlights(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Return, for each headline measure in order, the largest single figure of the selection: a zone
    outcome of that measure in its unit (a part of another figure is a figure too). `frame` has
    TOTAL_COLUMNS; the result is its rows, one per measure that has figures, under their own index."""
    eligible = (
        (frame["kind"] == "outcome").to_numpy(dtype=bool)
        & (frame["scope"] == "zone").to_numpy(dtype=bool)
        & frame["value_std"].notna().to_numpy()
        & is_in(frame["measure"], catalogue.headline)
        & in_measure_unit(frame, catalogue)
    )
    rows = frame[eligible]
    if rows.empty:
        return frame.iloc[0:0]
    # The largest of each measure; of equal figures, the first in the table.
    largest = rows.sort_values("value_std", ascending=False, kind="stable").drop_duplicates("measure")
    place = {code: i for i, code in enumerate(catalogue.headline)}
    order = largest["measure"].astype(str).map(place)
    return largest.iloc[np.argsort(order.to_numpy(), kind="stable")]


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
