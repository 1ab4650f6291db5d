"""Every word the app shows, in Chinese and English; data values (case titles, metrics) stay as written."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import pandas as pd

from loaders.schema import CHINESE_NAMES, CODE_LISTS, ENGLISH_LABELS

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("湖北自贸试验区实践案例指标看板", "Hubei FTZ Practice Case Metrics"),
    "language": ("语言 Language", "Language 语言"),
    # pages
    "page_overview": ("总览", "Overview"),
    "page_areas": ("片区对比", "Areas"),
    "page_categories": ("领域分析", "Categories"),
    "page_case": ("案例详情", "Case detail"),
    "page_explorer": ("指标探索", "Indicator explorer"),
    "page_time": ("时效提升", "Time savings"),
    "page_batches": ("批次对比", "Batches"),
    "page_data": ("数据表", "Data"),
    # sidebar filters
    "filters": ("筛选", "Filters"),
    "filters_set": ("筛选（已选 {n} 项）", "Filters ({n} set)"),
    "f_batch": ("批次", "Batch"),
    "f_area": ("片区", "Area"),
    "f_category": ("领域", "Category"),
    "f_indicator": ("指标类别", "Indicator"),
    "f_kind": ("类型", "Kind"),
    "f_scope": ("范围", "Scope"),
    "f_q": ("搜索指标、案例或原文", "Search metric, case or sentence"),
    "f_all": ("全部", "All"),
    "reset": ("重置筛选", "Reset filters"),
    "matching": ("符合条件：{cases} 个案例，{figures} 条数据", "Matching: {cases} cases, {figures} figures"),
    "nothing_matches": (
        "没有符合当前筛选条件的数据，请放宽筛选或点击“重置筛选”。",
        "No figures match the current filters. Widen them or click “Reset filters”.",
    ),
    # overview
    "kpi_cases": ("案例数", "Cases"),
    "kpi_figures": ("数据条数", "Figures"),
    "kpi_areas": ("片区数", "Areas"),
    "kpi_help": (
        "只合计同一指标口径（data/measures.csv）、成效类、片区范围、非“其中”项的数据；口径标为不可合计的从不相加。",
        "Adds only figures of one measure (data/measures.csv): outcomes at zone scope, never parts of other "
        "figures; a measure marked non-additive is never added.",
    ),
    "headline": ("主要成效合计", "Headline outcome totals"),
    "headline_by_area": ("各片区主要成效", "What each area achieved"),
    "highlights": ("亮点：单项最大数据", "Highlights: the largest single figures"),
    "highlight_case": ("案例{case_no}", "Case {case_no}"),
    "unclassified": (
        "有 {n} 条数据尚未归入指标口径（在指标目录启用之前写入），不参与任何合计。"
        "重新导入带“指标口径”列的批次文件即可归类。",
        "{n} figures have no measure yet (written before the catalogue existed) and are in no total. "
        "Re-import their batch with a measure column to classify them.",
    ),
    "no_totals": ("当前筛选下没有可以合计的成效数据。", "No outcome figures that can be added under these filters."),
    "cases_by_area_category": ("各片区、各领域案例数", "Cases by area and category"),
    "count_cases": ("案例数", "Cases"),
    "count_figures": ("数据条数", "Figures"),
    "published": ("发布日期", "Published"),
    "data_changed": ("数据更新时间", "Data last changed"),
    "beijing_time": ("（北京时间）", " (Beijing time)"),
    # totals
    "exact": ("精确", "exact"),
    "at_least": ("至少", "at least"),
    "at_most": ("至多", "at most"),
    "about": ("约", "about"),
    "total": ("合计", "Total"),
    "n_figures": ("数据条数", "Figures"),
    # areas / categories
    "choose_indicator": ("指标类别", "Indicator"),
    "choose_unit": ("单位", "Unit"),
    "choose_measure": ("指标口径", "Measure"),
    "definition": ("口径定义", "Definition"),
    "about_measures": ("单位｜能否合计｜定义", "Unit | added or not | definition"),
    "additive": ("可合计", "added"),
    "not_additive": ("不合计", "never added"),
    "unit_in": ("（{unit}）", " ({unit})"),
    "label_sep": ("：", ": "),
    "list_sep": ("、", ", "),
    "sentence_end": ("。", ". "),
    "in_brackets": ("（{text}）", " ({text})"),
    "item_sep": ("｜", " | "),
    "by_area": ("按片区合计", "Total by area"),
    "by_category": ("按领域合计", "Total by category"),
    "by_case": ("按案例", "By case"),
    "hierarchy": ("片区 → 领域 → 案例", "Area → category → case"),
    "hierarchy_cat": ("领域 → 片区 → 案例", "Category → area → case"),
    "excluded_from_totals": (
        "本指标类别另有 {n} 条数据不计入上面的合计：属于其他指标口径或不可合计的口径，或为政策参数、目标、背景、"
        "全市/全省范围、“其中”项。",
        "{n} more figures of this indicator are not in the totals above: other measures or measures that never add, "
        "policies, targets, context, city or province scope, or parts of other figures.",
    ),
    # case detail
    "choose_case": ("选择案例", "Choose a case"),
    "provider": ("提供单位", "Provider"),
    "figures_of_case": ("本案例的全部数据（表格）", "Every figure of this case (table)"),
    "case_text": ("案例原文", "The case as published"),
    "case_text_help": (
        "黄色标出的数字计入合计；灰色标出的不计入（背景、政策参数、目标、“其中”项或不可合计的口径）。"
        "鼠标停在数字上可见编号、类型和指标口径。",
        "Figures marked yellow enter totals; grey ones do not (context, policy parameters, targets, parts of other "
        "figures, or measures that never add). Hover over a figure for its ID, kind and measure. The text is "
        "quoted in Chinese, as published.",
    ),
    "not_in_totals": ("不计入合计", "not in totals"),
    "no_document": (
        "本批次没有登记原文，以下为各数据所在的句子。",
        "This batch has no registered document: below are the sentences of its figures.",
    ),
    "other_sentences": ("其他句子", "Other sentences"),
    # explorer
    "log_scale": ("对数坐标", "Log scale"),
    "outcomes_only": ("仅成效", "Outcomes only"),
    "ranked": ("各案例排名", "Ranked across cases"),
    "cannot_convert": ("无法换算到同一单位的数据", "Figures that cannot be converted to one unit"),
    # time
    "before_after": ("改革前后办理时间", "Processing time before and after"),
    "reduction": ("缩短", "cut by"),
    "reductions_alone": ("直接减少的时间", "Time saved, stated alone"),
    "durations": ("现在的办理时限", "Durations and time limits now achieved"),
    "no_time": ("当前筛选下没有时效数据。", "No processing-time figures under these filters."),
    "before": ("改革前", "Before"),
    "after": ("改革后", "After"),
    # batches
    "batches_side_by_side": ("各批次对比", "Batches side by side"),
    "batch_title": ("标题", "Title"),
    "doc_no": ("文号", "Document no."),
    "batch_title_en": ("英文标题（英文版显示）", "English title"),
    "outcomes": ("成效条数", "Outcomes"),
    "one_batch": (
        "目前只有一个批次；新批次导入后在此对比。",
        "Only one batch so far; new batches will be compared here.",
    ),
    # briefing deck
    "download_briefing": ("下载汇报 PPT", "Download briefing (PPT)"),
    "briefing_title": ("湖北自贸试验区实践案例汇报", "Hubei FTZ practice cases: briefing"),
    "all_data": ("全部数据，未筛选", "All data, no filters"),
    "more_batches": ("另有 {n} 个批次，见看板“批次对比”页", "{n} more batches on the dashboard's Batches page"),
    "deck_filters": ("范围", "Selection"),
    "deck_counts": ("共 {cases} 个案例、{figures} 条数据", "{cases} cases, {figures} figures"),
    "deck_made": ("生成时间", "Made"),
    "deck_glance": ("概览：案例分布与主要成效", "At a glance: the cases and what they achieved"),
    "deck_top_cases": ("按案例（前 {n} 个）", "By case (top {n})"),
    "deck_case": ("案例", "Case"),
    "deck_item": ("事项", "Item"),
    "deck_change": ("办理时间变化", "Processing time"),
    "deck_cut": ("压缩比例", "Cut"),
    "deck_now": ("现为", "now"),
    "deck_more_rows": ("另有 {n} 项，见看板“时效提升”页。", "{n} more on the dashboard's Time savings page."),
    "deck_more_highlights": ("另有 {n} 项，见看板总览页。", "{n} more on the dashboard's overview."),
    "deck_more_measures": ("另有 {n} 个主要指标，见各指标页", "{n} more headline measures: see their slides"),
    "deck_figure": ("数据（原文）", "Figure"),
    "deck_case_title": ("案例名称", "Case title"),
    "deck_area_cases": ("案例（{n} 个）", "Cases ({n})"),
    "deck_more_cases": ("…… 另有 {n} 个案例", "… and {n} more cases"),
    "deck_sources": ("资料来源与统计口径", "Sources and what is added"),
    "deck_batches": ("批次与文件", "Batches and documents"),
    "deck_rules": ("合计规则", "What the totals add"),
    "deck_trace": (
        "每个数字均可在看板“案例详情”页查到原文句子；各口径定义见各页备注。",
        "Every figure can be traced to its source sentence on the dashboard's Case detail page; each "
        "measure's definition is in its slide's notes.",
    ),
    "deck_version": ("数据版本 {version}", "Data version {version}"),
    # data
    "download_excel": ("下载 Excel", "Download Excel"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "too_many_rows": (
        "筛选结果有 {n} 行，超过 Excel 单表上限 {limit} 行：请缩小筛选或下载 CSV。",
        "{n} rows exceed Excel's {limit}: narrow the filters or download the CSV.",
    ),
    "showing": ("显示前 {shown} 条，共 {total} 条。", "Showing the first {shown} of {total} rows."),
    "chart_top": (
        "图中为数值最大的 {shown} 项，共 {total} 项；全部数据见表格与导出文件。",
        "The chart shows the largest {shown} of {total}; every row is in the table and the export.",
    ),
    "chart_latest": (
        "图中为最近 {shown} 批，共 {total} 批。",
        "The chart shows the latest {shown} of {total} batches.",
    ),
    # refresh
    "page_refresh": ("数据更新", "Refresh data"),
    "no_accounts": (
        "还没有账号，不能上传数据。请在服务器上用命令 python -m loaders.users add 姓名 --role admin "
        "创建第一个管理员账号。",
        "There are no accounts yet, so uploads are off. Create the first admin on the server with "
        "python -m loaders.users add NAME --role admin.",
    ),
    "account_name": ("账号", "Account"),
    "password": ("密码", "Password"),
    "login": ("登录", "Sign in"),
    "logout": ("退出登录", "Sign out"),
    "wrong_password": ("账号或密码不正确。", "Wrong account or password."),
    "https_required": (
        "本看板只允许通过 HTTPS 登录（FTZ_REQUIRE_HTTPS=1）。请用 https:// 开头的地址打开，或联系管理员。",
        "Sign-in is allowed over HTTPS only (FTZ_REQUIRE_HTTPS=1): open the https:// address, or ask IT.",
    ),
    "plain_http": (
        "注意：此连接未加密（http://），密码会以明文在网络上传输。请让管理员启用 HTTPS。",
        "This connection is not encrypted (http://): the password crosses the network as clear text. Ask IT for HTTPS.",
    ),
    "locked_until": (
        "该账号连续输错密码 {n} 次，已暂停登录至 {until}（北京时间）。",
        "{n} wrong passwords in a row: this account cannot sign in until {until} (Beijing time).",
    ),
    "signed_in_as": ("已登录：{name}（{role}）", "Signed in as {name} ({role})"),
    "signed_out_idle": (
        "{minutes} 分钟无操作，已自动退出，请重新登录。",
        "Signed out after {minutes} minutes without activity; please sign in again.",
    ),
    "signed_out_changed": (
        "账号已被删除或其密码、角色已修改，请重新登录。",
        "The account was removed or its password or role changed; please sign in again.",
    ),
    "legacy_admin": (
        "正在使用共用的管理员密码（admin_password / FTZ_ADMIN_PASSWORD）。建议为每位工作人员建立自己的账号："
        "python -m loaders.users add 姓名 --role editor，变更记录即可记下是谁操作。",
        "You signed in with the shared admin password (admin_password / FTZ_ADMIN_PASSWORD). Accounts are better: "
        "python -m loaders.users add NAME --role editor gives each person their own, and the change log names them.",
    ),
    "with_drafts": ("含待审核草稿", "with drafts"),
    "draft_of": ("{batches}（{who} 提交）", "{batches} (submitted by {who})"),
    "drafts_shown": (
        "本页包含待审核的草稿：{drafts}。领导看到的是已发布的数据，草稿经另一人审核发布后才对领导可见。",
        "This page includes drafts waiting for approval: {drafts}. Leaders see the published data only, until "
        "someone else publishes them.",
    ),
    "submitted": (
        "已提交审核（草稿 {draft}）。另一位审核人在本页发布后，领导才能看到。",
        "Submitted for approval as draft {draft}. Leaders see it once someone else publishes it on this page.",
    ),
    "apply_draft": ("提交审核", "Submit for approval"),
    "approval": ("待审核的草稿", "Drafts waiting for approval"),
    "no_drafts": ("没有待审核的草稿。", "No drafts are waiting."),
    "draft_line": (
        "{batches}｜{who} 提交于 {time}｜文件 {file}｜新增 {added}、删除 {removed}、修改 {changed} 条｜{note}",
        "{batches} | submitted by {who} at {time} | file {file} | {added} added, {removed} removed, "
        "{changed} changed | {note}",
    ),
    "publish": ("发布", "Publish"),
    "send_back": ("退回", "Send back"),
    "review_note": ("审核意见（退回时必填）", "Note (needed to send back)"),
    "need_review_note": ("退回时请写明原因。", "Say why it is sent back."),
    "own_draft": (
        "这是您自己提交的草稿，须由另一位审核人发布或退回。",
        "You submitted this draft; someone else publishes or sends it back.",
    ),
    "draft_published": ("已发布。之前的数据已备份为 {backup}。", "Published; the previous data is kept as {backup}."),
    "sent_back": ("已退回，并记入变更记录。", "Sent back, and logged."),
    "sso_login": ("用单位统一身份认证登录", "Sign in with your organisation's account"),
    "sso_no_account": (
        "统一身份认证已确认您是“{name}”，但看板没有这个账号，请管理员用 python -m loaders.users add {name} "
        "--role viewer --sso-only 添加。",
        'Your organisation\'s sign-in names you "{name}", but the dashboard has no such account: an admin adds it '
        "with python -m loaders.users add {name} --role viewer --sso-only.",
    ),
    "accounts": ("账号管理", "Accounts"),
    "role": ("角色", "Role"),
    "changed_at": ("修改时间", "Changed"),
    "account_add": ("新增账号", "Add an account"),
    "new_password": ("新密码（至少 10 个字符）", "New password (10 characters or more)"),
    "password_again": ("再输入一次", "Again"),
    "account_pick": ("选择账号", "Account"),
    "account_set_role": ("修改角色", "Change the role"),
    "account_set_password": ("重设密码", "Set the password"),
    "account_confirm_remove": ("我确认删除账号“{name}”", "I confirm removing {name}"),
    "account_remove": ("删除账号", "Remove the account"),
    "account_not_yourself": ("不能删除自己正在使用的账号。", "You cannot remove the account you are signed in with."),
    "account_exists": ("账号“{name}”已存在。", "The account {name} already exists."),
    "passwords_differ": ("两次输入的密码不一致。", "The two passwords differ."),
    "account_changed": ("账号“{name}”已保存，并记入变更记录。", "The account {name} is saved, and logged."),
    "account_removed": (
        "账号“{name}”已删除：该账号已登录的页面在下一次操作时退出。",
        "The account {name} is removed: its open sessions end at their next click.",
    ),
    "role_viewer": ("查看", "viewer"),
    "role_editor": ("编辑", "editor"),
    "role_approver": ("审核", "approver"),
    "role_admin": ("管理员", "admin"),
    "no_change_role": (
        "当前账号（{role}）不能导入或恢复数据。",
        "This account ({role}) cannot import or restore data.",
    ),
    "upload": ("上传批次文件（CSV 或 Excel）", "Upload a batch file (CSV or Excel)"),
    "upload_help": (
        "支持 UTF-8、GBK、Excel“Unicode 文本”的 CSV 和 .xlsx；中文或英文列名均可；单个文件最大 {mb} MB。",
        "CSV in UTF-8, GBK or Excel's Unicode text, or .xlsx; Chinese or English headers; at most {mb} MB.",
    ),
    "encoding_used": ("读取编码：{encoding}，共 {rows} 行。", "Read as {encoding}: {rows} rows."),
    "refused": (
        "文件未通过校验，数据没有任何改动。请按下表修改后重新上传：",
        "The file was refused; nothing changed. Fix these and upload again:",
    ),
    "diff": ("将要发生的变化", "What will change"),
    "nothing_changes": ("与现有数据完全相同，无需导入。", "Identical to the current data: nothing to import."),
    "note": ("变更说明", "Note"),
    "confirm_destructive": (
        "我确认删除 {removed} 条、修改 {changed} 条已有数据",
        "I confirm removing {removed} and changing {changed} existing rows",
    ),
    "apply": ("确认导入", "Apply"),
    "applied": (
        "已导入。之前的数据已备份为 {backup}。所有看板在下一次操作时显示新数据。",
        "Applied; the previous data is kept as {backup}. Every dashboard shows it on its next interaction.",
    ),
    "backups": ("备份与恢复", "Backups"),
    "restore": ("恢复所选备份", "Restore the selected backup"),
    "confirm_restore": ("我确认用所选备份替换当前数据", "I confirm replacing the current data with this backup"),
    "restored": ("已恢复。当前数据之前的版本已备份为 {backup}。", "Restored; the data before it is kept as {backup}."),
    "change_log": ("变更记录", "Change log"),
    "template": ("下载填报模板", "Download the template"),
    "upload_document": (
        "或上传批次原文（.txt / .docx / .pdf），自动提取候选数据",
        "Or upload the batch document (.txt, .docx, .pdf) to extract proposals",
    ),
    "document_help": (
        "从原文中找出每个数字并给出建议的指标、类型和范围；按案例逐个核对（可随时中断，进度自动保存），再校验导入。",
        "Every figure of the document is proposed with a measure, kind and scope; review case by case (progress is "
        "saved as you go), then check and apply.",
    ),
    "check_reviewed": ("校验核对后的数据", "Check the reviewed rows"),
    "uploader_words": (
        "（上传框中的英文：“Upload”即上传，点击后选择文件，也可把文件拖入框内；"
        "“{mb}MB per file”即单个文件最大 {mb} MB，其后列出可上传的文件类型。）",
        "Click “Upload” or drag a file into the box; “{mb}MB per file” means at most {mb} MB a file.",
    ),
    "source_kept": ("原文已保存并登记为 {name}。", "The document is kept and registered as {name}."),
    "review_saved": ("未完成的原文审核", "Reviews in progress"),
    "review_saved_line": (
        "{file}（第{batch}批）：已核对 {done}/{total} 条",
        "{file} (batch {batch}): {done} of {total} reviewed",
    ),
    "review_resume": ("继续审核", "Resume"),
    "review_discard": ("放弃", "Discard"),
    "review_resumed": (
        "继续上次对 {file} 的审核，已核对的内容都在。",
        "Resuming your review of {file}: what you reviewed is kept.",
    ),
    "review_of": ("审核原文：{file}（第{batch}批，{cases} 个案例）", "Reviewing {file} (batch {batch}, {cases} cases)"),
    "review_progress": (
        "已采用 {accepted} 条，不采用 {rejected} 条，待核对 {pending} 条。每次修改都会自动保存。",
        "{accepted} accepted, {rejected} rejected, {pending} to review. Every change is saved as you go.",
    ),
    "review_register": (
        "第{batch}批的登记信息（从原文读取，可修改）",
        "What batch {batch}'s register records (from the document)",
    ),
    "audit": ("审计记录", "Audit logs"),
    "audit_help": (
        "变更记录、登录记录和导出记录都长期保存（不自动删除，至少 180 天），并随备份一同备份。",
        "The change log, sign-in tries and exports are kept (never pruned, so at least 180 days) and backed up.",
    ),
    "audit_since": ("起始日期", "Since"),
    "audit_changes": ("下载变更记录（{n} 条）", "Download the change log ({n})"),
    "audit_signins": ("下载登录记录（{n} 条）", "Download the sign-in tries ({n})"),
    "audit_exports": ("下载导出记录（{n} 条）", "Download the exports ({n})"),
    "audit_changes_file": ("变更记录", "changes"),
    "audit_signins_file": ("登录记录", "signins"),
    "audit_exports_file": ("导出记录", "exports"),
    "review_orphans": (
        "{ids} 是另一个数字的一部分，但那个数字未被采用：请把它的“所属”改为空或另一个数字，或不采用它。",
        "{ids} is part of a figure that is not accepted: clear its “Part of”, pick another, or reject it.",
    ),
    "review_no_batch": (
        "原文没有写明是第几批，请在下面的登记信息中填写批次。",
        "The document does not say which batch it is: enter the batch number below.",
    ),
    "review_case": ("案例（按目录）", "Case (table of contents)"),
    "review_case_label": (
        "{no}. {title}（待核对 {pending} 条，其中存疑 {doubtful} 条）",
        "{no}. {title} ({pending} to review, {doubtful} doubtful)",
    ),
    "review_prev": ("← 上一个案例", "← Previous case"),
    "review_next": ("下一个案例 →", "Next case →"),
    "review_text": (
        "案例原文（提取的数字已标出，悬停可看编号和口径）",
        "The case's text (figures marked; hover for their ID and measure)",
    ),
    "review_passed": ("未提取的数字", "Numbers not proposed"),
    "review_passed_help": (
        "点击一个数字，按上下文添加为一条数据（已采用），再在右侧核对。",
        "Click a number to add it as a figure (accepted), filled in from its context; then check it on the right.",
    ),
    "review_nothing": ("这个案例没有提取到数字。", "No figures were proposed for this case."),
    "review_accept": ("采用", "Accept"),
    "review_reject": ("不采用", "Reject"),
    "review_status_pending": ("待核对", "to review"),
    "review_status_accepted": ("已采用", "accepted"),
    "review_status_rejected": ("不采用", "rejected"),
    "doubt_measure": ("口径待定", "measure unsure"),
    "doubt_kind": ("类型待核", "kind unsure"),
    "doubt_part_of": ("是其他数字的一部分", "part of another"),
    "doubt_split": ("数字与单位跨行", "unit on the next line"),
    "review_accept_rest": ("采用本案例其余 {n} 条，转到下一个案例", "Accept the other {n} of this case, next case"),
    "review_pending_left": (
        "还有 {n} 条待核对：全部采用或不采用后才能校验。",
        "{n} still to review: accept or reject each before checking.",
    ),
    "catalogue": ("指标目录（指标口径）", "Metric catalogue (measures)"),
    "catalogue_help": (
        "只有同一指标口径的数据才会相加。新批次需要新口径时：下载目录，在末尾添加一行（或修改名称、定义），再上传；"
        "按代码合并，之前的目录自动备份并记入变更记录。仍有数据使用的口径不能删除。",
        "Only figures of one measure are ever added. When a new batch needs a new measure, download the catalogue, "
        "add a line (or edit names and definitions) and upload it: it is merged by code, the previous catalogue "
        "is backed up and the change logged. A measure rows still use cannot be removed.",
    ),
    "download_catalogue": ("下载指标目录", "Download the catalogue"),
    "upload_catalogue": ("上传指标目录（CSV 或 Excel）", "Upload a catalogue file (CSV or Excel)"),
    "catalogue_refused": (
        "指标目录文件未通过校验，目录没有任何改动：",
        "The catalogue file was refused; nothing changed:",
    ),
    "apply_catalogue": ("确认更新指标目录", "Apply to the catalogue"),
    "catalogue_applied": (
        "指标目录已更新。之前的目录已备份为 {backup}。",
        "The catalogue is updated; the previous one is kept as {backup}.",
    ),
    "incoming": ("处理投递目录 data/incoming/", "Process the drop folder data/incoming/"),
    "incoming_done": ("已处理 {n} 个文件。", "Processed {n} files."),
    # axes
    "axis_area": ("片区", "Area"),
    "axis_category": ("领域", "Category"),
    "invalid_store": ("数据文件未通过校验，请修正后刷新页面。", "The data file failed validation; fix it and reload."),
}

UNIT_EN = {
    "家": "firms",
    "名": "people",
    "人": "people",
    "位": "people",
    "人次": "person-times",
    "元": "yuan",
    "万元": "10k yuan",
    "亿元": "100M yuan",
    "美元": "USD",
    "万美元": "10k USD",
    "亿美元": "100M USD",
    "%": "%",
    "成": "tenths",
    "个百分点": "percentage points",
    "分钟": "minutes",
    "小时": "hours",
    "天": "days",
    "周": "weeks",
    "月": "months",
    "个月": "months",
    "年": "years",
    "个工作日": "working days",
    "工作日": "working days",
    "件": "items",
    "项": "items",
    "个": "units",
    "次": "times",
    "场": "events",
    "笔": "transactions",
    "条": "entries",
    "类": "categories",
    "份": "parts",
    "届": "editions",
    "米": "metres",
}

_CN_DIGITS = "零一二三四五六七八九"


def t(key: str, lang: str, **values: object) -> str:
    """Return the text for key in lang, with {placeholders} filled."""
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def chinese_number(n: int) -> str:
    """Return a small number in Chinese numerals (7 → 七, 12 → 十二, 20 → 二十)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + ("" if ones == 0 else _CN_DIGITS[ones])
    return str(n)


def batch_label(batch: int, lang: str) -> str:
    """Return 第七批 in Chinese, Batch 7 in English."""
    return f"Batch {batch}" if lang == "en" else f"第{chinese_number(batch)}批"


def batch_title(batch: Mapping[Hashable, object], lang: str) -> str:
    """Return a registered batch's title in the language: its English title where the register has one."""
    english = str(batch.get("title_en") or "").strip()
    return english if lang == "en" and english else str(batch.get("title") or "")


# The data's own text and its optional English column.
ENGLISH_TEXT = {"case_title": "case_title_en", "metric": "metric_en"}


def localized(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return rows to show in the language: in English, the case title and metric are their English
    text where the table has it, the Chinese text where it has none. Source sentences and the words of
    figures stay as written: they are quotes."""
    if lang != "en":
        return rows
    replaced = {}
    for column, english in ENGLISH_TEXT.items():
        if column in rows and english in rows:
            text, translation = rows[column].astype("string"), rows[english].astype("string")
            replaced[column] = translation.where(translation.notna() & (translation.str.strip() != ""), text)
    return rows.assign(**replaced) if replaced else rows


def code_label(column: str, code: str, lang: str) -> str:
    """Return the label of a code of the indicator, kind, scope, phase or section lists."""
    zh, en = CODE_LISTS[column].get(code, (code, code))
    return en if lang == "en" else zh


def code_labels(column: str, lang: str) -> dict[str, str]:
    """Return every code of a code list with its label in the language (for labelling many rows at once)."""
    return {code: (en if lang == "en" else zh) for code, (zh, en) in CODE_LISTS[column].items()}


def filter_label(key: str, value: str, lang: str, names: Mapping[str, str]) -> str:
    """Return one value of a filter as shown: a batch as 第七批 (Batch 7), an area or category by its name
    in the language (`names`, as ui.display_names gives them), a code by its label."""
    if key == "batch":
        return batch_label(int(value), lang)
    if key in ("area", "category"):
        return names.get(value, value)
    if key in CODE_LISTS:
        return code_label(key, value, lang)
    return value


def unit_label(unit: str, lang: str) -> str:
    """Return a unit as shown: as written in Chinese, translated in English where known."""
    return UNIT_EN.get(unit, unit) if lang == "en" else unit


def column_label(column: str, lang: str) -> str:
    """Return a column's name as shown: the schema's Chinese name, or its English label."""
    return ENGLISH_LABELS.get(column, column) if lang == "en" else CHINESE_NAMES.get(column, column)
