"""Synthetic residents: valid ID numbers, encrypted personal data and blind index, loaded with COPY."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from .db import bulk_load, copy_rows, reset_sequence

SURNAMES = [
    "巴特",
    "其其格",
    "乌力吉",
    "斯琴",
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "包",
    "白",
    "敖",
    "吴",
    "孟",
]
GIVEN = [
    "尔",
    "图雅",
    "格日勒",
    "苏和",
    "明",
    "华",
    "芳",
    "军",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
]


def id_number(region6: str, i: int) -> str:
    from onewindow.privacy.identifiers import id_check_digit

    birth = dt.date(1940, 1, 1) + dt.timedelta(days=i % 25000)
    first17 = f"{region6}{birth:%Y%m%d}{i // 25000:03d}"
    return first17 + id_check_digit(first17)


# resident id → the case's applicant snapshot columns (the same ciphertexts as the resident row)
SNAPSHOTS: dict[int, dict[str, str]] = {}


def load_residents(cur: Any, league: dict[str, Any], n: int) -> dict[str, list[tuple[int, str]]]:
    """``n`` residents spread over the villages; returns banner code → [(id, check)]."""
    from onewindow.org.models import Resident
    from onewindow.privacy.crypto import blind_index, encrypt, phone_blind_index

    villages = league["villages"]
    by_banner: dict[str, list[tuple[int, str]]] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(n):
            v = villages[i % len(villages)]
            number = id_number(v.code[:6], i)
            rid = i + 1
            by_banner.setdefault(v.code[:6], []).append((rid, number[-4:]))
            name = random.choice(SURNAMES) + random.choice(GIVEN)
            row = {
                "id": rid,
                "kind": "person",
                "name": name,
                "id_number": encrypt(number),
                "id_index": blind_index(number),
                "phone": encrypt(phone := f"139{i:08d}"),
                "address": encrypt(f"{v.name}{i % 9 + 1}组"),
                "jurisdiction_id": v.pk,
            }
            SNAPSHOTS[rid] = {
                "applicant_kind": "person",
                "applicant_name": encrypt(name),
                "applicant_id_number": row["id_number"],
                "applicant_phone": row["phone"],
                "applicant_phone_index": phone_blind_index(phone),  # the clerk's search by phone
                "applicant_address": row["address"],
            }
            yield row

    with bulk_load(cur, Resident._meta.db_table):
        copy_rows(cur, Resident, rows())
    reset_sequence(cur, Resident)
    return by_banner
