"""案例详情 Case detail: a case's provider, category and area, and every figure with its sentence."""

import html

import streamlit as st

from ftz.charts import case_labels
from ftz.highlight import highlight_quote, occurrence_rank
from ftz.i18n import batch_label, code_label, column_label, t
from ui import area_names, get_view, parse_case_key, stop_if_empty

view = get_view()
lang = view.lang
st.title(t("page_case", lang))
stop_if_empty(view)

# With several batches, a batch is chosen first (the latest first), then one of its cases: a list of every
# case of many batches would be long to send and to read.
cases = view.case_rows()
batches = sorted((int(b) for b in cases["batch"].unique()), reverse=True)
# A link names its case as batch-case (case=7-10): the pickers take it when it is new to them.
asked = parse_case_key(st.query_params.get("case", ""))
if asked and str(st.query_params.get("case")) != st.session_state.get("case_url"):
    st.session_state["case_url"] = str(st.query_params.get("case"))
    if ((cases["batch"] == asked[0]) & (cases["case_no"] == asked[1])).any():
        st.session_state["case_batch"], st.session_state["case_pick"] = asked
batch = batches[0]
if len(batches) > 1:
    batch = int(st.selectbox(t("f_batch", lang), batches, format_func=lambda b: batch_label(b, lang), key="case_batch"))
cases = cases[cases["batch"] == batch].sort_values("case_no")
labels = dict(zip(cases["case_no"].astype(int), case_labels(cases, "case_title", lang), strict=True))
if st.session_state.get("case_pick") not in labels:
    st.session_state.pop("case_pick", None)
case_no = int(st.selectbox(t("choose_case", lang), list(labels), format_func=lambda n: labels[n], key="case_pick"))
if st.query_params.get("case") != f"{batch}-{case_no}":
    st.session_state["case_url"] = st.query_params["case"] = f"{batch}-{case_no}"
figures = view.rows_where(batch=batch, case_no=case_no)
first = figures.iloc[0]

st.subheader(labels[case_no])
info = st.columns(3)
info[0].markdown(f"**{t('provider', lang)}**  \n{html.escape(str(first['provider']))}")
info[1].markdown(f"**{column_label('category', lang)}**  \n{html.escape(str(first['category']))}")
info[2].markdown(f"**{column_label('area', lang)}**  \n{html.escape(area_names(lang).get(str(first['area']), ''))}")

st.markdown(f"#### {t('figures_of_case', lang)}")
figures = figures.assign(rank=occurrence_rank(figures))
for row in figures.to_dict("records"):
    sentence = highlight_quote(str(row["source_quote"]), str(row["value_text"]), int(row["rank"]))
    tags = " · ".join(
        [
            code_label("section", str(row["section"]), lang),
            code_label("kind", str(row["kind"]), lang),
            code_label("scope", str(row["scope"]), lang),
            view.store.catalogue.name(str(row["measure"]), lang),
        ]
    )
    st.markdown(
        f"**{html.escape(str(row['metric']))}**：{html.escape(str(row['value_text']))}"
        f" <span style='color:#777;font-size:0.85em'>（{html.escape(tags)}，{html.escape(str(row['fact_id']))}）</span>"
        f"<br><span style='color:#333'>{sentence}</span>",
        unsafe_allow_html=True,
    )
