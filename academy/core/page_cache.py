"""A signed-in learner's pages, kept in the shared cache while nothing they show has
changed.

A learner page (home, catalogue, course, lesson, assessment, question, scenario step,
result, My learning) is a function of the published content, the person's own records,
their session and the clock. So it is kept under a stamp of all four and served again
only while the stamp is the same:

- the content version (core.content_cache), replaced by every publish;
- the person's state: one query of scalar subqueries over every table the learner
  pages read for this person (their enrolments, progress, attempts and answers,
  certificates, memberships and what their organisations assign them...), registered
  by the app that owns the pages (`register_state`, from learning). Each subquery
  counts the rows, the rows with each state column set (revoked, closed, withdrawn...)
  and the newest change, so an insert, a delete, an `update()` that leaves
  `updated_at` alone and a `bulk_create` that sends no signal all change it: nothing
  relies on a write remembering to invalidate;
- the person's row as the request loaded it, and their session's data (knowledge-check
  answers, a chosen organisation);
- the minute: what the clock changes (a certificate expiring, a due date passing, a
  waiting period ending) shows within a minute, as it would on a fresh render.

The stamp is read before the page is rendered, so a page is never kept under a stamp
newer than what it shows: a write during the render only means the next view renders
again. A request with a message waiting, any query string but the few pages vary on,
or a response that is not a plain 200 (a redirect, a cookie set, a streamed file) is
never kept; the key of the address and the query-string rule are core.anonymous's
(`page_key`), with the person and their session added, so nobody is served another's
page. A form's CSRF token is taken out of the kept page and the requester's own put
back on every view. Entries live a minute past their stamp's minute at most.

Reading a page back costs the stamp's query and one cache read, where rendering costs
the page's own queries and templates (`make bench-http` measures both).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from . import anonymous, content_cache

FORMAT = 1
_PARTS: list[str] = []  # scalar subqueries, each with one %s per user id it reads
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_CSRF_PLACEHOLDER = b"\x00csrf\x00"


def rows_state(
    table: str,
    *,
    where: str,
    joins: str = "",
    newest: str = "r.updated_at",
    states: Iterable[str] = (),
) -> str:
    """A scalar subquery that changes whenever the rows `where` selects do: their
    number, how many have each of `states` set and the newest `newest`. `table` is
    aliased `r`; `where` holds one %s per user id."""
    counted = " || '/' || ".join(
        ["COUNT(*)", *(f"COUNT({column})" for column in states), f"MAX({newest})"]
    )
    return f"SELECT {counted} FROM {table} r {joins} WHERE {where}"


def register_state(*parts: str) -> None:
    """Add subqueries (`rows_state`) to the stamp of every learner page."""
    for part in parts:
        if part not in _PARTS:
            _PARTS.append(part)


def enabled() -> bool:
    return getattr(settings, "ACADEMY_LEARNER_PAGES_KEPT", True)


def _state(user) -> tuple:
    if not _PARTS:
        return ()
    sql, users = _statement(tuple(_PARTS))
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * users)
        return tuple(cursor.fetchone())


@functools.cache
def _statement(parts: tuple[str, ...]) -> tuple[str, int]:
    """The one SELECT of every registered subquery, and how many user ids it takes."""
    sql = "SELECT " + ", ".join(f"({part})" for part in parts)
    return sql, sum(part.count("%s") for part in parts)


def _minute() -> int:
    return int(timezone.now().timestamp() // 60)


def _keepable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or not getattr(request, "user", None):
        return False
    if not request.user.is_authenticated or getattr(request, "is_preview", False):
        return False
    if getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES:
        return False
    return "_messages" not in request.session


@dataclass(frozen=True)
class _Kept:
    stamp: str
    content: bytes  # zlib-compressed, the CSRF token taken out
    content_type: str

    def response(self, request: HttpRequest) -> HttpResponse:
        content = zlib.decompress(self.content)
        if _CSRF_PLACEHOLDER in content:
            content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
        return HttpResponse(content, content_type=self.content_type)


def _stamp(request: HttpRequest, version: str, kind: str) -> str:
    user = request.user
    person = [getattr(user, f.attname) for f in user._meta.concrete_fields]
    session = dict(request.session.items())
    parts = [kind, version, _minute(), _state(user), person, session]
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, default=str).encode()
    ).hexdigest()


def serve(
    request: HttpRequest, kind: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The page `render` makes for this signed-in request, from the shared cache when
    nothing it shows has changed since it was kept."""
    if not enabled() or not _keepable_request(request):
        return render()
    key = anonymous.page_key(
        request,
        f"learner-{FORMAT}-{kind}",
        request.user.pk,
        request.session.session_key or "",
    )
    if key is None:  # a query string the pages do not vary on
        return render()
    found = cache.get_many([content_cache.VERSION_KEY, key])
    version = found.get(content_cache.VERSION_KEY)
    if version is None:  # nothing published read yet: the render sets it
        return render()
    stamp = _stamp(request, version, kind)
    kept = found.get(key)
    if isinstance(kept, _Kept) and kept.stamp == stamp:
        return kept.response(request)
    response = render()
    content = _keepable_content(request, response)
    if content is not None:
        cache.set(
            key,
            _Kept(stamp, zlib.compress(content, 1), response["Content-Type"]),
            120,
        )
    return response


def _keepable_content(request: HttpRequest, response: HttpResponse) -> bytes | None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage.used or storage._queued_messages):
        return None  # a message was shown or left for the next page
    return _CSRF_INPUT.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", bytes(response.content))
