from django.apps import AppConfig

from onewindow.core import notices


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    verbose_name = "通知"

    def ready(self) -> None:
        # deferred: these modules import models, which app loading allows only from ready()
        from onewindow.notify import receivers, services  # noqa: F401 - connects the receivers

        notices.register_texts("notify", services.TEMPLATES)
