"""The feedback app's answer to ``core.followups.follow_up_heard`` (connected in ``FeedbackConfig.ready()``):
the resident's word at a proxy follow-up (回访) becomes a 回访评价 rating of the agent's service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.core.followups import follow_up_heard
from onewindow.feedback.services import rating_record_follow_up


def record_follow_up_rating(
    sender: Any, *, case: Any, agent: Any, satisfied: bool, comment: str, now: dt.datetime, **kwargs: Any
) -> None:
    rating_record_follow_up(case=case, agent=agent, satisfied=bool(satisfied), comment=comment, now=now)


follow_up_heard.connect(record_follow_up_rating, dispatch_uid="feedback_follow_up_rating")
