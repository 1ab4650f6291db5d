"""Propose the tidy rows of a batch document (.txt, .docx or text PDF) for a person to review.

    python -m loaders.extract DOC [-o OUT.csv] [--batch N]
    python -m loaders.extract --evaluate DOC --truth CSV [--min-recall 0.95] [--min-precision 0.9]

The proposals have the columns of data/metrics.csv (UTF-8 with BOM), so that after review
`python -m loaders.ingest` takes them. The extractor reads the document only: it knows no list of any
batch's figures.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from loaders.audit import find_numbers
from loaders.document import Case, Document, parse_document
from loaders.numbers import NUMBER, PREFIX_QUALIFIERS, SUFFIX_QUALIFIERS, parse_figure
from loaders.read import detect_encoding
from loaders.schema import COLUMN_NAMES, QUALIFIER_SEPARATOR, UNITS
from loaders.store import load_areas

# 上 is read before 万 only (上万家), so it is not a qualifier on its own here.
PRE_QUALIFIERS = tuple(q for q in PREFIX_QUALIFIERS if q != "上")
EXTRA_UNITS = ("大类", "大", "个百分点", "倍", "%", "％")
UNIT_WORDS = sorted({*UNITS, *EXTRA_UNITS}, key=len, reverse=True)
_UNIT = "|".join(re.escape(u) for u in UNIT_WORDS)
_NOTE = r"(?:[（(](?:不含|含)[）)])?"
_FOLLOW = re.compile(
    rf"^\s*(?:余|多)?\s*(?:{_UNIT})?{_NOTE}(?:\s*[—–\-~～至到]\s*{NUMBER}\s*(?:余|多)?\s*(?:{_UNIT}){_NOTE})?(?:{'|'.join(SUFFIX_QUALIFIERS)})?"
)
# Numbers that name or rank rather than count: 党的二十大, 十二次党代会, 全国第一, 一批, 一系列.
_NAME_AFTER = re.compile(
    r"^(?:次党代会|大报告|大以来|大精神|强|系列|体化|站式|流|线|是|\s*年期|期建设|级|\s*人才|年行动|年升级|年以来)"
)
_ARTICLE = re.compile(r"^一(?:个(?!月)|家|名|支|张|只|种|位|批|系列|项|次)")
# Vague, ranked or slogan forms: 数十项, 前三位, 一人一码.
_VAGUE_BEFORE = re.compile(r"(?:数|前|近)$")
_SLOGAN = re.compile(r"^一(\w)一\w")
_TARGET = re.compile(r"力争|预计|目标|到20\d\d年|将(?:连续|达到|实现|建成|完成|突破|新增)|计划(?:到|在|于|完成|新增)")
_POLICY = re.compile(
    r"最高|不超过|不得|给予|补贴|奖励|支持额度|费率|上浮|限额|每个项目|分别给予|为期|每周|内办结|内回复|周边|分为|按年度|期限"
    r"|按[^，。]{0,12}标准"
)
_CONTEXT = re.compile(r"全市|全省|我省|全国|拥有|占全|聚集了|集聚|规模以上|年产值|涉及")
# A statistic of the whole city or province frames every figure of its sentence:
# 全市共申请专利 2249 件，有效专利 1049 件.
_WHOLE_PLACE = re.compile(r"(?:全市|全省)(?:共|拥有|累计)")
_ACHIEVED = re.compile(r"已(?:建成|开通|推广|完成|注册|实现|发放|办理|服务|受理)")
_SENTENCE_TARGET = re.compile(r"力争|到20\d\d年")
# Findings of an analysis (通过分析…) describe the analysed industry, up to the next numbered heading.
_ANALYSIS = re.compile(r"通过[^，。]{0,8}分析")
_HEADING_START = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_CUT = re.compile(r"从(?P<before>[^从至]{1,20}?)(?:缩短|压缩|减少|降低|下降|提速)至(?P<after>[^，。；]{1,20})")
_AS_OF = re.compile(r"截至\s*(\d{4})\s*年\s*(\d{1,2})?\s*月?")
_YEAR = re.compile(r"(\d{4})\s*年")


def document_text(path: Path) -> str:
    """Return a document's text: .txt in any encoding, .docx paragraphs, or a text PDF's pages."""
    return document_text_of(path.read_bytes(), path.suffix)


def document_text_of(data: bytes, suffix: str) -> str:
    """Return the text of a document given as bytes and its file suffix (.txt, .docx or .pdf)."""
    if suffix.lower() == ".docx":
        from docx import Document as Docx

        return "\n\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)
    if suffix.lower() == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode(detect_encoding(data))


def propose_from(
    data: bytes, suffix: str, areas: list[str], batch: int | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Return the proposals of a document given as bytes, and the warnings reading it gave."""
    document = parse_document(clean_lines(document_text_of(data, suffix)), areas)
    return propose(document, batch or document.batch or 0), document.warnings


PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,3}(?:\s*页)?[-—–\s]*$")
STRUCTURE = re.compile(r"^[一二三四五六七八九十]+、|^[(（].*提供[)）]$")


def clean_lines(text: str) -> str:
    """Return text without what PDF conversion adds: page-number lines and the running heads beside them."""
    lines = [line.strip() for line in text.splitlines()]
    numbered = [i for i, line in enumerate(lines) if PAGE_NUMBER.match(line)]
    near_page = {j for i in numbered for j in range(i - 3, i + 4)}
    counts = Counter(line for line in lines if line)
    kept = []
    for index, line in enumerate(lines):
        repeated = counts[line] >= 3 or (counts[line] >= 2 and index in near_page)
        running_head = repeated and len(line) <= 40 and not re.search(r"[。！？]$", line) and not STRUCTURE.match(line)
        if PAGE_NUMBER.match(line) or running_head:
            continue
        kept.append(line)
    return "\n".join(kept)


def _value_text(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Extend a number's span to its qualifier before, and its unit, range and suffix after."""
    before = sentence[:start]
    for word in PRE_QUALIFIERS:
        stripped = before.rstrip(" ")
        if stripped.endswith(word):
            start = len(stripped) - len(word)
            break
    if sentence[:start].endswith("上") and sentence[end:].lstrip().startswith("万"):
        start -= 1
    follow = _FOLLOW.match(sentence[end:])
    return start, end + (follow.end() if follow else 0)


def _indicator(unit: str, clause: str) -> str:
    # By the unit's dimension, so that every unit of it counts (万名 as 名, 万户 as 户).
    dimension = UNITS[unit].dimension if unit in UNITS else ""
    if dimension in ("money_cny", "money_usd"):
        return "financing" if re.search(r"贷款|融资|投资|保险|担保|发放|资金|补贴|奖励|收汇", clause) else "output"
    if dimension in ("enterprises", "households"):
        return "enterprises"
    if dimension in ("people", "person_times"):
        return "talent"
    if dimension in ("duration", "workdays"):
        return "time" if re.search(r"办理|审批|时间|用时|到账|回复|办结|放款|工期", clause) else "other"
    if dimension in ("percent", "percentage_points"):
        return "share"
    if re.search(r"专利|商标|知识产权", clause):
        return "patents"
    if re.search(r"项目|平台|中心|基地|站|驿站|实验室", clause) and unit in ("个", "项"):
        return "projects"
    if unit in ("次", "场", "条") or dimension in ("transactions", "items"):
        return "services"
    return "other"


def _kind_and_scope(clause: str, section: str) -> tuple[str, str]:
    scope = "zone"
    if "全国" in clause:
        scope = "national"
    elif "全省" in clause or "我省" in clause:
        scope = "province"
    elif "全市" in clause:
        scope = "city"
    if section == "下一步工作思路" or _TARGET.search(clause):
        return "target", scope
    if _POLICY.search(clause):
        return "policy", scope
    if scope != "zone" and _ACHIEVED.search(clause):
        return "outcome", scope  # 全市已建成…: the case's work, carried across the city
    if _CONTEXT.search(clause):
        return "context", scope
    return "outcome", scope


def _clause(sentence: str, start: int, end: int) -> str:
    left = max(sentence.rfind(mark, 0, start) for mark in "，；：。") + 1
    rights = [i for i in (sentence.find(mark, end) for mark in "，；。") if i >= 0]
    return sentence[left : min(rights) if rights else len(sentence)]


def _metric(sentence: str, start: int) -> str:
    left = max(sentence.rfind(mark, 0, start) for mark in "，；：。") + 1
    words = re.sub(r"[\s（）()“”\"]", "", sentence[left:start])
    words = re.sub(r"^(?:其中|目前|截至\S*?月|已|共|累计|并|全年)+", "", words)
    words = re.sub(r"(?:从|由|达|为|约|超)+$", "", words)
    return words[-16:] or "数字"


def _qualifiers(found: tuple[str, ...], clause: str, value_text: str) -> list[str]:
    """Return the figure's qualifiers, with 累计 when the clause says so before the figure."""
    before = clause[: clause.find(value_text)] if value_text in clause else ""
    return ["累计", *found] if "累计" in before and "累计" not in found else list(found)


def _as_of(sentence: str) -> str:
    if match := _AS_OF.search(sentence):
        year, month = match.groups()
        return f"{year}-{int(month):02d}" if month else year
    years = _YEAR.findall(sentence)
    return years[0] if len(years) == 1 else ""


def propose_case(case: Case, batch: int) -> list[dict[str, object]]:
    """Return the proposed rows of one case, in the order of its text."""
    rows: list[dict[str, object]] = []
    background, section = False, ""
    for sentence in case.sentences:
        text = sentence.text
        if sentence.section != section or _HEADING_START.match(text):
            background, section = False, sentence.section
        background = background or bool(_WHOLE_PLACE.search(text) or _ANALYSIS.search(text))
        whole_index: int | None = None
        other_at = text.find("其中")
        phases = {}
        if cut := _CUT.search(text):
            phases = {cut.start("before"): "before", cut.start("after"): "after"}
        for token in find_numbers(case.entry.case_no, text):
            if token.rule:
                continue
            after = text[token.end :]
            if _NAME_AFTER.match(after) or _ARTICLE.match(text[token.start :]) or _SLOGAN.match(text[token.start :]):
                continue
            if _VAGUE_BEFORE.search(text[: token.start]) and not token.text[0].isdigit():
                continue
            opening = text.rfind("“", 0, token.start)
            if opening > text.rfind("”", 0, token.start) and token.start - opening <= 8:
                continue  # inside a short quoted slogan: “5个一”, “一网两端”
            start, end = _value_text(text, token.start, token.end)
            value_text = text[start:end].strip()
            try:
                figure = parse_figure(value_text)
            except ValueError:
                continue
            if not figure.unit or figure.parts:
                continue
            if rows and rows[-1]["source_quote"] == text and rows[-1]["value_text"] == value_text and figure.value_high:
                continue  # the high end of a range already taken
            if any(
                r["source_quote"] == text and int(str(r["_start"])) <= token.start < int(str(r["_end"])) for r in rows
            ):
                continue
            clause = _clause(text, start, end)
            kind, scope = _kind_and_scope(clause, sentence.section)
            if kind == "outcome" and _SENTENCE_TARGET.search(text[:start]):
                kind = "target"
            elif kind == "outcome" and _WHOLE_PLACE.search(text):
                kind, scope = "context", "city" if "全市" in text else "province"
            elif kind == "outcome" and background:
                kind = "context"
            part_of = ""
            whole_unit = rows[whole_index]["unit"] if whole_index is not None else None
            if other_at >= 0 and start > other_at and whole_index is not None and figure.unit == whole_unit:
                part_of = str(whole_index)
            starts = [at for at in phases if at <= start < (cut.end() if cut else 0)]
            phase = phases[max(starts)] if starts else ""
            row: dict[str, object] = {
                "batch": batch,
                "case_no": case.entry.case_no,
                "case_title": case.entry.title,
                "category": case.entry.category,
                "area": case.area or "",
                "provider": case.provider,
                "section": sentence.section,
                "indicator": _indicator(figure.unit, clause),
                "metric": _metric(text, start),
                "kind": kind,
                "scope": scope,
                "part_of": part_of,
                "phase": phase,
                "value": figure.value,
                "value_high": figure.value_high if figure.value_high is not None else "",
                "unit": figure.unit,
                "qualifier": QUALIFIER_SEPARATOR.join(_qualifiers(figure.qualifiers, clause, value_text)),
                "value_text": value_text,
                "as_of": _as_of(text),
                "source_quote": text,
                "_start": start,
                "_end": end,
            }
            if phase == "after":
                # A before → after pair names one metric: the before row's.
                before = [r for r in rows if r["source_quote"] == text and r["phase"] == "before"]
                row["metric"] = before[-1]["metric"] if before else row["metric"]
            if other_at >= 0 and start < other_at:
                whole_index = len(rows)
            rows.append(row)
    return rows


def propose(document: Document, batch: int) -> pd.DataFrame:
    """Return every proposed row of a document under the store's columns, with fact ids and part_of."""
    rows = []
    for case in document.cases:
        case_rows = propose_case(case, batch)
        ids = [f"{batch}-{case.entry.case_no:02d}-{i + 1:02d}" for i in range(len(case_rows))]
        for row, fact_id in zip(case_rows, ids, strict=True):
            row["fact_id"] = fact_id
            if row["part_of"] != "":
                row["part_of"] = ids[int(str(row["part_of"]))]
        rows += case_rows
    return pd.DataFrame(rows, columns=list(COLUMN_NAMES))


# The columns whose accuracy is scored over matched pairs.
SCORED = ("area", "category", "indicator", "kind", "scope", "qualifier")


def evaluate(proposals: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Return recall, precision and, over matched pairs, the accuracy of each SCORED column; a proposal
    matches a truth row with the same case, value, high value and unit, one to one."""

    def key(frame: pd.DataFrame) -> pd.Series:
        high = pd.to_numeric(frame["value_high"], errors="coerce").round(6).map(str)
        value = pd.to_numeric(frame["value"], errors="coerce").round(6).map(str)
        return frame["case_no"].astype(int).astype(str) + "|" + value + "|" + high + "|" + frame["unit"].astype(str)

    truth_keys, proposal_keys = key(truth), key(proposals)
    free: dict[str, list[int]] = {}
    for index, k in proposal_keys.items():
        free.setdefault(k, []).append(int(str(index)))
    pairs = []
    for index, k in truth_keys.items():
        if free.get(k):
            pairs.append((int(str(index)), free[k].pop(0)))
    result = {
        "truth": float(len(truth)),
        "proposals": float(len(proposals)),
        "matched": float(len(pairs)),
        "recall": len(pairs) / len(truth) if len(truth) else 1.0,
        "precision": len(pairs) / len(proposals) if len(proposals) else 1.0,
    }
    for column in (c for c in SCORED if c in truth.columns):
        same = [str(truth.loc[t, column]) == str(proposals.loc[p, column]) for t, p in pairs]
        result[column] = sum(same) / len(same) if same else 0.0
    return result


def _format(scores: dict[str, float], label: str) -> str:
    return (
        f"{label}: recall {scores['recall']:.1%} ({scores['matched']:.0f}/{scores['truth']:.0f}), "
        f"precision {scores['precision']:.1%} ({scores['matched']:.0f}/{scores['proposals']:.0f}); "
        "accuracy over matches: " + ", ".join(f"{c} {scores[c]:.1%}" for c in SCORED if c in scores)
    )


def main(argv: list[str] | None = None) -> int:
    """Write the proposals of a document, or score them against a reviewed table."""
    parser = argparse.ArgumentParser(prog="python -m loaders.extract", description=__doc__.splitlines()[0])
    parser.add_argument("doc", type=Path, help="批次原文 .txt / .docx / .pdf")
    parser.add_argument("-o", "--out", type=Path, help="输出 where the proposals go (default DOC.candidates.csv)")
    parser.add_argument("--batch", type=int, help="批次 batch number (default: read from the cover)")
    parser.add_argument("--evaluate", action="store_true", help="与核对过的表比较 score against --truth")
    parser.add_argument("--truth", type=Path, help="核对过的表 the reviewed table (CSV)")
    parser.add_argument("--min-recall", type=float, default=0.0)
    parser.add_argument("--min-precision", type=float, default=0.0)
    parser.add_argument("--split", type=int, default=0, help="also score cases ≤ N and > N apart")
    args = parser.parse_args(argv)
    if not args.doc.is_file():
        parser.error(f"找不到文件 not found: {args.doc}")
    document = parse_document(clean_lines(document_text(args.doc)), load_areas()["area"].tolist())
    for warning in document.warnings:
        print(f"警告 warning: {warning}", file=sys.stderr)
    if not document.cases:
        print("没有找到目录或案例。 No table of contents or cases found.", file=sys.stderr)
        return 1
    batch = args.batch or document.batch or 0
    proposals = propose(document, batch)
    if not args.evaluate:
        out = args.out or args.doc.with_name(f"{args.doc.stem}.candidates.csv")
        proposals.to_csv(out, index=False, encoding="utf-8-sig")
        print(f"{len(proposals)} 条候选 proposals → {out}")
        return 0
    if args.truth is None:
        parser.error("--evaluate 需要 --truth")
    truth = pd.read_csv(args.truth, dtype=str, keep_default_na=False)
    truth = truth[truth["batch"].astype(int) == batch].reset_index(drop=True)
    scores = evaluate(proposals, truth)
    print(_format(scores, "全部 all"))
    if args.split:
        for label, pick in (
            ("前 first", lambda f: f["case_no"].astype(int) <= args.split),
            ("后 rest", lambda f: f["case_no"].astype(int) > args.split),
        ):
            print(
                _format(
                    evaluate(
                        proposals[pick(proposals)].reset_index(drop=True), truth[pick(truth)].reset_index(drop=True)
                    ),
                    f"{label} {args.split}",
                )
            )
    return 0 if scores["recall"] >= args.min_recall and scores["precision"] >= args.min_precision else 1


if __name__ == "__main__":
    sys.exit(main())
