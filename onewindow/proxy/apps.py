from django.apps import AppConfig


class ProxyConfig(AppConfig):
    name = "onewindow.proxy"
    verbose_name = "帮办代办"

    def ready(self) -> None:
        from onewindow.proxy import panels, receivers  # noqa: F401 - connects the receivers and its case page panel
