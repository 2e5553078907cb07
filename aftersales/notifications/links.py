"""Absolute links in customer messages: settings.AFTERSALES_PUBLIC_URL, the address
customers reach the portal at (falls back to SITE_URL)."""

from django.conf import settings


def public_base_url() -> str:
    base = getattr(settings, "AFTERSALES_PUBLIC_URL", "") or settings.SITE_URL
    return base.rstrip("/")


def public_url(path: str) -> str:
    """`path` ("/portal/...") as an absolute link."""
    return f"{public_base_url()}/{path.lstrip('/')}"
