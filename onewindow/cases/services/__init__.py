"""Every write to a case: intake at the window and the transitions of the state machine.

Each function is one transaction, takes the acting :class:`~onewindow.core.actor.Actor` (a user is
resolved with ``org.actors.actor_of``), and appends one timeline event per state change in that same
transaction. Concurrent transitions on one case: the row's ``version`` is checked in the UPDATE, so
exactly one wins and the other gets ``conflict``.

By sub-domain:

- ``base`` — the actor's staff context, the case an actor may reach, the timeline entry;
- ``checks`` — the applicant, the item's form fields, the materials;
- ``intake`` — :func:`case_intake` (无差别全科受理);
- ``acceptance`` — acceptance and its deadline, 联办件 reviews, deemed acceptance (art. 32);
- ``transitions`` — :func:`case_transition`, a dispatcher over the transition table, with the
  handlers of the window (``window``) and of the deciding department (``review``);
- ``applicant`` — correcting a case's applicant, the resident's online supplement.

``local_today`` is the clock's (``onewindow.core.clock``); the services read it through this package
at call time, so pinning ``onewindow.cases.services.local_today`` pins "today" for every case write.
"""

from onewindow.core.clock import local_today  # noqa: I001 - first: the submodules read it from here

from onewindow.cases.deadlines import (
    DEEMED_NOTE,
    MAX_EXTENSION_DAYS,
    NOTICE_DAYS,
    NOTICE_WARN_DAYS,
    compute_deadline,
    notice_due,
    received_date,
)
from onewindow.cases.selectors import APPLICANT_FIELDS, applicant_differences
from onewindow.cases.services.acceptance import case_deem_accepted, joint_departments
from onewindow.cases.services.applicant import (
    CORRECTION_ROLES,
    applicant_shown,
    case_applicant_correct,
    case_resident_supplement,
)
from onewindow.cases.services.base import BASIS_REQUIRED, RESIDENT_ROLE, append_event, case_get_for_user
from onewindow.cases.services.checks import (
    applicant_errors,
    check_materials,
    form_errors,
    validate_applicant,
    validate_form,
)
from onewindow.cases.services.intake import case_intake
from onewindow.cases.services.review import extension_approver, extension_approvers
from onewindow.cases.services.transitions import TABLE, case_transition, case_transition_check

__all__ = [
    "APPLICANT_FIELDS",
    "BASIS_REQUIRED",
    "CORRECTION_ROLES",
    "DEEMED_NOTE",
    "MAX_EXTENSION_DAYS",
    "NOTICE_DAYS",
    "NOTICE_WARN_DAYS",
    "RESIDENT_ROLE",
    "TABLE",
    "append_event",
    "applicant_differences",
    "applicant_errors",
    "applicant_shown",
    "case_applicant_correct",
    "case_deem_accepted",
    "case_get_for_user",
    "case_intake",
    "case_resident_supplement",
    "case_transition",
    "case_transition_check",
    "check_materials",
    "compute_deadline",
    "extension_approver",
    "extension_approvers",
    "form_errors",
    "joint_departments",
    "local_today",
    "notice_due",
    "received_date",
    "validate_applicant",
    "validate_form",
]
