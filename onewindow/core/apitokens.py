"""API tokens and system accounts (对接系统账号), managed from below the ``api`` edge (an extension point).

The token table (``ApiToken``), the system accounts (``IntegrationAccount``) and the rules for issuing
and revoking tokens belong to the ``api`` app, at the edge. The pages and the router that manage them
(``integration.views``, ``integration.api``) sit below the edge and may not import it, so they go
through this module:

- **Published by** ``core``; **installed by** the ``api`` app's ``AppConfig.ready()``:
  ``apitokens.install(service=onewindow.api.tokens)``; **used by** ``integration`` (pages and router).
- The installed service answers :class:`TokenService` (``api.tokens`` does, as a module). Each
  function here takes the acting :class:`~onewindow.core.actor.Actor` and hands the service the
  actor on to it unchanged (``api.tokens`` takes the Actor).
- Returned rows are the api app's model instances (``ApiToken``, ``IntegrationAccount``); callers read
  their fields and never import the models. Before the api app is ready (or without it) every call
  raises :class:`RuntimeError`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol, cast

from onewindow.core.actor import Actor


class TokenService(Protocol):
    """What the installed service provides (keyword arguments as in ``api.tokens``)."""

    ACCOUNT_ROLES: Collection[str]

    def token_issue(self, **kwargs: Any) -> tuple[Any, str]: ...
    def token_list(self, **kwargs: Any) -> Any: ...
    def token_revoke(self, **kwargs: Any) -> Any: ...
    def token_state(self, row: Any) -> str: ...
    def account_list(self, **kwargs: Any) -> Any: ...
    def account_create(self, **kwargs: Any) -> Any: ...
    def account_disable(self, **kwargs: Any) -> Any: ...


_installed: dict[str, Any] = {}


def install(*, service: Any) -> None:
    """Called once by the ``api`` app's ``ready()`` with its token service (``onewindow.api.tokens``)."""
    _installed["service"] = service


def _service() -> TokenService:
    service = _installed.get("service")
    if service is None:
        raise RuntimeError("no API token service installed (the api app's ready() installs it)")
    return cast(TokenService, service)


def account_roles() -> list[str]:
    """The roles a system account may hold, sorted."""
    return sorted(_service().ACCOUNT_ROLES)


def token_issue(*, actor: Actor, **options: Any) -> tuple[Any, str]:
    """A token for the actor, or (with ``integration.manage``) for a system account's user:
    ``(row, clear token)`` (options as ``api.tokens.token_issue``: name, days, read_only, account)."""
    return _service().token_issue(actor=actor, **options)


def token_list(*, actor: Actor) -> Any:
    """The actor's own tokens; with ``integration.manage`` also those of the accounts in scope."""
    return _service().token_list(actor=actor)


def token_revoke(*, actor: Actor, pk: int) -> Any:
    return _service().token_revoke(actor=actor, pk=pk)


def token_state(row: Any) -> str:
    """``active``, ``revoked`` or ``expired``."""
    return _service().token_state(row)


def account_list(*, actor: Actor) -> Any:
    return _service().account_list(actor=actor)


def account_create(*, actor: Actor, **fields: Any) -> Any:
    """A system account (fields as ``api.tokens.account_create``: name, jurisdiction, read_only, roles,
    centre, description)."""
    return _service().account_create(actor=actor, **fields)


def account_disable(*, actor: Actor, pk: int) -> Any:
    """Deactivate an account and revoke all its tokens."""
    return _service().account_disable(actor=actor, pk=pk)
