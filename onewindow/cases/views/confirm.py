"""Confirming a legal act before it is taken (受理, 一次性告知, 不予受理, 准予, 不予许可, 上报, 中止, 送达).

Nothing irreversible is one click. The server is the rule: a POST of such an act without
``confirmed=1`` is not taken; the page shows what will be issued ("将出具一次性告知书，共 2 项") and asks
once (:func:`confirmation`), re-posting everything that was typed. With JavaScript the same question
is a native ``<dialog>`` on the page (``cases/cases.js``), whose 确认 adds ``confirmed=1``.

Where the act would be refused anyway (accepting with required materials missing, a notice with
nothing missing) no confirmation is asked: the refusal is the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from onewindow.cases.documents import DOCUMENT_TITLES
from onewindow.cases.models import Case, Delivery
from onewindow.cases.services import check_materials
from onewindow.cases.workflow import ACTION_LABELS

# The acts that ask first (the JSON API is a contract and is not concerned).
CONFIRM_ACTIONS = frozenset(
    {
        "accept",
        "request_correction",
        "supplement",
        "reject",
        "approve",
        "deny",
        "escalate",
        "suspend",
        "deliver",
    }
)
CONFIRM_FIELD = "confirmed"
MATERIAL_ACTIONS = frozenset({"accept", "request_correction", "supplement"})

RECEIPT = DOCUMENT_TITLES["receipt"]
NOTICE = DOCUMENT_TITLES["correction_notice"]
REJECTION = DOCUMENT_TITLES["rejection_notice"]
RESULT = DOCUMENT_TITLES["result"]
SUSPENSION = DOCUMENT_TITLES["suspension_notice"]


@dataclass
class Preview:
    """What an act will issue: a headline, details, and the button that takes it."""

    action: str
    headline: str
    lines: list[str] = field(default_factory=list)
    button: str = ""


def notice_headline(n: int | str) -> str:
    return f"将出具{NOTICE}，共 {n} 项"


def accept_headline() -> str:
    return f"将受理本件，出具{RECEIPT}，办结期限自受理日起计算"


def _missing(case: Case, rows: list[dict[str, Any]] | None, *, merge: bool) -> list[dict[str, Any]]:
    given = [{"code": r["code"], "provided": r["provided"], "note": r["note"]} for r in rows or []]
    if merge:
        merged = {str(m.get("code")): dict(m) for m in case.materials}
        for m in given:
            merged.setdefault(m["code"], {}).update(m)
        given = list(merged.values())
    _checklist, missing = check_materials(case.item_version, given)
    return missing


def preview(
    case: Case, action: str, data: dict[str, Any], rows: list[dict[str, Any]] | None
) -> Preview | None:
    """What ``action`` will issue for ``case`` with these inputs; ``None`` when there is nothing to ask
    (not a confirmed act, or one the service will refuse with its own message)."""
    if action not in CONFIRM_ACTIONS:
        return None
    label = ACTION_LABELS.get(action, action)
    p = Preview(action, "", button=f"确认{label}")
    if action in MATERIAL_ACTIONS:
        missing = _missing(case, rows, merge=action == "supplement")
        if (action == "accept" and missing) or (action == "request_correction" and not missing):
            return None
        if missing:
            p.headline = notice_headline(len(missing))
            p.lines = [f"{m['name']}：{m['reason']}" for m in missing]
            if action == "supplement":
                p.lines.insert(0, "补正后材料仍不齐全，本件不能受理。")
        else:
            p.headline = accept_headline()
    elif action == "reject":
        p.headline = f"将出具{REJECTION}，本件不予受理"
        p.lines = _lines(data, ("reason", "理由"), ("basis", "法律依据"))
    elif action == "approve":
        p.headline = f"将作出准予许可决定，出具{RESULT}"
        p.lines = [f"审批意见：{data['note']}"] if data.get("note") else []
    elif action == "deny":
        p.headline = f"将作出不予许可决定，出具{RESULT}（写明理由和法律依据）"
        p.lines = _lines(data, ("reason", "理由"), ("basis", "法律依据"))
    elif action == "escalate":
        p.headline = f"将上报上级部门审批，本件移出{case.queue_department.name}的审批队列"
    elif action == "suspend":
        p.headline = f"将中止办理并出具{SUSPENSION}，中止期间不计入办理期限"
        p.lines = [*_lines(data, ("reason", "中止理由")), "将告知申请人中止及其理由。"]
    elif action == "deliver":
        to = str(data.get("to") or "")
        how = dict(Delivery.choices).get(to, to)
        who = (
            f"，邮寄单号 {data.get('tracking_number')}"
            if to == Delivery.POST
            else f"，签收人 {data.get('signed_by')}"
        )
        p.headline = f"将送达{RESULT}（{how}{who}），本件办结"
    return p


def static_headline(case: Case, action: str) -> str:
    """The headline of the page's dialog before anything is typed (the materials' count is added by
    the script from the checklist)."""
    if action == "deliver":
        return f"将送达{RESULT}，本件办结"
    asked = preview(case, action, {}, None) if action not in MATERIAL_ACTIONS else None
    return asked.headline if asked is not None else ""


def _lines(data: dict[str, Any], *keys: tuple[str, str]) -> list[str]:
    return [f"{label}：{data[k]}" for k, label in keys if data.get(k)]


def hidden_fields(post: QueryDict) -> list[tuple[str, str]]:
    """Everything that was posted, to post again on 确认 (the token is rendered by the template)."""
    return [
        (k, v)
        for k in post
        if k not in {"csrfmiddlewaretoken", CONFIRM_FIELD, "back"}
        for v in post.getlist(k)
    ]
