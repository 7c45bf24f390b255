"""Demo data of the feedback app (idempotent): 三务公开 notices and complaints at the first township's
centre, posted and handled by its head (``head``), and ratings of demo cases that are already delivered.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from onewindow.cases.models import Case, State
from onewindow.feedback import services
from onewindow.feedback.models import Complaint, Notice, NoticeKind, Rating
from onewindow.org.actors import actor_of
from onewindow.org.models import Staff

NOTICES = [
    (
        NoticeKind.GOVERNMENT,
        "便民服务中心延时服务安排",
        "每周六上午9:00—12:00开放综合受理窗口，办理社保、民政等事项。",
    ),
    (
        NoticeKind.FINANCE,
        "第三季度便民服务经费使用情况",
        "本季度便民服务经费支出合计 12,600 元，其中代办员交通补贴 8,400 元。",
    ),
    (NoticeKind.PARTY, "党员志愿服务岗公示", "每个工作日由两名党员在大厅提供导办服务。"),
]
COMPLAINTS = [
    (
        "suggestion",
        "建议在牧区增加流动服务车，方便牧民办事。",
        "已纳入下季度上门服务计划，每月两次流动服务。",
    ),
    ("complaint", "窗口午休期间无人办理，等了一个小时。", "已实行午间轮岗，保证午休时间有人办理。"),
]


def seed_demo() -> None:
    head = Staff.objects.filter(user__username="head").select_related("user", "centre").first()
    if head is None or head.centre is None:
        return
    centre = head.centre
    for kind, title, body in NOTICES:
        if not Notice.objects.filter(centre=centre, title=title).exists():
            services.notice_post(
                actor=actor_of(head.user), centre=centre.code, kind=kind, title=title, body=body
            )

    clerk = get_user_model().objects.filter(username="clerk").first()
    for category, content, answer in COMPLAINTS:
        if Complaint.objects.filter(content=content).exists():
            continue
        c = services.complaint_submit(category=category, content=content, centre=centre.code)
        services.complaint_act(actor=actor_of(head.user), number=c.number, action="report")
        services.complaint_act(
            actor=actor_of(head.user),
            number=c.number,
            action="assign",
            to=clerk.get_username() if clerk else "head",
        )
        if category == "complaint":
            continue  # left in 交办: shows the flow half-way
        handler = clerk or head.user
        services.complaint_act(actor=actor_of(handler), number=c.number, action="start")
        services.complaint_act(actor=actor_of(handler), number=c.number, action="answer", note=answer)
        services.complaint_act(
            actor=actor_of(head.user), number=c.number, action="close", public_summary=answer
        )

    # ratings of delivered demo cases (if the demo has any): one good, one 差评 with its rectification
    levels = [5, 2, 4]
    delivered = Case.objects.filter(state=State.DELIVERED).select_related("applicant").order_by("pk")[:3]
    for level, case in zip(levels, delivered, strict=False):
        if Rating.objects.filter(case=case).exists():
            continue
        check = (case.applicant_id_number or "")[-4:]
        services.rating_submit(number=case.number, check=check, level=level, comment="演示评价")
