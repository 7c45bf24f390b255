"""Residents' consent to the privacy notice (个人信息保护法 art. 14 and 29).

The notice (``portal/privacy/``) is shown before any personal data is collected; the resident ticks
"我已阅读并同意" before her mobile number is used (sign-up), and gives a *separate* consent before
her ID number (sensitive personal data) is processed at real-name binding. Each consent is recorded
with the notice version and the time it was given. A new ``NOTICE_VERSION`` asks everyone again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from onewindow.privacy.models import Consent, ConsentPurpose

NOTICE_VERSION = "2026.1"
NOTICE_DATE = dt.date(2026, 12, 7)

REFUSED_SIGN_UP = (
    "请先阅读《个人信息保护告知书》并勾选“我已阅读并同意”。不同意的，我们不会收集您的手机号，"
    "您仍可到服务中心窗口或请嘎查村代办员线下办理。"
)
REFUSED_BOOKING = (
    "请先阅读《个人信息保护告知书》并勾选“我已阅读并同意”。不同意的，我们不会收集您的姓名和手机号，"
    "您仍可直接到服务中心取号办理，或请嘎查村代办员代为预约。"
)
REFUSED_SENSITIVE = (
    "实名认证需要处理您的身份证号（敏感个人信息），请勾选单独同意。不同意的，"
    "我们不会保存您的身份证号，您可以携带身份证到服务中心窗口办理。"
)


def consented(value: Any) -> bool:
    """Whether a submitted consent box agrees to the notice now in force."""
    return value == NOTICE_VERSION


def consent_record(
    *,
    user: Any,
    purpose: ConsentPurpose,
    given_at: dt.datetime | None = None,
    ip: str | None = None,
    version: str | None = None,
) -> Consent:
    """Record a consent (once per user, purpose and version: a repeated tick keeps the first record)."""
    version = version or NOTICE_VERSION
    existing = Consent.objects.filter(user=user, purpose=purpose, notice_version=version).first()
    if existing is not None:
        return existing
    return Consent.objects.create(
        user=user, purpose=purpose, notice_version=version, given_at=given_at or timezone.now(), ip=ip or None
    )


def consent_current(user: Any, purpose: ConsentPurpose) -> Consent | None:
    """The user's consent to the notice now in force, if any."""
    return Consent.objects.filter(user=user, purpose=purpose, notice_version=NOTICE_VERSION).first()
