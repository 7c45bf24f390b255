"""Appointments when an official calendar year is loaded (issue 14: loading the official year
recomputes what was counted provisionally, appointments included).

Slots of a year whose State Council arrangement was not published were offered on the provisional
calendar. When the official year is loaded (``signals.calendar_loaded``, inside the loading
transaction), every booking still open in that year is checked against the centre's service periods on
the official calendar: a booking whose time no longer falls in any period (the day became a holiday,
or a 调休 day moved) is cancelled and the person is told by SMS, with the way to book again. Bookings
that still fit stay as they are. Running the load twice changes nothing the second time (only
``booked`` appointments are looked at, and a cancelled one is never booked again).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.notify.services import notify
from onewindow.org import schedule
from onewindow.queueing.models import Appointment, AppointmentState, SlotCounter
from onewindow.worktime.calendar import WorkCalendar


def _fits(appointment: Appointment, periods: list[schedule.Period]) -> bool:
    return any(p.start <= appointment.start and appointment.end <= p.end for p in periods)


def cancel_bookings_off_the_official_calendar(years: list[int]) -> list[Appointment]:
    """Cancel (and tell) the open bookings of ``years`` that fall outside the official service periods."""
    today = timezone.localdate()
    cal = WorkCalendar()
    cancelled: list[Appointment] = []
    qs = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(state=AppointmentState.BOOKED, date__year__in=years, date__gte=today)
        .select_related("centre")
        .order_by("pk")
    )
    periods: dict[tuple[int, Any], list[schedule.Period]] = {}
    for a in qs:
        key = (a.centre_id, a.date)
        if key not in periods:
            periods[key] = schedule.periods_on(a.centre, a.date, cal)
        if _fits(a, periods[key]):
            continue
        Appointment.objects.filter(pk=a.pk, state=AppointmentState.BOOKED).update(
            state=AppointmentState.CANCELLED
        )
        SlotCounter.objects.filter(centre=a.centre, date=a.date, start=a.start, booked__gt=0).update(
            booked=F("booked") - 1
        )
        notify(
            "appointment_calendar_cancelled",
            channel="sms",
            to=a.phone,
            context={
                "name": a.name,
                "date": f"{a.date:%Y-%m-%d}",
                "start": f"{a.start:%H:%M}",
                "centre": a.centre.name,
                "code": a.code,
            },
        )
        cancelled.append(a)
    return cancelled


@receiver(signals.calendar_loaded, dispatch_uid="queueing.calendar_loaded")
def on_calendar_loaded(sender: Any, years: list[int], actor: Actor | None = None, **kwargs: Any) -> int:
    return len(cancel_bookings_off_the_official_calendar(years))
