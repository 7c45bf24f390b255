"""Proxy API: the ledger (代办台账) by agent, village, township or county, and its Excel export."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from pydantic import Field

from onewindow.core.apischemas import responses
from onewindow.org.actors import request_actor
from onewindow.proxy import ledger, services
from onewindow.proxy.api.common import router

# --- ledger (代办台账) ----------------------------------------------------------------------------


class LedgerRowOut(Schema):
    key: str
    name: str
    requests: int
    items: int
    on_time: int
    late: int
    returns: int
    passed: int
    delivered: int
    followed_up: int
    avg_days: float | None


class LedgerOut(Schema):
    month: str
    group_by: Literal["agent", "village", "township", "county"]
    rows: list[LedgerRowOut]
    total: LedgerRowOut


class LedgerQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM（默认本月）")
    group_by: Literal["agent", "village", "township", "county"] = "village"


@router.get(
    "/proxy/ledger",
    response=responses(LedgerOut),
    summary="代办台账（按代办员/嘎查村/苏木乡镇/旗县）",
)
def proxy_ledger(request: HttpRequest, filters: Query[LedgerQuery]) -> Any:
    month = ledger.parse_month(filters.month)
    rows, total = ledger.ledger(actor=request_actor(request), month=month, group_by=filters.group_by)
    return {
        "month": f"{month:%Y-%m}",
        "group_by": filters.group_by,
        "rows": [r.as_dict() for r in rows],
        "total": total.as_dict(),
    }


@router.get("/proxy/ledger.xlsx", response=responses(None), summary="导出代办台账（Excel）")
def proxy_ledger_xlsx(request: HttpRequest, filters: Query[LedgerQuery]) -> HttpResponse:
    month = ledger.parse_month(filters.month)
    data = ledger.ledger_xlsx(actor=request_actor(request), month=month, group_by=filters.group_by)
    services.audit(
        "proxy.ledger_export", user=request.user, obj=f"{month:%Y-%m}/{filters.group_by}", request=request
    )
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="proxy-ledger-{month:%Y-%m}-{filters.group_by}.xlsx"'
    return resp
