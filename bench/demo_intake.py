"""What the in-process intake benchmarks share: the demo clerk, her token and an item she may accept.

Used by ``intake_bench.py``, ``hotrows_bench.py`` and ``intake_statements.py`` after ``django.setup()``
and ``load_demo()``.
"""

from __future__ import annotations

from typing import Any


def demo_intake(username: str = "clerk") -> dict[str, Any]:
    """The clerk's bearer token, centre, a published non-immediate item her level accepts, all its
    materials marked provided and a valid form: the parts of a ``POST /api/v1/cases`` body."""
    from django.contrib.auth import get_user_model

    from onewindow.api.tokens import token_create
    from onewindow.catalog.models import ItemVersion, VersionStatus
    from onewindow.org.access import staff_of

    _row, key = token_create(username=username)
    staff = staff_of(get_user_model().objects.get(username=username))
    assert staff is not None and staff.centre is not None
    level = staff.centre.jurisdiction.level
    version = next(
        v
        for v in ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related(
            "materials", "fields"
        )
        if level in v.accept_levels and v.type != "immediate"
    )
    form = {
        f.key: {"number": 1, "date": "2026-01-01", "choice": (f.choices or ["x"])[0]}.get(f.kind, "测试")
        for f in version.fields.all()
    }
    return {
        "key": key,
        "headers": {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        "staff": staff,
        "item": version.item.code,
        "centre": staff.centre.code,
        "materials": [{"code": m.code, "provided": True} for m in version.materials.all()],
        "form": form,
    }


def intake_body(ctx: dict[str, Any], first17: str) -> dict[str, Any]:
    """A ``POST /api/v1/cases`` body for an applicant whose ID number starts with ``first17``."""
    from onewindow.privacy.identifiers import id_check_digit

    return {
        "item": ctx["item"],
        "centre": ctx["centre"],
        "applicant": {
            "kind": "person",
            "name": "测试",
            "id_number": first17 + id_check_digit(first17),
            "phone": "13900000000",
        },
        "materials": ctx["materials"],
        "form": ctx["form"],
    }
