"""The ledger's router (see docs/API.md): ``GET /api/v1/stats`` — sums of the ledger rollups.

Collected by ``onewindow.api.api`` (``add_router("", ledger.api.router, auth=AUTH)``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from onewindow.core.apischemas import responses
from onewindow.ledger import fold, selectors
from onewindow.org.actors import request_actor

router = Router(tags=["统计"])


class StatsQuery(Schema):
    jurisdiction: str | None = Field(None, description="区划代码（12位）；缺省为本人所属区域")
    date_from: dt.date | None = Field(None, alias="from", description="起始日期，缺省为本月1日")
    date_to: dt.date | None = Field(None, alias="to", description="结束日期（含），缺省为今天")
    group_by: Literal["month", "item", "centre", "agent", "jurisdiction", "day", "domain"] | None = Field(
        None, description="分组：month|item|centre|agent（另支持 jurisdiction=下级区域、day、domain）"
    )
    domain: str | None = Field(None, description="领域代码，如 social")


class StatsJurisdictionOut(Schema):
    code: str
    name: str
    level: str


class StatsRow(Schema):
    key: str | None = Field(None, description="分组键：月份 YYYY-MM、事项/中心/代办员的编号、区划代码")
    label: str | None = None
    received: int = Field(description="收件数")
    accepted: int = Field(description="受理数")
    corrections: int = Field(description="补正告知数")
    not_accepted: int = Field(description="不予受理数")
    decided: int = Field(description="办结数（准予+不予许可）")
    approved: int
    denied: int
    on_time: int = Field(description="按时办结数（办结日不晚于办结期限，工作日计）")
    late: int = Field(description="超期办结数")
    delivered: int
    withdrawn: int
    proxy_received: int = Field(description="帮办代办渠道收件数")
    proxy_requests: int = Field(description="代办登记数")
    tickets_issued: int
    tickets_served: int
    ratings: int = Field(description="有效评价数（不含已作废，含默认评价）")
    good: int = Field(description="好评数（非常满意 + 满意 + 基本满意）")
    bad: int = Field(description="差评数（不满意 + 非常不满意）")
    ratings_default: int = Field(description="其中默认评价数")
    ratings_voided: int
    rating_5: int
    rating_4: int
    rating_3: int
    rating_2: int
    rating_1: int
    complaints_received: int
    complaints_closed: int
    complaints_late: int
    on_time_rate: float | None = Field(description="按时办结率 = on_time / (on_time + late)")
    satisfaction_rate: float | None = Field(description="满意率 = 好评 / 有效评价（见 /ledger/metrics/）")
    good_rate: float | None = Field(description="好评率（同满意率，保留旧字段）")
    proxy_share: float | None = Field(description="代办占比 = proxy_received / received")
    complaint_close_rate: float | None = Field(None, description="投诉办结率 = 投诉建议办结 / 投诉建议受理")
    complaint_on_time_rate: float | None = Field(
        None, description="投诉按期办结率 = (投诉建议办结 − 超期) / 投诉建议受理"
    )
    avg_workdays: float | None = Field(description="平均办结用时（工作日）")
    avg_wait_minutes: float | None = Field(description="平均等候时长（分钟）")


class StatsOut(Schema):
    jurisdiction: StatsJurisdictionOut
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    group_by: str | None
    totals: StatsRow
    groups: list[StatsRow]
    as_of: dt.datetime | None = Field(
        None, description="数据截至：此时刻之前提交的业务均已计入（汇总由后台按事件日志折叠）"
    )

    model_config = ConfigDict(populate_by_name=True)


@router.get(
    "/stats",
    response=responses(StatsOut),
    by_alias=True,
    summary="统计（本辖区）：收件、受理、办结、按时办结率、满意率、代办占比",
    description=(
        "由台账汇总表求和得出（不扫描办件）。区域不在本人辖区内：404 not_found；"
        "统计期间在未来：422 period_in_future；起始日期晚于结束日期：422 invalid_period；"
        "结束日期晚于今天时按今天计。满意率 = 好评（非常满意 + 满意 + 基本满意）/ 有效评价（不含已作废，"
        "含默认评价）；"
        "按时办结率 = 按时办结 / (按时办结 + 超期办结)；代办占比 = 代办渠道收件 / 收件；分母为 0 时为 null。"
        "全部口径见指标说明 /ledger/metrics/。"
    ),
)
def stats(request: HttpRequest, q: Query[StatsQuery]) -> Any:
    j = selectors.jurisdiction_for(request_actor(request), q.jurisdiction)
    start, end = selectors.resolve_period(q.date_from, q.date_to)
    as_of = fold.fresh()  # folds a small backlog first (see ledger.fold)
    qs = selectors.facts(
        j, start, end, domain=q.domain, fine=q.group_by in selectors.FINE_GROUPS, daily=q.group_by == "day"
    )
    groups = selectors.grouped(qs, q.group_by, j) if q.group_by else []
    return {
        "jurisdiction": {"code": j.code, "name": j.name, "level": j.level},
        "from": start,
        "to": end,
        "group_by": q.group_by,
        "totals": selectors.totals(qs),
        "groups": groups,
        "as_of": as_of,
    }
