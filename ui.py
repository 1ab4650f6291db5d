"""Streamlit glue shared by the pages: the cached store and the page chrome."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from loaders.store import METRICS_PATH, InvalidMetricsError, LoadResult, load_batches, read_metrics

APP_TITLE = "湖北自贸试验区实践案例指标看板"


def store_path() -> Path:
    """Return the store the app shows: FTZ_METRICS_PATH if set, else data/metrics.csv."""
    return Path(os.environ.get("FTZ_METRICS_PATH", METRICS_PATH))


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_store(path: str, size: int, mtime_ns: int) -> LoadResult:
    # Keyed by size and mtime so that a refreshed file is read again on the next rerun, and only then.
    del size, mtime_ns
    return read_metrics(Path(path))


def get_store() -> LoadResult:
    """Return the typed store, read once per change of the file; stop the page with the report if invalid."""
    path = store_path()
    stat = path.stat()
    try:
        return _read_store(str(path), stat.st_size, stat.st_mtime_ns)
    except InvalidMetricsError as err:
        st.error(f"数据文件未通过校验，请修正后刷新页面。{err}")
        st.dataframe(err.report, hide_index=True)
        st.stop()
        raise


@st.cache_data(show_spinner=False)
def get_batches() -> pd.DataFrame:
    """Return the register of batches."""
    return load_batches()
