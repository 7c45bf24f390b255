"""Security pages: two-factor enrolment and verification, login history, password change, account
unlocking (security admin) and the audit log with its Excel export (audit admin only)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.ratelimit import RateLimited, check_rate
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Staff
from onewindow.security import audit
from onewindow.security.audit import record
from onewindow.security.exports import audit_workbook
from onewindow.security.lockout import active_locks
from onewindow.security.middleware import otp_required_for
from onewindow.security.models import AuditEntry, LoginRecord
from onewindow.security.services import unlock_user

DEVICE_NAME = "手机动态口令"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _check_otp_rate(request: HttpRequest) -> str | None:
    try:
        check_rate(request, f"otp:{request.user.pk}", limit=10, per_seconds=300)
    except RateLimited:
        record("auth.otp_rate_limited", request=request, result="denied")
        return "尝试次数过多，请5分钟后再试"
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step after the password: the 6-digit code from the user's authenticator app."""
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('security:otp_setup')}?next={_next_url(request)}")
    error = ""
    if request.method == "POST":
        error = _check_otp_rate(request) or ""
        token = request.POST.get("token", "").strip()
        if not error and token.isdigit() and device.verify_token(token):
            otp_login(request, device)
            record("auth.otp_verified", request=request, obj=f"user:{request.user.get_username()}")
            return redirect(_next_url(request))
        if not error:
            record(
                "auth.otp_failed", request=request, obj=f"user:{request.user.get_username()}", result="denied"
            )
            error = "动态口令不正确或已过期，请重新输入"
    return render(
        request,
        "security/otp_verify.html",
        {"error": error, "next": _next_url(request)},
        status=422 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code with an authenticator app, confirm with one code."""
    user = request.user
    if _confirmed_device(user) is not None and not request.user.is_verified():  # type: ignore[union-attr]
        # Replacing an enrolled device needs the old one (or the security admin's reset).
        return redirect(f"{reverse('security:otp_verify')}?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    error = ""
    if request.method == "POST":
        error = _check_otp_rate(request) or ""
        token = request.POST.get("token", "").strip()
        if not error and token.isdigit() and device.verify_token(token):
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record("auth.otp_enrolled", request=request, obj=f"user:{user.get_username()}")
            messages.success(request, "已启用双因素认证")
            return redirect(_next_url(request))
        if not error:
            error = "动态口令不正确，请确认手机时间准确后重新输入"
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = base32_secret(device)
    return render(
        request,
        "security/otp_setup.html",
        {"qr_svg": qr_svg, "secret": secret, "error": error, "next": _next_url(request)},
        status=422 if error else 200,
    )


def base32_secret(device: TOTPDevice) -> str:
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@never_cache
@login_required
def login_history(request: HttpRequest) -> HttpResponse:
    rows = LoginRecord.objects.filter(user_id=request.user.pk or 0)[:50]
    return render(
        request,
        "security/login_history.html",
        {
            "rows": rows,
            "otp_required": otp_required_for(request.user),
            "otp_enrolled": _confirmed_device(request.user) is not None,
        },
    )


@method_decorator(never_cache, name="dispatch")
class PasswordChange(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("security:login_history")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record("auth.password_changed", request=self.request, obj=f"user:{self.request.user.get_username()}")
        messages.success(self.request, "密码已修改")
        return response


password_change = login_required(PasswordChange.as_view())


# --- security admin: accounts, lockouts, two-factor resets ------------------------------------------


@never_cache
@staff_page(perm=Perm.SECURITY_ACCOUNTS)
def accounts(request: HttpRequest) -> HttpResponse:
    locked_names = {lock["username"] for lock in active_locks()}
    q = request.GET.get("q", "").strip()
    staff_qs = (
        Staff.objects.select_related("user", "jurisdiction")
        .prefetch_related("roles")
        .order_by("user__username")
    )
    if q:
        staff_qs = staff_qs.filter(user__username__icontains=q) | staff_qs.filter(name__icontains=q)
    page = Paginator(staff_qs, 50).get_page(request.GET.get("page"))
    otp_users = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = [
        {
            "staff": s,
            "locked": s.user.username in locked_names,
            "otp": s.user_id in otp_users,
            "last_login": s.user.last_login,
        }
        for s in page
    ]
    return render(
        request, "security/accounts.html", {"rows": rows, "page": page, "q": q, "locked": locked_names}
    )


@require_POST
@staff_page(perm=Perm.SECURITY_ACCOUNTS)
def unlock(request: HttpRequest, username: str) -> HttpResponse:
    count = unlock_user(username, actor=request_actor(request), request=request)
    messages.success(request, f"已解锁账号 {username}（清除 {count} 条失败记录）")
    return redirect("security:accounts")


@require_POST
@staff_page(perm=Perm.SECURITY_ACCOUNTS)
def otp_reset(request: HttpRequest, username: str) -> HttpResponse:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Http404
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    record("auth.otp_reset", request=request, obj=f"user:{username}", details={"devices": deleted})
    messages.success(request, f"已重置 {username} 的动态口令，该用户下次登录时重新绑定")
    return redirect("security:accounts")


# --- audit admin: the audit log ----------------------------------------------------------------------


def _audit_filtered(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    qs = AuditEntry.objects.order_by("-id")  # newest first, chained or not yet
    f = {k: request.GET.get(k, "").strip() for k in ("action", "username", "result", "since", "until")}
    if f["action"]:
        qs = qs.filter(action__startswith=f["action"])
    if f["username"]:
        qs = qs.filter(username=f["username"])
    if f["result"]:
        qs = qs.filter(result=f["result"])
    tz = timezone.get_current_timezone()
    for key, lookup, extra in (("since", "at__gte", 0), ("until", "at__lt", 1)):
        if f[key]:
            try:
                day = dt.date.fromisoformat(f[key])
            except ValueError:
                f[key] = ""
                continue
            start = dt.datetime.combine(day + dt.timedelta(days=extra), dt.time.min, tzinfo=tz)
            qs = qs.filter(**{lookup: start})
    return qs, f


@never_cache
@staff_page(perm=Perm.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    qs, filters = _audit_filtered(request)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    record("audit.view", request=request, obj="auditlog", details={k: v for k, v in filters.items() if v})
    problems = audit.verify() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "security/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "retention_days": audit.retention_days(),
            "query": request.GET.urlencode(),
        },
    )


@never_cache
@staff_page(perm=Perm.AUDIT_VIEW)
def audit_export(request: HttpRequest) -> HttpResponse:
    qs, filters = _audit_filtered(request)
    body = audit_workbook(qs.order_by("id")[:100_000])
    record("audit.export", request=request, obj="auditlog", details={k: v for k, v in filters.items() if v})
    name = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
