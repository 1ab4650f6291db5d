"""Benchmarks of the dashboard against their floors; see BENCHMARKS.md."""

import streamlit.logger

# The bench uses the app's Store and View with no app running: Streamlit's warning that its caches
# then live in memory, three times per run, is not news here.
streamlit.logger.set_log_level("error")
