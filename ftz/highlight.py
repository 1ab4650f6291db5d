"""Source sentences with the figures' own words marked, safe to render as HTML; the overview's highlights
as links to their cases."""

from __future__ import annotations

import html
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ftz.aggregate import row_bound, summable_mask
from ftz.charts import english_figure
from ftz.i18n import code_label, localized, t
from loaders.measures import Catalogue
from loaders.numbers import bounded_occurrences


def occurrence_rank(rows: pd.DataFrame) -> pd.Series:
    """Return, per row, which occurrence of its value_text in its sentence it is (rows in fact_id order)."""
    ordered = rows.sort_values("fact_id")
    rank = ordered.groupby(["source_quote", "value_text"], observed=True, sort=False).cumcount()
    return rank.reindex(rows.index)


def highlight_quote(quote: str, value_text: str, occurrence: int = 0) -> str:
    """Return the quote as escaped HTML with the given occurrence of value_text inside <mark>."""
    places = bounded_occurrences(quote, value_text)
    if not places:
        return html.escape(quote)
    start = places[min(occurrence, len(places) - 1)]
    end = start + len(value_text)
    return f"{html.escape(quote[:start])}<mark>{html.escape(quote[start:end])}</mark>{html.escape(quote[end:])}"


@dataclass(frozen=True)
class Mark:
    """One figure to mark in its sentence: its words, which occurrence of them, a note shown on hover,
    and whether it enters totals (those that do not are marked apart)."""

    value_text: str
    occurrence: int
    note: str
    counted: bool


def mark_sentence(sentence: str, marks: list[Mark]) -> str:
    """Return a sentence as escaped HTML with every figure's words inside a <mark> carrying its note as a
    title; a figure left out of totals gets the class "apart". Figures of the very same words (the parts
    of a ratio 5：2：3) share one mark and its notes; a figure whose words overlap another's already
    marked is left unmarked rather than nested."""
    spans: dict[tuple[int, int], list[Mark]] = {}
    for mark in marks:
        places = bounded_occurrences(sentence, mark.value_text)
        if not places:
            continue
        start = places[min(mark.occurrence, len(places) - 1)]
        end = start + len(mark.value_text)
        if (start, end) in spans:
            spans[(start, end)].append(mark)
        elif all(end <= s or start >= e for s, e in spans):
            spans[(start, end)] = [mark]
    parts, at = [], 0
    for (start, end), shared in sorted(spans.items()):
        note = "\n".join(mark.note for mark in shared)
        counted = any(mark.counted for mark in shared)
        style = "" if counted else ' class="apart" style="background:#e8e8e8;text-decoration:underline dotted"'
        parts.append(html.escape(sentence[at:start]))
        parts.append(f'<mark title="{html.escape(note)}"{style}>{html.escape(sentence[start:end])}</mark>')
        at = end
    parts.append(html.escape(sentence[at:]))
    return "".join(parts)


# A point of a section opens a paragraph: （一）推行“科技服务经纪人”模式。 A short one is its heading.
POINT = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
# A short line without a full stop is a heading too: 东湖科技保险示范区.
SHORT_HEADING = re.compile(r"^[^。！？，；]{1,30}$")


def mark_case(
    sentences: list[tuple[str, str]], figures: pd.DataFrame, notes: dict[str, str], counted: set[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Return a case's text as marked HTML grouped by section, in document order, each section a list of
    paragraphs (a heading such as （一）完善组织架构 starts one, in bold), and the marked sentences of figures
    whose sentence the text lacks. `sentences` are (section, text) pairs, each shown once where it first
    stands; every figure of `figures` (fact_id, value_text, source_quote) is marked once, with its note,
    apart unless counted."""
    figures = figures.assign(_rank=occurrence_rank(figures))
    marks: dict[str, list[Mark]] = {}
    for fact_id, value_text, quote, rank in zip(
        figures["fact_id"].astype(str), figures["value_text"], figures["source_quote"], figures["_rank"], strict=True
    ):
        marks.setdefault(str(quote), []).append(Mark(str(value_text), int(rank), notes[fact_id], fact_id in counted))
    sections: dict[str, list[str]] = {}
    seen: set[str] = set()
    for section, text in sentences:
        if text in seen:
            continue
        seen.add(text)
        marked = mark_sentence(text, marks.get(text, []))
        paragraphs = sections.setdefault(section, [])
        heading = SHORT_HEADING.match(text) or (POINT.match(text) and len(text) <= 40)
        if heading:
            paragraphs += [f"<b>{marked}</b>", ""]
        elif POINT.match(text) or not paragraphs:
            paragraphs.append(marked)
        else:
            paragraphs[-1] += marked
    for section, paragraphs in sections.items():
        sections[section] = [paragraph for paragraph in paragraphs if paragraph]
    return sections, [mark_sentence(quote, found) for quote, found in marks.items() if quote not in seen]


def mark_case_figures(
    figures: pd.DataFrame, catalogue: Catalogue, lang: str, sentences: list[tuple[str, str]] | None
) -> tuple[dict[str, list[str]], list[str]]:
    """Return a case's text marked as mark_case does, each figure's note giving its ID, kind, scope and
    measure in the language, and whether totals leave it out. Without the document's sentences (a batch
    with no registered source), the figures' own sentences are the text, each once, in figure order."""
    counted = set(figures.loc[summable_mask(figures, catalogue), "fact_id"].astype(str))
    notes = {
        str(row["fact_id"]): " · ".join(
            [
                str(row["fact_id"]),
                code_label("kind", str(row["kind"]), lang),
                code_label("scope", str(row["scope"]), lang),
                catalogue.name(str(row["measure"]), lang),
                *([] if str(row["fact_id"]) in counted else [t("not_in_totals", lang)]),
            ]
        )
        for row in figures[["fact_id", "kind", "scope", "measure"]].to_dict("records")
    }
    if sentences is None:
        sentences = [(str(s), str(q)) for q, s in zip(figures["source_quote"], figures["section"], strict=True)]
    return mark_case(sentences, figures, notes, counted)


@dataclass(frozen=True)
class HighlightLink:
    """One highlight as the overview links it: the words shown, the case (7-10), and the quote on hover."""

    label: str
    case: str
    quote: str


def highlight_value(item: Mapping[Hashable, Any], detail: Mapping[Hashable, Any], lang: str) -> str:
    """Return a highlight's figure (a row of aggregate.highlights, and its HIGHLIGHT_COLUMNS as `detail`) as
    the language says it: its written words in Chinese, read out in English (over 18.3 billion yuan)."""
    if lang != "en":
        return str(detail["value_text"])
    bound = row_bound(item["qualifier"], item["value_high"])
    return english_figure(float(str(item["value_std"])), str(item["unit_std"]), bound)


def highlight_links(
    largest: pd.DataFrame, details: pd.DataFrame, catalogue: Catalogue, lang: str
) -> list[HighlightLink]:
    """Return the highlights (aggregate.highlights, and their rows' HIGHLIGHT_COLUMNS as `details`) as links:
    the measure, the figure first (on a phone a link is one line and a long case title is cut after it),
    then the case. In English the figure is read out in words; the Chinese span stays the quote, on hover."""
    links = []
    shown = localized(details, lang)
    for item, detail in zip(largest.to_dict("records"), shown.to_dict("records"), strict=True):
        measure, case_no = str(item["measure"]), int(detail["case_no"])
        value = highlight_value(item, detail, lang)
        label = (
            f"{catalogue.name(measure, lang)}{t('label_sep', lang)}**{value}**{t('item_sep', lang)}"
            f"{t('highlight_case', lang, case_no=case_no)} {detail['case_title']}"
        )
        quote = f"「{detail['value_text']}」{detail['source_quote']}"
        links.append(HighlightLink(label, f"{int(detail['batch'])}-{case_no}", quote))
    return links
