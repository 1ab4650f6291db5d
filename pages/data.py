"""数据表 Data: the filtered table as the export writes it (labels, never codes), the first rows of a very
large selection only."""

import streamlit as st

from ftz.export import header, reading_frame
from ftz.i18n import t
from ui import TABLE_ROWS, caption_if_cut, display_names, download_buttons, get_view, stop_if_empty

view = get_view()
lang = view.lang
st.title(t("page_data", lang))
stop_if_empty(view)

download_buttons(view, key="data")
shown = view.memo(
    "data-table", lambda: reading_frame(view.head(TABLE_ROWS), lang, view.store.catalogue, display_names(lang))
)
caption_if_cut(TABLE_ROWS, view.figures, lang, "showing")
st.dataframe(
    shown,
    hide_index=True,
    key="data_table",
    column_config={
        header("value", lang): st.column_config.NumberColumn(format="localized"),
        header("value_high", lang): st.column_config.NumberColumn(format="localized"),
        header("source_quote", lang): st.column_config.TextColumn(width="large"),
    },
)
