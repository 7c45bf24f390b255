from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "onewindow.catalog"
    verbose_name = "事项清单"

    def ready(self) -> None:
        # deferred: models and selectors import only once the app registry is ready
        from django.db.models.signals import post_delete, post_save

        from onewindow.catalog import models as m
        from onewindow.catalog.selectors import PUBLISHED
        from onewindow.core.readcache import receiver_bumping
        from onewindow.org.models import Department, Jurisdiction

        bump = receiver_bumping(PUBLISHED)
        for model in (m.Item, m.ItemVersion, m.Material, m.FormField, m.Domain, Department, Jurisdiction):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump, sender=model, weak=False, dispatch_uid=f"catalog.readcache.{model.__name__}"
                )
