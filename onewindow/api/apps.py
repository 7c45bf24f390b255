from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onewindow.api"
    verbose_name = "接口"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from onewindow.core.boundary import check_lengths

        # PostgreSQL's column lengths (and its refusal of NUL) on every database, for every model
        pre_save.connect(check_lengths, dispatch_uid="onewindow.core.boundary.check_lengths")
