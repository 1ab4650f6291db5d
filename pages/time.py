"""时效提升 Time savings: before → after pairs, time saved stated alone, and durations now achieved."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ftz.charts import CHART_ITEMS, make_time_dumbbell
from ftz.i18n import localized, t
from ftz.timing import reductions_and_durations, time_pairs
from ui import caption_if_cut, download_buttons, get_view, show_chart, show_table, stop_if_empty

view = get_view()
lang = view.lang
st.title(t("page_time", lang))
stop_if_empty(view)


def time_figures() -> tuple[go.Figure | None, int, pd.DataFrame, pd.DataFrame]:
    """The dumbbell of before → after pairs (None without pairs), how many pairs, the time saved stated
    alone and the durations now achieved."""
    rows = view.rows_where(indicator="time")
    pairs = localized(time_pairs(rows), lang)
    saved, durations = reductions_and_durations(rows, view.store.reductions)
    figure = make_time_dumbbell(pairs.nlargest(CHART_ITEMS, "cut"), lang) if not pairs.empty else None
    return figure, len(pairs), saved, durations.sort_values(["unit_std", "value_std"])


figure, pairs, saved, durations = view.memo("time", time_figures)
if figure is None and saved.empty and durations.empty:
    st.info(t("no_time", lang))
    st.stop()

if figure is not None:
    show_chart(figure, "time-before-after", "time_pairs")
    caption_if_cut(CHART_ITEMS, pairs, lang)
if not saved.empty:
    st.markdown(f"#### {t('reductions_alone', lang)}")
    show_table(saved, lang, key="time_saved", catalogue=view.store.catalogue)
if not durations.empty:
    st.markdown(f"#### {t('durations', lang)}")
    show_table(durations, lang, key="time_durations", catalogue=view.store.catalogue)

download_buttons(view, key="time")
