from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "onewindow.devtools"
    verbose_name = "开发页面"
