"""总览 Overview: cases, figures, the headline measures' totals, their largest single figures, what each
area achieved, and where the cases are."""

import plotly.graph_objects as go
import streamlit as st

from ftz.aggregate import (
    HIGHLIGHT_COLUMNS,
    TOTAL_COLUMNS,
    batches_in,
    headline_totals,
    highlights,
    roll_up,
)
from ftz.charts import make_area_category_heatmap, make_total_bar, total_said
from ftz.highlight import HighlightLink, highlight_links
from ftz.i18n import batch_label, batch_title, t
from ui import area_colors, area_names, briefing_button, display_names, get_batches, get_view, show_chart, stop_if_empty

view = get_view()
# The numbers on top read the selection's table of cases; the totals and charts below copy only the
# columns they read, after the numbers are sent.
lang, cases, catalogue = view.lang, view.case_rows(), view.store.catalogue

st.title(t("app_title", lang))
batches = get_batches()
for batch in batches_in(batches, cases).to_dict("records"):
    st.caption(
        f"{batch_label(int(batch['batch']), lang)}｜{batch_title(batch, lang)}｜{batch['doc_no']}｜"
        f"{t('published', lang)} {batch['published']}"
    )
if view.store.changed:
    st.caption(f"{t('data_changed', lang)} {view.store.changed}{t('beijing_time', lang)}")
if view.store.unclassified:
    st.warning(t("unclassified", lang, n=f"{view.store.unclassified:,}"))
stop_if_empty(view)
briefing_button(view, key="overview")

tiles = st.columns(3)
tiles[0].metric(t("kpi_cases", lang), f"{view.cases:,}")
tiles[1].metric(t("kpi_figures", lang), f"{view.figures:,}")
tiles[2].metric(t("kpi_areas", lang), f"{cases['area'].nunique():,}")

st.subheader(t("headline", lang), help=t("kpi_help", lang))
# The headline measures are added once, by area; the tiles add up the areas (see roll_up). What follows
# is made once per view (store, filters, language) for every session that shows it.
by_area = view.memo(
    "headline_by_area", lambda: headline_totals(view.columns(*TOTAL_COLUMNS, "area"), catalogue, by=["area"])
)
headline = view.memo("headline", lambda: roll_up(by_area, ["area"]))
if headline.empty:
    st.info(t("no_totals", lang))
else:
    # Three to a row: four leave too little room for "≥ 18.3 bn yuan" at 1366 px, and it would be cut.
    for start in range(0, len(headline), 3):
        columns = st.columns(3)
        for column, item in zip(columns, headline.iloc[start : start + 3].to_dict("records"), strict=False):
            measure = str(item["measure"])
            column.metric(
                catalogue.name(measure, lang),
                total_said(item, lang),
                help=f"{catalogue.definition(measure, lang)}\n\n{t('n_figures', lang)}: {item['figures']}"
                f"{t('sentence_end', lang)}{t('kpi_help', lang)}",
            )


def overview_highlights() -> list[HighlightLink]:
    largest = highlights(view.columns(*TOTAL_COLUMNS), catalogue)
    details = view.store.frame.loc[largest.index, list(HIGHLIGHT_COLUMNS)]
    return highlight_links(largest, details, catalogue, lang)


links = view.memo("highlight_links", overview_highlights)
if links:
    st.subheader(t("highlights", lang))
    for link in links:
        st.page_link(
            "pages/case.py", label=link.label, query_params={"case": link.case}, help=link.quote, icon=":material/star:"
        )

# What each area achieved: the headline measures side by side, one small chart each (on a phone they
# stack), then where the cases are.
colors, names = area_colors(), area_names(lang)


def area_figures() -> dict[str, go.Figure]:
    return {
        measure: make_total_bar(
            by_area[by_area["measure"] == measure],
            "area",
            catalogue.standard_unit(measure),
            lang,
            colors,
            names,
            catalogue.name(measure, lang),
            height=260,
        )
        for measure in headline["measure"]
    }


if not headline.empty:
    st.subheader(t("headline_by_area", lang))
    figures = list(view.memo("area_figures", area_figures).items())
    # Row by row, so that on a phone, where columns stack, the charts keep the tiles' order.
    for start in range(0, len(figures), 3):
        for chart, (measure, figure) in zip(st.columns(3), figures[start : start + 3], strict=False):
            with chart:
                show_chart(figure, f"by-area-{measure}", f"ov_area_{measure}")
heatmap = view.memo("heatmap", lambda: make_area_category_heatmap(cases, lang, display_names(lang)))
show_chart(heatmap, "cases-by-area-category", "ov_heatmap")
