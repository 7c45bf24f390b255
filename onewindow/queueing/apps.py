from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "onewindow.queueing"
    verbose_name = "取号叫号"

    def ready(self) -> None:
        import onewindow.queueing.ledger_contrib  # noqa: F401  (deferred: registers its ledger sources)

        # deferred: models and receivers can only be imported once the app registry is ready
        from onewindow.core import visits
        from onewindow.queueing import calendar_sync, notices  # noqa: F401  (signal receiver; notices)
        from onewindow.queueing.visits import TicketVisits

        visits.install(TicketVisits())  # the rating pad's served visits (core.visits)
