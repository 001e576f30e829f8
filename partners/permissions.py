"""Only partners' keys open the API (the default permission, ``REST_FRAMEWORK``)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import PartnerAPIKey


class HasPartnerKey(BasePermission):
    message = "Send a partner API key: Authorization: Api-Key <key>."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, PartnerAPIKey)
