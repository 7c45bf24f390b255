from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    verbose_name = "通知"
