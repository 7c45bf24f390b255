"""Extension point ``agent_request_intake``: take a village agent's proxy request (三级代理) in at the
competent window through the generic intake endpoint (``POST /api/v1/cases`` with ``agent_request``).

- **Publisher**: ``cases`` — ``cases.api.case_create`` calls :func:`agent_request_intake` when the body
  names an ``agent_request`` instead of an applicant.
- **Answerer**: ``proxy`` (one answerer; ``proxy/panels.py``, loaded in ``ProxyConfig.ready()``)
  registers ``proxy.services.proxy_request_window_intake``: the request's pre-review pass, which creates
  and accepts the case through ``cases.services.case_intake``.
- **Contract**: ``func(*, actor: Actor, pk: int, item: str, centre: str) -> Case``; it raises the
  domain errors of the proxy request (404 outside the jurisdiction, 422 ``agent_request_mismatch``).
  Without an answerer the request is unknown (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound

AgentIntake = Callable[..., Any]

_answer: list[AgentIntake] = []


def register_agent_request_intake(func: AgentIntake) -> None:
    """Register the (one) answer; a later registration replaces an earlier one."""
    _answer[:] = [func]


def agent_request_intake(*, actor: Actor, pk: int, item: str, centre: str) -> Any:
    """The case created from proxy request ``pk`` taken in at ``centre`` as ``item``."""
    if not _answer:
        raise NotFound(f"代办申请 {pk} 不存在", code="not_found")
    return _answer[0](actor=actor, pk=pk, item=item, centre=centre)
