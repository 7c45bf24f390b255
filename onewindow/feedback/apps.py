from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "onewindow.feedback"
    verbose_name = "好差评与投诉"

    def ready(self) -> None:
        import onewindow.feedback.ledger_contrib  # noqa: F401  (deferred: registers its ledger sources)
        from onewindow.feedback import (
            followups,  # noqa: F401  # deferred: models must be loaded first; answers core.followups
            mypage,  # noqa: F401  # deferred: answers core.mypage (the resident's complaints)
            notices,  # noqa: F401 - registers the texts of its events
        )
