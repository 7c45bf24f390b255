"""Integration manages tokens and system accounts through core.apitokens, installed by the api app."""

from __future__ import annotations

from unittest import mock

import pytest

from onewindow.api import tokens
from onewindow.core import apitokens
from onewindow.core.actor import system


def test_the_api_app_installs_its_token_service() -> None:
    assert apitokens._installed["service"] is tokens
    assert apitokens.account_roles() == sorted(tokens.ACCOUNT_ROLES)


def test_without_the_api_app_the_calls_say_so() -> None:
    with mock.patch.dict(apitokens._installed, clear=True), pytest.raises(RuntimeError):
        apitokens.token_list(actor=system())
