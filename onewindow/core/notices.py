"""Telling people: the texts of notices, and the paths by which an app has somebody told.

``notify`` writes and delivers every SMS, e-mail and portal-inbox notice, but it knows no outer room and
no other app's events: the app that owns an event says what is told about it and asks for it to be
told, through the extension points published here. ``notify`` is the single subscriber of the
signals below and the single reader of the registries.

Texts — ``register_texts(owner, {template: (subject, body)})``
    Called in ``AppConfig.ready()`` by the app that owns the event; subject and body are Chinese text
    with ``{name}`` placeholders. ``text(template)`` returns ``(subject, body)`` (``KeyError`` when no
    app registered it); ``notify`` renders it. Registering a template again with another text is a
    configuration error. Registered today by notify (``otp``), cases (case progress for the
    applicant, also of online applications ``portal_*``; ``deadline_changed``, ``extended``,
    ``suspended``, ``resumed``, ``deadline_reminder``), proxy (``proxy_*``), queueing
    (``appointment_*``), feedback (``rating_bad``, ``rating_rectifying``, ``rating_rectified``,
    ``complaint_answered``) and worktime (``calendar_missing``).

Tell the applicant — signal ``applicant_notice``
    ``applicant_notice.send(sender=<model class>, case=<Case>, offline=ApplicantNotice | None,
    online=ApplicantNotice | None)``, inside the transaction that records the event. The one path by
    which the applicant of a case hears about it: an applicant with an online (一网通办) account gets
    ``online`` (with ``inbox=True`` also in the portal inbox), everybody else ``offline``; ``None``
    tells them nothing. The SMS goes to the phone given for THIS case (``case.applicant_phone``, its
    applicant snapshot); with ``inbox=True`` an account holder's case without one falls back to the
    account's phone. Sent by cases (its progress: ``cases.notices``). A recomputed deadline
    (``deadline_changed``, SMS to the case's phone only) is
    ``offline=online=ApplicantNotice("deadline_changed", context)``. Subscriber: notify.

Variants of the applicant's notice — ``register_applicant_variant(name, func)``
    ``func(case, notice: ApplicantNotice) -> ApplicantNotice | None``: an app that knows more about a
    case rewrites what its applicant is told (another registered template or context), or returns
    ``None`` to tell nothing; it returns ``notice`` unchanged when the case is none of its business.
    notify applies every variant (:func:`applicant_variant`) to the notice it is about to send.
    Registered by proxy (a proxy case: "结果将由代办员 巴雅尔 送达" instead of "到窗口领取").

Tell one person — ``tell(template, channel=..., to=..., user=..., context=...)`` (signal ``notice``)
    For an app below notify, which cannot call ``notify.services.notify``: the same arguments, the
    same effect (one notice written in the caller's transaction, delivered by the worker after
    commit). Sent by cases (supervision reminders to staff). Subscriber: notify.

Tell staff by role — signal ``staff_notice``
    ``staff_notice.send(sender=..., template=str, context=dict, roles=Collection[str], once=bool)``;
    each answer is the number of staff told. Every active staff member holding one of ``roles`` gets
    the notice in the inbox and by SMS to their mobile; with ``once`` nobody who already has an inbox
    notice of that template with the same subject gets it again. Sent by worktime (next year's
    holiday arrangement not loaded). Subscriber: notify.

Online account — ``register_online_account(lookup)``
    ``lookup(resident) -> OnlineAccount | None``: the resident's online account (its user, for the
    inbox, and its log-in phone). Installed by portal; notify asks it for ``applicant_notice``.
    Without it nobody has an online account.

Reminders — ``register_reminders(name, send)``
    ``send() -> int`` delivers the reminders an app queued (each row claimed with a conditional
    ``update()``: safe to run twice) and returns how many were sent. notify's periodic task calls every
    registered sender each minute and reports ``{name: count}``. Registered by cases (``cases``:
    supervision reminders of cases) and queueing (``appointments``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypedDict, Unpack

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

# -- texts ----------------------------------------------------------------------------------------

_texts: dict[str, tuple[str, str]] = {}
_owners: dict[str, str] = {}


def register_texts(owner: str, texts: Mapping[str, tuple[str, str]]) -> None:
    """Register the (subject, body) of each template of ``owner``'s events (idempotent)."""
    for template, (subject, body) in texts.items():
        if template in _texts and _texts[template] != (subject, body):
            raise ImproperlyConfigured(
                f"notice template {template!r} of {owner} already registered by {_owners[template]}"
            )
        _texts[template] = (subject, body)
        _owners[template] = owner


def text(template: str) -> tuple[str, str]:
    """The registered (subject, body) of ``template``; ``KeyError`` when none is."""
    return _texts[template]


def registered() -> dict[str, str]:
    """template → the app that registered it."""
    return dict(_owners)


# -- tell the applicant -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantNotice:
    """One notice for the applicant of a case."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    inbox: bool = False
    """Also into the portal inbox (only an applicant with an online account has one)."""


applicant_notice = Signal()

ApplicantVariant = Callable[[Any, ApplicantNotice], ApplicantNotice | None]
_variants: dict[str, ApplicantVariant] = {}


def register_applicant_variant(name: str, func: ApplicantVariant) -> None:
    """Register (or replace) the variant ``name`` of the applicant's notices."""
    _variants[name] = func


def applicant_variant(case: Any, notice: ApplicantNotice | None) -> ApplicantNotice | None:
    """``notice`` as the registered variants have it for ``case`` (``None``: tell nothing)."""
    for func in _variants.values():
        if notice is None:
            break
        notice = func(case, notice)
    return notice


# -- tell one person -------------------------------------------------------------------------------

notice = Signal()


class Recipient(TypedDict, total=False):
    """The keywords of ``notify.services.notify`` after the template (its defaults for those not given)."""

    channel: str
    to: str
    context: dict[str, Any] | None
    resident: Any
    user: Any
    case_number: str


def tell(template: str, **kwargs: Unpack[Recipient]) -> None:
    """Have notify write one notice (``notify.services.notify`` for the apps below notify)."""
    notice.send(sender=None, template=template, **kwargs)


# -- tell staff by role -----------------------------------------------------------------------------

staff_notice = Signal()


# -- online accounts --------------------------------------------------------------------------------


class OnlineAccount(NamedTuple):
    user: Any
    phone: str


_online_account: list[Callable[[Any], OnlineAccount | None]] = []


def register_online_account(lookup: Callable[[Any], OnlineAccount | None]) -> None:
    _online_account[:] = [lookup]


def online_account(resident: Any) -> OnlineAccount | None:
    """The online account of ``resident`` (``None`` without one, or when no app answers)."""
    if resident is None or not _online_account:
        return None
    return _online_account[0](resident)


# -- reminders --------------------------------------------------------------------------------------

_reminders: dict[str, Callable[[], int]] = {}


def register_reminders(name: str, send: Callable[[], int]) -> None:
    _reminders[name] = send


def reminders() -> dict[str, Callable[[], int]]:
    """name → sender, in registration order."""
    return dict(_reminders)
