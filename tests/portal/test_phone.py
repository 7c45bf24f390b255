"""Issue 15, the resident on a phone (server side): header menu, cards, favicon, tap-to-call, nearest
centres first, and the privacy notice with consent before sign-up (PIPL art. 14 and 29)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.notify.models import Notification
from onewindow.org.models import Resident
from onewindow.portal.models import OtpChallenge, ResidentAccount
from onewindow.portal.templatetags.phone_links import tel
from onewindow.privacy import consent
from onewindow.privacy.models import Consent, ConsentPurpose
from tests.portal.resident_helpers import ID_A, ID_B, PHONE_A, PHONE_B, last_code, set_online, sign_up

pytestmark = pytest.mark.django_db
V = consent.NOTICE_VERSION


def _header(html: str) -> str:
    return html[html.index('<header class="topbar">') : html.index("</header>")]


# --- 1. the header menu -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "resident", "agent", "clerk"])
def test_every_header_link_is_inside_the_native_menu(who: str, client: Client, portal_world: Any) -> None:
    if who == "resident":
        client.force_login(sign_up(PHONE_A).user)
    elif who != "anonymous":
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=who))
    client.cookies["ow_large"] = "1"
    html = client.get("/guide/").content.decode()
    assert '<html lang="zh-CN" class="large">' in html
    header = _header(html)
    menu = header[header.index('<details class="menu" id="site-menu">') : header.index("</details>")]
    assert '<summary class="menu-button">菜单</summary>' in menu
    outside = header.replace(menu, "")
    # only the brand and the text-size switch stay outside the menu: every other link folds into it
    assert re.findall(r'<a class="([\w-]+)"', outside) == ["brand", "size-toggle"]
    assert len(re.findall(r"<a ", outside)) == 2
    assert "办事指南" in menu and "服务中心" in menu
    if who == "anonymous":
        assert "群众登录" in menu and "工作人员登录" in menu
    else:
        assert "退出" in menu
    if who in {"agent", "clerk"}:
        assert '<nav class="worknav" aria-label="我的工作">' in menu
    assert "js/menu.js" in html


# --- 3. favicon ---------------------------------------------------------------------------------


def test_favicon_is_linked_and_favicon_ico_is_not_a_404(client: Client, world: Any) -> None:
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("favicon.svg") and finders.find("favicon.png")
    r = client.get("/favicon.ico")
    assert r.status_code == 302 and r["Location"] == "/static/favicon.png"
    assert client.post("/favicon.ico").status_code == 405


# --- 2. tables become cards ---------------------------------------------------------------------


def _cells_are_labelled(html: str, table_class: str) -> int:
    """Every body cell of the table carries the label of its column; returns the cells checked."""
    m = re.search(rf'<table class="[^"]*\b{table_class}\b[^"]*">(.*?)</table>', html, re.S)
    assert m, table_class
    table = m.group(1)
    assert re.search(r'<table class="[^"]*\bcards\b', m.group(0))
    heads = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    checked = 0
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</thead>", 1)[-1], re.S):
        cells = re.findall(r"<td([^>]*)>", row)
        if len(cells) == 1 and "colspan" in cells[0]:
            continue  # the "nothing here" row
        labels = [re.search(r'data-label="([^"]+)"', c).group(1) for c in cells]  # type: ignore[union-attr]
        assert labels == heads[: len(labels)], (labels, heads)
        checked += len(labels)
    return checked


def test_guide_materials_and_fields_are_card_tables(client: Client, portal_world: Any) -> None:
    html = client.get(reverse("portal:item_detail", args=["CL-001"])).content.decode()
    assert _cells_are_labelled(html, "materials") == 3 * 6


def test_staff_case_list_and_prereview_queue_are_card_tables(
    login: Any, portal_world: Any, world: Any
) -> None:
    from tests.cases.conftest import intake

    intake()
    html = login("clerk").get(reverse("cases:list")).content.decode()
    assert _cells_are_labelled(html, "cases") == 8
    html = login("clerk").get(reverse("proxy:queue")).content.decode()
    assert html.count('<table class="cards">') == 2


# --- 4. tap-to-call -----------------------------------------------------------------------------


def test_tel_filter_links_numbers_and_escapes_the_rest() -> None:
    assert tel("0479-5220000") == '<a class="tel" href="tel:04795220000">0479-5220000</a>'
    assert tel("12345") == '<a class="tel" href="tel:12345">12345</a>'
    assert tel("见办理地点") == "见办理地点"
    assert tel("1234") == "1234"  # too short to be a phone
    two = tel("白天 0479-5220000，夜间 138 0000 0001<b>")
    assert 'href="tel:04795220000"' in two and 'href="tel:13800000001"' in two and "&lt;b&gt;" in two
    assert tel(None) == ""


def test_phones_shown_to_residents_are_tap_to_call(client: Client, portal_world: Any) -> None:
    html = client.get(reverse("portal:centre_detail", args=["C-A"])).content.decode()
    for number in ("04795220000", "04795220001", "04795220002", "04795221001"):  # centre + clerk's card
        assert f'href="tel:{number}"' in html, number
    assert 'href="tel:04795220000"' in client.get(reverse("portal:centre_list")).content.decode()
    guide = client.get(reverse("portal:item_detail", args=["MZ-001"])).content.decode()
    assert 'href="tel:04795220000"' in guide  # the place list
    assert 'href="tel:12345"' in guide  # the complaint phone
    agents = client.get(reverse("proxy:agents")).content.decode()
    assert re.search(r'href="tel:0479-?5229999"', agents)  # the agents' board (already linked)


# --- 5. nearest centres first, the centre select prefilled --------------------------------------


def _places(html: str) -> list[str]:
    section = html[html.index('id="sec-place"') : html.index('id="sec-phone"')]
    return re.findall(r'href="/centres/([^/]+)/"', section)


def test_guide_lists_the_nearest_centres_first(client: Client, portal_world: Any) -> None:
    url = reverse("portal:item_detail", args=["MZ-001"])
    assert _places(client.get(url).content.decode()) == ["C-COUNTY", "C-A", "C-B"]  # anonymous: by level
    client.force_login(sign_up(PHONE_B, "乌云", ID_B, place="152522200201").user)  # lives in 乙一嘎查
    html = client.get(url).content.decode()
    assert _places(html) == ["C-B", "C-COUNTY", "C-A"]  # her township first, then the county
    assert "按离乙一嘎查由近到远排列" in html


def test_agent_sees_his_township_first(login: Any, portal_world: Any) -> None:
    html = login("agent").get(reverse("portal:item_detail", args=["MZ-001"])).content.decode()
    assert _places(html) == ["C-A", "C-COUNTY", "C-B"]


def test_centre_list_starts_with_the_centres_serving_her_village(client: Client, portal_world: Any) -> None:
    assert "离您最近" not in client.get(reverse("portal:centre_list")).content.decode()
    client.force_login(sign_up(PHONE_A, "巴特尔", ID_A).user)  # 甲一嘎查
    html = client.get(reverse("portal:centre_list")).content.decode()
    near = html[html.index("离您最近（甲一嘎查）") : html.index("</section>")]
    assert re.findall(r'href="/centres/([^/]+)/"', near) == ["S-A1", "C-A", "C-COUNTY"]


def test_apply_centre_select_is_prefilled_from_her_place(client: Client, portal_world: Any) -> None:
    set_online("MZ-001")
    client.force_login(sign_up(PHONE_B, "乌云", ID_B, place="152522200201").user)
    html = client.get(reverse("portal:apply", args=["MZ-001"])).content.decode()
    select = html[
        html.index('<select id="id_centre"') : html.index("</select>", html.index('id="id_centre"'))
    ]
    assert re.findall(r'<option value="([^"]+)"', select) == ["C-B", "C-COUNTY", "C-A"]
    assert re.findall(r'<option value="([^"]+)" selected>', select) == ["C-B"]


# --- 6. privacy notice and consent --------------------------------------------------------------


def test_privacy_notice_is_public(client: Client, world: Any) -> None:
    r = client.get("/privacy/")
    assert r.status_code == 200
    html = r.content.decode()
    assert (
        "个人信息保护告知书" in html
        and f"第 {V} 版" in html
        and "敏感个人信息" in html
        and "撤回同意" in html
    )


def test_sign_up_page_shows_the_notice_and_asks_consent_first(client: Client, world: Any) -> None:
    html = client.get("/my/login/").content.decode()
    form = html[html.index('id="privacy-summary"') :]
    assert form.index('name="consent"') < form.index('name="phone"')  # consent comes before the number
    assert f'name="consent" value="{V}" required' in html and 'href="/privacy/"' in html


def test_sign_up_without_consent_is_refused_and_nothing_is_kept(client: Client, world: Any) -> None:
    r = client.post("/my/login/", {"phone": PHONE_A, "action": "send"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "请先阅读《个人信息保护告知书》并勾选“我已阅读并同意”" in html and 'role="alert"' in html
    assert PHONE_A not in html  # the number is not even echoed back
    assert not Notification.objects.exists() and not OtpChallenge.objects.exists()
    # an old notice version is no consent either; nor is a code typed without it
    assert (
        client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": "0.9"}).status_code == 400
    )
    r = client.post("/my/login/", {"phone": PHONE_A, "code": "123456", "action": "verify"})
    assert r.status_code == 400 and not ResidentAccount.objects.exists()


def test_consent_is_recorded_with_version_and_time(client: Client, world: Any) -> None:
    before = timezone.now()
    r = client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": V})
    assert r.status_code == 200 and "验证码已发送到" in r.content.decode()
    # the resend button on the code step needs no second tick (the consent is in this session)
    r = client.post("/my/login/", {"phone": PHONE_A, "code": last_code(PHONE_A), "action": "verify"})
    assert r.status_code == 302
    account = ResidentAccount.objects.get()
    c = Consent.objects.get()
    assert (c.user_id, c.purpose, c.notice_version) == (account.user_id, ConsentPurpose.SIGN_UP, V)
    assert before - dt.timedelta(seconds=1) <= c.given_at <= timezone.now() and c.ip == "127.0.0.1"
    # logging in again with the same notice keeps the one record
    client.logout()
    OtpChallenge.objects.update(sent_at=None)
    client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": V})
    client.post("/my/login/", {"phone": PHONE_A, "code": last_code(PHONE_A), "action": "verify"})
    assert Consent.objects.count() == 1


def test_a_new_notice_version_is_agreed_again(client: Client, world: Any, monkeypatch: Any) -> None:
    account = sign_up(PHONE_A)
    consent.consent_record(user=account.user, purpose=ConsentPurpose.SIGN_UP)
    monkeypatch.setattr(consent, "NOTICE_VERSION", "2027.1")
    assert consent.consent_current(account.user, ConsentPurpose.SIGN_UP) is None
    OtpChallenge.objects.update(sent_at=None)
    assert client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": V}).status_code == 400
    client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": "2027.1"})
    client.post("/my/login/", {"phone": PHONE_A, "code": last_code(PHONE_A), "action": "verify"})
    assert sorted(Consent.objects.values_list("notice_version", flat=True)) == ["2026.1", "2027.1"]


def test_id_number_needs_its_own_consent(client: Client, world: Any) -> None:
    account = sign_up(PHONE_A)
    client.force_login(account.user)
    form = {"name": "巴特尔", "id_number": ID_A, "jurisdiction": "152522100201"}
    html = client.get("/my/realname/").content.decode()
    assert f'name="consent_sensitive" value="{V}" required' in html and "单独同意" in html
    r = client.post("/my/realname/", form)
    assert r.status_code == 400
    html = r.content.decode()
    assert "请勾选单独同意" in html and ID_A not in html  # not kept, not even echoed back
    assert not Resident.objects.exists() and not Consent.objects.exists()
    r = client.post("/my/realname/", {**form, "consent_sensitive": V})
    assert r.status_code == 302 and Resident.objects.count() == 1
    c = Consent.objects.get()
    assert (c.user_id, c.purpose, c.notice_version) == (account.user_id, ConsentPurpose.SENSITIVE_ID, V)
