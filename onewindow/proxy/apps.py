from django.apps import AppConfig


class ProxyConfig(AppConfig):
    name = "onewindow.proxy"
    verbose_name = "帮办代办"

    def ready(self) -> None:
        import onewindow.proxy.ledger_contrib  # noqa: F401  (deferred: registers its ledger sources)
        from onewindow.proxy import desk, notices, panels, receivers  # noqa: F401 - receivers, texts, case page panel

        desk.register()
