"""Outbox events and their signed, retried, at-least-once delivery to a real local HTTP receiver."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from onewindow.integration import services
from onewindow.integration.models import DeliveryState, OutboxEvent, WebhookDelivery, WebhookSubscription
from onewindow.org.actors import actor_of
from onewindow.org.models import Jurisdiction
from tests.cases.conftest import intake, user
from tests.integration.receiver import running_receiver

pytestmark = pytest.mark.django_db(transaction=False)


def _sub(url: str, **kw: Any) -> WebhookSubscription:
    return services.subscription_create(actor=actor_of(user("admin")), name="上级平台", url=url, **kw)


def _make_due() -> None:
    WebhookDelivery.objects.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now())


def test_case_intake_writes_outbox_event_in_the_same_transaction(world: Any, today: Any) -> None:
    case = intake()
    ev = OutboxEvent.objects.filter(data__number=case.number).order_by("created_at").last()
    assert ev is not None
    assert ev.type.startswith("case.")
    assert ev.data["state_to"] == case.state
    assert ev.jurisdiction == world["ta"]
    body = json.dumps(ev.data, ensure_ascii=False)
    assert "巴特尔" not in body and "13912345678" not in body  # no personal data in events

    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        intake()
        assert OutboxEvent.objects.count() > before
        raise RuntimeError("roll back")
    assert OutboxEvent.objects.count() == before  # rolled back together with the case


def test_subscription_scope_and_event_types(world: Any) -> None:
    ta = Jurisdiction.objects.get(code="152522100000")
    tb = Jurisdiction.objects.get(code="152522200000")
    all_sub = _sub("http://127.0.0.1:9/a")
    a_cases = _sub("http://127.0.0.1:9/b", jurisdiction=ta, event_types=["case.*"])
    tickets = _sub("http://127.0.0.1:9/c", event_types=["ticket.called"])
    off = _sub("http://127.0.0.1:9/d", active=False)
    e1 = services.event_record("case.accept", jurisdiction=ta, data={})
    e2 = services.event_record("case.accept", jurisdiction=tb, data={})
    e3 = services.event_record("ticket.called", jurisdiction=tb, data={})
    got = {
        e: set(WebhookDelivery.objects.filter(event=e).values_list("subscription_id", flat=True))
        for e in (e1, e2, e3)
    }
    assert got[e1] == {all_sub.pk, a_cases.pk}
    assert got[e2] == {all_sub.pk}
    assert got[e3] == {all_sub.pk, tickets.pk}
    assert not WebhookDelivery.objects.filter(subscription=off).exists()


def test_delivery_is_signed_and_the_receiver_verifies_it(world: Any) -> None:
    with running_receiver() as rec:
        sub = _sub(rec.url)
        ev = services.event_record(
            "case.accept", jurisdiction=world["ta"], data={"number": "X1", "名": "中文"}
        )
        assert services.deliver_due() == 1
    assert len(rec.requests) == 1
    req = rec.requests[0]
    assert req.headers["x-onewindow-event-id"] == str(ev.id)
    assert req.headers["x-onewindow-signature"].startswith("sha256=")
    # the receiver's side: recompute the HMAC over the raw body with the shared secret
    assert services.verify(sub.secret, req.body, req.headers["x-onewindow-signature"])
    assert not services.verify("wrong-secret", req.body, req.headers["x-onewindow-signature"])
    assert not services.verify(sub.secret, req.body + b" ", req.headers["x-onewindow-signature"])
    doc = json.loads(req.body)
    assert doc["id"] == str(ev.id) and doc["type"] == "case.accept" and doc["data"]["名"] == "中文"
    d = WebhookDelivery.objects.get(event=ev)
    assert d.state == DeliveryState.DONE and d.attempts == 1 and d.last_status == 200


def test_500_is_retried_with_backoff_then_delivered(world: Any) -> None:
    with running_receiver(script=[500]) as rec:
        _sub(rec.url)
        ev = services.event_record("case.accept", jurisdiction=world["ta"], data={})
        t0 = timezone.now()
        assert services.deliver_due() == 0
        d = WebhookDelivery.objects.get(event=ev)
        assert d.state == DeliveryState.PENDING and d.attempts == 1 and d.last_status == 500
        assert d.next_attempt_at >= t0 + dt.timedelta(seconds=29)  # backoff: not retried at once
        assert services.deliver_due() == 0 and len(rec.requests) == 1
        _make_due()
        assert services.deliver_due() == 1
    d.refresh_from_db()
    assert d.state == DeliveryState.DONE and d.attempts == 2
    assert [r.headers["x-onewindow-event-id"] for r in rec.requests] == [str(ev.id)] * 2
    assert services.backoff(1) == dt.timedelta(seconds=30)
    assert services.backoff(3) == dt.timedelta(seconds=120)


@override_settings(WEBHOOK_TIMEOUT=0.5)
def test_receiver_timeout_is_a_failed_attempt(world: Any) -> None:
    with running_receiver(delay=2.0) as rec:
        _sub(rec.url)
        ev = services.event_record("case.accept", jurisdiction=world["ta"], data={})
        assert services.deliver_due() == 0
    d = WebhookDelivery.objects.get(event=ev)
    assert d.state == DeliveryState.PENDING
    assert d.attempts == 1
    assert d.last_status is None and "timed out" in d.last_error.lower()


@override_settings(WEBHOOK_MAX_ATTEMPTS=2)
def test_dead_letter_after_max_attempts_and_retry(world: Any, login: Any) -> None:
    with running_receiver(default=503) as rec:
        _sub(rec.url)
        ev = services.event_record("case.accept", jurisdiction=world["ta"], data={})
        services.deliver_due()
        _make_due()
        services.deliver_due()
        d = WebhookDelivery.objects.get(event=ev)
        assert d.state == DeliveryState.DEAD and d.attempts == 2
        _make_due()
        assert services.deliver_due() == 0 and len(rec.requests) == 2  # dead letters wait for a human

        client = login("admin")
        page = client.get("/integration/dead-letters/")
        assert page.status_code == 200 and str(ev.id) in page.content.decode()
        rec.default = 200
        r = client.post(f"/integration/dead-letters/{d.pk}/retry/")
        assert r.status_code == 302
        d.refresh_from_db()
        assert d.state == DeliveryState.PENDING and d.attempts == 0
        assert services.deliver_due() == 1
    d.refresh_from_db()
    assert d.state == DeliveryState.DONE


def test_expired_lease_is_reclaimed_but_a_live_one_is_not(world: Any) -> None:
    with running_receiver() as rec:
        _sub(rec.url)
        ev = services.event_record("case.accept", jurisdiction=world["ta"], data={})
        # a worker claimed it and died: state delivering with a lease in the future → not touched
        WebhookDelivery.objects.filter(event=ev).update(
            state=DeliveryState.DELIVERING, attempts=1, lease_until=timezone.now() + dt.timedelta(minutes=1)
        )
        assert services.deliver_due() == 0 and rec.requests == []
        WebhookDelivery.objects.filter(event=ev).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
        assert services.deliver_due() == 1
    d = WebhookDelivery.objects.get(event=ev)
    assert d.state == DeliveryState.DONE and d.attempts == 2


def test_a_late_answer_of_an_overtaken_worker_does_not_overwrite(world: Any) -> None:
    """Claims are conditional: only the holder of the current lease may record the outcome."""
    with running_receiver() as rec:
        _sub(rec.url)
        ev = services.event_record("case.accept", jurisdiction=world["ta"], data={})
        claimed = services._claim(10)
        assert len(claimed) == 1
        assert services._claim(10) == []  # a second worker gets nothing while the lease runs
        pk, lease = claimed[0]
        WebhookDelivery.objects.filter(pk=pk).update(lease_until=lease + dt.timedelta(seconds=5))
        assert services._attempt(pk, lease) is True  # the POST happened …
    d = WebhookDelivery.objects.get(event=ev)
    assert d.state == DeliveryState.DELIVERING  # … but the newer lease holder records the result
    assert len(rec.requests) == 1


def test_ticket_called_becomes_an_event(world: Any) -> None:
    from unittest import mock

    from onewindow.org.models import Window
    from onewindow.queueing import services as q

    open_at = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with mock.patch("onewindow.queueing.services.local_now", return_value=open_at):
        q.ticket_issue(centre="C-A", category="comprehensive")
        assert not OutboxEvent.objects.filter(type__startswith="ticket.").exists()  # issued: no event
        w1 = Window.objects.get(centre__code="C-A", number=1)
        t = q.ticket_call_next(actor=actor_of(user("clerk")), window=w1.pk)
    ev = OutboxEvent.objects.get(type="ticket.called")
    assert ev.data["number"] == t.number and ev.data["centre"] == "C-A" and ev.data["window"] == w1.pk


class Obj:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


def test_rating_proxy_and_complaint_receivers(world: Any) -> None:
    """The receivers read only the contract fields (see common interfaces) of the other apps' models."""
    from onewindow.integration import receivers
    from onewindow.org.models import Centre

    centre = Centre.objects.get(code="C-A")
    rating = Obj(
        pk=7,
        centre=centre,
        case=None,
        level=5,
        channel="sms",
        is_default=False,
        voided=False,
        created_at=None,
    )
    receivers.on_rating_changed(sender=object, rating=rating, action="created")
    ev = OutboxEvent.objects.get(type="rating.created")
    assert ev.path == centre.jurisdiction.path and ev.data["level"] == 5
    complaint = Obj(
        number="TS1",
        category="attitude",
        state="open",
        centre=centre,
        jurisdiction=centre.jurisdiction,
        created_at=timezone.now(),
        closed_at=None,
    )
    receivers.on_complaint_event(sender=object, complaint=complaint, action="created")
    assert OutboxEvent.objects.get(type="complaint.created").data["number"] == "TS1"
    village = Jurisdiction.objects.get(code="152522100201")
    req = Obj(pk=3, state="submitted", item=None, village=village, case=None)
    receivers.on_proxy_event(sender=object, request=req, action="submitted")
    ev = OutboxEvent.objects.get(type="proxy.submitted")
    assert ev.data["village"] == "152522100201" and ev.path == village.path
