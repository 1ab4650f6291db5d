"""The browser floor: a bare Streamlit page with one plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Bar(x=["武汉片区", "襄阳片区", "宜昌片区"], y=[3, 2, 1])))
