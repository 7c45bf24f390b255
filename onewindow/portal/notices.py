"""The portal's answer to ``core.notices.online_account``: a resident's online (一网通办) account — its
user (whose portal inbox gets the notices) and its log-in phone. Installed by ``PortalConfig.ready()``."""

from __future__ import annotations

from typing import Any

from onewindow.core import notices
from onewindow.portal.models import ResidentAccount


def online_account(resident: Any) -> notices.OnlineAccount | None:
    if getattr(resident, "unreferenced", False):  # created by this very write (org.Resident)
        return None
    account = ResidentAccount.objects.select_related("user").filter(resident=resident).first()
    return notices.OnlineAccount(user=account.user, phone=account.phone) if account is not None else None


notices.register_online_account(online_account)
