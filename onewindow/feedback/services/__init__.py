"""Every write of the feedback app, by sub-domain: :mod:`.ratings` (好差评, rectification, appeal,
default ratings), :mod:`.complaints` (complaints, suggestions, 民情信息: a transition table) and
:mod:`.notices` (三务公开). The public names are re-exported here: callers import
``onewindow.feedback.services``.

Every change sends ``onewindow.core.signals.rating_changed`` / ``complaint_event`` inside its transaction.
Services take ``actor: Actor``, resolved at the edge (``org.actors``).
"""

from __future__ import annotations

from onewindow.feedback.models import NoticeKind
from onewindow.feedback.services.common import default_days, local_today, rectify_days, scrub
from onewindow.feedback.services.complaints import (
    COMPLAINT_ACTION_LABELS,
    COMPLAINT_ACTIONS,
    COMPLAINT_NOT_FOUND,
    COMPLAINT_STEP_DAYS,
    STAFF_SOURCES,
    Transition,
    complaint_act,
    complaint_contact_for,
    complaint_fast_track,
    complaint_fast_track_steps,
    complaint_follow,
    complaint_get_for_user,
    complaint_overdue,
    complaint_submit,
    complaints_of_resident,
    step_days,
)
from onewindow.feedback.services.notices import notice_post, notice_withdraw
from onewindow.feedback.services.ratings import (
    LEVEL_MESSAGE,
    PUBLIC_CHANNELS,
    RATABLE_STATES,
    RECT_PATH,
    indicator_names,
    rating_appeal,
    rating_appeal_decide,
    rating_apply_defaults,
    rating_record_follow_up,
    rating_submit,
    rectification_callback,
    rectification_close,
    rectification_get_for_user,
    rectification_rate_fix,
    rectification_warning,
    validate_indicators,
    validate_level,
)

__all__ = [
    "COMPLAINT_ACTIONS",
    "COMPLAINT_ACTION_LABELS",
    "COMPLAINT_NOT_FOUND",
    "COMPLAINT_STEP_DAYS",
    "LEVEL_MESSAGE",
    "PUBLIC_CHANNELS",
    "RATABLE_STATES",
    "RECT_PATH",
    "STAFF_SOURCES",
    "NoticeKind",
    "Transition",
    "complaint_act",
    "complaint_contact_for",
    "complaint_fast_track",
    "complaint_fast_track_steps",
    "complaint_follow",
    "complaint_get_for_user",
    "complaint_overdue",
    "complaint_submit",
    "complaints_of_resident",
    "default_days",
    "indicator_names",
    "local_today",
    "notice_post",
    "notice_withdraw",
    "rating_appeal",
    "rating_appeal_decide",
    "rating_apply_defaults",
    "rating_record_follow_up",
    "rating_submit",
    "rectification_callback",
    "rectification_close",
    "rectification_get_for_user",
    "rectification_rate_fix",
    "rectification_warning",
    "rectify_days",
    "scrub",
    "step_days",
    "validate_indicators",
    "validate_level",
]
