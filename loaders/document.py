"""Read a batch document as text: its table of contents, each case's provider, sections and sentences."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from loaders.numbers import parse_chinese_numeral
from loaders.schema import SECTION_ALIASES, SECTIONS

LEAD = "导语"
TERMINATORS = "。！？"

_CATEGORY_LINE = re.compile(r"^([一二三四五六七八九十]+)、\s*(\S.*?)\s*$")
_CASE_LINE = re.compile(r"^(\d+)[.．、]\s*(.*?)\s*$")
_LEADER_AND_PAGE = re.compile(r"(?:[.…·]{2,}|\s)*[(（]\d+[)）]\s*$|[.…·]{3,}\s*$|\s*[.…·]{2,}\s*\d+\s*$")
_PROVIDER_LINE = re.compile(r"^[(（](.+?)提供[)）]$")
_SECTION_LINE = re.compile(r"^[一二三四五六七八九十]+、\s*(" + "|".join([*SECTIONS, *SECTION_ALIASES]) + r")\s*$")
# A short line that opens with an enumerator and has no full stop is a heading of its own, not
# the first half of a sentence broken across a page.
_HEADING_LINE = re.compile(r"^(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)[^。！？]{1,24}$")
_ENUMERATED_LINE = re.compile(r"^(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
_SPACE_NEAR_PUNCT = re.compile(r"\s*([、，：；])\s*")
_BATCH = re.compile(r"第([一二三四五六七八九十]+)批")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")
# The end matter after the last case: the distribution list (抄送) and the printing line (印发).
_END_MATTER = re.compile(r"^抄送[:：]|\d{4}年\d{1,2}月\d{1,2}日印发$")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


@dataclass(frozen=True)
class TocEntry:
    """A case as the table of contents lists it."""

    case_no: int
    title: str
    category: str


@dataclass(frozen=True)
class Sentence:
    """One sentence of a case, its line breaks removed, with the section it stands in."""

    section: str
    text: str


@dataclass
class Case:
    """A case's body: its title as printed above the body, provider, area and sentences."""

    entry: TocEntry
    body_title: str
    provider: str
    area: str | None
    text: str = ""
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Document:
    """A parsed batch document."""

    batch: int | None
    doc_no: str | None
    published: str | None
    cases: list[Case]
    warnings: list[str]


def clean_title(text: str) -> str:
    """Return a title without dotted leaders, page references, tabs or stray spaces around punctuation."""
    text = _LEADER_AND_PAGE.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _SPACE_NEAR_PUNCT.sub(r"\1", text)


def parse_toc(lines: list[str]) -> tuple[list[TocEntry], int]:
    """Return the TOC's entries and the index of the first line after it.

    Entries may wrap onto a dotted-leader line such as `..... (17)`.
    """
    start = next((i for i, line in enumerate(lines) if _CATEGORY_LINE.match(line.strip())), None)
    if start is None:
        return [], 0
    entries: list[TocEntry] = []
    category = ""
    index = start
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if not line or not clean_title(line):
            continue
        if (match := _CATEGORY_LINE.match(line)) and not _SECTION_LINE.match(line):
            category = clean_title(match.group(2))
        elif (match := _CASE_LINE.match(line)) and category:
            entries.append(TocEntry(int(match.group(1)), clean_title(match.group(2)), category))
        elif entries and _LEADER_AND_PAGE.search(line):
            # The rest of a title that wrapped onto the line with the leader and the page number.
            last = entries[-1]
            entries[-1] = TocEntry(last.case_no, clean_title(f"{last.title}{line}"), last.category)
        else:
            break
    return entries, index


def _split_sentences(text: str) -> list[str]:
    parts = re.split(f"(?<=[{TERMINATORS}])", text)
    return [part.strip() for part in parts if part.strip()]


def _case_sentences(body: list[str]) -> list[Sentence]:
    sentences: list[Sentence] = []
    section = LEAD
    pending = ""
    for raw in body:
        line = raw.strip()
        if not line:
            continue
        if match := _SECTION_LINE.match(line):
            pending = _flush(sentences, section, pending)
            name = match.group(1)
            section = SECTION_ALIASES.get(name, name)
            continue
        if _HEADING_LINE.match(line):
            pending = _flush(sentences, section, pending)
            sentences.append(Sentence(section, line))
            continue
        if _ENUMERATED_LINE.match(line):
            pending = _flush(sentences, section, pending)
        pending += line
        parts = _split_sentences(pending)
        complete = parts if pending.rstrip()[-1] in TERMINATORS else parts[:-1]
        sentences += [Sentence(section, part) for part in complete]
        pending = "" if len(complete) == len(parts) else parts[-1]
    _flush(sentences, section, pending)
    return sentences


def _flush(sentences: list[Sentence], section: str, pending: str) -> str:
    if pending.strip():
        sentences.append(Sentence(section, pending.strip()))
    return ""


def _area_of(provider: str, areas: list[str]) -> str | None:
    found = [area for area in areas if area in provider]
    return found[0] if len(found) == 1 else None


def parse_document(text: str, areas: list[str]) -> Document:
    """Return the batch number, document number, date and cases of a batch document's text."""
    lines = text.splitlines()
    warnings: list[str] = []
    entries, after_toc = parse_toc(lines)
    if not entries:
        warnings.append("没有找到目录（“一、领域”及“1. 案例名称”）。 No table of contents found.")
    provider_at = [i for i in range(after_toc, len(lines)) if _PROVIDER_LINE.match(lines[i].strip())]
    if len(provider_at) != len(entries):
        warnings.append(f"目录列出 {len(entries)} 个案例，正文有 {len(provider_at)} 个提供单位行")
    title_at = [max(i for i in range(after_toc, at) if lines[i].strip()) for at in provider_at]
    cases: list[Case] = []
    for number, (entry, at) in enumerate(zip(entries, provider_at, strict=False)):
        end = title_at[number + 1] if number + 1 < len(title_at) else _end_matter_at(lines, at)
        body = lines[at + 1 : end]
        provider = _PROVIDER_LINE.match(lines[at].strip()).group(1)  # type: ignore[union-attr]
        body_title = clean_title(lines[title_at[number]])
        if difflib.SequenceMatcher(None, body_title, entry.title).ratio() < 0.6:
            warnings.append(f"案例 {entry.case_no} 目录标题「{entry.title}」与正文标题「{body_title}」差异较大")
        area = _area_of(provider, areas)
        if area is None:
            warnings.append(f"案例 {entry.case_no} 提供单位「{provider}」中找不到唯一的片区")
        case = Case(entry, body_title, provider, area)
        case.text = "".join(line.strip() for line in body)
        case.sentences = _case_sentences(body)
        cases.append(case)
    return Document(_batch_of(lines), _doc_no_of(lines), _published_of(lines, after_toc), cases, warnings)


def _end_matter_at(lines: list[str], start: int) -> int:
    """Return where the end matter after the last case begins, else the end of the text."""
    return next((i for i in range(start, len(lines)) if _END_MATTER.search(lines[i].strip())), len(lines))


def _batch_of(lines: list[str]) -> int | None:
    for line in lines:
        if match := _BATCH.search(line):
            return int(parse_chinese_numeral(match.group(1)))
    return None


def _doc_no_of(lines: list[str]) -> str | None:
    for line in lines:
        if match := _DOC_NO.search(line.strip()):
            return match.group()
    return None


def _published_of(lines: list[str], before: int) -> str | None:
    for line in lines[:before]:
        if match := _DATE.match(line.strip()):
            year, month, day = (int(g) for g in match.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None
