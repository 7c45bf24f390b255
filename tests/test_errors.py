"""``core.errors``: a kind of error is declared in one line (status, code, message as class keywords),
inherits what it leaves out, and a malformed declaration fails when the class is defined."""

from __future__ import annotations

import pytest

from onewindow.core.errors import DomainError, Invalid, NotFound


def test_an_error_kind_is_one_line_and_inherits_what_it_leaves_out() -> None:
    class Gone(NotFound, code="gone"):
        pass

    assert (Gone.status, Gone.code, Gone.default_message) == (404, "gone", NotFound.default_message)
    assert Gone().as_dict() == {"error": {"code": "gone", "message": "未找到", "details": {}}}
    assert (Invalid.status, Invalid.code) == (422, "invalid")


@pytest.mark.parametrize("kw", [{"code": "Bad-Code"}, {"status": 200}, {"status": 600}])
def test_a_malformed_error_kind_fails_at_definition(kw: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        type("Broken", (DomainError,), {}, **kw)
