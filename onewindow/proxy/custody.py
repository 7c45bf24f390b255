"""The paper chain of custody (纸质材料交接): handoff batches between adjacent levels.

- ``batch_create``: the sender lists requests going up (village → township → county: the paper
  originals the agent holds) or down (the results coming back); the sender is the first holder.
- ``batch_hand_over``: only the current holder may pass the batch on (e.g. to the driver of the weekly
  trip, who need not have an account: a name and a mobile number are enough); each hop is a signed
  :class:`BatchHandover`. The batch always has exactly one holder: a user, or that carrier.
- ``batch_receive``: staff of the receiving jurisdiction confirm each request as received, missing or
  damaged; an unknown or already settled request refuses the whole call (nothing changed). Missing or
  damaged items raise a :class:`BatchAlert` visible to the centre head until resolved.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.org import access
from onewindow.org.models import Jurisdiction, Role, Staff
from onewindow.privacy.identifiers import IdentifierError, validate_mobile
from onewindow.proxy.models import (
    Batch,
    BatchAlert,
    BatchHandover,
    BatchItem,
    BatchItemState,
    BatchState,
    ProxyRequest,
)
from onewindow.proxy.services.common import (
    next_number,
    one_in_scope,
    record,
    required_reason,
    staff_required,
)
from onewindow.proxy.services.requests import request_scope

RESULT_PAPER = {"code": "result", "name": "办理结果（证照、决定书等）"}


def batch_scope(actor: Actor) -> QuerySet[Batch]:
    """Batches sent from or to a jurisdiction in the actor's scope."""
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    return Batch.objects.filter(
        access.scope_q(actor, "from_jurisdiction__path") | access.scope_q(actor, "to_jurisdiction__path")
    ).select_related("from_jurisdiction", "to_jurisdiction", "holder__staff", "created_by__staff")


def batch_get(*, actor: Actor, pk: int) -> Batch:
    return one_in_scope(batch_scope(actor), pk, "交接批次不存在")


def _member_of(staff: Staff, jurisdiction: Jurisdiction) -> bool:
    return (
        staff.jurisdiction_id == jurisdiction.pk
        or staff.extra_jurisdictions.filter(pk=jurisdiction.pk).exists()
    )


def _signer(staff: Staff, signed_by: str) -> str:
    return (signed_by or "").strip()[:50] or staff.name


@retry_atomic
def batch_create(*, actor: Actor, from_code: str, to_code: str, requests: list[int], note: str = "") -> Batch:
    staff = staff_required(actor)
    if not actor.has_role(Role.AGENT, Role.CLERK, Role.CENTRE_HEAD):
        raise Forbidden("您的岗位不能发出交接批次", code="forbidden")
    from_j = Jurisdiction.objects.filter(code=from_code).first()
    to_j = Jurisdiction.objects.filter(code=to_code).first()
    errors: dict[str, list[str]] = {}
    if from_j is None or not _member_of(staff, from_j):
        errors["from"] = ["只能从本人所在区域发出"]
    if to_j is None:
        errors["to"] = ["接收区域不存在"]
    if not requests:
        errors["requests"] = ["请选择要交接的代办申请"]
    if errors:
        raise Invalid.of_fields(errors)
    assert from_j is not None and to_j is not None
    if to_j.parent_id == from_j.pk:
        upward = False
    elif from_j.parent_id == to_j.pk:
        upward = True
    else:
        raise Invalid(
            "只能在相邻层级之间交接（嘎查村↔苏木乡镇↔旗县）",
            code="not_adjacent_level",
            details={"to": [to_code]},
        )
    ids = list(dict.fromkeys(int(r) for r in requests))
    base = from_j if upward else to_j
    found = {
        r.pk: r
        for r in request_scope(actor)
        .filter(pk__in=ids, village__path__startswith=base.path)
        .select_for_update(of=("self",))
        .order_by("pk")
    }
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise Invalid("代办申请不存在或不在发出区域", code="unknown_request", details={"requests": unknown})
    busy = list(
        BatchItem.objects.filter(
            request_id__in=ids, state=BatchItemState.SENT, batch__state=BatchState.IN_TRANSIT
        ).values_list("request_id", flat=True)
    )
    if busy:
        raise Conflict(
            "这些代办申请的材料已在另一交接批次中在途", code="already_in_transit", details={"requests": busy}
        )
    now = timezone.now()
    batch = Batch.objects.create(
        number=next_number("JJ"),
        from_jurisdiction=from_j,
        to_jurisdiction=to_j,
        holder=actor.user,
        created_by=actor.user,
    )
    for i in ids:
        req = found[i]
        papers = (
            [{"code": m["code"], "name": m["name"]} for m in req.materials if m.get("paper_held")]
            if upward
            else [RESULT_PAPER]
        )
        BatchItem.objects.create(batch=batch, request=req, papers=papers)
        record(req, actor=actor, action="batch_sent", state_from=req.state, data={"batch": batch.number})
    BatchHandover.objects.create(
        batch=batch,
        from_user=None,
        to_user=actor.user,
        signed_by=staff.name,
        at=now,
        note=note.strip()[:200] or "发出",
    )
    _batch_event(batch, "sent")
    return batch


def _batch_event(batch: Batch, action: str) -> None:
    """Tell listeners (webhooks: ``proxy_batch.<action>``) about a handoff batch, inside the transaction."""
    signals.proxy_event.send(sender=Batch, request=None, batch=batch, action=action)


def _carrier(name: str, phone: str) -> tuple[str, str]:
    """A carrier without an account: a name (2–50 characters) and a mobile number, both required."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not 2 <= len(name) <= 50:
        errors["carrier_name"] = ["请填写携带人姓名（2至50个字）"]
    try:
        phone = validate_mobile(phone or "")
    except IdentifierError as exc:
        errors["carrier_phone"] = [exc.message]
    if errors:
        raise Invalid.of_fields(errors)
    return name, phone


@retry_atomic
def batch_hand_over(
    *,
    actor: Actor,
    pk: int,
    to: str = "",
    signed_by: str = "",
    note: str = "",
    carrier_name: str = "",
    carrier_phone: str = "",
) -> Batch:
    """Pass the batch on: to a user (``to``, a username) or to a carrier who has no account
    (``carrier_name`` + ``carrier_phone``: the weekly driver). Only the current holder may; after a
    hop to a carrier nobody but the receiving area's staff can act (they sign it off on receipt)."""
    staff_required(actor)
    batch = batch_get(actor=actor, pk=pk)
    batch = Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
    if batch.holder_id is None or batch.holder_id != actor.user_id:
        raise Forbidden("您不是该批次的当前保管人，不能交接", code="not_holder")
    if batch.state != BatchState.IN_TRANSIT:
        raise Conflict("该批次已签收", code="invalid_transition")
    receiver = None
    if to or not (carrier_name or carrier_phone):
        receiver = get_user_model().objects.filter(username=to, staff__isnull=False).first()
        if receiver is None:
            raise Invalid("接收人不存在", code="unknown_user", details={"to": [to]})
        receiver_staff = access.staff_of(receiver)
        assert receiver_staff is not None
        signer, phone = _signer(receiver_staff, signed_by), ""
    else:
        signer, phone = _carrier(carrier_name, carrier_phone)
    BatchHandover.objects.create(
        batch=batch,
        from_user=actor.user,
        to_user=receiver,
        to_phone=phone,
        signed_by=signer,
        at=timezone.now(),
        note=note.strip()[:200],
    )
    batch.holder = receiver
    batch.carrier_name, batch.carrier_phone = ("", "") if receiver is not None else (signer, phone)
    batch.save(update_fields=["holder", "carrier_name", "carrier_phone"])
    _batch_event(batch, "handed_over")
    return batch


def can_receive(actor: Actor, batch: Batch) -> bool:
    """Whether the actor may sign the batch off (staff of the receiving area, while it is on the way)."""
    staff = actor.staff
    return (
        staff is not None
        and batch.state == BatchState.IN_TRANSIT
        and _member_of(staff, batch.to_jurisdiction)
    )


@retry_atomic
def batch_receive(
    *,
    actor: Actor,
    pk: int,
    received: list[int],
    missing: list[int] | None = None,
    damaged: list[int] | None = None,
    signed_by: str = "",
    note: str = "",
) -> Batch:
    staff = staff_required(actor)
    batch = batch_get(actor=actor, pk=pk)
    batch = Batch.objects.select_for_update(of=("self",)).select_related("to_jurisdiction").get(pk=batch.pk)
    if not _member_of(staff, batch.to_jurisdiction):
        raise Forbidden("只有接收区域的工作人员可以签收", code="not_receiver")
    marks: dict[int, str] = {}
    state: str
    dupes: list[int] = []
    for ids, state in (
        (received, BatchItemState.RECEIVED),
        (missing or [], BatchItemState.MISSING),
        (damaged or [], BatchItemState.DAMAGED),
    ):
        for i in ids:
            if int(i) in marks:
                dupes.append(int(i))
            marks[int(i)] = state
    if dupes:
        raise Invalid("同一申请不能同时签收和报缺失", code="invalid", details={"requests": dupes})
    if not marks:
        raise Invalid("请填写签收或缺失的代办申请", code="invalid", details={"received": ["必填"]})
    items = {
        it.request_id: it
        for it in BatchItem.objects.select_for_update(of=("self",)).filter(batch=batch).order_by("pk")
    }
    never_sent = sorted(i for i in marks if i not in items)
    if never_sent:
        raise Invalid("这些代办申请不在本批次清单中", code="not_in_batch", details={"requests": never_sent})
    settled = sorted(i for i in marks if items[i].state != BatchItemState.SENT)
    if settled:
        raise Conflict(
            "这些代办申请已签收或已报缺失，不能重复签收",
            code="already_received",
            details={"requests": settled},
        )
    now = timezone.now()
    for rid, state in marks.items():
        it = items[rid]
        it.state = state
        it.received_at = now
        it.note = note.strip()[:200]
        it.save(update_fields=["state", "received_at", "note"])
        req = ProxyRequest.objects.get(pk=rid)
        record(req, actor=actor, action=f"batch_{state}", state_from=req.state, data={"batch": batch.number})
        if state != BatchItemState.RECEIVED:
            BatchAlert.objects.create(
                item=it, jurisdiction=batch.to_jurisdiction, kind=state, raised_at=now, raised_by=actor.user
            )
    if batch.holder_id != actor.user_id:
        BatchHandover.objects.create(
            batch=batch,
            from_user=batch.holder,
            from_name="" if batch.holder_id else batch.carrier_name,
            to_user=actor.user,
            signed_by=_signer(staff, signed_by),
            at=now,
            note="签收",
        )
        batch.holder = actor.user
        batch.carrier_name = batch.carrier_phone = ""
    open_items = [it for it in items.values() if it.state == BatchItemState.SENT]
    if not open_items:
        bad = any(it.state != BatchItemState.RECEIVED for it in items.values())
        batch.state = BatchState.INCOMPLETE if bad else BatchState.RECEIVED
        batch.received_at = now
    batch.save(update_fields=["holder", "carrier_name", "carrier_phone", "state", "received_at"])
    _batch_event(batch, "partly_received" if batch.state == BatchState.IN_TRANSIT else str(batch.state))
    return batch


def alert_list(*, actor: Actor, open_only: bool = True) -> QuerySet[BatchAlert]:
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    qs = access.scope(
        actor,
        BatchAlert.objects.select_related(
            "item__batch",
            "item__request__item__published",
            "item__request__resident",
            "raised_by__staff",
            "jurisdiction",
        ),
        "jurisdiction__path",
    )
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs.order_by("-raised_at")


def alert_count(actor: Actor) -> int:
    return alert_list(actor=actor).count()


@retry_atomic
def alert_resolve(*, actor: Actor, pk: int, resolution: str) -> BatchAlert:
    staff_required(actor)
    if not actor.has_role(Role.CENTRE_HEAD, Role.ADMIN):
        raise Forbidden("只有中心负责人可以处理缺失告警", code="forbidden")
    alert = alert_list(actor=actor, open_only=False).select_for_update(of=("self",)).filter(pk=pk).first()
    if alert is None:
        raise NotFound("告警不存在", code="not_found")
    if alert.resolved_at is not None:
        raise Conflict("该告警已处理", code="already_resolved")
    alert.resolution = required_reason(resolution, "resolution", "请填写处理结果")
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor.user
    alert.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return alert


def batches_for(actor: Actor, *, holding: bool = False, incoming: bool = False) -> QuerySet[Batch]:
    qs = batch_scope(actor)
    if holding:
        qs = qs.filter(holder=actor.user)
    if incoming:
        staff = actor.staff
        js = [staff.jurisdiction_id] if staff else []
        qs = qs.filter(Q(to_jurisdiction_id__in=js), state=BatchState.IN_TRANSIT)
    return qs.order_by("-created_at")
