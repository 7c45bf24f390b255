"""The authorization table: every URL and API operation → the expected result for every role.

``tests/security/test_matrix.py`` resolves every Django URL pattern and every django-ninja operation,
calls each one as every role in :data:`ROLES` and compares the outcome with this table. A URL or
operation that is missing here FAILS that test, so when you add a URL, add its entry.

Format
------
Keys:

* Django URL patterns: ``"namespace:name"`` (``"name"`` without a namespace), e.g. ``"cases:detail"``.
  Unnamed patterns: the full route, e.g. ``"media/<path:path>"``.
* API operations: ``"api METHOD /path"`` with the ninja path as mounted under ``/api/v1``, e.g.
  ``"api GET /cases/{number}"``.

Values: :class:`Entry`:

* ``expect``: role → outcome, built with :func:`rule` (``rule(default, **per_role)``): ``default`` for
  every role not named; ``anonymous`` defaults to ``LOGIN`` for pages and ``UNAUTH`` for the API
  (give ``anonymous=OK`` for public ones). Shortcuts: :func:`public`, :func:`staff`, :func:`api`, with
  the role groups below (``CASE_WORKERS``, ``WINDOW``, ``FRONT_DESK``, ``FEEDBACK_HANDLERS``).
* outcomes: ``OK`` (allowed: any status except 401/403/404, 5xx and a redirect to the login page —
  a 400/405/409/422/429 or a redirect elsewhere still counts as "not denied"), ``FORBIDDEN`` (403),
  ``NOT_FOUND`` (404: also what an object outside the jurisdiction gives), ``LOGIN`` (302 to the login
  page), ``UNAUTH`` (401, API), ``OTP`` (302 to the two-factor step ``/security/otp/``).
* ``method``: ``"GET"`` (default) or ``"POST"`` etc.; POSTs are sent with ``data`` (dict) and a valid
  session (CSRF checks are off in the test client). Use ``data`` only to get past validation when the
  permission check comes after it; most entries need none.
* ``kwargs``: URL kwargs as ``str.format`` templates over the matrix objects, e.g.
  ``{"number": "{case.number}"}``, or a callable ``(objects) -> dict`` that may create objects of your
  own app first. Matrix objects (all inside township A / centre C-A unless named): ``case`` (an accepted
  MZ-001 case at C-A for a resident of village A1), ``resident``, ``clerk_staff`` (Staff of ``clerk``),
  ``centre`` (C-A), ``window`` (window 1 of C-A), ``ticket`` (a waiting ticket at C-A), ``item``
  (MZ-001), ``version`` (its published ItemVersion), ``appointment`` (at C-A), ``duty`` (a roster duty of
  ``clerk`` at C-A), ``user`` (the User object being tested, may be None), ``world`` (tests.factories).
* ``skip``: a reason when the URL cannot be called generically (still must be listed).

Roles (the users in the matrix): ``agent`` (village A1), ``clerk`` (C-A), ``reviewer`` (county D-MZ),
``centre_head`` (C-A), ``supervisor`` (county), ``admin`` (county system administrator),
``security_admin`` (county), ``audit_admin`` (county), ``outsider`` (clerk at C-B, township B: objects
in township A are 404 for them), ``anonymous``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from onewindow.security.admin_policy import INLINE_ONLY, MODEL_POLICY

OK = "ok"
FORBIDDEN = "403"
NOT_FOUND = "404"
LOGIN = "login"
UNAUTH = "401"
OTP = "otp"
OUTCOMES = frozenset({OK, FORBIDDEN, NOT_FOUND, LOGIN, UNAUTH, OTP})

STAFF_ROLES = (
    "agent",
    "clerk",
    "reviewer",
    "centre_head",
    "supervisor",
    "admin",
    "security_admin",
    "audit_admin",
    "outsider",
)
ROLES = (*STAFF_ROLES, "anonymous")


@dataclass(frozen=True)
class Entry:
    expect: Mapping[str, str]
    method: str = "GET"
    kwargs: Mapping[str, str] | Callable[[dict[str, Any]], dict[str, Any]] = field(default_factory=dict)
    data: Mapping[str, Any] | None = None
    skip: str = ""


def rule(default: str, anonymous: str = LOGIN, **roles: str) -> dict[str, str]:
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    expect = {role: roles.get(role, default) for role in STAFF_ROLES}
    expect["anonymous"] = anonymous
    return expect


def public() -> dict[str, str]:
    return rule(OK, anonymous=OK)


def staff(
    allowed: str | tuple[str, ...] = STAFF_ROLES, *, others: str = FORBIDDEN, **roles: str
) -> dict[str, str]:
    """Pages: roles in ``allowed`` get OK, the rest ``others``; anonymous → login; overrides by name."""
    names = (allowed,) if isinstance(allowed, str) else allowed
    expect = rule(others, **{r: OK for r in names})
    expect.update(roles)
    return expect


def api(
    allowed: str | tuple[str, ...] = STAFF_ROLES, *, others: str = FORBIDDEN, **roles: str
) -> dict[str, str]:
    """API operations: like :func:`staff` but anonymous → 401."""
    expect = staff(allowed, others=others, **roles)
    expect["anonymous"] = UNAUTH
    return expect


def E(expect: dict[str, str], **kw: Any) -> Entry:
    return Entry(expect=expect, **kw)


CASE = {"number": "{case.number}"}
ITEM = {"code": "{item.code}"}
CENTRE = {"code": "{centre.code}"}

# Roles whose work is residents' cases; system/security/audit administrators are kept out of them:
# ``staff(CASE_WORKERS)`` / ``api(CASE_WORKERS)`` is a page / an operation holding residents' personal
# data (the administrators FORBIDDEN), narrowed by name where a case worker is kept out too.
CASE_WORKERS = ("agent", "clerk", "reviewer", "centre_head", "supervisor", "outsider")
ADMINS = ("admin", "security_admin", "audit_admin")
# The window staff of a centre (the outsider is a clerk too, at C-B) and, with the village agent, the
# front desk that registers residents, entrustments and batches.
WINDOW = ("clerk", "centre_head", "outsider")
FRONT_DESK = ("agent", *WINDOW)
# Who handles a centre's rectifications and complaints.
FEEDBACK_HANDLERS = ("clerk", "reviewer", "centre_head", "supervisor", "outsider")
# With any group, ``outsider=NOT_FOUND`` marks an object in township A, out of the outsider's scope
# (and ``agent=NOT_FOUND`` one outside the agent's village A1).

# Generated from an observed run, then reviewed: the administrators (admin, security_admin, audit_admin)
# are FORBIDDEN on every page/operation holding residents' personal data (onewindow/security/policy.py).
# Objects of other apps not yet in the matrix objects are addressed by id 999999 (absent): those rows
# check authentication and the permission layer in front of the lookup; their owners should give kwargs.
URLS: dict[str, Entry] = {
    "login": E(public()),
    "logout": E(public(), method="POST"),
    "healthz": E(public()),
    # development page: absent (404) for everyone unless DEBUG or demo mode (tests/demo/test_outbox.py)
    "devtools:outbox": E(rule(NOT_FOUND, anonymous=NOT_FOUND)),
    "open311:discovery": E(public(), kwargs={"fmt": "json"}),
    "open311:services": E(public(), kwargs={"fmt": "json"}),
    "open311:service": E(public(), kwargs={"code": "{item.code}", "fmt": "json"}),
    "open311:requests": E(rule(FORBIDDEN, anonymous=FORBIDDEN), kwargs={"fmt": "json"}),
    "open311:request": E(
        rule(FORBIDDEN, anonymous=FORBIDDEN), kwargs={"number": "{case.number}", "fmt": "json"}
    ),
    "catalog:manage_list": E(
        rule(OK, anonymous=LOGIN, agent=FORBIDDEN, security_admin=FORBIDDEN, audit_admin=FORBIDDEN)
    ),
    "catalog:item_create": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK)),
    "catalog:export": E(rule(FORBIDDEN, anonymous=LOGIN, supervisor=OK, admin=OK)),
    "catalog:import": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK)),
    "worktime:calendar": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK)),
    "worktime:calendar_confirm": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK), method="POST"),
    "catalog:item_detail": E(
        rule(OK, anonymous=LOGIN, agent=FORBIDDEN, security_admin=FORBIDDEN, audit_admin=FORBIDDEN),
        kwargs={"code": "{item.code}"},
    ),
    "catalog:version_new_draft": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=OK), kwargs={"code": "{item.code}"}
    ),
    "catalog:item_retire": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK), kwargs={"code": "{item.code}"}),
    "catalog:version_edit": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=NOT_FOUND),
        kwargs={"code": "{item.code}", "number": "{case.number}"},
    ),
    "catalog:version_publish": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=OK),
        kwargs={"code": "{item.code}", "number": "{case.number}"},
    ),
    "org:staff_list": E(rule(OK, anonymous=LOGIN, audit_admin=FORBIDDEN)),
    "org:staff_detail": E(
        rule(OK, anonymous=LOGIN, agent=NOT_FOUND, audit_admin=FORBIDDEN, outsider=NOT_FOUND),
        kwargs={"pk": "{clerk_staff.pk}"},
    ),
    "org:staff_reveal": E(
        rule(FORBIDDEN, anonymous=LOGIN, agent=NOT_FOUND, centre_head=OK, outsider=NOT_FOUND),
        kwargs={"pk": "{clerk_staff.pk}"},
        method="POST",
    ),
    "org:roster": E(rule(OK, anonymous=LOGIN, audit_admin=FORBIDDEN)),
    "org:roster_duty_add": E(
        rule(FORBIDDEN, anonymous=LOGIN, centre_head=OK, admin=OK),
        kwargs={"centre_id": "{centre.pk}"},
        method="POST",
    ),
    "org:roster_duty_remove": E(rule(OK, anonymous=LOGIN), kwargs={"pk": "{duty.pk}"}),
    "org:resident_list": E(staff(CASE_WORKERS)),
    "org:resident_create": E(staff(FRONT_DESK)),
    "org:resident_lookup": E(staff(CASE_WORKERS)),
    "org:resident_detail": E(
        staff(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"pk": "{resident.pk}"},
    ),
    "org:resident_contact": E(
        staff(WINDOW, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"pk": "{resident.pk}"},
    ),
    "org:resident_reveal": E(
        staff(CASE_WORKERS),
        kwargs={"pk": "{resident.pk}"},
    ),
    "proxy:home": E(staff(CASE_WORKERS)),
    "proxy:entrust": E(staff(FRONT_DESK)),
    "proxy:intake": E(rule(FORBIDDEN, anonymous=LOGIN, agent=OK)),
    "proxy:detail": E(
        staff(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{proxy_request.pk}"},
    ),
    "proxy:act": E(
        staff(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{proxy_request.pk}"},
        method="POST",
        data={"action": "prereview_return", "flag_M01": "1", "reason_M01": "照片不清晰"},
    ),
    "proxy:file": E(
        staff(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"file_id": "{proxy_file.id}"},
    ),
    "proxy:entrustment_pdf": E(
        staff(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{entrustment.pk}"},
    ),
    "proxy:queue": E(staff(CASE_WORKERS, agent=FORBIDDEN)),
    "proxy:batches": E(staff(FRONT_DESK)),
    "proxy:batch": E(
        staff(CASE_WORKERS, reviewer=FORBIDDEN, outsider=NOT_FOUND),
        kwargs={"pk": "{batch.pk}"},
    ),
    "proxy:manifest": E(
        staff(CASE_WORKERS, reviewer=FORBIDDEN, outsider=NOT_FOUND),
        kwargs={"pk": "{batch.pk}"},
    ),
    "proxy:alerts": E(staff(CASE_WORKERS)),
    "proxy:ledger": E(staff(CASE_WORKERS)),
    "proxy:visits": E(staff(FRONT_DESK)),
    "proxy:agents": E(public()),
    "feedback:rate": E(public()),
    "feedback:pad": E(staff(CASE_WORKERS, agent=FORBIDDEN)),
    # the locked pad of one window: public, named by its signed token (feedback.services.pad)
    "feedback:pad_window": E(public(), kwargs=lambda objects: {"token": _pad_token(objects["window"])}),
    "feedback:pad_state": E(public(), kwargs=lambda objects: {"token": _pad_token(objects["window"])}),
    "feedback:results": E(public()),
    "feedback:rectifications": E(staff(CASE_WORKERS, agent=FORBIDDEN)),
    "feedback:rectification": E(
        staff(FEEDBACK_HANDLERS, outsider=NOT_FOUND),
        kwargs={"pk": "{rectification.pk}"},
    ),
    "feedback:complaint_new": E(public()),
    "feedback:complaint_follow": E(public()),
    "feedback:complaints": E(staff(CASE_WORKERS, agent=FORBIDDEN)),
    "feedback:complaint": E(
        staff(FEEDBACK_HANDLERS, outsider=NOT_FOUND),
        kwargs={"number": "{complaint.number}"},
    ),
    "feedback:notices": E(rule(FORBIDDEN, anonymous=LOGIN, centre_head=OK, admin=OK)),
    "feedback:notice_withdraw": E(
        rule(FORBIDDEN, anonymous=LOGIN, centre_head=OK, admin=OK),
        kwargs={"pk": "{notice.pk}"},
        method="POST",
    ),
    "feedback:notice_file": E(public(), kwargs={"pk": "{notice.pk}", "file_id": "{notice_file.pk}"}),
    "feedback:disclosure": E(public(), kwargs={"code": "{centre.code}"}),
    "integration:subscriptions": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK)),
    "integration:subscription_toggle": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=OK), kwargs={"pk": "{subscription.pk}"}, method="POST"
    ),
    "integration:subscription_delete": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=OK), kwargs={"pk": "{subscription.pk}"}, method="POST"
    ),
    "integration:dead_letters": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK)),
    "integration:dead_letter_retry": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=NOT_FOUND), kwargs={"pk": "999999"}, method="POST"
    ),
    "integration:tokens": E(rule(OK, anonymous=LOGIN)),
    "integration:token_revoke": E(
        rule(NOT_FOUND, anonymous=LOGIN, clerk=OK), kwargs={"pk": "{token.pk}"}, method="POST"
    ),
    "integration:accounts": E(rule(FORBIDDEN, anonymous=LOGIN, admin=OK)),
    "integration:account_disable": E(
        rule(FORBIDDEN, anonymous=LOGIN, admin=NOT_FOUND), kwargs={"pk": "999999"}, method="POST"
    ),
    "security:otp_verify": E(rule(OK, anonymous=LOGIN, agent=OTP, clerk=OTP, reviewer=OTP, outsider=OTP)),
    "security:otp_setup": E(rule(OK, anonymous=LOGIN)),
    "security:login_history": E(rule(OK, anonymous=LOGIN)),
    "security:password_change": E(rule(OK, anonymous=LOGIN)),
    "security:accounts": E(rule(FORBIDDEN, anonymous=LOGIN, security_admin=OK)),
    "security:unlock": E(public(), kwargs={"username": "clerk"}),
    "security:otp_reset": E(public(), kwargs={"username": "clerk"}),
    "security:audit_log": E(rule(FORBIDDEN, anonymous=LOGIN, audit_admin=OK)),
    "security:audit_export": E(rule(FORBIDDEN, anonymous=LOGIN, audit_admin=OK)),
    "notify:resident_preferences": E(
        rule(NOT_FOUND, anonymous=LOGIN, admin=FORBIDDEN, security_admin=FORBIDDEN, audit_admin=FORBIDDEN),
        kwargs={"pk": "999999"},
    ),
    "cases:list": E(staff(CASE_WORKERS)),
    "cases:workbench": E(staff(WINDOW)),
    # the window's person look-up by ID number (htmx); the outsider gets "unknown" for township A's residents
    "cases:person_lookup": E(staff(WINDOW), method="POST"),
    "cases:queue": E(rule(FORBIDDEN, anonymous=LOGIN, reviewer=OK, centre_head=OK, supervisor=OK)),
    "cases:output": E(staff(CASE_WORKERS, supervisor=FORBIDDEN)),
    "cases:warnings": E(rule(FORBIDDEN, anonymous=LOGIN, centre_head=OK, supervisor=OK)),
    "cases:detail": E(
        staff(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"number": "{case.number}"},
    ),
    "cases:outcome": E(
        staff(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"number": "{case.number}"},
    ),
    "cases:act": E(
        staff(CASE_WORKERS),
        kwargs={"number": "{case.number}"},
    ),
    "cases:applicant_correct": E(
        staff(CASE_WORKERS, agent=NOT_FOUND, supervisor=FORBIDDEN, outsider=NOT_FOUND),
        method="POST",
        kwargs={"number": "{case.number}"},
    ),
    "cases:document": E(
        staff(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"number": "{case.number}", "kind": "receipt"},
    ),
    "cases:progress": E(public()),
    "home": E(public()),
    "queueing:console": E(staff(WINDOW)),
    "queueing:waiting": E(
        staff(WINDOW, outsider=NOT_FOUND),
        kwargs={"window_id": "{window.pk}"},
    ),
    "queueing:call": E(public(), kwargs={"window_id": "{window.pk}"}),
    "queueing:act": E(public(), kwargs={"window_id": "{window.pk}", "ticket_id": "{ticket.pk}"}),
    "queueing:board": E(public(), kwargs={"code": "{centre.code}"}),
    "queueing:kiosk": E(public(), kwargs={"code": "{centre.code}"}),
    "queueing:kiosk_take": E(public(), kwargs={"code": "{centre.code}"}),
    "queueing:kiosk_check_in": E(public(), kwargs={"code": "{centre.code}"}),
    "queueing:kiosk_ticket": E(public(), kwargs={"code": "{centre.code}", "ticket_id": "{ticket.pk}"}),
    "queueing:book": E(public(), kwargs={"code": "{centre.code}"}),
    "queueing:book_done": E(
        rule(NOT_FOUND, anonymous=NOT_FOUND),
        kwargs={"code": "{centre.code}", "appointment_id": "{appointment.pk}"},
    ),
    "queueing:book_cancel": E(public(), kwargs={"code": "{centre.code}"}),
    "portal:item_list": E(public()),
    "portal:item_pdf": E(public(), kwargs={"code": "{item.code}"}),
    "portal:item_detail": E(public(), kwargs={"code": "{item.code}"}),
    "portal:item_print": E(public(), kwargs={"code": "{item.code}"}),
    "portal:bundle_list": E(public()),
    "portal:bundle_detail": E(rule(NOT_FOUND, anonymous=NOT_FOUND), kwargs={"code": "NONE"}),
    "portal:centre_list": E(public()),
    "portal:centre_detail": E(public(), kwargs={"code": "{centre.code}"}),
    "portal:text_size": E(public()),
    "portal:favicon": E(public()),
    "portal:privacy_notice": E(public()),
    # the staff home page's "mark my messages read" (POST; a resident account has no staff inbox here)
    "portal:desk_messages": E(staff()),
    "portal:desk_messages_read": E(staff(), method="POST"),
    "portal:login": E(public()),
    "portal:realname": E(rule(FORBIDDEN, anonymous=LOGIN)),
    "portal:contact": E(rule(FORBIDDEN, anonymous=LOGIN)),
    "portal:window_bind": E(
        staff(WINDOW, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"pk": "{resident.pk}"},
    ),
    "portal:my_cases": E(rule(FORBIDDEN, anonymous=LOGIN)),
    "portal:inbox": E(rule(FORBIDDEN, anonymous=LOGIN)),
    "portal:notify_settings": E(rule(FORBIDDEN, anonymous=LOGIN)),
    "portal:my_case": E(rule(FORBIDDEN, anonymous=LOGIN), kwargs={"number": "{case.number}"}),
    "portal:supplement": E(
        rule(FORBIDDEN, anonymous=LOGIN), kwargs={"number": "{case.number}"}, method="POST"
    ),
    "portal:my_document": E(
        rule(FORBIDDEN, anonymous=LOGIN), kwargs={"number": "{case.number}", "kind": "receipt"}
    ),
    "portal:my_file": E(rule(FORBIDDEN, anonymous=LOGIN), kwargs={"upload_id": "{portal_upload.pk}"}),
    "portal:staff_upload": E(
        staff(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"upload_id": "{portal_upload.pk}"},
    ),
    "portal:apply_list": E(public()),
    "portal:apply": E(rule(FORBIDDEN, anonymous=LOGIN), kwargs={"code": "{item.code}"}),
    "media/<path:path>": E(
        public(),
        kwargs={"path": "x"},
        skip="dev-only file serving of MEDIA_ROOT (nginx serves it in production)",
    ),
    "api GET /me": E(rule(OK, anonymous=UNAUTH)),
    "api POST /residents/{pk}/contact": E(
        api(WINDOW, agent=NOT_FOUND, outsider=NOT_FOUND),
        method="POST",
        kwargs={"pk": "{resident.pk}"},
        data={"reason": ""},
    ),
    "api GET /jurisdictions": E(public()),
    "api GET /centres": E(public()),
    "api GET /centres/{code}": E(public(), kwargs={"code": "{centre.code}"}),
    "api GET /items": E(public()),
    "api GET /items/{code}": E(public(), kwargs={"code": "{item.code}"}),
    "api GET /domains": E(public()),
    "api GET /bundles": E(public()),
    "api GET /bundles/{code}": E(rule(NOT_FOUND, anonymous=NOT_FOUND), kwargs={"code": "NONE"}),
    "api GET /calendar/deadline": E(public()),
    "api GET /calendar/workday": E(public()),
    "api POST /cases": E(api(CASE_WORKERS)),
    "api GET /cases": E(api(CASE_WORKERS)),
    "api GET /cases/{number}": E(
        api(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"number": "{case.number}"},
    ),
    "api POST /cases/{number}/actions": E(
        api(CASE_WORKERS),
        kwargs={"number": "{case.number}"},
    ),
    "api POST /cases/{number}/applicant-correction": E(
        api(CASE_WORKERS, agent=NOT_FOUND, supervisor=FORBIDDEN, outsider=NOT_FOUND),
        method="POST",
        kwargs={"number": "{case.number}"},
        data={"reason": ""},
    ),
    "api GET /progress": E(public()),
    "api GET /cases/{number}/documents/{kind}.pdf": E(
        api(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"number": "{case.number}", "kind": "receipt"},
    ),
    "api POST /tickets": E(public()),
    "api POST /windows/{window_id}/call-next": E(
        api(WINDOW, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"window_id": "{window.pk}"},
    ),
    "api POST /tickets/{ticket_id}/actions": E(
        rule(OK, anonymous=UNAUTH), kwargs={"ticket_id": "{ticket.pk}"}
    ),
    "api GET /centres/{code}/board": E(public(), kwargs={"code": "{centre.code}"}),
    "api GET /centres/{code}/slots": E(public(), kwargs={"code": "{centre.code}"}),
    "api POST /appointments": E(public()),
    "api POST /appointments/phone-code": E(public()),
    "api POST /appointments/{appointment_id}/check-in": E(
        public(), kwargs={"appointment_id": "{appointment.pk}"}
    ),
    "api POST /appointments/{appointment_id}/cancel": E(
        public(), kwargs={"appointment_id": "{appointment.pk}"}
    ),
    "api GET /centres/{code}/queue-stats": E(rule(OK, anonymous=UNAUTH), kwargs={"code": "{centre.code}"}),
    "api POST /proxy/files": E(api(CASE_WORKERS)),
    "api GET /proxy/files/{file_id}": E(
        api(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"file_id": "{proxy_file.id}"},
    ),
    "api POST /proxy/entrustments": E(api(FRONT_DESK)),
    "api GET /proxy/entrustments": E(api(CASE_WORKERS)),
    "api GET /proxy/entrustments/{pk}": E(
        api(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{entrustment.pk}"},
    ),
    "api POST /proxy/entrustments/{pk}/revoke": E(
        api(FRONT_DESK, outsider=NOT_FOUND),
        kwargs={"pk": "{entrustment.pk}"},
        data={"reason": "群众撤回委托"},
    ),
    "api POST /proxy/requests": E(rule(FORBIDDEN, anonymous=UNAUTH, agent=OK)),
    "api GET /proxy/requests": E(api(CASE_WORKERS)),
    "api GET /proxy/requests/{pk}": E(
        api(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{proxy_request.pk}"},
    ),
    "api POST /proxy/requests/{pk}/actions": E(
        api(WINDOW, outsider=NOT_FOUND),
        kwargs={"pk": "{proxy_request.pk}"},
        data={"action": "prereview_return", "missing": [{"code": "M01", "reason": "照片不清晰"}]},
    ),
    "api GET /proxy/entrustments/{pk}/document.pdf": E(
        api(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{entrustment.pk}"},
    ),
    "api POST /proxy/batches": E(api(FRONT_DESK)),
    "api GET /proxy/batches": E(api(CASE_WORKERS)),
    "api GET /proxy/batches/{pk}": E(
        api(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{batch.pk}"},
    ),
    "api POST /proxy/batches/{pk}/hand_over": E(
        rule(FORBIDDEN, anonymous=UNAUTH, agent=OK, outsider=NOT_FOUND),
        kwargs={"pk": "{batch.pk}"},
        data={"to": "clerk", "signed_by": "司机"},
    ),
    "api POST /proxy/batches/{pk}/receive": E(
        api(WINDOW, outsider=NOT_FOUND),
        kwargs={"pk": "{batch.pk}"},
    ),
    "api GET /proxy/batches/{pk}/manifest.pdf": E(
        api(CASE_WORKERS, outsider=NOT_FOUND),
        kwargs={"pk": "{batch.pk}"},
    ),
    "api GET /proxy/alerts": E(api(CASE_WORKERS)),
    "api POST /proxy/alerts/{pk}/resolve": E(
        api(CASE_WORKERS),
        kwargs={"pk": "999999"},
    ),
    "api GET /proxy/ledger": E(api(CASE_WORKERS)),
    "api GET /proxy/ledger.xlsx": E(api(CASE_WORKERS)),
    "api POST /proxy/residents/{resident_id}/flags": E(
        rule(
            FORBIDDEN,
            anonymous=UNAUTH,
            agent=NOT_FOUND,
            clerk=NOT_FOUND,
            centre_head=NOT_FOUND,
            outsider=NOT_FOUND,
        ),
        kwargs={"resident_id": "999999"},
    ),
    "api POST /proxy/visits": E(api(CASE_WORKERS)),
    "api GET /proxy/visits": E(api(CASE_WORKERS)),
    "api POST /proxy/visits/{pk}/complete": E(
        api(CASE_WORKERS),
        kwargs={"pk": "999999"},
    ),
    "api POST /proxy/visits/{pk}/cancel": E(
        api(CASE_WORKERS),
        kwargs={"pk": "999999"},
    ),
    "api GET /proxy/agents": E(public()),
    "api POST /cases/{number}/rating": E(public(), kwargs={"number": "{case.number}"}),
    "api POST /cases/{number}/rating/fix": E(
        public(),
        kwargs={"number": "{case.number}"},
    ),
    "api GET /ratings/summary": E(public()),
    "api POST /ratings/{rating_id}/appeal": E(
        rule(FORBIDDEN, anonymous=UNAUTH, centre_head=OK),
        kwargs={"rating_id": "{rating.pk}"},
        data={"reason": "群众误评"},
    ),
    "api POST /appeals/{appeal_id}/decide": E(rule(OK, anonymous=UNAUTH), kwargs={"appeal_id": "999999"}),
    "api GET /rectifications": E(api(CASE_WORKERS, agent=FORBIDDEN)),
    "api POST /rectifications/{rect_id}/actions": E(
        api(FEEDBACK_HANDLERS, outsider=NOT_FOUND),
        kwargs={"rect_id": "{rectification.pk}"},
        data={"action": "callback", "note": "已电话回访"},
    ),
    "api POST /complaints": E(public()),
    "api GET /complaints": E(api(CASE_WORKERS, agent=FORBIDDEN)),
    "api GET /complaints/{number}/progress": E(
        rule(NOT_FOUND, anonymous=NOT_FOUND), kwargs={"number": "{complaint.number}"}
    ),
    "api GET /complaints/{number}": E(
        api(FEEDBACK_HANDLERS, outsider=NOT_FOUND),
        kwargs={"number": "{complaint.number}"},
    ),
    "api POST /complaints/{number}/actions": E(
        api(FEEDBACK_HANDLERS, outsider=NOT_FOUND),
        kwargs={"number": "{complaint.number}"},
        data={"action": "start", "note": "开始办理"},
    ),
    "api GET /tokens": E(rule(OK, anonymous=UNAUTH)),
    "api POST /tokens": E(rule(OK, anonymous=UNAUTH)),
    "api POST /tokens/{token_id}/revoke": E(
        rule(NOT_FOUND, anonymous=UNAUTH, clerk=OK), kwargs={"token_id": "{token.pk}"}
    ),
    "api DELETE /tokens/{token_id}": E(
        rule(NOT_FOUND, anonymous=UNAUTH, clerk=OK), kwargs={"token_id": "{token.pk}"}
    ),
    "api GET /integration/accounts": E(rule(FORBIDDEN, anonymous=UNAUTH, admin=OK)),
    "api POST /integration/accounts": E(rule(OK, anonymous=UNAUTH)),
    "api POST /integration/accounts/{account_id}/disable": E(
        rule(FORBIDDEN, anonymous=UNAUTH, admin=NOT_FOUND), kwargs={"account_id": "999999"}
    ),
    "api GET /events": E(rule(FORBIDDEN, anonymous=UNAUTH, admin=OK)),
    "api GET /webhooks": E(rule(FORBIDDEN, anonymous=UNAUTH, admin=OK)),
    "api POST /webhooks": E(rule(OK, anonymous=UNAUTH)),
    "api GET /webhooks/deliveries": E(rule(FORBIDDEN, anonymous=UNAUTH, admin=OK)),
    "api POST /webhooks/deliveries/{delivery_id}/retry": E(
        rule(FORBIDDEN, anonymous=UNAUTH, admin=NOT_FOUND), kwargs={"delivery_id": "999999"}
    ),
    "api GET /webhooks/{subscription_id}": E(
        rule(FORBIDDEN, anonymous=UNAUTH, admin=OK), kwargs={"subscription_id": "{subscription.pk}"}
    ),
    "api PATCH /webhooks/{subscription_id}": E(
        rule(FORBIDDEN, anonymous=UNAUTH, admin=OK), kwargs={"subscription_id": "{subscription.pk}"}
    ),
    "api DELETE /webhooks/{subscription_id}": E(
        rule(FORBIDDEN, anonymous=UNAUTH, admin=OK), kwargs={"subscription_id": "{subscription.pk}"}
    ),
    "api POST /portal/otp": E(public()),
    "api POST /portal/login": E(public()),
    "api POST /my/realname": E(api(CASE_WORKERS)),
    "api POST /my/contact": E(api(CASE_WORKERS)),
    "api GET /my/cases": E(rule(FORBIDDEN, anonymous=UNAUTH)),
    "api GET /my/cases/{number}": E(rule(FORBIDDEN, anonymous=UNAUTH), kwargs={"number": "{case.number}"}),
    "api POST /my/cases/{number}/supplement": E(
        rule(FORBIDDEN, anonymous=UNAUTH), kwargs={"number": "{case.number}"}
    ),
    "api GET /my/inbox": E(rule(FORBIDDEN, anonymous=UNAUTH)),
    "api GET /cases/{number}/uploads": E(
        api(CASE_WORKERS, agent=NOT_FOUND, outsider=NOT_FOUND),
        kwargs={"number": "{case.number}"},
    ),
    # ledger (statistics: aggregates of the jurisdiction; supervisors and centre heads)
    "ledger:dashboard": E(staff(("centre_head", "supervisor"))),
    "ledger:ranking": E(staff(("centre_head", "supervisor"))),
    "ledger:metrics": E(public()),  # 指标说明: the definitions are public
    "ledger:export": E(staff(("centre_head", "supervisor")), kwargs={"table": "jurisdiction"}),
    # drill-down: the cases behind a figure (without ?figure= a 422, still "not denied")
    "ledger:cases": E(staff(("centre_head", "supervisor"))),
    "ledger:cases_export": E(staff(("centre_head", "supervisor"))),
    "ledger:report": E(staff(("centre_head", "supervisor")), kwargs=CENTRE),
    "api GET /stats": E(api(("centre_head", "supervisor"))),
}


# --- the Django admin site (三员分立: onewindow/security/admin_policy.py) ---------------------------------
# Only the three administrator roles open it (anyone else signed in: 403); per model, the role table
# decides. The entries of every registered model are generated from that table, so registering a model
# without a table entry leaves its URLs missing here and fails the matrix.

# What a ModelAdmin refuses on top of the table, for the object the matrix opens.
ADMIN_NARROWED = frozenset(
    {
        ("catalog.itemversion", "delete"),  # the matrix opens a published version: immutable
        ("catalog.itemversion", "add"),  # new versions are made on the catalog pages
        ("catalog.item", "add"),
    }
)
ADMIN_VIEW_NEEDS = {
    "changelist": frozenset({"view", "change"}),
    "change": frozenset({"view", "change"}),
    "history": frozenset({"view", "change"}),
    "add": frozenset({"add"}),
    "delete": frozenset({"delete"}),
    "password": frozenset({"change"}),
}


def admin_site(**admins: str) -> dict[str, str]:
    """Admin pages: FORBIDDEN for every signed-in role but the named administrators; anonymous → login."""
    return rule(FORBIDDEN, **admins)


def admin_model_outcome(label: str, view: str, role: str) -> str:
    if (label, view) in ADMIN_NARROWED:
        return FORBIDDEN
    allowed = MODEL_POLICY[label].get(role, frozenset())
    return OK if allowed & ADMIN_VIEW_NEEDS[view] else FORBIDDEN


def _pad_token(window: Any) -> str:
    from onewindow.feedback.services.pad import pad_token

    return pad_token(window)


def _admin_object(label: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda objects: {"object_id": objects["admin_pks"][label]}


def _admin_site_entries() -> dict[str, Entry]:
    everyone = {role: OK for role in ADMINS}
    out: dict[str, Entry] = {
        "admin:index": E(admin_site(**everyone)),
        "admin:login": E(admin_site(**everyone)),  # anonymous → the product's login page
        "admin:logout": E(admin_site(**everyone, anonymous=OK)),  # GET: 405; anonymous → index
        "admin:password_change": E(admin_site(**everyone)),  # one's own password
        "admin:password_change_done": E(admin_site(**everyone)),
        "admin:jsi18n": E(admin_site(**everyone)),
        "admin:autocomplete": E(admin_site(), kwargs={}),  # without a valid field: 403 for all
        "admin:view_on_site": E(
            admin_site(**{role: NOT_FOUND for role in ADMINS}),
            kwargs={"content_type_id": "999999", "object_id": "1"},
        ),
        "admin:app_list": E(
            admin_site(admin=OK, security_admin=OK, audit_admin=NOT_FOUND), kwargs={"app_label": "org"}
        ),
        "admin/(?P<url>.*)$": E(admin_site(**everyone), skip="catch-all regex (redirects or 404)"),
    }
    for label in MODEL_POLICY:
        if label in INLINE_ONLY:
            continue
        app, model = label.split(".")
        obj = _admin_object(label)
        for view in ("changelist", "add", "change", "delete", "history"):
            expect = admin_site(**{role: admin_model_outcome(label, view, role) for role in ADMINS})
            out[f"admin:{app}_{model}_{view}"] = E(
                expect, kwargs=obj if view in ("change", "delete", "history") else {}
            )
        # ``<id>/`` alone redirects to the change page, which decides
        out[f"admin/{app}/{model}/<path:object_id>/"] = E(admin_site(**everyone), kwargs=obj)
    out["admin:auth_user_password_change"] = E(
        admin_site(**{role: admin_model_outcome("auth.user", "password", role) for role in ADMINS}),
        kwargs=lambda objects: {"id": objects["admin_pks"]["auth.user"]},
    )
    return out


URLS.update(_admin_site_entries())
