from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "onewindow.integration"
    verbose_name = "对接与事件"

    def ready(self) -> None:
        from onewindow.integration import receivers  # noqa: F401
