"""指标说明: every named figure of OneWindow, defined once.

Each figure is a function of the additive counters of the rollups (``counts``: a mapping of
:data:`~onewindow.ledger.models.MEASURES` sums for one scope and period) returning a number, or
``None`` when it cannot be computed (a rate whose denominator is 0, an average over nothing).
``None`` is shown as "—" on every surface: never 0, never 100 %.

The docstring of each function is its definition; the public page ``/ledger/metrics/`` (指标说明)
is generated from :data:`REGISTRY`, and the dashboard, ``GET /api/v1/stats``, the Excel ledgers, the
monthly PDF report, the public 好差评 pages and the assessment ranking all call these functions.

好差评 follows 国办发〔2019〕51号 and GB/T 39734/39735-2020: five levels; 非常满意, 满意, 基本满意
are 好评, 不满意 and 非常不满意 are 差评; 满意率 = 好评 ÷ valid ratings. A rating voided on appeal
(申诉复核) is not a valid rating; a default rating (默认评价, given when the applicant did not rate)
is a valid rating and is counted — and shown separately — as such.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

Counts = Mapping[str, Any]


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    formula: str
    kind: str  # "count" | "rate" | "average" | "score"
    func: Callable[[Counts], float | int | None]

    @property
    def doc(self) -> str:
        return " ".join((self.func.__doc__ or "").split())


REGISTRY: dict[str, Metric] = {}


def metric(key: str, name: str, formula: str, kind: str = "count") -> Callable[[Any], Any]:
    def register(func: Callable[[Counts], float | int | None]) -> Callable[[Counts], float | int | None]:
        REGISTRY[key] = Metric(key, name, formula, kind, func)
        return func

    return register


def _n(c: Counts, key: str) -> int:
    return int(c.get(key) or 0)


def ratio(num: int, den: int, digits: int = 4) -> float | None:
    """``num / den`` rounded, or ``None`` when the denominator is 0 (shown as "—")."""
    return round(num / den, digits) if den else None


# --- volumes ----------------------------------------------------------------------------------------


@metric("received", "收件", "期间内登记的申请件数（含窗口、网上、代办各渠道）")
def received(c: Counts) -> int:
    """Applications received in the period, every channel (window, online, proxy)."""
    return _n(c, "received")


@metric("accepted", "受理", "期间内受理的件数（含补正后受理）")
def accepted(c: Counts) -> int:
    """Applications accepted in the period (also those accepted after a correction)."""
    return _n(c, "accepted")


@metric("corrections", "补正告知", "期间内出具一次性告知书的件数")
def corrections(c: Counts) -> int:
    """Correction notices (一次性告知) issued in the period."""
    return _n(c, "corrections")


@metric("not_accepted", "不予受理", "期间内不予受理的件数")
def not_accepted(c: Counts) -> int:
    """Applications not accepted in the period."""
    return _n(c, "not_accepted")


@metric("decided", "办结", "准予 + 不予许可（期间内作出决定的件数）")
def decided(c: Counts) -> int:
    """Cases decided in the period: approved + denied."""
    return _n(c, "approved") + _n(c, "denied")


@metric("on_time", "按时办结", "期间内办结且不晚于办结期限（工作日计）的件数")
def on_time(c: Counts) -> int:
    """Decisions of the period made on or before the case's deadline (working days)."""
    return _n(c, "on_time")


@metric("late", "超期", "期间内办结但晚于办结期限的件数（超期办结）")
def late(c: Counts) -> int:
    """Decisions of the period made after the case's deadline (超期办结)."""
    return _n(c, "late")


@metric("on_time_rate", "按时办结率", "按时办结 ÷（按时办结 + 超期办结）；分母为 0 时显示“—”", "rate")
def on_time_rate(c: Counts) -> float | None:
    """on_time / (on_time + late) over the decisions of the period; None when there were none."""
    return ratio(_n(c, "on_time"), _n(c, "on_time") + _n(c, "late"))


@metric("proxy_received", "代办收件", "经帮办代办渠道收件的件数")
def proxy_received(c: Counts) -> int:
    """Applications received through the proxy (帮办代办) channel."""
    return _n(c, "proxy_received")


@metric("proxy_share", "代办占比", "代办收件 ÷ 收件；分母为 0 时显示“—”", "rate")
def proxy_share(c: Counts) -> float | None:
    """proxy_received / received; None when nothing was received."""
    return ratio(_n(c, "proxy_received"), _n(c, "received"))


@metric("proxy_requests", "代办登记", "代办员登记的代办请求数")
def proxy_requests(c: Counts) -> int:
    """Proxy requests recorded by village agents (一事一记)."""
    return _n(c, "proxy_requests")


@metric("avg_workdays", "平均办结用时", "办结用时合计（工作日）÷ 办结；无办结时显示“—”", "average")
def avg_workdays(c: Counts) -> float | None:
    """Working days taken by the decisions of the period / decisions; None when none."""
    return ratio(_n(c, "workdays_sum"), decided(c), 2)


@metric("avg_wait_minutes", "平均等候", "等候时长合计（分钟）÷ 叫号办理；无叫号时显示“—”", "average")
def avg_wait_minutes(c: Counts) -> float | None:
    """Waiting minutes / served queue tickets; None when no ticket was served."""
    return ratio(_n(c, "wait_minutes"), _n(c, "tickets_served"), 1)


# --- 好差评 -------------------------------------------------------------------------------------------


@metric("ratings", "有效评价", "五个等级的评价合计，不含申诉复核后作废的评价，含默认评价")
def ratings(c: Counts) -> int:
    """Valid ratings: levels 1–5, voided ratings excluded, default ratings included."""
    return sum(_n(c, f"rating_{i}") for i in range(1, 6))


@metric("good", "好评", "非常满意 + 满意 + 基本满意（有效评价）")
def good(c: Counts) -> int:
    """好评: valid ratings of levels 3–5 (非常满意, 满意, 基本满意)."""
    return _n(c, "rating_5") + _n(c, "rating_4") + _n(c, "rating_3")


@metric("bad", "差评", "不满意 + 非常不满意（有效评价）")
def bad(c: Counts) -> int:
    """差评: valid ratings of levels 1–2 (不满意, 非常不满意)."""
    return _n(c, "rating_2") + _n(c, "rating_1")


@metric("ratings_default", "默认评价", "有效评价中由系统按规则默认给出的评价数（已计入有效评价）")
def ratings_default(c: Counts) -> int:
    """Valid ratings given by default (the applicant did not rate in time); counted in 有效评价."""
    return _n(c, "ratings_default")


@metric("ratings_voided", "已作废评价", "申诉复核后作废的评价数（不计入有效评价）")
def ratings_voided(c: Counts) -> int:
    """Ratings voided on appeal (申诉复核); not valid ratings."""
    return _n(c, "ratings_voided")


@metric(
    "satisfaction_rate",
    "满意率",
    "好评 ÷ 有效评价 =（非常满意 + 满意 + 基本满意）÷ 有效评价（国办发〔2019〕51号）；无评价时显示“—”",
    "rate",
)
def satisfaction_rate(c: Counts) -> float | None:
    """好评 / valid ratings (levels 3–5 over levels 1–5, voided excluded, default included);
    None when there is no valid rating."""
    return ratio(good(c), ratings(c))


# --- complaints -------------------------------------------------------------------------------------


@metric("complaints_received", "投诉建议受理", "期间内受理的投诉建议数")
def complaints_received(c: Counts) -> int:
    """Complaints and suggestions received in the period."""
    return _n(c, "complaints_received")


@metric("complaints_closed", "投诉建议办结", "期间内办结的投诉建议数")
def complaints_closed(c: Counts) -> int:
    """Complaints and suggestions closed in the period."""
    return _n(c, "complaints_closed")


@metric("complaint_close_rate", "投诉办结率", "投诉建议办结 ÷ 投诉建议受理；无投诉时显示“—”", "rate")
def complaint_close_rate(c: Counts) -> float | None:
    """complaints closed / complaints received; None when none were received."""
    return ratio(_n(c, "complaints_closed"), _n(c, "complaints_received"))


@metric(
    "complaint_on_time_rate",
    "投诉按期办结率",
    "（投诉建议办结 − 超期办结）÷ 投诉建议受理，限 0–1；无投诉时显示“—”",
    "rate",
)
def complaint_on_time_rate(c: Counts) -> float | None:
    """(complaints closed − closed late) / complaints received, clamped to 0..1; None when none."""
    rate = ratio(_n(c, "complaints_closed") - _n(c, "complaints_late"), _n(c, "complaints_received"))
    return None if rate is None else max(0.0, min(1.0, rate))


# --- 考核得分 ------------------------------------------------------------------------------------------

DEFAULT_WEIGHTS = {"on_time": 0.4, "satisfaction": 0.3, "complaints": 0.2, "proxy": 0.1}
COMPONENT_LABELS = {
    "on_time": "按时办结率",
    "satisfaction": "满意率",
    "complaints": "投诉按期办结率",
    "proxy": "代办量（相对同级最高者）",
}
DEFAULT_MINIMUMS = {"cases": 1, "decided": 1, "ratings": 1, "complaints": 1}


def weights() -> dict[str, float]:
    """``settings.ASSESSMENT_WEIGHTS`` over the defaults (a missing key keeps its default)."""
    w = dict(DEFAULT_WEIGHTS)
    w.update({k: float(v) for k, v in (settings.ASSESSMENT_WEIGHTS or {}).items() if k in w})
    return w


def minimums() -> dict[str, int]:
    """Minimum volumes (never below 1: a rank or a component is never given on no data).

    - ``cases`` (``ASSESSMENT_MIN_CASES``): cases received in the period to be scored and ranked;
    - ``decided`` (``ASSESSMENT_MIN_DECIDED``): decisions for the on-time component;
    - ``ratings`` (``ASSESSMENT_MIN_RATINGS``): valid ratings for the satisfaction component;
    - ``complaints`` (``ASSESSMENT_MIN_COMPLAINTS``): complaints for the complaints component.
    """
    return {
        k: max(1, int(getattr(settings, f"ASSESSMENT_MIN_{k.upper()}", v) or 1))
        for k, v in DEFAULT_MINIMUMS.items()
    }


def proxy_volume(c: Counts) -> int:
    """Proxy work of a unit: proxy-channel cases + proxy requests."""
    return _n(c, "proxy_received") + _n(c, "proxy_requests")


def score_parts(c: Counts, proxy_max: int) -> dict[str, float | None]:
    """The score's components; a component below its minimum volume is None (left out)."""
    mins = minimums()
    return {
        "on_time": on_time_rate(c) if _n(c, "on_time") + _n(c, "late") >= mins["decided"] else None,
        "satisfaction": satisfaction_rate(c) if ratings(c) >= mins["ratings"] else None,
        "complaints": (
            complaint_on_time_rate(c) if _n(c, "complaints_received") >= mins["complaints"] else None
        ),
        "proxy": (proxy_volume(c) / proxy_max) if proxy_max else None,
    }


def assessment_score(c: Counts, proxy_max: int | None = None) -> float | None:
    """考核得分 = 100 × Σ wᵢ·vᵢ ÷ Σ wᵢ over the components that have data (on-time rate, 满意率,
    complaints closed on time, proxy volume relative to the largest peer). None — not scored, not
    ranked — when the unit received fewer than ``ASSESSMENT_MIN_CASES`` cases in the period or no
    component has data. ``proxy_max``: the largest proxy volume among the peers ranked together."""
    if _n(c, "received") < minimums()["cases"]:
        return None
    parts = score_parts(c, proxy_volume(c) if proxy_max is None else proxy_max)
    return weighted(parts)


def weighted(parts: Mapping[str, float | None], w: Mapping[str, float] | None = None) -> float | None:
    w = w or weights()
    used = {k: v for k, v in parts.items() if v is not None and w.get(k, 0) > 0}
    total_w = sum(w[k] for k in used)
    if not total_w:
        return None
    return round(100 * sum(w[k] * v for k, v in used.items()) / total_w, 1)


REGISTRY["score"] = Metric(
    "score",
    "考核得分",
    "100 × Σ 权重 × 分项 ÷ Σ 权重（按时办结率、满意率、投诉按期办结率、代办量相对同级最高者；"
    "无数据的分项不计入）；期间收件少于最低件数的单位显示“—”、不排名",
    "score",
    assessment_score,
)


def figures(c: Counts) -> dict[str, Any]:
    """Every named figure (except the score, which depends on the peers) of one scope and period."""
    return {k: m.func(c) for k, m in REGISTRY.items() if m.kind != "score"}


def pct(value: float | None) -> str:
    """A rate as shown on pages: "—" for None, else a percentage with one decimal."""
    return "—" if value is None else f"{value * 100:.1f}%"
