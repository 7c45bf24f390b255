"""Proxy service (帮办代办, 三级代理) endpoints (see ../shared/API.md "Proxy service"): one router,
collected by ``onewindow.api.api``. The modules below register its operations, in this order:
uploads and entrustments, requests and their actions, batches and alerts, the ledger, on-site
service and the public agent board.

Every write is audited (``proxy.<action>``), a refused one with ``result=denied`` and its error code.
"""

# isort: off
from onewindow.proxy.api import entrustments  # noqa: F401 - registers its operations (first)
from onewindow.proxy.api import requests  # noqa: F401
from onewindow.proxy.api import custody  # noqa: F401
from onewindow.proxy.api import ledger  # noqa: F401
from onewindow.proxy.api import onsite  # noqa: F401
from onewindow.proxy.api.common import router

# isort: on

__all__ = ["router"]
