"""Read-only admin views of cases: every change goes through the services (and the timeline)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.cases.models import Case, CaseEvent, CaseReminder, CaseReview
from onewindow.core.adminpolicy import ReadOnlyAdmin


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item_version", "state", "centre", "queue_department", "deadline", "warning"]
    list_filter = ["state", "warning", "channel"]
    search_fields = ["number"]
    # personal data (the resident and the case's own applicant snapshot) is shown masked on the case
    # pages, with the view logged
    exclude = ["applicant", "applicant_name", "applicant_id_number", "applicant_phone", "applicant_address"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "at", "action", "actor_name", "state_from", "state_to"]
    list_filter = ["action"]
    search_fields = ["case__number"]


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "state", "created_at", "sent_at"]
    list_filter = ["kind"]


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "department", "state", "deadline", "decided_at"]
