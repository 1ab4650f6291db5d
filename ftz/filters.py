"""The global filters: what they hold, how they read and write the URL, and how they cut the table."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from ftz.i18n import filter_label, t

# The URL keys of the filters; values are codes or the document's Chinese names, whatever the language.
LIST_KEYS = ("batch", "area", "category", "indicator", "kind", "scope")
SEARCH_KEY = "q"
SEARCH_COLUMNS = ("metric", "case_title", "source_quote")


@dataclass(frozen=True)
class Filters:
    """A selection of the table; an empty selection of a key means every value."""

    batch: tuple[str, ...] = field(default=())
    area: tuple[str, ...] = field(default=())
    category: tuple[str, ...] = field(default=())
    indicator: tuple[str, ...] = field(default=())
    kind: tuple[str, ...] = field(default=())
    scope: tuple[str, ...] = field(default=())
    q: str = ""

    def to_query(self) -> dict[str, list[str]]:
        """Return the filters as URL query parameters, leaving out what is not set."""
        query = {key: list(getattr(self, key)) for key in LIST_KEYS if getattr(self, key)}
        if self.q.strip():
            query[SEARCH_KEY] = [self.q.strip()]
        return query

    def is_empty(self) -> bool:
        """Return whether nothing is selected."""
        return self == Filters()


def filters_said(filters: Filters, lang: str, names: Mapping[str, str]) -> list[str]:
    """Return each filter that is set as a reader says it (片区：宜昌片区、襄阳片区), in the sidebar's order."""
    said = [
        f"{t('f_' + key, lang)}{t('label_sep', lang)}"
        + t("list_sep", lang).join(filter_label(key, value, lang, names) for value in getattr(filters, key))
        for key in LIST_KEYS
        if getattr(filters, key)
    ]
    if filters.q.strip():
        said.append(f"{t('f_q', lang)}{t('label_sep', lang)}“{filters.q.strip()}”")
    return said


def filter_options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Return the values each list filter offers, in document or code-list order."""
    options: dict[str, list[str]] = {"batch": [str(b) for b in sorted(frame["batch"].unique())]}
    for key in LIST_KEYS[1:]:
        options[key] = present_values(frame[key])
    return options


def present_values(column: pd.Series) -> list[str]:
    """Return the values a column holds: a categorical's in the order of its categories (document or
    code-list order), counted once on its codes; other columns' in order of first appearance."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(value) for value, n in column.value_counts(sort=False).items() if n]
    return [str(v) for v in pd.unique(column.dropna())]


def from_query(query: Mapping[str, Sequence[str] | str], options: Mapping[str, Sequence[str]]) -> Filters:
    """Return the filters a URL asks for, dropping values the table does not offer."""

    def values(key: str) -> tuple[str, ...]:
        raw = query.get(key, [])
        given = [raw] if isinstance(raw, str) else list(raw)
        allowed = options.get(key, [])
        return tuple(dict.fromkeys(v for v in given if v in allowed))

    raw_q = query.get(SEARCH_KEY, "")
    q = raw_q if isinstance(raw_q, str) else (raw_q[0] if raw_q else "")
    return Filters(**{key: values(key) for key in LIST_KEYS}, q=q.strip())


def normalize_text(text: str) -> str:
    """Return text folded for search: full-width to half-width, no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def search_column(frame: pd.DataFrame) -> pd.Series:
    """Return, per row, the folded text that the free-text search looks in (as normalize_text folds it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pa.array(frame[c].astype("string").fillna("").to_numpy(dtype=object), pa.string()) for c in SEARCH_COLUMNS]
    joined = pc.binary_join_element_wise(*parts, "")
    folded = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(joined, "NFKC"), r"\s+", ""))
    return pd.Series(folded.to_pandas(), index=frame.index, dtype="string")


def is_in(column: pd.Series, chosen: Collection[str]) -> np.ndarray:
    """Return which rows hold one of the chosen values (given as text), compared in the column's own
    type: a categorical by its codes, through a table of which codes are chosen (3× faster than isin)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        # Code -1 (a missing value) reads the table's last entry, which is never chosen.
        table = np.zeros(len(categories) + 1, dtype=bool)
        table[categories.get_indexer(pd.Index(list(chosen)))] = True
        table[-1] = False
        return table[column.cat.codes.to_numpy()]
    if pd.api.types.is_integer_dtype(column):
        return column.isin([int(v) for v in chosen if str(v).isdigit()]).to_numpy()
    return column.isin(chosen).to_numpy()


def filter_mask(frame: pd.DataFrame, filters: Filters, search: pd.Series | None = None) -> np.ndarray:
    """Return which rows the filters select; `search` is search_column(frame), computed here if not given."""
    mask = np.ones(len(frame), dtype=bool)
    for key in LIST_KEYS:
        chosen = getattr(filters, key)
        if chosen:
            mask &= is_in(frame[key], chosen)
    if filters.q.strip():
        needle = normalize_text(filters.q)
        haystack = search if search is not None else search_column(frame)
        mask &= haystack.str.contains(needle, regex=False).to_numpy(dtype=bool, na_value=False)
    return mask


def apply_filters(frame: pd.DataFrame, filters: Filters, search: pd.Series | None = None) -> pd.DataFrame:
    """Return the rows the filters select (see filter_mask); the app keeps the mask instead (ui.View)."""
    return frame[filter_mask(frame, filters, search)]


def describe(filters: Filters) -> dict[str, str]:
    """Return the filters as {key: 'a、b'} for what is set, for captions and export notes."""
    described = {}
    for f in fields(filters):
        value = getattr(filters, f.name)
        if value:
            described[f.name] = value if isinstance(value, str) else "、".join(value)
    return described
