"""数据更新 Refresh data: staff sign in; editors upload a batch file, read the report or the diff, apply it and
restore backups; admins change the metric catalogue; everyone signed in reads the change log."""

from dataclasses import asdict
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from ftz.i18n import t
from loaders.ingest import (
    Refused,
    apply,
    apply_measures,
    approval_required,
    describe_backup,
    list_backups,
    process_incoming,
    publish,
    read_log,
    restore,
    send_back,
    submit,
)
from loaders.store import BEIJING
from loaders.template import make_template
from loaders.users import MAX_NAME, ROLES, Account, new_account
from ui import (
    XLSX_MIME,
    as_markdown_text,
    check_file,
    check_measures,
    data_store,
    draft_batches,
    get_areas,
    get_drafts,
    get_view,
    role_label,
    say_after_rerun,
    say_what_was_done,
    show_report,
    sign_in_gate,
    signed_in_account,
)
from ui.review import close_review, review_section

view = get_view()
lang = view.lang
store = data_store()
st.title(t("page_refresh", lang))

account = signed_in_account()
if account is None:
    sign_in_gate(lang)
    st.stop()

st.caption(t("signed_in_as", lang, name=account.name, role=role_label(account.role, lang)))
if account.legacy:
    st.info(t("legacy_admin", lang))
who = account.name
signed: Account = account  # for the sections below, which run only once someone is signed in


def batch_section() -> None:
    """Upload a batch file (or review a document's proposals), check it, see the diff and apply it."""
    say_what_was_done()
    st.download_button(
        t("template", lang),
        data=lambda: make_template(get_areas()["area"].tolist(), view.store.catalogue),
        file_name="湖北自贸试验区实践案例指标_填报模板.xlsx",
        mime=XLSX_MIME,
        key="refresh_template",
        on_click="ignore",
        icon=":material/download:",
    )
    max_mb = int(st.get_option("server.maxUploadSize"))
    upload = st.file_uploader(
        t("upload", lang),
        type=["csv", "txt", "tsv", "xlsx"],
        help=t("upload_help", lang, mb=max_mb),
        key="refresh_upload",
    )
    st.caption(t("upload_help", lang, mb=max_mb) + " " + t("uploader_words", lang, mb=max_mb))
    candidate: tuple[bytes, str] | None = (upload.getvalue(), upload.name) if upload is not None else None
    # A document is reviewed case by case; the reviewed rows are checked against it, and it is kept on apply.
    reviewed = review_section(store, signed, lang, get_areas()["area"].tolist())
    source = None
    if reviewed is not None and upload is None:
        candidate, source = (reviewed.data, reviewed.name), reviewed.source

    if candidate is not None:
        data, name = candidate
        prepared = check_file(data, name, store, source)
        if isinstance(prepared, pd.DataFrame):
            st.error(t("refused", lang))
            show_report(prepared, key="refresh_report")
        else:
            if source is None:  # a reviewed document's rows were never a file of the reviewer's
                st.info(t("encoding_used", lang, encoding=prepared.encoding, rows=len(prepared.rows)))
            for note in prepared.notes:
                st.caption(note)
            if not prepared.report.empty:
                show_report(prepared.report, key="refresh_warnings")
            st.subheader(t("diff", lang))
            st.write(prepared.diff.summary())
            if prepared.diff.empty and source is None:  # a document alone can still be kept and registered
                st.success(t("nothing_changes", lang))
            else:
                with st.form("apply"):
                    note = st.text_input(t("note", lang), key="refresh_note")
                    confirmed = not prepared.diff.destructive or st.checkbox(
                        t(
                            "confirm_destructive",
                            lang,
                            removed=len(prepared.diff.removed),
                            changed=len(prepared.diff.changed),
                        ),
                        key="refresh_confirm",
                    )
                    drafting = approval_required()
                    label = t("apply_draft" if drafting else "apply", lang)
                    if st.form_submit_button(label, type="primary") and confirmed:
                        change = submit if drafting else apply
                        try:
                            saved = change(prepared, store, who=who, filename=name, note=note, yes=True)
                        except Refused as refused:  # the catalogue changed since the file was checked
                            st.error(t("refused", lang))
                            show_report(refused.report)
                        except ValueError as err:  # a draft of overlapping batches is waiting
                            st.error(str(err))
                        else:
                            if reviewed is not None and source is not None:
                                close_review(store, signed, reviewed.key)
                            if drafting:
                                said = t("submitted", lang, draft=saved or "—")
                            else:
                                said = t("applied", lang, backup=saved or "—")
                            if source is not None:
                                said += " " + t("source_kept", lang, name=source.name)
                            say_after_rerun(said)


def approval_section() -> None:
    """Publish a draft someone else submitted, or send it back with a note."""
    st.subheader(t("approval", lang))
    say_what_was_done()
    drafts = get_drafts()
    if not drafts:
        st.caption(t("no_drafts", lang))
    for draft in drafts:
        with st.container(border=True):
            said = {
                **asdict(draft),
                "batches": draft_batches(draft, lang),
                "file": as_markdown_text(draft.file),
                "note": as_markdown_text(draft.note) or "—",
            }
            st.markdown(t("draft_line", lang, **said))
            if draft.who == who:
                st.caption(t("own_draft", lang))
                continue
            note = st.text_input(t("review_note", lang), key=f"review_note_{draft.id}")
            publish_column, back_column = st.columns(2)
            if publish_column.button(t("publish", lang), key=f"publish_{draft.id}", type="primary"):
                try:
                    saved = publish(store, draft.id, who=who, note=note)
                except Refused as refused:  # no longer fits the store: send it back
                    st.error(t("refused", lang))
                    show_report(refused.report)
                except ValueError as err:
                    st.error(str(err))
                else:  # said after the rerun that takes the draft off this list
                    say_after_rerun(t("draft_published", lang, backup=saved or "—"))
            if back_column.button(t("send_back", lang), key=f"send_back_{draft.id}"):
                if not note.strip():
                    st.error(t("need_review_note", lang))
                else:
                    send_back(store, draft.id, who=who, note=note.strip())
                    say_after_rerun(t("sent_back", lang))


def catalogue_upload() -> None:
    """Upload a catalogue file, see what it changes and merge it (admins only)."""
    measures_upload = st.file_uploader(t("upload_catalogue", lang), type=["csv", "xlsx"], key="refresh_measures")
    if measures_upload is not None:
        change = check_measures(measures_upload.getvalue(), measures_upload.name, store)
        if isinstance(change, pd.DataFrame):
            st.error(t("catalogue_refused", lang))
            show_report(change, key="refresh_measures_report")
        elif change.empty:
            st.success(t("nothing_changes", lang))
        else:
            st.write(change.summary())
            with st.form("apply_measures"):
                note = st.text_input(t("note", lang), key="refresh_measures_note")
                if st.form_submit_button(t("apply_catalogue", lang), type="primary"):
                    try:
                        saved = apply_measures(change, store, who=who, filename=measures_upload.name, note=note)
                    except Refused as refused:  # the store changed since the file was checked
                        st.error(t("catalogue_refused", lang))
                        show_report(refused.report)
                    else:
                        st.success(t("catalogue_applied", lang, backup=saved or "—"))


def accounts_section() -> None:
    """Add, change and remove staff accounts (admins); each change is in the change log with who made it."""
    st.subheader(t("accounts", lang))
    say_what_was_done()
    accounts = store.accounts()
    listed = [(a.name, role_label(a.role, lang), a.changed) for a in sorted(accounts.values(), key=lambda a: a.name)]
    st.dataframe(
        pd.DataFrame(listed, columns=[t(k, lang) for k in ("account_name", "role", "changed_at")]), hide_index=True
    )
    roles = list(ROLES)
    with st.form("account_add"):
        st.caption(t("account_add", lang))
        name = st.text_input(t("account_name", lang), key="account_add_name", max_chars=MAX_NAME)
        role = st.selectbox(t("role", lang), roles, format_func=lambda r: role_label(r, lang), key="account_add_role")
        first = st.text_input(t("new_password", lang), type="password", key="account_add_password")
        again = st.text_input(t("password_again", lang), type="password", key="account_add_again")
        if st.form_submit_button(t("account_add", lang)):
            _change_account(name.strip(), role, first, again, adding=True)
    if not accounts:
        return
    chosen = st.selectbox(t("account_pick", lang), sorted(accounts), key="account_pick")
    current = accounts[chosen]
    role_column, password_column, remove_column = st.columns(3)
    with role_column.form("account_role"):
        role = st.selectbox(
            t("role", lang),
            roles,
            index=roles.index(current.role),
            format_func=lambda r: role_label(r, lang),
            key=f"account_role_{chosen}",
        )
        if st.form_submit_button(t("account_set_role", lang)):
            store.put_account(current.with_role(role, datetime.now(BEIJING)), who)
            say_after_rerun(t("account_changed", lang, name=chosen))
    with password_column.form("account_password", clear_on_submit=True):
        first = st.text_input(t("new_password", lang), type="password", key="account_new_password")
        again = st.text_input(t("password_again", lang), type="password", key="account_new_again")
        if st.form_submit_button(t("account_set_password", lang)):
            _change_account(chosen, current.role, first, again, adding=False)
    with remove_column:
        sure = st.checkbox(t("account_confirm_remove", lang, name=chosen), key="account_remove_sure")
        if st.button(t("account_remove", lang), disabled=not sure or chosen == who, key="account_remove"):
            store.remove_account(chosen, who)
            say_after_rerun(t("account_removed", lang, name=chosen))
        if chosen == who:
            st.caption(t("account_not_yourself", lang))


def _change_account(name: str, role: str, first: str, again: str, adding: bool) -> None:
    if adding and name in store.accounts():
        st.error(t("account_exists", lang, name=name))
    elif first != again:
        st.error(t("passwords_differ", lang))
    else:
        try:
            account = new_account(name, role, first, datetime.now(BEIJING))
        except ValueError as err:
            st.error(str(err))
        else:
            store.put_account(account, who)
            say_after_rerun(t("account_changed", lang, name=name))


def audit_section() -> None:
    """Download the audit logs (changes, sign-in tries, exports) since a day, as CSV that Excel opens (admins)."""
    st.subheader(t("audit", lang))
    st.caption(t("audit_help", lang))
    today = datetime.now(BEIJING).date()
    since_day = st.date_input(
        t("audit_since", lang), today - timedelta(days=180), max_value=today, format="YYYY-MM-DD", key="audit_since"
    )
    since = datetime.combine(since_day, datetime.min.time(), BEIJING)
    log = read_log(store)
    logs = {
        "audit_changes": log[log["time"].astype(str) >= f"{since:%Y-%m-%d}"],
        "audit_signins": store.signins(since),
        "audit_exports": store.exports(since),
    }
    for column, (key, frame) in zip(st.columns(3), logs.items(), strict=True):
        column.download_button(
            t(key, lang, n=len(frame)),
            # With a BOM, so that Excel on Chinese Windows opens it as UTF-8.
            data=frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"),
            file_name=f"{t(key + '_file', 'zh')}_{since:%Y%m%d}-{today:%Y%m%d}.csv",
            mime="text/csv",
            key=f"refresh_{key}",
            on_click="ignore",
            icon=":material/download:",
        )


def backups_section() -> None:
    """Restore a backup, and take in the drop folder's files."""
    st.subheader(t("backups", lang))
    backups = list_backups(store)
    if backups:
        chosen = st.selectbox(t("backups", lang), backups, key="refresh_backup", label_visibility="collapsed")
        st.caption(describe_backup(store, str(chosen)))
        sure = st.checkbox(t("confirm_restore", lang), key="refresh_restore_confirm")
        if st.button(t("restore", lang), disabled=not sure, key="refresh_restore"):
            try:
                saved = restore(store, str(chosen), who=who)
            except ValueError as err:  # a backup that no longer fits the catalogue
                st.error(str(err))
            else:
                st.success(t("restored", lang, backup=saved or "—"))
    if st.button(t("incoming", lang), key="refresh_incoming"):
        results = process_incoming(store, who=who)
        st.success(t("incoming_done", lang, n=len(results)))
        for name, outcome in results:
            st.caption(f"{outcome}: {name}")


if account.can("change"):
    batch_section()
else:
    st.info(t("no_change_role", lang, role=role_label(account.role, lang)))
if account.can("publish") and (approval_required() or get_drafts()):
    approval_section()
st.subheader(t("catalogue", lang))
st.caption(t("catalogue_help", lang))
st.download_button(
    t("download_catalogue", lang),
    # With a BOM (whether the file has one or not), so that Excel on Chinese Windows opens it as UTF-8.
    data=lambda: store.catalogue_cells().to_csv(index=False, lineterminator="\n").encode("utf-8-sig"),
    file_name="指标目录_measures.csv",
    mime="text/csv",
    key="refresh_catalogue_download",
    on_click="ignore",
    icon=":material/download:",
)
if account.can("catalogue"):
    catalogue_upload()
if account.can("accounts"):
    accounts_section()
    audit_section()
if account.can("change"):
    backups_section()
st.subheader(t("change_log", lang))
st.dataframe(read_log(store), hide_index=True, key="refresh_log")
