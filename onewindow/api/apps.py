from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onewindow.api"
    verbose_name = "接口"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from onewindow.core.boundary import check_lengths

        # PostgreSQL's column lengths (and its refusal of NUL) on every database, for every model
        pre_save.connect(check_lengths, dispatch_uid="onewindow.core.boundary.check_lengths")

        from onewindow.api import tokens
        from onewindow.api.tokens import token_lookup
        from onewindow.core import apiauth, apitokens
        from onewindow.security.policy import denied_for_admin

        # the routers' authentication (core.apiauth) asks the token table and the 三员分立 rule
        apiauth.install(token_lookup=token_lookup, admin_denied=denied_for_admin)
        apitokens.install(service=tokens)  # token management for integration's pages and router
