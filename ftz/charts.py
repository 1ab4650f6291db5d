"""Plotly figure builders: DataFrame in, Figure out, every label in the language asked for."""

from __future__ import annotations

import html
from collections.abc import Hashable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from ftz.aggregate import EXACT, case_count, crosstab, first_of_each_case, readable_money, row_bound
from ftz.i18n import batch_label, t, unit_label

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
GREY = "#8c8c8c"
PRIMARY = "#1f5fa8"
BOUND_MARK = {"at_least": "≥", "at_most": "≤", "about": "≈", EXACT: ""}
# Room above the plot for a title of two lines (the measure, then what is drawn).
TWO_LINE_TITLE = {"l": 10, "r": 10, "t": 70, "b": 10}
# The most bars, cases or batches one chart shows: more cannot be read, and a chart of thousands of
# bars would be slow to send and draw. The tables and the export keep every row.
CHART_ITEMS = 40


def _figure(title: str, height: int, traces: Sequence[BaseTraceType] = (), **layout: object) -> go.Figure:
    """Return a figure in the house style with its traces and any layout given on top (dicts such as
    xaxis are merged into the house ones). The whole layout is given at once: each update_* call
    afterwards costs plotly a few milliseconds of validation."""
    base: dict[str, object] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "plot_bgcolor": "white",
        # Under the plot: a legend over it wraps on a phone and covers the title.
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {"automargin": True, "gridcolor": "#eeeeee"},
        "yaxis": {"automargin": True, "gridcolor": "#eeeeee"},
    }
    for key, value in layout.items():
        house = base.get(key)
        base[key] = {**house, **value} if isinstance(house, dict) and isinstance(value, dict) else value
    return go.Figure(data=list(traces), layout=base)


def case_labels(rows: pd.DataFrame, text: str, lang: str, with_batch: bool | None = None) -> list[str]:
    """Return "case number. text" per row, led by the batch when the rows come from more than one (or
    when `with_batch` says so), so that the same case number and words in two batches stay two bars."""
    numbered = [f"{n}. {words}" for n, words in zip(rows["case_no"], rows[text], strict=True)]
    if not (rows["batch"].nunique() > 1 if with_batch is None else with_batch):
        return numbered
    return [f"{batch_label(int(b), lang)} {label}" for b, label in zip(rows["batch"], numbered, strict=True)]


def hover_data(rows: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    """Return the columns row by row, for a trace's customdata. DataFrame.to_numpy would turn every
    category of a categorical column into an object first: 35 ms for the case titles of 1M rows."""
    return [list(values) for values in zip(*(rows[c].tolist() for c in columns), strict=True)]


def short(text: str, limit: int = 12) -> str:
    """Return a label cut to `limit` characters with an ellipsis, so that axes fit a phone's width."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_number(value: float) -> str:
    """Return a number with thousands separators and only the decimals it has (1,234 / 4,324.96)."""
    if pd.isna(value):
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def format_total(total: float, unit_std: str, bound: str, lang: str) -> str:
    """Return a total as read on screen: ≥ 1,098.2 亿元 in Chinese (money in 万元 or 亿元), ≥ 10.98 bn yuan
    in English (money in yuan, M yuan or bn yuan: "100M yuan" is no unit an English reader counts in)."""
    if lang == "en" and unit_std == "万元":
        amount = yuan_in_words(total, SHORT_SCALES)
    else:
        value, unit = readable_money(total, unit_std)
        amount = f"{format_number(value)} {unit_label(unit, lang)}"
    mark = BOUND_MARK.get(bound, "≈")
    return f"{mark}{' ' if mark else ''}{amount}".strip()


# One of a unit counted in English: 1 hour, 1 working day (not 1 hours).
ONE_OF = {
    "minutes": "minute",
    "hours": "hour",
    "days": "day",
    "weeks": "week",
    "months": "month",
    "years": "year",
    "working days": "working day",
    "firms": "firm",
    "people": "person",
    "items": "item",
    "units": "unit",
    "times": "time",
    "events": "event",
    "transactions": "transaction",
    "entries": "entry",
    "editions": "edition",
}


def total_said(item: Mapping[Hashable, object], lang: str) -> str:
    """Return a total of ftz.aggregate (a record with total, unit_std and bound) as format_total says it."""
    return format_total(float(str(item["total"])), str(item["unit_std"]), str(item["bound"]), lang)


def chart_scale(largest: float, unit_std: str, lang: str) -> tuple[float, str]:
    """Return what a chart divides its values of a unit by, and the unit it then names, as format_total
    says its largest value: money in 亿元 from 1亿 up in Chinese, in M or bn yuan in English."""
    if unit_std == "万元" and lang == "en":
        size, word = next(((size, word) for size, word in SHORT_SCALES if abs(largest) * 10_000 >= size), (1, ""))
        return size / 10_000, f"{word} yuan".strip()
    shown = readable_money(largest, unit_std)[1]
    return (10_000.0 if shown != unit_std else 1.0), unit_label(shown, lang)


BOUND_WORDS = {"at_least": "over", "at_most": "up to", "about": "about", EXACT: ""}
SCALES = ((1e9, "billion"), (1e6, "million"))
SHORT_SCALES = ((1e9, "bn"), (1e6, "M"))


def yuan_in_words(value_wan: float, scales: tuple[tuple[float, str], ...] = SCALES) -> str:
    """Return an amount in 万元 as yuan in English, scaled: 18.3 billion yuan (or 18.3 bn yuan)."""
    yuan = value_wan * 10_000
    size, word = next(((size, word) for size, word in scales if abs(yuan) >= size), (1.0, ""))
    return f"{format_number(yuan / size)} {word} yuan".replace("  ", " ")


def english_figure(value_std: float, unit_std: str, bound: str, value_high: float | None = None) -> str:
    """Return one figure as an English reader says it: over 18.3 billion yuan, about 80 firms, 2–3 days.
    `value_std` and `value_high` are in `unit_std` (a unit as written is its own standard too)."""
    high = "" if value_high is None or pd.isna(value_high) else f"–{format_number(value_high)}"
    if unit_std == "万元" and not high:
        amount = yuan_in_words(value_std)
    else:
        unit = unit_label(unit_std, "en")
        if value_std == 1 and not high:
            unit = ONE_OF.get(unit, unit)
        amount = f"{format_number(value_std)}{high} {unit}"
    return f"{BOUND_WORDS.get(bound, 'about')} {amount}".strip()


def _one_measure(rows: pd.DataFrame) -> None:
    """Refuse to draw a sum of figures of more than one measure: a caller that passes unlike figures is a
    bug, never a chart."""
    if "measure" in rows and rows["measure"].nunique() > 1:
        raise ValueError(f"a chart of sums takes one measure, not {sorted(map(str, rows['measure'].unique()))}")


def _empty(title: str, height: int, lang: str) -> go.Figure:
    note = {
        "text": t("nothing_matches", lang),
        "showarrow": False,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
    }
    return _figure(title, height, annotations=[note], xaxis={"visible": False}, yaxis={"visible": False})


def make_area_category_heatmap(frame: pd.DataFrame, lang: str, names: dict[str, str]) -> go.Figure:
    """Return a heatmap of how many cases each area has in each category, areas and categories named
    as `names` gives them in the language."""
    title, height = t("cases_by_area_category", lang), 300
    if frame.empty:
        return _empty(title, height, lang)
    # Given one row per case already (View.case_rows), the first step keeps them all.
    counts = crosstab(first_of_each_case(frame[["batch", "case_no", "area", "category"]]), "area", "category")
    y = [names.get(str(a), str(a)) for a in counts.index]
    heatmap = go.Heatmap(
        z=counts.to_numpy(),
        x=[names.get(str(c), str(c)) for c in counts.columns],
        y=y,
        colorscale="Blues",
        text=counts.to_numpy(),
        texttemplate="%{text}",
        hovertemplate=f"%{{y}} · %{{x}}<br>{t('count_cases', lang)}: %{{z}}<extra></extra>",
        showscale=False,
        xgap=2,
        ygap=2,
    )
    return _figure(title, height, [heatmap], yaxis={"autorange": "reversed"})


def make_total_bar(
    totals: pd.DataFrame,
    dimension: str,
    unit_std: str,
    lang: str,
    colors: dict[str, str],
    names: dict[str, str],
    measure: str,
    height: int = 320,
) -> go.Figure:
    """Return bars of one measure's totals (named `measure`) by area or category, each labelled with its
    bound (≥, ≈) and unit. The title gives the measure on its first line, what the bars are on the
    second: a title on one line would be cut at a phone's width."""
    scale, shown_unit = chart_scale(0.0 if totals.empty else float(totals["total"].max()), unit_std, lang)
    by = t("by_area" if dimension == "area" else "by_category", lang)
    title = f"{measure}<br>{by}{t('unit_in', lang, unit=shown_unit)}"
    if totals.empty:
        return _empty(title, height, lang)
    labels = [names.get(str(v), str(v)) for v in totals[dimension]]
    bar = go.Bar(
        x=labels,
        y=totals["total"] / scale,
        marker_color=[colors.get(str(v), PRIMARY) for v in totals[dimension]],
        text=[format_total(v, unit_std, b, lang) for v, b in zip(totals["total"], totals["bound"], strict=True)],
        textposition="outside",
        customdata=totals["figures"],
        hovertemplate=f"%{{x}}<br>%{{text}}<br>{t('n_figures', lang)}: %{{customdata}}<extra></extra>",
        cliponaxis=False,
        width=0.5 if len(totals) <= 3 else None,
    )
    return _figure(title, height, [bar], yaxis={"tickformat": ","}, margin=TWO_LINE_TITLE)


def make_case_bar(
    rows: pd.DataFrame, unit_std: str, lang: str, colors: dict[str, str], names: dict[str, str], measure: str
) -> go.Figure:
    """Return horizontal bars of each case's total, the CHART_ITEMS largest (rows are the summable
    figures of one measure, named `measure`)."""
    _one_measure(rows)
    sums = rows.groupby(["batch", "case_no", "case_title", "area"], observed=True)["value_std"].sum()
    per_case = sums.reset_index().nlargest(CHART_ITEMS, "value_std").sort_values("value_std")
    title, height = f"{measure}<br>{t('by_case', lang)}", max(300, 80 + 28 * len(per_case))
    if rows.empty:
        return _empty(title, height, lang)
    scale, shown_unit = chart_scale(float(per_case["value_std"].max()), unit_std, lang)
    labels = pd.Series(case_labels(per_case, "case_title", lang), index=per_case.index)
    bars = [
        go.Bar(
            y=labels[part.index].tolist(),
            x=part["value_std"] / scale,
            orientation="h",
            name=names.get(str(area), str(area)),
            marker_color=colors.get(str(area), GREY),
            hovertemplate=f"%{{y}}<br>%{{x:,}} {shown_unit}<extra></extra>",
        )
        for area, part in per_case.groupby("area", observed=True, sort=True)
    ]
    return _figure(
        title,
        height,
        bars,
        barmode="stack",
        legend={"traceorder": "normal"},  # areas in register order, as elsewhere
        yaxis={"categoryorder": "total ascending"},
        xaxis={"title": {"text": shown_unit}, "tickformat": ","},
        margin=TWO_LINE_TITLE,
    )


def make_treemap(
    rows: pd.DataFrame,
    levels: list[str],
    unit_std: str,
    lang: str,
    colors: dict[str, str],
    names: dict[str, str],
    measure: str,
) -> go.Figure:
    """Return a treemap of the summable figures of one measure (named `measure`), nested by `levels`
    then case (cases left out when there are more than a few hundred, which no treemap can show)."""
    _one_measure(rows)
    title = f"{measure}<br>{t('hierarchy' if levels[0] == 'area' else 'hierarchy_cat', lang)}"
    if rows.empty:
        return _empty(title, 420, lang)
    ids, labels, parents, values, marker = [], [], [], [], []
    few_cases = case_count(rows) <= 10 * CHART_ITEMS
    path = [*levels, "case_title"] if few_cases else levels
    for depth in range(len(path)):
        keys = path[: depth + 1]
        grouped = rows.groupby(keys, observed=True)["value_std"].sum().reset_index()
        for record in grouped.to_dict("records"):
            parts = [str(record[k]) for k in keys]
            ids.append("/".join(parts))
            parents.append("/".join(parts[:-1]))
            label = parts[-1]
            labels.append(names.get(label, label))
            values.append(float(record["value_std"]))
            area = str(record["area"]) if "area" in keys else None
            marker.append(colors.get(area, "#dddddd") if area else "#dddddd")
    treemap = go.Treemap(
        ids=ids,
        labels=labels,
        parents=parents,
        values=values,
        branchvalues="total",
        marker={"colors": marker},
        hovertemplate=f"%{{label}}<br>%{{value:,}} {unit_label(unit_std, lang)}<extra></extra>",
        textinfo="label+value",
    )
    return _figure(title, 420, [treemap], margin={**TWO_LINE_TITLE, "l": 0, "r": 0, "b": 0})


def make_ranked_bar(
    rows: pd.DataFrame, unit_std: str, lang: str, colors: dict[str, str], names: dict[str, str], log: bool
) -> go.Figure:
    """Return one bar per figure, ranked, in one standard unit, coloured by area."""
    title, height = t("ranked", lang), max(320, 60 + 24 * len(rows))
    if rows.empty:
        return _empty(title, height, lang)
    ordered = rows.sort_values("value_std")
    labels = case_labels(ordered, "metric", lang)
    bars = []
    for area in ordered["area"].cat.categories:
        part = ordered["area"] == area
        if not part.any():
            continue
        bars.append(
            go.Bar(
                y=[label for label, p in zip(labels, part, strict=True) if p],
                x=ordered.loc[part, "value_std"],
                orientation="h",
                name=names.get(str(area), str(area)),
                marker_color=colors.get(str(area), GREY),
                customdata=hover_data(ordered[part], ["case_title", "value_text"]),
                hovertemplate=(
                    f"%{{customdata[0]}}<br>%{{y}}<br>%{{x:,}} {unit_label(unit_std, lang)}"
                    "<br>「%{customdata[1]}」<extra></extra>"
                ),
            )
        )
    return _figure(
        title,
        height,
        bars,
        barmode="overlay",
        yaxis={"categoryorder": "array", "categoryarray": labels},
        xaxis={"title": {"text": unit_label(unit_std, lang)}, "type": "log" if log else "linear", "tickformat": ","},
    )


def make_time_dumbbell(pairs: pd.DataFrame, lang: str) -> go.Figure:
    """Return before → after processing times as a dumbbell on a log scale of days, with the % cut.

    `pairs` has one row per metric: batch, case_no, case_title, metric, before_days, after_days, cut.
    """
    title, height = t("before_after", lang), max(260, 90 + 50 * len(pairs))
    if pairs.empty:
        return _empty(title, height, lang)
    # Led by the batch when there are several: the same case number and words in two batches are two rows.
    # Latin letters are half as wide as characters: an English label may be twice as long.
    limit = 24 if lang == "en" else 12
    labels = case_labels(pairs.assign(metric=[short(m, limit) for m in pairs["metric"]]), "metric", lang)
    said = {side: figures_said(pairs, lang, side) for side in ("before", "after")}
    cut_word = t("reduction", lang)
    traces: list[BaseTraceType] = []
    for label, before, after in zip(labels, pairs["before_days"], pairs["after_days"], strict=True):
        traces.append(
            go.Scatter(
                x=[before, after],
                y=[label, label],
                mode="lines",
                line={"color": "#bbbbbb", "width": 4},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    for column, name, color in (("before_days", "before", "#c0504d"), ("after_days", "after", "#1f5fa8")):
        traces.append(
            go.Scatter(
                x=pairs[column],
                y=labels,
                mode="markers+text",
                marker={"size": 14, "color": color},
                name=t(name, lang),
                text=(
                    [
                        f"{a}{t('in_brackets', lang, text=f'{cut_word} {c:.1%}')}"
                        for a, c in zip(said["after"], pairs["cut"], strict=True)
                    ]
                    if name == "after"
                    else said["before"]
                ),
                # The shorter time sits left: its words read rightwards, the longer time's leftwards.
                textposition="bottom right" if name == "after" else "top left",
                customdata=hover_data(pairs, [f"{name}_text", "case_title"]),
                hovertemplate="%{customdata[1]}<br>%{y}<br>%{customdata[0]}<extra></extra>",
            )
        )
    ticks = [1 / 1440, 10 / 1440, 1 / 24, 6 / 24, 1, 7, 30, 365]
    names = ["1分钟", "10分钟", "1小时", "6小时", "1天", "1周", "1月", "1年"]
    names_en = ["1 min", "10 min", "1 h", "6 h", "1 day", "1 week", "1 month", "1 year"]
    axis = {"type": "log", "tickvals": ticks, "ticktext": names_en if lang == "en" else names}
    return _figure(title, height, traces, xaxis=axis)


def figures_said(rows: pd.DataFrame, lang: str, side: str = "") -> list[str]:
    """Return figures as the language says them: the written words in Chinese, the figure as recorded in
    English words (5 minutes, 2–3 days), since the Chinese span is a quote. With `side` ("before",
    "after"), one side of the time pairs (columns before_value, before_text, …)."""
    text = f"{side}_text" if side else "value_text"
    if lang != "en":
        return rows[text].astype(str).tolist()
    parts = [rows[f"{side}_{c}" if side else c] for c in ("value", "value_high", "unit", "qualifier")]
    return [
        english_figure(float(value), str(unit), row_bound(qualifier, None), high)  # a range is said as a range
        for value, high, unit, qualifier in zip(*parts, strict=True)
    ]


def make_batch_bars(frame: pd.DataFrame, lang: str, colors: dict[str, str], names: dict[str, str]) -> go.Figure:
    """Return, per batch, how many cases each area contributed (stacked), the CHART_ITEMS latest batches."""
    latest = sorted(frame["batch"].unique())[-CHART_ITEMS:]
    title, height = t("batches_side_by_side", lang), max(280, 80 + 36 * len(latest))
    if frame.empty:
        return _empty(title, height, lang)
    cases = first_of_each_case(frame.loc[frame["batch"].isin(latest), ["batch", "case_no", "area"]])
    counts = cases.groupby(["batch", "area"], observed=True).size().unstack(fill_value=0)
    y = [batch_label(int(b), lang) for b in counts.index]
    bars = [
        go.Bar(
            y=y,
            x=counts[area],
            orientation="h",
            name=names.get(str(area), str(area)),
            marker_color=colors.get(str(area), GREY),
            hovertemplate=f"%{{y}} · {html.escape(names.get(str(area), str(area)))}: %{{x}}<extra></extra>",
        )
        for area in counts.columns
    ]
    return _figure(
        title,
        height,
        bars,
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": {"text": t("count_cases", lang)}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
