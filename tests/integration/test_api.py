"""Webhook subscriptions and dead letters through the API and the pages (admin only)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.core.actor import system
from onewindow.integration import services
from onewindow.integration.models import DeliveryState, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_admin_manages_subscriptions_via_api(world: Any, login: Any) -> None:
    c = login("admin")
    r = c.post(
        "/api/v1/webhooks",
        {
            "name": "省平台",
            "url": "https://example.org/hook",
            "event_types": ["case.*"],
            "jurisdiction": "152522100000",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert len(body["secret"]) >= 32 and body["jurisdiction"] == "152522100000"
    sid = body["id"]
    listed = c.get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    r = c.patch(
        f"/api/v1/webhooks/{sid}", {"active": False, "rotate_secret": True}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["secret"] != body["secret"]
    r = c.post("/api/v1/webhooks", {"name": "x", "url": "ftp://nope"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["details"]["url"]
    assert c.delete(f"/api/v1/webhooks/{sid}").status_code == 204
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "supervisor", "agent", "outsider"])
def test_non_admins_cannot_touch_webhooks(world: Any, login: Any, who: str) -> None:
    c = login(who)
    assert c.get("/api/v1/webhooks").status_code == 403
    r = c.post("/api/v1/webhooks", {"name": "x", "url": "https://e.org/"}, content_type="application/json")
    assert r.status_code == 403
    assert c.get("/integration/").status_code == 403
    assert c.get("/integration/dead-letters/").status_code == 403


def test_dead_letters_listed_and_retried_via_api(world: Any, login: Any) -> None:
    sub = services.subscription_create(actor=system(), name="t", url="http://127.0.0.1:9/")
    ev = services.event_record("case.accept", jurisdiction=world["ta"], data={})
    WebhookDelivery.objects.filter(event=ev).update(
        state=DeliveryState.DEAD, attempts=8, last_error="HTTP 500"
    )
    c = login("admin")
    page = c.get("/api/v1/webhooks/deliveries?state=dead").json()
    assert page["count"] == 1 and page["items"][0]["event_id"] == str(ev.id)
    did = page["items"][0]["id"]
    r = c.post(f"/api/v1/webhooks/deliveries/{did}/retry")
    assert r.status_code == 200 and r.json()["state"] == "pending" and r.json()["attempts"] == 0
    assert c.post(f"/api/v1/webhooks/deliveries/{did}/retry").status_code == 404  # no longer dead
    assert sub.deliveries.count() == 1


def test_subscription_page_creates_and_shows_secret_once(world: Any, login: Any) -> None:
    c = login("admin")
    r = c.post(
        "/integration/",
        {"name": "旗平台", "url": "https://example.org/in", "event_types": "case.*，ticket.called"},
    )
    assert r.status_code == 200
    sub = WebhookSubscription.objects.get()
    assert sub.event_types == ["case.*", "ticket.called"]
    assert sub.secret in r.content.decode()
    assert sub.secret not in c.get("/integration/").content.decode()
    c.post(f"/integration/subscriptions/{sub.pk}/toggle/")
    sub.refresh_from_db()
    assert sub.active is False


def test_demo_seed_is_idempotent_and_sends_nothing(world: Any) -> None:
    from onewindow.demo.integration import seed_demo

    seed_demo()
    seed_demo()
    sub = WebhookSubscription.objects.get()
    assert sub.active is False
    services.event_record("case.accept", jurisdiction=world["ta"], data={})
    assert not WebhookDelivery.objects.exists()


def test_events_are_listed_for_admins_in_scope(world: Any, login: Any) -> None:
    services.event_record("case.accept", jurisdiction=world["ta"], data={"number": "A"})
    services.event_record("ticket.called", jurisdiction=world["tb"], data={"number": "B"})
    c = login("admin")
    page = c.get("/api/v1/events?type=case.*").json()
    assert page["count"] == 1 and page["items"][0]["data"] == {"number": "A"}
    assert c.get("/api/v1/events").json()["count"] == 2
    assert login("clerk").get("/api/v1/events").status_code == 403


def test_outbox_purge_keeps_undelivered_events(world: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from onewindow.integration.models import OutboxEvent

    services.subscription_create(actor=system(), name="t", url="http://127.0.0.1:9/")
    done = services.event_record("case.accept", jurisdiction=world["ta"], data={})
    dead = services.event_record("case.accept", jurisdiction=world["ta"], data={})
    fresh = services.event_record("case.accept", jurisdiction=world["ta"], data={})
    WebhookDelivery.objects.filter(event=done).update(state=DeliveryState.DONE)
    WebhookDelivery.objects.filter(event=dead).update(state=DeliveryState.DEAD)
    WebhookDelivery.objects.filter(event=fresh).update(state=DeliveryState.DONE)
    old = timezone.now() - dt.timedelta(days=91)
    OutboxEvent.objects.filter(pk__in=[done.pk, dead.pk]).update(created_at=old)
    assert services.outbox_purge() == 1
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {dead.pk, fresh.pk}


def test_management_actions_are_audited(world: Any, login: Any) -> None:
    from onewindow.security.models import AuditEntry

    c = login("admin")
    sid = c.post(
        "/api/v1/webhooks", {"name": "a", "url": "https://e.org/h"}, content_type="application/json"
    ).json()["id"]
    c.patch(f"/api/v1/webhooks/{sid}", {"rotate_secret": True}, content_type="application/json")
    c.delete(f"/api/v1/webhooks/{sid}")
    tid = c.post("/api/v1/tokens", {"name": "t"}, content_type="application/json").json()["id"]
    c.post(f"/api/v1/tokens/{tid}/revoke")
    actions = list(
        AuditEntry.objects.filter(action__startswith="integration.")
        .order_by("pk")  # appended in order; the worker assigns seq later
        .values_list("action", "obj")
    )
    assert actions == [
        ("integration.subscription_created", f"webhook:{sid}"),
        ("integration.subscription_changed", f"webhook:{sid}"),
        ("integration.subscription_deleted", f"webhook:{sid}"),
        ("integration.token_created", f"token:{tid}"),
        ("integration.token_revoked", f"token:{tid}"),
    ]


def test_subscription_secret_is_encrypted_at_rest(world: Any) -> None:
    from django.db import connection

    sub = services.subscription_create(
        actor=system(), name="t", url="https://e.org/h", secret="plain-secret-123"
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT secret FROM {WebhookSubscription._meta.db_table} WHERE id = %s", [sub.pk])
        stored = cur.fetchone()[0]
    assert "plain-secret-123" not in stored
    assert WebhookSubscription.objects.get(pk=sub.pk).secret == "plain-secret-123"
