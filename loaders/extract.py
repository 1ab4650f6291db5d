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
from loaders.document import Case, Document, Sentence, parse_document
from loaders.measures import Catalogue, catch_all, load_catalogue
from loaders.numbers import NUMBER, PREFIX_QUALIFIERS, SUFFIX_QUALIFIERS, Figure, parse_figure
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
    data: bytes, suffix: str, areas: list[str], catalogue: Catalogue, batch: int | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Return the proposals of a document given as bytes, and the warnings reading it gave."""
    document = parse_document(clean_lines(document_text_of(data, suffix)), areas)
    return propose(document, batch or document.batch or 0, catalogue), document.warnings


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


# Which measure a figure is, by the words of its clause: the first rule whose words match and whose
# measure is in the catalogue, of a unit the figure's converts to, and allowed for the figure's kind.
# Kinds: None allows every kind. Rules are read from the 7th batch; a figure no rule knows gets its
# family's catch-all, which staff replace in review.
POLICY = frozenset({"policy"})
MEASURE_RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    # money
    ("policy_amount", r".", POLICY),
    ("equity_financing_raised", r"股权融资", None),
    ("debt_instruments_issued", r"债权投资计划|ABN|票据|债券|提款|发行", None),
    ("guarantee_amount", r"担保金额|担保", None),
    ("insured_amount", r"保险|保障", None),
    ("loans_granted", r"贷款|质押融资|融资", None),
    ("contracted_investment", r"协议投资|投资额", None),
    ("technology_contract_value", r"合同金额", None),
    ("valuation", r"估值", None),
    ("output_value", r"产值|产出|营业收入|营收", None),
    ("support_funds_earmarked", r"资金|专项", None),
    # shares and rates
    ("policy_rate", r".", POLICY),
    ("policy_rate", r"代偿率|费率|利率上浮|补贴比例|减免", None),
    ("growth_rate", r"增长|增速", None),
    ("cost_reduction_rate", r"下降|降低|降幅|低于|低\s*\d|比[^，。]*低", None),
    ("share_of_whole", r".", None),
    # time
    ("time_saved", r"减少|缩减|节省|节约", None),
    ("time_saved_workdays", r"减少|缩减|节省|节约", None),
    ("processing_time_workdays", r".", None),
    ("term_or_period", r"期限|为期|学习期|期满|连续|年限|点击量|注册落地", None),
    ("processing_time", r"用时|办理|放款|到账|账户|完成|时间|审批|办结|回复", None),
    ("term_or_period", r".", None),
    # enterprises
    ("benchmark_factories", r"工厂", None),
    ("talent_teams", r"专家团队|战略团队", None),
    ("research_facilities", r"实验室|技术中心|工程技术", None),
    ("enterprises_financed", r"融资|放款|贷款", None),
    ("enterprises_served", r"开通|走访|辅导|调研|摸排|发放", None),
    ("partner_institutions", r"机构|银行|担保公司|保险|成员|理事|公司联合", None),
    ("enterprises_incubated", r"培育|孵化|成立|高科技企业|双创", None),
    ("enterprises_recognized", r"瞪羚|贯标|重点企业|认定", None),
    ("enterprises_cooperating", r"合作|培养计划|共建", None),
    ("enterprises_in_sector", r"规模以上|维保|发明人|拥有|聚集", None),
    ("enterprises_served", r"服务|培训|惠及", None),
    # counts of projects, platforms, programmes and their parts
    ("project_size_threshold", r"以上产业项目|门槛", None),
    ("industrial_projects_signed", r"签约", None),
    ("service_platforms_operated", r"服务平台", None),
    ("demonstration_workshops", r"车间", None),
    ("design_centres_built", r"设计中心|国家级、", None),
    ("gig_work_stations_built", r"零工|驿站|分站|总站", None),
    ("project_applications", r"申报的|挑选", None),
    ("projects_selected", r"遴选|支持|资助", None),
    ("projects_hosted", r"入驻|通航项目", None),
    ("research_cooperation_projects", r"产学研合作项目", None),
    ("service_projects_listed", r"风险管理项目", None),
    ("projects_served", r"建设项目|商业综合体", None),
    ("training_programmes", r"培养计划", None),
    ("enterprises_designated", r"示范|链长", None),
    ("financial_products_launched", r"产品", None),
    ("institutions_visited", r"政府机构|机构", None),
    ("innovation_teams_cultivated", r"团队", None),
    ("practitioners_registered", r"执业人员|从业人员", None),
    ("structure_elements", r"^\s*大|[一二三四五六七八九十\d]\s*大|阶段|板块|环节|个国家|类别|任务|领域", None),
    ("patent_filings", r"专利", None),
    ("technology_contracts", r"合同", None),
    ("research_projects_and_honours", r"荣誉", None),
    ("research_projects_undertaken", r"科研项目|成果转化项目|科技创新", None),
    ("catalogue_items", r"目录|政策文件", None),
    ("research_achievements", r"成果", None),
    ("patent_applications", r"申请专利|发明专利|专利申请", None),
    ("valid_patents", r"有效专利", None),
    # services and events
    ("technology_transfers", r"转移转化", None),
    ("events_held", r"活动|沙龙|培训|讲座", None),
    ("services_delivered", r"技术服务|公益服务|走访|座谈|服务", None),
    ("website_visits", r"点击量", None),
    ("events_held_sessions", r".", None),
    ("conferences_held", r".", None),
    ("requests_handled", r"受理|诉求|咨询|需求|申请", None),
    ("information_items_published", r"发布|信息|时讯", None),
    ("misconduct_records", r"差错|违规|失信", None),
    ("policy_items_listed", r"兑现|梳理", None),
    ("structure_lines", r"主线", None),
    ("loans_count", r"贷款", None),
    ("applications_received", r"申请", None),
    # people
    ("institution_staff", r"律师|文秘|副主任|合伙人|现有|工作人员", None),
    ("students_trained", r"学生|学员|毕业|研究生|培养|培训", None),
    ("event_attendees", r"参加|参会|出席", None),
    ("digital_service_users", r"申领|注册|人才卡|联名卡|小程序|用户", None),
    ("talents_attracted", r"集聚|汇聚|引进|人才|院士|得主|专家", None),
    # parts, levels and the like: one measure each in this unit
    ("structure_categories", r".", None),
    ("structure_levels", r".", None),
    ("structure_aspects", r".", None),
    ("structure_parts", r".", None),
    ("structure_parties", r".", None),
    ("safeguard_lines", r".", None),
    ("training_cohorts", r".", None),
    ("cities_covered", r".", None),
    ("awarding_bodies", r".", None),
    ("pennants_received", r".", None),
    ("publishing_frequency", r".", None),
    ("distance_limit", r".", None),
    ("trade_settlement_usd", r".", None),
)


def propose_measure(catalogue: Catalogue, unit: str, contexts: list[str], kind: str, indicator: str) -> str:
    """Return the measure proposed for a figure of this unit and kind, reading its contexts nearest first
    (the words after the number, then before it, its clause, its sentence): the first rule whose words
    one of them holds wins; a rule of any words (".") only when no other matched."""
    given = UNITS.get(unit)

    def fits(measure: str, kinds: frozenset[str] | None) -> bool:
        if measure not in catalogue.table.index or (kinds is not None and kind not in kinds):
            return False
        wanted = UNITS.get(catalogue.unit(measure))
        return given is not None and wanted is not None and given.dimension == wanted.dimension

    rules = [(m, words, kinds) for m, words, kinds in MEASURE_RULES if fits(m, kinds)]
    for context in contexts:
        for measure, words, kinds in rules:
            if (words != "." or kinds is not None) and re.search(words, context):
                return measure
    defaults = [measure for measure, words, _ in rules if words == "."]
    return defaults[0] if defaults else catch_all(indicator)


def _after(sentence: str, end: int) -> str:
    """Return the words right after a figure, up to the next mark: what the number counts (5 家国家重点实验室)."""
    rights = [i for i in (sentence.find(mark, end) for mark in "、，；。（(") if i >= 0]
    return sentence[end : min(rights) if rights else len(sentence)]


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


def propose_case(case: Case, batch: int, catalogue: Catalogue) -> list[dict[str, object]]:
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
            metric = _metric(text, start)
            contexts = [_after(text, end), metric, clause, text]
            measure = propose_measure(catalogue, figure.unit, contexts, kind, _indicator(figure.unit, clause))
            part_of = ""
            whole_unit = rows[whole_index]["unit"] if whole_index is not None else None
            if other_at >= 0 and start > other_at and whole_index is not None and figure.unit == whole_unit:
                part_of = str(whole_index)
                measure = str(rows[whole_index]["measure"])  # a part counts what its whole counts
            starts = [at for at in phases if at <= start < (cut.end() if cut else 0)]
            phase = phases[max(starts)] if starts else ""
            row = _row(case, sentence, batch, catalogue, measure, value_text, figure)
            row.update(metric=metric, kind=kind, scope=scope, part_of=part_of, phase=phase, _start=start, _end=end)
            row["qualifier"] = QUALIFIER_SEPARATOR.join(_qualifiers(figure.qualifiers, clause, value_text))
            if phase == "after":
                # A before → after pair names one metric: the before row's.
                before = [r for r in rows if r["source_quote"] == text and r["phase"] == "before"]
                row["metric"] = before[-1]["metric"] if before else row["metric"]
            if other_at >= 0 and start < other_at:
                whole_index = len(rows)
            rows.append(row)
    return rows


def _row(
    case: Case, sentence: Sentence, batch: int, catalogue: Catalogue, measure: str, value_text: str, figure: Figure
) -> dict[str, object]:
    """Return a proposed row of a figure of a case's sentence, with the measure given (its indicator from
    the catalogue); the caller says its metric, kind, scope, qualifiers and parts."""
    return {
        "batch": batch,
        "case_no": case.entry.case_no,
        "case_title": case.entry.title,
        "category": case.entry.category,
        "area": case.area or "",
        "provider": case.provider,
        "section": sentence.section,
        "indicator": str(catalogue.table.at[measure, "indicator"]),
        "metric": "",
        "measure": measure,
        "kind": "outcome",
        "scope": "zone",
        "part_of": "",
        "phase": "",
        "value": figure.value,
        "value_high": figure.value_high if figure.value_high is not None else "",
        "unit": figure.unit,
        "qualifier": "",
        "value_text": value_text,
        "as_of": _as_of(sentence.text),
        "source_quote": sentence.text,
    }


def propose_figure(
    case: Case, sentence: Sentence, start: int, end: int, batch: int, catalogue: Catalogue
) -> dict[str, object] | None:
    """Return the row a reviewer adds for the number at start:end of a sentence (one the extractor passed
    over), filled in from its context as the extractor would; None when the words there are no figure
    with a unit."""
    text = sentence.text
    start, end = _value_text(text, start, end)
    value_text = text[start:end].strip()
    try:
        figure = parse_figure(value_text)
    except ValueError:
        return None
    if not figure.unit or figure.parts:
        return None
    clause = _clause(text, start, end)
    kind, scope = _kind_and_scope(clause, sentence.section)
    metric = _metric(text, start)
    contexts = [_after(text, end), metric, clause, text]
    measure = propose_measure(catalogue, figure.unit, contexts, kind, _indicator(figure.unit, clause))
    row = _row(case, sentence, batch, catalogue, measure, value_text, figure)
    qualifiers = QUALIFIER_SEPARATOR.join(_qualifiers(figure.qualifiers, clause, value_text))
    row.update(metric=metric, kind=kind, scope=scope, qualifier=qualifiers)
    return row


def propose(document: Document, batch: int, catalogue: Catalogue) -> pd.DataFrame:
    """Return every proposed row of a document under the store's columns, with fact ids and part_of, and
    a measure of the catalogue for each (its family's catch-all when no rule knows the figure)."""
    rows = []
    for case in document.cases:
        case_rows = propose_case(case, batch, catalogue)
        ids = [f"{batch}-{case.entry.case_no:02d}-{i + 1:02d}" for i in range(len(case_rows))]
        for row, fact_id in zip(case_rows, ids, strict=True):
            row["fact_id"] = fact_id
            if row["part_of"] != "":
                row["part_of"] = ids[int(str(row["part_of"]))]
        rows += case_rows
    return pd.DataFrame(rows, columns=list(COLUMN_NAMES))


# The columns whose accuracy is scored over matched pairs.
SCORED = ("area", "category", "indicator", "measure", "kind", "scope", "qualifier")


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
    proposals = propose(document, batch, load_catalogue())
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
