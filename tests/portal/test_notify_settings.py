"""A resident switches their own SMS notices off/on; the inbox hides what was never delivered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.notify.models import Notification, NotificationState
from onewindow.notify.preferences import preference_get
from onewindow.notify.services import notify
from onewindow.portal import services
from tests.portal.resident_helpers import (
    ID_A,
    PHONE_A,
    PHONE_B,
    apply_data,
    last_code,
    png,
    resident_client,
    set_online,
    sign_up,
)

pytestmark = pytest.mark.django_db
URL = reverse("portal:notify_settings")


@pytest.fixture
def online(world: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    set_online("MZ-001")
    return world


def test_resident_turns_sms_off_and_on(online: Any, settings: Any) -> None:
    settings.PORTAL_OTP_RESEND_SECONDS = 0
    c, account = resident_client(PHONE_A, "巴特尔", ID_A)
    assert f'href="{URL}"' in c.get(reverse("portal:inbox")).content.decode()
    page = c.get(URL).content.decode()
    assert 'name="sms" value="1" checked' in page and "登录验证码始终以短信发送" in page

    r = c.post(URL, {"sms": "0"})
    assert r.status_code == 302 and r["Location"] == URL
    assert preference_get(account.resident)["sms"] is False
    assert 'name="sms" value="0" checked' in c.get(URL).content.decode()

    # applying now: the SMS is recorded as skipped, the inbox notice still arrives
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png()}))
    case = Case.objects.get()
    sms = Notification.objects.get(template="portal_submitted", channel="sms", case_number=case.number)
    assert sms.state == NotificationState.SKIPPED
    inbox = Notification.objects.get(template="portal_submitted", channel="inbox")
    assert inbox.state != NotificationState.SKIPPED
    # the login code is always sent
    services.otp_send(phone=PHONE_A)
    otp = Notification.objects.filter(template="otp").order_by("-pk").first()
    assert otp is not None and otp.state != NotificationState.SKIPPED and last_code(PHONE_A)

    assert c.post(URL, {"sms": "1"}).status_code == 302
    assert preference_get(account.resident)["sms"] is True


def test_inbox_hides_skipped_notices(online: Any) -> None:
    c, account = resident_client(PHONE_A, "巴特尔", ID_A)
    notify("portal_submitted", channel="inbox", user=account.user, context={"item": "看得见的通知"})
    hidden = notify("portal_submitted", channel="inbox", user=account.user, context={"item": "看不见的通知"})
    Notification.objects.filter(pk=hidden.pk).update(state=NotificationState.SKIPPED)
    mine = c.get(reverse("portal:my_cases")).content.decode()
    assert "（1 条未读）" in mine
    html = c.get(reverse("portal:inbox")).content.decode()
    assert "看得见的通知" in html and "看不见的通知" not in html
    assert Notification.objects.get(pk=hidden.pk).read_at is None


def test_without_real_name_there_is_nothing_to_set_yet(online: Any) -> None:
    account = sign_up(PHONE_B)
    c = Client()
    c.force_login(account.user)
    page = c.get(URL).content.decode()
    assert "完成实名认证后" in page and 'name="sms"' not in page
    assert c.post(URL, {"sms": "0"}).status_code == 200  # nothing to change, the page again


def test_staff_and_anonymous_are_kept_out(online: Any, login: Any, client: Client) -> None:
    r = client.get(URL)
    assert r.status_code == 302 and reverse("portal:login") in r["Location"]
    assert login("clerk").get(URL).status_code == 403
