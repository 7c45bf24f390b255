"""The proxy pages: agent (home, entrust, intake with upload, supplement), clerks' queues, batches, alerts."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.proxy.models import Batch, Entrustment, ProxyRequest
from tests.proxy.conftest import entrust, entrust_form, png_upload
from tests.proxy.test_api import intake


def test_agent_pages_entrust_intake_submit(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent").c
    r = agent.get("/proxy/")
    assert r.status_code == 200 and "我的代办" in r.content.decode()
    r = agent.get("/proxy/entrust/")
    assert 'accept="image/*,application/pdf"' in r.content.decode()
    r = agent.post("/proxy/entrust/", entrust_form(confirmation=png_upload("指印.png")))
    assert r.status_code == 302, r.content.decode()[:2000]
    ent = Entrustment.objects.get()
    assert ent.confirmation_kind == "fingerprint" and ent.confirmation is not None
    page = agent.get(f"/proxy/intake/?entrustment={ent.pk}&item=MZ-001").content.decode()
    assert 'name="file_M01"' in page and "capture" in page and "代办服务免费" in page
    r = agent.post(
        "/proxy/intake/",
        {
            "entrustment": ent.pk,
            "item": "MZ-001",
            "form_reason": "家庭困难",
            "provided_M02": "1",
            "paper_M01": "1",
            "file_M01": png_upload("身份证.png"),
            "submit_now": "1",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    req = ProxyRequest.objects.get()
    assert req.state == "submitted"
    m01 = next(m for m in req.materials if m["code"] == "M01")
    assert m01["provided"] and m01["paper_held"] and len(m01["files"]) == 1
    detail = agent.get(f"/proxy/requests/{req.pk}/").content.decode()
    assert req.number in detail and "/proxy/files/" in detail
    assert agent.get(f"/proxy/files/{m01['files'][0]}/").status_code == 200


def test_renamed_file_on_the_intake_page_is_refused(proxy_world: dict[str, Any], as_user: Any) -> None:
    api = as_user("agent")
    ent = entrust(api).json()
    fake = SimpleUploadedFile("身份证.jpg", b"just text, not a photo" * 20, content_type="image/jpeg")
    r = api.c.post(
        "/proxy/intake/",
        {"entrustment": ent["id"], "item": "MZ-001", "form_reason": "x", "file_M01": fake},
        follow=True,
    )
    assert r.status_code == 200
    assert "只能上传 JPEG、PNG 图片或 PDF" in r.content.decode()
    assert ProxyRequest.objects.count() == 0


def test_clerk_queue_return_and_pass_pages(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    agent.action(pk, "submit")
    clerk = as_user("clerk").c
    page = clerk.get("/proxy/queue/").content.decode()
    assert "苏木乡镇代办预审队列" in page and ProxyRequest.objects.get(pk=pk).number in page
    r = clerk.post(
        f"/proxy/requests/{pk}/act/", {"action": "prereview_return", "flag_M01": "1", "reason_M01": "模糊"}
    )
    assert r.status_code == 302
    req = ProxyRequest.objects.get(pk=pk)
    assert req.state == "returned" and {m["code"] for m in req.notice["missing"]} == {"M01", "M02"}
    home = agent.c.get("/proxy/").content.decode()
    assert "需补正" in home and "模糊" in home
    r = agent.c.post(
        f"/proxy/requests/{pk}/act/",
        {"action": "submit", "provided_M01": "1", "provided_M02": "1", "file_M02": png_upload()},
    )
    assert ProxyRequest.objects.get(pk=pk).state == "submitted"
    # 预审通过并受理 asks once (what will be issued); the outsider is refused at that step too
    r = clerk.post(f"/proxy/requests/{pk}/act/", {"action": "prereview_pass"})
    body = r.content.decode()
    assert r.status_code == 200 and 'id="confirm-step"' in body and "受理回执" in body
    assert ProxyRequest.objects.get(pk=pk).case is None
    for data in ({"action": "prereview_pass"}, {"action": "prereview_pass", "confirmed": "1"}):
        r = as_user("outsider").c.post(f"/proxy/requests/{pk}/act/", data)
        assert r.status_code == 404 and "受理回执" not in r.content.decode()
    assert ProxyRequest.objects.get(pk=pk).case is None
    r = clerk.post(f"/proxy/requests/{pk}/act/", {"action": "prereview_pass", "confirmed": "1"}, follow=True)
    assert "已预审通过并受理" in r.content.decode()
    assert ProxyRequest.objects.get(pk=pk).case is not None
    # the outsider: 404 page
    assert as_user("outsider").c.get(f"/proxy/requests/{pk}/").status_code == 404
    # ... also when posting an action (the 404 page, not a redirect to a page that is 404 anyway)
    assert as_user("agent_b").c.post(f"/proxy/requests/{pk}/act/", {"action": "submit"}).status_code == 404
    assert ProxyRequest.objects.get(pk=pk).state == "passed"


def test_batch_pages_and_alerts(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    page = agent.c.get("/proxy/batches/").content.decode()
    assert "甲镇" in page
    r = agent.c.post("/proxy/batches/", {"to": "152522100000", "requests": [str(pk)]})
    assert r.status_code == 302
    b = Batch.objects.get()
    clerk = as_user("clerk").c
    assert "待本区域签收" in clerk.get("/proxy/batches/").content.decode()
    r = clerk.post(f"/proxy/batches/{b.pk}/", {"op": "receive", f"mark_{pk}": "missing"})
    assert r.status_code == 302
    head = as_user("head_a").c
    page = head.get("/proxy/alerts/").content.decode()
    assert b.number in page and 'name="resolution"' in page
    assert clerk.get(f"/proxy/batches/{b.pk}/manifest.pdf").content.startswith(b"%PDF")
    assert as_user("outsider").c.get(f"/proxy/batches/{b.pk}/").status_code == 404


def test_admin_is_kept_out(proxy_world: dict[str, Any], as_user: Any) -> None:
    assert as_user("admin").c.get("/proxy/queue/").status_code == 403
    assert as_user("admin").get("/proxy/requests").status_code == 403
