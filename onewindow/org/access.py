"""Who may do what, and where: role permissions plus jurisdiction scoping.

The permission table lives here, in one place. Scoping: every list of jurisdiction-bound data goes
through :func:`scope` (a prefix match on the materialised path), and single objects through
:func:`get_in_scope_or_404`, so an object outside the user's jurisdiction is a 404 — its existence
does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from onewindow.core.actor import Actor
from onewindow.core.errors import Forbidden, NotFound, Unauthenticated
from onewindow.org.lookups import staff_record
from onewindow.org.models import Jurisdiction, Role, Staff

M = TypeVar("M", bound=Model)


class Perm:
    CATALOG_VIEW_DRAFTS = "catalog.view_drafts"
    CATALOG_EDIT = "catalog.edit"
    CATALOG_PUBLISH = "catalog.publish"
    CATALOG_IMPORT = "catalog.import"
    CATALOG_EXPORT = "catalog.export"
    ORG_VIEW_STAFF = "org.view_staff"
    ORG_MANAGE = "org.manage"
    ROSTER_EDIT = "org.roster_edit"
    RESIDENT_VIEW = "org.resident_view"
    RESIDENT_CREATE = "org.resident_create"
    PERSONAL_DATA_FULL_VIEW = "privacy.full_view"
    LEDGER_VIEW = "ledger.view"
    LEDGER_EXPORT = "ledger.export"
    # proxy service (帮办代办): see requests/entrustments/batches/alerts of villages in scope; the ledger
    PROXY_VIEW = "proxy.view"
    PROXY_LEDGER = "proxy.ledger"
    SECURITY_ACCOUNTS = "security.accounts"
    AUDIT_VIEW = "security.audit_view"
    INTEGRATION_MANAGE = "integration.manage"  # webhooks, dead letters, system accounts
    # feedback: 好差评, complaints, notice board
    FEEDBACK_VIEW = "feedback.view"
    FEEDBACK_HANDLE = "feedback.handle"
    FEEDBACK_APPEAL = "feedback.appeal"
    FEEDBACK_DECIDE = "feedback.decide"
    COMPLAINT_RECORD = "feedback.complaint_record"
    NOTICE_POST = "feedback.notice_post"


# The role → permissions table. Jurisdiction scoping applies on top of every entry.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AGENT: frozenset({Perm.ORG_VIEW_STAFF, Perm.RESIDENT_VIEW, Perm.RESIDENT_CREATE}),
    Role.CLERK: frozenset(
        {Perm.CATALOG_VIEW_DRAFTS, Perm.ORG_VIEW_STAFF, Perm.RESIDENT_VIEW, Perm.RESIDENT_CREATE}
    ),
    Role.REVIEWER: frozenset({Perm.CATALOG_VIEW_DRAFTS, Perm.ORG_VIEW_STAFF, Perm.RESIDENT_VIEW}),
    Role.CENTRE_HEAD: frozenset(
        {
            Perm.CATALOG_VIEW_DRAFTS,
            Perm.ORG_VIEW_STAFF,
            Perm.ROSTER_EDIT,
            Perm.RESIDENT_VIEW,
            Perm.RESIDENT_CREATE,
            Perm.PERSONAL_DATA_FULL_VIEW,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {Perm.CATALOG_VIEW_DRAFTS, Perm.CATALOG_EXPORT, Perm.ORG_VIEW_STAFF, Perm.RESIDENT_VIEW}
    ),
    Role.ADMIN: frozenset(
        {
            Perm.CATALOG_VIEW_DRAFTS,
            Perm.CATALOG_EDIT,
            Perm.CATALOG_PUBLISH,
            Perm.CATALOG_IMPORT,
            Perm.CATALOG_EXPORT,
            Perm.ORG_VIEW_STAFF,
            Perm.ORG_MANAGE,
            Perm.ROSTER_EDIT,
            Perm.INTEGRATION_MANAGE,
        }
    ),
    # Separation of duties (三员分立): the system admin runs the system but reads no residents' data and
    # no audit log; the security admin manages accounts, roles and lockouts; the audit admin only reads
    # the audit log.
    Role.SECURITY_ADMIN: frozenset({Perm.ORG_VIEW_STAFF, Perm.SECURITY_ACCOUNTS}),
    Role.AUDIT_ADMIN: frozenset({Perm.AUDIT_VIEW}),
}

# feedback permissions (好差评 rectification and appeal, complaints, 三务公开 notices)
_FEEDBACK_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AGENT: frozenset({Perm.COMPLAINT_RECORD}),
    Role.CLERK: frozenset({Perm.FEEDBACK_VIEW, Perm.FEEDBACK_HANDLE, Perm.COMPLAINT_RECORD}),
    Role.REVIEWER: frozenset({Perm.FEEDBACK_VIEW, Perm.FEEDBACK_HANDLE}),
    Role.CENTRE_HEAD: frozenset(
        {
            Perm.FEEDBACK_VIEW,
            Perm.FEEDBACK_HANDLE,
            Perm.FEEDBACK_APPEAL,
            Perm.COMPLAINT_RECORD,
            Perm.NOTICE_POST,
        }
    ),
    Role.SUPERVISOR: frozenset({Perm.FEEDBACK_VIEW, Perm.FEEDBACK_HANDLE, Perm.FEEDBACK_DECIDE}),
    Role.ADMIN: frozenset({Perm.NOTICE_POST}),  # 三员分立: no ratings' or complaints' contents
}
for _role, _perms in _FEEDBACK_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms


# Proxy service: every role that works on residents' cases; system administrators stay out.
for _role in (Role.AGENT, Role.CLERK, Role.REVIEWER, Role.CENTRE_HEAD, Role.SUPERVISOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.PROXY_VIEW, Perm.PROXY_LEDGER}

# 部门负责人 (the head of a deciding department, who approves extensions): a reviewer's permissions.
ROLE_PERMISSIONS[Role.DEPT_HEAD] = ROLE_PERMISSIONS[Role.REVIEWER]

# Ledger and statistics (aggregates only): supervisors and centre heads, each within their jurisdiction.
for _role in (Role.CENTRE_HEAD, Role.SUPERVISOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.LEDGER_VIEW, Perm.LEDGER_EXPORT}


def staff_of(user: Any) -> Staff | None:
    """The staff record of a user or an :class:`Actor` (from the per-process cache of ``org.lookups``,
    then kept on the user)."""
    if isinstance(user, Actor):
        return user.staff
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_ow_staff", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    staff = staff_record(user)  # the per-process org cache (org.lookups)
    user._ow_staff = staff
    return staff


def roles_of(user: Any) -> list[str]:
    if isinstance(user, Actor):
        return sorted(user.roles)
    staff = staff_of(user)
    return staff.role_list if staff else []


def has_perm(user: Any, perm: str) -> bool:
    return any(perm in ROLE_PERMISSIONS.get(role, frozenset()) for role in roles_of(user))


def require_perm(user: Any, perm: str) -> Staff:
    staff = staff_of(user)
    if staff is None:
        if not getattr(user, "is_authenticated", False):
            raise Unauthenticated()
        raise Forbidden("您的账号未关联工作人员信息")
    if not has_perm(user, perm):
        raise Forbidden()
    return staff


def scope_roots(user: Any) -> list[Jurisdiction]:
    """The jurisdictions whose subtrees the user (or :class:`Actor`) may see (empty: nothing)."""
    if isinstance(user, Actor):
        return list(user.scope_roots)
    staff = staff_of(user)
    if staff is None:
        return []
    return [staff.jurisdiction, *staff.extra_jurisdictions.all()]


def scope_q(user: Any, path_field: str = "jurisdiction__path") -> Q:
    roots = scope_roots(user)
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= Q(**{f"{path_field}__startswith": root.path})
    return q


def scope(user: Any, qs: QuerySet[M], path_field: str = "jurisdiction__path") -> QuerySet[M]:
    """Filter ``qs`` to the user's jurisdiction (the selector helper every list uses)."""
    return qs.filter(scope_q(user, path_field))


def in_scope(user: Any, jurisdiction: Jurisdiction) -> bool:
    return any(jurisdiction.path.startswith(root.path) for root in scope_roots(user))


def get_in_scope_or_404(
    user: Any, qs: QuerySet[M], path_field: str = "jurisdiction__path", **lookup: Any
) -> M:
    obj = scope(user, qs, path_field).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def has_any_role(roles: frozenset[str] | set[str]) -> Callable[[Any], bool]:
    """A predicate for ``core.apiauth.role_auth``: the caller holds one of ``roles``."""

    def check(user: Any) -> bool:
        return bool(set(roles_of(user)) & set(roles))

    return check


def has_any_perm(*perms: str) -> Callable[[Any], bool]:
    """A predicate for ``core.apiauth.role_auth``: the caller holds one of ``perms``."""

    def check(user: Any) -> bool:
        return any(has_perm(user, p) for p in perms)

    return check
