"""Every write of the proxy service (帮办代办, 三级代理), by sub-domain:

- :mod:`.common` — settings, audit helpers, actor checks, items, numbers, the request's trail;
- :mod:`.files` — uploads (photos, scans) for a later request or entrustment;
- :mod:`.entrustments` — 委托: ``entrustment_create`` / ``entrustment_revoke``;
- :mod:`.requests` — 受理 at the village (一事一记): ``proxy_request_create``, the scoped reads;
- :mod:`.transitions` — the request's state machine: the transition table and
  ``proxy_request_action`` (submit, supplement, prereview_return, forward, prereview_pass,
  collect_result, hand_over, follow_up, withdraw); ``proxy_request_window_intake``.

The paper chain of custody is :mod:`onewindow.proxy.custody`, on-site service :mod:`onewindow.proxy.onsite`.

Each write is one transaction taking the acting :class:`~onewindow.core.actor.Actor`, appends one
:class:`ProxyEvent` per change and sends ``signals.proxy_event`` inside it. Refused attempts are written
to the audit log by :func:`audit_refusals` (outside the rolled-back transaction). The public names are
re-exported here (``from onewindow.proxy import services``).
"""

from onewindow.proxy.services.common import (
    WINDOW_ROLES,
    audit,
    audit_refusals,
    follow_up_days,
    item_name,
    local_today,
    pass_on_days,
    proxy_item,
    published_version,
)
from onewindow.proxy.services.entrustments import (
    entrustment_create,
    entrustment_get,
    entrustment_revoke,
    entrustment_scope,
)
from onewindow.proxy.services.files import proxy_file_get, proxy_file_upload
from onewindow.proxy.services.requests import (
    proxy_request_create,
    proxy_request_get,
    request_scope,
    township_centre,
)
from onewindow.proxy.services.transitions import (
    ACTION_LABELS,
    TRANSITIONS,
    Transition,
    actions_for,
    proxy_request_action,
    proxy_request_window_intake,
)

__all__ = [
    "ACTION_LABELS",
    "TRANSITIONS",
    "WINDOW_ROLES",
    "Transition",
    "actions_for",
    "audit",
    "audit_refusals",
    "entrustment_create",
    "entrustment_get",
    "entrustment_revoke",
    "entrustment_scope",
    "follow_up_days",
    "item_name",
    "local_today",
    "pass_on_days",
    "proxy_file_get",
    "proxy_file_upload",
    "proxy_item",
    "proxy_request_action",
    "proxy_request_create",
    "proxy_request_get",
    "proxy_request_window_intake",
    "published_version",
    "request_scope",
    "township_centre",
]
