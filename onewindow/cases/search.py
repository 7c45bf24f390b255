"""办件查询 at the window ("我的低保办到哪了"): one box for a case number, an applicant's name, ID number
or phone, always inside the actor's jurisdiction (``selectors.case_list``).

Personal data is never decrypted to search: an ID number is found through the resident's blind index
(``Resident.id_index``), a phone through the case snapshot's (``Case.applicant_phone_index``), a name
by exact match on the resident record (no fishing by a single surname). Each search by personal data
is written to the personal-data access log with the searched value's blind index, never the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Subquery

from onewindow.cases import selectors
from onewindow.cases.models import OPEN_STATES, Case
from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid
from onewindow.org.models import Resident
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index, phone_blind_index
from onewindow.privacy.masking import mask_phone
from onewindow.privacy.services import personal_data_access_log, personal_data_search_log

NUMBER_RE = re.compile(r"^\d{12,32}$")
MAX_DUPLICATES = 5  # open cases of the same item shown as a likely duplicate application
KIND_LABELS = {"number": "办件编号", "id_number": "身份证号", "phone": "手机号", "name": "申请人姓名"}


@dataclass(frozen=True)
class SearchTerm:
    kind: str  # number | id_number | phone | name
    value: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def classify(q: str) -> SearchTerm:
    """What was typed: an 11-digit mobile, an 18-character ID number (checked), a case number, or a
    name. Raises ``Invalid`` for an ID-like value that is not a valid ID number."""
    v = re.sub(r"[\s-]", "", q or "")
    if re.fullmatch(r"(\+?86)?1[3-9]\d{9}", v):
        return SearchTerm("phone", identifiers.validate_mobile(v))
    if len(v) == 18 and v[:17].isdigit():
        return SearchTerm("id_number", identifiers.validate_id_number(v))
    if NUMBER_RE.match(v):
        return SearchTerm("number", v)
    name = (q or "").strip()
    if not name or len(name) > 50 or any(c.isdigit() for c in name):
        raise Invalid("请输入办件编号、申请人姓名、身份证号或手机号", code="invalid")
    return SearchTerm("name", name)


def case_search(
    *, actor: Actor, q: str, base: QuerySet[Case] | None = None, ip: str | None = None
) -> tuple[SearchTerm, QuerySet[Case]]:
    """The cases in the actor's jurisdiction matching ``q`` (``base``: an already filtered
    ``case_list``), newest first; logs a search by personal data."""
    term = classify(q)
    qs = base if base is not None else selectors.case_list(actor=actor)
    if term.kind == "number":
        return term, qs.filter(number=term.value)
    if term.kind == "id_number":
        index = blind_index(term.value)
        qs = qs.filter(applicant__id_index=index)
    elif term.kind == "phone":
        index = phone_blind_index(term.value)
        qs = qs.filter(applicant_phone_index=index)
    else:
        index = blind_index(term.value)
        qs = qs.filter(applicant__name=term.value)
    if actor.user is not None:
        personal_data_search_log(
            actor=actor.user, kind=term.kind, value_index=index, purpose=f"办件查询（按{term.label}）", ip=ip
        )
    return term, qs


@dataclass
class PersonFound:
    """What the workbench learns from an ID number: the known resident (in scope) and the open cases
    of the same item in the actor's jurisdiction (a likely duplicate application)."""

    id_number: str
    resident: Resident | None
    duplicates: list[Case]
    known: dict[str, str] = field(default_factory=dict)
    """name, phone, address to fill in: as given at the latest intake in scope, else the record's."""


def person_lookup(*, actor: Actor, id_number: str, item: str = "", ip: str | None = None) -> PersonFound:
    """Look a returning applicant up by ID number or credit code (blind index), within the actor's
    scope; a resident outside it is answered as unknown. A found resident's data is a full view:
    logged. Raises ``Invalid`` for a malformed number."""
    raw = (id_number or "").strip().upper()
    try:
        number = identifiers.validate_id_number(raw)
    except identifiers.IdentifierError as not_id:
        try:
            number = identifiers.validate_credit_code(raw)  # an enterprise (统一社会信用代码)
        except identifiers.IdentifierError as not_credit:
            raise (not_id if raw[:17].isdigit() else not_credit) from None
    resident = Resident.objects.select_related("jurisdiction").filter(id_index=blind_index(number)).first()
    if resident is None:
        return PersonFound(number, None, [])
    latest, duplicates = _cases_of(actor, resident, item)
    # in scope: living in the actor's jurisdiction, or the applicant of a case the actor can see (a
    # returning resident from elsewhere who applied here before)
    if latest is None and not actor.in_scope_path(resident.jurisdiction.path):
        return PersonFound(number, None, [])
    if actor.user is not None:
        personal_data_access_log(
            actor=actor.user,
            obj=resident,
            fields=["name", "phone", "address"],
            purpose="窗口受理：按证件号码调取申请人信息",
            ip=ip,
        )
    phone = (latest.applicant_phone if latest else "") or resident.phone or ""
    address = (latest.applicant_address if latest else "") or resident.address or ""
    known = {"name": resident.name, "phone": phone, "address": address, "phone_masked": mask_phone(phone)}
    return PersonFound(number, resident, duplicates, known)


def _cases_of(actor: Actor, resident: Resident, item: str) -> tuple[Case | None, list[Case]]:
    """In one query on the actor's cases of ``resident``: the latest one (its intake's contact data,
    and proof the resident is known here) and up to :data:`MAX_DUPLICATES` open cases of ``item``."""
    cases = selectors.case_list(actor=actor).filter(applicant=resident).order_by("-received_at", "-pk")
    if not item:
        return cases.first(), []
    latest = Q(pk__in=Subquery(cases.values("pk")[:1]))
    duplicate = Q(state__in=OPEN_STATES, item__code=item)
    rows = list(
        cases.filter(latest | duplicate).annotate(
            duplicate=ExpressionWrapper(duplicate, output_field=BooleanField())
        )[: MAX_DUPLICATES + 1]
    )
    duplicates: list[Case] = []
    duplicates.extend(c for c in rows if c.duplicate)
    return (rows[0] if rows else None), duplicates[:MAX_DUPLICATES]
