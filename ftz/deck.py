"""The house template of a briefing deck: 16:9 slides with a title bar, one CJK font throughout, text
fitted to its boxes, native charts whose embedded workbook holds labels as text, and tables that stop
above the footer."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_DATA_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.slide import Slide
from pptx.text.text import Font
from pptx.util import Emu, Inches, Pt
from xlsxwriter import Workbook

from ftz.i18n import t

FONT_NAME = "微软雅黑"  # Microsoft YaHei: on every Chinese Windows, and WPS maps it where it is missing
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
MARK_RED = RGBColor(0xC0, 0x00, 0x00)
# Text boxes keep PowerPoint's default insets: 0.1 in left and right, 0.05 in top and bottom.
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)
# A line is about 1.45 em high in the CJK fonts a deck is shown in (Noto Sans CJK, 微软雅黑).
LINE_HEIGHT = 1.45
NOTE_HEIGHT = Inches(0.4)


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
    return float(Emu(width - 2 * INSET_X).pt)


def box_height(height: int) -> float:
    """Return the height in points that text has inside a box of `height` EMU."""
    return float(Emu(height - 2 * INSET_Y).pt)


# Paragraphs for a text box: (text, size in points, bold, colour).
Paragraph = tuple[str, float, bool, RGBColor]


def height_needed(paragraphs: Sequence[Paragraph], width: float) -> float:
    """Return the height in points that paragraphs take in a box `width` points wide."""
    return sum(lines_needed(text, width, size, bold) * size * LINE_HEIGHT for text, size, bold, _ in paragraphs)


# Reaching into python-pptx (pinned at 1.0.2 in requirements.txt): it has no public way to open the
# embedded workbook with options, to name an East Asian font, to set the theme's fonts, to put a shape
# behind the title, or to give one bar's label its own number format. Each use below is marked so; a
# new python-pptx is checked by tests/test_briefing.py, which reads every one of them back.


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook with every label written as text: a case titled =HYPERLINK(…) is a
    label, never a formula or a link. (python-pptx private: _open_worksheet)"""

    @contextmanager
    def _open_worksheet(self, xlsx_file: io.BytesIO) -> Iterator[tuple[Workbook, Any]]:
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class _ChartData(CategoryChartData):
    """Chart data whose workbook is written by _TextWorkbookWriter. (python-pptx private: _workbook_writer)"""

    @property
    def _workbook_writer(self) -> _TextWorkbookWriter:
        return _TextWorkbookWriter(self)


def _name_font(font: Font) -> None:
    """Name the deck's font for Latin and East Asian text alike: PowerPoint picks a run's font by script.
    (python-pptx private: Font._rPr)"""
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

    def __init__(self, lang: str = "zh", mark: str = "") -> None:
        self.lang, self.mark = lang, mark
        self.presentation = Presentation()
        self.presentation.slide_width, self.presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        self._set_theme_fonts()
        self.layout = next(layout for layout in self.presentation.slide_layouts if layout.name == "Title Only")

    def _set_theme_fonts(self) -> None:
        """Make the deck's font the theme's, for headings and body text and for Simplified Chinese, so that
        text a presenter adds is in it too. (python-pptx private: the theme part's _blob)"""
        theme = self.presentation.slide_master.part.part_related_by(RT.THEME)
        xml = theme.blob.decode("utf-8")
        for default, ours in (
            ('<a:latin typeface="Calibri"/><a:ea typeface=""/>', _theme_fonts()),
            ('script="Hans" typeface="宋体"', f'script="Hans" typeface="{FONT_NAME}"'),
        ):
            if default not in xml:
                raise RuntimeError(f"python-pptx's default theme has changed: {default!r} is not in it")
            xml = xml.replace(default, ours)
        theme._blob = xml.encode("utf-8")

    def slide(self, title: str, notes: str = "", keep: str = "") -> Slide:
        """Add a slide with its title on the title bar, on one line: the title is cut if it must be, and
        `keep` (a total, say) follows it whole. `notes` go to the speaker notes."""
        slide = self.presentation.slides.add_slide(self.layout)
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_WIDTH, TITLE_BAR_HEIGHT)
        bar.fill.solid()
        bar.fill.fore_color.rgb = PRIMARY
        bar.line.fill.background()
        # Behind the title: the bar is drawn first. (python-pptx private: _spTree, _element)
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
        room = box_width(placeholder.width) - text_width(keep, TITLE_SIZE, bold=True)
        run.text = fit(title, room, TITLE_SIZE, bold=True) + keep
        self._style(run.font, TITLE_SIZE, True, WHITE)
        if self.mark:  # the marking (内部资料 注意保密), red, centred under the title bar
            box = slide.shapes.add_textbox(MARGIN, TITLE_BAR_HEIGHT, CONTENT_WIDTH, CONTENT_TOP - TITLE_BAR_HEIGHT)
            paragraph = box.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.CENTER
            marking = paragraph.add_run()
            marking.text = self.mark
            self._style(marking.font, 10, True, MARK_RED)
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
        room = box_height(height)
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
    ) -> None:
        """Add a table under the title bar in body text, each cell cut to two lines of its column. Rows
        that would run past the content area are left out, and so are those past `rows` of the `total` it
        stands for; `more` (with {n}, how many) then says so under the table."""
        size = BODY_SIZE
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
    return int(Pt(lines * size * LINE_HEIGHT) + 2 * INSET_Y)


def _label_format(dLbl: Any, number_format: str) -> None:
    """Give one bar's label its own number format: the bound (≥) stays in front of the value even when a
    presenter edits the data."""
    # (python-pptx private: the data label's element; numFmt goes right after its idx)
    numFmt = parse_xml(f'<c:numFmt {nsdecls("c")} formatCode="" sourceLinked="0"/>')
    numFmt.set("formatCode", number_format)
    dLbl.idx.addnext(numFmt)
