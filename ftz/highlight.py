"""The source sentence with the figure's own words marked, safe to render as HTML."""

from __future__ import annotations

import html

import pandas as pd

from loaders.numbers import bounded_occurrences


def occurrence_rank(rows: pd.DataFrame) -> pd.Series:
    """Return, per row, which occurrence of its value_text in its sentence it is (rows in fact_id order)."""
    ordered = rows.sort_values("fact_id")
    rank = ordered.groupby(["source_quote", "value_text"], observed=True, sort=False).cumcount()
    return rank.reindex(rows.index)


def highlight_quote(quote: str, value_text: str, occurrence: int = 0) -> str:
    """Return the quote as escaped HTML with the given occurrence of value_text inside <mark>."""
    places = bounded_occurrences(quote, value_text)
    if not places:
        return html.escape(quote)
    start = places[min(occurrence, len(places) - 1)]
    end = start + len(value_text)
    return f"{html.escape(quote[:start])}<mark>{html.escape(quote[start:end])}</mark>{html.escape(quote[end:])}"
