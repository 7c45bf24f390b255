"""Background work of the feedback app: default ratings for cases left unrated (idempotent)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onewindow.feedback.services import rating_apply_defaults


@db_periodic_task(crontab(minute="17"))
def default_ratings() -> int:
    """Hourly: 基本满意 (is_default) for cases delivered RATING_DEFAULT_DAYS ago and still unrated."""
    return rating_apply_defaults()
