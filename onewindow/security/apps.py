from django.apps import AppConfig

from onewindow.core import adminpolicy
from onewindow.core import audit as audit_facade


class SecurityConfig(AppConfig):
    name = "onewindow.security"
    verbose_name = "安全与审计"

    def ready(self) -> None:
        # deferred: these modules import models, which exist only once the apps are loaded
        from onewindow.security import admin_policy, audit, signals

        audit_facade.install(audit)  # type: ignore[arg-type]
        adminpolicy.install(admin_policy.allows)

        signals.connect()
        admin_policy.apply_chinese_names()
