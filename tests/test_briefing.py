"""The briefing deck: its slides, native charts holding the aggregate's totals, text that fits its boxes in a
real CJK font's metrics, English without Chinese, the command line and the buttons."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from PIL import ImageFont
from pptx import Presentation
from pptx.util import Emu, Pt

from ftz.aggregate import crosstab, first_of_each_case, headline_totals, roll_up, totals
from ftz.briefing import Briefing, main, to_pptx
from ftz.charts import chart_scale, format_total
from ftz.deck import CONTENT_BOTTOM, DARK, FONT_NAME, SLIDE_HEIGHT, SLIDE_WIDTH, Deck
from ftz.filters import Filters, apply_filters
from ftz.i18n import t
from ftz.timing import reductions_and_durations, time_pairs
from loaders.measures import load_catalogue
from loaders.store import BEIJING, english_names, last_changed, load_areas, load_batches, load_metrics
from tests.conftest import ROOT
from tests.system import program

MADE_AT = datetime(2026, 12, 4, 9, 30, tzinfo=BEIJING)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」")
NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTO_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


def make_briefing(
    rows: pd.DataFrame, lang: str, filters: Filters | None = None, made_at: datetime = MADE_AT
) -> Briefing:
    """The briefing of rows with the shipped registers, as the app makes it."""
    areas = load_areas()
    return Briefing(
        rows=rows,
        lang=lang,
        filters=filters or Filters(),
        batches=load_batches(),
        names=english_names(ROOT / "data" / "metrics.csv") if lang == "en" else {},
        colors=dict(zip(areas["area"], areas["color"], strict=True)),
        catalogue=load_catalogue(),
        data_changed=last_changed(ROOT / "data" / "metrics.csv"),
        data_version="test",
        made_at=made_at,
    )


def open_deck(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def deck_of(lang: str, filters: Filters | None = None, rows: pd.DataFrame | None = None) -> Any:
    filters = filters or Filters()
    selected = apply_filters(load_metrics() if rows is None else rows, filters)
    return open_deck(to_pptx(make_briefing(selected, lang, filters)))


def titles(deck: Any) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in deck.slides]


def charts(slide: Any) -> list[Any]:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def chart_data(chart: Any) -> tuple[str, list[str], list[tuple[str, list[float]]]]:
    plot = chart.plots[0]
    title = chart.chart_title.text_frame.text if chart.has_title else ""
    return title, list(plot.categories), [(series.name, list(series.values)) for series in plot.series]


def texts(deck: Any) -> list[list[str]]:
    """Every slide's text as read: text boxes and titles, table cells, charts' titles, categories and
    series, and the notes."""
    slides = []
    for slide in deck.slides:
        found = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                found += [p.text for p in shape.text_frame.paragraphs]
            if shape.has_table:
                found += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                title, categories, series = chart_data(shape.chart)
                found += [title, *categories, *(name for name, _ in series)]
        if slide.has_notes_slide:
            found.append(slide.notes_slide.notes_text_frame.text)
        slides.append(found)
    return slides


def summary(deck: Any) -> list[tuple[list[str], list[Any]]]:
    """What a deck says: each slide's texts and its charts' data."""
    return [
        (found, [chart_data(c) for c in charts(slide)]) for found, slide in zip(texts(deck), deck.slides, strict=True)
    ]


def made_at_of(deck: Any) -> datetime:
    """The time a deck was made, from its properties (to rebuild it with the same clock)."""
    created: datetime = deck.core_properties.created  # kept in UTC, as the format asks
    return created.replace(tzinfo=UTC).astimezone(BEIJING)


def test_briefing_slides_of_the_shipped_data_in_chinese() -> None:
    deck = deck_of("zh")
    rows, catalogue = load_metrics(), load_catalogue()
    headline = roll_up(headline_totals(rows, catalogue, by=["area"]), ["area"])
    # Worked out by hand from the 7th batch: six headline measures with figures, one time pair and
    # reductions, three areas: cover, glance, 6 measures, time, highlights, 3 areas, sources.
    assert len(deck.slides) == 14
    expected = [
        "湖北自贸试验区实践案例汇报",
        "概览：案例分布与主要成效",
        *(
            f"{catalogue.name(m, 'zh')}：{format_total(total, unit, bound, 'zh')}"
            for m, total, unit, bound in zip(
                headline["measure"], headline["total"], headline["unit_std"], headline["bound"], strict=True
            )
        ),
        "时效提升",
        "亮点：单项最大数据",
        "武汉片区",
        "襄阳片区",
        "宜昌片区",
        "资料来源与统计口径",
    ]
    assert titles(deck) == expected
    assert "培育企业：≥ 204 家" in titles(deck)  # 200 (over 200) + 4, checked by hand
    cover = texts(deck)[0]
    assert any("鄂自贸组发〔2022〕2号" in line for line in cover)
    assert any("全部数据" in line for line in cover)
    assert "生成时间：2026-12-04 09:30（北京时间）" in cover


def test_briefing_slides_of_a_filtered_selection_in_english() -> None:
    filters = Filters(area=("宜昌片区",))
    deck = deck_of("en", filters)
    assert titles(deck) == [
        "Hubei FTZ practice cases: briefing",
        "At a glance: the cases and what they achieved",
        "Industrial projects signed: 46 units",
        "Contracted investment: 86.98 bn yuan",
        "Time savings",
        "Highlights: the largest single figures",
        "Yichang Area",
        "Sources and what is added",
    ]
    assert "Selection: Area: Yichang Area" in texts(deck)[0]


SELECTIONS = {
    "all": Filters(),
    "wuhan": Filters(area=("武汉片区",)),
    "finance and government": Filters(category=("金融改革创新", "政府职能转变")),
    "outcomes at zone scope": Filters(kind=("outcome",), scope=("zone",)),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_briefing_charts_are_native_and_hold_the_aggregates_totals(lang: str, selection: str) -> None:
    filters = SELECTIONS[selection]
    rows, catalogue = apply_filters(load_metrics(), filters), load_catalogue()
    names = english_names(ROOT / "data" / "metrics.csv") if lang == "en" else {}
    deck = deck_of(lang, filters)
    by_area = headline_totals(rows, catalogue, by=["area"])
    headline = roll_up(by_area, ["area"])
    # The glance: cases by category (bars) and area (series).
    (_, categories, series), *_ = [chart_data(c) for c in charts(deck.slides[1])]
    counts = crosstab(first_of_each_case(rows), "category", "area")
    assert categories == [names.get(str(c), str(c)) for c in counts.index]
    assert series == [(names.get(str(a), str(a)), [float(v) for v in counts[a]]) for a in counts.columns]
    assert sum(sum(values) for _, values in series) == rows.drop_duplicates(["batch", "case_no"]).shape[0]
    measure_slides = list(deck.slides)[2 : 2 + len(headline)]
    assert [s.shapes.title.text_frame.text.split(t("label_sep", lang))[0] for s in measure_slides] == [
        catalogue.name(m, lang) for m in headline["measure"]
    ]
    for slide, measure in zip(measure_slides, headline["measure"], strict=True):
        area_chart, case_chart = charts(slide)
        unit_std = catalogue.standard_unit(measure)
        expected = by_area[by_area["measure"] == measure]
        scale, _ = chart_scale(float(expected["total"].max()), unit_std, lang)
        _, areas, ((_, values),) = chart_data(area_chart)
        assert areas == [names.get(str(a), str(a)) for a in expected["area"]]
        assert values == pytest.approx((expected["total"] / scale).tolist())
        per_case = totals(rows, catalogue, measure, by=["batch", "case_no"]).nlargest(10, "total")
        scale, _ = chart_scale(float(per_case["total"].max()), unit_std, lang)
        _, cases, ((_, values),) = chart_data(case_chart)
        assert [int(re.search(r"(\d+)\. ", label).group(1)) for label in cases] == per_case["case_no"].tolist()  # type: ignore[union-attr]
        assert values == pytest.approx((per_case["total"] / scale).tolist())
    for slide in deck.slides:
        for chart in charts(slide):
            # The data is embedded as a workbook that PowerPoint and WPS open to edit the chart.
            book = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
            sheet = book.worksheets[0]
            _, categories, series = chart_data(chart)
            assert [sheet.cell(row=i + 2, column=1).value for i in range(len(categories))] == categories
            for column, (_, values) in enumerate(series, start=2):
                assert [sheet.cell(row=i + 2, column=column).value for i in range(len(values))] == values


def test_briefing_loans_chart_is_in_wan_yuan_with_labels_as_on_the_page() -> None:
    """Loans of 4,624.96 万元 (checked by hand: 4,324.96 + 300) are drawn in 万元 with labels as on the page."""
    deck = deck_of("zh")
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text.startswith("发放贷款"))
    area_chart = charts(slide)[0]
    assert chart_data(area_chart)[0] == "按片区合计（万元）"
    assert chart_data(area_chart)[2][0][1] == [4624.96]
    label = area_chart.plots[0].series[0].points[0].data_label._dLbl
    assert label.find("{http://schemas.openxmlformats.org/drawingml/2006/chart}numFmt").get("formatCode") == "#,##0.00"
    equity = next(s for s in deck.slides if s.shapes.title.text_frame.text.startswith("股权融资"))
    label = charts(equity)[0].plots[0].series[0].points[0].data_label._dLbl
    assert label.find("{http://schemas.openxmlformats.org/drawingml/2006/chart}numFmt").get("formatCode") == '"≥ "#,##0'


def test_briefing_headline_numbers_equal_the_overview_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_app import make_app

    for lang in ("zh", "en"):
        at = make_app(monkeypatch, lang=lang)
        at.run()
        assert not at.exception
        tiles = {metric.label: metric.value for metric in at.metric if metric.label not in (t("kpi_areas", lang),)}
        glance = list(deck_of(lang).slides)[1]
        shown = {}
        for shape in glance.shapes:
            if shape.has_text_frame and len(shape.text_frame.paragraphs) == 2:
                label, value = (p.text for p in shape.text_frame.paragraphs)
                shown[label] = value
        assert shown == tiles


def font_for(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    # Index 2 of the collection is Simplified Chinese (SC).
    return ImageFont.truetype(NOTO_BOLD if bold else NOTO, round(size * 10), index=2)


def lines_in(text: str, width_pt: float, size: float, bold: bool) -> int:
    """How many lines a paragraph takes at a width, measured with Noto Sans CJK SC's own advance widths:
    Latin words kept whole, CJK characters broken anywhere."""
    font = font_for(size, bold)

    def width(s: str) -> float:
        return font.getlength(s) / 10

    lines, used = 1, 0.0
    for token in re.findall(r"[A-Za-z0-9'’.,:;!?%()\-/&]+ ?| |.", text):
        needed = width(token.rstrip(" "))
        if used and used + needed > width_pt:
            lines, used = lines + 1, 0.0
        while needed > width_pt:
            lines, needed = lines + 1, needed - width_pt
        used += width(token)
    return lines


def line_height(size: float, bold: bool) -> float:
    ascent, descent = font_for(size, bold).getmetrics()
    return (ascent + descent) / 10


def paragraphs_height(frame: Any, width_pt: float) -> float:
    needed = 0.0
    for paragraph in frame.paragraphs:
        run = paragraph.runs[0]
        size, bold = run.font.size.pt, bool(run.font.bold)
        needed += lines_in(paragraph.text, width_pt, size, bold) * line_height(size, bold)
    return needed


def overflowing(deck: Any) -> list[str]:
    """Every text box, title and table that its text overflows, or that leaves the slide."""
    found = []
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if shape.left < 0 or shape.top < 0 or shape.left + shape.width > SLIDE_WIDTH:
                found.append(f"slide {number}: {shape.name} leaves the slide")
            if shape.top + shape.height > SLIDE_HEIGHT:
                found.append(f"slide {number}: {shape.name} leaves the slide")
            if shape.has_text_frame and shape.text_frame.text:
                frame = shape.text_frame
                width = Emu(shape.width - frame.margin_left - frame.margin_right).pt
                room = Emu(shape.height - frame.margin_top - frame.margin_bottom).pt
                if paragraphs_height(frame, width) > room:
                    found.append(f"slide {number}: {frame.text[:40]!r} overflows its box")
            if shape.has_table:
                table = shape.table
                height = 0.0
                for row in table.rows:
                    needed = max(
                        paragraphs_height(cell.text_frame, Emu(column.width - cell.margin_left - cell.margin_right).pt)
                        + Emu(cell.margin_top + cell.margin_bottom).pt
                        for cell, column in zip(row.cells, table.columns, strict=True)
                    )
                    height += max(needed, Emu(row.height).pt)
                if Emu(shape.top).pt + height > Emu(CONTENT_BOTTOM).pt:
                    found.append(f"slide {number}: a table runs to {Emu(shape.top).pt + height:.0f} pt")
    return found


LONG_TITLE = "构建面向全球的跨境电商综合服务平台打造“买全球、卖全球”贸易枢纽并带动上下游产业链协同发展的创新实践"
LONG_TITLE_EN = (
    "Building a cross-border e-commerce service platform for global trade that drives the coordinated "
    "development of the upstream and downstream industrial chain"
)


@pytest.mark.skipif(not Path(NOTO).exists(), reason="needs Debian's fonts-noto-cjk (make system-deps)")
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("selection", ["all", "yichang", "long titles"])
def test_briefing_text_fits_its_boxes_in_noto_sans_cjk(lang: str, selection: str) -> None:
    rows = load_metrics()
    filters = Filters(area=("宜昌片区",)) if selection == "yichang" else Filters()
    if selection == "long titles":
        rows = rows.assign(
            case_title=rows["case_title"].astype(str) + LONG_TITLE,
            case_title_en=rows["case_title_en"].astype(str) + " " + LONG_TITLE_EN,
            metric=rows["metric"].astype(str) + LONG_TITLE,
            metric_en=rows["metric_en"].astype(str) + " " + LONG_TITLE_EN,
        )
    deck = deck_of(lang, filters, rows)
    assert overflowing(deck) == []


def test_briefing_english_speaks_english_outside_quotes() -> None:
    deck = deck_of("en")
    rows = load_metrics()
    untranslated = set(rows.loc[rows["case_title_en"].isna(), "case_title"].astype(str))
    assert not any(CJK.search(title) for title in titles(deck))
    for number, found in enumerate(texts(deck), start=1):
        for text in found:
            left = QUOTED.sub("", text)
            for title in untranslated:
                left = left.replace(title, "")
            assert not CJK.search(left), f"slide {number}: {text!r}"


def test_briefing_names_one_cjk_font_everywhere() -> None:
    deck = deck_of("zh")
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        rPr = run._r.find(f"{a}rPr")
                        assert rPr.find(f"{a}latin").get("typeface") == FONT_NAME
                        assert rPr.find(f"{a}ea").get("typeface") == FONT_NAME
    theme = deck.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
    ).blob.decode()
    assert f'<a:ea typeface="{FONT_NAME}"/>' in theme
    assert (deck.slide_width, deck.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.001


@pytest.mark.parametrize("label", ['=HYPERLINK("http://example.com","x")', "+1+1", "<b>粗体</b>"])
def test_briefing_labels_are_text_never_formulas_or_markup(label: str) -> None:
    deck = Deck()
    slide = deck.slide(label)
    deck.bar_chart(slide, (0, 0, 4_000_000, 3_000_000), [label, "武汉片区"], [(label, [1, 2])], title=label)
    deck.text(slide, 0, 3_000_000, 4_000_000, 1_000_000, [(label, 14, False, DARK)])
    read = open_deck(deck.save("t", MADE_AT))
    assert titles(read) == [label]
    chart = charts(read.slides[0])[0]
    assert chart_data(chart) == (label, [label, "武汉片区"], [(label, [1.0, 2.0])])
    book = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    cell = book.worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == (label, "s")
    assert label in texts(read)[0]


def test_briefing_command_line_writes_the_deck_of_the_selection(tmp_path: Path) -> None:
    out = tmp_path / "brief.pptx"
    assert main(["--lang", "en", "--area", "宜昌片区", "--batch", "7", "-o", str(out)]) == 0
    written = open_deck(out.read_bytes())
    made_at = made_at_of(written)
    filters = Filters(batch=("7",), area=("宜昌片区",))
    briefing = make_briefing(apply_filters(load_metrics(), filters), "en", filters, made_at)
    version = next(line for line in texts(written)[-1] if line.startswith("Data version"))
    briefing = dataclasses.replace(briefing, data_version=version.split()[2].rstrip(","))
    assert summary(written) == summary(open_deck(to_pptx(briefing)))
    assert not list(tmp_path.glob("*.part"))


def test_briefing_command_line_refuses_an_unknown_area(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--area", "荆州片区", "-o", str(tmp_path / "x.pptx")]) == 2
    assert "荆州片区" in capsys.readouterr().err
    assert not (tmp_path / "x.pptx").exists()


def soffice() -> str:
    return program("soffice", "libreoffice-impress-nogui", "the deck's PDF check")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_opens_in_libreoffice_one_page_per_slide(lang: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    data = to_pptx(make_briefing(load_metrics(), lang))
    deck = tmp_path / f"brief-{lang}.pptx"
    deck.write_bytes(data)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = PdfReader(tmp_path / f"brief-{lang}.pdf").pages
    assert len(pages) == len(open_deck(data).slides)
    assert "湖北自贸试验区实践案例汇报" in pages[0].extract_text() or lang == "en"


def test_briefing_overflow_check_finds_text_too_long_for_its_box() -> None:
    deck = Deck()
    slide = deck.slide("标题")
    box = slide.shapes.add_textbox(Emu(914400), Emu(1_500_000), Emu(914400), Emu(400_000))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = LONG_TITLE
    run.font.size = Pt(14)
    assert overflowing(open_deck(deck.save("t", MADE_AT))) == [f"slide 1: {LONG_TITLE[:40]!r} overflows its box"]


@pytest.mark.parametrize(
    ("page", "lang", "label"),
    [
        ("pages/overview.py", "zh", "下载汇报 PPT"),
        ("pages/areas.py", "en", "Download briefing (PPT)"),
        ("pages/categories.py", "zh", "下载汇报 PPT"),
    ],
)
def test_briefing_button_gives_the_deck_of_the_selection(
    monkeypatch: pytest.MonkeyPatch, page: str, lang: str, label: str
) -> None:
    import streamlit.testing.v1.app_test as app_test_module

    from tests.test_app import RecordingMediaFileManager, make_app

    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)
    at = make_app(monkeypatch, area=["宜昌片区", "襄阳片区"], lang=lang)
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert label in buttons
    button = buttons[label]
    manager = RecordingMediaFileManager.last
    assert manager is not None
    built = manager._deferred_callables[button.deferred_file_id]["callable"]()
    deck = open_deck(built)
    filters = Filters(area=("宜昌片区", "襄阳片区"))  # in the URL's order, as the filters say them
    rows = apply_filters(load_metrics(), filters)
    expected = make_briefing(rows, lang, filters, made_at_of(deck))
    version = next(line for line in texts(deck)[-1] if "版本" in line or line.startswith("Data version"))
    found = re.search(r"[0-9a-f]{16}", version)
    assert found is not None
    expected = dataclasses.replace(expected, data_version=found.group())
    assert summary(deck) == summary(open_deck(to_pptx(expected)))
    assert "Xiangyang Area" in titles(deck) if lang == "en" else "襄阳片区" in titles(deck)


def many_time_pairs() -> pd.DataFrame:
    """The shipped table with case 19 (a before → after pair) copied as twenty more cases."""
    rows = load_metrics()
    case = rows[rows["case_no"] == 19]
    copies = [
        case.assign(
            case_no=100 + i,
            fact_id=case["fact_id"].str.replace("7-19-", f"7-{100 + i}-", regex=False),
            case_title=case["case_title"].astype(str) + f"（{i}）",
        )
        for i in range(20)
    ]
    return pd.concat([rows, *copies], ignore_index=True)


@pytest.mark.skipif(not Path(NOTO).exists(), reason="needs Debian's fonts-noto-cjk (make system-deps)")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_a_long_table_stops_above_the_footer_and_counts_the_rest(lang: str) -> None:
    rows = many_time_pairs()
    deck = deck_of(lang, rows=rows)
    assert overflowing(deck) == []
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text == t("page_time", lang))
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    shown = len(table.rows) - 1
    pairs = time_pairs(rows)
    saved, durations = reductions_and_durations(rows[rows["indicator"] == "time"])
    total = len(pairs) + len(saved) + len(durations)
    assert len(pairs) == 21  # case 19's pair, and its twenty copies
    (note,) = [
        s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text and not s.is_placeholder
    ]
    assert note == t("deck_more_rows", lang, n=total - shown)
    assert 0 < shown < total


@pytest.mark.skipif(not Path(NOTO).exists(), reason="needs Debian's fonts-noto-cjk (make system-deps)")
def test_briefing_more_headline_measures_than_places_are_counted_not_dropped() -> None:
    from loaders.measures import Catalogue

    catalogue = load_catalogue()
    table = catalogue.table.copy()
    additive = table["additive"].astype(bool)
    table.loc[additive, "headline"] = range(1, int(additive.sum()) + 1)
    every = Catalogue(table)
    rows = load_metrics()
    briefing = dataclasses.replace(make_briefing(rows, "zh"), catalogue=every)
    deck = open_deck(to_pptx(briefing))
    assert overflowing(deck) == []
    headline = roll_up(headline_totals(rows, every, by=["area"]), ["area"])
    assert len(headline) > 8
    glance = list(deck.slides)[1]
    tiles = [s for s in glance.shapes if s.has_text_frame and len(s.text_frame.paragraphs) == 2]
    (more,) = [s.text_frame.text for s in glance.shapes if s.has_text_frame and "另有" in s.text_frame.text]
    left_out = int(re.search(r"另有 (\d+) 个", more).group(1))  # type: ignore[union-attr]
    assert len(tiles) + left_out == 2 + len(headline)
    assert len(deck.slides) == 2 + len(headline) + 2 + 3 + 1


def two_batches() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped table with the 7th batch copied as an 8th, and the register with both."""
    rows = load_metrics()
    eighth = rows.assign(batch=8, fact_id=rows["fact_id"].str.replace("7-", "8-", n=1, regex=False))
    register = load_batches()
    copied = register.assign(
        batch=8, title=register["title"].str.replace("第七批", "第八批"), doc_no="鄂自贸组发〔2023〕1号"
    )
    return pd.concat([rows, eighth], ignore_index=True), pd.concat([register, copied], ignore_index=True)


def test_briefing_of_two_batches_names_every_case_with_its_batch() -> None:
    rows, register = two_batches()
    catalogue = load_catalogue()
    deck = open_deck(to_pptx(dataclasses.replace(make_briefing(rows, "zh"), batches=register)))
    cover = texts(deck)[0]
    assert any(line.startswith("第七批｜") for line in cover) and any(line.startswith("第八批｜") for line in cover)
    assert any("鄂自贸组发〔2023〕1号" in line for line in cover)
    headline = roll_up(headline_totals(rows, catalogue, by=["area"]), ["area"])
    # Twice the 7th batch's figures: every total doubles (204 → 408 firms, checked by hand).
    assert f"培育企业：{format_total(408, '家', 'at_least', 'zh')}" in titles(deck)
    for slide, measure in zip(list(deck.slides)[2 : 2 + len(headline)], headline["measure"], strict=True):
        _, cases, _ = chart_data(charts(slide)[1])
        assert all(re.match(r"第[七八]批 \d+\. ", label) for label in cases), (measure, cases)
    highlights_slide = next(s for s in deck.slides if s.shapes.title.text_frame.text == "亮点：单项最大数据")
    (table,) = [shape.table for shape in highlights_slide.shapes if shape.has_table]
    assert all(re.match(r"第[七八]批 案例\d+$", row.cells[2].text) for row in list(table.rows)[1:])
    assert overflowing(deck) == []


def test_briefing_without_headline_figures_says_so_and_has_no_measure_slides() -> None:
    deck = deck_of("zh", Filters(kind=("context",)))
    assert titles(deck)[:2] == ["湖北自贸试验区实践案例汇报", "概览：案例分布与主要成效"]
    assert t("no_totals", "zh") in texts(deck)[1]
    assert not any(
        "：" in title and title.split("：")[0] in load_catalogue().names("zh").values() for title in titles(deck)
    )
    assert "亮点：单项最大数据" not in titles(deck)


def test_briefing_without_time_figures_has_no_time_slide() -> None:
    rows = load_metrics()
    filters = Filters(indicator=("enterprises",))
    assert (apply_filters(rows, filters)["indicator"] != "time").all()
    assert "时效提升" not in titles(deck_of("zh", filters))
    assert "时效提升" in titles(deck_of("zh"))  # the shipped data has time figures


def test_briefing_time_slide_lists_pairs_reductions_and_durations() -> None:
    deck = deck_of("zh")
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text == "时效提升")
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    changes = [row.cells[2].text for row in list(table.rows)[1:]]
    rows = load_metrics()
    saved, durations = reductions_and_durations(rows[rows["indicator"] == "time"])
    # One pair, two reductions stated alone, seven durations (checked by hand against the time page).
    assert (len(time_pairs(rows)), len(saved), len(durations)) == (1, 2, 7)
    notes = [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text and not s.is_placeholder]
    left_out = int(re.search(r"另有 (\d+) 项", notes[0]).group(1)) if notes else 0  # type: ignore[union-attr]
    assert len(changes) + left_out == 10
    assert changes[:3] == ["2—3天 → 5分钟", "缩短 8 个工作日", "缩短 10 至 15 天"]
    assert all(c.startswith("现为 ") for c in changes[3:])


def test_briefing_small_figure_beside_a_large_one_keeps_its_digits() -> None:
    """40 万元 beside 183 亿元 is 0.004 亿元 on a chart in 亿元: its label must not read 0."""
    rows = load_metrics()
    equity = rows[(rows["measure"] == "equity_financing_raised") & (rows["area"] == "武汉片区")].index[0]
    small = rows.loc[[equity]].copy()
    case_12 = rows[rows["case_no"] == 12].iloc[0]
    changes = {"area": "襄阳片区", "value": 40.0, "value_std": 40.0, "value_text": "40万元", "fact_id": "7-12-99"}
    changes |= {"case_no": 12, "case_title": case_12["case_title"], "case_title_en": case_12["case_title_en"]}
    for column, value in changes.items():
        if isinstance(small[column].dtype, pd.CategoricalDtype) and value not in small[column].cat.categories:
            small[column] = small[column].cat.add_categories([value])
        small.loc[:, column] = value
    small.loc[:, "qualifier"] = pd.NA
    deck = open_deck(to_pptx(make_briefing(pd.concat([rows, small], ignore_index=True), "zh")))
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text.startswith("股权融资"))
    area_chart = charts(slide)[0]
    _, areas, ((_, values),) = chart_data(area_chart)
    assert areas == ["武汉片区", "襄阳片区"] and values[1] == pytest.approx(0.004)
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    label = area_chart.plots[0].series[0].points[1].data_label._dLbl
    number_format = label.find(f"{c}numFmt").get("formatCode")
    decimals = len(number_format.split(".")[1]) if "." in number_format else 0
    assert round(values[1], decimals) != 0, number_format


def test_briefing_command_line_says_why_it_cannot_write_or_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-o", str(tmp_path / "no-such-folder" / "x.pptx")]) == 2
    assert "无法写入 cannot write" in capsys.readouterr().err
    broken = tmp_path / "metrics.csv"
    broken.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["--store", str(broken), "-o", str(tmp_path / "x.pptx")]) == 1
    said = capsys.readouterr().err
    # A header has no row: the message names the column, never "row nan".
    assert "列「a」" in said and "nan" not in said
    assert not list(tmp_path.glob("*.pptx*"))


def test_briefing_every_slide_carries_the_marking_when_there_is_one() -> None:
    marked = dataclasses.replace(make_briefing(load_metrics(), "zh"), mark="内部资料 注意保密")
    deck = open_deck(to_pptx(marked))
    for slide in deck.slides:
        assert "内部资料 注意保密" in [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    plain = open_deck(to_pptx(make_briefing(load_metrics(), "zh")))
    assert not any(
        "内部资料" in shape.text_frame.text for s in plain.slides for shape in s.shapes if shape.has_text_frame
    )
