"""Chinese lunisolar dates (正月初一, 五月初五, 八月十五) computed, not typed in.

The installed ``chinesecalendar`` package gives the 24 solar terms (``get_solar_terms``, 1900–2100) but
no lunar conversion. The lunar months are therefore computed here from first principles, the way the
national standard GB/T 33661-2017 defines them:

* a month begins on the day (Beijing time, UTC+8) of a new moon — new moons from J. Meeus,
  *Astronomical Algorithms*, ch. 49 (accurate to about a minute), ΔT from the NASA polynomials;
* the month containing 冬至 is the 11th month; if there are 13 months from one 11th month to the next,
  the first month without a principal term (中气) is a leap month (闰月) and takes the previous number;
* the principal terms (雨水, 春分 … 大寒, 冬至) are the dates from ``chinese_calendar.get_solar_terms``.

Only the dates the statutory holiday rule needs are exposed: :func:`lunar_new_year`,
:func:`lunar_date` (month, day → Gregorian date in a Gregorian year). Verified against every Spring
Festival, 端午 and 中秋 in chinesecalendar's official tables (tests/worktime/test_provisional.py).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import chinese_calendar

_PRINCIPAL = {"雨水", "春分", "谷雨", "小满", "夏至", "大暑", "处暑", "秋分", "霜降", "小雪", "冬至", "大寒"}
_JD_UNIX_EPOCH = 2440587.5  # 1970-01-01T00:00 UT


def _delta_t_days(year: float) -> float:
    """TT − UT (NASA eclipse web site polynomials), in days."""
    if year < 2005:
        t = year - 2000
        s = 63.86 + 0.3345 * t - 0.060374 * t**2 + 0.0017275 * t**3 + 0.000651814 * t**4
    elif year < 2050:
        t = year - 2000
        s = 62.92 + 0.32217 * t + 0.005589 * t**2
    else:
        s = -20 + 32 * ((year - 1820) / 100) ** 2 - 0.5628 * (2150 - year)
    return s / 86400.0


def _new_moon_jde(k: int) -> float:
    """Julian Ephemeris Day of the true new moon number ``k`` (k = 0: 2000-01-06)."""
    t = k / 1236.85
    jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t**2 - 0.000000150 * t**3 + 0.00000000073 * t**4
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    rad = math.radians
    m = rad(2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3)
    mp = rad(201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4)
    f = rad(160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4)
    om = rad(124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3)
    sin = math.sin
    corr = (
        -0.40720 * sin(mp)
        + 0.17241 * e * sin(m)
        + 0.01608 * sin(2 * mp)
        + 0.01039 * sin(2 * f)
        + 0.00739 * e * sin(mp - m)
        - 0.00514 * e * sin(mp + m)
        + 0.00208 * e * e * sin(2 * m)
        - 0.00111 * sin(mp - 2 * f)
        - 0.00057 * sin(mp + 2 * f)
        + 0.00056 * e * sin(2 * mp + m)
        - 0.00042 * sin(3 * mp)
        + 0.00042 * e * sin(m + 2 * f)
        + 0.00038 * e * sin(m - 2 * f)
        - 0.00024 * e * sin(2 * mp - m)
        - 0.00017 * sin(om)
        - 0.00007 * sin(mp + 2 * m)
        + 0.00004 * sin(2 * mp - 2 * f)
        + 0.00004 * sin(3 * m)
        + 0.00003 * sin(mp + m - 2 * f)
        + 0.00003 * sin(2 * mp + 2 * f)
        - 0.00003 * sin(mp + m + 2 * f)
        + 0.00003 * sin(mp - m + 2 * f)
        - 0.00002 * sin(mp - m - 2 * f)
        - 0.00002 * sin(3 * mp + m)
        + 0.00002 * sin(4 * mp)
    )
    planetary = [
        (0.000325, 299.77 + 0.107408 * k - 0.009173 * t**2),
        (0.000165, 251.88 + 0.016321 * k),
        (0.000164, 251.83 + 26.651886 * k),
        (0.000126, 349.42 + 36.412478 * k),
        (0.000110, 84.66 + 18.206239 * k),
        (0.000062, 141.74 + 53.303771 * k),
        (0.000060, 207.14 + 2.453732 * k),
        (0.000056, 154.84 + 7.306860 * k),
        (0.000047, 34.52 + 27.261239 * k),
        (0.000042, 207.19 + 0.121824 * k),
        (0.000040, 291.34 + 1.844379 * k),
        (0.000037, 161.72 + 24.198154 * k),
        (0.000035, 239.56 + 25.513099 * k),
        (0.000023, 331.55 + 3.592518 * k),
    ]
    return jde + corr + sum(c * sin(rad(a)) for c, a in planetary)


def _new_moon_day(k: int) -> dt.date:
    """The Beijing-time calendar day of new moon ``k``."""
    jde = _new_moon_jde(k)
    approx_year = 2000 + k / 12.3685
    jd_ut = jde - _delta_t_days(approx_year)
    days = jd_ut - _JD_UNIX_EPOCH + 8 / 24
    return dt.date(1970, 1, 1) + dt.timedelta(days=math.floor(days))


def _new_moon_on_or_before(day: dt.date) -> int:
    k = math.floor((day - dt.date(2000, 1, 6)).days / 29.530588861) + 1
    while _new_moon_day(k) > day:
        k -= 1
    while _new_moon_day(k + 1) <= day:
        k += 1
    return k


def _winter_solstice(year: int) -> dt.date:
    terms = chinese_calendar.get_solar_terms(dt.date(year, 12, 1), dt.date(year, 12, 31))
    return next(d for d, name in terms if name == "冬至")


@lru_cache(maxsize=256)
def _months(sui_end_year: int) -> tuple[tuple[int, bool, dt.date], ...]:
    """(month number, leap?, first day) for the months from the 11th month containing the winter
    solstice of ``sui_end_year - 1`` up to (excluding) the one containing that of ``sui_end_year``."""
    k0 = _new_moon_on_or_before(_winter_solstice(sui_end_year - 1))
    k1 = _new_moon_on_or_before(_winter_solstice(sui_end_year))
    starts = [_new_moon_day(k) for k in range(k0, k1 + 1)]
    leap_index = -1
    if k1 - k0 == 13:
        terms = {
            d for d, name in chinese_calendar.get_solar_terms(starts[0], starts[-1]) if name in _PRINCIPAL
        }
        for i in range(1, 13):
            if not any(starts[i] <= d < starts[i + 1] for d in terms):
                leap_index = i
                break
    result: list[tuple[int, bool, dt.date]] = []
    number = 11
    for i, first in enumerate(starts[:-1]):
        leap = i == leap_index
        if i > 0 and not leap:
            number = number % 12 + 1
        result.append((number, leap, first))
    return tuple(result)


def lunar_date(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of lunar ``month``/``day`` (not leap) of the lunar year that begins in the
    Gregorian ``year`` (e.g. ``lunar_date(2027, 5, 5)`` = 端午 2027)."""
    if not 1901 <= year <= 2099:
        raise ValueError("lunar dates are computed for 1901–2099")
    months = _months(year) + _months(year + 1)
    seen_first = False
    for number, leap, first in months:
        if number == 1 and not leap:
            seen_first = True
        if seen_first and number == month and not leap:
            return first + dt.timedelta(days=day - 1)
    raise ValueError(f"no lunar month {month} in {year}")  # pragma: no cover


def lunar_new_year(year: int) -> dt.date:
    """正月初一 in the Gregorian ``year``."""
    return lunar_date(year, 1, 1)
