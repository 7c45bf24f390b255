from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "onewindow.feedback"
    verbose_name = "好差评与投诉"

    def ready(self) -> None:
        from onewindow.feedback import notices  # noqa: F401 - registers the texts of its events
