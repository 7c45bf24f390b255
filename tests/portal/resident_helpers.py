"""Helpers for the resident portal tests: online items, residents logged in by SMS code, uploads."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion, Material, VersionStatus
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.portal import services
from onewindow.portal.models import ResidentAccount

ID_A = "11010519491231002X"
ID_B = "150102198001010014"
PHONE_A = "13912345678"
PHONE_B = "13712345670"


def set_online(code: str, online: bool = True) -> ItemVersion:
    ItemVersion.objects.filter(item__code=code, status=VersionStatus.PUBLISHED).update(online=online)
    return ItemVersion.objects.get(item__code=code, status=VersionStatus.PUBLISHED)


def set_reusable(code: str, material: str, reusable: bool) -> None:
    Material.objects.filter(
        version__item__code=code, version__status=VersionStatus.PUBLISHED, code=material
    ).update(reusable=reusable)


def last_code(phone: str) -> str:
    """The code of the last OTP SMS sent to ``phone`` (the console backend; tests read the row)."""
    for n in Notification.objects.filter(template="otp", channel="sms").order_by("-pk"):
        if n.recipient == phone:
            m = re.search(r"验证码为 (\d{6})", n.body)
            assert m, n.body
            return m.group(1)
    raise AssertionError(f"no code sent to {phone}")


def sign_up(phone: str, name: str = "", id_number: str = "", place: str = "152522100201") -> ResidentAccount:
    services.otp_send(phone=phone)
    account, _new = services.otp_login(phone=phone, code=last_code(phone))
    if id_number:
        account = services.account_bind_real_name(
            account=account, name=name or "巴特尔", id_number=id_number, jurisdiction=place
        )
    return account


def resident_client(phone: str, name: str, id_number: str) -> tuple[Client, ResidentAccount]:
    account = sign_up(phone, name, id_number)
    c = Client()
    c.force_login(account.user)
    return c, account


def png(name: str = "photo.png", size: tuple[int, int] = (40, 30), color: str = "red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def fake_jpg(name: str = "scan.jpg") -> SimpleUploadedFile:
    """A text file renamed to .jpg (and claiming to be an image)."""
    return SimpleUploadedFile(name, b"this is not an image at all\n" * 10, content_type="image/jpeg")


def apply_data(**kw: Any) -> dict[str, Any]:
    # "incomplete": submit even when a required material is missing (the window issues the notice)
    data: dict[str, Any] = {"f-reason": "家庭困难，收入低于低保标准", "centre": "C-A", "incomplete": "1"}
    data.update(kw)
    return data


def clerk() -> Any:
    """The window clerk of C-A (the shared world's persona)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="clerk")


def case_needing_correction(c: Client, m01: SimpleUploadedFile | None = None) -> Case:
    """The resident behind ``c`` applies for MZ-001 online with the 身份证 only (``m01``, by default a
    picture id.png); the window asks for the missing 户口簿."""
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": m01 or png("id.png")}))
    case = Case.objects.get()
    case_services.case_transition(actor=actor_of(clerk()), number=case.number, action="request_correction")
    return case


def user_of(client: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def shows_message_not_code(response: Any, code: str, message: str = "") -> bool:
    """A resident page answering an error: the Chinese message in an alert, never the machine code."""
    body = response.content.decode()
    alert = re.search(r'role="alert"[^>]*>(.*?)</(div|p)>', body, re.S)
    assert alert is not None and re.search(r"[\u4e00-\u9fff]", alert.group(1)), "no Chinese message shown"
    assert code not in body and "错误代码" not in body, f"the code {code} is shown to a resident"
    assert message in body, message
    return True
