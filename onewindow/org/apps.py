from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "onewindow.org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from onewindow.core import staffpage
        from onewindow.org.edge import staff_page

        staffpage.install(staff_page)  # the staff-page decorator of the leaf apps (worktime)
