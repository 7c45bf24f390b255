"""Demo data of the proxy service for the demo agent (``agent``, the first 嘎查 of the township):
an entrustment, three requests (recorded, waiting for pre-review, returned with a one-time notice), a
flagged elderly resident with an on-site visit booked. Idempotent: does nothing once seeded."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image, ImageDraw

from onewindow.catalog.models import FieldKind, ItemVersion, VersionStatus
from onewindow.files.services import store_bytes
from onewindow.org.actors import actor_of
from onewindow.org.models import Level, Resident, Role, Staff
from onewindow.proxy import onsite, services
from onewindow.proxy.models import Entrustment, ProxyAttachment, ResidentFlags

AGENT = "agent"


def _confirmation(agent: Any) -> str:
    img = Image.new("RGB", (480, 160), "white")
    ImageDraw.Draw(img).line([(40, 110), (160, 50), (260, 120), (420, 60)], fill="black", width=5)
    out = io.BytesIO()
    img.save(out, format="PNG")
    stored = store_bytes(out.getvalue(), name="签名（演示）.png", user=agent)
    ProxyAttachment.objects.create(file=stored, uploaded_by=agent)
    return str(stored.id)


def _sample_form(version: ItemVersion) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for f in version.fields.all():
        if f.kind == FieldKind.NUMBER:
            form[f.key] = 1
        elif f.kind == FieldKind.DATE:
            form[f.key] = timezone.localdate().isoformat()
        elif f.kind == FieldKind.CHOICE and f.choices:
            form[f.key] = str(f.choices[0])
        else:
            form[f.key] = "（演示）家庭困难，委托代办"
    return form


def seed_demo() -> None:
    agent = get_user_model().objects.filter(username=AGENT).first()
    staff = Staff.objects.filter(user=agent).select_related("jurisdiction").first() if agent else None
    if agent is None or staff is None or staff.jurisdiction.level != Level.VILLAGE:
        return
    if Entrustment.objects.filter(agent=agent).exists():
        return
    village = staff.jurisdiction
    residents = list(Resident.objects.filter(jurisdiction=village).order_by("pk")[:2])
    versions = [
        v
        for v in ItemVersion.objects.filter(status=VersionStatus.PUBLISHED, proxy_allowed=True)
        .select_related("item")
        .prefetch_related("materials", "fields")
        .order_by("item__code")
        if set(v.accept_levels) & {Level.TOWNSHIP, Level.COUNTY}
    ][:2]
    if not residents or not versions:
        return
    resident = residents[0]
    actor = actor_of(agent)
    ent = services.entrustment_create(
        actor=actor,
        resident={"id": resident.pk},
        items=[v.item.code for v in versions],
        valid_until=timezone.localdate() + dt.timedelta(days=180),
        confirmation_file=_confirmation(agent),
        confirmation_kind="signature",
    )
    v0 = versions[0]
    all_materials = [{"code": m.code, "provided": True, "paper_held": m.original} for m in v0.materials.all()]
    some = all_materials[:1]
    # 1. recorded at the village, still to be passed on
    services.proxy_request_create(
        actor=actor, entrustment=ent.pk, item=v0.item.code, materials=some, form=_sample_form(v0)
    )
    # 2. complete and waiting for the township's pre-review
    req = services.proxy_request_create(
        actor=actor, entrustment=ent.pk, item=v0.item.code, materials=all_materials, form=_sample_form(v0)
    )
    services.proxy_request_action(actor=actor, pk=req.pk, action="submit")
    # 3. returned with a one-time notice, shown on the agent's home page
    req = services.proxy_request_create(
        actor=actor, entrustment=ent.pk, item=v0.item.code, materials=some, form=_sample_form(v0)
    )
    services.proxy_request_action(actor=actor, pk=req.pk, action="submit")
    clerk = (
        Staff.objects.filter(centre=req.review_centre, roles__role=Role.CLERK).select_related("user").first()
    )
    if clerk is not None:
        services.proxy_request_action(
            actor=actor_of(clerk.user), pk=req.pk, action="prereview_return", note="（演示）请补齐后重新报送"
        )
    # on-site service: the second resident is elderly, a visit tomorrow at 10:00
    if len(residents) > 1:
        ResidentFlags.objects.update_or_create(
            resident=residents[1], defaults={"elderly": True, "updated_by": agent, "note": "（演示）高龄独居"}
        )
        start = (timezone.localtime() + dt.timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        onsite.visit_book(actor=actor, resident=residents[1].pk, start=start, purpose="（演示）上门受理")
