"""Encryption of personal data at rest and the blind index for exact look-ups.

Keys come from settings (``ONEWINDOW_DATA_KEYS``, newest first): values are encrypted with the
newest key and decrypted with any of them (``MultiFernet``), so keys can be rotated and rows
re-encrypted (``onewindow rotate_keys``). The blind index is an HMAC-SHA256 of the normalised value
under a separate key: equal values give equal digests, the digest reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("未配置个人信息加密密钥（ONEWINDOW_DATA_KEYS）")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ONEWINDOW_DATA_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("无法解密个人信息：密钥不匹配") from None


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken:
        raise ValueError("无法解密文件：密钥不匹配") from None


def rotate_bytes(token: bytes) -> bytes:
    return fernet().rotate(token)


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(value: str) -> str:
    normalised = (value or "").strip().upper()
    key = settings.ONEWINDOW_INDEX_KEY.encode("utf-8")
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def phone_blind_index(value: str) -> str:
    """The blind index of a phone number, its digits only (``139 1234-5678`` and ``+86 13912345678``
    give the same digest); ``""`` for no number."""
    digits = "".join(c for c in (value or "") if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return blind_index(digits) if digits else ""
