"""Entry point: page setup, language, the global filters in the sidebar (kept in the URL), navigation."""

import streamlit as st

from ftz.i18n import t
from loaders import events
from loaders.users import viewer_login_required
from ui import current_account, drafts_notice, get_store, seed_language, set_view, sidebar, sign_in_gate, signed_in_box

st.set_page_config(page_title=t("app_title", "zh"), page_icon="📊", layout="wide")
events.to_stdout()  # changes, sign-ins, exports and errors as JSON lines, for the journal

PAGES = [
    ("pages/overview.py", "page_overview", "overview", ":material/dashboard:"),
    ("pages/areas.py", "page_areas", "areas", ":material/map:"),
    ("pages/categories.py", "page_categories", "categories", ":material/category:"),
    ("pages/case.py", "page_case", "case", ":material/description:"),
    ("pages/explorer.py", "page_explorer", "explorer", ":material/query_stats:"),
    ("pages/time.py", "page_time", "time", ":material/timer:"),
    ("pages/batches.py", "page_batches", "batches", ":material/stacks:"),
    ("pages/data.py", "page_data", "data", ":material/table:"),
    ("pages/refresh.py", "page_refresh", "refresh", ":material/upload_file:"),
]

lang = seed_language()
navigation = st.navigation(
    [
        st.Page(path, title=t(title, lang), url_path=url, icon=icon, default=(url == "overview"))
        for path, title, url, icon in PAGES
    ]
)
# A signed-in session's every click counts as activity, on any page; staff see drafts waiting for approval.
account = current_account()
if account is None and viewer_login_required():  # FTZ_VIEWER_LOGIN=1: nothing is shown before signing in
    st.title(t("app_title", lang))
    sign_in_gate(lang)
    st.stop()
view = sidebar(get_store(account), navigation.url_path)
signed_in_box(account, view.lang)
set_view(view)
drafts_notice(account, view.lang)
navigation.run()
