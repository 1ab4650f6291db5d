"""The review of a new batch's document on the Refresh page: case by case, the case's text with every
proposed figure marked on the left, its proposals as cards with drop-downs on the right, numbers the
extractor passed over offered as buttons; kept in the store after every change (loaders.review)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ftz.highlight import mark_case
from ftz.i18n import code_label, code_labels, column_label, t, unit_label
from loaders.document import Case
from loaders.measures import Catalogue
from loaders.review import (
    ACCEPTED,
    DOUBTS,
    PENDING,
    REJECTED,
    Passed,
    Review,
    accept_rest,
    add_figure,
    edit_rows,
    orphans,
    passed_over,
    reviewed_csv,
    set_batch,
    set_status,
    start_review,
)
from loaders.schema import CODE_LISTS, UNITS
from loaders.sources import Source, UnreadableDocument
from loaders.stores import Store
from loaders.users import Account
from ui import as_markdown_text

# The review open in this session; it is also kept in the store after every change.
OPEN = "review_open"
# The upload (by its file id) a review was last opened from.
SEEN = "review_seen_upload"
# A number bumped whenever the review changes from a button, so that every card's widgets are drawn again
# from the review (widget keys carry it) instead of keeping what they held.
REVISION = "review_revision"


@dataclass(frozen=True)
class Reviewed:
    """What a finished review hands to the check and apply steps: the rows as a batch file, and the document."""

    data: bytes
    name: str
    source: Source
    key: str  # the review's key, to discard it once applied


def review_section(store: Store, account: Account, lang: str, areas: list[str]) -> Reviewed | None:
    """Show the reviews in progress, the document uploader and the open review; return the reviewed rows
    once the reviewer asks to check them."""
    catalogue = store.catalogue()
    review: Review | None = st.session_state.get(OPEN)
    if review is None:
        _saved_list(store, account, lang)
    document = st.file_uploader(
        t("upload_document", lang), type=["txt", "docx", "pdf"], key="refresh_document", help=t("document_help", lang)
    )
    # An upload opens (or resumes) its review once: the same upload, still in the uploader after its rows were
    # applied or another review was resumed, does not open it again.
    if document is not None and document.file_id != st.session_state.get(SEEN):
        st.session_state[SEEN] = document.file_id
        review = _open(document.getvalue(), document.name, areas, catalogue, store, account, lang)
    if review is None:
        return None
    return _review_screen(review, store, account, lang, areas, catalogue)


def close_review(store: Store, account: Account, key: str) -> None:
    """Discard a review whose rows were applied (or submitted), and close it in this session."""
    store.save_review(account.name, key, None)
    st.session_state.pop(OPEN, None)
    st.session_state.pop("review_checked", None)


def _digest(data: bytes) -> str:
    """Return the key a review of this document is kept under (see Review.key)."""
    return hashlib.sha256(data).hexdigest()[:16]


def _open(
    data: bytes,
    name: str,
    areas: list[str],
    catalogue: Catalogue,
    store: Store,
    account: Account,
    lang: str,
) -> Review | None:
    """Resume the account's review of this very document, else start one; None (said why) if unreadable."""
    kept = store.reviews(account.name).get(_digest(data))
    review = Review.from_json(kept) if kept is not None else None
    if review is None:
        try:
            review = start_review(data, name, areas, catalogue)
        except UnreadableDocument as err:
            st.error(str(err))
            return None
        store.save_review(account.name, review.key, review.to_json())
    else:
        st.info(t("review_resumed", lang, file=review.file))
    _show(review)
    return review


def _show(review: Review) -> None:
    """Make a review the open one, every widget of the screen drawn afresh from it (not from another's)."""
    st.session_state[OPEN] = review
    st.session_state[REVISION] = st.session_state.get(REVISION, 0) + 1


def _saved_list(store: Store, account: Account, lang: str) -> None:
    """List the account's reviews in progress, each to resume or discard."""
    saved = {key: Review.from_json(data) for key, data in store.reviews(account.name).items()}
    if saved:
        st.markdown(f"**{t('review_saved', lang)}**")
    for key, review in saved.items():
        counts = review.counts()
        total = sum(counts.values())
        line, resume, discard = st.columns([6, 1, 1], vertical_alignment="center")
        line.markdown(
            t(
                "review_saved_line",
                lang,
                file=as_markdown_text(review.file),
                batch=review.batch,
                done=total - counts[PENDING],
                total=total,
            )
        )
        if resume.button(t("review_resume", lang), key=f"review_resume_{key}"):
            _show(review)
            st.rerun()
        if discard.button(t("review_discard", lang), key=f"review_discard_{key}"):
            store.save_review(account.name, key, None)
            st.rerun()


def _changed(store: Store, account: Account, review: Review) -> None:
    """Keep the review after a change, and draw every card again from it."""
    store.save_review(account.name, review.key, review.to_json())
    st.session_state[REVISION] = st.session_state.get(REVISION, 0) + 1


def _review_screen(
    review: Review, store: Store, account: Account, lang: str, areas: list[str], catalogue: Catalogue
) -> Reviewed | None:
    cases = review.document(areas).cases
    counts = review.counts()
    st.subheader(t("review_of", lang, file=review.file, batch=review.batch, cases=len(cases)))
    st.caption(t("review_progress", lang, **counts))
    _register_fields(review, store, account, lang)
    numbers = [case.entry.case_no for case in cases]
    if review.case not in numbers:
        review.case = numbers[0]

    def case_label(number: int) -> str:
        rows = review.rows[review.rows["case_no"] == str(number)]
        pending = int((rows["status"] == PENDING).sum())
        doubtful = int(((rows["status"] == PENDING) & (rows["doubt"] != "")).sum())
        title = next(case.entry.title for case in cases if case.entry.case_no == number)
        return t("review_case_label", lang, no=number, title=title, pending=pending, doubtful=doubtful)

    def go(number: int) -> None:
        review.case = number
        _changed(store, account, review)

    picked = st.selectbox(
        t("review_case", lang),
        numbers,
        index=numbers.index(review.case),
        format_func=case_label,
        key=f"review_case_{review.key}_{st.session_state.get(REVISION, 0)}",
    )
    if picked != review.case:
        go(picked)
        st.rerun()
    at = numbers.index(review.case)
    back, forward = st.columns(2)
    back.button(
        t("review_prev", lang), key="review_prev", disabled=at == 0, on_click=go, args=(numbers[max(at - 1, 0)],)
    )
    forward.button(
        t("review_next", lang),
        key="review_next",
        disabled=at == len(numbers) - 1,
        on_click=go,
        args=(numbers[min(at + 1, len(numbers) - 1)],),
    )
    case = cases[at]
    text_column, cards_column = st.columns([5, 6], gap="medium")
    with text_column:
        _case_text(review, case, lang, catalogue, lambda: _changed(store, account, review))
    with cards_column:
        # The cards scroll beside the text, which stays in view.
        with st.container(height=760, key="review_cards"):
            _cards(review, case, lang, catalogue, lambda: _changed(store, account, review))
        pending = int(((review.rows["case_no"] == str(case.entry.case_no)) & (review.rows["status"] == PENDING)).sum())
        if pending:

            def accept_and_go() -> None:
                accept_rest(review, case.entry.case_no)
                review.case = numbers[min(at + 1, len(numbers) - 1)]
                _changed(store, account, review)

            st.button(
                t("review_accept_rest", lang, n=pending),
                key="review_accept_rest",
                type="primary",
                on_click=accept_and_go,
            )
    left = review.counts()[PENDING]
    if left:
        st.info(t("review_pending_left", lang, n=left))
    lost = orphans(review)
    if lost:
        st.error(t("review_orphans", lang, ids="、".join(lost)))
    blocked = bool(left or lost)
    if st.button(t("check_reviewed", lang), key="refresh_check", disabled=blocked):
        st.session_state["review_checked"] = review.key
    if st.session_state.get("review_checked") != review.key or blocked:
        return None
    name = f"{review.file.rsplit('.', 1)[0]}.reviewed.csv"
    return Reviewed(reviewed_csv(review, areas), name, review.source(), review.key)


def _register_fields(review: Review, store: Store, account: Account, lang: str) -> None:
    """The batch's number, title, document number and date, as read from the document, for the reviewer to
    correct; open when the document does not say which batch it is."""
    if not review.batch:
        st.warning(t("review_no_batch", lang))
    with st.expander(t("review_register", lang, batch=review.batch), expanded=not review.batch):
        revision = st.session_state.get(REVISION, 0)
        batch = st.number_input(
            t("f_batch", lang), min_value=0, value=review.batch, step=1, key=f"review_batch_{revision}"
        )
        if int(batch) != review.batch:
            set_batch(review, int(batch))
            _changed(store, account, review)
            st.rerun()
        fields = {"title": "batch_title", "title_en": "batch_title_en", "doc_no": "doc_no", "published": "published"}
        for field, label in fields.items():
            value = st.text_input(t(label, lang), getattr(review, field), key=f"review_{field}_{revision}")
            if value.strip() != getattr(review, field):
                setattr(review, field, value.strip())
                store.save_review(account.name, review.key, review.to_json())


def _case_text(review: Review, case: Case, lang: str, catalogue: Catalogue, changed: Callable[[], None]) -> None:
    st.markdown(f"**{t('review_text', lang)}**")
    rows = review.rows[(review.rows["case_no"] == str(case.entry.case_no)) & (review.rows["status"] != REJECTED)]
    notes = {
        str(row["fact_id"]): f"{row['fact_id']} · {catalogue.name(str(row['measure']), lang)} · "
        + t(f"review_status_{row['status']}", lang)
        for row in rows.to_dict("records")
    }
    sentences = [(sentence.section, sentence.text) for sentence in case.sentences]
    # Every figure still in the review is marked alike; a rejected one is no longer marked.
    sections, _ = mark_case(sentences, rows, notes, set(rows["fact_id"]))
    for section, paragraphs in sections.items():
        st.markdown(f"*{html.escape(code_label('section', section, lang))}*")
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        st.markdown(f'<div lang="zh-CN">{body}</div>', unsafe_allow_html=True)
    passed = passed_over(review, case, catalogue)
    if passed:
        st.markdown(f"**{t('review_passed', lang)}**")
        st.caption(t("review_passed_help", lang))
    for place in passed:
        sentence = case.sentences[place.sentence].text
        context = sentence[max(0, place.start - 12) : place.end + 8]

        def add(place: Passed = place) -> None:
            add_figure(review, case, place, catalogue)
            changed()

        st.button(
            f"＋ {place.words}：…{context}…",
            key=f"review_add_{case.entry.case_no}_{place.sentence}_{place.start}",
            on_click=add,
        )


def _cards(review: Review, case: Case, lang: str, catalogue: Catalogue, changed: Callable[[], None]) -> None:
    """One card per proposal of the case, the doubtful first: its words, what is doubtful, its fields."""
    rows = review.case_rows(case.entry.case_no)
    if rows.empty:
        st.caption(t("review_nothing", lang))
        return
    revision = st.session_state.get(REVISION, 0)
    live = rows[rows["status"] != REJECTED]
    wholes = ["", *live["fact_id"]]
    words = dict(zip(live["fact_id"], live["value_text"], strict=True))
    indicators = code_labels("indicator", lang)
    measures = catalogue.names(lang)
    units = list(dict.fromkeys([*UNITS, *rows["unit"]]))
    for row in rows.to_dict("records"):
        fact_id = str(row["fact_id"])
        status = str(row["status"])
        with st.container(border=True, key=f"review_card_{fact_id}"):
            head, accept, reject = st.columns([4, 2, 2], vertical_alignment="center")
            doubt = "".join(
                f" :orange-badge[{t(f'doubt_{d}', lang)}]" for d in str(row["doubt"]).split() if d in DOUBTS
            )
            badge = {"accepted": ":green-badge", "rejected": ":gray-badge", "pending": ":blue-badge"}[status]
            head.markdown(
                f"**{as_markdown_text(str(row['value_text']))}** {badge}[{t(f'review_status_{status}', lang)}]{doubt}"
                f"  \n:gray[{fact_id}]"
            )

            def mark(status_to: str, fact_id: str = fact_id) -> None:
                set_status(review, [fact_id], status_to)
                changed()

            for column, mark_as, said in ((accept, ACCEPTED, "review_accept"), (reject, REJECTED, "review_reject")):
                column.button(
                    f"{'✓' if mark_as == ACCEPTED else '✗'} {t(said, lang)}",
                    key=f"{said}_{fact_id}",
                    disabled=status == mark_as,
                    on_click=mark,
                    args=(mark_as,),
                )
            if status == REJECTED:
                continue

            def edit(field: str, fact_id: str = fact_id) -> None:
                value = st.session_state[f"review_{field}_{fact_id}_{revision}"]
                edit_rows(
                    review, pd.DataFrame([{"fact_id": fact_id, field: "" if value is None else str(value)}]), catalogue
                )
                changed()

            first = st.columns([3, 2, 2])
            second = st.columns([2, 2, 2, 2, 2])
            family = catalogue.family(str(row["indicator"]))
            choices: dict[str, tuple[Any, list[str], Callable[[str], str | None]]] = {
                "measure": (first[0], [*family, *(m for m in measures if m not in family)], measures.get),
                "kind": (first[1], list(CODE_LISTS["kind"]), lambda c: code_label("kind", c, lang)),
                "scope": (first[2], list(CODE_LISTS["scope"]), lambda c: code_label("scope", c, lang)),
                "indicator": (second[0], list(indicators), indicators.get),
                "unit": (second[2], units, lambda unit: unit_label(unit, lang)),
                "part_of": (
                    second[4],
                    [w for w in wholes if w != fact_id],
                    lambda w: f"{w} {words.get(w, '')}" if w else "—",
                ),
            }
            for field, (column, options, label) in choices.items():
                current = str(row[field])
                options = options if current in options else [current, *options]
                column.selectbox(
                    column_label(field, lang),
                    options,
                    index=options.index(current),
                    format_func=lambda code, label=label: str(label(code) or code),
                    key=f"review_{field}_{fact_id}_{revision}",
                    on_change=edit,
                    args=(field,),
                )
            for column, field in ((second[1], "value"), (second[3], "qualifier")):
                column.text_input(
                    column_label(field, lang),
                    str(row[field]),
                    key=f"review_{field}_{fact_id}_{revision}",
                    on_change=edit,
                    args=(field,),
                )
