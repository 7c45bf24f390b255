"""An encrypted model field for personal data."""

from __future__ import annotations

from typing import Any

from django.db import models

from onewindow.privacy import crypto


class EncryptedTextField(models.TextField):
    """Stores a Fernet token; Python code sees the clear text.

    Encrypted values cannot be filtered on: look rows up by a blind index column instead.
    """

    description = "Encrypted text (personal data)"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(f"加密字段不能按 {lookup_name} 查询，请使用盲索引字段")
        return super().get_lookup(lookup_name)
