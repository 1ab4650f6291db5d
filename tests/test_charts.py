"""Figure builders, tested on their data and labels in both languages, and on an empty frame."""

import pandas as pd
import pytest

from ftz.aggregate import summable, totals
from ftz.charts import (
    CHART_ITEMS,
    chart_scale,
    english_figure,
    format_number,
    format_total,
    make_area_category_heatmap,
    make_batch_bars,
    make_case_bar,
    make_ranked_bar,
    make_time_dumbbell,
    make_total_bar,
    make_treemap,
)
from ftz.timing import time_pairs
from loaders.measures import load_catalogue
from tests.conftest import AREAS, FIXTURES, make_rows

CATALOGUE = load_catalogue(FIXTURES / "measures" / "valid.csv")

COLORS = dict(zip(AREAS, ["#1f5fa8", "#d9822b", "#2a9d6f"], strict=True))
NAMES_ZH = {a: a for a in AREAS}
NAMES_EN = {"武汉片区": "Wuhan Area", "襄阳片区": "Xiangyang Area", "宜昌片区": "Yichang Area"}


@pytest.fixture
def rows() -> pd.DataFrame:
    return make_rows(
        {"case_no": 1, "value": 100, "qualifier": "超", "value_text": "超 100 家", "source_quote": "超 100 家。"},
        {"case_no": 2, "value": 30, "area": "宜昌片区", "category": "法治建设"},
        {"case_no": 2, "value": 5, "area": "宜昌片区", "category": "法治建设", "kind": "context"},
    )


def test_heatmap_counts_cases_per_area_and_category(rows: pd.DataFrame) -> None:
    fig = make_area_category_heatmap(rows, "zh", NAMES_ZH)
    trace = fig.data[0]
    assert trace.type == "heatmap"
    assert list(trace.x) == ["创新驱动发展", "法治建设"] and list(trace.y) == ["武汉片区", "宜昌片区"]
    assert trace.z.tolist() == [[1, 0], [0, 1]]
    assert fig.layout.title.text == "各片区、各领域案例数"
    assert make_area_category_heatmap(rows, "en", NAMES_EN).layout.title.text == "Cases by area and category"


def test_total_bar_labels_bounds_and_units(rows: pd.DataFrame) -> None:
    by_area = totals(rows, CATALOGUE, "enterprises_incubated", by=["area"])
    fig = make_total_bar(by_area, "area", "家", "en", COLORS, NAMES_EN, "Enterprises incubated")
    bar = fig.data[0]
    assert list(bar.x) == ["Wuhan Area", "Yichang Area"] and list(bar.y) == [100, 30]
    assert list(bar.text) == ["≥ 100 firms", "30 firms"]
    assert list(bar.marker.color) == ["#1f5fa8", "#2a9d6f"]
    assert fig.layout.title.text == "Enterprises incubated<br>Total by area (firms)"


def test_total_bar_reads_money_in_yi(rows: pd.DataFrame) -> None:
    money = make_rows(
        {
            "indicator": "financing",
            "measure": "loans_granted",
            "value": 183,
            "unit": "亿元",
            "value_text": "183 亿元",
            "source_quote": "183 亿元。",
        }
    )
    by_area = totals(money, CATALOGUE, "loans_granted", by=["area"])
    fig = make_total_bar(by_area, "area", "万元", "zh", COLORS, NAMES_ZH, "发放贷款")
    assert list(fig.data[0].y) == [183] and list(fig.data[0].text) == ["183 亿元"]
    assert fig.layout.title.text == "发放贷款<br>按片区合计（亿元）"


def test_case_bar_and_treemap_use_summable_rows_only(rows: pd.DataFrame) -> None:
    chosen = summable(rows, CATALOGUE)
    bars = make_case_bar(chosen, "家", "zh", COLORS, NAMES_ZH, "培育企业")
    assert sorted(v for trace in bars.data for v in trace.x) == [30, 100]
    assert bars.layout.title.text == "培育企业<br>按案例"
    tree = make_treemap(chosen, ["area", "category"], "家", "en", COLORS, NAMES_EN, "Enterprises incubated").data[0]
    assert tree.type == "treemap"
    values = dict(zip(tree.ids, tree.values, strict=True))
    assert values["宜昌片区"] == 30 and values["武汉片区/创新驱动发展/样例"] == 100
    assert "Yichang Area" in tree.labels and "firms" in tree.hovertemplate


def test_ranked_bar_switches_to_log(rows: pd.DataFrame) -> None:
    fig = make_ranked_bar(rows, "家", "zh", COLORS, NAMES_ZH, log=True)
    assert fig.layout.xaxis.type == "log"
    assert sorted(v for trace in fig.data for v in trace.x) == [5, 30, 100]


def test_ranked_bar_hover_names_each_bar_s_case_and_words(rows: pd.DataFrame) -> None:
    fig = make_ranked_bar(rows, "家", "zh", COLORS, NAMES_ZH, log=False)
    hovers = {x: tuple(data) for trace in fig.data for x, data in zip(trace.x, trace.customdata, strict=True)}
    expected = {
        v: (str(c), str(w)) for v, c, w in zip(rows["value_std"], rows["case_title"], rows["value_text"], strict=True)
    }
    assert hovers == expected


def test_time_dumbbell_shows_the_cut() -> None:
    quote = "办理时间从2—3天缩短至5分钟。"
    pair = make_rows(
        {
            "indicator": "time",
            "metric": "办理时间",
            "phase": "before",
            "value": 2,
            "value_high": 3,
            "unit": "天",
            "value_text": "2—3天",
            "source_quote": quote,
        },
        {
            "indicator": "time",
            "metric": "办理时间",
            "phase": "after",
            "value": 5,
            "unit": "分钟",
            "value_text": "5分钟",
            "source_quote": quote,
        },
    )
    pairs = time_pairs(pair)
    assert pairs["cut"].iloc[0] == pytest.approx(1 - (5 / 1440) / 2)
    fig = make_time_dumbbell(pairs, "zh")
    after = next(trace for trace in fig.data if trace.name == "改革后")
    assert list(after.text) == ["5分钟（缩短 99.8%）"]
    assert [tuple(data) for data in after.customdata] == [("5分钟", pairs["case_title"].iloc[0])]
    # The same case number and words in two batches stay two rows, each led by its batch.
    again = pd.concat([pairs, pairs.assign(batch=8)], ignore_index=True)
    rows = {label for trace in make_time_dumbbell(again, "zh").data for label in trace.y}
    assert rows == {"第七批 1. 办理时间", "第八批 1. 办理时间"}
    assert fig.layout.xaxis.type == "log"


def test_batch_bars_read_with_one_batch(rows: pd.DataFrame) -> None:
    fig = make_batch_bars(rows, "zh", COLORS, NAMES_ZH)
    assert [list(trace.y) for trace in fig.data] == [["第七批"], ["第七批"]]
    # Batch numbers are never read as a numeric axis.
    assert make_batch_bars(rows, "zh", COLORS, NAMES_ZH).layout.yaxis.type == "category"


@pytest.mark.parametrize(
    "build",
    [
        lambda e: make_area_category_heatmap(e, "zh", NAMES_ZH),
        lambda e: make_total_bar(
            totals(e, CATALOGUE, "enterprises_incubated", by=["area"]), "area", "家", "zh", COLORS, NAMES_ZH, "企业"
        ),
        lambda e: make_case_bar(e, "家", "zh", COLORS, NAMES_ZH, "企业"),
        lambda e: make_treemap(e, ["area", "category"], "家", "zh", COLORS, NAMES_ZH, "企业"),
        lambda e: make_ranked_bar(e, "家", "zh", COLORS, NAMES_ZH, log=False),
        lambda e: make_time_dumbbell(time_pairs(e), "zh"),
        lambda e: make_batch_bars(e, "zh", COLORS, NAMES_ZH),
    ],
)
def test_every_builder_says_so_on_an_empty_frame(rows: pd.DataFrame, build) -> None:  # type: ignore[no-untyped-def]
    fig = build(rows.iloc[0:0])
    assert len(fig.data) == 0
    assert "没有符合当前筛选条件的数据" in fig.layout.annotations[0].text


@pytest.mark.parametrize(
    ("value", "text"), [(1392, "1,392"), (4324.96, "4,324.96"), (2.5, "2.5"), (1_000_000, "1,000,000")]
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value_std", "unit", "bound", "words"),
    [
        (1_830_000, "万元", "at_least", "over 18.3 billion yuan"),
        (4324.96, "万元", "exact", "43.25 million yuan"),
        (80, "家", "about", "about 80 firms"),
        (1392, "人", "exact", "1,392 people"),
        (50, "万元", "at_most", "up to 500,000 yuan"),
        (1, "小时", "at_most", "up to 1 hour"),
        (1, "个工作日", "exact", "1 working day"),
        (1, "家", "exact", "1 firm"),
    ],
)
def test_english_figure_reads_a_figure_aloud(value_std: float, unit: str, bound: str, words: str) -> None:
    assert english_figure(value_std, unit, bound) == words
    assert english_figure(2, "天", "exact", 3.0) == "2–3 days"  # a range as a range


def test_format_total_marks_bounds() -> None:
    assert format_total(1_098_240, "万元", "at_least", "zh") == "≥ 109.82 亿元"
    assert format_total(1909, "家", "about", "en") == "≈ 1,909 firms"
    # In English money reads in yuan, M yuan or bn yuan, which also keeps a tile from being cut.
    assert format_total(1_830_000, "万元", "at_least", "en") == "≥ 18.3 bn yuan"
    assert format_total(4624.96, "万元", "exact", "en") == "46.25 M yuan"
    assert format_total(50, "万元", "exact", "en") == "500,000 yuan"


def test_charts_of_sums_refuse_figures_of_two_measures(rows: pd.DataFrame) -> None:
    mixed = pd.concat([rows, make_rows({"measure": "enterprises_served", "value": 7})], ignore_index=True)
    with pytest.raises(ValueError, match="one measure"):
        make_case_bar(mixed, "家", "zh", COLORS, NAMES_ZH, "企业")
    with pytest.raises(ValueError, match="one measure"):
        make_treemap(mixed, ["area"], "家", "zh", COLORS, NAMES_ZH, "企业")


def test_a_figures_own_layout_is_merged_into_the_house_style(rows: pd.DataFrame) -> None:
    bars = make_case_bar(summable(rows, CATALOGUE), "家", "zh", COLORS, NAMES_ZH, "培育企业")
    assert bars.layout.legend.orientation == "h" and bars.layout.legend.traceorder == "normal"
    assert bars.layout.xaxis.gridcolor == "#eeeeee" and bars.layout.xaxis.title.text == "家"
    assert bars.layout.yaxis.categoryorder == "total ascending" and bars.layout.yaxis.automargin


def test_case_bar_shows_only_the_largest_cases_and_treemap_drops_cases_past_hundreds() -> None:
    many = make_rows(*({"case_no": n, "case_title": f"案例{n}", "value": n} for n in range(1, CHART_ITEMS + 11)))
    bars = make_case_bar(many, "家", "zh", COLORS, NAMES_ZH, "培育企业")
    shown = sorted(v for trace in bars.data for v in trace.x)
    assert shown == list(range(11, CHART_ITEMS + 11))  # the 10 smallest are left out
    ids = make_treemap(many, ["area"], "家", "zh", COLORS, NAMES_ZH, "培育企业").data[0].ids
    assert len(ids) == 1 + CHART_ITEMS + 10 and f"武汉片区/案例{CHART_ITEMS + 10}" in ids
    crowd = make_rows(*({"case_no": n, "case_title": f"案例{n}"} for n in range(1, 10 * CHART_ITEMS + 2)))
    assert list(make_treemap(crowd, ["area"], "家", "zh", COLORS, NAMES_ZH, "培育企业").data[0].ids) == ["武汉片区"]


def test_the_same_case_and_words_in_two_batches_stay_two_bars() -> None:
    two = make_rows(
        {"fact_id": "7-01-01", "batch": 7, "value": 5},
        {"fact_id": "8-01-01", "batch": 8, "value": 9},
    )
    ranked = make_ranked_bar(two, "家", "zh", COLORS, NAMES_ZH, log=False)
    assert sorted(label for trace in ranked.data for label in trace.y) == ["第七批 1. 样例企业", "第八批 1. 样例企业"]
    cases = make_case_bar(two, "家", "en", COLORS, NAMES_ZH, "Enterprises incubated")
    assert sorted(label for trace in cases.data for label in trace.y) == ["Batch 7 1. 样例", "Batch 8 1. 样例"]
    one = make_ranked_bar(two[two["batch"] == 7], "家", "zh", COLORS, NAMES_ZH, log=False)
    assert [label for trace in one.data for label in trace.y] == ["1. 样例企业"]


def test_batch_bars_show_the_latest_batches_only() -> None:
    many = make_rows(*({"fact_id": f"{b}-01-01", "batch": b} for b in range(1, CHART_ITEMS + 6)))
    labels = [label for trace in make_batch_bars(many, "en", COLORS, NAMES_ZH).data for label in trace.y]
    assert labels == [f"Batch {b}" for b in range(6, CHART_ITEMS + 6)]


@pytest.mark.parametrize(
    ("largest", "unit", "lang", "scale", "shown"),
    [
        (1_830_000, "万元", "zh", 10_000, "亿元"),  # 183 亿元
        (4324.96, "万元", "zh", 1, "万元"),
        (1_830_000, "万元", "en", 100_000, "bn yuan"),  # 18.3 bn yuan, as the tile says it
        (4324.96, "万元", "en", 100, "M yuan"),
        (50, "万元", "en", 1e-4, "yuan"),
        (204, "家", "en", 1, "firms"),
    ],
)
def test_chart_scale_names_the_unit_the_tiles_use(
    largest: float, unit: str, lang: str, scale: float, shown: str
) -> None:
    assert chart_scale(largest, unit, lang) == (pytest.approx(scale), shown)


def test_english_total_bar_is_in_the_tiles_unit() -> None:
    totals = pd.DataFrame({"area": ["武汉片区"], "total": [1_830_000.0], "figures": [1], "bound": ["at_least"]})
    figure = make_total_bar(totals, "area", "万元", "en", {}, {}, "Equity financing raised")
    assert figure.layout.title.text == "Equity financing raised<br>Total by area (bn yuan)"
    assert list(figure.data[0].y) == pytest.approx([18.3])
