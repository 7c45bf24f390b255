from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "onewindow.org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        # deferred: org.edge imports models, importable only once the app registry is ready
        from onewindow.core import staffpage
        from onewindow.org.edge import staff_page

        staffpage.install(staff_page)  # the staff-page decorator of the leaf apps (worktime)

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from onewindow.core.readcache import receiver_bumping
        from onewindow.org import models as m
        from onewindow.org.lookups import ORG

        # the per-process org look-ups (org.lookups.ORG) are dropped in every process on any change
        bump = receiver_bumping(ORG)
        for model in (m.Jurisdiction, m.Centre, m.Department, m.Window, m.Staff, m.StaffRole):
            for signal in (post_save, post_delete):
                signal.connect(bump, sender=model, weak=False, dispatch_uid=f"org.readcache.{model.__name__}")
        m2m_changed.connect(
            bump, sender=m.Staff.extra_jurisdictions.through, weak=False, dispatch_uid="org.readcache.extra"
        )
