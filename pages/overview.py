"""总览 Overview: cases, figures, headline outcome totals, and where the cases are."""

import streamlit as st

from ftz.aggregate import HEADLINE_INDICATORS, TOTAL_COLUMNS, batches_in, headline_totals
from ftz.charts import format_total, make_area_category_heatmap, make_indicator_bar
from ftz.i18n import batch_label, code_label, t
from ui import area_names, get_batches, get_view, show_chart, stop_if_empty

view = get_view()
# The numbers on top read the selection's table of cases; the totals and charts below copy only the
# columns they read, after the numbers are sent.
lang, cases = view.lang, view.case_rows()

st.title(t("app_title", lang))
batches = get_batches()
for batch in batches_in(batches, cases).to_dict("records"):
    st.caption(
        f"{batch_label(int(batch['batch']), lang)}｜{batch['title']}｜{batch['doc_no']}｜"
        f"{t('published', lang)} {batch['published']}"
    )
st.caption(f"{t('data_changed', lang)} {view.store.changed:%Y-%m-%d %H:%M}（北京时间 Beijing time）")
stop_if_empty(view)

tiles = st.columns(3)
tiles[0].metric(t("kpi_cases", lang), f"{view.cases:,}")
tiles[1].metric(t("kpi_figures", lang), f"{view.figures:,}")
tiles[2].metric(t("kpi_areas", lang), f"{cases['area'].nunique():,}")

rows = view.columns(*TOTAL_COLUMNS)
st.subheader(t("headline", lang), help=t("kpi_help", lang))
headline = headline_totals(rows, HEADLINE_INDICATORS)
if headline.empty:
    st.info(t("no_totals", lang))
else:
    for start in range(0, len(headline), 4):
        columns = st.columns(4)
        for column, item in zip(columns, headline.iloc[start : start + 4].to_dict("records"), strict=False):
            column.metric(
                code_label("indicator", str(item["indicator"]), lang),
                format_total(float(item["total"]), str(item["unit_std"]), str(item["bound"]), lang),
                help=f"{t('n_figures', lang)}: {item['figures']}。{t('kpi_help', lang)}",
            )

left, right = st.columns(2)
with left:
    show_chart(make_area_category_heatmap(cases, lang, area_names(lang)), "cases-by-area-category", "ov_heatmap")
with right:
    show_chart(make_indicator_bar(rows, lang), "figures-by-indicator", "ov_indicators")
