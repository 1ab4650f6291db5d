"""A batch's source document: read from an upload, refused with a clear reason when it cannot be read, and
registered with its batch when its rows are applied, so that every quote is checked against it from then on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.document import Document, parse_document
from loaders.extract import clean_lines, document_text_of
from loaders.numbers import parse_chinese_numeral

DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf")
# The title as the covering notice gives it: 关于印发中国（湖北）自由贸易试验区第九批实践案例的通知.
_TITLE = re.compile(r"关于印发(.+?批实践案例)")
_SERIES = re.compile(r"^中国（湖北）自由贸易试验区第([一二三四五六七八九十]+)批实践案例$")
_TITLE_LINE = re.compile(r"^(中国.+?第[一二三四五六七八九十]+批实践案例)$")


@dataclass(frozen=True)
class Source:
    """A batch's document as text (what quotes are checked against and the case page shows), with what
    the register of batches records of it."""

    batch: int
    text: str
    file: str  # the uploaded file's name
    title: str = ""
    doc_no: str = ""
    published: str = ""  # YYYY-MM-DD
    title_en: str = ""

    @property
    def name(self) -> str:
        """Return the name the store keeps it under, as the register's source_file names it."""
        return f"sources/batch-{self.batch:02d}.txt"

    def register_row(self) -> dict[str, str]:
        """Return what the register of batches records of the document."""
        return {
            "batch": str(self.batch),
            "title": self.title,
            "title_en": self.title_en,
            "doc_no": self.doc_no,
            "published": self.published,
            "source_file": self.name,
        }


class UnreadableDocument(ValueError):
    """A document that gives no text or no cases; the message says why, in Chinese first."""


def document_of(data: bytes, filename: str, areas: list[str]) -> tuple[str, Document]:
    """Return an uploaded document's text (page numbers and running heads removed) and its parsed form;
    UnreadableDocument if it is empty, not text, a PDF without a text layer, or has no cases."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in DOCUMENT_SUFFIXES:
        raise UnreadableDocument(
            f"{filename}：只能读取 .txt、.docx 或带文字层的 .pdf 原文。 Only .txt, .docx or a text PDF can be read."
        )
    if not data.strip():
        raise UnreadableDocument(f"{filename}：文件是空的。 The file is empty.")
    if suffix == ".txt" and b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument(f"{filename}：不是文本文件。 This is not a text file.")
    try:
        text = clean_lines(document_text_of(data, suffix))
    except Exception as err:  # a damaged .docx or .pdf: the reader's own error says what broke
        raise UnreadableDocument(
            f"{filename}：无法读取（{err.__class__.__name__}），请另存为 .docx 或 .txt 后再试。"
            f" The file cannot be read; save it as .docx or .txt and try again."
        ) from err
    if not text.strip():
        reason = "PDF 没有文字层（可能是扫描件），请上传 Word 或文本版。" if suffix == ".pdf" else "没有文字。"
        english = "The PDF has no text layer (a scan?): upload the Word or text version." if suffix == ".pdf" else ""
        raise UnreadableDocument(f"{filename}：{reason} {english or 'It has no text.'}")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise UnreadableDocument(
            f"{filename}：读不出中文，可能不是批次原文或编码无法识别。 No Chinese text could be read from it."
        )
    document = parse_document(text, areas)
    if not document.cases:
        raise UnreadableDocument(
            f"{filename}：没有找到案例（目录“一、领域 / 1. 案例名称”及正文“（××提供）”）。"
            f" No cases found: a batch document has a table of contents and each case's “（…提供）” line.\n"
            + "\n".join(document.warnings)
        )
    return text, document


def source_of(text: str, document: Document, filename: str, batch: int) -> Source:
    """Return the source a document gives its batch: title, document number and date read from it, and
    the English title where the Chinese one is the series' usual title."""
    title = title_of(text)
    return Source(
        batch=batch,
        text=text,
        file=filename,
        title=title,
        doc_no=document.doc_no or "",
        published=document.published or "",
        title_en=english_title(title, batch),
    )


def english_title(title: str, batch: int) -> str:
    """Return the series' English title for its usual Chinese one (as the 7th batch's register gives it),
    '' for any other title, which someone translates."""
    usual = _SERIES.match(title)
    if usual is None or parse_chinese_numeral(usual.group(1)) != batch:
        return ""
    return f"China (Hubei) Pilot Free Trade Zone: Practice Cases, Batch {batch}"


def title_of(text: str) -> str:
    """Return the batch's title as the document gives it (without spaces), '' when it gives none."""
    for line in text.splitlines():
        line = re.sub(r"\s+", "", line)
        if match := _TITLE.search(line) or _TITLE_LINE.match(line):
            return match.group(1)
    return ""
