"""批次对比 Batches: each batch's document and how many cases and figures each area brought."""

import pandas as pd
import streamlit as st

from ftz.aggregate import batch_summary
from ftz.charts import CHART_ITEMS, make_batch_bars
from ftz.i18n import batch_label, batch_title, t
from ui import area_colors, area_names, caption_if_cut, get_batches, get_view, show_chart, stop_if_empty

view = get_view()
lang = view.lang
st.title(t("page_batches", lang))
stop_if_empty(view)

batches = get_batches()
count = view.memo("batch-count", lambda: int(view.columns("batch")["batch"].nunique()))
if count == 1:
    st.caption(t("one_batch", lang))
colors, names = area_colors(), area_names(lang)
show_chart(
    view.memo(
        "batch-bars",
        lambda: make_batch_bars(view.columns("batch", "case_no", "area"), lang, colors, names),
    ),
    "batches-cases-by-area",
    "batch_bars",
)
caption_if_cut(CHART_ITEMS, count, lang, "chart_latest")


def summary() -> pd.DataFrame:
    table = batch_summary(view.columns("batch", "case_no", "kind"), batches)
    table["title"] = [batch_title(batch, lang) for batch in table.to_dict("records")]
    table["batch"] = table["batch"].map(lambda b: batch_label(int(b), lang))
    return table


table = view.memo("batch-table", summary)
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
