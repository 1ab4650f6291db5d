"""Processing-time figures: before → after pairs, reductions stated alone, and durations now achieved."""

from __future__ import annotations

import re

import pandas as pd

# What a figure's words are made of, to say it in another language.
RECORDED = ("value", "value_high", "unit", "qualifier")
_REDUCTION = re.compile(r"(减少|缩减|缩短|节省|节约|压缩|提速)[^，。；]{0,24}$")


def time_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the processing-time figures (indicator time) of a table."""
    return frame[frame["indicator"] == "time"]


def time_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Return one row per before → after pair, in days, with the share of time cut (taken at the range's low end).

    Columns: batch, case_no, case_title, area, metric, before_days, after_days, before_text, after_text, cut,
    and each side's figure as recorded (before_/after_ value, value_high, unit, qualifier) to say it in words.
    """
    rows = time_rows(frame)
    rows = rows[rows["phase"].notna() & (rows["unit_std"] == "天")]
    key = ["batch", "case_no", "case_title", "area", "metric"]
    before = rows[rows["phase"] == "before"].set_index(key)
    after = rows[rows["phase"] == "after"].set_index(key)
    pairs = pd.DataFrame(
        {
            "before_days": before["value_std"],
            "after_days": after["value_std"],
            "before_text": before["value_text"],
            "after_text": after["value_text"],
            **{
                f"{side}_{column}": part[column]
                for side, part in (("before", before), ("after", after))
                for column in RECORDED
            },
            # Paired on the Chinese words; their English text (the after side's) is carried to be shown.
            **{column: after[column] for column in ("case_title_en", "metric_en") if column in after},
        }
    ).dropna(subset=["before_days", "after_days"])
    pairs["cut"] = 1 - pairs["after_days"] / pairs["before_days"]
    return pairs.reset_index()


def is_reduction(quote: str, text: str) -> bool:
    """Return whether a figure states time saved (减少8个工作日, 缩减10至15天) rather than a duration."""
    at = quote.find(text)
    return at >= 0 and bool(_REDUCTION.search(quote[:at]))


def reduction_flags(frame: pd.DataFrame) -> pd.Series:
    """Return, for each time figure with no phase, whether it states time saved (see is_reduction)."""
    rows = time_rows(frame)
    rows = rows[rows["phase"].isna()]
    # Plain strings in a loop: a Series per row (DataFrame.apply) costs seconds over a large store.
    pairs = zip(rows["source_quote"].astype(str), rows["value_text"].astype(str), strict=True)
    return pd.Series([is_reduction(quote, text) for quote, text in pairs], index=rows.index, dtype=bool)


def reductions_and_durations(frame: pd.DataFrame, flags: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the time figures with no phase, split into reductions stated alone and durations achieved.

    `flags` is reduction_flags of the frame or of a table the frame is taken from; without it, or when it
    lacks one of the frame's figures, the flags are found here."""
    rows = time_rows(frame)
    rows = rows[rows["phase"].isna()]
    if rows.empty:
        return rows, rows
    if flags is None or not rows.index.isin(flags.index).all():
        flags = reduction_flags(rows)
    saved = flags.loc[rows.index].to_numpy(dtype=bool)
    return rows[saved], rows[~saved]
