"""The security app's API router (no operations yet; see ../shared/API.md)."""

from __future__ import annotations

from ninja import Router

router = Router()
