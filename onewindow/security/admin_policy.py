"""三员分立 in the Django admin: which of the three administrator roles may do what to which model.

The admin site (:mod:`onewindow.security.admin_site`) asks this table, and only this table, before it
shows or changes anything: ``is_staff``, ``is_superuser``, Django groups and model permissions grant
nothing there. A role not named for a model gets nothing; every other role (clerks, reviewers, …)
has no admin access at all. Every model registered in the admin, and every model edited inline,
MUST have an entry (an empty one for "nobody"): the site refuses to register a model without one and
``tests/security/test_admin_site.py`` walks them all.

- ``admin`` (系统管理员): the organisation (regions, centres, windows, departments, duty roster, staff
  records without their account, roles or private mobile), the catalog and the working-day calendar.
- ``security_admin`` (安全管理员): accounts and passwords, groups, staff roles and account links,
  two-factor devices (the secret key is never shown), lockouts, login records and API tokens.
- ``audit_admin`` (审计管理员): reads the audit log and the personal-data access log, changes nothing.
- Residents' data (residents, cases, uploaded files): nobody in the admin; they are handled on the
  staff pages, scoped, masked and logged.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from onewindow.core.adminpolicy import ADD, CHANGE, DELETE, VIEW

ACTIONS = (VIEW, ADD, CHANGE, DELETE)
ADMIN, SECURITY, AUDIT = "admin", "security_admin", "audit_admin"
ADMIN_SITE_ROLES = (ADMIN, SECURITY, AUDIT)

ALL = frozenset(ACTIONS)
READ = frozenset({VIEW})

# model label (lower case) → role → the actions allowed. The ModelAdmin may narrow further (e.g. a
# published item version is read-only), never widen.
MODEL_POLICY: dict[str, dict[str, frozenset[str]]] = {
    # accounts, passwords, roles, two-factor, lockouts, tokens: the security administrator only
    "auth.user": {SECURITY: frozenset({VIEW, ADD, CHANGE})},  # accounts are deactivated, not deleted
    "auth.group": {SECURITY: ALL},
    "otp_totp.totpdevice": {SECURITY: frozenset({VIEW, DELETE})},  # delete = reset, re-enrol at login
    "axes.accessattempt": {SECURITY: frozenset({VIEW, DELETE})},  # delete = unlock
    "axes.accesslog": {SECURITY: READ},
    "axes.accessfailurelog": {SECURITY: READ},
    "api.apitoken": {SECURITY: frozenset({VIEW, CHANGE})},  # change = revoke, rename, expiry
    "org.staffrole": {ADMIN: READ, SECURITY: ALL},
    "org.staff": {ADMIN: frozenset({VIEW, CHANGE}), SECURITY: frozenset({VIEW, ADD, CHANGE})},
    # the system: organisation, catalog, calendar
    "org.jurisdiction": {ADMIN: ALL},
    "org.department": {ADMIN: ALL},
    "org.centre": {ADMIN: ALL},
    "org.openinghours": {ADMIN: ALL},
    "org.holidayduty": {ADMIN: ALL},  # 节假日值班: published on the centre's page
    "org.window": {ADMIN: ALL},
    "org.duty": {ADMIN: ALL},
    "org.workerheartbeat": {ADMIN: READ},
    "catalog.domain": {ADMIN: ALL},
    "catalog.item": {ADMIN: frozenset({VIEW, CHANGE})},
    "catalog.itemversion": {ADMIN: frozenset({VIEW, CHANGE, DELETE})},  # delete: drafts only
    "catalog.material": {ADMIN: ALL},
    "catalog.formfield": {ADMIN: ALL},
    "catalog.bundle": {ADMIN: ALL},
    "catalog.bundleitem": {ADMIN: ALL},
    "worktime.calendaryear": {ADMIN: ALL},
    "worktime.calendarday": {ADMIN: ALL},
    # the audit trail: read by the audit administrator only
    "security.auditentry": {AUDIT: READ},
    "privacy.personaldataaccess": {AUDIT: READ},
    # residents' personal data: nobody in the admin
    "org.resident": {},
    "cases.case": {},
    "cases.caseevent": {},
    "cases.casereminder": {},
    "cases.casereview": {},
    "files.storedfile": {},
}

# Models edited only inline on another model's page (they have no admin URLs of their own).
INLINE_ONLY = frozenset(
    {
        "org.staffrole",
        "org.openinghours",
        "org.holidayduty",
        "org.window",
        "catalog.material",
        "catalog.formfield",
        "catalog.bundleitem",
    }
)

# Chinese names for the third-party apps and models whose own names are English (set at start-up on
# the app configs and model options; model options read by migrations are not touched).
APP_NAMES = {"axes": "登录锁定", "otp_totp": "双因素认证", "django_otp": "双因素认证"}
MODEL_NAMES = {
    "otp_totp.totpdevice": ("动态口令设备", "动态口令设备"),
    "axes.accessattempt": ("登录失败计数", "登录失败计数（锁定）"),
    "axes.accesslog": ("登录记录", "登录记录"),
    "axes.accessfailurelog": ("登录失败记录", "登录失败记录"),
}


def label_of(model: Any) -> str:
    return str(model._meta.label_lower)


def has_policy(model: Any) -> bool:
    return label_of(model) in MODEL_POLICY


def user_roles(user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    # deferred: admin_site (which imports this table) is loaded with the app registry, before models
    from onewindow.org.access import roles_of

    return roles_of(user)


def allowed_actions(user: Any, model: Any) -> frozenset[str]:
    """What ``user`` may do to ``model`` in the admin: the union over the user's roles."""
    grants = MODEL_POLICY.get(label_of(model), {})
    out: set[str] = set()
    for role in user_roles(user):
        out |= grants.get(role, frozenset())
    return frozenset(out)


def allows(user: Any, model: Any, action: str) -> bool:
    return action in allowed_actions(user, model)


def may_use_site(user: Any) -> bool:
    return bool(set(user_roles(user)) & set(ADMIN_SITE_ROLES))


def url_model_label(url_name: str) -> str | None:
    """``admin:auth_user_change`` → ``auth.user`` (only for models in the table)."""
    if not url_name.startswith("admin:"):
        return None
    name = url_name.split(":", 1)[1]
    for label in MODEL_POLICY:
        prefix = label.replace(".", "_") + "_"
        if name.startswith(prefix):
            return label
    return None


def url_granted(roles: list[str], url_name: str) -> bool:
    """Does the table give one of ``roles`` any access to the model behind an admin URL name?"""
    label = url_model_label(url_name)
    if label is None:
        return False
    grants = MODEL_POLICY[label]
    return any(grants.get(role) for role in roles)


def apply_chinese_names() -> None:
    for app_label, name in APP_NAMES.items():
        if app_label in apps.app_configs:
            apps.get_app_config(app_label).verbose_name = name
    for label, (singular, plural) in MODEL_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
