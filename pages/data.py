"""数据表 Data: the filtered table, the first rows of a very large selection only."""

import streamlit as st

from ftz.i18n import column_label, t
from loaders.schema import COLUMN_NAMES
from ui import TABLE_ROWS, caption_if_cut, download_buttons, get_view, stop_if_empty

view = get_view()
lang = view.lang
st.title(t("page_data", lang))
stop_if_empty(view)

download_buttons(view, key="data")
shown = view.head(TABLE_ROWS)[list(COLUMN_NAMES)]
caption_if_cut(TABLE_ROWS, view.figures, lang, "showing")
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
