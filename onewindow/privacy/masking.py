"""Masking of personal data for display (GB/T 35273): show only what is needed."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``150102199001011234`` → ``1501**********1234``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``; names keep their first character."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def mask_address(value: str | None, keep: int = 6) -> str:
    """Keep the first characters (the area), hide the rest."""
    if not value:
        return ""
    if len(value) <= keep:
        return value[:2] + "*" * (len(value) - 2) if len(value) > 2 else "*" * len(value)
    return value[:keep] + "****"


def mask_credit_code(value: str | None) -> str:
    """Enterprise codes are public registry data; keep them whole."""
    return value or ""
