"""The guessing limit on the public progress check (办件编号 + 4-character 校验码).

Every endpoint that takes a case number and a check (the progress page and API, the rating page and
API, the rectification rating) goes through :func:`progress_lookup` here, so wrong checks are counted
per case number across all of them: after ``PROGRESS_CHECK_MAX_FAILURES`` (5) wrong checks within
``PROGRESS_CHECK_FAILURE_WINDOW`` seconds (3600) that number's lookups are locked (429
``check_locked``) for ``PROGRESS_CHECK_LOCK_SECONDS`` (900), doubling with each further lock of the same
number within a day (at most a day). While locked even the right check is refused, so guessing gains
nothing. Unknown numbers are counted and locked the same way, so a lock does not reveal that a number
exists. The counters are atomic (:mod:`onewindow.core.throttle`).
"""

from __future__ import annotations

from django.conf import settings

from onewindow.cases import selectors
from onewindow.cases.models import Case
from onewindow.core import throttle
from onewindow.core.errors import DomainError, NotFound

DAY = 24 * 3600


class CheckLocked(
    DomainError,
    status=429,
    code="check_locked",
    message="该办件编号的校验码错误次数过多，已暂停查询，请稍后再试",
):
    pass


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _keys(number: str) -> tuple[str, str, str]:
    d = throttle.digest((number or "").strip().upper())
    return f"chk:lock:{d}", f"chk:fail:{d}", f"chk:locks:{d}"


def locked_for(number: str) -> int:
    """Seconds left on the lock of this case number's lookups (0: not locked)."""
    return throttle.locked_for(_keys(number)[0])


def _locked_error(seconds: int) -> CheckLocked:
    return CheckLocked(
        f"该办件编号的校验码错误次数过多，已暂停查询，请 {throttle.wait_text(seconds)}后再试",
        details={"retry_after": seconds},
    )


def progress_lookup(number: str, check: str) -> Case:
    """:func:`onewindow.cases.selectors.progress_lookup` with the per-number guessing limit."""
    lock_key, fail_key, locks_key = _keys(number)
    left = throttle.locked_for(lock_key)
    if left:
        raise _locked_error(left)
    try:
        return selectors.progress_lookup(number, check)
    except NotFound:
        failures = throttle.hit(fail_key, _setting("PROGRESS_CHECK_FAILURE_WINDOW", 3600))
        if failures >= _setting("PROGRESS_CHECK_MAX_FAILURES", 5):
            locks = throttle.hit(locks_key, DAY)
            seconds = min(_setting("PROGRESS_CHECK_LOCK_SECONDS", 900) * 2 ** (locks - 1), DAY)
            throttle.lock(lock_key, seconds)
            throttle.reset(fail_key)
        raise
