"""Whole pages for visitors who are not signed in, kept in the shared cache.

A visitor without a session and without a message waiting sees the same page as
every other such visitor for the same address and language, so the page is rendered
once and kept: Wagtail pages until the next publish (core.content_cache, through
core.serving), a certificate's verification page under a fingerprint of the
certificate and of its status now (certificates.views). A page that hands out a CSRF
token (it has a form), sets a cookie or answers anything but 200 is never kept, so a
form's token is never shared between visitors; the headers (security policy,
language) are added afresh by the middleware on every response.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl

from cachetools import LRUCache
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Query parameters a kept page may vary on (the catalogue's filter, the verification
# page's language); any other query string is served uncached, so made-up ones cannot
# fill the cache.
KEPT_PARAMETERS = {"audience", "lang"}


@dataclass(frozen=True)
class KeptPage:
    content: bytes
    content_type: str

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, content_type=self.content_type)


# Pages kept under a key that fixes everything they show (`page_key` over a hash of
# every input: the verification page's whole certificate row and its status now) are
# also remembered here, in this process, so a repeated view skips the shared cache's
# read. Two app servers cannot disagree on such an entry: its key determines its
# page, and a change makes a new key. Bounded (least recently used first out), and
# only what every anonymous visitor may see. cachetools' LRU is not thread-safe: the
# lock makes it so for threaded servers.
_ADDRESSED: LRUCache[str, KeptPage] = LRUCache(maxsize=512)
_ADDRESSED_LOCK = threading.Lock()


def addressed_get(key: str) -> KeptPage | None:
    """The page kept in this process under a key that fixes its content."""
    with _ADDRESSED_LOCK:
        return _ADDRESSED.get(key)


def addressed_put(key: str, page: KeptPage) -> None:
    with _ADDRESSED_LOCK:
        _ADDRESSED[key] = page


def addressed_clear() -> None:
    """Forget every page kept in this process (tests, between databases)."""
    with _ADDRESSED_LOCK:
        _ADDRESSED.clear()


def is_anonymous(request: HttpRequest) -> bool:
    """A plain visit: GET, no session (so nobody is signed in) and no message."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
    )


def page_key(request: HttpRequest, kind: str, *parts) -> str | None:
    """The cache key of this address, in this language, with `parts` (None: do not
    keep). Anonymous pages pass no person; a signed-in learner's kept page
    (core.page_cache) passes the person and the session."""
    query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    if any(name not in KEPT_PARAMETERS or len(value) > 20 for name, value in query):
        return None
    address = "|".join(
        [
            request.get_host(),
            translation.get_language() or "",
            request.path,
            request.META.get("QUERY_STRING", ""),
            *map(str, parts),
        ]
    )
    return f"academy:kept:{kind}:{hashlib.sha256(address.encode()).hexdigest()}"


def keepable(request: HttpRequest, response: HttpResponse) -> KeptPage | None:
    """The page to keep, if this response may be shown to every anonymous visitor."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        return None
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the template used a token
            return None
    return KeptPage(bytes(response.content), response["Content-Type"])
