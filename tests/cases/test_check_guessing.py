"""Guessing the progress check (4 characters) is stopped per case number across every endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.feedback.models import Rating
from tests.feedback.conftest import delivered_case

pytestmark = pytest.mark.django_db
CHECK = "002X"  # last 4 characters of the applicant's ID number in tests/factories


def _wrong_checks(client: Client, number: str) -> list[int]:
    """One wrong check on each of the endpoints, then one more on the progress API (5 in all)."""
    return [
        client.get("/api/v1/progress", {"number": number, "check": "0001"}).status_code,
        client.get("/progress/", {"number": number, "check": "0002"}).status_code,
        client.get("/feedback/rate/", {"number": number, "check": "0003"}).status_code,
        client.post(
            f"/api/v1/cases/{number}/rating", {"level": 5, "check": "0004"}, content_type="application/json"
        ).status_code,
        client.get("/api/v1/progress", {"number": number, "check": "0005"}).status_code,
    ]


def test_wrong_checks_on_all_endpoints_lock_the_number(world: Any, today: Any, client: Client) -> None:
    case = delivered_case()
    assert _wrong_checks(client, case.number) == [404] * 5
    # locked now: even the right check is refused, on every endpoint, with the stable code
    r = client.get("/api/v1/progress", {"number": case.number, "check": CHECK})
    assert r.status_code == 429 and r.json()["error"]["code"] == "check_locked"
    assert r.json()["error"]["details"]["retry_after"] > 0
    page = client.get("/progress/", {"number": case.number, "check": CHECK})
    assert page.status_code == 429 and "错误次数过多" in page.content.decode()
    assert client.get("/feedback/rate/", {"number": case.number, "check": CHECK}).status_code == 429
    r = client.post(
        f"/api/v1/cases/{case.number}/rating", {"level": 5, "check": CHECK}, content_type="application/json"
    )
    assert r.status_code == 429 and r.json()["error"]["code"] == "check_locked"
    assert not Rating.objects.exists()


def test_lock_is_per_number_and_expires(world: Any, today: Any, client: Client, settings: Any) -> None:
    from unittest import mock

    settings.PROGRESS_CHECK_LOCK_SECONDS = 60
    locked = delivered_case()
    other = delivered_case()
    _wrong_checks(client, locked.number)
    assert client.get("/api/v1/progress", {"number": locked.number, "check": CHECK}).status_code == 429
    # another case number is not affected
    assert client.get("/api/v1/progress", {"number": other.number, "check": CHECK}).status_code == 200
    later = __import__("time").time() + 61
    with mock.patch("onewindow.core.throttle.time.time", return_value=later):
        assert client.get("/api/v1/progress", {"number": locked.number, "check": CHECK}).status_code == 200
        # the next lock of the same number that day is twice as long
        _wrong_checks(client, locked.number)
    with mock.patch("onewindow.core.throttle.time.time", return_value=later + 61):
        assert client.get("/api/v1/progress", {"number": locked.number, "check": CHECK}).status_code == 429
    with mock.patch("onewindow.core.throttle.time.time", return_value=later + 121):
        assert client.get("/api/v1/progress", {"number": locked.number, "check": CHECK}).status_code == 200


def test_unknown_numbers_lock_the_same_way(world: Any, client: Client) -> None:
    """A lock must not reveal that a number exists: unknown numbers are counted and locked too."""
    codes = _wrong_checks(client, "NO-SUCH-NUMBER")
    assert codes == [404] * 5
    r = client.get("/api/v1/progress", {"number": "NO-SUCH-NUMBER", "check": "0006"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "check_locked"


def test_wrong_check_on_the_rating_endpoints_never_creates_a_rating(
    world: Any, today: Any, client: Client
) -> None:
    case = delivered_case()
    for check in ("0000", "", "002", "002X0", "X200"):
        r = client.post(
            f"/api/v1/cases/{case.number}/rating?check={check}",
            {"level": 1, "check": check},
            content_type="application/json",
        )
        assert r.status_code in (404, 422, 429), r.content
    page = client.post("/feedback/rate/", {"number": case.number, "check": "9999", "level": "1"})
    assert page.status_code in (404, 429)
    assert not Rating.objects.exists()


def test_the_prepared_progress_lookup_takes_bad_bytes_without_a_server_error(
    world: Any, today: Any, client: Client
) -> None:
    """The look-up's statement is compiled once per thread (``PreparedFirst``): whatever comes in as the
    number is a bound parameter — a NUL is refused at the boundary, the rest is simply not found."""
    case = delivered_case()
    r = client.get("/api/v1/progress", {"number": case.number + "\x00", "check": "002X"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_characters"
    for number in ("😀" * 8, "ᠮᠣᠩᠭᠣᠯ", "1" * 5000, f"{case.number}' OR '1'='1"):
        r = client.get("/api/v1/progress", {"number": number, "check": "002X"})
        assert r.status_code in {404, 422}, (number[:20], r.status_code)
    assert client.get("/api/v1/progress", {"number": case.number, "check": "002X"}).status_code == 200
