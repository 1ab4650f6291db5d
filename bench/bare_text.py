"""The floor for the first numbers: a bare Streamlit page with one line of text and nothing else."""

import streamlit as st

st.metric("案例数", 28)
