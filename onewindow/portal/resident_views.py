"""Resident pages (一网通办): log in with a mobile code, real-name binding, apply online, my cases.

Plain server-rendered forms (no JavaScript needed). Staff accounts are refused here (403) just as
residents are refused on staff pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases.documents import DOCUMENT_TITLES, case_document_response, document_kinds
from onewindow.cases.models import State
from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import ItemVersion
from onewindow.core import mypage
from onewindow.core.audit import record
from onewindow.core.errors import DomainError
from onewindow.files.services import file_response, max_bytes
from onewindow.notify import preferences
from onewindow.org.access import Perm, require_perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Jurisdiction, Level
from onewindow.org.selectors import resident_get
from onewindow.portal import applications, my, services
from onewindow.portal.edge import ERROR_TEMPLATE, resident_actor, resident_page
from onewindow.portal.models import ResidentAccount
from onewindow.portal.selectors import item_places
from onewindow.privacy.masking import mask_id_number, mask_phone


def _send_code(request: HttpRequest, ctx: dict[str, Any]) -> None:
    """Send an SMS code to the phone typed in the form (limited per address and per number/address)."""
    services.otp_rate_check(request)
    services.otp_send(phone=ctx["v"]["phone"], client=services.request_client(request))
    ctx["step"] = "code"
    ctx["sent_to"] = mask_phone(ctx["v"]["phone"])


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- log in / sign up ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """One page for sign-up and log-in: mobile number → SMS code → logged in (new number = new account)."""
    next_url = _safe_next(request, reverse("portal:my_cases"))
    ctx: dict[str, Any] = {"next": next_url, "step": "phone", "phone": "", "ttl": services.otp_ttl() // 60}
    if request.method == "POST":
        action = request.POST.get("action", "send")
        phone = (request.POST.get("phone") or "").strip()[:20]
        ctx["phone"] = phone
        try:
            if action == "send":
                services.otp_rate_check(request)
                services.otp_send(phone=phone, client=services.request_client(request))
                ctx["step"] = "code"
                ctx["sent_to"] = mask_phone(phone)
            else:
                ctx["step"] = "code"
                ctx["sent_to"] = mask_phone(phone)
                account, new = services.otp_login(
                    phone=phone, code=request.POST.get("code", ""), client=services.request_client(request)
                )
                login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
                if new or account.resident_id is None:
                    messages.success(request, "登录成功。网上申请前请先完成实名认证。")
                    return HttpResponseRedirect(
                        reverse("portal:realname") + "?" + urlencode({"next": next_url})
                    )
                messages.success(request, "登录成功。")
                return HttpResponseRedirect(next_url)
        except DomainError as exc:
            ctx["error"] = exc
            if exc.code in {"invalid_phone", "otp_locked", "otp_daily_limit"}:
                ctx["step"] = "phone" if exc.code == "invalid_phone" else ctx["step"]
            status = exc.status
            return render(request, "portal/login.html", ctx, status=status)
    return render(request, "portal/login.html", ctx)


def _places() -> list[Jurisdiction]:
    return list(
        Jurisdiction.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        .select_related("parent")
        .order_by("path")
    )


@require_http_methods(["GET", "POST"])
@resident_page
def realname(request: HttpRequest) -> HttpResponse:
    account = services.require_account(request.user)
    next_url = _safe_next(request, reverse("portal:my_cases"))
    ctx: dict[str, Any] = {"account": account, "places": _places(), "next": next_url, "v": {}}
    if account.resident_id:
        ctx["bound_id"] = mask_id_number(account.resident.id_number) if account.resident else ""
        return render(request, "portal/realname.html", ctx)
    if request.method == "POST":
        ctx["v"] = {k: request.POST.get(k, "").strip() for k in ("name", "id_number", "jurisdiction")}
        try:
            services.account_bind_real_name(account=account, **ctx["v"])
        except DomainError as exc:
            ctx["error"] = exc
            return render(request, "portal/realname.html", ctx, status=exc.status)
        messages.success(request, "实名认证成功。")
        return HttpResponseRedirect(next_url)
    return render(request, "portal/realname.html", ctx)


@require_http_methods(["GET", "POST"])
@resident_page
def contact(request: HttpRequest) -> HttpResponse:
    """更换联系电话: a code is sent to the NEW phone; entering it changes the record's phone (verified)."""
    account = services.require_account(request.user)
    ctx: dict[str, Any] = {"account": account, "step": "phone", "v": {}}
    if account.resident_id is None:
        return HttpResponseRedirect(reverse("portal:realname"))
    if request.method == "POST":
        ctx["v"] = {k: request.POST.get(k, "").strip()[:200] for k in ("phone", "address", "code")}
        try:
            if request.POST.get("action", "send") == "send":
                _send_code(request, ctx)
            else:
                ctx["step"] = "code"
                services.resident_contact_change(
                    account=account,
                    phone=ctx["v"]["phone"],
                    code=ctx["v"]["code"],
                    address=ctx["v"]["address"] or None,
                    client=services.request_client(request),
                )
                messages.success(request, "联系电话已更换并验证。以前办件的联系电话仍按当时所填。")
                return HttpResponseRedirect(reverse("portal:my_cases"))
        except DomainError as exc:
            ctx["error"] = exc
            return render(request, "portal/contact.html", ctx, status=exc.status)
    return render(request, "portal/contact.html", ctx)


# --- apply online --------------------------------------------------------------------------------


@require_GET
def apply_list(request: HttpRequest) -> HttpResponse:
    """Items that can be applied for online; search by words, full pinyin or initials."""
    q = request.GET.get("q", "").strip()[:50]
    qs = catalog.item_list(q=q or None).filter(online=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "portal/apply_list.html", {"page": page, "items": page.object_list, "q": q})


def _material_rows(
    version: ItemVersion, account: ResidentAccount, only: set[str] | None = None
) -> list[dict[str, Any]]:
    offered = applications.reusable_uploads(account, version)
    rows = []
    for m in version.materials.all():
        if only is not None and m.code not in only:
            continue
        rows.append({"m": m, "reuse": offered.get(m.code)})
    return rows


def _uploads_from(request: HttpRequest, codes: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    uploads = {c: request.FILES[f"file-{c}"] for c in codes if request.FILES.get(f"file-{c}")}
    reuse = {c: request.POST.get(f"reuse-{c}", "") for c in codes if request.POST.get(f"reuse-{c}")}
    return uploads, reuse


@require_http_methods(["GET", "POST"])
@resident_page
def apply(request: HttpRequest, code: str) -> HttpResponse:
    account = services.require_account(request.user)
    version = applications.online_version(code)
    if account.resident_id is None:
        messages.info(request, "网上申请前请先完成实名认证。")
        return HttpResponseRedirect(reverse("portal:realname") + "?" + urlencode({"next": request.path}))
    centres = item_places(version)
    ctx: dict[str, Any] = {
        "v": version,
        "fields": list(version.fields.all()),
        "materials": _material_rows(version, account),
        "centres": centres,
        "values": {},
        "centre": centres[0].code if len(centres) == 1 else "",
        "max_mb": max_bytes() // (1024 * 1024),
    }
    if request.method == "POST":
        form = {f.key: request.POST.get(f"f-{f.key}", "").strip() for f in ctx["fields"]}
        ctx["values"], ctx["centre"] = form, request.POST.get("centre", "")
        uploads, reuse = _uploads_from(request, [r["m"].code for r in ctx["materials"]])
        try:
            case = applications.application_submit(
                actor=resident_actor(request),
                item=code,
                centre=ctx["centre"],
                form=form,
                uploads=uploads,
                reuse=reuse,
            )
        except DomainError as exc:
            ctx["error"] = exc
            ctx["field_rows"] = [{"f": f, "value": form.get(f.key, "")} for f in ctx["fields"]]
            return render(request, "portal/apply.html", ctx, status=exc.status)
        messages.success(request, f"申请已提交，办件编号 {case.number}。窗口审核后会短信通知您。")
        return HttpResponseRedirect(reverse("portal:my_case", args=[case.number]))
    ctx["field_rows"] = [{"f": f, "value": ctx["values"].get(f.key, "")} for f in ctx["fields"]]
    return render(request, "portal/apply.html", ctx)


# --- my cases ------------------------------------------------------------------------------------


@require_GET
@resident_page
def my_cases(request: HttpRequest) -> HttpResponse:
    account = services.require_account(request.user)
    actor = resident_actor(request)
    page = Paginator(my.my_case_list(actor), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/my_cases.html",
        {
            "account": account,
            "page": page,
            "cases": page.object_list,
            "unread": my.inbox(actor).filter(read_at__isnull=True).count(),
            "phone": mask_phone(account.phone),
            "my_panels": mypage.my_panels(request.user),
        },
    )


def _case_context(request: HttpRequest, number: str) -> dict[str, Any]:
    account = services.require_account(request.user)
    case = my.my_case_get(resident_actor(request), number)
    missing_codes = {m["code"] for m in (case.notice or {}).get("missing", [])}
    return {
        "case": case,
        "state_label": State(case.state).label,
        "hint": my.STATE_HINTS.get(case.state, ""),
        "steps": my.plain_timeline(case),
        "documents": [(k, DOCUMENT_TITLES[k]) for k in document_kinds(case)],
        "uploads": my.case_uploads(case),
        "missing": (case.notice or {}).get("missing", []) if case.state == State.CORRECTION_NEEDED else [],
        "supplement_rows": (
            _material_rows(case.item_version, account, missing_codes)
            if case.state == State.CORRECTION_NEEDED
            else []
        ),
        "supplemented": _supplemented_after_notice(case),
        "rate_url": my.rating_link(case),
        "max_mb": max_bytes() // (1024 * 1024),
    }


def _supplemented_after_notice(case: Any) -> bool:
    last = case.events.order_by("-seq").values_list("action", flat=True).first()
    return bool(last == "resident_supplement")


@require_GET
@resident_page
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "portal/my_case.html", _case_context(request, number))


@require_http_methods(["POST"])
@resident_page
def supplement(request: HttpRequest, number: str) -> HttpResponse:
    actor = resident_actor(request)
    case = my.my_case_get(actor, number)
    codes = [m.code for m in case.item_version.materials.all()]
    uploads, reuse = _uploads_from(request, codes)
    try:
        applications.application_supplement(actor=actor, number=number, uploads=uploads, reuse=reuse)
    except DomainError as exc:
        ctx = _case_context(request, number)
        ctx["error"] = exc
        return render(request, "portal/my_case.html", ctx, status=exc.status)
    messages.success(request, "补正材料已提交，窗口核对后将为您受理。")
    return HttpResponseRedirect(reverse("portal:my_case", args=[number]))


@require_GET
@resident_page
def my_document(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    case = my.my_case_get(resident_actor(request), number)
    return case_document_response(case, kind, site_url=request.build_absolute_uri("/"))


@require_GET
@resident_page
def my_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    up = my.my_upload_get(resident_actor(request), upload_id)
    return file_response(up.file)


@require_GET
@resident_page
def inbox(request: HttpRequest) -> HttpResponse:
    actor = resident_actor(request)
    rows = list(my.inbox(actor)[:100])
    response = render(request, "portal/inbox.html", {"rows": rows})
    applications.inbox_mark_read(actor=actor)
    return response


@require_http_methods(["GET", "POST"])
@resident_page
def notify_settings(request: HttpRequest) -> HttpResponse:
    """The resident's own SMS notices on/off (the login code is always sent: it is not a notice)."""
    account = services.require_account(request.user)
    resident = account.resident
    if resident is not None and request.method == "POST":
        preferences.preference_set(resident=resident, sms=request.POST.get("sms") == "1")
        messages.success(request, "短信通知设置已保存")
        return HttpResponseRedirect(reverse("portal:notify_settings"))
    current = preferences.preference_get(resident) if resident is not None else None
    return render(
        request,
        "portal/notify_settings.html",
        {
            "resident": resident,
            "sms_on": current["sms"] if current else True,
            "phone": mask_phone(account.phone),
        },
    )


# --- 窗口核验: staff bind a present person's portal account to their record ------------------------


@require_http_methods(["GET", "POST"])
@staff_page(error_template=ERROR_TEMPLATE)
def window_bind(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff page: send a code to the person's portal phone, then bind with the code they read out."""
    actor = request_actor(request)
    require_perm(actor, Perm.RESIDENT_CREATE)
    obj = resident_get(actor=actor, pk=pk)
    ctx: dict[str, Any] = {"obj": obj, "step": "phone", "v": {}}
    if request.method == "POST":
        ctx["v"] = {k: request.POST.get(k, "").strip()[:200] for k in ("phone", "code", "reason")}
        try:
            if request.POST.get("action", "send") == "send":
                _send_code(request, ctx)
            else:
                ctx["step"] = "code"
                services.window_bind_account(
                    actor=actor,
                    resident_pk=obj.pk,
                    phone=ctx["v"]["phone"],
                    code=ctx["v"]["code"],
                    reason=ctx["v"]["reason"],
                    client=services.request_client(request),
                )
                messages.success(request, "已核验本人并绑定网上账号，并记入审计日志。")
                return HttpResponseRedirect(reverse("org:resident_detail", args=[obj.pk]))
        except DomainError as exc:
            if exc.status in (401, 403, 404):
                raise
            ctx["error"] = exc
            return render(request, "portal/window_bind.html", ctx, status=exc.status)
    return render(request, "portal/window_bind.html", ctx)


# --- the window's view of an online application's files ----------------------------------------


@require_GET
@staff_page(error_template=ERROR_TEMPLATE)
def staff_upload(request: HttpRequest, upload_id: int) -> HttpResponse:
    """A file a resident uploaded, for staff who may open its case (outside the jurisdiction: 404);
    each view is an audit entry (full view of personal documents)."""
    up = my.staff_upload_get(request_actor(request), upload_id)
    record("privacy.document_view", request=request, obj=f"case:{up.case.number}:upload:{up.pk}")
    return file_response(up.file)
