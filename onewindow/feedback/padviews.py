"""The window rating pad (一次一评): the staff set-up page and the locked public pad of one window.

The set-up page (``feedback:pad``, staff of a centre) lists the centre's windows with each pad's link;
"在本设备锁定为评价器" signs the staff out on that device and opens the pad. The pad
(``feedback:pad_window``) is a page of its own (no site navigation, no link out): it shows the rating
form of the visit just finished at its window and advances by itself (it polls ``feedback:pad_state``
every few seconds and reloads when another visit is finished there)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.core.errors import DomainError, NotFound
from onewindow.feedback.models import OFFLINE_INDICATORS, Level
from onewindow.feedback.services import pad as pads
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Window

ERR = "feedback/error.html"
LEVELS = [(int(v), str(label)) for v, label in Level.choices]  # 5 … 1
POLL_MS = 3000


def _centre_windows(request: HttpRequest) -> list[Window]:
    staff = request_actor(request).staff
    if staff is None or staff.centre_id is None:
        return []
    return list(Window.objects.filter(centre=staff.centre_id, is_active=True).order_by("number"))


def _window(token: str) -> Window:
    try:
        return pads.pad_window(token)
    except NotFound:
        raise Http404("评价器不存在") from None


def _pad_url(window: Window) -> str:
    return reverse("feedback:pad_window", kwargs={"token": pads.pad_token(window)})


@staff_page(perm=Perm.FEEDBACK_HANDLE, error_template=ERR)
@require_http_methods(["GET", "POST"])
def pad(request: HttpRequest) -> HttpResponse:
    """Set up the pads of the centre's windows; POST ``lock``: this device becomes that window's pad."""
    windows = _centre_windows(request)
    if request.method == "POST":
        window = next((w for w in windows if str(w.pk) == request.POST.get("window")), None)
        if window is None:
            raise Http404("窗口不存在")
        if request.POST.get("action") == "renew":  # the old link and every device locked to it stop now
            pads.pad_link_renew(actor=request_actor(request), window=window.pk)
            messages.success(request, f"{window.number} 号窗口评价器已更换链接，原链接和已锁定的设备已失效")
            return redirect(f"{reverse('feedback:pad')}?window={window.pk}")
        url = _pad_url(window)
        logout(request)  # the pad device keeps no staff session
        return redirect(url)
    chosen = request.GET.get("window", "")
    rows = [{"window": w, "url": _pad_url(w), "chosen": str(w.pk) == chosen} for w in windows]
    return render(request, "feedback/pad_setup.html", {"rows": rows})


def _indicators(request: HttpRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in OFFLINE_INDICATORS:
        raw = request.POST.get(f"ind-{key}")
        if raw:
            out[key] = int(raw) if raw.isdigit() else raw
    return out


def _comment(request: HttpRequest) -> str:
    """The reason of a 差评: a quick pick (the button pressed) and/or the typed text."""
    parts = [(request.POST.get(k) or "").strip() for k in ("comment", "comment_text")]
    return "；".join(p for p in parts if p)[:500]


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


QUICK_REASONS = ["等候时间太长", "工作人员态度不好", "材料要求没讲清楚", "办理太慢", "跑了不止一次"]


@never_cache
@require_http_methods(["GET", "POST"])
def pad_window(request: HttpRequest, token: str) -> HttpResponse:
    """The locked pad of one window (public: the device needs no log-in)."""
    window = _window(token)
    thanks, error = False, None
    if request.method == "POST":
        try:
            pads.rating_submit_pad(
                window=window,
                ticket=_int(request.POST.get("ticket")),
                level=_int(request.POST.get("level")),
                indicators=_indicators(request),
                comment=_comment(request),
            )
            thanks = True
        except DomainError as exc:
            error = exc
    ticket = pads.pad_visit(window)
    context = {
        "window": window,
        "ticket": ticket,
        "levels": LEVELS,
        "indicators": OFFLINE_INDICATORS,
        "thanks": thanks,
        "error": error,
        # a 差评 without its reason: the same visit, the level kept, the reason asked (big quick picks)
        "ask_reason": request.POST.get("level")
        if error is not None and error.code == "reason_required"
        else "",
        "quick_reasons": QUICK_REASONS,
        "state_url": reverse("feedback:pad_state", kwargs={"token": token}),
        "poll_ms": POLL_MS,
    }
    return render(request, "feedback/pad_window.html", context, status=error.status if error else 200)


@never_cache
@require_GET
def pad_state(request: HttpRequest, token: str) -> JsonResponse:
    """What the pad should show now: the id of the visit waiting for its rating (or null)."""
    ticket = pads.pad_visit(_window(token))
    return JsonResponse({"ticket": ticket.pk if ticket is not None else None})
