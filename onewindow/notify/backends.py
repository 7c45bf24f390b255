"""Delivery backends beyond the console: SMTP e-mail, an HTTP SMS gateway, a signed webhook.

``NOTIFY_BACKENDS`` maps a channel to one of these names (``console`` is the default for every
channel)::

    NOTIFY_BACKENDS = {"sms": "sms_http", "email": "email"}
    # or the env var: NOTIFY_BACKENDS=sms=sms_http,email=email

- ``email``: Django's e-mail (``EMAIL_BACKEND``, ``EMAIL_HOST``…); sender ``NOTIFY_EMAIL_FROM`` or
  ``DEFAULT_FROM_EMAIL``.
- ``sms_http``: POST to ``NOTIFY_SMS_URL``; the body is ``NOTIFY_SMS_BODY`` with ``{phone}``, ``{text}``,
  ``{subject}``, ``{template}`` and ``{id}`` replaced (JSON-escaped when ``NOTIFY_SMS_CONTENT_TYPE`` is
  JSON — the default — else URL-encoded); extra headers from ``NOTIFY_SMS_HEADERS`` (a dict, or JSON in
  the env var), e.g. the gateway's API key. Any 2xx answer is a success. ``NOTIFY_SMS_TIMEOUT``
  seconds (default 10).
- ``webhook``: POST a JSON document to ``NOTIFY_WEBHOOK_URL`` signed like the event webhooks
  (``X-OneWindow-Signature: sha256=<HMAC of the body with NOTIFY_WEBHOOK_SECRET>``).

Each setting is read from Django settings first, then from the environment variable of that name.
A backend raises on failure; the worker records the error and tries again later (``delivery.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

DEFAULT_SMS_BODY = '{"phone": "{phone}", "text": "{text}"}'


class BackendError(RuntimeError):
    pass


def conf(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else value


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    req = urllib.request.Request(url, data=body, method="POST")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read(65536)
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _fill(template: str, values: dict[str, str], *, json_body: bool) -> str:
    out = template
    for key, value in values.items():
        escaped = json.dumps(value, ensure_ascii=False)[1:-1] if json_body else urllib.parse.quote(value)
        out = out.replace("{" + key + "}", escaped)
    return out


def send_sms_http(n: Any) -> None:
    url = conf("NOTIFY_SMS_URL")
    if not url:
        raise BackendError("未配置短信网关地址 NOTIFY_SMS_URL")
    if not n.recipient:
        raise BackendError("没有接收号码")
    content_type = str(conf("NOTIFY_SMS_CONTENT_TYPE", "application/json; charset=utf-8"))
    json_body = "json" in content_type
    body = _fill(
        str(conf("NOTIFY_SMS_BODY", DEFAULT_SMS_BODY)),
        {"phone": n.recipient, "text": n.body, "subject": n.subject, "template": n.template, "id": str(n.pk)},
        json_body=json_body,
    )
    headers = conf("NOTIFY_SMS_HEADERS", {})
    if isinstance(headers, str):
        headers = json.loads(headers)
    status = _post(
        url,
        body.encode("utf-8"),
        {"Content-Type": content_type, **headers},
        float(conf("NOTIFY_SMS_TIMEOUT", 10)),
    )
    if not 200 <= status < 300:
        raise BackendError(f"短信网关返回 HTTP {status}")


def send_email(n: Any) -> None:
    if not n.recipient:
        raise BackendError("没有收件地址")
    sender = conf("NOTIFY_EMAIL_FROM") or settings.DEFAULT_FROM_EMAIL
    send_mail(n.subject or "一窗通办通知", n.body, sender, [n.recipient], fail_silently=False)


def send_webhook(n: Any) -> None:
    url = conf("NOTIFY_WEBHOOK_URL")
    if not url:
        raise BackendError("未配置通知推送地址 NOTIFY_WEBHOOK_URL")
    doc = {
        "id": n.pk,
        "channel": n.channel,
        "template": n.template,
        "to": n.recipient,
        "subject": n.subject,
        "body": n.body,
        "case_number": n.case_number,
    }
    body = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")
    secret = str(conf("NOTIFY_WEBHOOK_SECRET", ""))
    headers = {"Content-Type": "application/json; charset=utf-8", "X-OneWindow-Notification-Id": str(n.pk)}
    if secret:
        headers["X-OneWindow-Signature"] = (
            "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        )
    status = _post(url, body, headers, float(conf("NOTIFY_WEBHOOK_TIMEOUT", 10)))
    if not 200 <= status < 300:
        raise BackendError(f"通知推送地址返回 HTTP {status}")


BACKENDS = {"sms_http": send_sms_http, "email": send_email, "webhook": send_webhook}


def send(name: str, notification: Any) -> None:
    backend = BACKENDS.get(name)
    if backend is None:
        raise BackendError(f"通知后端 {name} 未配置")
    backend(notification)
