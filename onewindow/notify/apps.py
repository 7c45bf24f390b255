from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from onewindow.notify import applicant, receivers  # noqa: F401
