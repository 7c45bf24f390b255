"""README true: every local URL the README names (a path starting with ``/`` in backticks or a link)
answers on the demo data — never 404 or 500 — anonymously and as ``clerk`` (a redirect to the login page
or a 403 is fine for staff pages). ``<placeholders>`` are filled with demo objects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import resolve

from onewindow.org.models import Centre, Resident
from onewindow.security.middleware import otp_required_for

README = Path(__file__).resolve().parents[2] / "README.md"
# Not pages of a running site: file paths, prefixes named as such.
NOT_PAGES = {"/run/secrets/name"}

pytestmark = pytest.mark.django_db


def readme_paths() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = re.findall(r"`(/[^`\s]*)`", text) + re.findall(r"\]\((/[^)\s]*)\)", text)
    found += re.findall(r"http://127\.0\.0\.1:8000(/[^\s*)`]*)", text)
    return sorted({p for p in found if p not in NOT_PAGES})


def test_the_readme_names_the_pages_a_newcomer_needs() -> None:
    paths = readme_paths()
    for needed in ("/accounts/login/", "/my/login/", "/dev/outbox/", "/cases/new/"):
        assert needed in paths
    assert "/manage/org/" not in paths and "/open311/v2/" not in paths


def _fill(path: str) -> str:
    centre = Centre.objects.filter(code__startswith="BM-").order_by("code").first()
    resident = Resident.objects.order_by("pk").first()
    assert centre is not None and resident is not None
    from onewindow.feedback.services.pad import pad_token
    from onewindow.org.models import Window

    window = (
        Window.objects.filter(centre=centre).order_by("pk").first() or Window.objects.order_by("pk").first()
    )
    assert window is not None
    values = {
        "centre": centre.code,
        "code": centre.code,
        "id": str(resident.pk),
        "n": "ABG-NONE",
        "token": pad_token(window),  # the locked rating pad of a window
    }
    return re.sub(r"<(\w+)>", lambda m: values[m.group(1)], path)


@override_settings(ONEWINDOW_DEMO=True)
def test_every_readme_url_answers(demo: dict[str, int]) -> None:
    anonymous, clerk = Client(raise_request_exception=False), Client(raise_request_exception=False)
    user = get_user_model().objects.get(username="clerk")
    assert not otp_required_for(user)
    clerk.force_login(user)
    failures = []
    for path in readme_paths():
        url = _fill(path)
        for who, client in (("anonymous", anonymous), ("clerk", clerk)):
            status = client.get(url).status_code
            if status == 404 and "<n>" in path:
                resolve(url)  # no demo case assumed: the pattern must resolve (Resolver404 otherwise)
                continue
            if status in (404, 500):
                failures.append(f"{who} {url} → {status}")
    assert not failures, failures
