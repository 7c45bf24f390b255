from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from onewindow.privacy.models import PersonalDataAccess


def personal_data_access_log(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    obj: object,
    fields: Iterable[str],
    purpose: str = "",
    ip: str | None = None,
) -> PersonalDataAccess:
    """Record a full view of personal data (call before showing it)."""
    return PersonalDataAccess.objects.create(
        actor=actor,  # type: ignore[misc]
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", "")),
        fields=",".join(fields),
        purpose=purpose[:200],
        ip=ip,
    )
