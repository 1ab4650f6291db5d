"""案例详情 Case detail: the case as it reads in the document, every recorded figure marked in place, and
what the case achieved by measure."""

import html

import pandas as pd
import streamlit as st

from ftz.aggregate import all_totals
from ftz.charts import case_labels, total_said
from ftz.highlight import mark_case_figures
from ftz.i18n import batch_label, code_label, column_label, localized, t
from ui import case_text, display_names, get_view, parse_case_key, show_table, stop_if_empty

view = get_view()
lang, catalogue = view.lang, view.store.catalogue
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
labels = dict(zip(cases["case_no"].astype(int), case_labels(localized(cases, lang), "case_title", lang), strict=True))
if st.session_state.get("case_pick") not in labels:
    st.session_state.pop("case_pick", None)
case_no = int(st.selectbox(t("choose_case", lang), list(labels), format_func=lambda n: labels[n], key="case_pick"))
if st.query_params.get("case") != f"{batch}-{case_no}":
    st.session_state["case_url"] = st.query_params["case"] = f"{batch}-{case_no}"
figures = view.rows_where(batch=batch, case_no=case_no)
first = figures.iloc[0]

st.subheader(labels[case_no])
info = st.columns(3)
names = display_names(lang)
# A provider that is an area is named as the area; a department stays as the document names it.
provider = t("list_sep", lang).join(names.get(part, part) for part in str(first["provider"]).split("、"))
info[0].markdown(f"**{t('provider', lang)}**  \n{html.escape(provider)}")
info[1].markdown(
    f"**{column_label('category', lang)}**  \n{html.escape(names.get(str(first['category']), str(first['category'])))}"
)
info[2].markdown(
    f"**{column_label('area', lang)}**  \n{html.escape(names.get(str(first['area']), str(first['area'])))}"
)


def case_content() -> tuple[pd.DataFrame, bool, dict[str, list[str]], list[str]]:
    """What the case achieved (its outcomes added by measure, as the overview adds them), whether its
    batch has a document, and its text marked (see mark_case_figures)."""
    sentences = case_text(batch, case_no)
    sections, left_out = mark_case_figures(figures, catalogue, lang, sentences)
    return all_totals(figures, catalogue, by=[]), sentences is not None, sections, left_out


# Made once per view, case and state of its document for every session.
achieved, has_document, sections, left_out = view.memo(f"case-{batch}-{case_no}", case_content)
if not achieved.empty:
    for start in range(0, len(achieved), 3):
        for column, item in zip(st.columns(3), achieved.iloc[start : start + 3].to_dict("records"), strict=False):
            measure = str(item["measure"])
            column.metric(
                catalogue.name(measure, lang),
                total_said(item, lang),
                help=catalogue.definition(measure, lang),
            )

# The case's text, each sentence once, its figures marked where they stand; a figure no total adds
# (background, policy, target, a part of another, a measure that never adds) is marked apart.
st.markdown(f"#### {t('case_text', lang)}")
st.caption(t("case_text_help", lang))
if not has_document:
    st.caption(t("no_document", lang))
# The text is a quote, in Chinese whatever the language: marked as such for readers and screen readers.
for section, paragraphs in sections.items():
    st.markdown(f"**{html.escape(code_label('section', section, lang))}**")
    st.markdown('<div lang="zh-CN">' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>", unsafe_allow_html=True)
if left_out:
    # A figure whose sentence the document does not hold (edited after the import) is still shown.
    st.markdown(f"**{t('other_sentences', lang)}**")
    st.markdown('<div lang="zh-CN">' + "".join(f"<p>{p}</p>" for p in left_out) + "</div>", unsafe_allow_html=True)

with st.expander(t("figures_of_case", lang)):
    show_table(figures, lang, key="case_figures", catalogue=catalogue)
