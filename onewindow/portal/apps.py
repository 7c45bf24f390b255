from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onewindow.portal"

    def ready(self) -> None:
        # deferred: notices imports models, which app loading allows only from ready()
        from onewindow.portal import (
            notices,  # noqa: F401 - answers core.notices.online_account
            panels,  # noqa: F401 - registers its case page panel (core.panels)
        )
