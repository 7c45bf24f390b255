from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "onewindow.queueing"
    verbose_name = "取号叫号"
