from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from onewindow.org.models import Centre
from tests.factories import make_staff

GOOD_ID = "11010519491231002X"


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def applicant(**kw: Any) -> dict[str, Any]:
    data = {
        "kind": "person",
        "name": "巴特尔",
        "id_number": GOOD_ID,
        "phone": "13912345678",
        "address": "甲一嘎查3组",
    }
    data.update(kw)
    return data


@pytest.fixture
def proxy_world(world: dict[str, Any]) -> dict[str, Any]:
    """The shared world plus a county clerk (C-COUNTY), an agent of village B1 and a centre head at A."""
    cc: Centre = world["centres"]["county"]
    world["people"]["county_clerk"] = make_staff(
        "county_clerk", "旗综窗", world["county"], ["clerk"], centre=cc
    )
    world["people"]["agent_b"] = make_staff("agent_b", "代办员乙一", world["vb"], ["agent"])
    world["people"]["head_a"] = make_staff(
        "head_a", "甲镇负责人", world["ta"], ["centre_head"], centre=world["centres"]["a"]
    )
    return world


class Api:
    """A tiny JSON client over the test client, logged in as one user."""

    def __init__(self, client: Client) -> None:
        self.c = client

    def post(self, url: str, body: dict[str, Any]) -> Any:
        return self.c.post(f"/api/v1{url}", body, content_type="application/json")

    def get(self, url: str) -> Any:
        return self.c.get(f"/api/v1{url}")

    def upload(self, data: bytes, name: str = "photo.png", content_type: str = "image/png") -> Any:
        f = SimpleUploadedFile(name, data, content_type=content_type)
        return self.c.post("/api/v1/proxy/files", {"file": f})

    def action(self, pk: int, action: str, **kw: Any) -> Any:
        return self.post(f"/proxy/requests/{pk}/actions", {"action": action, **kw})


@pytest.fixture
def as_user(db: Any) -> Any:
    def _as(username: str) -> Api:
        from django.contrib.auth import get_user_model

        from tests.conftest import otp_verify_session

        user = get_user_model().objects.get(username=username)
        c = Client()
        c.force_login(user)
        otp_verify_session(c, user)
        return Api(c)

    return _as


def valid_until(days: int = 60) -> str:
    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def entrust_form(**kw: Any) -> dict[str, Any]:
    """The 登记委托 page's form (/proxy/entrust/): 巴特尔 entrusts MZ-001, confirmed by fingerprint."""
    data: dict[str, Any] = {
        "name": "巴特尔",
        "id_number": GOOD_ID,
        "phone": "13912345678",
        "items": ["MZ-001"],
        "valid_until": valid_until(),
        "confirmation_kind": "fingerprint",
        "confirmation": png_upload(),
    }
    data.update(kw)
    return data


def entrust(api: Api, items: list[str] | None = None, **kw: Any) -> Any:
    fid = api.upload(png_bytes(), "签名.png").json()["id"]
    body = {
        "resident": applicant(),
        "items": items or ["MZ-001"],
        "valid_until": valid_until(),
        "confirmation_file": fid,
        "confirmation_kind": "signature",
    }
    body.update(kw)
    return api.post("/proxy/entrustments", body)
