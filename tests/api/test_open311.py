"""The Open311 GeoReport v2 facade, driven by a small client written against the spec.

The client knows only GeoReport v2: GET services / a service definition / requests with JSON (or XML)
parsing, and a form-encoded POST of a service request with ``api_key`` and ``attribute[...]``. Most tests
run it over Django's test client; one runs it over real HTTP against the live server.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from tests.cases.conftest import GOOD_ID, intake

# A transport: (method, url, form-encoded body or None) -> (status, content type, body bytes)
Transport = Callable[[str, str, bytes | None], tuple[int, str, bytes]]


class Open311Error(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]):
        self.status = status
        self.errors = errors
        super().__init__(f"{status}: {errors}")


class GeoReportClient:
    """A minimal GeoReport v2 client (http://wiki.open311.org/GeoReport_v2)."""

    def __init__(self, endpoint: str, transport: Transport, api_key: str = "", fmt: str = "json"):
        self.endpoint = endpoint.rstrip("/") + "/"
        self.transport = transport
        self.api_key = api_key
        self.fmt = fmt

    def _call(self, method: str, resource: str, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.endpoint}{resource}.{self.fmt}"
        body = None
        if method == "GET" and params:
            url += "?" + urllib.parse.urlencode(params)
        elif method == "POST":
            body = urllib.parse.urlencode(params or {}).encode("utf-8")
        status, ctype, content = self.transport(method, url, body)
        data = self._parse(ctype, content)
        if status >= 400:
            raise Open311Error(status, data)
        return data

    def _parse(self, ctype: str, content: bytes) -> Any:
        if self.fmt == "json":
            assert ctype.startswith("application/json"), ctype
            return json.loads(content.decode("utf-8"))
        assert ctype.startswith("text/xml"), ctype
        assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        root = ET.fromstring(content)
        if root.tag in {"services", "service_requests", "errors"}:
            return [{child.tag: child.text for child in row} for row in root]
        return root

    def services(self, **params: str) -> list[dict[str, Any]]:
        return self._call("GET", "services", params)  # type: ignore[no-any-return]

    def service_definition(self, code: str) -> Any:
        return self._call("GET", f"services/{urllib.parse.quote(code)}")

    def post_request(
        self, service_code: str, attributes: dict[str, str] | None = None, **fields: str
    ) -> dict[str, Any]:
        params: dict[str, str] = {"api_key": self.api_key, "service_code": service_code, **fields}
        for code, value in (attributes or {}).items():
            params[f"attribute[{code}]"] = value
        rows = self._call("POST", "requests", params)
        assert len(rows) == 1
        return rows[0]  # type: ignore[no-any-return]

    def requests(self, **params: str) -> list[dict[str, Any]]:
        return self._call("GET", "requests", {"api_key": self.api_key, **params})  # type: ignore[no-any-return]

    def request(self, service_request_id: str) -> dict[str, Any]:
        rows = self._call("GET", f"requests/{service_request_id}", {"api_key": self.api_key})
        assert len(rows) == 1
        return rows[0]  # type: ignore[no-any-return]


def django_transport(client: Client) -> Transport:
    def call(method: str, url: str, body: bytes | None) -> tuple[int, str, bytes]:
        if method == "POST":
            r = client.post(url, body or b"", content_type="application/x-www-form-urlencoded")
        else:
            r = client.get(url)
        return r.status_code, r["Content-Type"], r.content

    return call


def http_transport(method: str, url: str, body: bytes | None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def token(username: str, **kw: Any) -> str:
    from onewindow.api.tokens import token_create

    return token_create(username=username, **kw)[1]


@pytest.fixture
def geo(world: dict[str, Any]) -> GeoReportClient:
    return GeoReportClient("/open311/v2/", django_transport(Client()), api_key=token("clerk"))


REQUEST = {
    "first_name": "特尔",
    "last_name": "巴",
    "phone": "13912345678",
    "description": "家庭困难，申请低保",
}


def test_services_list_items_as_services(geo: GeoReportClient) -> None:
    services = geo.services()
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"MZ-001", "MZ-002"}
    s = by_code["MZ-001"]
    assert s["service_name"] == "最低生活保障申请"
    assert s["type"] == "realtime"
    assert s["metadata"] is True
    assert s["group"] == "社会服务"
    assert "低保申请" in s["keywords"]
    assert s["description"]
    assert geo.services(jurisdiction_id="C-A")  # township centre: both items accepted there
    assert geo.services(jurisdiction_id="152522100201") == []  # village: neither
    with pytest.raises(Open311Error) as e:
        geo.services(jurisdiction_id="nope")
    assert e.value.status == 404 and e.value.errors[0]["code"] == 404


def test_service_definition_has_fields_and_materials(geo: GeoReportClient) -> None:
    d = geo.service_definition("MZ-001")
    assert d["service_code"] == "MZ-001"
    attrs = {a["code"]: a for a in d["attributes"]}
    assert set(attrs) == {"id_number", "reason", "M01", "M02"}
    assert attrs["id_number"]["required"] is True
    assert attrs["reason"]["datatype"] == "string" and attrs["reason"]["required"] is True
    assert attrs["reason"]["description"] == "申请事由"
    assert attrs["M01"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attrs["M01"]["values"]} == {"true", "false"}
    assert [a["order"] for a in d["attributes"]] == sorted(a["order"] for a in d["attributes"])
    for a in d["attributes"]:
        assert a["variable"] is True
    with pytest.raises(Open311Error) as e:
        geo.service_definition("NOPE-1")
    assert e.value.status == 404


def test_post_request_creates_submitted_online_case(geo: GeoReportClient) -> None:
    from onewindow.cases.models import Case
    from onewindow.security.models import AuditEntry

    created = geo.post_request("MZ-001", {"id_number": GOOD_ID, "M01": "true", "M02": "false"}, **REQUEST)
    number = created["service_request_id"]
    assert number and number in created["service_notice"]
    assert "account_id" in created
    case = Case.objects.get(number=number)
    assert case.state == "submitted" and case.channel == "online"
    assert case.centre.code == "C-A"  # the clerk's own centre
    assert case.applicant.name == "巴特尔"
    assert case.form_data == {"reason": "家庭困难，申请低保"}  # description filled the text field
    assert {m["code"]: m["provided"] for m in case.materials} == {"M01": True, "M02": False}
    assert case.events.get().action == "submit"
    assert AuditEntry.objects.filter(action="open311.request_create", obj=f"case:{number}").exists()

    got = geo.request(number)
    assert got["service_request_id"] == number
    assert got["status"] == "open"
    assert got["status_notes"] == "待受理"
    assert got["service_code"] == "MZ-001" and got["service_name"] == "最低生活保障申请"
    assert got["agency_responsible"] == "测试旗民政局"
    assert got["requested_datetime"].endswith("+08:00")
    assert got["expected_datetime"] is None  # not accepted yet: no deadline
    assert geo.requests()[0]["service_request_id"] == number


def test_no_personal_data_in_requests(geo: GeoReportClient) -> None:
    case = intake()
    text = json.dumps(geo.requests(), ensure_ascii=False)
    assert case.number in text
    for secret in (GOOD_ID, GOOD_ID[-4:], "13912345678", "巴特尔", "甲镇一嘎查3组", "家庭困难"):
        assert secret not in text


def test_requests_status_deadline_and_filters(geo: GeoReportClient, world: dict[str, Any]) -> None:
    from onewindow.cases.services import case_transition
    from onewindow.org.actors import actor_of
    from tests.cases.conftest import user

    accepted = intake()
    withdrawn = intake()
    case_transition(
        actor=actor_of(user("clerk")), number=withdrawn.number, action="withdraw", reason="不办了"
    )
    row = geo.request(accepted.number)
    assert row["status"] == "open" and row["status_notes"] == "已受理"
    assert row["expected_datetime"].startswith(accepted.deadline.isoformat() + "T23:59:59")
    assert geo.request(withdrawn.number)["status"] == "closed"
    assert {r["service_request_id"] for r in geo.requests(status="open")} == {accepted.number}
    assert {r["service_request_id"] for r in geo.requests(status="closed")} == {withdrawn.number}
    ids = f"{accepted.number},{withdrawn.number}"
    assert len(geo.requests(service_request_id=ids)) == 2
    assert geo.requests(service_code="MZ-002") == []
    assert geo.requests(start_date="2099-01-01T00:00:00+08:00") == []
    with pytest.raises(Open311Error) as e:
        geo.requests(start_date="yesterday")
    assert e.value.status == 400
    with pytest.raises(Open311Error) as e:
        geo.requests(status="pending")
    assert e.value.status == 400


def test_errors_per_spec(geo: GeoReportClient, world: dict[str, Any]) -> None:
    anonymous = GeoReportClient("/open311/v2/", django_transport(Client()))
    for call in (
        lambda: anonymous.requests(),
        lambda: anonymous.post_request("MZ-001", {"id_number": GOOD_ID}, **REQUEST),
        lambda: GeoReportClient("/open311/v2/", django_transport(Client()), "ow_bogus").requests(),
    ):
        with pytest.raises(Open311Error) as e:
            call()
        assert e.value.status == 403
        assert isinstance(e.value.errors, list) and e.value.errors[0]["code"] == 403
        assert e.value.errors[0]["description"]
    for attributes, fields, status in (
        ({"id_number": GOOD_ID}, {"service_code": ""}, 400),
        ({"id_number": "123"}, {}, 400),  # invalid ID number: invalid_id_number
        ({"id_number": GOOD_ID}, {"jurisdiction_id": "C-B"}, 400),  # outside the clerk's jurisdiction
    ):
        params = {**REQUEST, **fields}
        code = params.pop("service_code", "MZ-001")
        with pytest.raises(Open311Error) as e:
            geo.post_request(code, attributes, **params)
        assert e.value.status == status, e.value.errors
    with pytest.raises(Open311Error) as e:
        geo.post_request("NOPE-1", {"id_number": GOOD_ID}, **REQUEST)
    assert e.value.status == 400
    with pytest.raises(Open311Error) as e:
        geo.request("152522209912310001")
    assert e.value.status == 404
    # outside the jurisdiction is 404, not 403 (existence does not leak)
    case = intake()
    outsider = GeoReportClient("/open311/v2/", django_transport(Client()), api_key=token("outsider"))
    with pytest.raises(Open311Error) as e:
        outsider.request(case.number)
    assert e.value.status == 404
    read_only = GeoReportClient("/open311/v2/", django_transport(Client()), token("clerk", read_only=True))
    with pytest.raises(Open311Error) as e:
        read_only.post_request("MZ-001", {"id_number": GOOD_ID}, **REQUEST)
    assert e.value.status == 403
    assert read_only.request(case.number)["service_request_id"] == case.number


def test_xml_variants(world: dict[str, Any]) -> None:
    geo = GeoReportClient("/open311/v2/", django_transport(Client()), api_key=token("clerk"), fmt="xml")
    services = geo.services()
    assert {s["service_code"] for s in services} == {"MZ-001", "MZ-002"}
    assert services[0]["type"] == "realtime"
    definition = geo.service_definition("MZ-001")
    assert definition.tag == "service_definition"
    codes = [a.findtext("code") for a in definition.find("attributes")]
    assert codes == ["id_number", "reason", "M01", "M02"]
    created = geo.post_request("MZ-001", {"id_number": GOOD_ID, "reason": "困难"}, **REQUEST)
    assert created["service_request_id"]
    assert geo.request(created["service_request_id"])["status"] == "open"
    with pytest.raises(Open311Error) as e:
        geo.service_definition("NOPE-1")
    assert e.value.errors == [{"code": "404", "description": e.value.errors[0]["description"]}]
    r = Client().get("/open311/v2/discovery.xml")
    assert r.status_code == 200 and b"<endpoints>" in r.content


def test_methods_and_formats(world: dict[str, Any]) -> None:
    c = Client()
    assert c.get("/open311/v2/services.csv").status_code == 404
    assert c.delete("/open311/v2/requests.json").status_code == 405
    assert c.post("/open311/v2/services.json").status_code == 405
    discovery = c.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_over_real_http(live_server: Any, transactional_db: Any) -> None:
    from tests.factories import build_world

    build_world()
    geo = GeoReportClient(live_server.url + "/open311/v2/", http_transport, api_key=token("clerk"))
    assert {s["service_code"] for s in geo.services()} == {"MZ-001", "MZ-002"}
    created = geo.post_request("MZ-001", {"id_number": GOOD_ID, "M01": "true", "M02": "true"}, **REQUEST)
    assert geo.request(created["service_request_id"])["status_notes"] == "待受理"
    with pytest.raises(Open311Error) as e:
        GeoReportClient(live_server.url + "/open311/v2/", http_transport, "ow_nope").requests()
    assert e.value.status == 403
