from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "onewindow.security"
    verbose_name = "安全与审计"

    def ready(self) -> None:
        from onewindow.core import audit as audit_facade
        from onewindow.security import admin_policy, audit, signals

        audit_facade.install(audit)  # type: ignore[arg-type]

        signals.connect()
        admin_policy.apply_chinese_names()
