"""Separation of duties (三员分立) enforced at one point for every view: the system, security and audit
administrators never reach residents' personal data (cases, proxy requests, residents, complaints, the
resident portal), whatever the owning view's own checks say. A user who also holds a working role (e.g.
clerk + admin) keeps that role's access."""

from __future__ import annotations

import re
from typing import Any

from onewindow.org.access import roles_of
from onewindow.security.admin_policy import url_granted

ADMIN_ROLES = frozenset({"admin", "security_admin", "audit_admin"})
PERSONAL_DATA_NAMESPACES = frozenset({"cases", "proxy"})
# Public pages and operations under those prefixes answer everybody, administrators included.
PUBLIC_IN_THOSE = frozenset({"cases:progress", "proxy:agents"})
PUBLIC_API_PATHS = re.compile(
    r"^/api/v1/(?:cases/[^/]+/rating(?:/fix)?|complaints|complaints/[^/]+/progress|proxy/agents)/?$"
)
PERSONAL_DATA_URL_NAMES = frozenset(
    {
        "org:resident_list",
        "org:resident_create",
        "org:resident_lookup",
        "org:resident_detail",
        "org:resident_reveal",
        "org:staff_reveal",
        "portal:staff_upload",
        "feedback:complaints",
        "feedback:complaint",
        "open311:requests",
        "open311:request",
    }
)
PERSONAL_DATA_API_PREFIXES = (
    "/api/v1/cases",
    "/api/v1/proxy/",
    "/api/v1/complaints/",
    "/api/v1/my/",
)
PERSONAL_DATA_API_EXACT = frozenset({"/api/v1/complaints"})
# Django admin pages of models holding residents' data or the audit trail (url names admin:<app>_<model>_*).
PERSONAL_DATA_ADMIN_PREFIXES = (
    "admin:org_resident",
    "admin:cases_",
    "admin:proxy_",
    "admin:privacy_",
    "admin:portal_",
    "admin:notify_",
    "admin:files_",
    "admin:feedback_complaint",
    "admin:security_",
)


def admin_only(roles: list[str]) -> bool:
    return bool(roles) and set(roles) <= ADMIN_ROLES


def touches_personal_data(path: str, url_name: str) -> bool:
    if url_name in PUBLIC_IN_THOSE or PUBLIC_API_PATHS.match(path):
        # ``/api/v1/complaints`` is also the (non-public) list: it needs feedback.view, which the
        # administrators do not hold, so it still answers them 403 from the service.
        return False
    if url_name.split(":", 1)[0] in PERSONAL_DATA_NAMESPACES or url_name in PERSONAL_DATA_URL_NAMES:
        return True
    if url_name.startswith(PERSONAL_DATA_ADMIN_PREFIXES):
        return True
    return path.startswith(PERSONAL_DATA_API_PREFIXES) or path in PERSONAL_DATA_API_EXACT


def denied_for_admin(user: Any, path: str, url_name: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    roles = roles_of(user)
    if not admin_only(roles):
        return False
    if url_name.startswith("admin:") and url_granted(roles, url_name):
        return False  # the admin site's role table grants it (the audit admin reads the audit trail)
    return touches_personal_data(path, url_name)
