from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "onewindow.ledger"
    verbose_name = "台账与统计"

    def ready(self) -> None:
        from onewindow.ledger import receivers  # noqa: F401  (connects the signal receivers)
