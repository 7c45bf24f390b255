from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        # deferred: the receivers import models, which Django loads only after the app registry is ready
        from onewindow.cases import calendar_sync, desk, notices, receivers  # noqa: F401 - connect the receivers

        desk.register()
