"""Read a figure as written (`超 200 家`, `2—3天`, `约四成`, `超亿美元`) into value, range, unit and qualifiers.

A figure whose unit is not written (`点击量破千`, the ratio `5：2：3`) reads with an empty unit: its row
names the unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Qualifier words, longest first so that 不超过 wins over 超过 and 超.
PREFIX_QUALIFIERS = (
    "累计",
    "不超过",
    "不少于",
    "不低于",
    "超过",
    "突破",
    "最高",
    "不足",
    "超",
    "逾",
    "破",
    "上",
    "约",
    "近",
)
INFIX_QUALIFIERS = ("余", "多")
SUFFIX_QUALIFIERS = ("以上", "以内", "以下", "左右", "内")

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS)
# 万 and 亿 belong to the unit as written (万元, 亿美元, 万人), never to the number.
UNIT_PREFIXES = ("万", "亿")

RANGE_SEPARATORS = "—–－-~～至到"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# One number as written: Arabic with thousands separators and decimals, or a run of Chinese numerals.
NUMBER = rf"(?:{ARABIC}|[{CN_NUMERAL_CHARS}]+)"
_NUMBER = re.compile(NUMBER)
_SPACES = re.compile(r"\s+")
# `5%（不含）—10%（含）`: whether an end is included is a note on the range, not part of the unit.
_INCLUSION_NOTES = re.compile(r"\((?:不含|含)\)")
_RATIO = re.compile(rf"^({ARABIC})(?::({ARABIC}))+$")


@dataclass(frozen=True)
class Figure:
    """A figure read from its written form."""

    value: float
    value_high: float | None
    unit: str
    qualifiers: tuple[str, ...]
    parts: tuple[float, ...] = ()


def normalize_width(text: str) -> str:
    """Return text with full-width letters, digits and symbols folded to half width (NFKC), dashes kept."""
    return unicodedata.normalize("NFKC", text)


def parse_chinese_numeral(text: str) -> float:
    """Return the value of a Chinese numeral such as 十二, 两, 一百二十, 百 or 千."""
    if not text or any(ch not in CN_DIGITS and ch not in CN_SMALL_UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None and digit != 0:
                raise ValueError(f"two digits in a row: {text!r}")
            digit = CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * CN_SMALL_UNITS[ch]
            digit = None
    if digit is not None:
        total += digit
    return float(total)


def parse_number(text: str) -> float:
    """Return the value of one Arabic (`1,392`, `4324.96`) or Chinese (`十二`) number."""
    if text and text[0] in CN_NUMERAL_CHARS:
        return parse_chinese_numeral(text)
    return float(text.replace(",", ""))


def _take_prefixes(text: str, words: tuple[str, ...]) -> tuple[str, list[str]]:
    found: list[str] = []
    progress = True
    while progress:
        progress = False
        for word in words:
            if text.startswith(word):
                found.append(word)
                text = text[len(word) :].lstrip("、")
                progress = True
                break
    return text, found


def _take_suffix(text: str) -> tuple[str, list[str]]:
    for word in SUFFIX_QUALIFIERS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)], [word]
    return text, []


def _split_number(text: str) -> tuple[float | None, str, list[str]]:
    """Split `200家`, `百余家`, `亿美元` into number, rest, infix qualifiers."""
    match = _NUMBER.match(text)
    if not match:
        if text.startswith(UNIT_PREFIXES):
            return None, text, []
        raise ValueError(f"no number in {text!r}")
    number = parse_number(match.group())
    rest = text[match.end() :]
    rest, infix = _take_prefixes(rest, INFIX_QUALIFIERS)
    return number, rest, infix


def _unit_of(rest: str) -> str:
    # `九大专业委员会` counts committees (个); `6 大类` counts categories (类).
    if rest.startswith("大类"):
        return "类"
    if rest.startswith("大"):
        return "个"
    return rest


def parse_figure(value_text: str) -> Figure:
    """Return the figure that a written span states, or raise ValueError saying why it cannot be read."""
    text = _INCLUSION_NOTES.sub("", _SPACES.sub("", normalize_width(value_text)))
    if not text:
        raise ValueError("empty text")
    if _RATIO.match(text):
        # `5：2：3`: each row of a ratio takes one part; the unit is not written.
        parts = tuple(parse_number(part) for part in text.split(":"))
        return Figure(parts[0], None, "", (), parts)
    text, qualifiers = _take_prefixes(text, PREFIX_QUALIFIERS)
    text, suffix = _take_suffix(text)

    low, rest, infix = _split_number(text)
    qualifiers += infix
    high: float | None = None
    separator = next((i for i, ch in enumerate(rest) if ch in RANGE_SEPARATORS), None)
    if separator is not None:
        low_unit, high_text = rest[:separator], rest[separator + 1 :]
        high, high_unit, high_infix = _split_number(high_text)
        if high is None:
            raise ValueError(f"range without a high end: {value_text!r}")
        qualifiers += high_infix
        if low_unit and low_unit != high_unit:
            raise ValueError(f"range ends in different units: {low_unit!r} and {high_unit!r}")
        rest = high_unit
    unit = _unit_of(rest)
    if not unit and not qualifiers:
        # A bare number is a name or a code until a unit or a qualifier (`点击量破千`) says it counts.
        raise ValueError(f"no unit in {value_text!r}")
    if low is None:
        # `超亿美元`: the multiplier alone means one of the unit.
        low = 1.0
    return Figure(low, high, unit, tuple(qualifiers + suffix))


def bounded_occurrences(text: str, span: str) -> list[int]:
    """Return where a written figure starts in text, skipping places where it is the tail of a longer number.

    `3 家` occurs inside `53 家`; only the occurrences not preceded by a digit or a decimal point count.
    """
    starts = [m.start() for m in re.finditer(re.escape(span), text)]
    return [s for s in starts if not (s > 0 and span[:1].isdigit() and (text[s - 1].isdigit() or text[s - 1] == "."))]


def plain_number(value: float) -> str:
    """Return a number as a person writes it: 5 rather than 5.0, 4324.96 as is, never in exponent form."""
    return f"{float(value):.10f}".rstrip("0").rstrip(".")
