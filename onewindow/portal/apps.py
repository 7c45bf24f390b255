from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onewindow.portal"

    def ready(self) -> None:
        from onewindow.core import signals
        from onewindow.portal.receivers import on_case_event

        signals.case_event_recorded.connect(on_case_event, dispatch_uid="portal_case_event")
        from onewindow.portal import panels  # noqa: F401 - registers its case page panel (core.panels)
