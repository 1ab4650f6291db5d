"""Streamlit glue shared by the entry script and the pages: the cached store, language, filters, URL."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TypeVar, cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.pages_manager import PagesManager

from ftz.aggregate import TOTAL_COLUMNS, case_count, case_keys, indicator_choices, measure_choices, summable_in, totals
from ftz.briefing import PPTX_MIME, Briefing, filters_in_words, to_pptx
from ftz.charts import CHART_ITEMS, make_case_bar, make_total_bar, make_treemap
from ftz.export import EXCEL_MAX_ROWS, export_filename, export_mark, to_csv, to_xlsx
from ftz.filters import (
    LIST_KEYS,
    SEARCH_KEY,
    Filters,
    describe,
    filter_mask,
    filter_options,
    filters_said,
    from_query,
    search_column,
)
from ftz.i18n import DEFAULT_LANG, LANGS, batch_label, code_label, column_label, filter_label, localized, t
from ftz.timing import reduction_flags
from loaders import events
from loaders.document import parse_document
from loaders.filestore import merged_store, read_cells
from loaders.ingest import CatalogueChange, Prepared, Refused, prepare, prepare_measures
from loaders.measures import Catalogue, InvalidCatalogueError, unclassified_rows
from loaders.sources import Source
from loaders.store import BEIJING, METRICS_PATH, InvalidMetricsError, check_and_type, typed_batches
from loaders.stores import Draft, StoreUnavailable, open_store
from loaders.stores import Store as DataStore  # where the data is kept (files or a database)
from loaders.users import (
    IDLE_LIMIT,
    LOCK_AFTER,
    MAX_NAME,
    OK,
    Account,
    connection_of,
    https_required,
    sign_in,
    still_valid,
    viewer_login_required,
)

# Streamlit takes an app with a `pages/` folder for a legacy multipage app until the first
# st.navigation call of the process, and would run a deep-linked page (/areas?…) on its own, without
# the entry script's filters. This app always navigates with st.navigation.
PagesManager.uses_pages_directory = False
T = TypeVar("T")


@dataclass(frozen=True)
class Store:
    """The typed table with what every rerun needs from it, computed once per change of the file."""

    frame: pd.DataFrame
    options: dict[str, list[str]]
    changed: str  # when the data last changed, as shown (see loaders.store.last_changed)
    version: str
    catalogue: Catalogue
    token: str  # names this reading of the store and its catalogue: what memoised results are keyed by

    @cached_property
    def search(self) -> pd.Series:
        """The folded text the free-text search looks in, built the first time someone searches."""
        return search_column(self.frame)

    @cached_property
    def case_index(self) -> tuple[np.ndarray, pd.DataFrame]:
        """Return each row's case as a position in a table of the cases (each case's first row), and the
        table: which cases a selection has is then a count over positions, not a hash of its rows."""
        positions, _ = pd.factorize(case_keys(self.frame))
        firsts = self.frame.loc[
            ~pd.Index(positions).duplicated(), ["batch", "case_no", "case_title", "case_title_en", "area", "category"]
        ]
        return positions, firsts

    def cases_in(self, mask: np.ndarray) -> np.ndarray:
        """Return which cases (rows of the table of cases) the rows a mask selects come from."""
        positions, firsts = self.case_index
        return np.bincount(positions[mask], minlength=len(firsts)) > 0

    @cached_property
    def unclassified(self) -> int:
        """How many rows still carry their family's catch-all measure (a store from before the catalogue)."""
        return unclassified_rows(self.frame["measure"])

    @cached_property
    def reductions(self) -> pd.Series:
        """Which time figures with no phase state time saved, found the first time the time page opens."""
        return reduction_flags(self.frame)


@dataclass(frozen=True, eq=False)
class View:
    """What the entry script hands to the page it runs: language, filters and the rows they select.

    The selection is kept as a mask over the store and copied out only as far as a page asks: a
    page that needs a few columns, or one indicator's rows, does not copy every column of every row."""

    lang: str
    filters: Filters
    store: Store
    mask: np.ndarray  # which of the store's rows the filters select

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Return the selected rows, every column."""
        return self.store.frame[self.mask]

    @cached_property
    def figures(self) -> int:
        """Return how many rows are selected."""
        return int(self.mask.sum())

    @cached_property
    def _selected_cases(self) -> np.ndarray:
        return self.store.cases_in(self.mask)

    @cached_property
    def cases(self) -> int:
        """Return how many cases the selected rows come from."""
        return int(self._selected_cases.sum())

    @cached_property
    def key(self) -> str:
        """Name what the page shows: the store's reading (registers and documents included), the language and
        the filters. Equal views in any two sessions have equal keys."""
        filters = json.dumps(self.filters.to_query(), ensure_ascii=False, sort_keys=True)
        return f"{self.store.token}|{self.lang}|{filters}"

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """Return what `build` makes for this view, made once for every session that shows the same view.
        `name` must say everything `build` reads besides the view (the page, the measure chosen…); what it
        returns is shared, so it is never changed by the caller."""
        return cast(T, _memo(self.key, name, build))

    def columns(self, *names: str) -> pd.DataFrame:
        """Return the selected rows, only these columns."""
        return self.store.frame.loc[self.mask, list(names)]

    def case_rows(self) -> pd.DataFrame:
        """Return one row for each selected case: batch, case_no, case_title, area and category (the
        store's checks make every row of a case agree on them)."""
        return self.store.case_index[1][self._selected_cases]

    def head(self, n: int) -> pd.DataFrame:
        """Return the first n selected rows, every column."""
        return self.store.frame.iloc[np.flatnonzero(self.mask)[:n]]

    def rows_where(self, columns: Sequence[str] | None = None, **equal: object) -> pd.DataFrame:
        """Return the selected rows whose columns equal the values given (rows_where(indicator="time")):
        only these columns, or every column."""
        frame = self.store.frame
        chosen = self.mask.copy()
        for column, value in equal.items():
            chosen &= (frame[column] == value).to_numpy(dtype=bool, na_value=False)
        return frame[chosen] if columns is None else frame.loc[chosen, list(columns)]


# About ten entries a view (one a page or choice): room for some fifty views at once. An entry is
# small (figures of at most CHART_ITEMS bars, tables of at most TABLE_ROWS rows), but at a million rows
# a data page's table is a few MB, so the count is bounded and an unused view is let go within the hour.
@st.cache_resource(show_spinner=False, max_entries=512, ttl=3600)
def _memo(key: str, name: str, _build: Callable[[], object]) -> object:
    del key, name  # the cache's key only
    return _build()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store(database: str, path: str) -> DataStore:
    return open_store(database=database or None, path=None if database else Path(path or METRICS_PATH))


def data_store() -> DataStore:
    """Return the store the app shows: FTZ_DATABASE_URL if set, else FTZ_METRICS_PATH, else data/metrics.csv;
    stop the page with the reason if it cannot be used (a database that does not answer)."""
    try:
        return _open_store(os.environ.get("FTZ_DATABASE_URL", ""), os.environ.get("FTZ_METRICS_PATH", ""))
    except StoreUnavailable as err:
        events.event("error", "store", error=str(err).splitlines()[-1])
        st.error(str(err))
        st.stop()
        raise


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_store(_data: DataStore, where: str, state: Hashable) -> Store:
    # Keyed by the store's state, which every change of the table, a register, the catalogue or the change
    # log changes: a refreshed store is read again on the next rerun, and only then.
    result = _data.load()
    frame = result.frame
    token = hashlib.sha256(repr((where, state)).encode()).hexdigest()[:16]
    return Store(frame, filter_options(frame), _data.last_changed(), _data.version(), _data.catalogue(), token)


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_store_with_drafts(_data: DataStore, where: str, state: Hashable) -> Store:
    # What staff see while drafts wait (FTZ_APPROVAL=1): the table with each draft's batches in place of
    # theirs, typed and checked as the table is. Leaders' sessions never read this.
    cells = _data.current().cells
    for draft in _data.drafts():
        cells = merged_store(cells, read_cells(io.BytesIO(_data.draft_text(draft.id))))
    frame = check_and_type(cells, _data.areas(), _data.catalogue(), where).frame
    token = hashlib.sha256(repr((where, state, "drafts")).encode()).hexdigest()[:16]
    version = f"{_data.version()}+{t('with_drafts', 'zh')}"
    return Store(frame, filter_options(frame), _data.last_changed(), version, _data.catalogue(), token)


@st.cache_data(show_spinner=False, max_entries=4)
def _read_drafts(_data: DataStore, where: str, state: Hashable) -> list[Draft]:
    del where, state  # the cache's key only
    return _data.drafts()


def get_drafts() -> list[Draft]:
    """Return the drafts waiting to be published, read again when the store changes."""
    data = data_store()
    return _read_drafts(data, data.where, data.state())


def get_store(account: Account | None = None) -> Store:
    """Return the store, read once per change; stop the page with the report if it is invalid. A signed-in
    editor or approver sees the drafts waiting to be published in it; everybody else the published data."""
    data = data_store()
    try:
        if account is not None and account.can("drafts") and get_drafts():
            return _read_store_with_drafts(data, data.where, data.state())
        return _read_store(data, data.where, data.state())
    except StoreUnavailable as err:
        events.event("error", data, error=str(err).splitlines()[-1])
        st.error(str(err))
        st.stop()
        raise
    except (InvalidMetricsError, InvalidCatalogueError) as err:
        events.event("error", data, error="invalid-store", problems=len(err.report))
        st.error(f"{t('invalid_store', 'zh')} {t('invalid_store', 'en')}\n\n{err}")
        st.dataframe(err.report, hide_index=True)
        st.stop()
        raise


def draft_batches(draft: Draft, lang: str) -> str:
    """Return the batches of a draft as read: 第八批、第九批."""
    return t("list_sep", lang).join(batch_label(int(b), lang) for b in draft.batches.split())


def drafts_notice(account: Account | None, lang: str) -> None:
    """Tell a signed-in editor or approver that the pages include drafts leaders do not see yet."""
    if account is None or not account.can("drafts"):
        return
    drafts = get_drafts()
    if drafts:
        said = t("list_sep", lang).join(t("draft_of", lang, batches=draft_batches(d, lang), who=d.who) for d in drafts)
        st.warning(t("drafts_shown", lang, drafts=said), icon=":material/pending:")


@st.cache_data(show_spinner=False, max_entries=4)
def _read_batches(_data: DataStore, where: str, state: Hashable) -> pd.DataFrame:
    del where, state  # the cache's key only: an import that registers a batch changes the state
    return typed_batches(_data.register("batches"))


def get_batches() -> pd.DataFrame:
    """Return the store's register of batches, read again when an import changes it."""
    data = data_store()
    return _read_batches(data, data.where, data.state())


@st.cache_data(show_spinner=False, max_entries=4)
def _read_areas(_data: DataStore, where: str, state: Hashable) -> pd.DataFrame:
    del where, state  # the cache's key only
    return _data.register("areas")


def get_areas() -> pd.DataFrame:
    """Return the store's register of areas with their English names and colours."""
    data = data_store()
    return _read_areas(data, data.where, data.state())


def area_colors() -> dict[str, str]:
    """Return each area's colour, the same on every page."""
    areas = get_areas()
    return dict(zip(areas["area"], areas["color"], strict=True))


def area_names(lang: str) -> dict[str, str]:
    """Return how each area is named in the language (the document's name in Chinese)."""
    areas = get_areas()
    return dict(zip(areas["area"], areas["area_en"] if lang == "en" else areas["area"], strict=True))


@st.cache_data(show_spinner=False, max_entries=4)
def _english_names(_data: DataStore, where: str, state: Hashable) -> dict[str, str]:
    del where, state  # the cache's key only: a register an import extends, or staff edit, is read again
    return _data.english_names()


def display_names(lang: str) -> dict[str, str]:
    """Return how areas, categories and providing departments are named in the language, for labels: in
    English the registers' English names; in Chinese the document's names, which the data already holds."""
    if lang != "en":
        return {}
    data = data_store()
    return _english_names(data, data.where, data.state())


def _format_for(key: str, lang: str) -> Callable[[str], str]:
    names = display_names(lang) if key in ("area", "category") else {}
    return lambda value: filter_label(key, value, lang, names)


def _seed_from_url(store: Store) -> None:
    """Put the URL's language and filters into the widgets, once per session."""
    if "url_seeded" in st.session_state:
        return
    query = {key: st.query_params.get_all(key) for key in (*LIST_KEYS, SEARCH_KEY)}
    filters = from_query(query, store.options)
    for key in LIST_KEYS:
        st.session_state[f"f_{key}"] = list(getattr(filters, key))
    st.session_state["f_q"] = filters.q
    st.session_state["url_seeded"] = True


MARKDOWN_MARKS = "\\`*_{}[]()#+-.!|<>~$"


def as_markdown_text(text: str) -> str:
    """Return text that Markdown shows as typed (a search for **x** stays **x**)."""
    return "".join("\\" + char if char in MARKDOWN_MARKS else char for char in text)


def seed_language() -> str:
    """Return the language shown: the switch's, else the URL's on a session's first run, else Chinese."""
    if "lang" not in st.session_state:
        lang = st.query_params.get("lang", DEFAULT_LANG)
        st.session_state["lang"] = lang if lang in LANGS else DEFAULT_LANG
    lang = st.session_state["lang"]
    return lang if lang in LANGS else DEFAULT_LANG


def _reset_filters() -> None:
    for key in LIST_KEYS:
        st.session_state[f"f_{key}"] = []
    st.session_state["f_q"] = ""


# URL keys that belong to one page (the case page's case=7-10): kept on that page, dropped elsewhere.
PAGE_KEYS = {"case": ("case",)}


def parse_case_key(text: str) -> tuple[int, int] | None:
    """Return (batch, case number) of a case named as in links, 7-10; None if it is not one."""
    batch, _, case_no = str(text).partition("-")
    if batch.isascii() and batch.isdigit() and case_no.isascii() and case_no.isdigit():
        return int(batch), int(case_no)
    return None


def _write_url(lang: str, filters: Filters, page: str) -> None:
    """Keep the URL equal to what is shown, so that a copied link opens the same view."""
    wanted = filters.to_query()
    if lang != DEFAULT_LANG:
        wanted["lang"] = [lang]
    for key in PAGE_KEYS.get(page, ()):
        if key in st.query_params:
            wanted[key] = st.query_params.get_all(key)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def sidebar(store: Store, page: str) -> View:
    """Draw the language switch and the global filters in the sidebar; return what they select on the
    page about to run (its URL path, whose own URL keys are kept)."""
    _seed_from_url(store)
    with st.sidebar:
        lang = st.segmented_control(
            t("language", st.session_state.get("lang", DEFAULT_LANG)),
            LANGS,
            format_func=lambda code: "中文" if code == "zh" else "English",
            key="lang",
            selection_mode="single",
            required=True,
        )
        lang = lang if lang in LANGS else DEFAULT_LANG
        # The filters open from one button: a leader sees the pages sooner (the browser draws the lists
        # only when they are opened), and what is chosen is said below it, in words.
        # Counted before the lists are drawn: a client that sends back no value for them (one that never
        # drew them) gets them drawn afresh from their keys below.
        state = st.session_state
        chosen = sum(bool(state.get(f"f_{key}")) for key in LIST_KEYS) + bool(str(state.get("f_q", "")).strip())
        label = t("filters_set", lang, n=chosen) if chosen else t("filters", lang)
        with st.popover(label, icon=":material/filter_list:", width="stretch", key="filters_popover"):
            for key in LIST_KEYS:
                st.multiselect(
                    t(f"f_{key}", lang),
                    store.options[key],
                    format_func=_format_for(key, lang),
                    key=f"f_{key}",
                    placeholder=t("f_all", lang),
                )
            st.text_input(t("f_q", lang), key="f_q")
        filters = Filters(**{key: tuple(st.session_state[f"f_{key}"]) for key in LIST_KEYS}, q=st.session_state["f_q"])
        mask = filter_mask(store.frame, filters, store.search if filters.q.strip() else None)
        said = filters_said(filters, lang, display_names(lang))
        st.caption("  \n".join(map(as_markdown_text, said)) or t("all_data", lang))
        st.button(t("reset", lang), on_click=_reset_filters, key="reset", disabled=filters.is_empty())
        view = View(lang, filters, store, mask)
        st.caption(t("matching", lang, cases=view.cases, figures=view.figures))
    _write_url(lang, filters, page)
    return view


def set_view(view: View) -> None:
    """Hand the view to the page about to run."""
    st.session_state["view"] = view


def get_view() -> View:
    """Return the view the entry script prepared for this rerun (rerunning through it if it did not run)."""
    if "view" not in st.session_state:
        st.rerun()
    view: View = st.session_state["view"]
    return view


def stop_if_empty(view: View) -> None:
    """Show a friendly message and stop the page when the filters match nothing."""
    if not view.figures:
        st.info(t("nothing_matches", view.lang))
        st.stop()


# The most rows a table sends to the browser; the export has them all.
TABLE_ROWS = 5_000


def caption_if_cut(shown: int, total: int, lang: str, message: str = "chart_top") -> None:
    """Say under a chart or table that it shows only part of the selection, when it does."""
    if total > shown:
        st.caption(t(message, lang, shown=f"{shown:,}", total=f"{total:,}"))


def show_chart(fig: go.Figure, name: str, key: str) -> None:
    """Draw a figure whose camera button saves a PNG named for what it shows."""
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}}
    st.plotly_chart(fig, config=config, key=key)


@dataclass(frozen=True)
class Comparison:
    """What the areas or categories page shows of one measure: its three charts, how many cases its
    figures come from, and the indicator's other figures (left out of its totals) as a table."""

    total: go.Figure
    cases: go.Figure
    treemap: go.Figure
    case_count: int
    others: pd.DataFrame
    others_count: int


def compare(view: View, dimension: str, indicator: str, measure: str) -> Comparison:
    """Return the comparison of one measure by area or category, from ftz.aggregate's totals."""
    lang, catalogue = view.lang, view.store.catalogue
    rows = view.rows_where(indicator=indicator)
    unit, title = catalogue.standard_unit(measure), catalogue.name(measure, lang)
    names, colors = display_names(lang), area_colors()
    chosen = summable_in(rows, catalogue, measure)
    shown = localized(chosen, lang)
    levels = ["area", "category"] if dimension == "area" else ["category", "area"]
    others = rows[~rows.index.isin(chosen.index)]
    return Comparison(
        total=make_total_bar(
            totals(rows, catalogue, measure, by=[dimension]), dimension, unit, lang, colors, names, title
        ),
        cases=make_case_bar(shown, unit, lang, colors, names, title),
        treemap=make_treemap(shown, levels, unit, lang, colors, names, title),
        case_count=case_count(chosen),
        others=table_frame(others, lang, catalogue),
        others_count=len(others),
    )


def compare_page(view: View, dimension: str) -> None:
    """Lay out the areas or categories page: pick an indicator family, then one of its measures; then
    totals, cases and a treemap of that measure alone, and the figures left out of its totals. What the
    page computes is made once per view and choice for every session (View.memo)."""
    lang, catalogue = view.lang, view.store.catalogue
    st.title(t("page_areas" if dimension == "area" else "page_categories", lang))
    stop_if_empty(view)
    indicators = view.memo("indicators", lambda: indicator_choices(view.columns(*TOTAL_COLUMNS), catalogue))
    if not indicators:
        st.info(t("no_totals", lang))
        st.stop()
    left, right = st.columns(2)
    indicator = left.selectbox(
        t("choose_indicator", lang),
        indicators,
        format_func=lambda code: code_label("indicator", code, lang),
        key=f"{dimension}_indicator",
    )
    measures = view.memo(
        f"measures-{indicator}", lambda: measure_choices(view.rows_where(indicator=indicator), catalogue, indicator)
    )
    current = st.session_state.get(f"{dimension}_measure")
    measure = right.selectbox(
        t("choose_measure", lang),
        measures,
        format_func=lambda code: catalogue.name(code, lang),
        key=f"{dimension}_measure",
        help=catalogue.definition(current if current in measures else measures[0], lang),
    )
    st.caption(f"{t('definition', lang)}{t('label_sep', lang)}{catalogue.definition(measure, lang)}")
    shown = view.memo(
        f"compare-{dimension}-{indicator}-{measure}", lambda: compare(view, dimension, indicator, measure)
    )
    file_stem = f"{dimension}-{measure}"
    show_chart(shown.total, f"{file_stem}-total", f"{dimension}_total")
    show_chart(shown.cases, f"{file_stem}-cases", f"{dimension}_cases")
    caption_if_cut(CHART_ITEMS, shown.case_count, lang)
    show_chart(shown.treemap, f"{file_stem}-treemap", f"{dimension}_treemap")
    if shown.others_count:
        st.caption(t("excluded_from_totals", lang, n=shown.others_count))
        caption_if_cut(TABLE_ROWS, shown.others_count, lang, "showing")
        st.dataframe(shown.others, hide_index=True, key=f"{dimension}_others")
    download_buttons(view, key=dimension, briefing=True)


# The columns show_table shows, and those the explorer reads: its ranking, bars and table.
TABLE_COLUMNS = ["case_no", "case_title", "area", "metric", "measure", "value_text", "kind", "scope", "as_of"]
EXPLORER_COLUMNS = [*TABLE_COLUMNS, "batch", "value_std", "unit_std", "case_title_en", "metric_en"]


def show_table(rows: pd.DataFrame, lang: str, key: str, catalogue: Catalogue) -> None:
    """Show figures as they are written, under the schema's column names in the language, codes and
    measures by their names (the first TABLE_ROWS of them)."""
    caption_if_cut(TABLE_ROWS, len(rows), lang, "showing")
    st.dataframe(table_frame(rows, lang, catalogue), hide_index=True, key=key)


def table_frame(rows: pd.DataFrame, lang: str, catalogue: Catalogue) -> pd.DataFrame:
    """Return the first TABLE_ROWS figures as show_table shows them."""
    columns = TABLE_COLUMNS
    rows = localized(rows.head(TABLE_ROWS), lang)
    shown = rows[columns].assign(
        measure=rows["measure"].astype(str).map(catalogue.names(lang)),
        kind=rows["kind"].astype(str).map(lambda c: code_label("kind", c, lang)),
        scope=rows["scope"].astype(str).map(lambda c: code_label("scope", c, lang)),
        area=rows["area"].astype(str).map(area_names(lang)),
        as_of=rows["as_of"].astype("string").fillna(""),
    )
    return shown.rename(columns={c: column_label(c, lang) for c in columns})


def show_report(report: pd.DataFrame, key: str | None = None) -> None:
    """Show a validation report as staff read it: row (as in Excel), column, value, reason, code."""
    st.dataframe(report[["row", "column", "value", "message", "code"]], hide_index=True, key=key)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def logged_export(view: View, file_name: str, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """Return what makes an export's file: `build`, which also logs who took which file of which filters
    when pages ask for an account (FTZ_VIEWER_LOGIN=1)."""
    if not viewer_login_required():
        return build
    session: SignedIn | None = st.session_state.get(SIGNED_IN)
    who = session.account.name if session else ""
    data, filters = data_store(), filters_in_words(view.filters, "zh", {})

    def build_and_log() -> bytes:
        content = build()
        data.record_export(datetime.now(BEIJING), who, file_name, filters)
        return content

    return build_and_log


def download_buttons(view: View, key: str, briefing: bool = False) -> None:
    """Offer the selected rows as Excel and CSV, and the briefing deck if asked; the files, and the copy
    of the rows they hold, are made only when a button is clicked."""
    lang, empty, mark = view.lang, not view.figures, export_mark()
    exported_at = datetime.now(BEIJING)
    filters, names = describe(view.filters), display_names(lang)
    batches = view.case_rows()  # the file names say which batches
    left, right, ppt, _ = st.columns([2, 2, 3, 2])
    too_many = view.figures + 1 > EXCEL_MAX_ROWS
    xlsx_name = export_filename(batches, filters, lang, names, exported_at, "xlsx", mark)
    left.download_button(
        t("download_excel", lang),
        data=logged_export(
            view,
            xlsx_name,
            lambda: to_xlsx(
                view.rows,
                filters=filters,
                lang=lang,
                batches=get_batches(),
                area_names=names,
                data_version=view.store.version,
                exported_at=exported_at,
                catalogue=view.store.catalogue,
                data_changed=view.store.changed,
                mark=mark,
            ),
        ),
        file_name=xlsx_name,
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        disabled=too_many or empty,
        on_click="ignore",
        icon=":material/download:",
    )
    csv_name = export_filename(batches, filters, lang, names, exported_at, "csv", mark)
    right.download_button(
        t("download_csv", lang),
        data=logged_export(view, csv_name, lambda: to_csv(view.rows, lang, view.store.catalogue, names)),
        file_name=csv_name,
        mime="text/csv",
        key=f"{key}_csv",
        disabled=empty,
        on_click="ignore",
        icon=":material/download:",
    )
    if briefing:
        with ppt:
            briefing_button(view, key)
    if too_many:
        st.warning(t("too_many_rows", lang, n=f"{view.figures:,}", limit=f"{EXCEL_MAX_ROWS - 1:,}"))


def briefing_button(view: View, key: str) -> None:
    """Offer the selection as a briefing deck, built only when the button is clicked."""
    lang, mark = view.lang, export_mark()
    shown_at = datetime.now(BEIJING)  # names the file; the deck says when it was made, at the click
    names = display_names(lang)
    file_name = export_filename(view.case_rows(), describe(view.filters), lang, names, shown_at, "pptx", mark)

    def build() -> bytes:
        briefing = Briefing(
            rows=view.rows,
            lang=lang,
            filters=view.filters,
            batches=get_batches(),
            names=names,
            colors=area_colors(),
            catalogue=view.store.catalogue,
            data_changed=view.store.changed,
            data_version=view.store.version,
            made_at=datetime.now(BEIJING),
            mark=mark,
        )
        return to_pptx(briefing)

    st.download_button(
        t("download_briefing", lang),
        data=logged_export(view, file_name, build),
        file_name=file_name,
        mime=PPTX_MIME,
        key=f"{key}_pptx",
        disabled=not view.figures,
        on_click="ignore",
        icon=":material/slideshow:",
        type="primary",
    )


def admin_password() -> str | None:
    """Return the admin password from st.secrets["admin_password"] or FTZ_ADMIN_PASSWORD, None if unset."""
    try:
        secret = st.secrets.get("admin_password")
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        secret = None
    value = secret or os.environ.get("FTZ_ADMIN_PASSWORD")
    return str(value) if value else None


# What a signed-in browser session remembers: the account, its fingerprint when it signed in, and when
# the session was last active.
SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class SignedIn:
    account: Account
    fingerprint: str
    seen: datetime
    sso: bool = False  # signed in through the organisation's OpenID Connect provider (st.login)


def sso_configured() -> bool:
    """Return whether single sign-on is set up: an [auth] section in .streamlit/secrets.toml."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        return False


def _sso_sign_in(now: datetime) -> Account | None:
    """Sign in the person the provider names (st.user), with the role of the account of that name."""
    if not sso_configured() or not st.user.is_logged_in or st.session_state.get("sso_ended"):
        return None
    name = str(st.user.get("preferred_username") or st.user.get("email") or st.user.get("name") or "")
    account = store_accounts().get(name)
    if account is None:
        st.session_state["sso_unknown"] = name
        return None
    data_store().record_signin(now, name, OK)
    st.session_state[SIGNED_IN] = SignedIn(account, account.fingerprint, now, sso=True)
    return account


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_accounts(_data: DataStore, where: str, state: Hashable) -> dict[str, Account]:
    del where, state  # the cache's key only
    return _data.accounts()


def store_accounts() -> dict[str, Account]:
    """Return the store's accounts, read again when the store changes."""
    data = data_store()
    return _read_accounts(data, data.where, data.state())


def current_account(now: datetime | None = None) -> Account | None:
    """Return the account this browser session is signed in as, and count this run as activity; None,
    and the session signed out, after IDLE_LIMIT without activity or when the account was removed or its
    password or role changed (so that withdrawing access takes effect at the next click)."""
    session: SignedIn | None = st.session_state.get(SIGNED_IN)
    now = now or datetime.now(BEIJING)
    if session is None:
        return _sso_sign_in(now)
    if now - session.seen > IDLE_LIMIT:
        account, why = None, "signed_out_idle"
    else:
        legacy = admin_password() is not None
        account, why = still_valid(session.account, session.fingerprint, store_accounts(), legacy), "signed_out_changed"
    if account is None:
        del st.session_state[SIGNED_IN]
        st.session_state["signed_out_why"] = why
        st.session_state["sso_ended"] = session.sso  # the provider's cookie signs in again only when asked
        return None
    st.session_state[SIGNED_IN] = SignedIn(account, session.fingerprint, now, session.sso)
    return account


def signed_in_account() -> Account | None:
    """Return the account this session is signed in as, as the entry script found it on this run (pages
    call this; only the entry script calls current_account, once a run)."""
    session: SignedIn | None = st.session_state.get(SIGNED_IN)
    return session.account if session is not None else None


def say_after_rerun(message: str) -> None:
    """Rerun now, and say `message` on the page the rerun draws (where say_what_was_done is called): for a
    change that also changes what the page lists (a draft published, an account removed)."""
    st.session_state["done_message"] = message
    st.rerun()


def say_what_was_done() -> None:
    """Say what say_after_rerun asked to, once."""
    message = st.session_state.pop("done_message", None)
    if message:
        st.success(message)


def sign_in_form(lang: str) -> None:
    """Show the sign-in form (Enter submits); sign the session in, or say why not."""
    why = st.session_state.pop("signed_out_why", None)
    if why:
        st.info(t(why, lang, minutes=int(IDLE_LIMIT.total_seconds() // 60)))
    connection = connection_of(st.context.url)
    if https_required() and connection != "https":
        st.error(t("https_required", lang))
        return
    if connection == "plain":
        st.warning(t("plain_http", lang))
    with st.form("signin"):
        name = st.text_input(t("account_name", lang), key="signin_name", max_chars=MAX_NAME)
        password = st.text_input(t("password", lang), type="password", key="signin_password")
        submitted = st.form_submit_button(t("login", lang), type="primary")
    if not submitted:
        return
    now = datetime.now(BEIJING)
    result = sign_in(data_store(), name, password, now, legacy_password=admin_password(), wait=time.sleep)
    if result.account is not None:
        st.session_state[SIGNED_IN] = SignedIn(result.account, result.account.fingerprint, now)
        st.rerun()
    elif result.until is not None:
        st.error(t("locked_until", lang, n=LOCK_AFTER, until=f"{result.until.astimezone(BEIJING):%H:%M}"))
    else:
        st.error(t("wrong_password", lang))


def sign_in_gate(lang: str) -> None:
    """Offer single sign-on when it is set up, and ask for an account and password; or say how to create
    the first account when there is none."""
    if sso_configured():
        unknown = st.session_state.get("sso_unknown")
        if unknown:
            st.warning(t("sso_no_account", lang, name=unknown))
        st.button(t("sso_login", lang), on_click=_sso_login, key="sso_login", type="primary", icon=":material/badge:")
    if admin_password() is None and not store_accounts():
        st.warning(t("no_accounts", lang))
    else:
        sign_in_form(lang)


def _sso_login() -> None:
    st.session_state.pop("sso_ended", None)
    st.session_state.pop("sso_unknown", None)
    st.login()


def sign_out() -> None:
    """End this browser session's sign-in."""
    st.session_state.pop(SIGNED_IN, None)


def signed_in_box(account: Account | None, lang: str) -> None:
    """Say in the sidebar who is signed in, with the button that signs out."""
    if account is None:
        return
    with st.sidebar:
        st.caption(t("signed_in_as", lang, name=account.name, role=role_label(account.role, lang)))
        if st.button(t("logout", lang), key="sign_out", icon=":material/logout:"):
            session: SignedIn | None = st.session_state.get(SIGNED_IN)
            sign_out()
            if session is not None and session.sso:
                st.session_state["sso_ended"] = True
                # The provider's cookie too: the browser leaves for /auth/logout and comes back to the overview
                # in a new session. No rerun here: a rerun dropped that redirect before the browser got it, and
                # the next session was signed in again by the cookie.
                st.logout()
                st.stop()
            st.rerun()


def role_label(role: str, lang: str) -> str:
    """Return a role as shown: 编辑 (editor)."""
    return t(f"role_{role}", lang)


@st.cache_resource(show_spinner=False, max_entries=2)
def _check_file(
    data: bytes, name: str, _store: DataStore, where: str, state: Hashable, _source: Source | None, source_key: str
) -> Prepared | pd.DataFrame:
    del where, state, source_key  # the cache's key only: a changed store or document means checking again
    try:
        return prepare(data, name, _store, _source)
    except Refused as refused:
        return refused.report


def check_file(data: bytes, name: str, store: DataStore, source: Source | None = None) -> Prepared | pd.DataFrame:
    """Return the file checked against the store (or the report refusing it) and its quotes against the
    batch's document when one is given, once per file, document and store state, not on every click."""
    source_key = repr(source.register_row()) + source.text if source is not None else ""
    return _check_file(data, name, store, store.where, store.state(), source, source_key)


@st.cache_resource(show_spinner=False, max_entries=2)
def _check_measures(
    data: bytes, name: str, _store: DataStore, where: str, state: Hashable
) -> CatalogueChange | pd.DataFrame:
    del where, state  # the cache's key only: a changed store or catalogue means checking the file again
    try:
        return prepare_measures(data, name, _store)
    except Refused as refused:
        return refused.report


def check_measures(data: bytes, name: str, store: DataStore) -> CatalogueChange | pd.DataFrame:
    """Return a catalogue file merged and checked against the store (or the report refusing it), once per
    file and state of the store and its catalogue."""
    return _check_measures(data, name, store, store.where, store.state())


@st.cache_data(show_spinner=False, max_entries=8)
def _case_texts(
    _data: DataStore, where: str, state: Hashable, source: str, areas: tuple[str, ...]
) -> dict[int, list[tuple[str, str]]] | None:
    del where, state  # the cache's key only: a document replaced or edited is read again
    text = _data.document(source)
    if text is None:
        return None
    document = parse_document(text.decode("utf-8"), list(areas))
    return {case.entry.case_no: [(s.section, s.text) for s in case.sentences] for case in document.cases}


def case_text(batch: int, case_no: int) -> list[tuple[str, str]] | None:
    """Return a case's sentences (section, text) in document order from its batch's registered source
    document; None when the batch has no document in the store."""
    batches = get_batches()
    registered = batches.loc[batches["batch"] == batch, "source_file"]
    source = str(registered.iloc[0]) if not registered.empty else ""
    if not source:
        return None
    data = data_store()
    texts = _case_texts(data, data.where, data.state(), source, tuple(get_areas()["area"]))
    return None if texts is None else texts.get(case_no)
