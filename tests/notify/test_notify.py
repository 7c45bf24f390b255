"""Notifications: templates, per-resident preferences, backends (a real local SMS gateway, locmem
e-mail, webhook), case-state notices to the applicant, reminders delivered by the periodic task."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from onewindow.notify import services
from onewindow.notify.models import Notification, NotificationState, NotifyPreference
from onewindow.notify.tasks import deliver_notification, send_reminders
from onewindow.org.actors import actor_of
from tests.cases.conftest import intake, user
from tests.integration.receiver import running_receiver

pytestmark = pytest.mark.django_db

NEW_TEMPLATES = [
    "accepted",
    "correction_needed",
    "ready",
    "deadline_reminder",
    "rating_invitation",
    "appointment_reminder",
]


def act(username: str, number: str, action: str, **kw: Any) -> Any:
    from onewindow.cases.services import case_transition

    return case_transition(actor=actor_of(user(username)), number=number, action=action, **kw)


@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_templates_are_chinese_and_render_without_all_values(template: str) -> None:
    subject, body = services.render(template, {"number": "N1", "item": "最低生活保障申请"})
    assert body.startswith("【一窗通办】") and subject
    assert "{" not in body  # a missing value never raises, it renders empty


def test_sms_via_http_gateway(world: Any) -> None:
    with (
        running_receiver() as gw,
        override_settings(
            NOTIFY_BACKENDS={"sms": "sms_http"},
            NOTIFY_SMS_URL=gw.url,
            NOTIFY_SMS_BODY='{"mobile": "{phone}", "content": "{text}", "sign": "一窗通办"}',
            NOTIFY_SMS_HEADERS={"X-Api-Key": "k-123"},
        ),
    ):
        n = services.notify(
            "accepted",
            to="13912345678",
            context={"number": "N1", "item": "低保", "deadline": "2026-10-20"},
        )
        deliver_notification.call_local(n.pk)
    n.refresh_from_db()
    assert n.state == NotificationState.SENT and n.attempts == 1 and n.sent_at
    req = gw.requests[0]
    assert req.headers["x-api-key"] == "k-123"
    doc = json.loads(req.body)
    assert doc["mobile"] == "13912345678" and "N1" in doc["content"] and doc["sign"] == "一窗通办"


def test_sms_gateway_failure_is_recorded_and_retried(world: Any) -> None:
    with (
        running_receiver(script=[500]) as gw,
        override_settings(NOTIFY_BACKENDS={"sms": "sms_http"}, NOTIFY_SMS_URL=gw.url),
    ):
        n = services.notify("ready", to="13912345678", context={"number": "N2"})
        with pytest.raises(Exception, match="HTTP 500"):
            deliver_notification.call_local(n.pk)
        n.refresh_from_db()
        assert n.state == NotificationState.FAILED and n.attempts == 1 and "500" in n.error
        deliver_notification.call_local(n.pk)  # what huey's retry does
    n.refresh_from_db()
    assert n.state == NotificationState.SENT and n.attempts == 2 and n.error == ""


@override_settings(
    NOTIFY_BACKENDS={"email": "email"},
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    NOTIFY_EMAIL_FROM="noreply@onewindow.example",
)
def test_email_via_django_mail(world: Any) -> None:
    n = services.notify(
        "ready",
        channel="email",
        to="a@example.org",
        context={"number": "N3", "item": "低保", "centre": "甲镇便民服务中心"},
    )
    deliver_notification.call_local(n.pk)
    assert len(mail.outbox) == 1
    m = mail.outbox[0]
    assert m.to == ["a@example.org"] and m.subject == "办理结果可领取" and "N3" in m.body
    assert m.from_email == "noreply@onewindow.example"


def test_webhook_backend_is_signed(world: Any) -> None:
    with (
        running_receiver() as rec,
        override_settings(
            NOTIFY_BACKENDS={"sms": "webhook"}, NOTIFY_WEBHOOK_URL=rec.url, NOTIFY_WEBHOOK_SECRET="s"
        ),
    ):
        n = services.notify("ready", to="13912345678", context={"number": "N4"})
        deliver_notification.call_local(n.pk)
    req = rec.requests[0]
    expected = "sha256=" + hmac.new(b"s", req.body, hashlib.sha256).hexdigest()
    assert req.headers["x-onewindow-signature"] == expected
    assert json.loads(req.body)["template"] == "ready"


def test_backend_mapping_from_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("NOTIFY_BACKENDS", "sms=sms_http, email=email")
    assert services.backend_for("sms") == "sms_http"
    assert services.backend_for("email") == "email"
    assert services.backend_for("inbox") == "console"


def test_notify_is_queued_until_commit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = services.notify("ready", to="13912345678", context={"number": "N5"})
    assert n.state == NotificationState.QUEUED and len(callbacks) == 1  # delivery waits for the commit


def test_resident_preference_turns_a_channel_off(
    world: Any, today: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = intake()
    resident = case.applicant
    NotifyPreference.objects.create(resident=resident, sms=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = services.notify("ready", to="13912345678", resident=resident, context={"number": case.number})
        inbox = services.notify("ready", channel="inbox", resident=resident, context={"number": case.number})
    assert n.state == NotificationState.SKIPPED and callbacks == []
    assert Notification.objects.get(pk=inbox.pk).state == NotificationState.SENT
    otp = services.notify("otp", to="13912345678", resident=resident, context={"code": "1", "minutes": 5})
    assert otp.state == NotificationState.QUEUED  # a login code is not a notice: always sent


def _sms_for(number: str) -> list[Notification]:
    return list(Notification.objects.filter(case_number=number, channel="sms").order_by("pk"))


def test_applicant_is_told_of_each_state_change(world: Any, today: Any) -> None:
    case = intake()
    assert [n.template for n in _sms_for(case.number)] == ["accepted"]
    first = _sms_for(case.number)[0]
    assert first.recipient == "13912345678" and case.number in first.body and "最低生活保障" in first.body
    act("reviewer", case.number, "approve", note="符合条件")
    act("clerk", case.number, "ready")
    act("clerk", case.number, "deliver", to="window", signed_by="巴特尔")
    assert [n.template for n in _sms_for(case.number)] == ["accepted", "ready", "rating_invitation"]


@override_settings(NOTIFY_SITE_URL="https://ow.example.gov.cn")
def test_rating_invitation_links_to_the_rating_page(world: Any, today: Any, client: Any) -> None:
    case = intake()
    act("reviewer", case.number, "approve")
    act("clerk", case.number, "ready")
    act("clerk", case.number, "deliver", to="window", signed_by="巴特尔")
    inv = _sms_for(case.number)[-1]
    assert inv.template == "rating_invitation"
    from django.urls import reverse

    url = f"https://ow.example.gov.cn{reverse('feedback:rate')}?number={case.number}&channel=sms"
    assert url in inv.body
    # the link opens the rating page as 短信评价, the number filled in; the check code is asked for
    page = client.get(url.removeprefix("https://ow.example.gov.cn"))
    html = page.content.decode()
    assert page.status_code == 200 and case.number in html and 'value="sms"' in html


def test_rating_invitation_without_a_site_url_says_where_to_rate(world: Any, today: Any) -> None:
    from onewindow.cases.notices import rating_url

    assert "评价" in rating_url("X1") and "http" not in rating_url("X1")


def test_correction_notice_lists_missing_materials(world: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    assert case.state == "correction_needed"
    (n,) = _sms_for(case.number)
    assert n.template == "correction_needed" and "请一次性补齐" in n.body
    missing_names = [m["name"] for m in case.notice.get("missing", [])]
    assert missing_names and all(name in n.body for name in missing_names)


def test_case_reminders_go_to_the_centre_staff_once(world: Any, today: Any) -> None:
    from onewindow.cases.models import CaseReminder

    case = intake()
    r = CaseReminder.objects.create(case=case, kind="red", state=case.state)
    out = send_reminders.call_local()
    assert out["cases"] == 1
    r.refresh_from_db()
    assert r.sent_at is not None
    notes = Notification.objects.filter(template="deadline_reminder", case_number=case.number)
    clerk = user("clerk")
    assert {n.channel for n in notes} == {"inbox", "sms"} and all(n.user == clerk for n in notes)
    assert notes.get(channel="sms").recipient == "13800000001" and "已超过办结期限" in notes.first().body
    assert send_reminders.call_local()["cases"] == 0  # idempotent


def test_case_reminder_goes_to_the_assignee(world: Any, today: Any) -> None:
    from onewindow.cases.models import Case, CaseReminder

    case = intake()
    Case.objects.filter(pk=case.pk).update(assignee=user("reviewer"))
    CaseReminder.objects.create(case=case, kind="yellow", state=case.state)
    send_reminders.call_local()
    users = set(
        Notification.objects.filter(template="deadline_reminder").values_list("user__username", flat=True)
    )
    assert users == {"reviewer"}


def test_appointment_reminders_are_sent_and_marked(world: Any) -> None:
    from onewindow.queueing.models import Appointment, AppointmentReminder

    centre = world["centres"]["a"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    common = {
        "centre": centre,
        "date": tomorrow,
        "start": dt.time(9),
        "end": dt.time(9, 30),
        "session": "am",
        "category": "comprehensive",
    }
    a = Appointment.objects.create(name="其木格", phone="13700000000", code="K7Q2", **common)
    cancelled = Appointment.objects.create(
        name="乌力吉", phone="13700000001", code="K7Q3", state="cancelled", **common
    )
    AppointmentReminder.objects.create(appointment=a)
    AppointmentReminder.objects.create(appointment=cancelled)
    assert send_reminders.call_local()["appointments"] == 1
    assert not AppointmentReminder.objects.filter(sent_at__isnull=True).exists()
    (n,) = Notification.objects.filter(template="appointment_reminder")
    assert n.recipient == "13700000000" and "K7Q2" in n.body and "09:00" in n.body and centre.name in n.body
    assert send_reminders.call_local()["appointments"] == 0


def test_periodic_tasks_run_every_minute() -> None:
    from onewindow.integration.tasks import webhook_scan

    for task in (send_reminders, webhook_scan):
        instance = task.task_class()
        for minute in (0, 7, 33, 59):
            assert instance.validate_datetime(dt.datetime(2026, 11, 26, 10, minute))  # noqa: DTZ001


def test_portal_residents_get_the_rating_invitation_but_no_duplicate_progress_sms(
    world: Any, today: Any
) -> None:
    """The portal app already tells its account holders about acceptance/correction/ready."""
    from django.contrib.auth import get_user_model

    from onewindow.portal.models import ResidentAccount

    case = intake()
    u = get_user_model().objects.create(username="resident-1")
    ResidentAccount.objects.create(user=u, phone="13600000000", phone_index="idx-1", resident=case.applicant)
    act("reviewer", case.number, "approve")
    act("clerk", case.number, "ready")
    act("clerk", case.number, "deliver", to="window", signed_by="巴特尔")
    mine = Notification.objects.filter(case_number=case.number, template__in=NEW_TEMPLATES)
    after_account = mine.exclude(template="accepted")  # accepted was before the account existed
    assert sorted((n.template, n.channel) for n in after_account) == [
        ("rating_invitation", "inbox"),
        ("rating_invitation", "sms"),
    ]
    # to the phone given for this case (its applicant snapshot), not the account's or the record's
    assert after_account.get(channel="sms").recipient == case.applicant_phone == "13912345678"


def test_staff_sets_a_residents_channels_on_the_page(world: Any, today: Any, login: Any) -> None:
    case = intake()
    resident = case.applicant
    url = f"/notify/residents/{resident.pk}/preferences/"
    c = login("clerk")
    assert c.get(url).status_code == 200
    assert c.post(url, {"inbox": "1"}).status_code == 302
    pref = NotifyPreference.objects.get(resident=resident)
    assert (pref.sms, pref.email, pref.inbox) == (False, False, True)
    assert login("outsider").get(url).status_code == 404  # township B: outside the jurisdiction
    n = services.notify("ready", to="13912345678", resident=resident, context={})
    assert n.state == NotificationState.SKIPPED
