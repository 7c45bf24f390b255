"""The one small hierarchy of domain errors.

Every error has a stable machine code (snake_case, used by the API) and a Chinese message for
people. Views map it to a message; the API maps it to ``{"error": {code, message, details}}``.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = "请求有误"

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class Invalid(DomainError):
    """422: field values are invalid; ``details`` names each field."""

    status = 422
    code = "invalid"
    default_message = "填写的内容有误"

    @classmethod
    def of_fields(cls, errors: dict[str, list[str]], *, code: str = "invalid") -> Invalid:
        """One error naming every wrong field at once (``details``: field → messages); its message is
        the first field's first message."""
        return cls(next(iter(errors.values()))[0], code=code, details=errors)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = "未找到"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = "无权执行此操作"


class Unauthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = "请先登录"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = "操作与当前状态冲突，请刷新后重试"
