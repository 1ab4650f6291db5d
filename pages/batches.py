"""批次对比 Batches: each batch's document and how many cases and figures each area brought."""

import streamlit as st

from ftz.aggregate import batch_summary
from ftz.charts import CHART_ITEMS, make_batch_bars
from ftz.i18n import batch_label, batch_title, t
from ui import area_colors, area_names, caption_if_cut, get_batches, get_view, show_chart, stop_if_empty

view = get_view()
lang, rows = view.lang, view.columns("batch", "case_no", "area", "kind")
st.title(t("page_batches", lang))
stop_if_empty(view)

batches = get_batches()
count = rows["batch"].nunique()
if count == 1:
    st.caption(t("one_batch", lang))
show_chart(make_batch_bars(rows, lang, area_colors(), area_names(lang)), "batches-cases-by-area", "batch_bars")
caption_if_cut(CHART_ITEMS, count, lang, "chart_latest")

table = batch_summary(rows, batches)
table["title"] = [batch_title(batch, lang) for batch in table.to_dict("records")]
table["batch"] = table["batch"].map(lambda b: batch_label(int(b), lang))
st.dataframe(
    table[["batch", "title", "doc_no", "published", "cases", "figures", "outcomes"]].rename(
        columns={
            "batch": t("f_batch", lang),
            "title": t("batch_title", lang),
            "doc_no": t("doc_no", lang),
            "published": t("published", lang),
            "cases": t("count_cases", lang),
            "figures": t("count_figures", lang),
            "outcomes": t("outcomes", lang),
        }
    ),
    hide_index=True,
    key="batch_table",
)
