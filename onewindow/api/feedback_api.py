"""feedback_api router (see ../shared/API.md)."""

from __future__ import annotations

from ninja import Router

router = Router()
