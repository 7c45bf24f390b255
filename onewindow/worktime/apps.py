from django.apps import AppConfig

from onewindow.core import notices


class WorktimeConfig(AppConfig):
    name = "onewindow.worktime"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # deferred: tasks imports models, which app loading allows only from ready()
        from onewindow.worktime.tasks import TEXTS

        notices.register_texts("worktime", TEXTS)
