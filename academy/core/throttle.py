"""Throttling what a visitor can make the academy do: sign-in attempts (through
django-axes) and emails sent on a visitor's request (through core.ratelimit)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from .http import client_address
from .ratelimit import hit

HOUR = 3600


def axes_username(request, credentials=None) -> str:
    """The sign-in forms call the field "email" (ours) or "username" (the admin's)."""
    credentials = credentials or {}
    data = getattr(request, "POST", {}) or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or data.get("email")
        or data.get("username")
        or ""
    )
    return str(value).strip().lower()


def axes_client_address(request) -> str | None:
    return client_address(request)


def locked_out(request, credentials, *args, **kwargs):
    """A kind, plain answer while sign-in is paused for an account or an address."""
    return render(
        request,
        "accounts/locked.html",
        {"minutes": int(settings.AXES_COOLOFF_TIME * 60)},
        status=429,
    )


def email_allowed(request, address: str) -> bool:
    """May this visitor make us mail this address now? Per address and per client,
    an hour at a time; over the limit, the visitor gets the same answer and nothing
    is sent (so limits reveal nothing either)."""
    per_address = hit(
        f"mail-to:{address.strip().lower()}",
        limit=settings.ACADEMY_EMAILS_PER_ADDRESS,
        period=HOUR,
    )
    per_client = hit(
        f"mail-from:{client_address(request) or 'unknown'}",
        limit=settings.ACADEMY_EMAILS_PER_CLIENT,
        period=HOUR,
    )
    return per_address.allowed and per_client.allowed
