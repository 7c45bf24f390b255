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
from onewindow.core.apischemas import ERRORS_AUTH, BodyIn, Page, PageQuery, page_of
from onewindow.core.errors import Forbidden, Invalid
from onewindow.integration import selectors, services
from onewindow.integration.models import DeliveryState, WebhookDelivery, WebhookSubscription
from onewindow.org import access
from onewindow.org.actors import request_actor
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
    return {
        "id": row.pk,
        "name": row.name,
        "prefix": row.prefix,
        "user": row.user.get_username(),
        "account": account.pk if account is not None else None,
        "read_only": row.read_only,
        "state": apitokens.token_state(row),
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
        "last_used_at": row.last_used_at,
    }


@router.get("/tokens", response={200: Page[TokenOut], **ERRORS_AUTH}, summary="我的接口令牌")
def token_list(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(apitokens.token_list(actor=request_actor(request)), q, _token)


@router.post("/tokens", response={201: TokenCreated, **ERRORS_AUTH}, summary="创建接口令牌（明文只返回一次）")
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    if getattr(request, "api_token", None) is not None:
        raise Forbidden("不能用接口令牌创建新令牌，请登录后在页面上创建", code="token_cannot_mint")
    row, key = apitokens.token_issue(
        actor=request_actor(request),
        name=payload.name,
        days=payload.days,
        read_only=payload.read_only,
        account=payload.account,
    )
    row = type(row).objects.select_related("user").get(pk=row.pk)
    return Status(201, {**_token(row), "token": key})


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERRORS_AUTH}, summary="吊销令牌")
def token_revoke(request: HttpRequest, token_id: int) -> Any:
    return _token(apitokens.token_revoke(actor=request_actor(request), pk=token_id))


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS_AUTH}, summary="吊销令牌（同 revoke）")
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
    return {
        "id": a.pk,
        "name": a.name,
        "description": a.description,
        "username": a.user.get_username(),
        "jurisdiction": a.jurisdiction.code,
        "read_only": a.read_only,
        "roles": access.roles_of(a.user),
        "active": a.user.is_active,
        "created_at": a.created_at,
    }


@router.get("/integration/accounts", response={200: Page[AccountOut], **ERRORS_AUTH}, summary="对接系统账号")
def account_list(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(apitokens.account_list(actor=request_actor(request)), q, _account)


@router.post("/integration/accounts", response={201: AccountOut, **ERRORS_AUTH}, summary="新建对接系统账号")
def account_create(request: HttpRequest, payload: AccountIn) -> Any:
    a = apitokens.account_create(actor=request_actor(request), **payload.dict())
    return Status(201, _account(a))


@router.post(
    "/integration/accounts/{account_id}/disable",
    response={200: AccountOut, **ERRORS_AUTH},
    summary="停用对接系统账号（同时吊销其全部令牌）",
)
def account_disable(request: HttpRequest, account_id: int) -> Any:
    return _account(apitokens.account_disable(actor=request_actor(request), pk=account_id))


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
    out: dict[str, Any] = {
        "id": s.pk,
        "name": s.name,
        "url": s.url,
        "event_types": list(s.event_types),
        "jurisdiction": s.jurisdiction.code if s.jurisdiction is not None else None,
        "active": s.active,
        "created_at": s.created_at,
    }
    if secret:
        out["secret"] = s.secret
    return out


def _jurisdiction(request: HttpRequest, code: str | None) -> Jurisdiction | None:
    if not code:
        return None
    j = Jurisdiction.objects.filter(code=code).first()
    if j is None or not access.in_scope(request_actor(request), j):
        raise Invalid(
            "区域不存在或不在您的管辖范围内", code="unknown_jurisdiction", details={"jurisdiction": ["无效"]}
        )
    return j


class DeliveryQuery(Schema):
    state: DeliveryState | None = None
    page: int = 1
    page_size: int = 50


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
    return {
        "id": d.pk,
        "event_id": d.event_id,
        "event_type": d.event.type,
        "subscription": d.subscription_id,
        "state": d.state,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at,
        "created_at": d.created_at,
    }


class OutboxEventOut(Schema):
    id: uuid.UUID
    type: str
    jurisdiction: str | None
    data: dict[str, Any]
    created_at: dt.datetime


class EventQuery(Schema):
    type: str | None = None
    page: int = 1
    page_size: int = 50


def _event(e: Any) -> dict[str, Any]:
    return {
        "id": e.id,
        "type": e.type,
        "jurisdiction": e.jurisdiction.code if e.jurisdiction is not None else None,
        "data": e.data,
        "created_at": e.created_at,
    }


@router.get(
    "/events",
    response={200: Page[OutboxEventOut], **ERRORS_AUTH},
    summary="事件（outbox，按时间倒序；type 可用前缀 case.*）",
)
def event_list(request: HttpRequest, q: Query[EventQuery]) -> Any:
    qs = selectors.event_list(actor=request_actor(request), type=q.type)
    return page_of(qs, q, _event)


@router.get("/webhooks", response={200: Page[SubscriptionOut], **ERRORS_AUTH}, summary="事件订阅")
def subscription_list(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(selectors.subscription_list(actor=request_actor(request)), q, _subscription)


@router.post(
    "/webhooks", response={201: SubscriptionCreated, **ERRORS_AUTH}, summary="新建事件订阅（密钥只返回一次）"
)
def subscription_create(request: HttpRequest, payload: SubscriptionIn) -> Any:
    access.require_perm(request_actor(request), access.Perm.INTEGRATION_MANAGE)
    s = services.subscription_create(
        actor=request_actor(request),
        name=payload.name,
        url=payload.url,
        event_types=payload.event_types,
        jurisdiction=_jurisdiction(request, payload.jurisdiction),
        active=payload.active,
    )
    return Status(201, _subscription(s, secret=True))


@router.get("/webhooks/deliveries", response={200: Page[DeliveryOut], **ERRORS_AUTH}, summary="推送记录/死信")
def delivery_list(request: HttpRequest, q: Query[DeliveryQuery]) -> Any:
    qs = selectors.delivery_list(actor=request_actor(request), state=q.state)
    return page_of(qs, q, _delivery)


@router.post(
    "/webhooks/deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **ERRORS_AUTH},
    summary="重新推送死信",
)
def delivery_retry(request: HttpRequest, delivery_id: int) -> Any:
    d = services.delivery_retry(actor=request_actor(request), pk=delivery_id)
    return _delivery(WebhookDelivery.objects.select_related("event", "subscription").get(pk=d.pk))


@router.get("/webhooks/{subscription_id}", response={200: SubscriptionOut, **ERRORS_AUTH}, summary="订阅详情")
def subscription_get(request: HttpRequest, subscription_id: int) -> Any:
    return _subscription(selectors.subscription_get(actor=request_actor(request), pk=subscription_id))


@router.patch(
    "/webhooks/{subscription_id}",
    response={200: SubscriptionCreated | SubscriptionOut, **ERRORS_AUTH},
    summary="修改订阅（rotate_secret 换新密钥并返回）",
)
def subscription_update(request: HttpRequest, subscription_id: int, payload: SubscriptionPatch) -> Any:
    s = selectors.subscription_get(actor=request_actor(request), pk=subscription_id)
    fields = payload.dict(exclude_unset=True)
    if "jurisdiction" in fields:
        fields["jurisdiction"] = _jurisdiction(request, fields["jurisdiction"])
    s = services.subscription_update(actor=request_actor(request), subscription=s, **fields)
    return _subscription(s, secret=bool(payload.rotate_secret))


@router.delete("/webhooks/{subscription_id}", response={204: None, **ERRORS_AUTH}, summary="删除订阅")
def subscription_delete(request: HttpRequest, subscription_id: int) -> Any:
    sub = selectors.subscription_get(actor=request_actor(request), pk=subscription_id)
    services.subscription_delete(actor=request_actor(request), subscription=sub)
    return Status(204, None)
