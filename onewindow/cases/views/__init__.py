"""Staff pages of the case lifecycle, the case PDFs and the public progress page.

Views are thin: who may open a page is decided at the edge (:func:`~.common.case_page`, which sets
``request.actor``), reads go through ``cases.selectors`` (scoped to the actor's jurisdiction), every
write through ``cases.services`` with the request's actor. A domain error is shown as its Chinese
message next to the fields it names; nothing is saved.

By section: ``window`` (the workbench, 无差别全科受理), ``detail`` (a case, its timeline and actions),
``lists`` (queues, lists, the warning board), ``public`` (PDFs and the progress page), ``confirm``
(a legal act asks once and says what it issues: the server's confirmation step, a ``<dialog>`` with
``cases/cases.js``). A failed submit shows every error in a summary at the top, linked to its field.
"""

from onewindow.cases.views.detail import act, applicant_correct, detail
from onewindow.cases.views.lists import case_list, output, queue, warnings
from onewindow.cases.views.person import person_lookup
from onewindow.cases.views.public import document, progress
from onewindow.cases.views.window import outcome, workbench

__all__ = [
    "act",
    "applicant_correct",
    "case_list",
    "detail",
    "document",
    "outcome",
    "output",
    "person_lookup",
    "progress",
    "queue",
    "warnings",
    "workbench",
]
