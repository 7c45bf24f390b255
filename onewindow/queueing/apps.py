from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "onewindow.queueing"
    verbose_name = "取号叫号"

    def ready(self) -> None:
        from onewindow.queueing import calendar_sync, notices  # noqa: F401  (signal receiver; notices)
