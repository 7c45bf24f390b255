"""Every write of the proxy service (帮办代办, 三级代理).

The seven steps 委托、受理、办理、送达、归档、上报、回访 as one flow:

- ``entrustment_create`` / ``entrustment_revoke`` (委托);
- ``proxy_request_create`` (受理 at the village, 一事一记) and ``proxy_request_action`` with
  ``submit`` / ``supplement`` (agent → the township clerk's pre-review queue), ``prereview_return``
  (ONE notice of everything missing), ``forward`` (to the county: 三级代理), ``prereview_pass`` (the
  real case is taken in at the reviewing centre through ``cases.services.case_intake`` +
  ``case_transition(accept)``, the same services as the window), ``collect_result`` (代为取件, the case
  is ``ready``), ``hand_over`` (the case is delivered with ``deliver to=agent signed_by=<resident>``),
  ``follow_up`` (回访) and ``withdraw``.

Each function is one transaction, appends one :class:`ProxyEvent` per change and sends
``signals.proxy_event`` inside it. Refused attempts are written to the audit log by
:func:`audit_refusals` (outside the rolled-back transaction).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.models import State as CaseState
from onewindow.catalog.models import Item, ItemVersion, VersionStatus
from onewindow.core import audit as core_audit
from onewindow.core import signals
from onewindow.core.counters import next_value
from onewindow.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthenticated
from onewindow.core.followups import follow_up_heard_send
from onewindow.core.locking import retry_atomic
from onewindow.files.models import StoredFile
from onewindow.files.services import store_upload
from onewindow.notify.services import notify
from onewindow.org import access
from onewindow.org.models import Centre, Jurisdiction, Level, Resident, ResidentKind, Role, Staff
from onewindow.org.selectors import resident_get
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index
from onewindow.proxy.models import (
    ConfirmationKind,
    Entrustment,
    FollowUp,
    FollowUpMethod,
    ProxyAttachment,
    ProxyCounter,
    ProxyEvent,
    ProxyRequest,
    RequestState,
)
from onewindow.worktime.calendar import WorkCalendar

log = logging.getLogger("onewindow.proxy")

WINDOW_ROLES = frozenset({Role.CLERK, Role.CENTRE_HEAD})


def pass_on_days() -> int:
    """Working days the village agent has to pass a request to the township (default 3)."""
    return int(getattr(settings, "PROXY_PASS_ON_DAYS", 3))


def follow_up_days() -> int:
    """Working days after hand-over by which the follow-up (回访) is due (default 5)."""
    return int(getattr(settings, "PROXY_FOLLOW_UP_DAYS", 5))


def local_today() -> dt.date:
    return timezone.localdate()


# --- audit ---------------------------------------------------------------------------------------


def audit(
    action: str,
    *,
    user: Any,
    obj: str = "",
    result: str = "ok",
    details: dict[str, Any] | None = None,
    request: Any = None,
) -> None:
    """Write one audit entry through the audit façade (``onewindow.core.audit``)."""
    core_audit.record(action, request=request, user=user, obj=obj, result=result, details=details or {})


@contextmanager
def audit_refusals(action: str, *, user: Any, obj: str = "", request: Any = None) -> Iterator[None]:
    """Record every refused proxy action (a DomainError) in the audit log, then re-raise it."""
    try:
        yield
    except DomainError as exc:
        audit(
            f"proxy.{action}",
            user=user,
            obj=obj,
            result="denied",
            details={"code": exc.code, "message": exc.message, "status": exc.status},
            request=request,
        )
        raise


# --- helpers -------------------------------------------------------------------------------------


def _staff(actor: Any) -> Staff:
    staff = access.staff_of(actor)
    if staff is None:
        if not getattr(actor, "is_authenticated", False):
            raise Unauthenticated()
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    return staff


def _require_roles(staff: Staff, roles: set[str] | frozenset[str], label: str) -> None:
    if not set(staff.role_list) & set(roles):
        raise Forbidden(f"您的岗位不能{label}", code="forbidden")


def _next_number(prefix: str) -> str:
    today = local_today()
    key = f"{prefix}{today:%Y%m%d}"
    return f"{key}{next_value(ProxyCounter, prefix=key):04d}"


def item_name(item: Item) -> str:
    v = item.published
    return v.name if v is not None else item.code


def published_version(item: Item) -> ItemVersion:
    v = (
        ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED)
        .prefetch_related("materials", "fields")
        .first()
    )
    if v is None:
        raise Invalid(
            f"事项 {item.code} 未发布或已停用", code="item_unpublished", details={"item": ["未发布"]}
        )
    return v


def proxy_item(code: str) -> tuple[Item, ItemVersion]:
    """The item if it exists, is published and may be handled by a village agent."""
    item = Item.objects.filter(code=code).first()
    if item is None:
        raise Invalid(f"事项 {code} 不存在", code="unknown_item", details={"item": [code]})
    version = published_version(item)
    if not version.proxy_allowed:
        raise Invalid(
            f"「{version.name}」不在帮办代办事项清单中，请群众到窗口办理",
            code="item_not_proxy_allowed",
            details={"item": [code]},
        )
    return item, version


def _record(
    req: ProxyRequest,
    *,
    actor: Any,
    action: str,
    state_from: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ProxyEvent:
    last = ProxyEvent.objects.filter(request=req).order_by("-seq").values_list("seq", flat=True).first()
    staff = access.staff_of(actor)
    event = ProxyEvent.objects.create(
        request=req,
        seq=(last or 0) + 1,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=staff.name if staff else "",
        action=action,
        state_from=state_from,
        state_to=req.state,
        note=note,
        data=data or {},
    )
    if state_from != req.state or action == "created":
        signals.proxy_event.send(sender=ProxyRequest, request=req, action=SIGNAL_ACTIONS.get(action, action))
    return event


# The names sent with ``signals.proxy_event`` (past tense, see ../shared common contract) for each
# action of the request's own trail. Events that do not change the state (batch hops) send nothing.
SIGNAL_ACTIONS = {
    "created": "created",
    "submit": "submitted",
    "supplement": "supplemented",
    "prereview_return": "returned",
    "forward": "forwarded",
    "prereview_pass": "passed",
    "collect_result": "collected",
    "hand_over": "handed_over",
    "follow_up": "followed_up",
    "withdraw": "withdrawn",
}


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid("上传的文件不存在", code="unknown_file", details={field: [str(value)]}) from None


def _attachment_for(actor: Any, file_id: str, field: str) -> ProxyAttachment:
    att = ProxyAttachment.objects.select_related("file").filter(file_id=_uuid(file_id, field)).first()
    if att is None or att.uploaded_by_id != actor.pk:
        raise Invalid("上传的文件不存在", code="unknown_file", details={field: [str(file_id)]})
    if att.request_id is not None or Entrustment.objects.filter(confirmation_id=att.file_id).exists():
        raise Invalid("该文件已被其他记录使用", code="file_in_use", details={field: [str(file_id)]})
    return att


# --- uploads -------------------------------------------------------------------------------------


@transaction.atomic
def proxy_file_upload(*, actor: Any, upload: Any, field: str = "file") -> StoredFile:
    """Store a photo/scan (content-checked, downscaled, encrypted) for a later request/entrustment."""
    staff = _staff(actor)
    _require_roles(staff, {Role.AGENT, *WINDOW_ROLES}, "上传代办材料")
    stored = store_upload(upload, user=actor, field=field)
    ProxyAttachment.objects.create(file=stored, uploaded_by=actor)
    return stored


def proxy_file_get(*, actor: Any, file_id: str) -> StoredFile:
    """A proxy upload the actor may see: their own upload, or one of a request in their scope."""
    try:
        fid = uuid.UUID(str(file_id))
    except ValueError:
        raise NotFound("文件不存在", code="not_found") from None
    att = ProxyAttachment.objects.select_related("file", "request__village").filter(file_id=fid).first()
    if att is not None:
        if att.uploaded_by_id == actor.pk:
            return att.file
        if att.request is not None and access.in_scope(actor, att.request.village):
            return att.file
    ent = Entrustment.objects.select_related("village", "confirmation").filter(confirmation_id=fid).first()
    if ent is not None and ent.confirmation is not None and access.in_scope(actor, ent.village):
        return ent.confirmation
    raise NotFound("文件不存在", code="not_found")


# --- entrustment (委托) ---------------------------------------------------------------------------


def _may_attach(actor: Any, resident: Resident, *, name: str, phone: str) -> bool:
    """An existing resident found by ID number may be attached when in the actor's jurisdiction, or
    when the actor already knows the person: the same name and phone as on record."""
    if resident.jurisdiction_id is not None and access.in_scope(actor, resident.jurisdiction):
        return True
    return resident.name == name and (resident.phone or "") == phone


def _resident_from(actor: Any, data: dict[str, Any], village: Jurisdiction) -> Resident:
    if data.get("id"):
        return resident_get(actor=actor, pk=int(data["id"]))
    kind = data.get("kind") or ResidentKind.PERSON
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if kind not in ResidentKind.values:
        errors["resident.kind"] = ["应为 person 或 enterprise"]
    if not name:
        errors["resident.name"] = ["请填写委托人姓名"]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], code="invalid", details=errors)
    if kind == ResidentKind.PERSON:
        number = identifiers.validate_id_number(data.get("id_number") or "")
    else:
        number = identifiers.validate_credit_code(data.get("credit_code") or data.get("id_number") or "")
    phone = identifiers.validate_mobile(data.get("phone") or "")
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .filter(id_index=blind_index(number))
        .order_by("pk")
        .first()
    )
    if resident is not None and not _may_attach(actor, resident, name=name, phone=phone):
        # A person outside the actor's jurisdiction, described with another name or phone: the same
        # answer as a resident id outside the jurisdiction (resident_get), nothing of the stored person
        # (name, phone) and no access to them. (A second record with that number cannot exist.)
        raise NotFound("未找到该办事群众", code="unknown_resident")
    if resident is None:
        resident = Resident.objects.create(
            kind=kind,
            name=name,
            id_number=number,
            phone=phone,
            address=(data.get("address") or "").strip()[:200],
            jurisdiction=village,
            created_by=actor,
        )
    return resident


def _agent_and_village(actor: Any, staff: Staff, agent_username: str | None) -> tuple[Any, Jurisdiction]:
    roles = set(staff.role_list)
    if Role.AGENT in roles and not agent_username:
        if staff.jurisdiction.level != Level.VILLAGE:
            raise Forbidden("代办员须属于嘎查村", code="forbidden")
        return actor, staff.jurisdiction
    if not roles & WINDOW_ROLES and Role.AGENT not in roles:
        raise Forbidden("您的岗位不能登记代办委托", code="forbidden")
    agent_staff = (
        access.scope(actor, Staff.objects.select_related("user", "jurisdiction"))
        .filter(user__username=agent_username or "", roles__role=Role.AGENT)
        .first()
    )
    if agent_staff is None:
        raise Invalid(
            "代办员不存在或不在您的辖区", code="unknown_agent", details={"agent": [str(agent_username)]}
        )
    return agent_staff.user, agent_staff.jurisdiction


@retry_atomic
def entrustment_create(
    *,
    actor: Any,
    resident: dict[str, Any],
    items: list[str],
    valid_until: dt.date,
    confirmation_file: str | None,
    confirmation_kind: str = ConfirmationKind.SIGNATURE,
    agent: str | None = None,
) -> Entrustment:
    """The resident authorises an agent for named (proxy-allowed) items until ``valid_until``."""
    staff = _staff(actor)
    agent_user, village = _agent_and_village(actor, staff, agent)
    today = local_today()
    errors: dict[str, list[str]] = {}
    if valid_until < today:
        errors["valid_until"] = ["有效期不能早于今天"]
    elif valid_until > today + dt.timedelta(days=366 * 3):
        errors["valid_until"] = ["有效期最长三年"]
    if not items:
        errors["items"] = ["请选择委托事项"]
    if confirmation_kind not in ConfirmationKind.values:
        errors["confirmation_kind"] = [f"应为 {'/'.join(ConfirmationKind.values)}"]
    if not confirmation_file:
        errors["confirmation_file"] = ["请上传群众的确认（签名、指印或纸质委托书扫描件）"]
    if errors:
        code = "confirmation_required" if "confirmation_file" in errors else "invalid"
        raise Invalid(next(iter(errors.values()))[0], code=code, details=errors)
    item_objs = [proxy_item(code)[0] for code in dict.fromkeys(items)]
    att = _attachment_for(actor, str(confirmation_file), "confirmation_file")
    resident_obj = _resident_from(actor, resident, village)
    ent = Entrustment.objects.create(
        resident=resident_obj,
        agent=agent_user,
        village=village,
        valid_until=valid_until,
        confirmation_kind=confirmation_kind,
        confirmation=att.file,
        created_by=actor,
    )
    ent.items.set(item_objs)
    att.material_code = "__entrustment__"
    att.save(update_fields=["material_code"])
    return ent


def entrustment_scope(actor: Any) -> Any:
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    return access.scope(
        actor, Entrustment.objects.select_related("resident", "agent__staff", "village"), "village__path"
    )


def entrustment_get(*, actor: Any, pk: int) -> Entrustment:
    ent = entrustment_scope(actor).filter(pk=pk).first()
    if ent is None:
        raise NotFound("委托不存在", code="not_found")
    return ent


@retry_atomic
def entrustment_revoke(*, actor: Any, pk: int, reason: str) -> Entrustment:
    staff = _staff(actor)
    ent = entrustment_get(actor=actor, pk=pk)
    roles = set(staff.role_list)
    if not roles & WINDOW_ROLES:
        # the resident withdraws through the agent or at a window; back office and supervisors do not
        if Role.AGENT not in roles:
            raise Forbidden("您的岗位不能撤销代办委托", code="forbidden")
        if ent.agent_id != actor.pk:
            raise Forbidden("只能撤销本人受托的委托", code="forbidden")
    if ent.revoked_at is not None:
        raise Conflict("委托已撤销", code="already_revoked")
    if not reason.strip():
        raise Invalid("请填写撤销原因", code="reason_required", details={"reason": ["必填"]})
    ent.revoked_at = timezone.now()
    ent.revoke_reason = reason.strip()[:200]
    ent.save(update_fields=["revoked_at", "revoke_reason"])
    return ent


def _check_entrustment(ent: Entrustment, *, actor: Any, item: Item) -> None:
    problem = ent.problem(today=local_today(), item=item, agent=actor)
    if problem:
        raise Conflict(
            f"不在有效委托范围内：{problem}",
            code="entrustment_invalid",
            details={"entrustment": [problem]},
        )


# --- request (受理, 一事一记) ---------------------------------------------------------------------


def _clean_materials(
    actor: Any,
    version: ItemVersion,
    given: list[dict[str, Any]],
    previous: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[ProxyAttachment]]:
    """Merge ``given`` over ``previous``; check against the guide; the attachments to link."""
    merged: dict[str, dict[str, Any]] = {str(m["code"]): dict(m) for m in (previous or [])}
    new_files: list[ProxyAttachment] = []
    for m in given:
        code = str(m.get("code") or "")
        entry = merged.setdefault(code, {"code": code, "files": []})
        for key in ("provided", "note", "paper_held"):
            if key in m and m[key] is not None:
                entry[key] = m[key]
        for fid in m.get("files") or []:
            att = _attachment_for(actor, str(fid), f"materials.{code}.files")
            att.material_code = code
            new_files.append(att)
            entry.setdefault("files", []).append(str(att.file_id))
            entry["provided"] = True if m.get("provided") is None else entry.get("provided")
    checklist, missing = case_services.check_materials(version, list(merged.values()))
    for row in checklist:
        extra = merged.get(row["code"], {})
        row["paper_held"] = bool(extra.get("paper_held"))
        row["files"] = list(extra.get("files") or [])
    return checklist, missing, new_files


def township_centre(village: Jurisdiction) -> Centre:
    centre = Centre.objects.filter(jurisdiction=village.parent, is_active=True).order_by("code").first()
    if centre is None:
        raise Conflict("所属苏木乡镇没有便民服务中心", code="no_township_centre")
    return centre


@retry_atomic
def proxy_request_create(
    *,
    actor: Any,
    entrustment: int,
    item: str,
    materials: list[dict[str, Any]],
    form: dict[str, Any] | None = None,
    onsite: bool = False,
) -> ProxyRequest:
    """The agent records a request at the village: one record per request (一事一记)."""
    staff = _staff(actor)
    _require_roles(staff, {Role.AGENT}, "登记代办申请")
    item_obj, version = proxy_item(item)
    ent = entrustment_get(actor=actor, pk=entrustment)
    _check_entrustment(ent, actor=actor, item=item_obj)
    cleaned_form = case_services.validate_form(version, form or {})
    checklist, _missing, atts = _clean_materials(actor, version, materials)
    today = local_today()
    req = ProxyRequest(
        number=_next_number("DB"),
        entrustment=ent,
        agent=actor,
        village=ent.village,
        item=item_obj,
        resident=ent.resident,
        state=RequestState.DRAFT,
        form_data=cleaned_form,
        materials=checklist,
        review_centre=township_centre(ent.village),
        pass_on_deadline=WorkCalendar().add_workdays(today, pass_on_days()),
        onsite=onsite,
    )
    req.save()
    for att in atts:
        att.request = req
        att.save(update_fields=["request", "material_code"])
    _record(req, actor=actor, action="created", state_from="", data={"item": item_obj.code})
    return req


def request_scope(actor: Any, qs: Any = None) -> Any:
    """Requests of villages in the actor's jurisdiction (an agent: their village(s))."""
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    base = qs if qs is not None else ProxyRequest.objects.all()
    return access.scope(
        actor,
        base.select_related(
            "item__published",
            "village",
            "resident",
            "agent__staff",
            "review_centre__jurisdiction",
            "case",
            "entrustment",
        ),
        "village__path",
    )


def proxy_request_get(*, actor: Any, pk: int) -> ProxyRequest:
    req = request_scope(actor).filter(pk=pk).first()
    if req is None:
        raise NotFound("代办申请不存在", code="not_found")
    return req


ACTIONS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    # action: (source states, roles, label)
    "submit": (frozenset({RequestState.DRAFT, RequestState.RETURNED}), frozenset({Role.AGENT}), "报送预审"),
    "supplement": (frozenset({RequestState.RETURNED}), frozenset({Role.AGENT}), "补正后报送"),
    "prereview_pass": (
        frozenset({RequestState.SUBMITTED, RequestState.FORWARDED}),
        WINDOW_ROLES,
        "预审通过并受理",
    ),
    "prereview_return": (
        frozenset({RequestState.SUBMITTED, RequestState.FORWARDED}),
        WINDOW_ROLES,
        "退回补正（一次性告知）",
    ),
    "forward": (frozenset({RequestState.SUBMITTED, RequestState.FORWARDED}), WINDOW_ROLES, "转上级预审"),
    "collect_result": (frozenset({RequestState.PASSED}), frozenset({Role.AGENT}), "代为取件"),
    "hand_over": (frozenset({RequestState.COLLECTED}), frozenset({Role.AGENT}), "送达群众签收"),
    "follow_up": (
        frozenset({RequestState.HANDED_OVER}),
        frozenset({Role.AGENT, *WINDOW_ROLES}),
        "回访",
    ),
    "withdraw": (
        frozenset(
            {RequestState.DRAFT, RequestState.RETURNED, RequestState.SUBMITTED, RequestState.FORWARDED}
        ),
        frozenset({Role.AGENT}),
        "撤回",
    ),
}
ACTION_LABELS = {k: v[2] for k, v in ACTIONS.items()} | {
    "created": "登记受理",
    "returned_notice": "一次性告知",
}


def actions_for(req: ProxyRequest, actor: Any) -> list[str]:
    staff = access.staff_of(actor)
    if staff is None:
        return []
    roles = set(staff.role_list)
    out = []
    for name, (sources, allowed, _label) in ACTIONS.items():
        if req.state not in sources or not roles & allowed:
            continue
        if name == "supplement":
            continue  # shown as submit
        if _refusal(name, staff, req, actor) is not None:
            continue
        out.append(name)
    return out


def _refusal(action: str, staff: Staff, req: ProxyRequest, actor: Any) -> Forbidden | None:
    """Whose request or queue it is (the roles are checked before): an agent acts on their own
    requests only; window staff on requests in their centre's pre-review queue. 回访 (follow_up) is
    either: by the agent who served, or by the window that took the request in."""
    _sources, roles, _label = ACTIONS[action]
    staff_roles = set(staff.role_list)
    as_window = bool(roles & WINDOW_ROLES & staff_roles)
    if as_window and staff.centre_id != req.review_centre_id:
        return Forbidden("该代办申请不在本中心的预审队列中", code="not_your_queue")
    if not as_window and req.agent_id != actor.pk:
        return Forbidden("这不是您受理的代办申请", code="not_your_request")
    return None


@retry_atomic
def proxy_request_action(
    *,
    actor: Any,
    pk: int,
    action: str,
    note: str = "",
    materials: list[dict[str, Any]] | None = None,
    missing: list[dict[str, Any]] | None = None,
    signed_by: str = "",
    method: str = "",
    outcome: str = "",
    satisfied: bool | None = None,
    override_reason: str = "",
    receipt_file: str | None = None,
) -> ProxyRequest:
    staff = _staff(actor)
    req = proxy_request_get(actor=actor, pk=pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Invalid(f"未知的操作 {action}", code="unknown_action", details={"action": sorted(ACTIONS)})
    sources, roles, label = spec
    roles_of = set(staff.role_list)
    if not roles_of & roles:
        raise Forbidden(f"您的岗位不能执行「{label}」", code="forbidden")
    req = (
        ProxyRequest.objects.select_for_update(of=("self",))
        .select_related("case", "review_centre__jurisdiction")
        .get(pk=req.pk)
    )
    if req.state not in sources:
        raise Conflict(
            f"代办申请当前状态为「{RequestState(req.state).label}」，不能执行「{label}」",
            code="invalid_transition",
            details={"state": req.state, "action": action},
        )
    refused = _refusal(action, staff, req, actor)
    if refused is not None:
        raise refused
    state_from = req.state
    now = timezone.now()
    data: dict[str, Any] = {}
    version = published_version(req.item)
    if action in {"submit", "supplement", "collect_result"}:
        _check_entrustment(req.entrustment, actor=actor, item=req.item)
    if action in {"submit", "supplement"}:
        if materials:
            checklist, _m, atts = _clean_materials(actor, version, materials, req.materials)
            req.materials = checklist
            for att in atts:
                att.request = req
                att.save(update_fields=["request", "material_code"])
            data["materials"] = [m.get("code") for m in materials]
        if state_from == RequestState.DRAFT:
            req.submitted_at = now
        req.state = RequestState.SUBMITTED
        action = "supplement" if state_from == RequestState.RETURNED else "submit"
    elif action == "prereview_return":
        _checklist, required_missing = case_services.check_materials(version, req.materials)
        flagged = {m["code"]: m for m in required_missing}
        names = {m["code"]: m["name"] for m in req.materials}
        for m in missing or []:
            code = str(m.get("code") or "")
            if code not in names:
                raise Invalid(f"未知的材料编码：{code}", code="unknown_material", details={"missing": [code]})
            reason = str(m.get("reason") or "").strip() or "材料不符合要求"
            flagged[code] = {"code": code, "name": names[code], "reason": reason}
        if not flagged:
            raise Invalid("材料齐全，无需退回补正", code="materials_complete")
        if req.return_count >= 1:
            if Role.CENTRE_HEAD not in roles_of or not override_reason.strip():
                raise Conflict(
                    "一次性告知已出具，不得再次退回补正；确需再次告知的，须由中心负责人批准并写明理由",
                    code="second_notice_refused",
                    details={"missing": list(flagged.values())},
                )
            data["override_reason"] = override_reason.strip()
        notice = {
            "kind": "correction",
            "missing": list(flagged.values()),
            "issued_at": now.isoformat(),
            "centre": req.review_centre.name,
            "by": staff.name,
            "note": note.strip(),
        }
        req.notice = notice
        req.return_count += 1
        req.state = RequestState.RETURNED
        data["missing"] = notice["missing"]
        _notify_agent(req, "proxy_returned", {"number": req.number, "count": len(notice["missing"])})
    elif action == "forward":
        upper_j = req.review_centre.jurisdiction.parent
        upper = (
            Centre.objects.filter(jurisdiction=upper_j, is_active=True).order_by("code").first()
            if upper_j is not None
            else None
        )
        if upper is None:
            raise Conflict("已是最高层级，无法再转上级", code="no_upper_level")
        data.update(from_centre=req.review_centre.code, to_centre=upper.code)
        req.review_centre = upper
        req.state = RequestState.FORWARDED
    elif action == "prereview_pass":
        _checklist, required_missing = case_services.check_materials(version, req.materials)
        if required_missing:
            raise Invalid(
                "仍有必需材料未提交，请退回补正（一次性告知）",
                code="materials_missing",
                details={"missing": required_missing},
            )
        resident = req.resident
        applicant = {
            "kind": resident.kind,
            "name": resident.name,
            "id_number": resident.id_number,
            "credit_code": resident.id_number if resident.kind == ResidentKind.ENTERPRISE else None,
            "phone": resident.phone,
            "address": resident.address,
        }
        case = case_services.case_intake(
            actor=actor,
            item=req.item.code,
            centre=req.review_centre.code,
            applicant=applicant,
            materials=[
                {"code": m["code"], "provided": m["provided"], "note": m.get("note", "")}
                for m in req.materials
            ],
            form=req.form_data,
            channel="proxy",
        )
        case = case_services.case_transition(actor=actor, number=case.number, action="accept", note=note)
        req.case = case
        req.passed_at = now
        req.state = RequestState.PASSED
        data.update(case=case.number, centre=req.review_centre.code)
    elif action == "collect_result":
        if req.case is None or req.case.state != CaseState.READY:
            raise Conflict("办理结果尚未出件，不能代为取件", code="result_not_ready")
        req.collected_at = now
        req.state = RequestState.COLLECTED
    elif action == "hand_over":
        signer = signed_by.strip()
        if not signer:
            raise Invalid("请填写签收群众姓名", code="invalid", details={"signed_by": ["必填"]})
        if receipt_file:
            att = _attachment_for(actor, str(receipt_file), "receipt_file")
            att.request = req
            att.material_code = "__receipt__"
            att.save(update_fields=["request", "material_code"])
            req.receipt = att.file
        assert req.case is not None
        case_services.case_transition(
            actor=actor, number=req.case.number, action="deliver", to="agent", signed_by=signer, note=note
        )
        req.handed_over_at = now
        req.signed_by = signer[:50]
        req.state = RequestState.HANDED_OVER
        FollowUp.objects.create(request=req, due=WorkCalendar().add_workdays(local_today(), follow_up_days()))
        data["signed_by"] = signer
        if req.resident.phone:
            notify(
                "proxy_handed_over",
                channel="sms",
                to=req.resident.phone,
                resident=req.resident,
                case_number=req.case.number,
                context={"item": item_name(req.item), "signed_by": signer},
            )
    elif action == "follow_up":
        if method not in FollowUpMethod.values:
            raise Invalid("请选择回访方式：call / visit", code="invalid", details={"method": ["必填"]})
        if not outcome.strip():
            raise Invalid("请填写回访结果", code="invalid", details={"outcome": ["必填"]})
        FollowUp.objects.filter(request=req).update(
            method=method, outcome=outcome.strip()[:2000], satisfied=satisfied, done_at=now, done_by=actor
        )
        req.state = RequestState.CLOSED
        data.update(method=method, satisfied=satisfied)
        if satisfied is not None and req.case is not None:
            # the resident's word on the agent's service counts as a rating (好差评, channel visit)
            follow_up_heard_send(
                case=req.case, agent=req.agent, satisfied=bool(satisfied), comment=outcome, now=now
            )
    elif action == "withdraw":
        req.state = RequestState.WITHDRAWN
    req.version += 1
    req.save()
    _record(req, actor=actor, action=action, state_from=state_from, note=(note or outcome).strip(), data=data)
    return req


def _notify_agent(req: ProxyRequest, template: str, context: dict[str, Any]) -> None:
    notify(template, channel="inbox", user=req.agent, context=context)


@retry_atomic
def proxy_request_window_intake(*, actor: Any, pk: int, item: str, centre: str) -> Case:
    """``POST /api/v1/cases`` with ``agent_request``: the competent window takes in a proxy request.

    The same step as ``prereview_pass`` (the case is created by ``case_intake`` with channel proxy and
    accepted), reached through the generic intake endpoint; the body's item and centre must be the
    request's, so a request cannot be taken in as another item or at another centre.
    """
    req = proxy_request_get(actor=actor, pk=pk)
    mismatch: dict[str, list[str]] = {}
    if req.item.code != item:
        mismatch["item"] = [f"代办申请的事项为 {req.item.code}"]
    if req.review_centre is None or req.review_centre.code != centre:
        where = req.review_centre.code if req.review_centre is not None else "（未指定）"
        mismatch["centre"] = [f"代办申请的预审中心为 {where}"]
    if mismatch:
        raise Invalid("办件信息与代办申请不一致", code="agent_request_mismatch", details=mismatch)
    req = proxy_request_action(actor=actor, pk=pk, action="prereview_pass")
    assert req.case is not None
    return req.case
