"""Integration: API tokens, system accounts, webhook subscriptions and their deliveries.

- ``/tokens``: every staff member manages their own tokens; ``integration.manage`` (admin) also issues
  and revokes tokens of integration accounts (``account``).
- ``/integration/accounts``: systems scoped to a jurisdiction, read-only or read-write.
- ``/webhooks``: subscriptions, deliveries (``?state=dead`` = dead letters) and retry.

Collected by ``onewindow.api.api``. Tokens and system accounts belong to the ``api`` app (the edge):
this router reaches them through :mod:`onewindow.core.apitokens`, which the api app installs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from onewindow.core import apitokens
from onewindow.core.apischemas import BodyIn, Page, PageQuery, page_of, responses, row_out
from onewindow.core.errors import Forbidden, Invalid
from onewindow.integration import selectors, services
from onewindow.integration.models import DeliveryState, WebhookDelivery, WebhookSubscription
from onewindow.org import access
from onewindow.org.actors import request_actor
from onewindow.org.apicalls import as_caller, serve
from onewindow.org.models import Jurisdiction

router = Router(tags=["对接"])


# --- tokens ------------------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user: str
    account: int | None
    read_only: bool
    state: Literal["active", "revoked", "expired"]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str


class TokenIn(BodyIn):
    name: str = ""
    days: int | None = None
    read_only: bool = False
    account: int | None = None


def _token(row: Any) -> dict[str, Any]:
    """An ``ApiToken`` row (the api app's model) as ``TokenOut``."""
    account = getattr(row.user, "integration_account", None) if hasattr(row, "user") else None
    return row_out(
        TokenOut,
        row,
        id=row.pk,
        user=row.user.get_username(),
        account=account.pk if account is not None else None,
        state=apitokens.token_state(row),
    )


@router.get("/tokens", response=responses(Page[TokenOut]), summary="我的接口令牌")
def token_list(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(as_caller(request, apitokens.token_list), q, _token)


@router.post(
    "/tokens", response=responses(TokenCreated, status=201), summary="创建接口令牌（明文只返回一次）"
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    if getattr(request, "api_token", None) is not None:
        raise Forbidden("不能用接口令牌创建新令牌，请登录后在页面上创建", code="token_cannot_mint")
    row, key = as_caller(request, apitokens.token_issue, **payload.dict())
    row = type(row).objects.select_related("user").get(pk=row.pk)
    return Status(201, {**_token(row), "token": key})


@router.post("/tokens/{token_id}/revoke", response=responses(TokenOut), summary="吊销令牌")
def token_revoke(request: HttpRequest, token_id: int) -> Any:
    return serve(request, apitokens.token_revoke, _token, pk=token_id)


@router.delete("/tokens/{token_id}", response=responses(TokenOut), summary="吊销令牌（同 revoke）")
def token_delete(request: HttpRequest, token_id: int) -> Any:
    return token_revoke(request, token_id)


# --- integration accounts ----------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    name: str
    description: str
    username: str
    jurisdiction: str
    read_only: bool
    roles: list[str]
    active: bool
    created_at: dt.datetime


class AccountIn(BodyIn):
    name: str
    jurisdiction: str
    read_only: bool = True
    roles: list[str] = ["supervisor"]
    centre: str | None = None
    description: str = ""


def _account(a: Any) -> dict[str, Any]:
    """An ``IntegrationAccount`` (the api app's model) as ``AccountOut``."""
    return row_out(
        AccountOut,
        a,
        id=a.pk,
        username=a.user.get_username(),
        jurisdiction=a.jurisdiction.code,
        roles=access.roles_of(a.user),
        active=a.user.is_active,
    )


@router.get("/integration/accounts", response=responses(Page[AccountOut]), summary="对接系统账号")
def account_list(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(as_caller(request, apitokens.account_list), q, _account)


@router.post("/integration/accounts", response=responses(AccountOut, status=201), summary="新建对接系统账号")
def account_create(request: HttpRequest, payload: AccountIn) -> Any:
    return serve(request, apitokens.account_create, _account, payload, status=201)


@router.post(
    "/integration/accounts/{account_id}/disable",
    response=responses(AccountOut),
    summary="停用对接系统账号（同时吊销其全部令牌）",
)
def account_disable(request: HttpRequest, account_id: int) -> Any:
    return serve(request, apitokens.account_disable, _account, pk=account_id)


# --- webhooks ----------------------------------------------------------------------------------


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    jurisdiction: str | None
    active: bool
    created_at: dt.datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str


class SubscriptionIn(BodyIn):
    name: str
    url: str
    event_types: list[str] = []
    jurisdiction: str | None = None
    active: bool = True


class SubscriptionPatch(BodyIn):
    name: str | None = None
    url: str | None = None
    event_types: list[str] | None = None
    jurisdiction: str | None = None
    active: bool | None = None
    rotate_secret: bool = False


def _subscription(s: WebhookSubscription, *, secret: bool = False) -> dict[str, Any]:
    return row_out(
        SubscriptionCreated if secret else SubscriptionOut,
        s,
        id=s.pk,
        event_types=list(s.event_types),
        jurisdiction=s.jurisdiction.code if s.jurisdiction is not None else None,
    )


def _jurisdiction(request: HttpRequest, code: str | None) -> Jurisdiction | None:
    if not code:
        return None
    j = Jurisdiction.objects.filter(code=code).first()
    if j is None or not access.in_scope(request_actor(request), j):
        raise Invalid(
            "区域不存在或不在您的管辖范围内", code="unknown_jurisdiction", details={"jurisdiction": ["无效"]}
        )
    return j


class DeliveryQuery(PageQuery):
    state: DeliveryState | None = None


class DeliveryOut(Schema):
    id: int
    event_id: uuid.UUID
    event_type: str
    subscription: int
    state: Literal["pending", "delivering", "done", "dead"]
    attempts: int
    next_attempt_at: dt.datetime
    last_status: int | None
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return row_out(DeliveryOut, d, id=d.pk, event_type=d.event.type, subscription=d.subscription_id)


class OutboxEventOut(Schema):
    id: uuid.UUID
    type: str
    jurisdiction: str | None
    data: dict[str, Any]
    created_at: dt.datetime


class EventQuery(PageQuery):
    type: str | None = None


def _event(e: Any) -> dict[str, Any]:
    return row_out(
        OutboxEventOut, e, jurisdiction=e.jurisdiction.code if e.jurisdiction is not None else None
    )


@router.get(
    "/events",
    response=responses(Page[OutboxEventOut]),
    summary="事件（outbox，按时间倒序；type 可用前缀 case.*）",
)
def event_list(request: HttpRequest, q: Query[EventQuery]) -> Any:
    return page_of(as_caller(request, selectors.event_list, type=q.type), q, _event)


@router.get("/webhooks", response=responses(Page[SubscriptionOut]), summary="事件订阅")
def subscription_list(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(as_caller(request, selectors.subscription_list), q, _subscription)


@router.post(
    "/webhooks", response=responses(SubscriptionCreated, status=201), summary="新建事件订阅（密钥只返回一次）"
)
def subscription_create(request: HttpRequest, payload: SubscriptionIn) -> Any:
    access.require_perm(request_actor(request), access.Perm.INTEGRATION_MANAGE)
    jurisdiction = _jurisdiction(request, payload.jurisdiction)
    fields = payload.dict() | {"jurisdiction": jurisdiction}
    return Status(201, _subscription(as_caller(request, services.subscription_create, **fields), secret=True))


@router.get("/webhooks/deliveries", response=responses(Page[DeliveryOut]), summary="推送记录/死信")
def delivery_list(request: HttpRequest, q: Query[DeliveryQuery]) -> Any:
    return page_of(as_caller(request, selectors.delivery_list, state=q.state), q, _delivery)


def _delivery_reread(d: WebhookDelivery) -> dict[str, Any]:
    return _delivery(WebhookDelivery.objects.select_related("event", "subscription").get(pk=d.pk))


@router.post(
    "/webhooks/deliveries/{delivery_id}/retry", response=responses(DeliveryOut), summary="重新推送死信"
)
def delivery_retry(request: HttpRequest, delivery_id: int) -> Any:
    return serve(request, services.delivery_retry, _delivery_reread, pk=delivery_id)


def _subscription_of(request: HttpRequest, pk: int) -> WebhookSubscription:
    return as_caller(request, selectors.subscription_get, pk=pk)


@router.get("/webhooks/{subscription_id}", response=responses(SubscriptionOut), summary="订阅详情")
def subscription_get(request: HttpRequest, subscription_id: int) -> Any:
    return _subscription(_subscription_of(request, subscription_id))


@router.patch(
    "/webhooks/{subscription_id}",
    response=responses(SubscriptionCreated | SubscriptionOut),
    summary="修改订阅（rotate_secret 换新密钥并返回）",
)
def subscription_update(request: HttpRequest, subscription_id: int, payload: SubscriptionPatch) -> Any:
    s = _subscription_of(request, subscription_id)
    fields = payload.dict(exclude_unset=True)
    if "jurisdiction" in fields:
        fields["jurisdiction"] = _jurisdiction(request, fields["jurisdiction"])
    s = as_caller(request, services.subscription_update, subscription=s, **fields)
    return _subscription(s, secret=bool(payload.rotate_secret))


@router.delete("/webhooks/{subscription_id}", response=responses(None, status=204), summary="删除订阅")
def subscription_delete(request: HttpRequest, subscription_id: int) -> Any:
    sub = _subscription_of(request, subscription_id)
    as_caller(request, services.subscription_delete, subscription=sub)
    return Status(204, None)
