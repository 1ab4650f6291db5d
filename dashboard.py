"""Entry point: page setup and navigation of the FTZ Case Metrics Dashboard."""

import streamlit as st

from ui import APP_TITLE

st.set_page_config(page_title=APP_TITLE, page_icon="📊", layout="wide")

navigation = st.navigation([st.Page("pages/overview.py", title="总览", icon="📊", default=True)])
navigation.run()
