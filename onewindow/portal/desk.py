"""The staff home page's "what is waiting for me" (待办): the counts every app answers through
``core.desk`` and the staff member's own unread inbox notices (e.g. 补正材料已提交), which can be
marked read."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from onewindow.core.actor import Actor
from onewindow.core.desk import desk_counts
from onewindow.notify.models import Notification, NotificationState
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Role

MESSAGES_SHOWN = 5
MESSAGES_PER_PAGE = 30
# who opens the case list (办件查询); the administrators of 三员分立 do not see cases
CASE_SEARCH_ROLES = {
    Role.AGENT, Role.CLERK, Role.REVIEWER, Role.CENTRE_HEAD, Role.SUPERVISOR, Role.DEPT_HEAD,
}  # fmt: skip


def _inbox(user: Any) -> Any:
    return Notification.objects.filter(user=user, channel="inbox").exclude(state=NotificationState.SKIPPED)


def _unread(user: Any) -> Any:
    return _inbox(user).filter(read_at__isnull=True)


def desk_context(actor: Actor) -> dict[str, Any]:
    """The counts of the actor's work (each linking to its list) and the newest unread messages."""
    unread = _unread(actor.user)
    return {
        "desk": desk_counts(actor),
        "desk_messages": list(unread.order_by("-created_at")[:MESSAGES_SHOWN]),
        "desk_unread": unread.count(),
    }


@staff_page()
@require_GET
def messages(request: HttpRequest) -> HttpResponse:
    """我的消息: every inbox notice of the staff member, newest first, the unread marked (opening the page
    marks nothing: "全部标为已读" does, so a notice glanced at in passing is not lost)."""
    actor = request_actor(request)
    page = Paginator(_inbox(request.user).order_by("-created_at", "-pk"), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "unread": _unread(request.user).count(),
        "can_search_cases": actor.has_any_role(CASE_SEARCH_ROLES),
    }
    return render(request, "portal/desk_messages.html", context)


@staff_page()
@require_POST
def messages_read(request: HttpRequest) -> HttpResponse:
    """Mark the staff member's inbox notices read (back to the page the button was on)."""
    _unread(request.user).update(read_at=timezone.now())
    return redirect("portal:desk_messages" if request.POST.get("next") == "messages" else "home")
