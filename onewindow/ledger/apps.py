from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "onewindow.ledger"
    verbose_name = "台账与统计"

    def ready(self) -> None:
        # deferred: the receivers import models, importable only once the apps are loaded
        from onewindow.ledger import receivers  # noqa: F401  (connects the signal receivers)
