"""Outbox events and their at-least-once delivery to webhook subscribers.

- :func:`event_record` writes an event and its deliveries in the caller's transaction (the signal
  receivers in ``receivers.py`` call it) and asks the worker to deliver once the transaction commits.
- :func:`deliver_due` is what the worker runs (after commit and every minute): it claims due deliveries
  with a conditional ``update()`` (a *lease*), POSTs the signed body, and marks a delivery done only
  after a 2xx answer. Failures are retried with exponential backoff; after ``WEBHOOK_MAX_ATTEMPTS`` the
  delivery becomes a dead letter that staff can retry. A delivery claimed by a worker that died is
  claimed again once its lease has run out, so a receiver may see an event twice — always with the
  same ``X-OneWindow-Event-Id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.core import audit
from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid, NotFound
from onewindow.core.readcache import ReadCache
from onewindow.integration import conf
from onewindow.integration.models import DeliveryState, OutboxEvent, WebhookDelivery, WebhookSubscription
from onewindow.integration.selectors import delivery_list

log = logging.getLogger("onewindow.integration")

SIGNATURE_HEADER = "X-OneWindow-Signature"
EVENT_ID_HEADER = "X-OneWindow-Event-Id"
EVENT_TYPE_HEADER = "X-OneWindow-Event"


# --- recording ---------------------------------------------------------------------------------

# The active subscriptions, per process (every event asks them; they change when staff edit one):
# dropped in every process when a subscription or a jurisdiction (its path) changes (``apps.py``).
SUBSCRIPTIONS = ReadCache("integration.subscriptions")


def active_subscriptions() -> list[WebhookSubscription]:
    """What :meth:`WebhookSubscription.wants` needs of each active subscription (not its secret)."""
    return SUBSCRIPTIONS.get(
        "active",
        lambda: list(
            WebhookSubscription.objects.filter(active=True)
            .select_related("jurisdiction")
            .only("id", "event_types", "jurisdiction__path")
        ),
    )


def event_record(event_type: str, *, jurisdiction: Any = None, data: dict[str, Any]) -> OutboxEvent:
    """Write one outbox event plus a delivery per matching active subscription (caller's transaction)."""
    path = getattr(jurisdiction, "path", "") or ""
    event = OutboxEvent.objects.create(type=event_type, jurisdiction=jurisdiction, path=path, data=data)
    now = timezone.now()
    subs = [s for s in active_subscriptions() if s.wants(event_type, path)]
    if subs:
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, subscription=s, next_attempt_at=now) for s in subs]
        )
        transaction.on_commit(_enqueue_delivery)
    return event


def _enqueue_delivery() -> None:
    # deferred: ``tasks`` imports this module (the worker runs ``deliver_due``), an import cycle
    from onewindow.integration.tasks import deliver_webhooks

    try:
        deliver_webhooks()
    except Exception:  # the broker being down must not fail the request; the minute scan catches up
        log.exception("could not enqueue webhook delivery")


# --- the wire format ---------------------------------------------------------------------------


def event_body(event: OutboxEvent) -> bytes:
    """The exact bytes sent for an event (the same for every attempt and every subscriber)."""
    doc = {
        "id": str(event.id),
        "type": event.type,
        "created_at": timezone.localtime(event.created_at).isoformat(),
        "jurisdiction": event.jurisdiction.code if event.jurisdiction is not None else None,
        "data": event.data,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The ``X-OneWindow-Signature`` value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (also used by our tests): constant-time check of the signature header."""
    return hmac.compare_digest(sign(secret, body).encode(), (header or "").encode())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer, not a success: we never re-post the body elsewhere


_opener = urllib.request.build_opener(_NoRedirect)


def post_signed(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body``; return the status code (raises ``OSError`` for network errors and timeouts).

    The host is checked again at delivery (its DNS may have changed since the subscription was made):
    a loopback or private address is refused unless ``WEBHOOK_ALLOW_PRIVATE``."""
    if not private_allowed():
        address = private_address(url)
        if address is not None:
            raise OSError(f"webhook host resolves to a non-public address {address}")
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", "application/json; charset=utf-8")
    req.add_header("User-Agent", "OneWindow-Webhook/1")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with _opener.open(req, timeout=timeout) as resp:
            resp.read(65536)
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- delivering --------------------------------------------------------------------------------


def _claim(limit: int) -> list[tuple[int, dt.datetime]]:
    """Claim up to ``limit`` due deliveries; return ``(pk, lease_until)`` of those this worker won."""
    now = timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            | Q(state=DeliveryState.DELIVERING, lease_until__lt=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "state", "lease_until")[:limit]
    )
    won: list[tuple[int, dt.datetime]] = []
    lease = now + dt.timedelta(seconds=conf.webhook_lease())
    for pk, state, old_lease in list(due):
        n = WebhookDelivery.objects.filter(pk=pk, state=state, lease_until=old_lease).update(
            state=DeliveryState.DELIVERING, lease_until=lease, attempts=F("attempts") + 1
        )
        if n == 1:
            won.append((pk, lease))
    return won


def backoff(attempts: int) -> dt.timedelta:
    """Delay before attempt ``attempts + 1``: base · 2^(attempts-1), at most a day."""
    seconds = conf.webhook_backoff_base() * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(seconds, 86400))


def _attempt(pk: int, lease: dt.datetime) -> bool:
    d = WebhookDelivery.objects.select_related("event__jurisdiction", "subscription").get(pk=pk)
    body = event_body(d.event)
    headers = {
        SIGNATURE_HEADER: sign(d.subscription.secret, body),
        EVENT_ID_HEADER: str(d.event_id),
        EVENT_TYPE_HEADER: d.event.type,
        "X-OneWindow-Delivery-Attempt": str(d.attempts),
    }
    status: int | None = None
    error = ""
    try:
        status = post_signed(d.subscription.url, body, headers, conf.webhook_timeout())
    except Exception as exc:  # network error or timeout: retried
        error = f"{type(exc).__name__}: {exc}"[:500]
    mine = WebhookDelivery.objects.filter(pk=pk, state=DeliveryState.DELIVERING, lease_until=lease)
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        mine.update(
            state=DeliveryState.DONE, delivered_at=now, last_status=status, last_error="", lease_until=None
        )
        return True
    if not error:
        error = f"HTTP {status}"
    if d.attempts >= conf.webhook_max_attempts():
        mine.update(state=DeliveryState.DEAD, last_status=status, last_error=error, lease_until=None)
        log.warning("webhook delivery %s is a dead letter after %s attempts: %s", pk, d.attempts, error)
    else:
        mine.update(
            state=DeliveryState.PENDING,
            next_attempt_at=now + backoff(d.attempts),
            last_status=status,
            last_error=error,
            lease_until=None,
        )
    return False


def deliver_due(limit: int = 100) -> int:
    """Deliver what is due now; return how many were delivered (2xx)."""
    delivered = 0
    for pk, lease in _claim(limit):
        if _attempt(pk, lease):
            delivered += 1
    return delivered


def outbox_purge(days: int | None = None) -> int:
    """Delete events older than ``OUTBOX_RETENTION_DAYS`` (default 90) whose deliveries are all done
    (a dead letter or a pending delivery keeps its event). Returns the number of events deleted."""
    keep = int(days if days is not None else conf.setting_float("OUTBOX_RETENTION_DAYS", 90))
    cutoff = timezone.now() - dt.timedelta(days=keep)
    open_deliveries = WebhookDelivery.objects.exclude(state=DeliveryState.DONE).values("event_id")
    old = OutboxEvent.objects.filter(created_at__lt=cutoff).exclude(pk__in=open_deliveries)
    _total, by_model = old.delete()
    return int(by_model.get(OutboxEvent._meta.label, 0))


# --- management (API and pages) ----------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])


def _clean_types(event_types: Any) -> list[str]:
    if event_types is None:
        return []
    if not isinstance(event_types, list) or not all(isinstance(t, str) and t.strip() for t in event_types):
        raise Invalid("事件类型应为字符串列表", code="invalid", details={"event_types": ["应为字符串列表"]})
    return sorted({t.strip() for t in event_types})


def private_address(url: str) -> str | None:
    """The loopback / private / link-local / reserved address ``url``'s host is or resolves to, else
    None. A host that does not resolve now is not judged here (delivery checks again)."""
    host = (urlsplit(url).hostname or "").strip("[]")
    if not host:
        return None
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        ip = mapped or ip
        if not ip.is_global or ip.is_multicast:
            return str(ip)
    return None


def private_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE)


def _clean_url(url: str) -> str:
    try:
        _url_validator(url)
    except ValidationError:
        raise Invalid("接收地址无效", code="invalid", details={"url": ["应为 http(s) 地址"]}) from None
    if not private_allowed():
        address = private_address(url)
        if address is not None:
            raise Invalid(
                "接收地址不能指向本机、内网或链路本地地址",
                code="webhook_url_private",
                details={"url": [f"解析到 {address}（WEBHOOK_ALLOW_PRIVATE 未开启）"]},
            )
    return url


def _audit(action: str, actor: Actor, obj: str, **details: Any) -> None:
    audit.record(action, user=actor.recorded_user, obj=obj, details=details)


def subscription_create(
    *,
    actor: Actor,
    name: str,
    url: str,
    event_types: list[str] | None = None,
    jurisdiction: Any = None,
    secret: str = "",
    active: bool = True,
) -> WebhookSubscription:
    if not name.strip():
        raise Invalid("请填写名称", code="invalid", details={"name": ["必填"]})
    sub = WebhookSubscription.objects.create(
        name=name.strip(),
        url=_clean_url(url),
        secret=secret or secrets.token_urlsafe(32),
        event_types=_clean_types(event_types),
        jurisdiction=jurisdiction,
        active=active,
        created_by=actor.recorded_user,
    )
    _audit("integration.subscription_created", actor, f"webhook:{sub.pk}", url=sub.url, types=sub.event_types)
    return sub


def subscription_update(
    *, actor: Actor, subscription: WebhookSubscription, **fields: Any
) -> WebhookSubscription:
    if "name" in fields:
        if not str(fields["name"]).strip():
            raise Invalid("请填写名称", code="invalid", details={"name": ["必填"]})
        subscription.name = str(fields["name"]).strip()
    if "url" in fields:
        subscription.url = _clean_url(fields["url"])
    if "event_types" in fields:
        subscription.event_types = _clean_types(fields["event_types"])
    if "jurisdiction" in fields:
        subscription.jurisdiction = fields["jurisdiction"]
    if "active" in fields:
        subscription.active = bool(fields["active"])
    if fields.get("rotate_secret"):
        subscription.secret = secrets.token_urlsafe(32)
    subscription.save()
    changed = sorted(k for k in fields if k != "rotate_secret" or fields[k])
    _audit("integration.subscription_changed", actor, f"webhook:{subscription.pk}", fields=changed)
    return subscription


def subscription_delete(*, actor: Actor, subscription: WebhookSubscription) -> None:
    pk = subscription.pk
    subscription.delete()
    _audit("integration.subscription_deleted", actor, f"webhook:{pk}")


def delivery_retry(*, actor: Actor, pk: int) -> WebhookDelivery:
    """Put a dead letter back in the queue (a fresh round of attempts)."""
    if not delivery_list(actor=actor, state=DeliveryState.DEAD).filter(pk=pk).exists():
        raise NotFound("没有找到该死信", code="not_found")
    with transaction.atomic():
        n = WebhookDelivery.objects.filter(pk=pk, state=DeliveryState.DEAD).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None
        )
        if not n:
            raise NotFound("没有找到该死信", code="not_found")
        transaction.on_commit(_enqueue_delivery)
        _audit("integration.dead_letter_retried", actor, f"webhook_delivery:{pk}")
    return WebhookDelivery.objects.get(pk=pk)
