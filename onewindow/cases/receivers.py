"""Keep the jurisdiction paths copied onto cases (``Case.centre_path`` / ``queue_path``) in step when a
centre or department moves to another jurisdiction, or a jurisdiction's own path changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from onewindow.cases.models import Case
from onewindow.org.models import Centre, Department, Jurisdiction


def refresh_case_paths(*, centres: Any = None, departments: Any = None) -> int:
    """Rewrite the stored paths of the cases of ``centres`` / ``departments`` that differ; rows changed."""
    n = 0
    for c in centres or ():
        path = c.jurisdiction.path
        n += Case.objects.filter(centre=c).exclude(centre_path=path).update(centre_path=path)
    for d in departments or ():
        path = d.jurisdiction.path
        n += Case.objects.filter(queue_department=d).exclude(queue_path=path).update(queue_path=path)
    return n


@receiver(post_save, sender=Centre, dispatch_uid="cases_centre_path")
def _centre_saved(sender: Any, instance: Centre, created: bool, raw: bool = False, **kw: Any) -> None:
    if not created and not raw:
        refresh_case_paths(centres=[instance])


@receiver(post_save, sender=Department, dispatch_uid="cases_department_path")
def _department_saved(sender: Any, instance: Department, created: bool, raw: bool = False, **kw: Any) -> None:
    if not created and not raw:
        refresh_case_paths(departments=[instance])


@receiver(post_save, sender=Jurisdiction, dispatch_uid="cases_jurisdiction_path")
def _jurisdiction_saved(
    sender: Any, instance: Jurisdiction, created: bool, raw: bool = False, **kw: Any
) -> None:
    if created or raw:
        return
    centres = list(Centre.objects.filter(jurisdiction=instance))
    departments = list(Department.objects.filter(jurisdiction=instance))
    for c in centres:
        c.jurisdiction = instance
    for d in departments:
        d.jurisdiction = instance
    refresh_case_paths(centres=centres, departments=departments)
