from tests.integration.conftest import today  # noqa: F401
