"""What the queueing app has notify tell people (``core.notices``): the texts of its events and the
appointment reminders (``AppointmentReminder``, to the person who booked), delivered each minute by
notify's periodic task. Registered by ``QueueingConfig.ready()`` (importing this module)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from onewindow.core import notices
from onewindow.notify.services import notify
from onewindow.queueing.models import Appointment, AppointmentReminder, AppointmentState

TEXTS: dict[str, tuple[str, str]] = {
    "appointment_booked": (
        "预约成功",
        "【一窗通办】{name}您好，您已预约 {date} {start}—{end} 到{centre}办理业务，预约号 {number}，"
        "预约码 {code}。请于预约时段开始前30分钟内到大厅取号机「预约签到」，凭预约码优先办理。",
    ),
    "appointment_calendar_cancelled": (
        "预约已取消（节假日安排）",
        "【一窗通办】{name}您好，按国务院公布的节假日安排，{centre} {date} {start} 不办公，"
        "您的预约（预约码 {code}）已取消，请重新预约其他时段。",
    ),
    "appointment_reminder": (
        "预约提醒",
        "【一窗通办】{name}您好，您已预约 {date} {start}—{end} 到{centre}办理业务，"
        "预约码 {code}，请按时到场。",
    ),
}


def appointment_booked_send(a: Appointment) -> None:
    """预约确认: an SMS with the 预约号 and 预约码 to the number that booked (in the booking's
    transaction; delivered by the worker after commit)."""
    notify(
        "appointment_booked",
        channel="sms",
        to=a.phone,
        context={**_booking_context(a), "number": a.pk},
    )


def _booking_context(a: Appointment) -> dict[str, str]:
    """What an appointment's SMS says of it: who, when, where and the 预约码."""
    return {
        "name": a.name,
        "date": a.date.isoformat(),
        "start": a.start.strftime("%H:%M"),
        "end": a.end.strftime("%H:%M"),
        "centre": a.centre.name,
        "code": a.code,
    }


def appointment_reminders_send(limit: int = 200) -> int:
    """Send the queued appointment reminders; each row is claimed with a conditional ``update()`` of
    ``sent_at`` inside the transaction that records its notice, so two workers never send one twice."""
    sent = 0
    pending = AppointmentReminder.objects.filter(sent_at__isnull=True).select_related("appointment__centre")[
        :limit
    ]
    for r in pending:
        with transaction.atomic():
            if not AppointmentReminder.objects.filter(pk=r.pk, sent_at__isnull=True).update(
                sent_at=timezone.now()
            ):
                continue
            a = r.appointment
            if a.state != AppointmentState.BOOKED or not a.phone:
                continue  # cancelled or already there: marked done without a message
            notify(
                "appointment_reminder",
                channel="sms",
                to=a.phone,
                context=_booking_context(a),
            )
            sent += 1
    return sent


notices.register_texts("queueing", TEXTS)
notices.register_reminders("appointments", appointment_reminders_send)
