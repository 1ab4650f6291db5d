"""Account for every number of a batch document: each is a row's value_text, or excluded with a reason.

    python -m loaders.audit [--store data/metrics.csv] [--exclusions data/audit-exclusions.csv] [--batch 7]

The finder is deliberately over-inclusive (Arabic digits, Chinese numerals, 万/亿 forms). Only forms
that can never be a figure are passed over by rule (section enumerators such as （一）/一是, ordinals with
第, calendar dates, and words such as 进一步 or 统一 whose 一 is no number); everything else must be
matched by a row or by a line of the exclusions file, keyed by case, exact text and some context.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from loaders.document import Case, parse_document
from loaders.numbers import CN_NUMERAL_CHARS, UNIT_PREFIXES, bounded_occurrences, parse_figure
from loaders.store import DATA_DIR, METRICS_PATH, load_areas, load_batches, read_raw_csv

EXCLUSIONS_PATH = DATA_DIR / "audit-exclusions.csv"

# The closed list of reasons a number is not a figure, with their Chinese labels.
REASONS = {
    "date": "日期",
    "name-or-ordinal": "名称或序数",
    "code-or-hotline": "代码或热线",
    "vague-quantity": "模糊数量",
    "second-mention": "同一事实的重复提及",
    "page-or-toc": "页码或目录",
}

# Over-inclusive: 万 and 亿 count as numerals here (上万家, 超亿美元, 数千亿).
CN = CN_NUMERAL_CHARS + "".join(UNIT_PREFIXES)
_DATE = (
    r"\d{4}\s*[—–-]\s*\d{4}\s*年度?|\d{4}\s*年(?:度|底|初|末|[上下]半年)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:底|初|末)?)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
)
_ARABIC = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
_ENUMERATOR = rf"[(（][{CN}]+[)）]|(?<![{CN}])[{CN}]+(?:、|是)"
_ORDINAL = rf"第[{CN}\d]+"
# Words whose 一 (or 万, 千) counts nothing.
NOT_NUMBERS = (
    "进一步 统一 一体化 一体 一站式 唯一 一起 一直 一般 一致 一定 一旦 另一方面 一方面 一些 同一 一流 一律 逐一 一切 "
    "一线 万一 一同 一并 一道 一举 一贯 一新 一手 一心 一键 之一 一时 千方百计 万众 一经 一如既往 不一 一览 一对一 "
    "多对一 下一步 最后一公里 一带一路 零工 新一轮 新一代 单一 任一 又一 任何一 零距离 零负担 零接触 一次性 一揽子 "
    "四两拨千斤 一网通办 每一个 一种 一改 十分 两端 两头跑 零部件 零售 零散 快人一步"
).split()
_NUMBER = re.compile(
    "|".join(
        [
            f"(?P<date>{_DATE})",
            f"(?P<enumerator>{_ENUMERATOR})",
            f"(?P<ordinal>{_ORDINAL})",
            "(?P<word>" + "|".join(sorted(map(re.escape, NOT_NUMBERS), key=len, reverse=True)) + ")",
            rf"(?P<arabic>{_ARABIC}(?:\s*[万亿])?)",
            f"(?P<chinese>[{CN}]+)",
        ]
    )
)
RULES = {"date": "date", "enumerator": "name-or-ordinal", "ordinal": "name-or-ordinal", "word": "not-a-number"}


@dataclass(frozen=True)
class Token:
    """A number-like span of a case's text."""

    case_no: int
    start: int
    end: int
    text: str
    rule: str | None  # the rule that passes it over, if any

    def context(self, text: str, width: int = 12) -> str:
        """Return the token with `width` characters of its case text on either side."""
        return text[max(0, self.start - width) : self.end + width]


def find_numbers(case_no: int, text: str) -> list[Token]:
    """Return every number-like span of a case's text, in order."""
    tokens = []
    for match in _NUMBER.finditer(text):
        kind = match.lastgroup or ""
        tokens.append(Token(case_no, match.start(), match.end(), match.group(), RULES.get(kind)))
    return tokens


def _is_ratio(value_text: str) -> bool:
    try:
        return bool(parse_figure(value_text).parts)
    except ValueError:
        return False


def row_spans(rows: pd.DataFrame, text: str) -> list[tuple[int, int, str]]:
    """Return the (start, end, fact_id) of each row's value_text in its case's text.

    Rows sharing a sentence and a value_text take its occurrences in fact_id order.
    """
    spans = []
    for key, group in rows.sort_values("fact_id").groupby(["source_quote", "value_text"], sort=False):
        quote, value_text = (str(part) for part in key)
        quote_at = text.find(quote)
        if quote_at < 0:
            continue
        places = bounded_occurrences(quote, value_text)
        if _is_ratio(value_text):
            # Each party of a ratio (`5：2：3`) is a row of its own on the same span.
            places = places[:1] * len(group)
        for place, fact_id in zip(places, group["fact_id"], strict=False):
            spans.append((quote_at + place, quote_at + place + len(value_text), fact_id))
    return spans


def excluded_spans(exclusions: pd.DataFrame, text: str) -> list[tuple[int, int, int]]:
    """Return the (start, end, exclusion index) of every place of text an exclusion covers."""
    spans = []
    for index, row in exclusions.iterrows():
        context = row["context"] or row["text"]
        for match in re.finditer(re.escape(context), text):
            offset = context.find(row["text"])
            while offset >= 0:
                spans.append((match.start() + offset, match.start() + offset + len(row["text"]), int(str(index))))
                offset = context.find(row["text"], offset + 1)
    return spans


@dataclass
class CaseAudit:
    """What happened to each number of one case."""

    case_no: int
    matched: int
    by_rule: Counter[str]
    by_reason: Counter[str]
    unaccounted: list[Token]


@dataclass
class Audit:
    """The audit of a document against a table and an exclusions file."""

    cases: list[CaseAudit]
    unused_exclusions: pd.DataFrame
    unmatched_rows: list[str]

    @property
    def clean(self) -> bool:
        """Whether every number is accounted for, every exclusion used, every row found in its case."""
        return not any(c.unaccounted for c in self.cases) and self.unused_exclusions.empty and not self.unmatched_rows


def audit_case(case: Case, rows: pd.DataFrame, exclusions: pd.DataFrame, used: set[int]) -> tuple[CaseAudit, list[str]]:
    """Return the audit of one case and the fact_ids whose value_text was not found in it."""
    text = case.text
    spans = row_spans(rows, text)
    found_rows = {fact_id for _, _, fact_id in spans}
    excluded = excluded_spans(exclusions, text)
    result = CaseAudit(case.entry.case_no, 0, Counter(), Counter(), [])
    for token in find_numbers(case.entry.case_no, text):
        if token.rule:
            result.by_rule[token.rule] += 1
        elif any(s <= token.start and token.end <= e for s, e, _ in spans):
            result.matched += 1
        elif hits := [i for s, e, i in excluded if s <= token.start and token.end <= e]:
            used.update(hits)
            result.by_reason[str(exclusions.loc[hits[0], "reason"])] += 1
        else:
            result.unaccounted.append(token)
    return result, sorted(set(rows["fact_id"]) - found_rows)


def run_audit(document: str, metrics: pd.DataFrame, exclusions: pd.DataFrame, batch: int, areas: list[str]) -> Audit:
    """Return the audit of a batch document's cases against its rows and exclusions."""
    parsed = parse_document(document, areas)
    rows = metrics[metrics["batch"].astype(int) == batch]
    excl = exclusions[exclusions["batch"].astype(int) == batch]
    used: set[int] = set()
    cases, unmatched = [], []
    for case in parsed.cases:
        number = case.entry.case_no
        case_rows = rows[rows["case_no"].astype(int) == number]
        case_excl = excl[excl["case_no"].astype(int) == number]
        result, missing = audit_case(case, case_rows, case_excl, used)
        cases.append(result)
        unmatched += missing
    return Audit(cases, excl.loc[sorted(set(excl.index) - used)], unmatched)


def read_exclusions(path: Path = EXCLUSIONS_PATH) -> pd.DataFrame:
    """Return the exclusions file (batch, case_no, text, context, reason); unknown reasons raise ValueError."""
    exclusions = read_raw_csv(path)
    bad = sorted(set(exclusions["reason"]) - set(REASONS))
    if bad:
        raise ValueError(f"{path}: 未知的排除原因 unknown reasons {bad}; 可用 allowed: {list(REASONS)}")
    return exclusions


def format_audit(audit: Audit, document: str, areas: list[str]) -> str:
    """Return the audit as the text the command prints: a line per case, then what is unaccounted for."""
    texts = {c.entry.case_no: c.text for c in parse_document(document, areas).cases}
    lines = ["案例 case  对应数据行 matched  规则略过 by rule  排除 excluded  未说明 unaccounted"]
    for case in audit.cases:
        excluded = ", ".join(f"{reason} {n}" for reason, n in sorted(case.by_reason.items()))
        lines.append(
            f"{case.case_no:>4}  {case.matched:>6}  {sum(case.by_rule.values()):>6}  "
            f"{sum(case.by_reason.values()):>4} ({excluded or '—'})  {len(case.unaccounted):>4}"
        )
    totals: Counter[str] = Counter()
    for case in audit.cases:
        totals.update(case.by_reason)
    lines.append(
        "排除合计 exclusions by reason: " + ", ".join(f"{REASONS[r]} {r} {n}" for r, n in sorted(totals.items()))
    )
    for case in audit.cases:
        for token in case.unaccounted:
            lines.append(
                f"未说明 UNACCOUNTED case {case.case_no}: 「{token.text}」 in …{token.context(texts[case.case_no])}…"
            )
    for row in audit.unused_exclusions.itertuples():
        lines.append(f"未使用的排除 UNUSED exclusion: case {row.case_no} 「{row.text}」 context 「{row.context}」")
    for fact_id in audit.unmatched_rows:
        lines.append(f"未找到 ROW NOT FOUND in its case: {fact_id}")
    lines.append("审计通过 audit clean" if audit.clean else "审计未通过 audit NOT clean")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the audit from the command line; exit 1 when anything is unaccounted for."""
    parser = argparse.ArgumentParser(prog="python -m loaders.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=METRICS_PATH, help="整洁表 the tidy table (data/metrics.csv)")
    parser.add_argument("--exclusions", type=Path, default=EXCLUSIONS_PATH, help="排除清单 the exclusions file")
    parser.add_argument("--batch", type=int, default=None, help="批次 batch (default: every registered batch)")
    parser.add_argument("--document", type=Path, default=None, help="原文 source text (default: from data/batches.csv)")
    args = parser.parse_args(argv)
    batches = load_batches()
    if args.batch is not None:
        batches = batches[batches["batch"] == args.batch]
    metrics, exclusions, areas = (
        read_raw_csv(args.store),
        read_exclusions(args.exclusions),
        load_areas()["area"].tolist(),
    )
    clean = True
    for batch in batches.itertuples():
        path = args.document or DATA_DIR / str(batch.source_file)
        document = path.read_text(encoding="utf-8")
        audit = run_audit(document, metrics, exclusions, int(str(batch.batch)), areas)
        print(f"第{batch.batch}批 batch {batch.batch}: {path}")
        print(format_audit(audit, document, areas))
        clean = clean and audit.clean
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
