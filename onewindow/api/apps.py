from django.apps import AppConfig
from django.db.models.signals import pre_save

from onewindow.core.boundary import check_lengths


class ApiConfig(AppConfig):
    name = "onewindow.api"
    verbose_name = "接口"

    def ready(self) -> None:
        # deferred: models (api.tokens, org.actors, security.policy) import only once the apps are loaded
        from onewindow.api import tokens
        from onewindow.core import apiauth
        from onewindow.org.actors import actor_of
        from onewindow.security.policy import denied_for_admin

        # PostgreSQL's column lengths (and its refusal of NUL) on every database, for every model
        pre_save.connect(check_lengths, dispatch_uid="onewindow.core.boundary.check_lengths")

        # the routers' authentication (core.apiauth) asks the token table, the 三员分立 rule and
        # resolves the caller's Actor; token management is reached through core.apiauth
        apiauth.install(tokens=tokens, admin_denied=denied_for_admin, actor_of=actor_of)
