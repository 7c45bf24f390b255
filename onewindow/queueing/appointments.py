"""Appointments (预约、延时、错时、周末服务): slots from a centre's opening hours, race-free capacity,
check-in for a priority ticket, cancellation and no-show marking.

Slots: on an official working day (the worktime calendar, so a 调休 Saturday counts) every non-weekend
session of the centre applies; on a rest day only its weekend sessions for that weekday do.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow.errors import Conflict, Invalid, NotFound
from onewindow.org.models import Centre, Session
from onewindow.privacy.identifiers import validate_mobile
from onewindow.queueing import services as queue
from onewindow.queueing.models import (
    Appointment,
    AppointmentReminder,
    AppointmentState,
    SlotCounter,
    Ticket,
)
from onewindow.worktime.calendar import WorkCalendar


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
    c = Centre.objects.filter(code=code, is_active=True).prefetch_related("hours", "windows").first()
    if c is None:
        raise Invalid(f"服务中心 {code} 不存在", code="unknown_centre", details={"centre": ["未知"]})
    return c


def slots(centre: Centre, date: dt.date) -> list[Slot]:
    step = dt.timedelta(minutes=settings.APPOINTMENT_SLOT_MINUTES)
    cap = settings.APPOINTMENT_SLOT_CAPACITY
    workday = WorkCalendar().is_workday(date)
    weekday = str(date.isoweekday())
    booked = dict(SlotCounter.objects.filter(centre=centre, date=date).values_list("start", "booked"))
    out: list[Slot] = []
    for h in centre.hours.all():
        applies = (
            (h.session != Session.WEEKEND)
            if workday
            else (h.session == Session.WEEKEND and weekday in h.weekdays)
        )
        if not applies:
            continue
        t = dt.datetime.combine(date, h.start)
        end = dt.datetime.combine(date, h.end)
        while t + step <= end:
            out.append(Slot(t.time(), (t + step).time(), h.session, cap, booked.get(t.time(), 0)))
            t += step
    return sorted(out, key=lambda s: s.start)


def slots_for(code: str, date: dt.date) -> list[Slot]:
    return slots(_centre(code), date)


@transaction.atomic
def appointment_book(
    *,
    centre: str,
    date: dt.date,
    start: dt.time,
    category: str,
    name: str,
    phone: str,
    actor: Any = None,
    channel: str = "online",
) -> Appointment:
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
    return Appointment.objects.create(
        centre=c,
        date=date,
        start=slot.start,
        end=slot.end,
        session=slot.session,
        category=category,
        name=name[:50],
        phone=phone,
        code=f"{secrets.randbelow(10**6):06d}",
        channel=channel,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _get(appointment_id: int, code: str) -> Appointment:
    a = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
    if a is None or not secrets.compare_digest(a.code.encode(), (code or "").strip().encode()):
        raise NotFound("预约不存在或预约码不正确", code="not_found")
    return a


@transaction.atomic
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


@transaction.atomic
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
    ticket = queue.ticket_issue(centre=a.centre.code, category=a.category, priority="appointment")
    a.state, a.ticket = AppointmentState.CHECKED_IN, ticket
    a.save(update_fields=["state", "ticket"])
    return ticket


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
