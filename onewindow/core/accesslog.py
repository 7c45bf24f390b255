"""Secrets out of the access log.

Open311 clients put their API key in the query string (``?api_key=ow_…``), some clients send
``?token=…``; gunicorn's access log writes the whole request line, and the referer, as they came. The
:class:`RedactingLogger` (``onewindow serve`` passes it as ``--logger-class``) replaces the values of
those parameters, and the ``Authorization`` header if a format asks for it, with ``[redacted]``.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_PARAMS = ("api_key", "apikey", "token", "access_token", "key")
REDACTED = "[redacted]"
_PARAM = re.compile(
    r"(?P<name>(?:^|(?<=[?&;]))(?:" + "|".join(SECRET_PARAMS) + r"))=(?P<value>[^&;#\s\"]*)",
    re.IGNORECASE,
)


def redact(text: Any) -> Any:
    """``text`` with the values of secret query parameters replaced; non-strings unchanged."""
    if not isinstance(text, str) or "=" not in text:
        return text
    return _PARAM.sub(lambda m: f"{m.group('name')}={REDACTED}" if m.group("value") else m.group(0), text)


class RedactingLogger(Logger):
    URL_ATOMS = ("r", "q", "f", "{raw_uri}e", "{query_string}e", "{http_referer}e", "{referer}i")

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in self.URL_ATOMS:
            if name in atoms:
                atoms[name] = redact(atoms[name])
        for name in ("{authorization}i", "{http_authorization}e"):
            if atoms.get(name):
                atoms[name] = REDACTED
        return atoms
