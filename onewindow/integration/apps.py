from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "onewindow.integration"
    verbose_name = "对接与事件"

    def ready(self) -> None:
        # deferred: the receivers import models, importable only once the apps are loaded
        from django.db.models.signals import post_delete, post_save

        from onewindow.core.readcache import receiver_bumping
        from onewindow.integration import receivers  # noqa: F401  (connects the signal receivers)
        from onewindow.integration.models import WebhookSubscription
        from onewindow.integration.services import SUBSCRIPTIONS
        from onewindow.org.models import Jurisdiction

        # the per-process active subscriptions (services.SUBSCRIPTIONS): dropped on any change
        bump = receiver_bumping(SUBSCRIPTIONS)
        for model in (WebhookSubscription, Jurisdiction):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump, sender=model, weak=False, dispatch_uid=f"integration.readcache.{model.__name__}"
                )
