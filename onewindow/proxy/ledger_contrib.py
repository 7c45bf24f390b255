"""What the proxy service contributes to the ledger (:mod:`onewindow.core.ledger_contrib`): its
requests (代办登记).

Imported once by ``ProxyConfig.ready()``; the ledger counts the requests registered per village and
agent from these rows, and lists them behind its 代办登记 figure."""

from __future__ import annotations

from onewindow.core import ledger_contrib
from onewindow.proxy.models import ProxyRequest

ledger_contrib.register("proxy", ProxyRequest)
