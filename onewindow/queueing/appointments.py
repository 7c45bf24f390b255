"""Appointments (预约、延时、错时、周末服务): slots from a centre's opening hours, race-free capacity,
check-in for a priority ticket, cancellation and no-show marking.

Who may book: staff (a village agent booking for a villager, a clerk, a kiosk or station device logged
in as staff) as they like; anyone else only for a mobile number proved by an SMS code
(:mod:`onewindow.queueing.phonecheck`) or the number of their own resident account, and at most
``APPOINTMENT_MAX_OPEN_PER_PHONE`` (2) open bookings per number (409 ``booking_limit``).

Slots: the centre's service periods on the official calendar (``org.schedule``): a 调休 Saturday
counts as a working day, a statutory holiday only has its holiday duty sessions, and a session runs
only on its own weekdays.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow.core import throttle
from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.core.ratelimit import RateLimited
from onewindow.org import schedule
from onewindow.org.models import Centre
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.identifiers import validate_mobile
from onewindow.queueing import notices, phonecheck
from onewindow.queueing import services as queue
from onewindow.queueing.models import (
    Appointment,
    AppointmentReminder,
    AppointmentState,
    SlotCounter,
    Ticket,
)


@dataclass(frozen=True)
class Slot:
    start: dt.time
    end: dt.time
    session: str
    capacity: int
    booked: int

    @property
    def available(self) -> int:
        return max(0, self.capacity - self.booked)


def _centre(code: str) -> Centre:
    c = (
        Centre.objects.filter(code=code, is_active=True)
        .prefetch_related("hours", "holiday_duties", "windows")
        .first()
    )
    if c is None:
        raise Invalid(f"服务中心 {code} 不存在", code="unknown_centre", details={"centre": ["未知"]})
    return c


def slots(centre: Centre, date: dt.date) -> list[Slot]:
    step = dt.timedelta(minutes=settings.APPOINTMENT_SLOT_MINUTES)
    cap = settings.APPOINTMENT_SLOT_CAPACITY
    booked = dict(SlotCounter.objects.filter(centre=centre, date=date).values_list("start", "booked"))
    out: list[Slot] = []
    seen: set[dt.time] = set()
    for p in schedule.periods_on(centre, date):
        t = dt.datetime.combine(date, p.start)
        end = dt.datetime.combine(date, p.end)
        while t + step <= end:
            if t.time() not in seen:  # overlapping sessions give one slot per start time
                seen.add(t.time())
                out.append(Slot(t.time(), (t + step).time(), p.session, cap, booked.get(t.time(), 0)))
            t += step
    return sorted(out, key=lambda s: s.start)


def slots_for(code: str, date: dt.date) -> list[Slot]:
    return slots(_centre(code), date)


@retry_atomic
def appointment_book(
    *,
    centre: str,
    date: dt.date,
    start: dt.time,
    category: str,
    name: str,
    phone: str,
    actor: Actor | None = None,
    channel: str = "online",
    sms_code: str = "",
    client: str = "",
    consent_version: str = "",
) -> Appointment:
    """Book a slot. Without a staff ``actor`` the phone must be verified (``sms_code`` from
    :func:`phonecheck.code_send`, or the actor's own resident account number) and under its limit."""
    actor = actor if actor is not None else Actor()
    c = _centre(centre)
    if category not in queue.centre_categories(c):
        raise Invalid("本中心不办理该类业务", code="category_not_served", details={"category": ["无效"]})
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写预约人姓名", code="invalid", details={"name": ["必填"]})
    phone = validate_mobile(phone)
    slot = next((s for s in slots(c, date) if s.start == start), None)
    if slot is None:
        raise Invalid("该时段不在服务时间内", code="invalid_slot", details={"start": ["无此时段"]})
    now = queue.local_now()
    if dt.datetime.combine(date, slot.start, tzinfo=now.tzinfo) <= now:
        raise Invalid("不能预约已经开始或过去的时段", code="slot_past", details={"start": ["已过"]})
    index = blind_index(phone)
    if not _is_staff(actor):
        row = phonecheck.phone_row(index)  # locked: concurrent bookings of one number queue here
        if not _own_number(actor, phone):
            phonecheck.code_consume(row, code=sms_code, client=client)
        limit = int(settings.APPOINTMENT_MAX_OPEN_PER_PHONE)
        open_count = Appointment.objects.filter(
            phone_index=index, state=AppointmentState.BOOKED, date__gte=now.date()
        ).count()
        if open_count >= limit:
            raise Conflict(
                f"该手机号已有{open_count}个未到期的预约，最多{limit}个；请先办理或取消已有预约",
                code="booking_limit",
                details={"open": open_count, "limit": limit},
            )
    try:
        with transaction.atomic():
            SlotCounter.objects.get_or_create(centre=c, date=date, start=start)
    except IntegrityError:
        pass
    taken = SlotCounter.objects.filter(
        centre=c, date=date, start=start, booked__lt=settings.APPOINTMENT_SLOT_CAPACITY
    ).update(booked=F("booked") + 1)
    if not taken:
        raise Conflict("该时段已约满，请选择其他时段", code="slot_full")
    booked = Appointment.objects.create(
        centre=c,
        date=date,
        start=slot.start,
        end=slot.end,
        session=slot.session,
        category=category,
        name=name[:50],
        phone=phone,
        phone_index=index,
        code=f"{secrets.randbelow(10**6):06d}",
        channel=channel,
        created_by=actor.user if actor.is_authenticated else None,
        consent_version=consent_version[:20],
    )
    notices.appointment_booked_send(booked)
    return booked


def _is_staff(actor: Actor) -> bool:
    return actor.is_authenticated and actor.staff is not None


def _own_number(actor: Actor, phone: str) -> bool:
    """Whether ``phone`` is the (SMS-verified) number of the actor's resident account (portal)."""
    if not actor.is_authenticated:
        return False
    account = getattr(actor.user, "resident_account", None)  # no import: the portal sits above queueing
    return account is not None and getattr(account, "phone", None) == phone


# A 6-digit 预约码 must not be guessable: after CODE_ATTEMPTS wrong codes for one booking (or for one
# mobile number at one centre) within CODE_LOCK_SECONDS, that booking / number is refused for as long —
# counted per target, not per address, so a shared kiosk is not locked for everyone.
CODE_ATTEMPTS = 5
CODE_LOCK_SECONDS = 900


def _guarded(key: str) -> None:
    left = throttle.locked_for(f"lock:{key}")
    if left:
        raise RateLimited(
            f"预约码错误次数过多，请{throttle.wait_text(left)}后再试，或到窗口取号", code="rate_limited"
        )


def _wrong_code(key: str) -> NotFound:
    if throttle.hit(f"fail:{key}", CODE_LOCK_SECONDS) >= CODE_ATTEMPTS:
        throttle.lock(f"lock:{key}", CODE_LOCK_SECONDS)
    return NotFound("预约不存在或预约码不正确", code="not_found")


def _get(appointment_id: int, code: str) -> Appointment:
    key = f"appointment-code:{appointment_id}"
    _guarded(key)
    a = Appointment.objects.select_for_update(of=("self",)).filter(pk=appointment_id).order_by("pk").first()
    if a is None or not secrets.compare_digest(a.code.encode(), (code or "").strip().encode()):
        raise _wrong_code(key)
    return a


@retry_atomic
def appointment_cancel(*, appointment_id: int, code: str) -> Appointment:
    a = _get(appointment_id, code)
    if a.state != AppointmentState.BOOKED:
        raise Conflict("该预约已签到、取消或过期，不能取消", code="invalid_transition")
    a.state = AppointmentState.CANCELLED
    a.save(update_fields=["state"])
    SlotCounter.objects.filter(centre=a.centre_id, date=a.date, start=a.start, booked__gt=0).update(
        booked=F("booked") - 1
    )
    return a


@retry_atomic
def appointment_check_in(*, appointment_id: int, code: str) -> Ticket:
    """Check in at the kiosk or window within the slot (from a little before it starts): a priority ticket."""
    a = _get(appointment_id, code)
    if a.state == AppointmentState.CHECKED_IN:
        raise Conflict("该预约已签到，请勿重复签到", code="already_checked_in")
    if a.state != AppointmentState.BOOKED:
        raise Conflict("该预约已取消或已过期", code="invalid_transition")
    now = queue.local_now()
    opens = dt.datetime.combine(a.date, a.start, tzinfo=now.tzinfo) - dt.timedelta(
        minutes=settings.APPOINTMENT_EARLY_MINUTES
    )
    closes = dt.datetime.combine(a.date, a.end, tzinfo=now.tzinfo)
    if now < opens:
        raise Conflict(f"签到时间未到，请于{opens:%H:%M}后签到", code="too_early")
    if now > closes:
        raise Conflict("已超过预约时段，请重新取号", code="appointment_late")
    ticket = queue.ticket_issue(centre=a.centre.code, category=a.category, priority="appointment", day=a.date)
    a.state, a.ticket = AppointmentState.CHECKED_IN, ticket
    a.save(update_fields=["state", "ticket"])
    return ticket


def appointment_check_in_by_phone(*, centre: Centre, phone: str, code: str) -> Ticket:
    """Check in with the mobile number that booked and the 预约码 (the 预约号 forgotten): that number's
    booking at ``centre`` with that code, for today or later (the check-in's own rules decide)."""
    today = queue.local_now().date()
    index = blind_index((phone or "").strip())
    key = f"appointment-phone:{centre.pk}:{index}"
    _guarded(key)
    candidates = Appointment.objects.filter(centre=centre, phone_index=index, date__gte=today).order_by(
        "date", "start"
    )
    for a in candidates:
        if secrets.compare_digest(a.code.encode(), (code or "").strip().encode()):
            return appointment_check_in(appointment_id=a.pk, code=a.code)
    raise _wrong_code(key)


def mark_no_shows(now: dt.datetime | None = None) -> int:
    """Booked appointments whose slot has ended become no-shows (idempotent)."""
    now = now or queue.local_now()
    n = Appointment.objects.filter(state=AppointmentState.BOOKED, date__lt=now.date()).update(
        state=AppointmentState.NO_SHOW
    )
    n += Appointment.objects.filter(
        state=AppointmentState.BOOKED, date=now.date(), end__lt=now.time()
    ).update(state=AppointmentState.NO_SHOW)
    return n


def queue_reminders(now: dt.datetime | None = None) -> int:
    """Queue one reminder per booked appointment that starts within the next 24 hours (idempotent)."""
    now = now or queue.local_now()
    horizon = now + dt.timedelta(hours=24)
    created = 0
    candidates = Appointment.objects.filter(
        state=AppointmentState.BOOKED, date__gte=now.date(), date__lte=horizon.date(), reminder__isnull=True
    )
    for a in candidates:
        starts = dt.datetime.combine(a.date, a.start, tzinfo=now.tzinfo)
        if now <= starts <= horizon:
            _obj, was_created = AppointmentReminder.objects.get_or_create(appointment=a)
            created += int(was_created)
    return created
