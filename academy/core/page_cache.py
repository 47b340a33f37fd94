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

A page seen for the first time is rendered, but what it reads about the person (their
record of enrolments and progress, their memberships) is usually what the previous
page read: `person_entry` keeps such values under the person's part of the stamp (the
rows state and the minute), so a render reads them with the one cache read of the
request instead of building them again; any change to the person's rows rebuilds them.
Only GET requests read them: a decision a form acts on is made from the database. A
GET that writes to the person's rows (the lesson's "last read" note) writes after its
reads, and the write moves the stamp, so what it kept is never read again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
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


def _state(request: HttpRequest) -> tuple:
    """The person's rows state (the registered subqueries), read once per request."""
    found = getattr(request, "_academy_rows_state", None)
    if found is None:
        found = ()
        if _PARTS:
            sql, users = _statement(tuple(_PARTS))
            with connection.cursor() as cursor:
                cursor.execute(sql, [request.user.pk] * users)
                found = tuple(cursor.fetchone())
        request._academy_rows_state = found
    return found


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
    parts = [kind, version, _person_stamp(request), person, session]
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
    # The person's entries (person_entry) are not read along: a kept page does not
    # need them, and reading them would cost every kept view their unpickling.
    found = cache.get_many([content_cache.VERSION_KEY, key])
    version = found.get(content_cache.VERSION_KEY)
    if version is None:  # nothing published read yet: the render sets it
        return render()
    stamp = _stamp(request, version, kind)
    if getattr(settings, "ACADEMY_BENCH_EVERY_VIEW_FIRST", False):
        stamp += uuid.uuid4().hex  # academy.settings.bench only: measures first views
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


# ---------------------------------------------------------------------------
# What a render reads about the person, kept under their part of the stamp.

_PERSON_NAMES: dict[str, bool] = {}  # name: read with the others (`along`)
PERSON_TIMEOUT = 120  # seconds: the stamp's minute and the one after it


@dataclass(frozen=True)
class _PersonEntry:
    stamp: str
    value: object


def register_person_entry(name: str, *, along: bool = True) -> None:
    """Declare an entry `person_entry` keeps. The first read of a request fetches
    every entry registered `along` at once (those most pages need); one that only a
    page or two needs (and that is large) is read on its own."""
    _PERSON_NAMES[name] = along


def _person_kept(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        settings.ACADEMY_PERSON_ENTRIES_KEPT
        and bool(_PARTS)
        and request.method in ("GET", "HEAD")
        and user is not None
        and user.is_authenticated
        and not getattr(request, "is_preview", False)
    )


def _person_keys(request: HttpRequest) -> dict[str, str]:
    pk = request.user.pk
    return {name: f"academy:person:{FORMAT}:{pk}:{name}" for name in _PERSON_NAMES}


def _person_stamp(request: HttpRequest) -> str:
    """The person's part of the stamp (their rows and the minute), once per request:
    what their entries are kept under, and a part of every kept page's stamp."""
    found = getattr(request, "_academy_person_stamp", None)
    if found is None:
        parts = [_minute(), _state(request)]
        found = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
        request._academy_person_stamp = found
    return found


def person_entry(
    request: HttpRequest,
    name: str,
    build: Callable[[], object],
    *,
    content: bool = False,
):
    """What `build` makes from the signed-in person's own rows, from the shared cache
    while those rows are as they were when it was built (and for a minute at most);
    with `content`, also while the published content is (for an entry that carries
    pages). The stamp is read before `build` runs, so an entry never passes for rows
    newer than it shows: a write meanwhile only means the next request builds it
    again."""
    if not _person_kept(request):
        return build()
    keys = _person_keys(request)
    if name not in keys:
        raise ValueError(f"register_person_entry({name!r}) first")
    found = getattr(request, "_academy_person_found", None)
    if found is None:
        found = request._academy_person_found = {}
    if name not in found:
        wanted = [name] + (
            [n for n, along in _PERSON_NAMES.items() if along and n not in found]
            if _PERSON_NAMES[name]
            else []
        )
        values = cache.get_many([keys[n] for n in dict.fromkeys(wanted)])
        found.update({n: values.get(keys[n]) for n in wanted})
    stamp = _person_stamp(request)
    if content:
        stamp += ":" + content_cache.entries([])[0]
    kept = found.get(name)
    if isinstance(kept, _PersonEntry) and kept.stamp == stamp:
        return kept.value
    value = build()
    cache.set(keys[name], _PersonEntry(stamp, value), PERSON_TIMEOUT)
    return value
