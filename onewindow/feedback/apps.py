from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "onewindow.feedback"
    verbose_name = "好差评与投诉"
