"""The selection as a briefing deck (汇报 PPT): native charts a presenter can click and edit, with the same
totals, labels and formats as the pages.

`to_pptx` builds the deck from the selected rows; `python -m ftz.briefing` builds it from the command line
for a scheduled brief. Every total comes from ftz.aggregate; every text is set as plain text (a deck has
no markup to interpret) and chart labels go into the embedded workbook as text, never as formulas.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pptx.slide import Slide
from pptx.util import Inches

from ftz.aggregate import (
    HIGHLIGHT_COLUMNS,
    TOTAL_COLUMNS,
    batches_in,
    case_count,
    crosstab,
    first_of_each_case,
    headline_totals,
    highlights,
    roll_up,
    totals,
)
from ftz.charts import BOUND_MARK, case_labels, chart_scale, figures_said, format_number, short, total_said
from ftz.deck import (
    BIG_SIZE,
    BODY_SIZE,
    CONTENT_BOTTOM,
    CONTENT_TOP,
    CONTENT_WIDTH,
    DARK,
    FOOTER_TOP,
    GREY,
    HEADING_SIZE,
    MARGIN,
    PRIMARY,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    SMALL_SIZE,
    TITLE_SIZE,
    Deck,
    Paragraph,
    box_height,
    box_width,
    fit,
    height_needed,
    lines_needed,
)
from ftz.export import export_mark
from ftz.filters import Filters, filter_mask, filter_options, filters_said, from_query, present_values
from ftz.highlight import highlight_value
from ftz.i18n import LANGS, batch_label, batch_title, localized, t
from ftz.timing import reductions_and_durations, time_pairs
from loaders.measures import Catalogue

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TOP_CASES = 10
TABLE_ROWS = 12  # at most; fewer when their text needs two lines
LIST_LINES = 14


def label_format(value: float, bound: str) -> str:
    """Return the Excel number format that shows a value as the pages do: thousands separators, only the
    decimals it has (up to two), its bound in front (≥ 1,098.2). A value under 1 (40 万元 on a chart in 亿元)
    keeps its first digits (0.004), never reads 0."""
    mark = BOUND_MARK.get(bound, "≈")
    prefix = f'"{mark} "' if mark else ""
    if 0 < abs(value) < 1:
        return prefix + "#,##0.0#####"
    shown = format_number(value)
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return prefix + "#,##0" + ("." + "0" * decimals if decimals else "")


def _named(names: Mapping[str, str], value: object) -> str:
    return names.get(str(value), str(value))


def filters_in_words(filters: Filters, lang: str, names: Mapping[str, str]) -> str:
    """Return the filters as a reader says them (片区：宜昌片区｜领域：…), or that the deck covers all data."""
    return t("item_sep", lang).join(filters_said(filters, lang, names)) or t("all_data", lang)


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
    mark: str = ""  # the marking every slide carries (FTZ_EXPORT_MARK), or none

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
        return total_said(item, self.lang)

    @cached_property
    def cases(self) -> pd.DataFrame:
        """The selection's cases, one row each (batch, case_no, case_title in the language, area,
        category): read once for the glance, the measures' top cases and the areas' lists."""
        columns = ["batch", "case_no", "case_title", "case_title_en", "area", "category"]
        return localized(first_of_each_case(self.rows[columns]), self.lang)


def to_pptx(briefing: Briefing) -> bytes:
    """Return the briefing deck of the selection: cover, the selection at a glance, one slide per headline
    measure, time savings, highlights, one slide per area, sources."""
    b = briefing
    deck = Deck(b.lang, b.mark)
    totals_rows = b.rows[[*TOTAL_COLUMNS, "area"]]
    by_area = headline_totals(totals_rows, b.catalogue, by=["area"])
    headline = roll_up(by_area, ["area"])
    _cover(deck, b)
    _glance(deck, b, headline)
    for item in headline.to_dict("records"):
        _measure_slide(deck, b, item, by_area[by_area["measure"] == item["measure"]])
    _time_slide(deck, b)
    _highlights_slide(deck, b)
    for area in present_values(b.rows["area"]):
        _area_slide(deck, b, area, by_area[by_area["area"].astype(str) == area])
    _sources_slide(deck, b)
    return deck.save(b.say("briefing_title"), b.made_at)


def _batch_lines(b: Briefing, most: int) -> list[str]:
    """Return the selection's batches, one line each (label, title, document number, date): at most
    `most` lines, the last of them saying how many more there are."""
    lines = []
    for batch in batches_in(b.batches, b.rows).to_dict("records"):
        number = str(batch["doc_no"])
        doc_no = f"“{number}”" if b.lang == "en" else number
        lines.append(
            f"{batch_label(int(batch['batch']), b.lang)}{t('item_sep', b.lang)}{batch_title(batch, b.lang)}"
            f"{t('item_sep', b.lang)}{doc_no}{t('item_sep', b.lang)}{b.say('published')} {batch['published']}"
        )
    if len(lines) > most:
        lines = [*lines[: most - 1], b.say("more_batches", n=len(lines) - most + 1)]
    return lines


def _cover(deck: Deck, b: Briefing) -> None:
    slide = deck.slide(b.say("briefing_title"))
    width, height = box_width(CONTENT_WIDTH), Inches(5.5)
    # The largest size at which every part has its place: up to four batches of two lines, the filters in
    # up to five lines (the only place the deck states them), then the counts and the dates.
    for size in (20, 18, 16, BODY_SIZE):
        paragraphs = _cover_paragraphs(b, width, size)
        if height_needed(paragraphs, width) <= box_height(height):
            break
    deck.text(slide, MARGIN, Inches(1.4), CONTENT_WIDTH, height, paragraphs)


def _cover_paragraphs(b: Briefing, width: float, size: float) -> list[Paragraph]:
    paragraphs: list[Paragraph] = [(b.say("app_title"), TITLE_SIZE, True, PRIMARY)]
    paragraphs += [(fit(line, width, size, 2), size, False, DARK) for line in _batch_lines(b, 4)]
    filters = f"{b.say('deck_filters')}{b.say('label_sep')}{filters_in_words(b.filters, b.lang, b.names)}"
    paragraphs.append((fit(filters, width, size, 5), size, False, DARK))
    counts = b.say("deck_counts", cases=f"{case_count(b.rows):,}", figures=f"{len(b.rows):,}")
    paragraphs.append((counts, size, False, DARK))
    if b.data_changed:
        changed = f"{b.say('data_changed')}{b.say('label_sep')}{b.data_changed}{b.say('beijing_time')}"
        paragraphs.append((changed, size, False, GREY))
    made = f"{b.say('deck_made')}{b.say('label_sep')}{b.made_at:%Y-%m-%d %H:%M}{b.say('beijing_time')}"
    paragraphs.append((made, size, False, GREY))
    return paragraphs


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
    counts = crosstab(b.cases, "category", "area")
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
    if headline.empty:
        note = [(b.say("no_totals"), BODY_SIZE, False, GREY)]
        deck.text(slide, left, CONTENT_TOP + Inches(1.2), SLIDE_WIDTH - MARGIN - left, Inches(1.2), note)


def _measure_slide(deck: Deck, b: Briefing, item: Mapping[Hashable, Any], by_area: pd.DataFrame) -> None:
    measure, unit_std = str(item["measure"]), str(item["unit_std"])
    name, definition = b.catalogue.name(measure, b.lang), b.catalogue.definition(measure, b.lang)
    notes = (
        f"{b.say('definition')}{b.say('label_sep')}{definition}\n{b.say('kpi_help')}\n"
        f"{b.say('n_figures')}{b.say('label_sep')}{item['figures']}"
    )
    slide = deck.slide(name, notes, keep=f"{b.say('label_sep')}{b.total_text(item)}")
    # By area, in the register's order, as the pages draw it.
    scale, unit = chart_scale(float(by_area["total"].max()), unit_std, b.lang)
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
    top = top.merge(b.cases[["batch", "case_no", "case_title", "area"]], on=["batch", "case_no"], how="left")
    case_scale, case_unit = chart_scale(float(top["total"].max()), unit_std, b.lang)
    left = MARGIN + area_width + Inches(0.3)
    width = SLIDE_WIDTH - MARGIN - left
    limit = 36 if b.lang == "en" else 20  # what the label column of a chart this wide shows at 12 pt
    deck.bar_chart(
        slide,
        (left, CONTENT_TOP, width, CONTENT_BOTTOM - CONTENT_TOP),
        [short(label, limit) for label in b.case_labels(top)],
        [(f"{name}{b.say('unit_in', unit=case_unit)}", (top["total"] / case_scale).tolist())],
        title=f"{b.say('deck_top_cases', n=len(top))}{b.say('unit_in', unit=case_unit)}",
        horizontal=True,
        point_colors=[b.colors.get(str(a), "#8c8c8c") for a in top["area"]],
        labels=[label_format(v / case_scale, bound) for v, bound in zip(top["total"], top["bound"], strict=True)],
    )
    _footer(deck, slide, f"{b.say('definition')}{b.say('label_sep')}{definition}")


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
    """Before → after pairs (largest cut first), then time saved stated alone, then durations now
    achieved, as the time page lists them; the note under the table counts what does not fit."""
    rows = b.rows[(b.rows["indicator"] == "time").to_numpy()]
    pairs = time_pairs(rows).sort_values("cut", ascending=False, kind="stable")
    saved, durations = reductions_and_durations(rows)
    total = len(pairs) + len(saved) + len(durations)
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
            figures_said(pairs, b.lang, "before"),
            figures_said(pairs, b.lang, "after"),
            pairs["cut"],
            strict=True,
        )
    ]
    for alone, word in ((saved, "reduction"), (durations.sort_values(["unit_std", "value_std"]), "deck_now")):
        shown = localized(alone.head(TABLE_ROWS), b.lang)
        for case, metric, figure in zip(
            b.case_labels(shown), shown["metric"], figures_said(shown, b.lang), strict=True
        ):
            table.append([case, str(metric), f"{b.say(word)} {figure}", "—"])
    widths = [Inches(4.1), Inches(3.6), Inches(3.0), Inches(1.6)]
    header = [b.say("deck_case"), b.say("deck_item"), b.say("deck_change"), b.say("deck_cut")]
    deck.table(slide, widths, header, table[:TABLE_ROWS], b.say("deck_more_rows"), total)


def _highlights_slide(deck: Deck, b: Briefing) -> None:
    largest = highlights(b.rows[list(TOTAL_COLUMNS)], b.catalogue)
    if largest.empty:
        return
    slide = deck.slide(b.say("highlights"))
    details = localized(b.rows.loc[largest.index, list(HIGHLIGHT_COLUMNS)], b.lang)
    table = []
    for item, detail in zip(largest.to_dict("records"), details.to_dict("records"), strict=True):
        value = highlight_value(item, detail, b.lang)
        case = b.case_number(detail["batch"], detail["case_no"])
        table.append([b.catalogue.name(str(item["measure"]), b.lang), value, case, str(detail["case_title"])])
    widths = [Inches(2.9), Inches(3.0), Inches(1.8), Inches(4.6)]
    header = [b.say("choose_measure"), b.say("deck_figure"), b.say("deck_case"), b.say("deck_case_title")]
    deck.table(slide, widths, header, table, b.say("deck_more_highlights"))


def _area_slide(deck: Deck, b: Briefing, area: str, by_area: pd.DataFrame) -> None:
    slide = deck.slide(_named(b.names, area))
    cases = b.cases[(b.cases["area"] == area).to_numpy()]
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
    width = box_width(CONTENT_WIDTH)
    paragraphs += [(fit(line, width, BODY_SIZE - 1, 2), BODY_SIZE - 1, False, DARK) for line in _batch_lines(b, 6)]
    paragraphs += [
        (b.say("deck_rules"), HEADING_SIZE, True, DARK),
        (fit(b.say("kpi_help"), width, BODY_SIZE - 1, 2), BODY_SIZE - 1, False, DARK),
        (fit(b.say("deck_trace"), width, BODY_SIZE - 1, 2), BODY_SIZE - 1, False, DARK),
    ]
    version = b.say("deck_version", version=b.data_version)
    if b.data_changed:
        version += (
            f"{b.say('item_sep')}{b.say('data_changed')}{b.say('label_sep')}{b.data_changed}{b.say('beijing_time')}"
        )
    paragraphs.append((version, SMALL_SIZE, False, GREY))
    deck.text(slide, MARGIN, CONTENT_TOP, CONTENT_WIDTH, CONTENT_BOTTOM - CONTENT_TOP, paragraphs)


# ---------------------------------------------------------------- command line

HELP = """为当前数据（可按片区、领域、批次筛选）生成汇报 PPT。 Build the briefing deck of the store, filtered.

  python -m ftz.briefing -o 汇报.pptx
  python -m ftz.briefing --lang en --area 宜昌片区 --batch 7 -o briefing.pptx

筛选值与网址中的一致：片区、领域用文件中的中文名称，批次用数字，可重复。
Filter values are those of the URL: the document's Chinese names for areas and categories, batch numbers;
each option may be repeated. Exit codes: 0 written, 1 nothing matches or the store is invalid, 2 usage
or an output that cannot be written."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from loaders.store import BEIJING, InvalidMetricsError, typed_batches
    from loaders.stores import StoreUnavailable, open_store

    parser = argparse.ArgumentParser(
        prog="python -m ftz.briefing", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件 the .pptx to write")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="语言 language (zh, en)")
    for key in ("area", "category", "batch"):
        parser.add_argument(
            f"--{key}", action="append", default=[], help=f"{t('f_' + key, 'zh')} {t('f_' + key, 'en')}"
        )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--store", type=Path, help="数据文件 the store file (default: FTZ_METRICS_PATH, else data/metrics.csv)"
    )
    where.add_argument("--database", metavar="URL", help="数据库 a PostgreSQL store (default: FTZ_DATABASE_URL)")
    args = parser.parse_args(argv)
    try:
        store = open_store(database=args.database, path=args.store)
    except StoreUnavailable as err:
        print(err, file=sys.stderr)
        return 2
    try:
        frame = store.load().frame
    except InvalidMetricsError as err:
        print(f"数据未通过校验。 The store is invalid.\n{err}", file=sys.stderr)
        return 1
    options = filter_options(frame)
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
    areas = store.register("areas")

    briefing = Briefing(
        rows=rows,
        lang=args.lang,
        filters=filters,
        batches=typed_batches(store.register("batches")),
        names=store.english_names() if args.lang == "en" else {},
        colors=dict(zip(areas["area"], areas["color"], strict=True)),
        catalogue=store.catalogue(),
        data_changed=store.last_changed(),
        data_version=store.version(),
        made_at=datetime.now(BEIJING),
        mark=export_mark(),
    )
    data = to_pptx(briefing)
    temporary = args.output.with_name(args.output.name + ".part")
    try:
        temporary.write_bytes(data)
        temporary.replace(args.output)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        print(f"无法写入 cannot write {args.output}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"已写入 written: {args.output} ({len(data) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
