"""Pages of the proxy service: the agent's phone pages (home, entrust, intake, request), the clerks'
pre-review queues (township and county), batches, alerts, and the public list of village agents.

Light on purpose (a cheap Android phone over a slow link): server-rendered, no JS framework, one small
stylesheet. Views are thin: reads through selectors/services scoped to the user, every write through
``proxy.services`` / ``proxy.custody``; refused writes are audited (``audit_refusals``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases.models import OPEN_STATES as OPEN_CASE_STATES
from onewindow.cases.services import check_materials
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.core.errors import DomainError, Invalid
from onewindow.core.web import posted_iso
from onewindow.files.services import file_response
from onewindow.org import access
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Role
from onewindow.org.selectors import resident_list
from onewindow.proxy import custody, documents, ledger, onsite, selectors, services
from onewindow.proxy.models import BatchItemState, ConfirmationKind, RequestState, ResidentFlags

ERROR_TEMPLATE = "proxy/error.html"
AGENT = {Role.AGENT}
WINDOW = {Role.CLERK, Role.CENTRE_HEAD}
WORKERS = {Role.AGENT, Role.CLERK, Role.CENTRE_HEAD, Role.REVIEWER, Role.SUPERVISOR}
EVENT_LABELS = services.ACTION_LABELS | {
    "batch_sent": "纸质材料交接发出",
    "batch_received": "纸质材料已签收",
    "batch_missing": "纸质材料报缺失",
    "batch_damaged": "纸质材料报损坏",
}


def page(roles: set[Role]) -> Any:
    return staff_page(perm=access.Perm.PROXY_VIEW, roles=roles, error_template=ERROR_TEMPLATE)


def _fail(request: HttpRequest, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    extra = "；".join(f"{'、'.join(map(str, v)) if isinstance(v, list) else v}" for v in details.values())
    messages.error(request, f"{exc.message}" + (f"（{extra}）" if extra and exc.status == 422 else ""))


def _proxy_versions() -> list[ItemVersion]:
    return list(
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED, proxy_allowed=True)
        .select_related("item")
        .prefetch_related("materials", "fields")
        .order_by("item__code")
    )


def _upload(request: HttpRequest, name: str) -> str | None:
    actor = request_actor(request)
    f = request.FILES.get(name)
    if f is None:
        return None
    return str(services.proxy_file_upload(actor=actor, upload=f, field=name).id)


# --- agent ---------------------------------------------------------------------------------------


@require_GET
@page(WORKERS)
def home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    staff = actor.staff
    assert staff is not None
    if Role.AGENT not in staff.role_list:
        return redirect("proxy:queue")
    mine = list(selectors.proxy_request_list(actor=actor, mine=True)[:100])
    today = services.local_today()
    rows = [(r, selectors.pass_on_warning(r, today)) for r in mine]
    context = {
        "to_fix": [r for r in mine if r.state == RequestState.RETURNED],
        "to_pass": [(r, w) for r, w in rows if r.state in (RequestState.DRAFT, RequestState.RETURNED)],
        "to_collect": [
            r for r in mine if r.state == RequestState.PASSED and r.case and r.case.state == "ready"
        ],
        "follow_ups": [r for r in mine if r.state == RequestState.HANDED_OVER],
        "cases": [r for r in mine if r.case is not None],
        "open_case_states": OPEN_CASE_STATES,
        "rows": rows,
        "pass_on_days": services.pass_on_days(),
        "incoming": custody.batches_for(actor, incoming=True).count(),
    }
    return render(request, "proxy/home.html", context)


@require_http_methods(["GET", "POST"])
@page(AGENT | WINDOW)
def entrust(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    versions = _proxy_versions()
    values: dict[str, Any] = {"valid_until": (services.local_today() + dt.timedelta(days=365)).isoformat()}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            with (
                services.audit_refusals("entrustment_create", user=request.user, request=request),
                transaction.atomic(),
            ):
                fid = _upload(request, "confirmation")
                until = posted_iso(request, "valid_until", dt.date, "请填写有效期", "日期格式")
                ent = services.entrustment_create(
                    actor=actor,
                    resident={
                        "kind": "person",
                        "name": request.POST.get("name", ""),
                        "id_number": request.POST.get("id_number", ""),
                        "phone": request.POST.get("phone", ""),
                        "address": request.POST.get("address", ""),
                    },
                    items=request.POST.getlist("items"),
                    valid_until=until,
                    confirmation_file=fid,
                    confirmation_kind=request.POST.get("confirmation_kind", "signature"),
                    agent=request.POST.get("agent") or None,
                )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "委托已登记。请打印委托书，由群众签字后留存。")
            return redirect(f"{reverse('proxy:intake')}?entrustment={ent.pk}&new=1")
    context = {
        "versions": versions,
        "values": values,
        "chosen_items": set(request.POST.getlist("items")),
        "confirmation_kinds": ConfirmationKind.choices,
    }
    return render(request, "proxy/entrust.html", context)


@require_http_methods(["GET", "POST"])
@page(AGENT)
def intake(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    ents = list(selectors.entrustment_list(actor=actor, valid_only=True))
    versions = {v.item.code: v for v in _proxy_versions()}
    ent_id = request.GET.get("entrustment") or request.POST.get("entrustment") or ""
    chosen = next((e for e in ents if str(e.pk) == ent_id), ents[0] if len(ents) == 1 else None)
    allowed = [versions[i.code] for i in chosen.items.all() if i.code in versions] if chosen else []
    code = (
        request.GET.get("item")
        or request.POST.get("item")
        or (allowed[0].item.code if len(allowed) == 1 else "")
    )
    version = versions.get(code) if any(v.item.code == code for v in allowed) else None
    if request.method == "POST" and chosen is not None and version is not None:
        try:
            with (
                services.audit_refusals("request_create", user=request.user, request=request),
                transaction.atomic(),
            ):
                materials = []
                for m in version.materials.all():
                    fid = _upload(request, f"file_{m.code}")
                    materials.append(
                        {
                            "code": m.code,
                            "provided": bool(request.POST.get(f"provided_{m.code}")) or fid is not None,
                            "paper_held": bool(request.POST.get(f"paper_{m.code}")),
                            "files": [fid] if fid else [],
                        }
                    )
                form = {f.key: request.POST.get(f"form_{f.key}", "") for f in version.fields.all()}
                req = services.proxy_request_create(
                    actor=actor,
                    entrustment=chosen.pk,
                    item=version.item.code,
                    materials=materials,
                    form=form,
                )
                if request.POST.get("submit_now"):
                    services.proxy_request_action(actor=actor, pk=req.pk, action="submit")
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已登记代办申请 {req.number}。")
            return redirect("proxy:detail", pk=req.pk)
    context = {
        "ents": ents,
        "chosen": chosen,
        "allowed": allowed,
        "version": version,
        "post": request.POST,
        "pass_on_days": services.pass_on_days(),
        "just_entrusted": chosen is not None and request.GET.get("new") == "1",
    }
    return render(request, "proxy/intake.html", context)


@require_GET
@page(WORKERS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    req = services.proxy_request_get(actor=actor, pk=pk)
    version = services.published_version(req.item)
    context = {
        "req": req,
        "version": version,
        "warning": selectors.pass_on_warning(req),
        "actions": services.actions_for(req, actor),
        "pass_headline": prereview_pass_headline(req),
        "events": [(e, EVENT_LABELS.get(e.action, "其他记录")) for e in req.events.order_by("seq")],
        "form_rows": selectors.form_rows(version, req.form_data or {}),
        "materials": selectors.material_rows(req),
        "follow_up": getattr(req, "follow_up", None) if hasattr(req, "follow_up") else None,
        "states": dict(RequestState.choices),
    }
    return render(request, "proxy/detail.html", context)


CONFIRM_ACTIONS = {"prereview_pass"}  # a legal act (受理): asked once, never one click


def prereview_pass_headline(req: Any) -> str:
    return f"将在{req.review_centre.name}受理本件，出具受理回执，办结期限自受理日起计算"


def _confirmation(request: HttpRequest, req: Any, actor: Any, action: str) -> HttpResponse | None:
    """预审通过并受理 without ``confirmed=1``: the page that says what will be issued and asks once.
    Nothing is asked for an act this actor may not take now, or one the service refuses (materials
    missing): the act itself answers (and audits) the refusal."""
    if action not in CONFIRM_ACTIONS or request.POST.get("confirmed") == "1":
        return None
    if action not in services.actions_for(req, actor):
        return None
    version = services.published_version(req.item)
    _checklist, missing = check_materials(version, req.materials)
    if missing:
        return None
    hidden = [
        (k, v)
        for k in request.POST
        if k not in {"csrfmiddlewaretoken", "confirmed"}
        for v in request.POST.getlist(k)
    ]
    asked = {
        "headline": prereview_pass_headline(req),
        "lines": [
            f"事项：{version.name}",
            f"委托人：{req.resident.masked_name}",
            f"代办员：{req.agent.staff.name}",
        ],
        "button": "确认预审通过并受理",
    }
    return render(request, "proxy/confirm.html", {"req": req, "asked": asked, "hidden": hidden})


@require_POST
@page(WORKERS)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    action = request.POST.get("action", "")
    # outside the jurisdiction: the 404 page (not a flash message on a redirect to a page that is 404)
    req = services.proxy_request_get(actor=actor, pk=pk)
    asked = _confirmation(request, req, actor, action)
    if asked is not None:
        return asked
    try:
        with (
            services.audit_refusals(
                action or "unknown", user=request.user, obj=f"proxy_request:{pk}", request=request
            ),
            transaction.atomic(),
        ):
            req = services.proxy_request_get(actor=actor, pk=pk)
            materials = None
            if action in {"submit", "supplement"}:
                materials = []
                for m in req.materials:
                    fid = _upload(request, f"file_{m['code']}")
                    if fid or request.POST.get(f"provided_{m['code']}"):
                        materials.append({"code": m["code"], "provided": True, "files": [fid] if fid else []})
            missing = [
                {"code": m["code"], "reason": request.POST.get(f"reason_{m['code']}", "")}
                for m in req.materials
                if request.POST.get(f"flag_{m['code']}")
            ]
            satisfied = {"1": True, "0": False}.get(request.POST.get("satisfied", ""))
            services.proxy_request_action(
                actor=actor,
                pk=pk,
                action=action,
                note=request.POST.get("note", ""),
                materials=materials,
                missing=missing or None,
                signed_by=request.POST.get("signed_by", ""),
                method=request.POST.get("method", ""),
                outcome=request.POST.get("outcome", ""),
                satisfied=satisfied,
                override_reason=request.POST.get("override_reason", ""),
                receipt_file=_upload(request, "receipt"),
            )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"已{services.ACTION_LABELS.get(action, action)}。")
    return redirect("proxy:detail", pk=pk)


@require_GET
@page(WORKERS)
def file(request: HttpRequest, file_id: str) -> HttpResponse:
    actor = request_actor(request)
    return file_response(services.proxy_file_get(actor=actor, file_id=file_id))


@require_GET
@page(WORKERS)
def entrustment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return documents.entrustment_pdf_response(request, pk)


# --- clerks --------------------------------------------------------------------------------------


@require_GET
@page(WINDOW | {Role.SUPERVISOR, Role.REVIEWER})
def queue(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    staff = actor.staff
    assert staff is not None
    waiting = list(selectors.proxy_request_list(actor=actor, queue=True)[:200])
    recent = list(selectors.proxy_request_list(actor=actor)[:50])
    level = staff.centre.jurisdiction.level if staff.centre else ""
    context = {
        "waiting": waiting,
        "recent": [(r, selectors.pass_on_warning(r)) for r in recent],
        "level": level,
        "centre": staff.centre,
        "alerts": custody.alert_count(actor),
    }
    return render(request, "proxy/queue.html", context)


# --- batches and alerts --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@page(AGENT | WINDOW)
def batches(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    staff = actor.staff
    assert staff is not None
    here = staff.jurisdiction
    targets = [j for j in [here.parent, *here.children.all()] if j is not None]
    if request.method == "POST":
        try:
            with services.audit_refusals("batch_create", user=request.user, request=request):
                b = custody.batch_create(
                    actor=actor,
                    from_code=here.code,
                    to_code=request.POST.get("to", ""),
                    requests=[int(x) for x in request.POST.getlist("requests") if x.isdigit()],
                    note=request.POST.get("note", ""),
                )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"交接批次 {b.number} 已发出，请打印交接清单随材料同行。")
            return redirect("proxy:batch", pk=b.pk)
    sendable = selectors.proxy_request_list(actor=actor).exclude(
        state__in=[RequestState.CLOSED, RequestState.WITHDRAWN]
    )[:200]
    context = {
        "here": here,
        "targets": targets,
        "sendable": sendable,
        "holding": custody.batches_for(actor, holding=True)[:50],
        "incoming": custody.batches_for(actor, incoming=True)[:50],
        "all": custody.batches_for(actor)[:50],
    }
    return render(request, "proxy/batches.html", context)


@require_http_methods(["GET", "POST"])
@page(AGENT | WINDOW | {Role.SUPERVISOR})
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    b = custody.batch_get(actor=actor, pk=pk)
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            with services.audit_refusals(
                f"batch_{op}", user=request.user, obj=f"batch:{pk}", request=request
            ):
                if op == "receive":
                    marks = {
                        it.request_id: request.POST.get(f"mark_{it.request_id}", "") for it in b.items.all()
                    }
                    custody.batch_receive(
                        actor=actor,
                        pk=pk,
                        received=[i for i, m in marks.items() if m == BatchItemState.RECEIVED],
                        missing=[i for i, m in marks.items() if m == BatchItemState.MISSING],
                        damaged=[i for i, m in marks.items() if m == BatchItemState.DAMAGED],
                        signed_by=request.POST.get("signed_by", ""),
                    )
                elif op == "hand_over":
                    custody.batch_hand_over(
                        actor=actor,
                        pk=pk,
                        to=request.POST.get("to", "").strip(),
                        signed_by=request.POST.get("signed_by", ""),
                        note=request.POST.get("note", ""),
                        carrier_name=request.POST.get("carrier_name", ""),
                        carrier_phone=request.POST.get("carrier_phone", ""),
                    )
                else:
                    raise Invalid("未知的操作", code="unknown_action")
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "已记录交接。")
        return redirect("proxy:batch", pk=pk)
    items = b.items.select_related("request__item__published", "request__resident").order_by("pk")
    context = {
        "b": b,
        "items": items,
        "can_receive": custody.can_receive(actor, b),
        "handovers": b.handovers.select_related("from_user__staff").order_by("at", "pk"),
    }
    return render(request, "proxy/batch.html", context)


@require_GET
@page(AGENT | WINDOW | {Role.SUPERVISOR})
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    b = custody.batch_get(actor=actor, pk=pk)
    return documents.pdf_response(documents.manifest_pdf(b), f"manifest-{b.number}.pdf")


@require_http_methods(["GET", "POST"])
@page(WORKERS)
def alerts(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        pk = int(request.POST.get("alert", "0") or 0)
        try:
            with services.audit_refusals(
                "alert_resolve", user=request.user, obj=f"alert:{pk}", request=request
            ):
                custody.alert_resolve(actor=actor, pk=pk, resolution=request.POST.get("resolution", ""))
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "告警已处理。")
        return redirect("proxy:alerts")
    context = {
        "open": custody.alert_list(actor=actor),
        "closed": custody.alert_list(actor=actor, open_only=False).filter(resolved_at__isnull=False)[:50],
        "can_resolve": bool({Role.CENTRE_HEAD, Role.ADMIN} & actor.roles),
    }
    return render(request, "proxy/alerts.html", context)


# --- ledger (代办台账) ----------------------------------------------------------------------------


@require_GET
@page(WORKERS)
def ledger_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    month = ledger.parse_month(request.GET.get("month"))
    group_by = request.GET.get("group_by", "village")
    if group_by not in ledger.GROUPS:
        group_by = "village"
    rows, total = ledger.ledger(actor=actor, month=month, group_by=group_by)
    context = {
        "month": month,
        "group_by": group_by,
        "groups": ledger.GROUP_LABELS,
        "columns": ledger.COLUMNS,
        "rows": [r.as_dict() for r in rows],
        "total": total.as_dict(),
        "rollup": [
            (ledger.GROUP_LABELS[g], [r.as_dict() for r in rs], t.as_dict())
            for g, (rs, t) in ledger.rollup(actor=actor, month=month).items()
        ],
    }
    return render(request, "proxy/ledger.html", context)


# --- on-site service and the public agent board --------------------------------------------------


@require_http_methods(["GET", "POST"])
@page(AGENT | WINDOW)
def visits(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            with services.audit_refusals(f"visit_{op}", user=request.user, request=request):
                if op == "flag":
                    onsite.resident_flags_set(
                        actor=actor,
                        resident=int(request.POST.get("resident", "0") or 0),
                        elderly=bool(request.POST.get("elderly")),
                        disabled=bool(request.POST.get("disabled")),
                        sick=bool(request.POST.get("sick")),
                    )
                elif op == "book":
                    start = posted_iso(request, "start", dt.datetime, "请填写上门时间", "格式有误")
                    onsite.visit_book(
                        actor=actor,
                        resident=int(request.POST.get("resident", "0") or 0),
                        start=start,
                        minutes=int(request.POST.get("minutes", "60") or 60),
                        purpose=request.POST.get("purpose", ""),
                        agent=request.POST.get("agent") or None,
                    )
                elif op == "complete":
                    onsite.visit_complete(
                        actor=actor,
                        pk=int(request.POST.get("visit", "0") or 0),
                        outcome=request.POST.get("outcome", ""),
                    )
                elif op == "cancel":
                    onsite.visit_cancel(
                        actor=actor,
                        pk=int(request.POST.get("visit", "0") or 0),
                        reason=request.POST.get("reason", "") or "取消",
                    )
                else:
                    raise Invalid("未知的操作", code="unknown_action")
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "已保存。")
        return redirect("proxy:visits")
    residents = list(resident_list(actor=actor)[:200])
    flags = {f.resident_id: f for f in ResidentFlags.objects.filter(resident__in=residents)}
    context = {
        "visits": onsite.visit_scope(actor).exclude(state="cancelled").order_by("-start")[:100],
        "residents": [(r, flags.get(r.pk)) for r in residents],
        "eligible": [r for r in residents if r.pk in flags and flags[r.pk].eligible],
    }
    return render(request, "proxy/visits.html", context)


@require_GET
def agents(request: HttpRequest) -> HttpResponse:
    """Public: each village's agents (name, photo, phone, area); no residents' data."""
    return render(request, "proxy/agents.html", {"agents": onsite.public_agents(request.GET.get("village"))})
