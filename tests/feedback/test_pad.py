"""The locked rating pad of one window (一次一评, issue 15): public, no staff navigation, no link out,
advancing by itself to the visit just finished at its window, and rating only that window's visits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.feedback.models import PadKey, Rating
from onewindow.feedback.services.pad import pad_token
from onewindow.org.actors import actor_of
from onewindow.org.models import Window
from onewindow.queueing import services as q
from onewindow.queueing.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def windows(world: dict[str, Any], settings: Any) -> dict[str, Window]:
    settings.QUEUE_ENFORCE_HOURS = False
    ca = world["centres"]["a"]
    return {
        "a": Window.objects.get(centre=ca, number=1),
        "b": Window.objects.create(centre=ca, number=2, name="综合受理二", kind="comprehensive"),
    }


def served(window: Window) -> Ticket:
    clerk = actor_of(get_user_model().objects.get(username="clerk"))
    q.ticket_issue(centre="C-A", category="comprehensive")
    t = q.ticket_call_next(actor=clerk, window=window.pk)
    return q.ticket_act(actor=clerk, ticket=t.pk, action="finish")


def pad_url(window: Window) -> str:
    return f"/feedback/pad/w/{pad_token(window)}/"


def test_pad_is_public_locked_and_advances(windows: dict[str, Window]) -> None:
    c = Client()  # the pad device: nobody logged in
    url = pad_url(windows["a"])
    body = c.get(url).content.decode()
    assert "欢迎您" in body and 'id="pad-idle"' in body
    assert 'class="topbar"' not in body and "<nav" not in body
    assert [h for h in re.findall(r'href="([^"]+)"', body) if not h.startswith("/static/")] == []
    assert "feedback/pad.js" in body and f'data-state-url="{url}state/"' in body
    assert c.get(f"{url}state/").json() == {"ticket": None}
    # the clerk finishes a ticket at window A: the pad's poll sees it, the page shows its rating form
    t = served(windows["a"])
    assert c.get(f"{url}state/").json() == {"ticket": t.pk}
    body = c.get(url).content.decode()
    assert f'id="pad-number">{t.number}<' in body and "非常不满意" in body
    r = c.post(url, {"ticket": t.pk, "level": "5", "ind-attitude": "5"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get()
    assert rating.ticket_id == t.pk and rating.channel == "window" and rating.indicators == {"attitude": 5}
    assert rating.staff_user is not None and rating.staff_user.username == "clerk"
    assert c.get(f"{url}state/").json() == {"ticket": None}
    # rated once
    r = c.post(url, {"ticket": t.pk, "level": "1"})
    assert r.status_code == 409 and "该号已评价过" in r.content.decode()
    assert Rating.objects.count() == 1


def test_pad_of_window_b_cannot_rate_window_a(windows: dict[str, Window]) -> None:
    t = served(windows["a"])
    c = Client()
    url_b = pad_url(windows["b"])
    assert c.get(f"{url_b}state/").json() == {"ticket": None}
    assert t.number not in c.get(url_b).content.decode()
    r = c.post(url_b, {"ticket": t.pk, "level": "1"})
    assert r.status_code == 404 and Rating.objects.count() == 0
    # bad input is a Chinese message, never a 500
    r = c.post(pad_url(windows["a"]), {"ticket": "x", "level": "9"})
    assert r.status_code in (404, 422) and Rating.objects.count() == 0
    # a forged or foreign token is a 404
    assert c.get("/feedback/pad/w/forged/").status_code == 404
    token = pad_token(windows["a"])
    assert c.get(f"/feedback/pad/w/{token[:-2]}xx/").status_code == 404
    windows["a"].is_active = False
    windows["a"].save()
    assert c.get(pad_url(windows["a"])).status_code == 404


def test_pad_set_up_locks_the_device(windows: dict[str, Window], login: Any) -> None:
    c = login("clerk")
    body = c.get(f"/feedback/pad/?window={windows['b'].pk}").content.decode()
    assert pad_url(windows["a"]) in body and pad_url(windows["b"]) in body and 'id="pad-chosen"' in body
    r = c.post("/feedback/pad/", {"window": windows["b"].pk})
    assert r.status_code == 302 and r["Location"] == pad_url(windows["b"])
    # the device is signed out: staff pages ask for a log-in again, the pad still works
    assert c.get("/queue/console/").status_code == 302
    assert c.get(r["Location"]).status_code == 200
    # a window of another centre cannot be set up
    other = Window.objects.get(centre__code="C-B", number=1)
    assert login("clerk").post("/feedback/pad/", {"window": other.pk}).status_code == 404
    assert Client().get("/feedback/pad/").status_code == 302


def test_a_bad_rating_on_the_pad_asks_for_its_reason(windows: dict[str, Window]) -> None:
    """差评 without a reason: the pad asks (quick picks or typed), keeps the level, records nothing yet."""
    t = served(windows["a"])
    c = Client()
    url = pad_url(windows["a"])
    r = c.post(url, {"ticket": t.pk, "level": "1"})
    body = r.content.decode()
    assert r.status_code == 422 and 'id="pad-reason"' in body and "请写明不满意的原因" in body
    assert 'name="level" value="1"' in body and "等候时间太长" in body and "reason_required" not in body
    assert Rating.objects.count() == 0
    # a quick pick (the button) plus typed words
    r = c.post(url, {"ticket": t.pk, "level": "1", "comment": "等候时间太长", "comment_text": "排了一上午"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get()
    assert rating.level == 1 and rating.comment == "等候时间太长；排了一上午"


def test_a_renewed_link_stops_every_earlier_pad_of_that_window(
    windows: dict[str, Window], login: Any
) -> None:
    """A lost tablet: the clerk renews the window's pad link; the old link (and the device locked to it)
    is a 404 at once, the new one works, the other window's pad is untouched; it is audited; staff of
    another centre cannot renew it."""
    from onewindow.security.models import AuditEntry

    old_a, old_b = pad_url(windows["a"]), pad_url(windows["b"])
    device = Client()
    assert device.get(old_a).status_code == 200
    c = login("clerk")
    r = c.post("/feedback/pad/", {"window": windows["a"].pk, "action": "renew"})
    assert r.status_code == 302 and r["Location"] == f"/feedback/pad/?window={windows['a'].pk}"
    page = c.get(r["Location"]).content.decode()
    assert "1 号窗口评价器已更换链接" in page
    new_a = pad_url(windows["a"])
    assert PadKey.objects.get(window=windows["a"]).generation == 1 and old_a not in page
    gone = device.get(old_a)
    assert gone.status_code == 404 and device.get(f"{old_a}state/").status_code == 404
    t = served(windows["a"])
    assert device.post(old_a, {"ticket": t.pk, "level": "1"}).status_code == 404
    assert Rating.objects.count() == 0
    assert device.get(new_a).status_code == 200 and device.get(old_b).status_code == 200
    assert c.get("/queue/console/").status_code == 200  # renewing does not sign the clerk out
    assert (
        AuditEntry.objects.filter(action="feedback.pad_link_renew", obj=f"window:{windows['a'].pk}").count()
        == 1
    )
    # staff of another centre: the same 404 as an unknown window, nothing renewed
    other = login("outsider")
    assert other.post("/feedback/pad/", {"window": windows["a"].pk, "action": "renew"}).status_code == 404
    assert PadKey.objects.get(window=windows["a"]).generation == 1 and device.get(new_a).status_code == 200
