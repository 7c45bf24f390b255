"""GET /healthz: database reachable, last worker heartbeat (for monitoring and load balancers)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from onewindow.org.models import WorkerHeartbeat


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        db_ok = True
    except Exception:  # pragma: no cover - the database is down
        db_ok = False
    beat = WorkerHeartbeat.objects.order_by("-at").first() if db_ok else None
    age = (timezone.now() - beat.at).total_seconds() if beat else None
    body = {"database": db_ok, "worker_last_seen_seconds": round(age, 1) if age is not None else None}
    return JsonResponse(body, status=200 if db_ok else 503)
