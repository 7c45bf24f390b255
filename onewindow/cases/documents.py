"""The case's written documents (A4 PDFs): 受理回执, 一次性告知书, 不予受理通知书, 中止办理告知书,
延期告知书, 办理结果通知书.

Each kind applies only in some states (:func:`document_kinds`); asking for another is a 404. The
applicant is always masked on paper; a QR code links to the public progress page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from onewindow.cases.deadlines import notice_due, received_date
from onewindow.cases.models import Case, CaseEvent, Delivery, State
from onewindow.core.errors import NotFound
from onewindow.documents.pdf import render_html, render_pdf
from onewindow.documents.qr import qr_data_uri
from onewindow.org.models import Staff
from onewindow.privacy.masking import mask_id_number
from onewindow.worktime.calendar import WorkCalendar

DOCUMENT_TITLES: dict[str, str] = {
    "receipt": "受理回执",
    "correction_notice": "一次性告知书",
    "rejection_notice": "不予受理通知书",
    "suspension_notice": "中止办理告知书",
    "extension_notice": "延期告知书",
    "result": "办理结果通知书",
}

DECIDED_STATES = {State.APPROVED, State.DENIED, State.READY, State.DELIVERED}

# 行政许可法 art. 32 (4): the one-time notice and its 5-day rule.
CORRECTION_LAW = (
    "依据《中华人民共和国行政许可法》第三十二条第一款第（四）项，申请材料不齐全或者不符合法定形式的，"
    "行政机关应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，"
    "自收到申请材料之日起即为受理。"
)
# 行政许可法 art. 45: periods excluded from the time limit, told to the applicant in writing.
SUSPENSION_LAW = (
    "依据《中华人民共和国行政许可法》第四十五条，行政机关作出行政许可决定，依法需要听证、招标、拍卖、"
    "检验、检测、检疫、鉴定和专家评审的，所需时间不计算在本节规定的期限内。"
    "行政机关应当将所需时间书面告知申请人。"
)
# 行政许可法 art. 42: 20 days, extendable by 10 with the head's approval, the reason told to the applicant.
EXTENSION_LAW = (
    "依据《中华人民共和国行政许可法》第四十二条，除可以当场作出行政许可决定的外，行政机关应当自受理"
    "行政许可申请之日起二十日内作出行政许可决定。二十日内不能作出决定的，经本行政机关负责人批准，"
    "可以延长十日，并应当将延长期限的理由告知申请人。"
)
# art. 42 para. 2: 统一办理、联合办理、集中办理 (联办件)
JOINT_EXTENSION_LAW = (
    "依据《中华人民共和国行政许可法》第四十二条第二款，依法应当先经下级行政机关审查后报上级行政机关决定"
    "以外的统一办理、联合办理、集中办理的，办理的时间不得超过四十五日；四十五日内不能办结的，"
    "经本级人民政府负责人批准，可以延长十五日，并应当将延长期限的理由告知申请人。"
)
RECOURSE = (
    "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者自知道作出本决定之日起六个月内依法向人民法院提起行政诉讼。"
)


def _correction(case: Case) -> tuple[list[dict[str, Any]], dt.datetime | None] | None:
    """The latest one-time notice: the missing materials and when it was issued (None: never)."""
    if case.notice.get("kind") == "correction":
        issued = parse_datetime(str(case.notice.get("issued_at") or ""))
        return list(case.notice.get("missing") or []), issued
    event = (
        case.events.filter(action__in=["request_correction", "correction_override"]).order_by("-seq").first()
    )
    if event is None:
        return None
    return list(event.data.get("missing") or []), event.at


def _clock_events(case: Case) -> list[CaseEvent]:
    """The events that moved the clock (suspend, resume, extend), in order."""
    return list(case.events.filter(action__in=["suspend", "resume", "extend"]).order_by("seq"))


def _latest(events: list[CaseEvent], action: str) -> CaseEvent:
    """The last ``action`` of the case's clock events (``document_kinds`` checked there is one; without
    one the document is not applicable)."""
    found = next((e for e in reversed(events) if e.action == action), None)
    if found is None:
        raise NotFound("没有该文书", code="document_not_applicable")
    return found


def _deadline_at(case: Case, events: list[CaseEvent], upto_seq: int) -> dt.date | None:
    """The deadline as it stood after event ``upto_seq``: the promised days plus the extensions and
    the paused working days recorded up to then (the acceptance day is not counted)."""
    if case.accept_date is None:
        return None
    extended = sum(int(e.data.get("days") or 0) for e in events if e.action == "extend" and e.seq <= upto_seq)
    paused = sum(
        int(e.data.get("paused_days") or 0) for e in events if e.action == "resume" and e.seq <= upto_seq
    )
    return WorkCalendar().add_workdays(case.accept_date, case.promised_days + extended + paused)


# Whose act each document records (the latest such event on the timeline) and how it is labelled:
# kind → (actions, [(row label, "body" | "person" | "both")]).
SIGNERS: dict[str, tuple[tuple[str, ...], list[tuple[str, str]]]] = {
    "receipt": (("accept", "supplement"), [("受理人", "both")]),
    "correction_notice": (("request_correction", "correction_override"), [("告知人", "both")]),
    "rejection_notice": (("reject",), [("决定机关", "body"), ("经办人", "person")]),
    "suspension_notice": (("suspend",), [("中止决定", "both")]),
    "extension_notice": (("extend",), [("批准人", "both")]),
    "result": (("approve", "deny"), [("决定机关", "body"), ("决定人", "person")]),
}


def event_body(event: CaseEvent) -> str:
    """The body that acted in ``event``: the department recorded on it (decisions since the authority
    rule), else the actor's department for a reviewer's act, else the centre it was done at."""
    data = event.data if isinstance(event.data, dict) else {}
    if data.get("department"):
        return str(data["department"])
    if event.role == "reviewer" and event.actor_id is not None:
        staff = Staff.objects.select_related("department").filter(user_id=event.actor_id).first()
        if staff is not None and staff.department is not None:
            return staff.department.name
    return event.centre.name if event.centre is not None else ""


def signer_rows(case: Case, kind: str) -> list[tuple[str, str]]:
    """Who really did the act the document records, from the timeline: [(label, text)]."""
    actions, rows = SIGNERS[kind]
    event = case.events.select_related("centre").filter(action__in=actions).order_by("-seq").first()
    if event is None:
        return []
    body, person = event_body(event), event.actor_name or "—"
    texts = {"body": body, "person": person, "both": f"{body} {person}".strip()}
    return [(label, texts[part]) for label, part in rows]


def document_kinds(case: Case) -> list[str]:
    """The documents that apply to the case as it stands, in the order they are issued."""
    kinds: list[str] = []
    if case.correction_count or _correction(case) is not None:
        kinds.append("correction_notice")
    if case.state == State.NOT_ACCEPTED:
        kinds.append("rejection_notice")
    if case.accepted_at is not None:
        kinds.append("receipt")
        # 中止 / 延期 notices, in the order of their latest event
        latest = {e.action: e.seq for e in _clock_events(case) if e.action in {"suspend", "extend"}}
        notices = {"suspend": "suspension_notice", "extend": "extension_notice"}
        kinds += [notices[a] for a, _seq in sorted(latest.items(), key=lambda kv: kv[1])]
    if case.state in DECIDED_STATES and case.decided_at is not None:
        kinds.append("result")
    return kinds


def progress_url(case: Case, site_url: str = "") -> str:
    """The public progress page for this case (absolute when ``site_url`` is given)."""
    path = reverse("cases:progress") + "?" + urlencode({"number": case.number})
    return site_url.rstrip("/") + path if site_url else path


def document_context(case: Case, kind: str, *, site_url: str = "") -> dict[str, Any]:
    """The template context of document ``kind`` of ``case``: what every document shows, plus what
    its kind adds (:data:`KIND_CONTEXT`); ``NotFound`` for an unknown kind or one that does not apply."""
    if kind not in DOCUMENT_TITLES:
        raise NotFound(f"没有「{kind}」这种文书", code="unknown_document")
    if kind not in document_kinds(case):
        raise NotFound(
            f"办件当前状态为「{State(case.state).label}」，没有{DOCUMENT_TITLES[kind]}",
            code="document_not_applicable",
        )
    version = case.item_version
    person = case.applicant_kind == "person"  # the case's own applicant snapshot
    url = progress_url(case, site_url)
    ctx: dict[str, Any] = {
        "received_on": received_date(case),
        "case": case,
        "kind": kind,
        "title": DOCUMENT_TITLES[kind],
        "centre": case.centre,
        "version": version,
        "department": case.queue_department,
        "applicant_name": case.applicant_masked_name,
        "applicant_id": mask_id_number(case.applicant_id_number) if person else case.applicant_id_number,
        "applicant_id_label": "身份证号" if person else "统一社会信用代码",
        "state_label": State(case.state).label,
        "progress_url": url,
        "qr": qr_data_uri(url),
        "consult_phone": version.consult_phone or case.centre.phone,
        "complaint_phone": version.complaint_phone or case.centre.complaint_phone,
        "signer_rows": signer_rows(case, kind),
    }
    extra = KIND_CONTEXT.get(kind)
    if extra is not None:
        ctx.update(extra(case))
    return ctx


def _correction_context(case: Case) -> dict[str, Any]:
    missing, issued = _correction(case) or ([], None)
    return {
        "missing": missing,
        "issued_at": issued or case.received_at,
        "law": CORRECTION_LAW,
        "received_on": received_date(case),
        "notice_due": notice_due(case),
    }


def _rejection_context(case: Case) -> dict[str, Any]:
    return {
        "reason": case.notice.get("reason") or case.decision_reason,
        "basis": case.notice.get("basis") or "",
        "recourse": RECOURSE,
    }


def _suspension_context(case: Case) -> dict[str, Any]:
    events = _clock_events(case)
    suspend = _latest(events, "suspend")
    resume = next((e for e in events if e.action == "resume" and e.seq > suspend.seq), None)
    return {
        "suspended_at": suspend.at,
        "reason": suspend.note or str(suspend.data.get("reason") or ""),
        "deadline_before": _deadline_at(case, events, suspend.seq - 1),
        "resumed_at": resume.at if resume is not None else None,
        "paused_days": int(resume.data.get("paused_days") or 0) if resume is not None else None,
        "deadline_after": _deadline_at(case, events, resume.seq) if resume is not None else None,
        "law": SUSPENSION_LAW,
    }


def _extension_context(case: Case) -> dict[str, Any]:
    events = _clock_events(case)
    extend = _latest(events, "extend")
    return {
        "extended_at": extend.at,
        "days": int(extend.data.get("days") or 0),
        "total_days": sum(int(e.data.get("days") or 0) for e in events if e.action == "extend"),
        "reason": extend.note,
        "deadline_before": _deadline_at(case, events, extend.seq - 1),
        "new_deadline": _deadline_at(case, events, extend.seq),
        "approver": str(extend.data.get("approver") or ""),
        "approver_post": str(extend.data.get("approver_post") or ""),
        "law": JOINT_EXTENSION_LAW if extend.data.get("rule") == "joint" else EXTENSION_LAW,
    }


def _result_context(case: Case) -> dict[str, Any]:
    approved = _approved(case)
    decision = case.events.filter(action__in=["approve", "deny"]).order_by("-seq").first()
    return {
        "approved": approved,
        "decision": "准予许可/办结" if approved else "不予许可",
        "basis": str((decision.data or {}).get("basis") or "") if decision is not None else "",
        "reason": case.decision_reason,
        "recourse": "" if approved else RECOURSE,
        "delivery_label": Delivery(case.delivery).label if case.delivery else "",
    }


# What each kind adds to the common context (the receipt adds nothing).
KIND_CONTEXT: dict[str, Callable[[Case], dict[str, Any]]] = {
    "correction_notice": _correction_context,
    "rejection_notice": _rejection_context,
    "suspension_notice": _suspension_context,
    "extension_notice": _extension_context,
    "result": _result_context,
}


def _approved(case: Case) -> bool:
    """Whether the decision was to approve (a ready or delivered case may carry either)."""
    if case.state in {State.APPROVED, State.DENIED}:
        return case.state == State.APPROVED
    last = case.events.filter(action__in=["approve", "deny"]).order_by("-seq").first()
    return last is not None and last.action == "approve"


def case_document_html(case: Case, kind: str, *, site_url: str = "") -> str:
    return render_html(f"cases/pdf/{kind}.html", document_context(case, kind, site_url=site_url))


def case_document_pdf(case: Case, kind: str, *, site_url: str = "") -> bytes:
    """The document as PDF bytes; ``NotFound`` for an unknown kind or one that does not apply."""
    return render_pdf(f"cases/pdf/{kind}.html", document_context(case, kind, site_url=site_url))


def case_document_response(case: Case, kind: str, *, site_url: str = "") -> HttpResponse:
    """The PDF as an inline download with an ASCII and a Chinese file name (RFC 6266 / 5987)."""
    pdf = case_document_pdf(case, kind, site_url=site_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{case.number}-{DOCUMENT_TITLES[kind]}.pdf"
    response["Content-Disposition"] = (
        f"inline; filename=\"{case.number}-{kind}.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
