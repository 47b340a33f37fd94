"""What published pages make, kept in the shared cache and invalidated by publishing.

The site's content has one version: a random token in the cache, replaced whenever a
page is published, unpublished, moved or deleted, or a site or view restriction
changes (`connect`, from CoreConfig.ready). Every entry derived from content (the
page tree, a course's structure, the catalogue) is stored under a stable key together
with the version it was built from, and is used only while that version is current;
the version and the entries are read in one round trip (`entries`).

An entry is always tagged with the version read *before* it was built, so an entry
built from data older than a publish can never pass for the newer version: the worst
a race costs is one more rebuild. The version is replaced at once and again when the
publishing transaction commits (a reader between the two may rebuild from the old
rows; the second replacement retires that).

Entries that depend on one page revision only (a lesson's rendered body) carry the
revision in their key instead and need no version (`revision_key`).

Everything lives in the cache every app server shares (the database cache in
production): no app server keeps content of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

# Bump FORMAT when the shape of any entry changes: a deploy then ignores (and
# rebuilds) whatever the previous code left in the shared cache.
FORMAT = 1
VERSION_KEY = f"academy:content-version:{FORMAT}"
ENTRY_TIMEOUT = 24 * 60 * 60  # seconds; unused entries leave the cache in a day

# Page fields that a draft or a lock changes; saving only these leaves what is
# published (and so every entry) as it was.
DRAFT_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "wagtail_admin_comments",
        "locked",
        "locked_at",
        "locked_by",
        "numchild",
    }
)


# Per request (reset when each request starts and ends): the version and the entries
# read so far, so a page that asks for the same entry twice reads the cache once,
# and entries that nearly every page needs come with the first read (`read_along`).
_request: ContextVar[dict | None] = ContextVar("academy_content_cache", default=None)
_READ_ALONG: list[str] = []


def read_along(key: str) -> None:
    """Fetch `key` with the first read of every request (for entries nearly every
    page needs, such as the catalogue): one round trip instead of two."""
    if key not in _READ_ALONG:
        _READ_ALONG.append(key)


def entries(keys: Iterable[str], *, along: bool = True) -> tuple[str, dict[str, Any]]:
    """The current content version and those of `keys` built from it (one read,
    or none when this request has read them already). The first read of a request
    brings the `read_along` entries too, unless `along` is false."""
    keys = list(keys)
    memo = _request.get()
    if memo is not None and memo.get("version") is not None:
        wanted = [k for k in keys if k not in memo["seen"]]
        if wanted:
            found = cache.get_many(wanted)
            memo["seen"].update(wanted)
            memo["fresh"].update(_fresh(found, memo["version"]))
        return memo["version"], {
            k: memo["fresh"][k] for k in keys if k in memo["fresh"]
        }
    extra = (
        [k for k in _READ_ALONG if k not in keys] if memo is not None and along else []
    )
    found = cache.get_many([VERSION_KEY, *keys, *extra])
    version = found.pop(VERSION_KEY, None)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    fresh = _fresh(found, version)
    if memo is not None:
        memo.update(version=version, seen=set(keys) | set(extra), fresh=dict(fresh))
    return version, {k: fresh[k] for k in keys if k in fresh}


def _fresh(found: dict[str, Any], version: str) -> dict[str, Any]:
    return {
        key: value[1]
        for key, value in found.items()
        if isinstance(value, tuple) and len(value) == 2 and value[0] == version
    }


def store(key: str, value: Any, *, version: str) -> None:
    cache.set(key, (version, value), ENTRY_TIMEOUT)
    memo = _request.get()
    if memo is not None and memo.get("version") == version:
        memo["fresh"][key] = value


def entry(key: str, build: Callable[[], Any]) -> Any:
    """The entry under `key` for the current version, built (and kept) if missing."""
    version, found = entries([key])
    if key in found:
        return found[key]
    value = build()
    store(key, value, version=version)
    return value


def revision_key(kind: str, page_id: int, revision_id: int | None, *parts) -> str:
    """A key for what one published revision of a page makes (never invalidated:
    a new revision has a new key)."""
    return ":".join(["academy", kind, str(page_id), str(revision_id), *map(str, parts)])


def _replace_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def content_changed() -> None:
    """Retire every entry: now, and again once the current transaction commits."""
    _replace_version()
    transaction.on_commit(_replace_version)
    if _request.get() is not None:
        _request.set({})


def _request_started(sender, **kwargs) -> None:
    _request.set({})


def _request_finished(sender, **kwargs) -> None:
    _request.set(None)


# ---------------------------------------------------------------------------
# What retires the entries (connected once, from CoreConfig.ready).


def _on_page_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if not isinstance(instance, Page) or not instance.live:
        return
    if update_fields is not None and set(update_fields) <= DRAFT_FIELDS:
        return
    content_changed()


def _on_page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        content_changed()


def _on_change(sender, **kwargs) -> None:
    content_changed()


def connect() -> None:
    uid = "academy.core.content_cache"
    request_started.connect(_request_started, dispatch_uid=f"{uid}.started")
    request_finished.connect(_request_finished, dispatch_uid=f"{uid}.finished")
    page_published.connect(_on_change, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(_on_change, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(_on_change, dispatch_uid=f"{uid}.moved")
    post_save.connect(_on_page_saved, dispatch_uid=f"{uid}.saved")
    post_delete.connect(_on_page_deleted, dispatch_uid=f"{uid}.deleted")
    for model in (Site, PageViewRestriction):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.{model}.s")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.{model}.d")
