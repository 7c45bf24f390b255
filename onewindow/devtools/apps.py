from django.apps import AppConfig
from django.core import checks

from onewindow.devtools.checks import demo_mode_with_production_settings


class DevtoolsConfig(AppConfig):
    name = "onewindow.devtools"
    verbose_name = "开发页面"

    def ready(self) -> None:
        checks.register(demo_mode_with_production_settings, checks.Tags.security)
