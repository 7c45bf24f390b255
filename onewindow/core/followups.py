"""Extension point ``follow_up_heard``: a follow-up visit (回访) heard the resident's word on a service.

- **Publisher**: ``proxy`` — ``proxy_request_action(action="follow_up")`` sends it inside the
  transaction that closes the proxy request, when the resident said whether they were satisfied and the
  request has a case.
- **Subscribers**: ``feedback`` (``feedback.followups``, connected in ``FeedbackConfig.ready()``)
  records the 回访评价 rating of the agent's service (channel ``visit``), which then counts like every
  rating (``rating_changed``).
- **Arguments** (keywords): ``case`` (the ``cases.Case``), ``agent`` (the agent's user), ``satisfied``
  (bool), ``comment`` (str, the follow-up's outcome), ``now`` (aware datetime). Receivers return
  nothing the publisher uses; an exception in a receiver rolls the follow-up back.

The publisher knows no subscriber (proxy and feedback are sibling outer rooms and may not import each
other); without a subscriber the follow-up is recorded and nothing else happens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import Signal

follow_up_heard = Signal()


def follow_up_heard_send(*, case: Any, agent: Any, satisfied: bool, comment: str, now: dt.datetime) -> None:
    """Tell the subscribers (see the module docstring); called by the proxy app."""
    follow_up_heard.send(
        sender="proxy", case=case, agent=agent, satisfied=satisfied, comment=comment, now=now
    )
