from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    name = "onewindow.worktime"
    verbose_name = "工作日历"
