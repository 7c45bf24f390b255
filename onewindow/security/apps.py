from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "onewindow.security"
    verbose_name = "安全与审计"

    def ready(self) -> None:
        from onewindow.security import admin_policy, signals

        signals.connect()
        admin_policy.apply_chinese_names()
