"""Eight submissions of one resident's application at once (a double tap, a flaky phone network
resending): one case, each pending file claimed once, every other answer a clear 4xx — never a 500,
nothing lost or doubled. PostgreSQL only (the SQLite test database is in memory)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from onewindow.cases.models import Case
from onewindow.files.models import StoredFile
from onewindow.portal.models import CaseUpload, PendingUpload
from tests.portal.resident_helpers import ID_A, PHONE_A, apply_data, png, resident_client
from tests.support import CONCURRENT_ON_POSTGRES, run_threads

pytestmark = CONCURRENT_ON_POSTGRES

THREADS = 8


def _race(user: Any, data: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """The resident's ``data[i]`` posted by thread i, all at once (each with its own logged-in client)."""
    clients = [Client() for _ in data]
    for c in clients:
        c.force_login(user)

    def one(i: int) -> list[tuple[int, str]]:
        r = clients[i].post("/apply/MZ-001/", data[i])
        return [(r.status_code, r.content.decode())]

    return run_threads(len(data), one)


def _kept(c: Client) -> tuple[list[str], str]:
    r = c.post("/apply/MZ-001/", apply_data(**{"f-reason": "", "file-M01": [png("a.png"), png("b.png")]}))
    html = r.content.decode()
    ids = re.findall(r'name="pending-M01" value="([0-9a-f-]+)"', html)
    token = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert len(ids) == 2 and token
    return ids, token.group(1)


@pytest.mark.parametrize("same_token", [True, False])
def test_eight_concurrent_submissions_make_one_case(online: Any, same_token: bool) -> None:
    assert connection.vendor == "postgresql"
    c, account = resident_client(PHONE_A, "巴特尔", ID_A)
    ids, token = _kept(c)
    data = [
        apply_data(**{"pending-M01": ids, "token": token if same_token else f"{token[:-2]}{i:02d}"})
        for i in range(THREADS)
    ]
    results = _race(account.user, data)
    codes = sorted(code for code, _ in results)
    assert all(code < 500 for code in codes), codes
    assert codes.count(302) == 1, codes
    for code, html in results:
        if code != 302:
            assert code in (409, 422)
            assert "这份申请已经提交过了" in html or "之前选择的文件已失效" in html
    assert Case.objects.count() == 1
    assert CaseUpload.objects.count() == 2 and StoredFile.objects.count() == 2
    assert not PendingUpload.objects.exists()
