from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The portal's name and institution, for the header and the page titles."""
    return {"portal_name": settings.PORTAL_NAME, "portal_institution": settings.PORTAL_INSTITUTION}
