from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "onewindow.ledger"
    verbose_name = "台账与统计"

    def ready(self) -> None:
        # deferred: the receivers import models, importable only once the apps are loaded
        from onewindow.core import figures
        from onewindow.ledger import receivers  # noqa: F401  (connects the signal receivers)
        from onewindow.ledger.metrics import REGISTRY

        figures.install(REGISTRY)  # core.figures: other rooms compute the figures defined here
