from django.apps import AppConfig

from onewindow.core import notices


class WorktimeConfig(AppConfig):
    name = "onewindow.worktime"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # deferred: tasks imports models, which app loading allows only from ready()
        from django.db.models.signals import post_delete, post_save

        from onewindow.core import signals
        from onewindow.core.readcache import receiver_bumping
        from onewindow.worktime.calendar import YEARS
        from onewindow.worktime.models import CalendarDay, CalendarYear
        from onewindow.worktime.tasks import TEXTS

        notices.register_texts("worktime", TEXTS)
        # the per-process calendar (worktime.calendar.YEARS) is dropped in every process on any change
        bump = receiver_bumping(YEARS)
        for model in (CalendarDay, CalendarYear):
            for signal in (post_save, post_delete):
                uid = f"worktime.readcache.{model.__name__}"
                signal.connect(bump, sender=model, weak=False, dispatch_uid=uid)
        signals.calendar_loaded.connect(bump, weak=False, dispatch_uid="worktime.readcache.loaded")
