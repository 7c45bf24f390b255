"""Demo data of the integration app, seeded by the demo loader: an example webhook subscription,
switched off, so the pages show what they are for without sending anything anywhere. (No demo system
account: its user would carry a staff profile without the demo password; create one on
/integration/accounts/ when needed.)"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from onewindow.demo.dataset import demo_data
from onewindow.integration.models import WebhookSubscription
from onewindow.org.models import Jurisdiction

SUBSCRIPTION_NAME = "盟级好差评系统（示例，未启用）"


def seed_demo() -> None:
    county = Jurisdiction.objects.filter(code=demo_data().county["code"]).first()
    if county is None or WebhookSubscription.objects.filter(name=SUBSCRIPTION_NAME).exists():
        return
    WebhookSubscription.objects.create(
        name=SUBSCRIPTION_NAME,
        url="https://example.invalid/onewindow/events",
        secret="demo-secret-change-me",
        event_types=["case.*", "rating.*"],
        jurisdiction=county,
        active=False,
        created_by=get_user_model().objects.filter(username="admin").first(),
    )
