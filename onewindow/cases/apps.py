from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from onewindow.cases import calendar_sync, notices, receivers  # noqa: F401 - connect the receivers
