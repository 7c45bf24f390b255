"""三员分立 in the Django admin (onewindow/security/admin_policy.py, admin_site.py).

The walk below opens every page of every model registered in the admin (changelist, add, change,
delete, history; the password page of users) as each role, over HTTP, and compares the status with the
role table. A model registered without a table entry fails here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from onewindow.security import admin_policy as P
from onewindow.security.models import AuditEntry
from tests.cases.conftest import intake
from tests.conftest import otp_verify_session

pytestmark = pytest.mark.django_db

WORKING_ROLES = ("agent", "clerk", "reviewer", "centre_head", "supervisor", "outsider")
ROLES = (*P.ADMIN_SITE_ROLES, *WORKING_ROLES)
ABSENT = "999999"


def client_for(username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    c = Client(raise_request_exception=False)
    c.force_login(user)
    otp_verify_session(c, user)
    return c


def registered_and_inline_models() -> set[Any]:
    models = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            models.add(inline.model)
    return models


def make_missing_objects() -> None:
    """One object of each registered model the world has none of, so every page opens a real object."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from onewindow.api.models import ApiToken
    from onewindow.api.tokens import token_create
    from onewindow.catalog.models import Bundle
    from onewindow.org.models import Duty, Staff, WorkerHeartbeat

    base = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "unknown-user", "http_accept": "*/*"}
    path = "/accounts/login/"
    clerk = Staff.objects.get(user__username="clerk")
    makers = {
        AccessAttempt: lambda: AccessAttempt.objects.create(
            **base, path_info=path, get_data="", post_data="", failures_since_start=5
        ),
        AccessLog: lambda: AccessLog.objects.create(**base, path_info=path),
        AccessFailureLog: lambda: AccessFailureLog.objects.create(**base, path_info=path),
        Group: lambda: Group.objects.create(name="测试组"),
        WorkerHeartbeat: lambda: WorkerHeartbeat.objects.create(name="worker", at=timezone.now()),
        Bundle: lambda: Bundle.objects.create(code="YJS-001", name="新生儿出生一件事"),
        ApiToken: lambda: token_create(username="clerk", name="admin-walk"),
        Duty: lambda: Duty.objects.create(
            staff=clerk,
            date=timezone.localdate() + dt.timedelta(days=30),
            window=clerk.centre.windows.first(),
        ),
    }
    for model, make in makers.items():
        if not model.objects.exists():
            make()


def some_pk(model: Any, objects: dict[str, Any]) -> str:
    """A real object of the model (an absent id only for a model the walk cannot fill)."""
    label = model._meta.label_lower
    preset = {"cases.case": objects["case"], "org.resident": objects["case"].applicant}
    if label in preset:
        return str(preset[label].pk)
    if label == "catalog.itemversion":  # a published version: read-only, not deletable
        obj = model.objects.filter(status="published").first()
    elif label == "auth.user":
        obj = model.objects.get(username="reviewer")
    else:
        obj = model.objects.order_by("pk").first()
    return str(obj.pk) if obj is not None else ABSENT


# What the ModelAdmin itself refuses, on top of the table (for the objects chosen above).
NARROWED = {
    ("catalog.itemversion", "delete"),  # published versions are immutable
    ("catalog.itemversion", "add"),  # new versions go through the catalog pages
    ("catalog.item", "add"),
}


def expected(role: str, model: Any, view: str) -> int:
    """The status of an admin page of ``model`` for ``role`` (200 allowed, 403 refused)."""
    if role in WORKING_ROLES:
        return 403
    allowed = P.MODEL_POLICY[model._meta.label_lower].get(role, frozenset())
    need = {
        "changelist": {P.VIEW, P.CHANGE},
        "change": {P.VIEW, P.CHANGE},
        "history": {P.VIEW, P.CHANGE},
        "add": {P.ADD},
        "delete": {P.DELETE},
        "password": {P.CHANGE},
    }[view]
    if (model._meta.label_lower, view) in NARROWED:
        return 403
    return 200 if allowed & need else 403


def test_every_registered_and_inline_model_has_a_policy_entry() -> None:
    missing = sorted(m._meta.label_lower for m in registered_and_inline_models() if not P.has_policy(m))
    assert not missing, f"add these models to MODEL_POLICY in onewindow/security/admin_policy.py: {missing}"
    stale = set(P.MODEL_POLICY) - {m._meta.label_lower for m in registered_and_inline_models()}
    assert not stale, f"MODEL_POLICY names models the admin does not show: {sorted(stale)}"
    for grants in P.MODEL_POLICY.values():
        assert set(grants) <= set(P.ADMIN_SITE_ROLES)
        for actions in grants.values():
            assert actions <= set(P.ACTIONS)


def test_every_admin_page_of_every_model_as_every_role(sworld: dict[str, Any]) -> None:
    objects = {"case": intake()}
    make_missing_objects()
    clients = {role: client_for(role) for role in ROLES}
    problems: list[str] = []
    walked = 0
    for model in admin.site._registry:
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pk = some_pk(model, objects)
        pages = {
            "changelist": reverse(f"{base}_changelist"),
            "add": reverse(f"{base}_add"),
            "change": reverse(f"{base}_change", args=[pk]),
            "delete": reverse(f"{base}_delete", args=[pk]),
            "history": reverse(f"{base}_history", args=[pk]),
        }
        if model is get_user_model():
            pages["password"] = reverse("admin:auth_user_password_change", args=[pk])
        for view, url in pages.items():
            for role in ROLES:
                want = expected(role, model, view)
                if want == 200 and pk == ABSENT and view in ("change", "delete", "history"):
                    want = 302  # allowed, the object does not exist → back to the index
                got = clients[role].get(url).status_code
                walked += 1
                if got != want:
                    problems.append(f"{model._meta.label_lower} {view} as {role}: expected {want}, got {got}")
    assert walked >= len(admin.site._registry) * 5 * len(ROLES)
    assert not problems, "\n".join(problems)


def test_the_index_lists_exactly_the_models_of_the_role(sworld: dict[str, Any]) -> None:
    for role in P.ADMIN_SITE_ROLES:
        r = client_for(role).get("/admin/")
        assert r.status_code == 200
        shown = {
            f"{app['app_label']}.{m['object_name'].lower()}"
            for app in r.context["app_list"]
            for m in app["models"]
        }
        want = {
            label
            for label, grants in P.MODEL_POLICY.items()
            if grants.get(role) and label in {m._meta.label_lower for m in admin.site._registry}
        }
        assert shown == want, role
    for role in WORKING_ROLES:
        assert client_for(role).get("/admin/").status_code == 403
    assert Client().get("/admin/").status_code == 302


def test_the_system_admin_cannot_take_over_a_reviewer(sworld: dict[str, Any]) -> None:
    """The attack of the issue: the system administrator sets a reviewer's password in the admin, logs
    in as the reviewer and reads full ID numbers. Even as a superuser, every step is refused."""
    admin_user = get_user_model().objects.get(username="admin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    reviewer = get_user_model().objects.get(username="reviewer")
    c = client_for("admin")
    url = f"/admin/auth/user/{reviewer.pk}/password/"
    assert c.get(url).status_code == 403
    r = c.post(
        url, {"password1": "Taken-Over-2026!", "password2": "Taken-Over-2026!", "usable_password": "true"}
    )
    assert r.status_code == 403
    reviewer.refresh_from_db()
    assert not reviewer.check_password("Taken-Over-2026!")
    assert c.post(f"/admin/auth/user/{reviewer.pk}/change/", {"username": "reviewer"}).status_code == 403
    assert (
        c.post("/admin/auth/user/add/", {"username": "x", "password1": "a", "password2": "a"}).status_code
        == 403
    )
    # nor roles on a staff record (own or others'), nor the staff record's account link
    staff = sworld["people"]["reviewer"]
    page = c.get(f"/admin/org/staff/{staff.pk}/change/").content.decode()
    assert 'name="roles-0-role"' not in page and 'name="user"' not in page
    # nor the lockouts, devices or tokens
    for url in ("/admin/axes/accessattempt/", "/admin/otp_totp/totpdevice/", "/admin/api/apitoken/"):
        assert c.get(url).status_code == 403, url


def test_the_security_admin_manages_passwords_roles_and_devices(sworld: dict[str, Any]) -> None:
    reviewer = get_user_model().objects.get(username="reviewer")
    c = client_for("security_admin")
    r = c.post(
        f"/admin/auth/user/{reviewer.pk}/password/",
        {
            "password1": "New-Reviewer-Pass-2026",
            "password2": "New-Reviewer-Pass-2026",
            "usable_password": "true",
        },
    )
    assert r.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("New-Reviewer-Pass-2026")
    assert AuditEntry.objects.filter(
        action="account.changed", obj="user:reviewer", username="security_admin"
    ).exists()
    # roles of someone else: yes; their own: no
    other = sworld["people"]["reviewer"]
    assert 'name="roles-0-role"' in c.get(f"/admin/org/staff/{other.pk}/change/").content.decode()
    own = sworld["people"]["security_admin"]
    assert 'name="roles-0-role"' not in c.get(f"/admin/org/staff/{own.pk}/change/").content.decode()


def test_totp_secrets_are_shown_to_nobody(sworld: dict[str, Any]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client_for("clerk")  # (no device: clerks need no second factor)
    c = client_for("security_admin")
    device = TOTPDevice.objects.create(user=get_user_model().objects.get(username="clerk"), name="手机")
    for url in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
    ):
        page = c.get(url).content.decode()
        assert c.get(url).status_code == 200
        assert device.key not in page and device.config_url not in page
        assert "clerk" in page
    for suffix in ("config", "qrcode"):
        assert c.get(f"/admin/otp_totp/totpdevice/{device.pk}/{suffix}/").status_code in (302, 404)
    # the reset: deleting the device
    r = c.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(pk=device.pk).exists()
    reset = AuditEntry.objects.get(action="auth.otp_reset")
    assert (reset.username, reset.obj) == ("security_admin", "user:clerk")


def test_the_audit_admin_reads_the_audit_log_and_changes_nothing(sworld: dict[str, Any]) -> None:
    from onewindow.security import audit

    entry = audit.record("test.marker", obj="case:X")
    c = client_for("audit_admin")
    assert "test.marker" in c.get("/admin/security/auditentry/").content.decode()
    assert c.get(f"/admin/security/auditentry/{entry.pk}/change/").status_code == 200
    assert c.post(f"/admin/security/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="audit.view", username="audit_admin").exists()
    for role in ("admin", "security_admin"):
        assert client_for(role).get("/admin/security/auditentry/").status_code == 403


def test_the_admin_login_form_is_the_products_login_page(sworld: dict[str, Any]) -> None:
    r = Client().get("/admin/login/?next=/admin/auth/user/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert client_for("clerk").get("/admin/login/").status_code == 403
    assert client_for("admin").get("/admin/login/").status_code == 302


def test_the_admin_site_is_in_chinese(sworld: dict[str, Any]) -> None:
    import re

    for role in P.ADMIN_SITE_ROLES:
        page = client_for(role).get("/admin/").content.decode()
        names = [n for app in re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", page) for n in [app.strip()]]
        names += [m.strip() for m in re.findall(r'<th scope="row"[^>]*><a[^>]*>([^<]+)</a>', page)]
        assert names, role
        for name in names:
            assert re.search(r"[\u4e00-\u9fff]", name), f"{role}: {name!r} is not Chinese"
    make_missing_objects()
    page = client_for("security_admin").get("/admin/axes/accessattempt/").content.decode()
    assert "登录失败计数" in page and "IP 地址" in page and "Attempt Time" not in page


def test_staff_records_hide_the_private_mobile_and_the_account_link(sworld: dict[str, Any]) -> None:
    """The system admin keeps the staff record's organisation fields; the private mobile is written,
    never shown (formerly shown in clear on the change form); the account link is the security admin's."""
    from onewindow.org.models import Staff

    staff = sworld["people"]["clerk"]
    staff.mobile = "13912345678"
    staff.save()
    c = client_for("admin")
    url = f"/admin/org/staff/{staff.pk}/change/"
    page = c.get(url).content.decode()
    assert "13912345678" not in page and 'name="new_mobile"' in page and 'name="user"' not in page
    form = {
        "name": staff.name,
        "jurisdiction": staff.jurisdiction_id,
        "centre": staff.centre_id or "",
        "department": staff.department_id or "",
        "post": "综窗",
        "public_phone": "",
        "on_board": "on",
        "new_mobile": "1391234",
        "user": get_user_model().objects.get(username="admin").pk,  # ignored: read-only for the admin
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
    }
    r = c.post(url, form)
    assert r.status_code == 200 and "手机号" in r.content.decode()  # the validator's Chinese message
    form["new_mobile"] = "13800001111"
    assert c.post(url, form).status_code == 302
    staff = Staff.objects.get(pk=staff.pk)
    assert staff.mobile == "13800001111" and staff.post == "综窗"
    assert staff.user.get_username() == "clerk"
    form["new_mobile"] = ""
    assert c.post(url, form).status_code == 302
    assert Staff.objects.get(pk=staff.pk).mobile == "13800001111"  # empty keeps the number
