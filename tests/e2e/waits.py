"""Waiting for a condition in the page without `eval` — our pages forbid it (CSP `script-src 'self'`).

Playwright's `page.wait_for_function` checks its predicate once inside the DevTools evaluation (where
Chromium allows `eval`) and then again from `requestAnimationFrame` through `globalThis.eval`, which the
page's Content-Security-Policy refuses: a condition that is not yet true at the first check fails with
`EvalError` instead of waiting. `wait_js` polls from Python instead; each check is a DevTools
evaluation, which CSP does not govern.
"""

from __future__ import annotations

import time
from typing import Any


def wait_js(page: Any, expression: str, timeout: float = 15.0, interval: float = 0.05) -> None:
    """Wait until the JavaScript `expression` is truthy in `page`; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    source = f"() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }}"
    while True:
        try:
            value = page.evaluate(source)
        except Exception as exc:  # the page navigated mid-check: the context is gone, ask again
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
            value = False
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s in {page.url}: {expression}")
        page.wait_for_timeout(interval * 1000)


def close_quietly(context: Any, settle_ms: int = 250) -> None:
    """Close a browser context whose pages may poll the server (board, console, pad): first leave every
    page (no new polls), then give a request already in flight time to finish in the live server's
    thread — else it can still hold a table of the shared in-memory SQLite database while the test's
    teardown flushes it ("database table is locked")."""
    for page in context.pages:
        page.goto("about:blank")
    if context.pages:
        context.pages[0].wait_for_timeout(settle_ms)
    context.close()
