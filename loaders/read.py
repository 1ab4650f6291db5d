"""Read a staff member's batch file (CSV in any encoding Excel writes, or .xlsx) into cells of text."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from loaders.numbers import plain_number

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
XLSX_SHEETS = ("数据", "Data")
EXCEL_EPOCH = date(1899, 12, 30)


class ReadError(ValueError):
    """The file cannot be read as a table; `code` says why (empty-file, not-a-table, bad-xlsx …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ReadResult:
    """The file's cells as strings (header row excluded), and how it was read."""

    frame: pd.DataFrame
    encoding: str  # e.g. utf-8, gb18030, utf-16, or xlsx:数据


def detect_encoding(data: bytes) -> str:
    """Return the encoding of CSV bytes: a BOM's, else strict UTF-8, else GB18030, else a detector's guess.

    GB18030 comes before any detector because detectors take short GBK files for Big5 or CP949.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError("bad-encoding", "无法识别文件编码，请另存为 UTF-8 或 GBK 的 CSV。 Unknown text encoding.")
    return str(best.encoding)


def _looks_binary(text: str) -> bool:
    return "\x00" in text or sum(1 for ch in text[:2000] if ord(ch) < 32 and ch not in "\r\n\t") > 5


def read_csv_bytes(data: bytes) -> ReadResult:
    """Return a CSV's cells (comma-, tab- or semicolon-separated) as strings, with the encoding used."""
    if not data.strip():
        raise ReadError("empty-file", "文件是空的。 The file is empty.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("not-a-table", "文件不是文本表格（CSV）或 Excel 文件。 The file is not a CSV or an Excel file.")
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    if _looks_binary(text):
        raise ReadError("not-a-table", "文件不是文本表格（CSV）或 Excel 文件。 The file is not a CSV or an Excel file.")
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if encoding == "utf-16" else ","
    return ReadResult(_to_frame(list(csv.reader(io.StringIO(text), delimiter=delimiter))), encoding)


def _to_frame(rows: list[list[str]]) -> pd.DataFrame:
    rows = [row for row in rows if any(cell.strip() for cell in row)]  # blank lines Excel leaves
    if not rows:
        raise ReadError("empty-file", "文件是空的。 The file is empty.")
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]]
    if len(rows) == 1:
        raise ReadError("no-rows", "文件只有表头，没有数据行。 The file has a header but no rows.")
    width = len(header)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype="object")


def excel_cell_text(value: object) -> str:
    """Return an Excel cell as the text a person sees: 5 not 5.0, dates as 2022-06-01."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return plain_number(value)
    return str(value)


def read_xlsx_bytes(data: bytes) -> ReadResult:
    """Return the cells of an .xlsx's 数据/Data sheet (else its first sheet) as strings."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise ReadError("bad-xlsx", f"不是有效的 Excel (.xlsx) 文件：{err}。 Not a valid .xlsx file.") from err
    name = next((n for n in XLSX_SHEETS if n in book.sheetnames), book.sheetnames[0])
    rows = [[excel_cell_text(v) for v in row] for row in book[name].iter_rows(values_only=True)]
    book.close()
    return ReadResult(_to_frame(rows), f"xlsx:{name}")


def read_table(data: bytes, filename: str) -> ReadResult:
    """Return a batch file's cells, reading .xlsx by its content (a ZIP) and anything else as CSV."""
    if data.startswith(b"PK\x03\x04") or Path(filename).suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_bytes(data)
    return read_csv_bytes(data)


def excel_serial_to_date(serial: float) -> date:
    """Return the date an Excel date serial stands for (44713 → 2022-06-01)."""
    return EXCEL_EPOCH + timedelta(days=int(serial))
