"""总览 Overview: what the store holds, at a glance."""

import streamlit as st

from loaders.schema import CHINESE_NAMES
from ui import APP_TITLE, get_batches, get_store

store = get_store().frame
batches = get_batches()

st.title(APP_TITLE)
for batch in batches.itertuples():
    st.caption(f"{batch.title}｜{batch.doc_no}｜发布日期 {batch.published}")

if store.empty:
    st.info("暂无数据。")
    st.stop()

cases = store.drop_duplicates(["batch", "case_no"])
tiles = st.columns(3)
tiles[0].metric("案例数", f"{len(cases):,}")
tiles[1].metric("数据条数", f"{len(store):,}")
tiles[2].metric("片区数", f"{store['area'].nunique():,}")

shown = ["case_no", "case_title", "area", "metric", "value", "unit", "qualifier", "source_quote"]
st.dataframe(
    store[shown].rename(columns=CHINESE_NAMES),
    hide_index=True,
)
