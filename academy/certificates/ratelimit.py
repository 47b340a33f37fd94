"""Lookups of the public verification pages, limited per client address and counted
in the database (core.ratelimit), so every app server shares the count."""

import functools

from django.conf import settings
from django.shortcuts import render

from academy.core.http import client_address
from academy.core.ratelimit import Verdict, hit


def lookups_charge(request, *, cost: int = 1, bucket: str = "verify") -> Verdict:
    """Count `cost` lookups for this client (a bulk file costs one per code)."""
    limit = (
        settings.ACADEMY_VERIFY_RATE_LIMIT
        if bucket == "verify"
        else settings.ACADEMY_PUBLIC_RATE_LIMIT
    )
    return hit(
        f"{bucket}:{client_address(request) or 'unknown'}", limit=limit, cost=cost
    )


def too_many(request, verdict: Verdict):
    response = render(request, "certificates/too_many.html", status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def lookup_limited(view=None, *, bucket: str = "verify"):
    """30 lookups a minute per client (ACADEMY_VERIFY_RATE_LIMIT), shared by every
    verification address; machine addresses (status lists, did.json) have their
    own, larger limit (ACADEMY_PUBLIC_RATE_LIMIT)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            verdict = lookups_charge(request, bucket=bucket)
            if not verdict.allowed:
                return too_many(request, verdict)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
