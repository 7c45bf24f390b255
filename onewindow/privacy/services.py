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


def personal_data_search_log(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    kind: str,
    value_index: str,
    purpose: str,
    ip: str | None = None,
) -> PersonalDataAccess:
    """Record a search by someone's personal data (an ID number, a phone, a name): what was searched
    is kept only as its blind index (``value_index``), so the log relates searches to a person
    without holding the number itself."""
    return PersonalDataAccess.objects.create(
        actor=actor,  # type: ignore[misc]
        object_type="search",
        object_id=value_index[:64],
        fields=kind,
        purpose=purpose[:200],
        ip=ip,
    )
