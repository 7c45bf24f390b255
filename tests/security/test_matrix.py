"""The authorization matrix: every URL pattern and every API operation, called as every role and as an
anonymous visitor, must give exactly the result written in ``tests/security/url_table.py``.

A URL or operation without an entry there fails. Each call runs in a savepoint that is rolled back, so
one role's POST does not change what the next role sees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from onewindow.org.actors import actor_of
from tests.conftest import otp_verify_session
from tests.security import url_table as T
from tests.security.conftest import add_security_personas

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1"


class _Rollback(Exception):
    pass


def django_urls() -> Iterator[tuple[str, str, URLPattern]]:
    """(table key, route, pattern) for every Django URL pattern except the API (the Django admin's too)."""

    def walk(patterns: list[Any], prefix: str, ns: str | None) -> Iterator[tuple[str, str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                namespace = p.namespace
                if namespace and namespace.startswith("api-v1"):
                    continue
                full_ns = (f"{ns}:{namespace}" if ns else namespace) if namespace else ns
                yield from walk(p.url_patterns, prefix + str(p.pattern), full_ns)
            else:
                route = prefix + str(p.pattern)
                if p.name:
                    key = f"{ns}:{p.name}" if ns else p.name
                else:
                    key = route
                if key in seen:  # the first pattern with a name is the one reverse() gives
                    continue
                seen.add(key)
                yield key, route, p

    seen: set[str] = set()
    yield from walk(get_resolver().url_patterns, "", None)


def api_operations() -> Iterator[tuple[str, str, str]]:
    """(table key, method, path template) for every django-ninja operation."""
    from onewindow.api.api import api

    schema = api.get_openapi_schema(path_prefix="")
    for path, ops in schema["paths"].items():
        for method in ops:
            yield f"api {method.upper()} {path}", method.upper(), path


def route_to_path(route: str, kwargs: dict[str, Any]) -> str:
    """Fill a Django route (``cases/<str:number>/``) or a ninja path (``/cases/{number}``)."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(2) or m.group(3)
        if name not in kwargs:
            raise KeyError(name)
        return str(kwargs[name])

    path = re.sub(r"<(?:(\w+):)?(\w+)>|\{(\w+)\}", sub, route)
    if "^" in path or "(?P" in path:
        raise KeyError(path)
    return path if path.startswith("/") else "/" + path


class Objects(dict[str, Any]):
    """The matrix objects, created on first use (see url_table's docstring)."""

    def __init__(self, world: dict[str, Any]):
        super().__init__()
        self.world = world

    def __missing__(self, key: str) -> Any:
        value = getattr(self, f"make_{key}")()
        self[key] = value
        return value

    def make_world(self) -> Any:
        return self.world

    def make_user(self) -> Any:
        return None

    def make_case(self) -> Any:
        from tests.cases.conftest import intake

        return intake()

    def make_resident(self) -> Any:
        return self["case"].applicant

    def make_clerk_staff(self) -> Any:
        return self.world["people"]["clerk"]

    def make_centre(self) -> Any:
        return self.world["centres"]["a"]

    def make_window(self) -> Any:
        return self["centre"].windows.order_by("number").first()

    def make_item(self) -> Any:
        return self.world["items"]["dibao"].item

    def make_version(self) -> Any:
        return self.world["items"]["dibao"]

    def make_ticket(self) -> Any:
        from django.test import override_settings

        from onewindow.queueing.services import centre_categories, ticket_issue

        category = next(iter(centre_categories(self["centre"])))
        with override_settings(QUEUE_ENFORCE_HOURS=False):
            return ticket_issue(centre=self["centre"].code, category=category)

    def make_duty(self) -> Any:
        from onewindow.org.models import Duty

        today = timezone.localdate()
        return Duty.objects.create(staff=self["clerk_staff"], date=today, window=self["window"])

    def make_appointment(self) -> Any:
        from onewindow.queueing.models import Appointment
        from onewindow.queueing.services import centre_categories

        fields = {f.name for f in Appointment._meta.get_fields()}
        data: dict[str, Any] = {
            "centre": self["centre"],
            "date": timezone.localdate() + dt.timedelta(days=1),
            "start": dt.time(9, 0),
            "end": dt.time(9, 30),
            "session": "normal",
            "category": next(iter(centre_categories(self["centre"]))),
            "name": "测试",
            "code": "A1B2C3",
        }
        if "phone" in fields:
            data["phone"] = "13912345678"
        return Appointment.objects.create(**{k: v for k, v in data.items() if k in fields})

    # --- objects of the later apps (township A / village A1), so their rows test scoping too ----------

    def _user(self, username: str) -> Any:
        return get_user_model().objects.get(username=username)

    def make_entrustment(self) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from onewindow.proxy import services
        from tests.proxy.conftest import applicant, png_bytes

        agent = actor_of(self._user("agent"))
        photo = services.proxy_file_upload(
            actor=agent, upload=SimpleUploadedFile("sign.png", png_bytes(), content_type="image/png")
        )
        return services.entrustment_create(
            actor=agent,
            resident=applicant(),
            items=["MZ-001"],
            valid_until=timezone.localdate() + dt.timedelta(days=60),
            confirmation_file=str(photo.id),
        )

    def make_proxy_file(self) -> Any:
        return self["entrustment"].confirmation

    def make_proxy_request(self) -> Any:
        """A submitted MZ-001 request of ``agent`` (village A1), in C-A's pre-review queue; the agent
        holds the paper originals."""
        from onewindow.proxy import services

        agent = actor_of(self._user("agent"))
        req = services.proxy_request_create(
            actor=agent,
            entrustment=self["entrustment"].pk,
            item="MZ-001",
            materials=[
                {"code": "M01", "provided": True, "paper_held": True},
                {"code": "M02", "provided": True, "paper_held": True},
            ],
            form={"reason": "家庭困难"},
        )
        return services.proxy_request_action(actor=agent, pk=req.pk, action="submit")

    def make_batch(self) -> Any:
        """The agent's paper handoff of that request from village A1 up to township A (in transit)."""
        from onewindow.proxy import custody

        return custody.batch_create(
            actor=actor_of(self._user("agent")),
            from_code=self.world["va"].code,
            to_code=self.world["ta"].code,
            requests=[self["proxy_request"].pk],
        )

    def make_complaint(self) -> Any:
        from onewindow.feedback import services

        return services.complaint_submit(category="complaint", content="窗口人员态度不好", centre="C-A")

    def make_rated_case(self) -> Any:
        from tests.feedback.conftest import delivered_case

        return delivered_case()

    def make_rating(self) -> Any:
        """A level-1 rating of a delivered case at C-A: it opened a rectification."""
        from onewindow.feedback import services
        from tests.cases.conftest import applicant

        return services.rating_submit(
            number=self["rated_case"].number, check=applicant()["phone"][-4:], level=1, comment="太慢"
        )

    def make_rectification(self) -> Any:
        from onewindow.feedback.models import Rectification

        return Rectification.objects.get(rating=self["rating"])

    def make_notice(self) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from onewindow.feedback import services
        from tests.proxy.conftest import png_bytes

        return services.notice_post(
            actor=actor_of(self._user("admin")),
            centre="C-A",
            kind=services.NoticeKind.values[0],
            title="公示",
            files=[SimpleUploadedFile("notice.png", png_bytes(), content_type="image/png")],
        )

    def make_notice_file(self) -> Any:
        return self["notice"].attachments.first()

    def make_subscription(self) -> Any:
        from onewindow.integration import services
        from onewindow.org.actors import actor_of

        return services.subscription_create(
            actor=actor_of(self._user("admin")), name="对接平台", url="https://example.org/hook"
        )

    def make_portal_upload(self) -> Any:
        """A file a resident uploaded online for the matrix case (C-A)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from onewindow.files.services import store_upload
        from onewindow.portal.models import CaseUpload, ResidentAccount
        from onewindow.privacy.crypto import blind_index
        from tests.proxy.conftest import png_bytes

        user = get_user_model().objects.create_user(username="resident-matrix")
        account = ResidentAccount.objects.create(
            user=user, phone="13900001111", phone_index=blind_index("13900001111")
        )
        stored = store_upload(
            SimpleUploadedFile("id.png", png_bytes(), content_type="image/png"), user=user, field="M01"
        )
        return CaseUpload.objects.create(
            case=self["case"], account=account, material_code="M01", material_name="身份证", file=stored
        )

    def make_admin_pks(self) -> dict[str, str]:
        """Model label → the id of an object each admin page of that model opens (a real one)."""
        from django.contrib import admin

        from tests.security.test_admin_site import make_missing_objects, some_pk

        make_missing_objects()
        return {m._meta.label_lower: some_pk(m, self) for m in admin.site._registry}

    def make_token(self) -> Any:
        """An API token of ``clerk``."""
        from onewindow.api.tokens import token_create

        return token_create(username="clerk", name="matrix")[0]


def outcome(response: Any) -> str:
    status = response.status_code
    if status == 401:
        return T.UNAUTH
    if status == 403:
        return T.FORBIDDEN
    if status == 404:
        return T.NOT_FOUND
    if status in (301, 302, 303) and "login" in response.get("Location", ""):
        return T.LOGIN
    if status in (301, 302, 303) and "/security/otp/" in response.get("Location", ""):
        return T.OTP
    if status >= 500:
        return f"error {status}"
    return T.OK


def clients(world: dict[str, Any]) -> dict[str, Client]:
    out: dict[str, Client] = {}
    user_model = get_user_model()
    for role in T.STAFF_ROLES:
        user = user_model.objects.get(username=role)
        c = Client(raise_request_exception=False)
        c.force_login(user)
        otp_verify_session(c, user)
        out[role] = c
    out["anonymous"] = Client(raise_request_exception=False)
    return out


def call(client: Client, method: str, path: str, data: Any, api: bool) -> Any:
    cache.clear()
    cookies = {k: v.value for k, v in client.cookies.items()}  # a logout must not end the next call's session
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(path, data or {})
            elif api:
                response = client.generic(
                    method, path, data=__import__("json").dumps(data or {}), content_type="application/json"
                )
            else:
                response = client.generic(
                    method,
                    path,
                    data=__import__("urllib.parse").parse.urlencode(data or {}),
                    content_type="application/x-www-form-urlencoded",
                )
            raise _Rollback
    except _Rollback:
        pass
    client.cookies.clear()
    for k, v in cookies.items():
        client.cookies[k] = v
    return response


def entry_kwargs(entry: T.Entry, objects: Objects) -> dict[str, Any]:
    if callable(entry.kwargs):
        return dict(entry.kwargs(objects))
    return {k: v.format_map(objects) for k, v in entry.kwargs.items()}


def run_matrix(world: dict[str, Any]) -> tuple[list[str], dict[str, dict[str, str]]]:
    add_security_personas(world)
    objects = Objects(world)
    cl = clients(world)
    problems: list[str] = []
    actual_all: dict[str, dict[str, str]] = {}
    targets: list[tuple[str, str, str, bool]] = []
    for key, route, _p in django_urls():
        targets.append((key, route, "", False))
    for key, method, path in api_operations():
        targets.append((key, path, method, True))
    for key, route, api_method, is_api in targets:
        entry = T.URLS.get(key)
        if entry is None:
            problems.append(f"MISSING from url_table: {key!r} ({route})")
            continue
        if entry.skip:
            continue
        try:
            kwargs = entry_kwargs(entry, objects)
            path = (
                route_to_path(route, kwargs)
                if is_api or ":" not in key or "/" in key
                else reverse(key, kwargs=kwargs)
            )
        except (KeyError, AttributeError, NoReverseMatch) as exc:
            problems.append(f"{key}: cannot build the URL ({exc!r}); give kwargs in url_table")
            continue
        if is_api:
            path = API_PREFIX + path
        method = api_method or entry.method
        actual: dict[str, str] = {}
        for role in T.ROLES:
            got = outcome(call(cl[role], method, path, entry.data, is_api))
            actual[role] = got
            want = entry.expect.get(role)
            if got != want:
                problems.append(f"{key} [{method} {path}] as {role}: expected {want}, got {got}")
        actual_all[key] = actual
    for key in T.URLS:
        if key not in {t[0] for t in targets}:
            problems.append(f"url_table entry {key!r} matches no URL/operation (stale)")
    return problems, actual_all


def test_every_url_and_operation_matches_the_table(world: dict[str, Any]) -> None:
    problems, _ = run_matrix(world)
    assert not problems, "\n".join(problems)


def test_table_entries_are_complete() -> None:
    for key, entry in T.URLS.items():
        assert set(entry.expect) == set(T.ROLES), key
        assert set(entry.expect.values()) <= T.OUTCOMES, key


def test_object_rows_of_the_later_apps_address_real_objects() -> None:
    """Rows of proxy requests, batches, entrustments, complaints, ratings, rectifications, notices,
    webhook subscriptions and tokens point at objects the matrix creates in township A / village A1, so
    they test scoping (outsider → 404), not only the gate in front of a lookup of an absent id."""
    keys = [
        "proxy:detail",
        "proxy:act",
        "proxy:batch",
        "api GET /proxy/requests/{pk}",
        "api POST /proxy/requests/{pk}/actions",
        "api GET /proxy/batches/{pk}",
        "api POST /proxy/batches/{pk}/receive",
        "api GET /proxy/entrustments/{pk}",
        "feedback:complaint",
        "feedback:rectification",
        "api GET /complaints/{number}",
        "api POST /complaints/{number}/actions",
        "api POST /rectifications/{rect_id}/actions",
    ]
    for key in keys:
        entry = T.URLS[key]
        assert "999999" not in str(entry.kwargs) and "NONE" not in str(entry.kwargs), key
        assert entry.expect["outsider"] == T.NOT_FOUND, key
    for key in (
        "feedback:notice_withdraw",
        "integration:subscription_toggle",
        "api GET /webhooks/{subscription_id}",
    ):
        assert T.URLS[key].expect["admin"] == T.OK, key
    assert T.URLS["api POST /tokens/{token_id}/revoke"].expect["clerk"] == T.OK
    assert T.URLS["api POST /tokens/{token_id}/revoke"].expect["reviewer"] == T.NOT_FOUND
