"""数据表 Data: the filtered table, the first rows of a very large selection only."""

import streamlit as st

from ftz.i18n import column_label, t
from loaders.schema import COLUMN_NAMES
from ui import download_buttons, get_view, stop_if_empty

MAX_ROWS = 5_000

view = get_view()
lang, rows = view.lang, view.rows
st.title(t("page_data", lang))
stop_if_empty(view)

download_buttons(view, key="data")
shown = rows[list(COLUMN_NAMES)].head(MAX_ROWS)
if len(rows) > MAX_ROWS:
    st.caption(t("showing", lang, shown=f"{MAX_ROWS:,}", total=f"{len(rows):,}"))
st.dataframe(
    shown.rename(columns={c: column_label(c, lang) for c in COLUMN_NAMES}),
    hide_index=True,
    key="data_table",
    column_config={
        column_label("value", lang): st.column_config.NumberColumn(format="localized"),
        column_label("value_high", lang): st.column_config.NumberColumn(format="localized"),
        column_label("source_quote", lang): st.column_config.TextColumn(width="large"),
    },
)
