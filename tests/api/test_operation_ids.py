"""Clients generate code from the OpenAPI document: moving the routers into their apps (issue #16) must
not rename a single operationId (they keep the names of the old ``onewindow/api/<name>_api.py``)."""

from __future__ import annotations

from onewindow.api.api import api


def _operation_ids() -> list[str]:
    schema = api.get_openapi_schema()
    return [
        op["operationId"]
        for methods in schema["paths"].values()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    ]


def test_operation_ids_keep_their_names_and_are_unique() -> None:
    ids = _operation_ids()
    assert len(ids) == len(set(ids))
    for known in (
        "onewindow_api_cases_api_case_create",
        "onewindow_api_proxy_api_entrustment_create",
        "onewindow_api_queue_api_appointment_create",
        "onewindow_api_stats_api_stats",
        "onewindow_api_org_api_me",
    ):
        assert known in ids
    assert all(i.startswith("onewindow_api_") for i in ids), [
        i for i in ids if not i.startswith("onewindow_api_")
    ]
