"""Issue 14: loading the official year recomputes appointments too. A booking made on the provisional
calendar for a day the State Council's notice makes a holiday is cancelled and the person told by SMS;
a booking that still fits stays; loading again changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.queueing import appointments
from onewindow.queueing.models import Appointment, SlotCounter
from onewindow.worktime.models import CalendarDay, CalendarYear
from onewindow.worktime.services import calendar_load_notice
from tests.cases.test_provisional_deadline import NOTICE_2027

pytestmark = pytest.mark.django_db


def test_official_year_cancels_bookings_on_new_holidays_and_tells_the_person(world: Any) -> None:
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()
    clerk = get_user_model().objects.get(username="clerk")

    def book(day: dt.date, phone: str) -> Appointment:
        return appointments.appointment_book(
            centre="C-A",
            date=day,
            start=dt.time(9, 0),
            category="comprehensive",
            name="巴特尔",
            phone=phone,
            actor=actor_of(clerk),
            channel="station",
        )

    # 2027-10-05 (Tuesday) is a working day on the provisional calendar (国庆 10-1 to 10-3), a holiday
    # in the notice (10-1 to 10-7); 2027-10-08 (Friday) is a working day in both.
    off = book(dt.date(2027, 10, 5), "13912345678")
    kept = book(dt.date(2027, 10, 8), "13812345678")
    assert SlotCounter.objects.get(centre=off.centre, date=off.date, start=off.start).booked == 1

    admin = get_user_model().objects.get(username="admin")
    calendar_load_notice(actor=actor_of(admin), text=NOTICE_2027)

    off.refresh_from_db()
    kept.refresh_from_db()
    assert off.state == "cancelled" and kept.state == "booked"
    assert SlotCounter.objects.get(centre=off.centre, date=off.date, start=off.start).booked == 0
    sms = Notification.objects.filter(template="appointment_calendar_cancelled")
    assert sms.count() == 1
    assert "2027-10-05 09:00" in sms.get().body and off.code in sms.get().body
    assert not appointments.slots(off.centre, off.date)  # no slots on the new holiday

    calendar_load_notice(actor=actor_of(admin), text=NOTICE_2027)  # twice: nothing more
    assert Notification.objects.filter(template="appointment_calendar_cancelled").count() == 1
    kept.refresh_from_db()
    assert kept.state == "booked"
