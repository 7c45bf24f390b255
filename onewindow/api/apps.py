from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onewindow.api"
    verbose_name = "接口"
