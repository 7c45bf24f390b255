"""Request-level security: idle session timeout, mandatory two-factor for privileged roles, login rate
limit and security headers not covered by Django's own middleware.

Settings (env vars in ``onewindow/settings.py``): ``SESSION_IDLE_TIMEOUT`` (seconds, default 1800),
``OTP_REQUIRED_ROLES`` (default supervisor, centre_head, admin, security_admin, audit_admin; superusers
always), ``LOGIN_RATE_LIMIT`` (POSTs per minute per address, default 20).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from onewindow.core import apiauth
from onewindow.core.context import reset_current_user, set_current_user
from onewindow.core.ratelimit import RateLimited, check_rate
from onewindow.core.web import ERROR_TEMPLATE, client_ip
from onewindow.org.access import roles_of
from onewindow.security.audit import record
from onewindow.security.policy import denied_for_admin

LAST_SEEN_KEY = "ow_last_seen"
DEFAULT_OTP_ROLES = ("supervisor", "centre_head", "admin", "security_admin", "audit_admin")
# Paths a privileged user may open before the second factor is verified.
OTP_EXEMPT_PREFIXES = ("/security/otp/", "/accounts/logout/", "/static/", "/healthz")


def otp_required_for(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    required = set(settings.OTP_REQUIRED_ROLES)
    return bool(required & set(roles_of(user)))


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUST_X_FORWARDED_FOR:
            # Behind nginx (deploy/): the client is the last hop nginx appended; rate limits key on it.
            request.META["REMOTE_ADDR"] = client_ip(request)
        early = self._check(request)
        if early is not None:
            return early
        token = set_current_user(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            reset_current_user(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        url_name = match.view_name if match else ""
        if not denied_for_admin(getattr(request, "user", None), request.path, url_name):
            return None
        record("privacy.admin_denied", request=request, obj=request.path[:200], result="denied")
        message = "系统管理员、安全管理员和审计管理员不能查看群众个人信息（三员分立）"
        if _is_api(request):
            return JsonResponse(
                {"error": {"code": "forbidden", "message": message, "details": {}}}, status=403
            )
        error = {"message": message, "code": "separation_of_duties", "status": 403}  # a page, not the API
        return render(request, ERROR_TEMPLATE, {"title": "无权访问", "error": error}, status=403)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        if request.method == "POST" and request.path == reverse("login"):
            try:
                check_rate(request, "login", limit=int(settings.LOGIN_RATE_LIMIT), per_seconds=60)
            except RateLimited as exc:
                record("auth.rate_limited", request=request, user=None, result="denied")
                return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self._public_post_limit(request)
        expired = self._idle_expired(request)
        if expired is not None:
            return expired
        if otp_required_for(user) and not user.is_verified():  # type: ignore[union-attr]
            if request.path.startswith(OTP_EXEMPT_PREFIXES):
                return None
            if _is_api(request):
                return JsonResponse(
                    {
                        "error": {
                            "code": "otp_required",
                            "message": "请先完成双因素认证（动态口令）",
                            "details": {},
                        }
                    },
                    status=401,
                )
            return redirect(f"{reverse('security:otp_verify')}?next={quote(request.get_full_path())}")
        return None

    def _public_post_limit(self, request: HttpRequest) -> HttpResponse | None:
        """Anonymous writes (public forms, kiosk, booking, complaints, public API) per address."""
        if request.method in ("GET", "HEAD", "OPTIONS") or request.path == reverse("login"):
            return None
        auth = request.headers.get("Authorization", "")
        # only a real, valid token skips the anonymous limit; a junk header counts as anonymous
        if auth.startswith("Bearer ") and apiauth.token_lookup(auth[len("Bearer ") :].strip()) is not None:
            return None
        try:
            check_rate(
                request,
                "public_post",
                limit=int(settings.PUBLIC_POST_RATE_LIMIT),
                per_seconds=60,
            )
        except RateLimited as exc:
            if _is_api(request):
                return JsonResponse(exc.as_dict(), status=429)
            return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
        return None

    def _idle_expired(self, request: HttpRequest) -> HttpResponse | None:
        timeout = int(settings.SESSION_IDLE_TIMEOUT)
        if timeout <= 0 or not hasattr(request, "session"):
            return None
        now = int(time.time())
        last = request.session.get(LAST_SEEN_KEY)
        if last is not None and now - int(last) > timeout:
            record("auth.session_timeout", request=request, details={"idle_seconds": now - int(last)})
            logout(request)
            if _is_api(request):
                return JsonResponse(
                    {
                        "error": {
                            "code": "not_authenticated",
                            "message": "登录已超时，请重新登录",
                            "details": {},
                        }
                    },
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        # Write the session at most once a minute.
        if last is None or now - int(last) >= 60:
            request.session[LAST_SEEN_KEY] = now
        return None
