"""Demo data of the resident portal, seeded by the demo loader: one resident account (the first demo
resident, real-name bound).

Log in at ``/my/login/`` with that resident's mobile number; the SMS code is printed by the console
notification backend (and kept in the Notification row).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from onewindow.demo.dataset import demo_data
from onewindow.org.models import Resident
from onewindow.portal.models import ResidentAccount
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.identifiers import id_check_digit

DEMO_USERNAME = "r-demo-resident"


def seed_demo() -> None:
    spec = demo_data().residents[0]
    first17 = spec["village"][:6] + spec["birth"] + spec["seq"]
    resident = Resident.objects.filter(id_index=blind_index(first17 + id_check_digit(first17))).first()
    phone = spec["phone"]
    if resident is None or ResidentAccount.objects.filter(phone_index=blind_index(phone)).exists():
        return
    if ResidentAccount.objects.filter(resident=resident).exists():
        return
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    if user.has_usable_password():
        user.set_unusable_password()
        user.save()
    ResidentAccount.objects.create(
        user=user, phone=phone, phone_index=blind_index(phone), resident=resident, verified_at=timezone.now()
    )
