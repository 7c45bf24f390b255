"""Staff page: a resident's notification channels (on/off)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onewindow.notify import preferences
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page


@staff_page(perm=Perm.RESIDENT_VIEW, error_template="integration/error.html")
def resident_preferences(request: HttpRequest, pk: int) -> HttpResponse:
    resident = preferences.resident_for_staff(actor=request_actor(request), pk=pk)
    if request.method == "POST":
        preferences.preference_set(resident=resident, **{c: c in request.POST for c in preferences.CHANNELS})
        messages.success(request, "通知方式已保存")
        return redirect("notify:resident_preferences", pk=resident.pk)
    labels = {"sms": "短信", "email": "电子邮件", "inbox": "网上站内信"}
    current = preferences.preference_get(resident)
    rows = [(c, labels[c], current[c]) for c in preferences.CHANNELS]
    return render(request, "notify/preferences.html", {"resident": resident, "rows": rows})
