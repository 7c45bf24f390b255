"""Printable PDFs of the proxy service: the 交接清单 (batch manifest) and the 委托书 (entrustment)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from onewindow.documents.pdf import PDF_FONT_FAMILY, render_pdf
from onewindow.org.actors import request_actor
from onewindow.privacy.services import personal_data_access_log
from onewindow.proxy.models import Batch, BatchItemState, Entrustment
from onewindow.proxy.services import entrustment_get, item_name


def _name(user: object) -> str:
    staff = getattr(user, "staff", None)
    return getattr(staff, "name", "") or getattr(user, "username", "")


def manifest_pdf(batch: Batch) -> bytes:
    rows = [
        {
            "number": it.request.number,
            "item": item_name(it.request.item),
            "resident": it.request.resident.masked_name,
            "papers": it.papers,
            "state": BatchItemState(it.state).label,
        }
        for it in batch.items.select_related("request__item__published", "request__resident").order_by("pk")
    ]
    handovers = [
        {
            "at": h.at,
            "from_name": _name(h.from_user) if h.from_user else h.from_name,
            "signed_by": h.signed_by,
            "note": h.note,
        }
        for h in batch.handovers.select_related("from_user__staff").order_by("at", "pk")
    ]
    return render_pdf(
        "proxy/pdf/manifest.html",
        {
            "title": "纸质材料交接清单",
            "issuer": batch.from_jurisdiction.name,
            "docno": f"批次号：{batch.number}",
            "footer": f"批次号 {batch.number}",
            "pdf_font_family": PDF_FONT_FAMILY,
            "batch": batch,
            "holder_name": batch.holder_label,
            "rows": rows,
            "handovers": handovers,
        },
    )


def entrustment_pdf(ent: Entrustment, *, full: bool = False) -> bytes:
    """``full``: the resident's name and ID in full (the entrusted agent printing it for signature;
    the caller logs that full view)."""
    return render_pdf(
        "proxy/pdf/entrustment.html",
        {
            "title": "帮办代办委托书",
            "issuer": f"{ent.village.name}便民服务站",
            "docno": f"委托编号：{ent.pk}",
            "footer": f"委托编号 {ent.pk}",
            "pdf_font_family": PDF_FONT_FAMILY,
            "ent": ent,
            "resident_name": ent.resident.name if full else ent.resident.masked_name,
            "resident_id": ent.resident.id_number if full else ent.resident.masked_id_number,
            "agent_name": _name(ent.agent),
            "items": [item_name(i) for i in ent.items.select_related("published")],
        },
    )


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    resp["Cache-Control"] = "private, no-store"
    return resp


def entrustment_pdf_response(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 委托书 for the page and the API: in full (logged) for the agent who holds it, masked
    for everyone else who may see it."""
    actor = request_actor(request)
    ent = entrustment_get(actor=actor, pk=pk)
    full = ent.agent_id == actor.user_id
    if full:
        personal_data_access_log(
            actor=actor.user,
            obj=ent.resident,
            fields=["name", "id_number"],
            purpose=f"打印委托书 {ent.pk}",
            ip=request.META.get("REMOTE_ADDR"),
        )
    return pdf_response(entrustment_pdf(ent, full=full), f"entrustment-{ent.pk}.pdf")
