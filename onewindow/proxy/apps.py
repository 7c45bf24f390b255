from django.apps import AppConfig


class ProxyConfig(AppConfig):
    name = "onewindow.proxy"
    verbose_name = "帮办代办"

    def ready(self) -> None:
        from onewindow.proxy import receivers  # noqa: F401  # deferred: models must be loaded first; connects the receivers
