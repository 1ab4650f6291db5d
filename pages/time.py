"""时效提升 Time savings: before → after pairs, time saved stated alone, and durations now achieved."""

import streamlit as st

from ftz.charts import CHART_ITEMS, make_time_dumbbell
from ftz.i18n import localized, t
from ftz.timing import reductions_and_durations, time_pairs
from ui import caption_if_cut, download_buttons, get_view, show_chart, show_table, stop_if_empty

view = get_view()
lang, rows = view.lang, view.rows_where(indicator="time")
st.title(t("page_time", lang))
stop_if_empty(view)

pairs = localized(time_pairs(rows), lang)
saved, durations = reductions_and_durations(rows, view.store.reductions)
if pairs.empty and saved.empty and durations.empty:
    st.info(t("no_time", lang))
    st.stop()

if not pairs.empty:
    show_chart(make_time_dumbbell(pairs.nlargest(CHART_ITEMS, "cut"), lang), "time-before-after", "time_pairs")
    caption_if_cut(CHART_ITEMS, len(pairs), lang)
if not saved.empty:
    st.markdown(f"#### {t('reductions_alone', lang)}")
    show_table(saved, lang, key="time_saved", catalogue=view.store.catalogue)
if not durations.empty:
    st.markdown(f"#### {t('durations', lang)}")
    show_table(
        durations.sort_values(["unit_std", "value_std"]), lang, key="time_durations", catalogue=view.store.catalogue
    )

download_buttons(view, key="time")
