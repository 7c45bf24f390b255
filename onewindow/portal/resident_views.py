"""Resident pages (一网通办): log in with a mobile code, real-name binding, apply online, my cases.

Plain server-rendered forms (no JavaScript needed). Staff accounts are refused here (403) just as
residents are refused on staff pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases import selectors as case_selectors
from onewindow.cases.documents import DOCUMENT_TITLES, case_document_response, document_kinds
from onewindow.cases.models import State
from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import ItemVersion
from onewindow.core import mypage
from onewindow.core.audit import record
from onewindow.core.errors import DomainError, Invalid
from onewindow.files.services import file_response, max_bytes
from onewindow.notify import preferences
from onewindow.org.access import Perm, require_perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Jurisdiction, Level
from onewindow.org.selectors import resident_get
from onewindow.portal import applications, my, pending, services
from onewindow.portal.edge import ERROR_TEMPLATE, resident_actor, resident_page
from onewindow.portal.forms import ApplicationForm
from onewindow.portal.models import PendingUpload, ResidentAccount
from onewindow.portal.selectors import item_places, nearest_first
from onewindow.privacy import consent
from onewindow.privacy.masking import mask_id_number, mask_phone
from onewindow.privacy.models import ConsentPurpose


def _send_code(request: HttpRequest, ctx: dict[str, Any]) -> None:
    """Send an SMS code to the phone typed in the form (limited per address and per number/address)."""
    services.otp_rate_check(request)
    services.otp_send(phone=ctx["v"]["phone"], client=services.request_client(request))
    ctx["step"] = "code"
    ctx["sent_to"] = mask_phone(ctx["v"]["phone"])


def _code_then_confirm(
    request: HttpRequest,
    ctx: dict[str, Any],
    names: tuple[str, ...],
    template: str,
    confirm: Callable[[dict[str, str]], HttpResponse],
    reraise: tuple[int, ...] = (),
) -> HttpResponse:
    """A two-step form: "send" texts a code to the typed phone (``_send_code``), then ``confirm`` is
    called with the typed values (``names``) and answers the redirect. A refusal is shown on
    ``template`` (with its status), unless its status is in ``reraise`` (left to the error page)."""
    if request.method == "POST":
        ctx["v"] = {k: request.POST.get(k, "").strip()[:200] for k in names}
        try:
            if request.POST.get("action", "send") == "send":
                _send_code(request, ctx)
            else:
                ctx["step"] = "code"
                return confirm(ctx["v"])
        except DomainError as exc:
            if exc.status in reraise:
                raise
            ctx["error"] = exc
            return render(request, template, ctx, status=exc.status)
    return render(request, template, ctx)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- log in / sign up ----------------------------------------------------------------------------


SESSION_CONSENT = "privacy_consent"


def _sign_up_consent(request: HttpRequest) -> dict[str, str] | None:
    """The consent to the privacy notice given on this page: ticked now, or earlier in this session."""
    given = request.session.get(SESSION_CONSENT)
    if isinstance(given, dict) and consent.consented(given.get("v")):
        return given
    if consent.consented(request.POST.get("consent")):
        given = {"v": consent.NOTICE_VERSION, "at": timezone.now().isoformat()}
        request.session[SESSION_CONSENT] = given
        return given
    return None


def _record_sign_up_consent(request: HttpRequest, user: Any, given: dict[str, str]) -> None:
    at = parse_datetime(given.get("at", "")) or timezone.now()
    consent.consent_record(
        user=user,
        purpose=ConsentPurpose.SIGN_UP,
        given_at=at,
        ip=request.META.get("REMOTE_ADDR"),
        version=given.get("v"),
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """One page for sign-up and log-in: mobile number → SMS code → logged in (new number = new account).

    The privacy notice comes first: without the consent box ticked no number is taken (PIPL art. 14)."""
    next_url = _safe_next(request, reverse("portal:my_cases"))
    ctx: dict[str, Any] = {
        "next": next_url,
        "step": "phone",
        "phone": "",
        "ttl": services.otp_ttl() // 60,
        "notice_version": consent.NOTICE_VERSION,
    }
    if request.method == "POST":
        action = request.POST.get("action", "send")
        given = _sign_up_consent(request)
        if given is None:
            ctx["error"] = Invalid(consent.REFUSED_SIGN_UP, code="consent_required")
            ctx["consent_missing"] = True
            return render(request, "portal/login.html", ctx, status=400)
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
                _record_sign_up_consent(request, account.user, given)
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
    ctx: dict[str, Any] = {
        "account": account,
        "places": _places(),
        "next": next_url,
        "v": {},
        "notice_version": consent.NOTICE_VERSION,
    }
    if account.resident_id:
        ctx["bound_id"] = mask_id_number(account.resident.id_number) if account.resident else ""
        return render(request, "portal/realname.html", ctx)
    if request.method == "POST":
        ctx["v"] = {k: request.POST.get(k, "").strip() for k in ("name", "id_number", "jurisdiction")}
        if not consent.consented(request.POST.get("consent_sensitive")):
            # PIPL art. 29: the ID number is sensitive; without a separate consent it is not kept.
            ctx["v"]["id_number"] = ""
            ctx["error"] = Invalid(consent.REFUSED_SENSITIVE, code="consent_required")
            ctx["consent_missing"] = True
            return render(request, "portal/realname.html", ctx, status=400)
        consent.consent_record(
            user=request.user, purpose=ConsentPurpose.SENSITIVE_ID, ip=request.META.get("REMOTE_ADDR")
        )
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

    def confirm(v: dict[str, str]) -> HttpResponse:
        services.resident_contact_change(
            account=account,
            phone=v["phone"],
            code=v["code"],
            address=v["address"] or None,
            client=services.request_client(request),
        )
        messages.success(request, "联系电话已更换并验证。以前办件的联系电话仍按当时所填。")
        return HttpResponseRedirect(reverse("portal:my_cases"))

    return _code_then_confirm(request, ctx, ("phone", "address", "code"), "portal/contact.html", confirm)


# --- apply online --------------------------------------------------------------------------------


@require_GET
def apply_list(request: HttpRequest) -> HttpResponse:
    """Items that can be applied for online; search by words, full pinyin or initials."""
    q = request.GET.get("q", "").strip()[:50]
    qs = catalog.item_list(q=q or None).filter(online=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "portal/apply_list.html", {"page": page, "items": page.object_list, "q": q})


def _material_rows(
    version: ItemVersion,
    account: ResidentAccount,
    only: set[str] | None = None,
    chosen: list[PendingUpload] | None = None,
    error: DomainError | None = None,
) -> list[dict[str, Any]]:
    offered = applications.reusable_uploads(account, version)
    details = (getattr(error, "details", None) or {}) if error is not None else {}
    rows = []
    for m in version.materials.all():
        if only is not None and m.code not in only:
            continue
        rows.append(
            {
                "m": m,
                "reuse": offered.get(m.code),
                "pending": [p for p in chosen or [] if p.material_code == m.code],
                "errors": details.get(f"materials.{m.code}", []),
            }
        )
    return rows


def _files_from(request: HttpRequest, codes: list[str]) -> dict[str, list[Any]]:
    return {c: request.FILES.getlist(f"file-{c}") for c in codes if request.FILES.getlist(f"file-{c}")}


def _reuse_from(request: HttpRequest, codes: list[str]) -> dict[str, str]:
    return {c: request.POST.get(f"reuse-{c}", "") for c in codes if request.POST.get(f"reuse-{c}")}


def _stash(
    request: HttpRequest, account: ResidentAccount, scope: str, version: ItemVersion, codes: list[str]
) -> tuple[list[str], DomainError | None]:
    """Keep every file of this submission (the ones sent back as pending, minus the ones the resident
    removed, plus the new ones stored now). Returns the pending ids and the files' own error."""
    try:
        dropped = set(pending.parse_ids(request.POST.getlist("drop")))
        for pid in dropped:
            pending.pending_drop(account=account, scope=scope, pid=pid)
        sent = [v for c in codes for v in request.POST.getlist(f"pending-{c}")]
        keep = [i for i in pending.parse_ids(sent) if i not in dropped]
        names = {m.code: m.name for m in version.materials.all()}
        new_ids, error = pending.pending_stash(
            account=account, scope=scope, materials=names, uploads=_files_from(request, codes), keep=keep
        )
    except DomainError as exc:
        return [], exc
    return keep + new_ids, error


def _form_extra(request: HttpRequest) -> dict[str, Any]:
    return {
        "max_mb": max_bytes() // (1024 * 1024),
        "max_files": settings.UPLOAD_MAX_FILES_PER_MATERIAL,
        "token": request.POST.get("token") or uuid.uuid4().hex,
    }


@require_http_methods(["GET", "POST"])
@resident_page
def apply(request: HttpRequest, code: str) -> HttpResponse:
    account = services.require_account(request.user)
    version = applications.online_version(code)
    if account.resident_id is None:
        messages.info(request, "网上申请前请先完成实名认证。")
        return HttpResponseRedirect(reverse("portal:realname") + "?" + urlencode({"next": request.path}))
    place = account.resident.jurisdiction if account.resident else None
    centres = nearest_first(item_places(version), place)
    local = nearest_first([c for c in centres if place is not None and c.jurisdiction.contains(place)], place)
    ctx: dict[str, Any] = {
        "v": version,
        "materials": _material_rows(version, account),
        "centres": centres,
        # prefilled: the one place, else the nearest centre serving her village (station → township → county)
        "centre": centres[0].code if len(centres) == 1 else (local[0].code if local else ""),
        "app_form": ApplicationForm(version),
        **_form_extra(request),
    }
    if request.method == "POST":
        ctx["centre"] = request.POST.get("centre", "")
        form = {f.key: request.POST.get(f"f-{f.key}", "").strip() for f in version.fields.all()}
        codes = [r["m"].code for r in ctx["materials"]]
        scope = pending.scope_apply(version.item.code)
        ids, error = _stash(request, account, scope, version, codes)
        try:
            if error is not None:
                raise error
            case = applications.application_submit(
                actor=resident_actor(request),
                item=code,
                centre=ctx["centre"],
                form=form,
                pending_ids=ids,
                reuse=_reuse_from(request, codes),
                incomplete_ok=request.POST.get("incomplete") == "1",
                token=ctx["token"],
            )
        except DomainError as exc:
            chosen = pending.pending_rows(account, scope, ids)
            details = exc.details if isinstance(exc.details, dict) else {}
            ctx.update(
                error=exc,
                materials=_material_rows(version, account, chosen=chosen, error=exc),
                app_form=ApplicationForm(version, data=request.POST, errors=details),
                missing_error=details.get("materials.missing", []),
                incomplete=request.POST.get("incomplete") == "1",
            )
            return render(request, "portal/apply.html", ctx, status=exc.status)
        messages.success(request, f"申请已提交，办件编号 {case.number}。窗口审核后会短信通知您。")
        return HttpResponseRedirect(reverse("portal:my_case", args=[case.number]))
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
            "supplemented": {
                c.pk
                for c in page.object_list
                if c.state == State.CORRECTION_NEEDED and case_selectors.supplemented_online(c)
            },
            "supplemented_label": my.SUPPLEMENTED_LABEL,
            "unread": my.inbox(actor).filter(read_at__isnull=True).count(),
            "phone": mask_phone(account.phone),
            "my_panels": mypage.my_panels(request.user),
        },
    )


def _case_context(
    request: HttpRequest,
    number: str,
    chosen: list[PendingUpload] | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    account = services.require_account(request.user)
    case = my.my_case_get(resident_actor(request), number)
    missing_codes = {m["code"] for m in (case.notice or {}).get("missing", [])}
    supplemented = _supplemented_after_notice(case)
    return {
        "case": case,
        "state_label": my.SUPPLEMENTED_LABEL if supplemented else State(case.state).label,
        "hint": my.SUPPLEMENTED_HINT if supplemented else my.STATE_HINTS.get(case.state, ""),
        "steps": my.plain_timeline(case),
        "documents": [(k, DOCUMENT_TITLES[k]) for k in document_kinds(case)],
        "uploads": my.case_uploads(case),
        "missing": (case.notice or {}).get("missing", []) if case.state == State.CORRECTION_NEEDED else [],
        "supplement_rows": (
            _material_rows(case.item_version, account, missing_codes, chosen=chosen, error=error)
            if case.state == State.CORRECTION_NEEDED
            else []
        ),
        "supplemented": supplemented,
        "rate_url": my.rating_link(case),
        **_form_extra(request),
    }


def _supplemented_after_notice(case: Any) -> bool:
    """The resident handed in the corrected materials since the (latest) notice: the window checks next."""
    return bool(case_selectors.supplemented_online(case))


@require_GET
@resident_page
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "portal/my_case.html", _case_context(request, number))


@require_http_methods(["POST"])
@resident_page
def supplement(request: HttpRequest, number: str) -> HttpResponse:
    actor = resident_actor(request)
    account = services.require_account(request.user)
    case = my.my_case_get(actor, number)
    version = case.item_version
    codes = [m.code for m in version.materials.all()]
    scope = pending.scope_supplement(case.number)
    ids, error = _stash(request, account, scope, version, codes)
    try:
        if error is not None:
            raise error
        applications.application_supplement(
            actor=actor, number=number, pending_ids=ids, reuse=_reuse_from(request, codes)
        )
    except DomainError as exc:
        ctx = _case_context(request, number, chosen=pending.pending_rows(account, scope, ids), error=exc)
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

    def confirm(v: dict[str, str]) -> HttpResponse:
        services.window_bind_account(
            actor=actor, resident_pk=obj.pk, **v, client=services.request_client(request)
        )
        messages.success(request, "已核验本人并绑定网上账号，并记入审计日志。")
        return HttpResponseRedirect(reverse("org:resident_detail", args=[obj.pk]))

    names = ("phone", "code", "reason")
    return _code_then_confirm(
        request, ctx, names, "portal/window_bind.html", confirm, reraise=(401, 403, 404)
    )


# --- the window's view of an online application's files ----------------------------------------


@require_GET
@staff_page(error_template=ERROR_TEMPLATE)
def staff_upload(request: HttpRequest, upload_id: int) -> HttpResponse:
    """A file a resident uploaded, for staff who may open its case (outside the jurisdiction: 404);
    each view is an audit entry (full view of personal documents)."""
    up = my.staff_upload_get(request_actor(request), upload_id)
    record("privacy.document_view", request=request, obj=f"case:{up.case.number}:upload:{up.pk}")
    return file_response(up.file)
