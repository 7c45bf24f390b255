"""The benchmark server's URLs: the project's, plus ``POST /bench/insert`` — a trivial Django view that
inserts one row (the framework's ceiling on this machine: same server, middleware and database).
Loaded only by ``bench_settings`` (``make bench``); not part of the product."""

from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_ceiling"


@csrf_exempt
def insert(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {TABLE} (note) VALUES (%s) RETURNING id", [request.body[:40].decode()])
        (pk,) = cur.fetchone()
    return JsonResponse({"id": pk}, status=201)


urlpatterns: list[Any] = [path("bench/insert", insert), path("", include("onewindow.urls"))]
