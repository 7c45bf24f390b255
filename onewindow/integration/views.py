"""Staff pages: my API tokens, system accounts, webhook subscriptions and dead letters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onewindow.core import apitokens
from onewindow.core.errors import DomainError, Invalid
from onewindow.integration import selectors, services
from onewindow.integration.models import DeliveryState
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Jurisdiction

ERR = "integration/error.html"


def _ctx(request: HttpRequest, **kw: Any) -> dict[str, Any]:
    return {"can_manage": access.has_perm(request_actor(request), Perm.INTEGRATION_MANAGE), **kw}


def _days(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Invalid("有效天数应为整数", code="invalid", details={"days": ["应为整数"]})
    return int(raw)


@staff_page(error_template=ERR)
def token_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    new_key = ""
    if request.method == "POST":
        try:
            account = request.POST.get("account") or None
            _row, new_key = apitokens.token_issue(
                actor=actor,
                name=request.POST.get("name", ""),
                days=_days(request.POST.get("days", "")),
                read_only=bool(request.POST.get("read_only")),
                account=int(account) if account and account.isdigit() else None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    tokens = apitokens.token_list(actor=actor)
    accounts = apitokens.account_list(actor=actor) if access.has_perm(actor, Perm.INTEGRATION_MANAGE) else []
    rows = [(t, apitokens.token_state(t)) for t in tokens[:200]]
    return render(
        request, "integration/tokens.html", _ctx(request, rows=rows, new_key=new_key, accounts=accounts)
    )


@staff_page(error_template=ERR)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    row = apitokens.token_revoke(actor=actor, pk=pk)
    messages.success(request, f"令牌 {row.prefix}… 已吊销，立即失效")
    return redirect("integration:tokens")


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
def account_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        try:
            acc = apitokens.account_create(
                actor=actor,
                name=request.POST.get("name", ""),
                jurisdiction=request.POST.get("jurisdiction", ""),
                read_only=request.POST.get("mode", "read_only") == "read_only",
                roles=request.POST.getlist("roles") or None,
                centre=request.POST.get("centre") or None,
                description=request.POST.get("description", ""),
            )
            messages.success(request, f"已新建对接系统账号“{acc.name}”，请在“接口令牌”中为其创建令牌")
            return redirect("integration:accounts")
        except DomainError as exc:
            messages.error(request, exc.message)
    accounts = apitokens.account_list(actor=actor)
    jurisdictions = access.scope(actor, Jurisdiction.objects.order_by("path"), "path")
    return render(
        request,
        "integration/accounts.html",
        _ctx(
            request,
            accounts=accounts,
            jurisdictions=jurisdictions,
            roles=apitokens.account_roles(),
        ),
    )


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
@require_POST
def account_disable(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    acc = apitokens.account_disable(actor=actor, pk=pk)
    messages.success(request, f"已停用“{acc.name}”并吊销其全部令牌")
    return redirect("integration:accounts")


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
def subscription_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    created = None
    if request.method == "POST":
        try:
            code = request.POST.get("jurisdiction") or ""
            j = Jurisdiction.objects.filter(code=code).first() if code else None
            if code and (j is None or not access.in_scope(actor, j)):
                raise Invalid("区域不存在或不在您的管辖范围内", code="unknown_jurisdiction")
            types = [t.strip() for t in request.POST.get("event_types", "").replace("，", ",").split(",")]
            created = services.subscription_create(
                actor=actor,
                name=request.POST.get("name", ""),
                url=request.POST.get("url", "").strip(),
                event_types=[t for t in types if t],
                jurisdiction=j,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    subs = selectors.subscription_list(actor=actor)
    dead = selectors.delivery_list(actor=actor, state=DeliveryState.DEAD).count()
    jurisdictions = access.scope(actor, Jurisdiction.objects.order_by("path"), "path")
    return render(
        request,
        "integration/subscriptions.html",
        _ctx(request, subs=subs, created=created, dead=dead, jurisdictions=jurisdictions),
    )


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
@require_POST
def subscription_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    sub = selectors.subscription_get(actor=actor, pk=pk)
    services.subscription_update(actor=actor, subscription=sub, active=not sub.active)
    messages.success(request, f"订阅“{sub.name}”已{'启用' if sub.active else '停用'}")
    return redirect("integration:subscriptions")


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    sub = selectors.subscription_get(actor=actor, pk=pk)
    services.subscription_delete(actor=actor, subscription=sub)
    messages.success(request, f"订阅“{sub.name}”已删除")
    return redirect("integration:subscriptions")


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
def dead_letters(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    qs = selectors.delivery_list(actor=actor, state=DeliveryState.DEAD)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "integration/dead_letters.html", _ctx(request, page=page))


@staff_page(perm=Perm.INTEGRATION_MANAGE, error_template=ERR)
@require_POST
def dead_letter_retry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    services.delivery_retry(actor=actor, pk=pk)
    messages.success(request, "已重新排队推送")
    return redirect("integration:dead_letters")
