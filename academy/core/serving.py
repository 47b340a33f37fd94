"""Wagtail's front-end URLs with pages served through the page tree (page_tree.py):
the same names and behaviour as `wagtail.urls`, in a constant number of queries."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from wagtail import hooks
from wagtail import urls as wagtail_urls

from . import anonymous, content_cache, page_cache
from .page_tree import route_for_request


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """`wagtail.views.serve`, routed through the page tree; for an anonymous visitor
    the whole page is kept until the next publish (core.anonymous), for a signed-in
    one while nothing it shows has changed (core.page_cache)."""
    key = None
    if anonymous.is_anonymous(request):
        key = anonymous.page_key(request, "page")
    if key is None:
        return page_cache.serve(request, "page", lambda: _serve(request, path))
    version, found = content_cache.entries([key], along=False)
    if key in found:
        return found[key].response()
    response = _serve(request, path)
    kept = anonymous.keepable(request, response)
    if kept is not None:
        content_cache.store(key, kept, version=version)
    return response


def _serve(request: HttpRequest, path: str) -> HttpResponse:
    route_result = route_for_request(request, path)
    if route_result is None:
        raise Http404
    page, args, kwargs = route_result

    def serve_chain(page, request, args, kwargs):
        return page.serve(request, *args, **kwargs)

    on_serve_chain = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return on_serve_chain(page, request, args, kwargs)


# Wagtail's front-end URLs, with pages served through the page tree (same names).
urlpatterns = [
    *(p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, serve, name="wagtail_serve"),
]
