"""Lookups per client address per minute, counted in the shared cache (the database
cache by default) so every app server sees the same count."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def lookup_limited(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        window = int(time.time() // 60)
        key = f"verify-rate:{_client(request)}:{window}"
        cache.add(key, 0, timeout=90)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=90)
            count = 1
        if count > settings.ACADEMY_VERIFY_RATE_LIMIT:
            response = render(request, "certificates/too_many.html", status=429)
            response["Retry-After"] = str(60 - int(time.time()) % 60)
            return response
        return view(request, *args, **kwargs)

    return wrapper
