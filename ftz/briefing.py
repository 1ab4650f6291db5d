"""The selection as a briefing deck (汇报 PPT): native charts a presenter can click and edit, with the same
totals, labels and formats as the pages.

`to_pptx` builds the deck from the selected rows; `python -m ftz.briefing` builds it from the command line
for a scheduled brief. Every total comes from ftz.aggregate; every text is set as plain text (a deck has
no markup to interpret) and chart labels go into the embedded workbook as text, never as formulas.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import unicodedata
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_DATA_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.slide import Slide
from pptx.text.text import Font
from pptx.util import Emu, Inches, Pt
from xlsxwriter import Workbook

from ftz.aggregate import (
    HIGHLIGHT_COLUMNS,
    TOTAL_COLUMNS,
    batches_in,
    case_count,
    crosstab,
    first_of_each_case,
    headline_totals,
    highlights,
    readable_money,
    roll_up,
    row_bound,
    totals,
)
from ftz.charts import BOUND_MARK, case_labels, english_figure, figures_said, format_number, format_total
from ftz.filters import LIST_KEYS, Filters, filter_mask, from_query
from ftz.i18n import LANGS, batch_label, batch_title, code_label, localized, t, unit_label
from ftz.timing import reductions_and_durations, time_pairs
from loaders.measures import Catalogue

FONT_NAME = "微软雅黑"  # Microsoft YaHei: on every Chinese Windows, and WPS maps it where it is missing
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.5)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
TITLE_BAR_HEIGHT = Inches(1.0)
CONTENT_TOP = Inches(1.3)
FOOTER_TOP = Inches(6.75)
CONTENT_BOTTOM = FOOTER_TOP - Inches(0.1)
TITLE_SIZE, HEADING_SIZE, BODY_SIZE, SMALL_SIZE = 26, 16, 14, 11
BIG_SIZE = 24
PRIMARY = RGBColor(0x1F, 0x5F, 0xA8)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
DARK = RGBColor(0x26, 0x26, 0x26)
GREY = RGBColor(0x73, 0x73, 0x73)
LIGHT = RGBColor(0xEE, 0xF3, 0xF9)
# Text boxes keep PowerPoint's default insets: 0.1 in left and right, 0.05 in top and bottom.
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)
# A line is about 1.45 em high in the CJK fonts a deck is shown in (Noto Sans CJK, 微软雅黑).
LINE_HEIGHT = 1.45
TOP_CASES = 10
TABLE_ROWS = 12  # at most; fewer when their text needs two lines
NOTE_HEIGHT = Inches(0.4)
LIST_LINES = 14


# What a text needs, estimated before any font is at hand: a full-width character (and a quote mark or ≥,
# full-width in CJK fonts) is 1 em, a Latin letter or digit at most about 0.62 em, a capital 0.8, bold
# 12% more. The estimate errs wide (against Noto Sans CJK, 微软雅黑 and DejaVu Sans, which LibreOffice
# puts in 微软雅黑's place), so that what it fits fits on screen.
WIDE = frozenset({"W", "F", "A"})


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Return an upper estimate of a line's width in points at a font size in points."""
    em = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in WIDE or char in "MW@%—":
            em += 1.0
        elif char == " ":
            em += 0.32
        elif char.isupper() or char in "mw&":
            em += 0.8
        else:
            em += 0.62
    return em * size * (1.12 if bold else 1.0)


TOKEN = re.compile(r"[A-Za-z0-9'’.,:;!?%()\-/&]+ ?| |.")


def lines_needed(text: str, width: float, size: float, bold: bool = False) -> int:
    """Return how many lines a paragraph takes in a box `width` points wide: Latin words stay whole, CJK
    characters break anywhere, as PowerPoint and WPS break them."""
    lines, used = 1, 0.0
    for token in TOKEN.findall(text):
        needed = text_width(token.rstrip(" "), size, bold)
        if used and used + needed > width:
            lines, used = lines + 1, 0.0
        while needed > width:  # a word longer than the line breaks inside it
            lines, needed = lines + 1, needed - width
        used += text_width(token, size, bold)
    return lines


def fit(text: str, width: float, size: float, lines: int = 1, bold: bool = False) -> str:
    """Return the text cut with an ellipsis so that it takes at most `lines` lines of the box."""
    if lines_needed(text, width, size, bold) <= lines:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if lines_needed(text[:middle].rstrip() + "…", width, size, bold) <= lines:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def box_width(width: int) -> float:
    """Return the width in points that text has inside a box of `width` EMU."""
    return (width - 2 * INSET_X) / 12700


def box_lines(height: int, size: float) -> int:
    """Return how many lines of a size fit in a box of `height` EMU."""
    return max(1, int(((height - 2 * INSET_Y) / 12700) // (size * LINE_HEIGHT)))


# Paragraphs for a text box: (text, size in points, bold, colour).
Paragraph = tuple[str, float, bool, RGBColor]


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook with every label written as text: a case titled =HYPERLINK(…) is a
    label, never a formula or a link."""

    @contextmanager
    def _open_worksheet(self, xlsx_file: io.BytesIO) -> Iterator[tuple[Workbook, Any]]:
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class _ChartData(CategoryChartData):
    @property
    def _workbook_writer(self) -> _TextWorkbookWriter:
        return _TextWorkbookWriter(self)


def _name_font(font: Font) -> None:
    """Name the deck's font for Latin and East Asian text alike: PowerPoint picks a run's font by script."""
    rPr = font._rPr
    rPr.get_or_add_latin().typeface = FONT_NAME
    ea = rPr.find(qn("a:ea"))
    if ea is None:
        ea = parse_xml(f"<a:ea {nsdecls('a')}/>")
        rPr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", FONT_NAME)


def _hex(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


class Deck:
    """A 16:9 presentation in the house template: a title bar on every slide, the slide's title in its
    title placeholder, one CJK font named throughout."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang
        self.presentation = Presentation()
        self.presentation.slide_width, self.presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        self._set_theme_fonts()
        self.layout = next(layout for layout in self.presentation.slide_layouts if layout.name == "Title Only")

    def _set_theme_fonts(self) -> None:
        theme = self.presentation.slide_master.part.part_related_by(RT.THEME)
        xml = theme.blob.decode("utf-8")
        xml = xml.replace('<a:latin typeface="Calibri"/><a:ea typeface=""/>', _theme_fonts())
        xml = xml.replace('script="Hans" typeface="宋体"', f'script="Hans" typeface="{FONT_NAME}"')
        theme._blob = xml.encode("utf-8")

    def slide(self, title: str, notes: str = "") -> Slide:
        """Add a slide with its title on the title bar, cut to one line; `notes` go to the speaker notes."""
        slide = self.presentation.slides.add_slide(self.layout)
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_WIDTH, TITLE_BAR_HEIGHT)
        bar.fill.solid()
        bar.fill.fore_color.rgb = PRIMARY
        bar.line.fill.background()
        # Behind the title: the bar is drawn first.
        tree = slide.shapes._spTree
        tree.remove(bar._element)
        tree.insert(2, bar._element)
        placeholder = slide.shapes.title
        placeholder.left, placeholder.top = MARGIN, Inches(0.1)
        placeholder.width, placeholder.height = CONTENT_WIDTH, TITLE_BAR_HEIGHT - Inches(0.2)
        frame = placeholder.text_frame
        frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        paragraph = frame.paragraphs[0]
        run = paragraph.add_run()
        run.text = fit(title, box_width(placeholder.width), TITLE_SIZE, bold=True)
        self._style(run.font, TITLE_SIZE, True, WHITE)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        return slide

    @staticmethod
    def _style(font: Font, size: float, bold: bool, color: RGBColor) -> None:
        font.size, font.bold = Pt(size), bold
        font.color.rgb = color
        _name_font(font)

    def text(self, slide: Slide, left: int, top: int, width: int, height: int, paragraphs: Sequence[Paragraph]) -> None:
        """Add a text box of paragraphs, each cut to the lines left for it so that nothing overflows."""
        box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
        frame = box.text_frame
        frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
        room = (height - 2 * INSET_Y) / 12700
        for index, (text, size, bold, color) in enumerate(paragraphs):
            lines = int(room // (size * LINE_HEIGHT))
            if lines < 1:  # a layout that leaves no room for a figure is a bug, never a figure left out
                raise ValueError(f"no room for {text!r} in a box {height / 914400:.2f} in high")
            shown = fit(text, box_width(width), size, lines, bold)
            room -= lines_needed(shown, box_width(width), size, bold) * size * LINE_HEIGHT
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = shown
            self._style(run.font, size, bold, color)

    def bar_chart(
        self,
        slide: Slide,
        box: tuple[int, int, int, int],
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[float]]],
        *,
        title: str,
        horizontal: bool = False,
        stacked: bool = False,
        colors: Sequence[str] | None = None,
        point_colors: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        """Add a native bar chart with its data embedded. `colors` colour the series, `point_colors` the
        bars of a single series; `labels` are number formats for the bars' labels (≥ 1,098.2)."""
        data = _ChartData()
        data.categories = list(categories)
        for name, values in series:
            data.add_series(name, [float(v) for v in values])
        if horizontal:
            kind = XL_CHART_TYPE.BAR_STACKED if stacked else XL_CHART_TYPE.BAR_CLUSTERED
        else:
            kind = XL_CHART_TYPE.COLUMN_STACKED if stacked else XL_CHART_TYPE.COLUMN_CLUSTERED
        left, top, width, height = (Emu(side) for side in box)
        frame: Any = slide.shapes.add_chart(kind, left, top, width, height, cast(Any, data))
        chart = frame.chart
        chart.font.size = Pt(12)
        _name_font(chart.font)
        chart.has_title = True
        heading = chart.chart_title.text_frame
        heading.text = title
        self._style(heading.paragraphs[0].runs[0].font, SMALL_SIZE + 2, True, DARK)
        chart.has_legend = len(series) > 1
        if chart.has_legend:
            chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        plot = chart.plots[0]
        # Bars about as wide whether there are two or ten of them.
        plot.gap_width = 60 if len(categories) > 3 else 180
        if stacked:
            plot.overlap = 100
        if horizontal:
            chart.category_axis.reverse_order = True  # the first category on top, as read
        chart.value_axis.has_major_gridlines = False
        chart.value_axis.tick_labels.number_format = "#,##0"
        chart.value_axis.tick_labels.number_format_is_linked = False
        for index, drawn in enumerate(plot.series):
            if colors:
                drawn.format.fill.solid()
                drawn.format.fill.fore_color.rgb = _hex(colors[index])
            for point, color in enumerate(point_colors or []):
                fill = drawn.points[point].format.fill
                fill.solid()
                fill.fore_color.rgb = _hex(color)
        if labels is not None:
            plot.has_data_labels = True
            plot.data_labels.show_value = True
            plot.data_labels.position = XL_DATA_LABEL_POSITION.OUTSIDE_END
            for point, number_format in enumerate(labels):
                _label_format(plot.series[0].points[point].data_label._get_or_add_dLbl(), number_format)

    def table(
        self,
        slide: Slide,
        widths: Sequence[int],
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        more: str,
        total: int | None = None,
        size: float = BODY_SIZE,
    ) -> None:
        """Add a table under the title bar, each cell cut to two lines of its column. Rows that would run
        past the content area are left out, and so are those past `rows` of the `total` it stands for;
        `more` (with {n}, how many) then says so under the table."""
        header = [fit(text, box_width(width), size, 2, bold=True) for text, width in zip(header, widths, strict=True)]
        heights = [_row_height(header, widths, size, bold=True)]
        room = CONTENT_BOTTOM - CONTENT_TOP - NOTE_HEIGHT  # a note under the table may be needed
        shown: list[list[str]] = []
        for row in rows:
            cells = [fit(text, box_width(width), size, 2) for text, width in zip(row, widths, strict=True)]
            height = _row_height(cells, widths, size)
            if sum(heights) + height > room:
                break
            shown.append(cells)
            heights.append(height)
        frame = slide.shapes.add_table(
            len(shown) + 1, len(widths), Emu(MARGIN), Emu(CONTENT_TOP), Emu(int(sum(widths))), Emu(int(sum(heights)))
        )
        table = frame.table
        for index, width in enumerate(widths):
            table.columns[index].width = Emu(width)
        for index, height in enumerate(heights):
            table.rows[index].height = Emu(height)
        for row_index, cells in enumerate([list(header), *shown]):
            for column, text in enumerate(cells):
                cell = table.cell(row_index, column)
                cell.margin_left = cell.margin_right = INSET_X
                cell.margin_top = cell.margin_bottom = INSET_Y
                cell.text_frame.word_wrap = True
                run = cell.text_frame.paragraphs[0].add_run()
                run.text = text
                self._style(run.font, size, row_index == 0, WHITE if row_index == 0 else DARK)
                cell.fill.solid()
                cell.fill.fore_color.rgb = PRIMARY if row_index == 0 else (LIGHT if row_index % 2 else WHITE)
        left_out = (len(rows) if total is None else total) - len(shown)
        if left_out > 0:
            note = more.format(n=f"{left_out:,}")
            top = CONTENT_TOP + sum(heights) + Inches(0.05)
            self.text(slide, MARGIN, top, CONTENT_WIDTH, NOTE_HEIGHT, [(note, SMALL_SIZE, False, GREY)])

    def save(self, title: str, made_at: datetime) -> bytes:
        """Return the deck as .pptx bytes, its properties saying what it is and when it was made."""
        properties = self.presentation.core_properties
        properties.title, properties.author = title, t("app_title", "zh")
        properties.last_modified_by, properties.revision = t("app_title", "zh"), 1
        stamp = made_at.astimezone(UTC).replace(tzinfo=None)
        properties.created = properties.modified = stamp
        properties.last_printed = stamp
        buffer = io.BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()


def _theme_fonts() -> str:
    return f'<a:latin typeface="{FONT_NAME}"/><a:ea typeface="{FONT_NAME}"/>'


def _row_height(cells: Sequence[str], widths: Sequence[int], size: float, bold: bool = False) -> int:
    lines = max(lines_needed(text, box_width(width), size, bold) for text, width in zip(cells, widths, strict=True))
    return int(lines * size * LINE_HEIGHT * 12700 + 2 * INSET_Y)


def _label_format(dLbl: Any, number_format: str) -> None:
    """Give one bar's label its own number format: the bound (≥) stays in front of the value even when a
    presenter edits the data."""
    numFmt = parse_xml(f'<c:numFmt {nsdecls("c")} formatCode="" sourceLinked="0"/>')
    numFmt.set("formatCode", number_format)
    dLbl.idx.addnext(numFmt)


def label_format(value: float, bound: str) -> str:
    """Return the Excel number format that shows a value as the pages do: thousands separators, only the
    decimals it has (up to two), its bound in front (≥ 1,098.2)."""
    shown = format_number(value)
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    mark = BOUND_MARK.get(bound, "≈")
    prefix = f'"{mark} "' if mark else ""
    return prefix + "#,##0" + ("." + "0" * decimals if decimals else "")


def display_scale(largest: float, unit_std: str, lang: str) -> tuple[float, str]:
    """Return what to divide totals of a unit by for a chart, and the unit then shown: money in 亿元 from
    1亿 up in Chinese, in M or bn yuan in English, as format_total says them."""
    if unit_std == "万元" and lang == "en":
        yuan = largest * 10_000
        if abs(yuan) >= 1e9:
            return 1e5, "bn yuan"
        if abs(yuan) >= 1e6:
            return 1e2, "M yuan"
        return 1e-4, "yuan"
    shown = readable_money(largest, unit_std)[1]
    return (10_000.0 if shown != unit_std else 1.0), unit_label(shown, lang)


def _named(names: Mapping[str, str], value: object) -> str:
    return names.get(str(value), str(value))


def filters_in_words(filters: Filters, lang: str, names: Mapping[str, str]) -> str:
    """Return the filters as a reader says them (片区：宜昌片区｜领域：…), or that the deck covers all data."""
    said = []
    for key in LIST_KEYS:
        values = getattr(filters, key)
        if not values:
            continue
        if key == "batch":
            labels = [batch_label(int(v), lang) for v in values]
        elif key in ("area", "category"):
            labels = [_named(names, v) for v in values]
        else:
            labels = [code_label(key, v, lang) for v in values]
        said.append(f"{t('f_' + key, lang)}{t('label_sep', lang)}{t('list_sep', lang).join(labels)}")
    if filters.q.strip():
        said.append(f"{t('f_q', lang)}{t('label_sep', lang)}“{filters.q.strip()}”")
    return t("item_sep", lang).join(said) if said else t("all_data", lang)


@dataclass(frozen=True, eq=False)
class Briefing:
    """What a deck is made of: the selected rows and how to name and date them."""

    rows: pd.DataFrame
    lang: str
    filters: Filters
    batches: pd.DataFrame  # the register of batches
    names: Mapping[str, str]  # areas, categories and departments in the language ({} in Chinese)
    colors: Mapping[str, str]  # each area's colour
    catalogue: Catalogue
    data_changed: str
    data_version: str
    made_at: datetime  # Beijing time

    def say(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    @cached_property
    def several_batches(self) -> bool:
        """Whether the selection spans batches: cases are then named with their batch (第七批 10)."""
        return bool(self.rows["batch"].nunique() > 1)

    def case_labels(self, rows: pd.DataFrame) -> list[str]:
        """Return "10. case title" per row (led by the batch when the selection spans batches)."""
        return case_labels(rows, "case_title", self.lang, self.several_batches)

    def case_number(self, batch: object, case_no: object) -> str:
        """Return 案例10 (第七批 案例10 when the selection spans batches)."""
        case = self.say("highlight_case", case_no=int(str(case_no)))
        return f"{batch_label(int(str(batch)), self.lang)} {case}" if self.several_batches else case

    def total_text(self, item: Mapping[Hashable, Any]) -> str:
        return format_total(float(item["total"]), str(item["unit_std"]), str(item["bound"]), self.lang)


def to_pptx(briefing: Briefing) -> bytes:
    """Return the briefing deck of the selection: cover, the selection at a glance, one slide per headline
    measure, time savings, highlights, one slide per area, sources."""
    b = briefing
    deck = Deck(b.lang)
    totals_rows = b.rows[[*TOTAL_COLUMNS, "area"]]
    by_area = headline_totals(totals_rows, b.catalogue, by=["area"])
    headline = roll_up(by_area, ["area"])
    _cover(deck, b)
    _glance(deck, b, headline)
    for item in headline.to_dict("records"):
        _measure_slide(deck, b, item, by_area[by_area["measure"] == item["measure"]])
    _time_slide(deck, b)
    _highlights_slide(deck, b)
    for area in _areas_in(b.rows):
        _area_slide(deck, b, area, by_area[by_area["area"].astype(str) == area])
    _sources_slide(deck, b)
    return deck.save(b.say("briefing_title"), b.made_at)


def _areas_in(rows: pd.DataFrame) -> list[str]:
    area = rows["area"]
    if isinstance(area.dtype, pd.CategoricalDtype):
        return [str(a) for a, n in area.value_counts(sort=False).items() if n]
    return [str(a) for a in pd.unique(area)]


def _batch_lines(b: Briefing) -> list[str]:
    lines = []
    for batch in batches_in(b.batches, b.rows).to_dict("records"):
        number = str(batch["doc_no"])
        doc_no = f"“{number}”" if b.lang == "en" else number
        lines.append(
            f"{batch_label(int(batch['batch']), b.lang)}{t('item_sep', b.lang)}{batch_title(batch, b.lang)}"
            f"{t('item_sep', b.lang)}{doc_no}{t('item_sep', b.lang)}{b.say('published')} {batch['published']}"
        )
    return lines


def _cover(deck: Deck, b: Briefing) -> None:
    slide = deck.slide(b.say("briefing_title"))
    batches = _batch_lines(b)
    if len(batches) > 4:
        batches = [*batches[:3], b.say("more_batches", n=len(batches) - 3)]
    width, size = box_width(CONTENT_WIDTH), HEADING_SIZE
    lines = [
        *batches,
        f"{b.say('deck_filters')}{b.say('label_sep')}{filters_in_words(b.filters, b.lang, b.names)}",
        b.say("deck_counts", cases=f"{case_count(b.rows):,}", figures=f"{len(b.rows):,}"),
    ]
    dates = [
        f"{b.say('data_changed')}{b.say('label_sep')}{b.data_changed}{b.say('beijing_time')}",
        f"{b.say('deck_made')}{b.say('label_sep')}{b.made_at:%Y-%m-%d %H:%M}{b.say('beijing_time')}",
    ]
    paragraphs: list[Paragraph] = [(b.say("app_title"), TITLE_SIZE, True, PRIMARY)]
    paragraphs += [(fit(line, width, size, 2), size, False, DARK) for line in lines]
    paragraphs += [(line, size, False, GREY) for line in dates]
    deck.text(slide, MARGIN, Inches(1.4), CONTENT_WIDTH, Inches(5.5), paragraphs)


def _big_numbers(deck: Deck, slide: Slide, left: int, top: int, width: int, items: Sequence[tuple[str, str]]) -> None:
    """Add figures as big numbers, two to a row: a label of up to two lines over each value, the value on
    one line (smaller when it is long: ≥ 18.3 bn yuan is never split). What does not fit above the footer
    is counted in the last place instead, never silently left out."""
    column_width, row_height = width // 2, Inches(1.05)
    room = box_width(column_width)
    places = 2 * int((CONTENT_BOTTOM - top) // row_height)
    for index, (label, value) in enumerate(items):
        row, column = divmod(index, 2)
        x, y = left + column * column_width, top + row * row_height
        if index == places - 1 and len(items) > places:
            more = t("deck_more_measures", deck.lang, n=len(items) - index)
            deck.text(slide, x, y, column_width, row_height, [(more, SMALL_SIZE + 1, False, GREY)])
            break
        label = fit(label, room, SMALL_SIZE + 1, 2)
        largest = BIG_SIZE if lines_needed(label, room, SMALL_SIZE + 1) == 1 else BIG_SIZE - 4
        size = next(
            (s for s in range(largest, BODY_SIZE, -2) if lines_needed(value, room, s, bold=True) == 1), BODY_SIZE
        )
        paragraphs: list[Paragraph] = [(label, SMALL_SIZE + 1, False, GREY), (value, size, True, PRIMARY)]
        deck.text(slide, x, y, column_width, row_height, paragraphs)


def _glance(deck: Deck, b: Briefing, headline: pd.DataFrame) -> None:
    slide = deck.slide(b.say("deck_glance"))
    cases = first_of_each_case(b.rows[["batch", "case_no", "area", "category"]])
    counts = crosstab(cases, "category", "area")
    chart_width = Inches(6.6)
    deck.bar_chart(
        slide,
        (MARGIN, CONTENT_TOP, chart_width, CONTENT_BOTTOM - CONTENT_TOP),
        [_named(b.names, c) for c in counts.index],
        [(_named(b.names, a), counts[a].tolist()) for a in counts.columns],
        title=f"{b.say('cases_by_area_category')}{b.say('unit_in', unit=b.say('count_cases'))}",
        horizontal=True,
        stacked=True,
        colors=[b.colors.get(str(a), "#8c8c8c") for a in counts.columns],
    )
    items = [(b.say("kpi_cases"), f"{case_count(b.rows):,}"), (b.say("kpi_figures"), f"{len(b.rows):,}")]
    items += [
        (b.catalogue.name(str(item["measure"]), b.lang), b.total_text(item)) for item in headline.to_dict("records")
    ]
    left = MARGIN + chart_width + Inches(0.3)
    _big_numbers(deck, slide, left, CONTENT_TOP, SLIDE_WIDTH - MARGIN - left, items)


def _measure_slide(deck: Deck, b: Briefing, item: Mapping[Hashable, Any], by_area: pd.DataFrame) -> None:
    measure, unit_std = str(item["measure"]), str(item["unit_std"])
    name, definition = b.catalogue.name(measure, b.lang), b.catalogue.definition(measure, b.lang)
    notes = (
        f"{b.say('definition')}{b.say('label_sep')}{definition}\n{b.say('kpi_help')}\n"
        f"{b.say('n_figures')}{b.say('label_sep')}{item['figures']}"
    )
    slide = deck.slide(f"{name}{b.say('label_sep')}{b.total_text(item)}", notes)
    # By area, in the register's order, as the pages draw it.
    scale, unit = display_scale(float(by_area["total"].max()), unit_std, b.lang)
    area_width = Inches(4.4)
    deck.bar_chart(
        slide,
        (MARGIN, CONTENT_TOP, area_width, CONTENT_BOTTOM - CONTENT_TOP),
        [_named(b.names, a) for a in by_area["area"]],
        [(f"{name}{b.say('unit_in', unit=unit)}", (by_area["total"] / scale).tolist())],
        title=f"{b.say('by_area')}{b.say('unit_in', unit=unit)}",
        point_colors=[b.colors.get(str(a), "#8c8c8c") for a in by_area["area"]],
        labels=[label_format(v / scale, bound) for v, bound in zip(by_area["total"], by_area["bound"], strict=True)],
    )
    # By case, the ten largest: each case's sum, added and bounded as every total is.
    per_case = totals(b.rows, b.catalogue, measure, by=["batch", "case_no"])
    top = per_case.nlargest(TOP_CASES, "total", keep="first")
    cases = localized(first_of_each_case(b.rows[["batch", "case_no", "case_title", "case_title_en", "area"]]), b.lang)
    top = top.merge(cases, on=["batch", "case_no"], how="left")
    case_scale, case_unit = display_scale(float(top["total"].max()), unit_std, b.lang)
    left = MARGIN + area_width + Inches(0.3)
    width = SLIDE_WIDTH - MARGIN - left
    limit = 30 if b.lang == "en" else 16
    deck.bar_chart(
        slide,
        (left, CONTENT_TOP, width, CONTENT_BOTTOM - CONTENT_TOP),
        [_short(label, limit) for label in b.case_labels(top)],
        [(f"{name}{b.say('unit_in', unit=case_unit)}", (top["total"] / case_scale).tolist())],
        title=f"{b.say('deck_top_cases', n=len(top))}{b.say('unit_in', unit=case_unit)}",
        horizontal=True,
        point_colors=[b.colors.get(str(a), "#8c8c8c") for a in top["area"]],
        labels=[label_format(v / case_scale, bound) for v, bound in zip(top["total"], top["bound"], strict=True)],
    )
    _footer(deck, slide, f"{b.say('definition')}{b.say('label_sep')}{definition}")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _footer(deck: Deck, slide: Slide, text: str) -> None:
    deck.text(
        slide,
        MARGIN,
        FOOTER_TOP,
        CONTENT_WIDTH,
        SLIDE_HEIGHT - FOOTER_TOP - Inches(0.1),
        [(text, SMALL_SIZE - 1, False, GREY)],
    )


def _time_slide(deck: Deck, b: Briefing) -> None:
    rows = b.rows[(b.rows["indicator"] == "time").to_numpy()]
    pairs = time_pairs(rows).sort_values("cut", ascending=False, kind="stable")
    saved, _ = reductions_and_durations(rows)
    total = len(pairs) + len(saved)
    if not total:
        return
    slide = deck.slide(b.say("page_time"))
    # Only the rows a slide can show are labelled; the note under the table counts the rest.
    pairs = localized(pairs.head(TABLE_ROWS), b.lang)
    table: list[list[str]] = [
        [case, str(metric), f"{before} → {after}", f"{cut:.1%}"]
        for case, metric, before, after, cut in zip(
            b.case_labels(pairs),
            pairs["metric"],
            figures_said(pairs, "before", b.lang),
            figures_said(pairs, "after", b.lang),
            pairs["cut"],
            strict=True,
        )
    ]
    alone = localized(saved.head(TABLE_ROWS), b.lang)
    for case, record in zip(b.case_labels(alone), alone.to_dict("records"), strict=True):
        figure = (
            english_figure(
                float(record["value"]), str(record["unit"]), row_bound(record["qualifier"], None), record["value_high"]
            )
            if b.lang == "en"
            else str(record["value_text"])
        )
        table.append([case, str(record["metric"]), f"{b.say('reduction')} {figure}", "—"])
    table = table[:TABLE_ROWS]
    widths = [Inches(4.1), Inches(3.6), Inches(3.0), Inches(1.6)]
    header = [b.say("deck_case"), b.say("deck_item"), b.say("deck_change"), b.say("deck_cut")]
    deck.table(slide, widths, header, table, b.say("deck_more_rows"), total)


def _highlights_slide(deck: Deck, b: Briefing) -> None:
    largest = highlights(b.rows[list(TOTAL_COLUMNS)], b.catalogue)
    if largest.empty:
        return
    slide = deck.slide(b.say("highlights"))
    details = localized(b.rows.loc[largest.index, list(HIGHLIGHT_COLUMNS)], b.lang)
    table = []
    for item, detail in zip(largest.to_dict("records"), details.to_dict("records"), strict=True):
        value = (
            english_figure(
                float(item["value_std"]), str(item["unit_std"]), row_bound(item["qualifier"], item["value_high"])
            )
            if b.lang == "en"
            else str(detail["value_text"])
        )
        case = b.case_number(detail["batch"], detail["case_no"])
        table.append([b.catalogue.name(str(item["measure"]), b.lang), value, case, str(detail["case_title"])])
    widths = [Inches(2.9), Inches(3.0), Inches(1.8), Inches(4.6)]
    header = [b.say("choose_measure"), b.say("deck_figure"), b.say("deck_case"), b.say("deck_case_title")]
    deck.table(slide, widths, header, table, b.say("deck_more_highlights"))


def _area_slide(deck: Deck, b: Briefing, area: str, by_area: pd.DataFrame) -> None:
    slide = deck.slide(_named(b.names, area))
    cases = localized(first_of_each_case(b.rows[(b.rows["area"] == area).to_numpy()]), b.lang)
    list_width = Inches(7.0)
    labels = b.case_labels(cases)
    heading = b.say("deck_area_cases", n=len(labels))
    if len(labels) > LIST_LINES:
        labels = [*labels[: LIST_LINES - 1], b.say("deck_more_cases", n=len(labels) - LIST_LINES + 1)]
    width = box_width(list_width)
    paragraphs: list[Paragraph] = [(heading, HEADING_SIZE, True, DARK)]
    paragraphs += [(fit(label, width, BODY_SIZE - 1), BODY_SIZE - 1, False, DARK) for label in labels]
    deck.text(slide, MARGIN, CONTENT_TOP, list_width, CONTENT_BOTTOM - CONTENT_TOP, paragraphs)
    left = MARGIN + list_width + Inches(0.3)
    items = [
        (b.say("kpi_cases"), f"{len(cases):,}"),
        (b.say("kpi_figures"), f"{int((b.rows['area'] == area).sum()):,}"),
    ]
    items += [
        (b.catalogue.name(str(item["measure"]), b.lang), b.total_text(item)) for item in by_area.to_dict("records")
    ]
    _big_numbers(deck, slide, left, CONTENT_TOP, SLIDE_WIDTH - MARGIN - left, items)


def _sources_slide(deck: Deck, b: Briefing) -> None:
    slide = deck.slide(b.say("deck_sources"))
    paragraphs: list[Paragraph] = [(b.say("deck_batches"), HEADING_SIZE, True, DARK)]
    paragraphs += [(line, BODY_SIZE - 1, False, DARK) for line in _batch_lines(b)[:6]]
    paragraphs += [
        (b.say("deck_rules"), HEADING_SIZE, True, DARK),
        (b.say("kpi_help"), BODY_SIZE - 1, False, DARK),
        (b.say("deck_trace"), BODY_SIZE - 1, False, DARK),
        (b.say("deck_version", version=b.data_version, changed=b.data_changed), SMALL_SIZE, False, GREY),
    ]
    deck.text(slide, MARGIN, CONTENT_TOP, CONTENT_WIDTH, CONTENT_BOTTOM - CONTENT_TOP, paragraphs)


# ---------------------------------------------------------------- command line

HELP = """为当前数据（可按片区、领域、批次筛选）生成汇报 PPT。 Build the briefing deck of the store, filtered.

  python -m ftz.briefing -o 汇报.pptx
  python -m ftz.briefing --lang en --area 宜昌片区 --batch 7 -o briefing.pptx

筛选值与网址中的一致：片区、领域用文件中的中文名称，批次用数字，可重复。
Filter values are those of the URL: the document's Chinese names for areas and categories, batch numbers;
each option may be repeated. Exit codes: 0 written, 1 nothing matches or the store is invalid, 2 usage."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from loaders.store import (
        BEIJING,
        METRICS_PATH,
        InvalidMetricsError,
        beside,
        english_names,
        last_changed,
        load_areas,
        load_batches,
        read_metrics,
        store_catalogue,
    )

    parser = argparse.ArgumentParser(
        prog="python -m ftz.briefing", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件 the .pptx to write")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="语言 language (zh, en)")
    for key in ("area", "category", "batch"):
        parser.add_argument(
            f"--{key}", action="append", default=[], help=f"{t('f_' + key, 'zh')} {t('f_' + key, 'en')}"
        )
    parser.add_argument(
        "--store", type=Path, default=METRICS_PATH, help="数据文件 the store (default data/metrics.csv)"
    )
    args = parser.parse_args(argv)
    try:
        frame = read_metrics(args.store).frame
    except InvalidMetricsError as err:
        print(f"数据未通过校验。 The store is invalid.\n{err}", file=sys.stderr)
        return 1
    options = {key: [str(v) for v in pd.unique(frame[key].astype(str))] for key in LIST_KEYS}
    asked = {"area": args.area, "category": args.category, "batch": args.batch}
    filters = from_query(asked, options)
    for key, values in asked.items():
        unknown = [v for v in values if v not in options[key]]
        if unknown:
            print(
                f"数据中没有{t('f_' + key, 'zh')} {'、'.join(unknown)}。 No {key} {', '.join(unknown)} in the data; "
                f"it has: {'、'.join(options[key])}",
                file=sys.stderr,
            )
            return 2
    rows = frame[filter_mask(frame, filters)]
    if rows.empty:
        print("没有符合筛选条件的数据。 Nothing matches the filters.", file=sys.stderr)
        return 1
    areas = load_areas(beside(args.store, "areas.csv")) if beside(args.store, "areas.csv").is_file() else load_areas()
    from hashlib import sha256

    briefing = Briefing(
        rows=rows,
        lang=args.lang,
        filters=filters,
        batches=load_batches(beside(args.store, "batches.csv")),
        names=english_names(args.store) if args.lang == "en" else {},
        colors=dict(zip(areas["area"], areas["color"], strict=True)),
        catalogue=store_catalogue(args.store),
        data_changed=last_changed(args.store),
        data_version=sha256(args.store.read_bytes()).hexdigest()[:16],
        made_at=datetime.now(BEIJING),
    )
    data = to_pptx(briefing)
    temporary = args.output.with_name(args.output.name + ".part")
    temporary.write_bytes(data)
    temporary.replace(args.output)
    print(f"已写入 written: {args.output} ({len(data) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
