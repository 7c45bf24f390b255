from django.apps import AppConfig
from django.db.models.signals import pre_save

from onewindow.core.boundary import check_lengths


class ApiConfig(AppConfig):
    name = "onewindow.api"
    verbose_name = "接口"

    def ready(self) -> None:
        # deferred: models (api.tokens, org.actors, security.policy) import only once the apps are loaded
        from onewindow.api import tokens
        from onewindow.core import apiauth, apitokens
        from onewindow.org.actors import actor_of
        from onewindow.security.policy import denied_for_admin

        # PostgreSQL's column lengths (and its refusal of NUL) on every database, for every model
        pre_save.connect(check_lengths, dispatch_uid="onewindow.core.boundary.check_lengths")

        # the routers' authentication (core.apiauth) asks the token table and the 三员分立 rule and
        # resolves the caller's Actor; token management (core.apitokens) is the api.tokens module
        apiauth.install(token_lookup=tokens.token_lookup, admin_denied=denied_for_admin, actor_of=actor_of)
        apitokens.install(service=tokens)
