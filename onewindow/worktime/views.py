"""工作日历 page (system administrator): the status of this year and next, and loading next year from the
text of the State Council's notice — parse, show the year with its differences from the provisional
calendar, load on confirmation (which recomputes the provisional deadlines in the same transaction)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import Invalid
from onewindow.core.staffpage import page_actor, staff_page
from onewindow.worktime.notice import parse_notice
from onewindow.worktime.services import calendar_load_notice
from onewindow.worktime.status import differences, notice_grid, year_status

MAX_TEXT = 20000
ADMIN_ONLY = staff_page(roles=["admin"], error_template="worktime/error.html")


def _year_field(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2099:
        raise Invalid("年份应为 2000–2099 的四位数字", code="invalid", details={"year": ["无效"]})
    return int(raw)


def _text(request: HttpRequest) -> str:
    text = request.POST.get("text", "")
    if not text.strip():
        raise Invalid("请粘贴通知全文", code="invalid", details={"text": ["必填"]})
    if len(text) > MAX_TEXT:
        raise Invalid(f"通知全文过长（上限 {MAX_TEXT} 字）", code="invalid", details={"text": ["过长"]})
    return text


@ADMIN_ONLY
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, object] = {
        "years": [year_status(y) for y in (today.year, today.year + 1)],
        "text": request.POST.get("text", ""),
        "year": request.POST.get("year", ""),
    }
    status = 200
    if request.method == "POST":
        try:
            notice = parse_notice(_text(request), year=_year_field(request.POST.get("year", "")))
        except Invalid as exc:
            context["error"] = exc
            status = 422
        else:
            diffs = differences(notice)
            context.update(
                notice=notice,
                months=notice_grid(notice),
                diffs=diffs,
                current=year_status(notice.year),
            )
    return render(request, "worktime/calendar.html", context, status=status)


@ADMIN_ONLY
@require_POST
def calendar_confirm(request: HttpRequest) -> HttpResponse:
    try:
        result = calendar_load_notice(
            actor=page_actor(request), text=_text(request), year=_year_field(request.POST.get("year", ""))
        )
    except Invalid as exc:
        today = timezone.localdate()
        context = {
            "years": [year_status(y) for y in (today.year, today.year + 1)],
            "text": request.POST.get("text", ""),
            "year": request.POST.get("year", ""),
            "error": exc,
        }
        return render(request, "worktime/calendar.html", context, status=422)
    messages.success(
        request,
        f"已导入{result.year}年节假日安排（{len(result.rows())}条），"
        f"重新核定了{result.recomputed}件办件的暂定办结期限，其中{result.moved}件期限有变化并已通知申请人。",
    )
    return redirect("worktime:calendar")
