"""Reads for the integration pages and API (all require ``integration.manage``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.integration.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from onewindow.org import access
from onewindow.org.access import Perm


def _in_scope(actor: Actor, field: str) -> Q:
    """Objects without a jurisdiction are county-wide: only a county-level manager sees them."""
    roots = access.scope_roots(actor)
    q = access.scope_q(actor, f"{field}__path")
    if any(r.parent_id is None for r in roots):
        q |= Q(**{f"{field}__isnull": True})
    return q


def subscription_list(*, actor: Actor) -> QuerySet[WebhookSubscription]:
    access.require_perm(actor, Perm.INTEGRATION_MANAGE)
    return WebhookSubscription.objects.filter(_in_scope(actor, "jurisdiction")).select_related("jurisdiction")


def subscription_get(*, actor: Actor, pk: int) -> WebhookSubscription:
    sub = subscription_list(actor=actor).filter(pk=pk).first()
    if sub is None:
        raise NotFound("没有找到该订阅", code="not_found")
    return sub


def delivery_list(*, actor: Actor, state: str | None = None) -> QuerySet[WebhookDelivery]:
    subs = subscription_list(actor=actor)
    qs = WebhookDelivery.objects.filter(subscription__in=subs).select_related("event", "subscription")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def event_list(*, actor: Actor, type: str | None = None) -> QuerySet[OutboxEvent]:
    access.require_perm(actor, Perm.INTEGRATION_MANAGE)
    roots = access.scope_roots(actor)
    q = Q(pk__in=[])
    for r in roots:
        q |= Q(path__startswith=r.path)
    if any(r.parent_id is None for r in roots):
        q |= Q(path="")
    qs = OutboxEvent.objects.filter(q).select_related("jurisdiction")
    if type:
        qs = qs.filter(type__startswith=type.rstrip("*")) if type.endswith("*") else qs.filter(type=type)
    return qs.order_by("-created_at")
