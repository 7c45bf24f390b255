"""What every part of the proxy service shares: settings, the audit helpers, the actor checks, item
look-ups, request numbers, the request's trail (:func:`record`), the uploaded-file check and the
written reason of a closing (:func:`required_reason`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone

from onewindow.catalog.models import Item, ItemVersion, VersionStatus
from onewindow.core import audit as core_audit
from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.core.counters import next_value
from onewindow.core.errors import DomainError, Forbidden, Invalid, NotFound, Unauthenticated
from onewindow.org.models import Role, Staff
from onewindow.proxy.models import Entrustment, ProxyAttachment, ProxyCounter, ProxyEvent, ProxyRequest

M = TypeVar("M", bound=Model)


def one_in_scope(scope: QuerySet[M], pk: int, missing: str) -> M:
    """Row ``pk`` of the actor's ``scope``; ``NotFound(missing)`` when it is not there (or not theirs)."""
    row = scope.filter(pk=pk).first()
    if row is None:
        raise NotFound(missing, code="not_found")
    return row


WINDOW_ROLES = frozenset({Role.CLERK, Role.CENTRE_HEAD})


def pass_on_days() -> int:
    """Working days the village agent has to pass a request to the township (default 3)."""
    return int(settings.PROXY_PASS_ON_DAYS)


def follow_up_days() -> int:
    """Working days after hand-over by which the follow-up (回访) is due (default 5)."""
    return int(settings.PROXY_FOLLOW_UP_DAYS)


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


# --- the actor -----------------------------------------------------------------------------------


def staff_required(actor: Actor) -> Staff:
    """The actor's staff record; 401 when not logged in, 403 ``no_staff_profile`` without one."""
    if actor.staff is None:
        if not actor.is_authenticated:
            raise Unauthenticated()
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    return actor.staff


def require_roles(actor: Actor, roles: set[str] | frozenset[str], label: str) -> None:
    if not actor.has_any_role(roles):
        raise Forbidden(f"您的岗位不能{label}", code="forbidden")


# --- a written reason ----------------------------------------------------------------------------


def required_reason(text: str, field: str, message: str) -> str:
    """The reason given for closing something (a revoked entrustment, a resolved alert), stripped and
    cut to 200 characters; ``reason_required`` (422, naming ``field``) when it is blank."""
    if not text.strip():
        raise Invalid(message, code="reason_required", details={field: ["必填"]})
    return text.strip()[:200]


# --- items and numbers ---------------------------------------------------------------------------


def next_number(prefix: str) -> str:
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


# --- the request's trail -------------------------------------------------------------------------

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


def record(
    req: ProxyRequest,
    *,
    actor: Actor,
    action: str,
    state_from: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ProxyEvent:
    """Append one event to the request's trail; a change of state is also sent as ``proxy_event``."""
    last = ProxyEvent.objects.filter(request=req).order_by("-seq").values_list("seq", flat=True).first()
    event = ProxyEvent.objects.create(
        request=req,
        seq=(last or 0) + 1,
        at=timezone.now(),
        actor=actor.recorded_user,
        actor_name=actor.staff.name if actor.staff else "",
        action=action,
        state_from=state_from,
        state_to=req.state,
        note=note,
        data=data or {},
    )
    if state_from != req.state or action == "created":
        signals.proxy_event.send(sender=ProxyRequest, request=req, action=SIGNAL_ACTIONS.get(action, action))
    return event


# --- uploaded files ------------------------------------------------------------------------------


def file_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid("上传的文件不存在", code="unknown_file", details={field: [str(value)]}) from None


def attachment_for(actor: Actor, file_id: str, field: str) -> ProxyAttachment:
    """The actor's own unused upload ``file_id`` (``unknown_file`` / ``file_in_use`` otherwise)."""
    att = ProxyAttachment.objects.select_related("file").filter(file_id=file_uuid(file_id, field)).first()
    if att is None or att.uploaded_by_id != actor.user_id:
        raise Invalid("上传的文件不存在", code="unknown_file", details={field: [str(file_id)]})
    if att.request_id is not None or Entrustment.objects.filter(confirmation_id=att.file_id).exists():
        raise Invalid("该文件已被其他记录使用", code="file_in_use", details={field: [str(file_id)]})
    return att
