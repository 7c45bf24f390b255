"""Eight clerks renew one window's pad link at once (PostgreSQL): every renewal counts once, none is a 5xx,
and only the newest link opens the pad."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection  # noqa: F401 - CONCURRENT_ON_POSTGRES's skip condition reads it
from django.test import Client

from onewindow.feedback.models import PadKey
from onewindow.feedback.services.pad import pad_token
from onewindow.org.models import Window
from tests.support import CONCURRENT_ON_POSTGRES, run_threads

pytestmark = CONCURRENT_ON_POSTGRES
THREADS = 8


def test_concurrent_renewals_of_one_pad_link() -> None:
    from tests.factories import build_world

    world = build_world()
    window = Window.objects.get(centre=world["centres"]["a"], number=1)
    old = f"/feedback/pad/w/{pad_token(window)}/"
    clerk = get_user_model().objects.get(username="clerk")

    def work(i: int) -> list[int]:
        c = Client(raise_request_exception=False)
        c.force_login(clerk)
        return [c.post("/feedback/pad/", {"window": window.pk, "action": "renew"}).status_code]

    codes = run_threads(THREADS, work)
    assert codes == [302] * THREADS
    assert PadKey.objects.get(window=window).generation == THREADS
    assert Client().get(old).status_code == 404
    assert Client().get(f"/feedback/pad/w/{pad_token(window)}/").status_code == 200
