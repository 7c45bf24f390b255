from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "onewindow.integration"
    verbose_name = "对接与事件"

    def ready(self) -> None:
        # deferred: the receivers import models, importable only once the apps are loaded
        from onewindow.integration import receivers  # noqa: F401  (connects the signal receivers)
