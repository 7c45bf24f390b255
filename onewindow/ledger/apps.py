from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "onewindow.ledger"
    verbose_name = "台账与统计"
