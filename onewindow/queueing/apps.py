from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "onewindow.queueing"
    verbose_name = "取号叫号"

    def ready(self) -> None:
        import onewindow.queueing.ledger_contrib  # noqa: F401  (deferred: registers its ledger sources)
        from onewindow.queueing import calendar_sync  # noqa: F401  (signal receiver)
