"""The one small hierarchy of domain errors.

Every error has a stable machine code (snake_case, used by the API) and a Chinese message for
people. Views map it to a message; the API maps it to ``{"error": {code, message, details}}``.
"""

from __future__ import annotations

import re
from typing import Any

_CODE = re.compile(r"[a-z][a-z0-9_]*")


class DomainError(Exception):
    """The base of every domain error. A kind of error is declared in one line, its HTTP status, code
    and default message as class keywords: ``class Gone(DomainError, status=410, code="gone",
    message="已删除")``; a keyword left out is inherited from the parent."""

    status = 400
    code = "bad_request"
    default_message = "请求有误"

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, message: str | None = None, **kw: Any
    ) -> None:
        super().__init_subclass__(**kw)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code
        if message is not None:
            cls.default_message = message
        if not 400 <= cls.status < 600 or not _CODE.fullmatch(cls.code):
            raise TypeError(f"{cls.__name__}: status must be 4xx/5xx and code snake_case")

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class Invalid(DomainError, status=422, code="invalid", message="填写的内容有误"):
    """422: field values are invalid; ``details`` names each field."""

    @classmethod
    def of_fields(cls, errors: dict[str, list[str]], *, code: str = "invalid") -> Invalid:
        """One error naming every wrong field at once (``details``: field → messages); its message is
        the first field's first message."""
        return cls(next(iter(errors.values()))[0], code=code, details=errors)


class NotFound(DomainError, status=404, code="not_found", message="未找到"):
    pass


class Forbidden(DomainError, status=403, code="forbidden", message="无权执行此操作"):
    pass


class Unauthenticated(DomainError, status=401, code="not_authenticated", message="请先登录"):
    pass


class Conflict(DomainError, status=409, code="conflict", message="操作与当前状态冲突，请刷新后重试"):
    pass
