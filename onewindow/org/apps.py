from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "onewindow.org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        # deferred: org.edge imports models, importable only once the app registry is ready
        from onewindow.core import staffpage
        from onewindow.org.edge import staff_page

        staffpage.install(staff_page)  # the staff-page decorator of the leaf apps (worktime)
