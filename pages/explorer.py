"""指标探索 Indicator explorer: every figure of one measure, ranked in one unit; the rest listed apart."""

import streamlit as st

from ftz.aggregate import convertible_units, ranked_figures
from ftz.charts import CHART_ITEMS, make_ranked_bar
from ftz.filters import present_values
from ftz.i18n import code_label, localized, t, unit_label
from ui import (
    EXPLORER_COLUMNS,
    area_colors,
    area_names,
    caption_if_cut,
    download_buttons,
    get_view,
    show_chart,
    show_table,
    stop_if_empty,
)

view = get_view()
lang, catalogue = view.lang, view.store.catalogue
st.title(t("page_explorer", lang))
stop_if_empty(view)

indicators = view.memo("explorer-indicators", lambda: present_values(view.columns("indicator")["indicator"]))
left, middle, right = st.columns([2, 2, 1.2])
indicator = left.selectbox(
    t("choose_indicator", lang), indicators, format_func=lambda c: code_label("indicator", c, lang), key="ex_indicator"
)
chosen = view.rows_where(EXPLORER_COLUMNS, indicator=indicator)
# Figures are ranked only against figures of the same measure: a bar of students trained beside one of
# guests at a party would compare what cannot be compared.
present = set(present_values(chosen["measure"]))
measures = [code for code in catalogue.family(indicator) if code in present]
measure = middle.selectbox(
    t("choose_measure", lang),
    measures,
    format_func=lambda code: catalogue.name(code, lang),
    key="ex_measure",
)
st.caption(f"{t('definition', lang)}{t('label_sep', lang)}{catalogue.definition(measure, lang)}")
chosen = chosen[(chosen["measure"] == measure).to_numpy(dtype=bool)]
units = convertible_units(chosen)
if not units:
    st.info(t("cannot_convert", lang))
    show_table(chosen, lang, key="ex_apart_all", catalogue=catalogue)
    st.stop()
unit = middle.selectbox(t("choose_unit", lang), units, format_func=lambda u: unit_label(u, lang), key="ex_unit")
log = right.toggle(t("log_scale", lang), key="ex_log")
outcomes_only = right.toggle(t("outcomes_only", lang), value=True, key="ex_outcomes")

ranked, apart = ranked_figures(chosen, unit, outcomes_only)
colors, names = area_colors(), area_names(lang)
figure = view.memo(
    f"explorer-{indicator}-{measure}-{unit}-{log}-{outcomes_only}",
    lambda: make_ranked_bar(localized(ranked.nlargest(CHART_ITEMS, "value_std"), lang), unit, lang, colors, names, log),
)
show_chart(figure, f"explorer-{measure}-{unit}", "ex_ranked")
caption_if_cut(CHART_ITEMS, len(ranked), lang)
if not apart.empty:
    st.markdown(f"#### {t('cannot_convert', lang)}")
    show_table(apart, lang, key="ex_apart", catalogue=catalogue)

download_buttons(view, key="ex")
