"""Serving Wagtail pages in a constant number of queries.

Wagtail finds the page for an address by walking down the tree: the site (a query),
the root page's specific object (one more), then for each level every child of the
page (wagtail-modeltranslation's route compares each child's slug in the page's
language) and the chosen child's specific object; then the view restrictions of the
page and its ancestors (two more). A lesson four levels down costs ten queries before
its own code runs, more on wider levels.

`serve` answers the same addresses the same way from the page tree, a table of every
live page's address in each language, the sites and whether any view restriction
exists, kept in the shared cache and rebuilt after any publish (content_cache). It
loads only the page it serves (one query), then runs Wagtail's serve hooks and the
page's own `route` and `serve` exactly as `wagtail.views.serve` does.

Precedence is Wagtail's: going down the address, the first live routable page whose
sub-routes (RoutablePageMixin) match the rest of the address serves it; otherwise the
page at the full address does. Anything the tree does not know is a 404, as it is
for Wagtail (a page that is not live, an unknown slug).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest
from django.http.request import split_domain_port
from django.urls import Resolver404, reverse
from django.utils import translation
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction, Site, SiteRootPath
from wagtail.url_routing import RouteResult

from . import content_cache

TREE_KEY = "academy:page-tree"


@dataclass
class PageTree:
    """Every live page's address per language, and what serving needs besides."""

    sites: list[Site]
    # language -> url_path -> (page id, "app_label.ModelName")
    routes: dict[str, dict[str, tuple[int, str]]]
    restricted: bool  # any view restriction anywhere (rare: then Wagtail checks)
    root_paths: dict[str, list] = field(default_factory=dict)  # language -> paths

    def site_for(self, request: HttpRequest) -> Site | None:
        """Wagtail's get_site_for_hostname, over the cached sites."""
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
        ranked = []
        for site in self.sites:
            if site.hostname == hostname and str(site.port) == str(port):
                ranked.append((0, site))
            elif site.hostname == hostname and site.is_default_site:
                ranked.append((1, site))
            elif site.is_default_site:
                ranked.append((2, site))
            elif site.hostname == hostname:
                ranked.append((3, site))
        ranked.sort(key=lambda pair: pair[0])
        if not ranked:
            return None
        if len(ranked) == 1 or ranked[0][0] in (0, 1):
            return ranked[0][1]
        if ranked[0][0] == 2:  # the default, unless exactly one hostname matches
            return ranked[len(ranked) == 2][1]
        return None  # several sites share the hostname and none is the default


def _build_tree() -> PageTree:
    languages = [code for code, _name in settings.LANGUAGES]
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    fields = [f"url_path_{lang}" for lang in languages]
    labels: dict[int, str] = {}
    routes: dict[str, dict[str, tuple[int, str]]] = {lang: {} for lang in languages}
    rows = Page.objects.live().values_list("id", "content_type_id", "url_path", *fields)
    for page_id, type_id, url_path, *localized in rows:
        if type_id not in labels:
            model = ContentType.objects.get_for_id(type_id).model_class()
            labels[type_id] = model._meta.label if model else ""
        by_lang = dict(zip(languages, localized, strict=True))
        for lang in languages:
            address = by_lang[lang] or by_lang[default] or url_path
            routes[lang][address] = (page_id, labels[type_id])
    sites = list(
        Site.objects.select_related("root_page", "root_page__locale").order_by(
            "-root_page__url_path"
        )
    )
    # What wagtail-modeltranslation's Page._get_site_root_paths gives per language.
    root_paths = {
        lang: [
            SiteRootPath(
                site.id,
                _localized(site.root_page, "url_path", lang),
                site.root_url,
                site.root_page.locale.language_code,
            )
            for site in sites
        ]
        for lang in languages
    }
    return PageTree(
        sites=sites,
        routes=routes,
        restricted=PageViewRestriction.objects.exists(),
        root_paths=root_paths,
    )


def _localized(page: Page, name: str, lang: str) -> str:
    return (
        getattr(page, f"{name}_{lang}", None)
        or getattr(page, f"{name}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}", None)
        or getattr(page, name)
    )


def page_tree(request: HttpRequest | None = None) -> PageTree:
    """The page tree for the current content version (memoised on the request)."""
    if request is not None and hasattr(request, "_academy_page_tree"):
        return request._academy_page_tree
    tree = content_cache.entry(TREE_KEY, _build_tree)
    if request is not None:
        request._academy_page_tree = tree
    return tree


def site_for_request(request: HttpRequest) -> Site | None:
    """`Site.find_for_request` from the page tree (no query): for views that are
    not Wagtail pages but link to pages ({% pageurl %} asks for the site)."""
    tree = page_tree(request)
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = tree.site_for(request)
    lang = translation.get_language() or settings.LANGUAGE_CODE
    if tree.root_paths.get(lang):  # what Page.get_url reads, as route_for_request
        request._wagtail_cached_site_root_paths_language = lang
        request._wagtail_cached_site_root_paths = tree.root_paths[lang]
    return request._wagtail_site


def page_url(page: Page, lang: str, request: HttpRequest) -> str | None:
    """`page.get_url(request)` in another language, without reading the cache (the
    language switcher asks for every language)."""
    tree = getattr(request, "_academy_page_tree", None)
    site = getattr(request, "_wagtail_site", None)
    if tree is None or site is None or lang not in tree.root_paths:
        with translation.override(lang):
            return page.get_url(request)
    url_path = _localized(page, "url_path", lang)
    for site_id, root_path, root_url, _language in tree.root_paths[lang]:
        if url_path.startswith(root_path):
            with translation.override(lang):
                path = reverse("wagtail_serve", args=(url_path[len(root_path) :],))
            return path if site_id == site.pk else root_url + path
    return None


def _model(label: str):
    return apps.get_model(label) if label else None


def _resolves(model, rest: list[str]) -> bool:
    if not (isinstance(model, type) and issubclass(model, RoutablePageMixin)):
        return False
    try:
        model.get_resolver().resolve("/" + "".join(f"{c}/" for c in rest))
    except Resolver404:
        return False
    return True


ROUTE_KEY = "academy:route:{}"


@dataclass
class Route:
    """Where an address leads: the site, the page (StreamFields deferred) and how
    many of the address's components name the page (the rest is its sub-route)."""

    site: Site
    page: Page
    cut: int
    restricted: bool


def _resolve(tree: PageTree, request: HttpRequest, lang: str, path: str):
    site = tree.site_for(request)
    if site is None:
        return None
    table = tree.routes.get(lang) or tree.routes[settings.LANGUAGE_CODE]
    root_path = _localized(site.root_page, "url_path", lang)
    components = [c for c in path.split("/") if c]
    for cut in range(len(components) + 1):
        address = root_path + "".join(f"{c}/" for c in components[:cut])
        found = table.get(address)
        if found is None:
            continue
        model = _model(found[1])
        if cut == len(components) or _resolves(model, components[cut:]):
            # StreamFields (a lesson in every language) are read when used, which
            # is only when what they make is not cached (learning.lessons).
            page = (
                (model or Page).objects.defer_streamfields().filter(pk=found[0]).first()
            )
            if page is None:
                return None
            return Route(site=site, page=page, cut=cut, restricted=tree.restricted)
    return None


def route_for_request(request: HttpRequest, path: str) -> RouteResult | None:
    """`Page.route_for_request` from the shared cache: where this address leads is
    kept per host, language and address until the next publish (with the page
    itself), and worked out from the page tree when it is not."""
    if hasattr(request, "_wagtail_route_for_request"):
        return request._wagtail_route_for_request
    lang = translation.get_language() or settings.LANGUAGE_CODE
    address = f"{request._get_raw_host()}|{request.get_port()}|{lang}|{path}"
    key = ROUTE_KEY.format(hashlib.sha256(address.encode()).hexdigest()[:40])
    version, found = content_cache.entries([key])
    route = found.get(key)
    if route is None:
        route = _resolve(page_tree(request), request, lang, path)
        if route is not None:
            content_cache.store(key, route, version=version)
    result = None
    request._wagtail_site = (
        route.site if route else page_tree(request).site_for(request)
    )
    if route is not None:
        page = route.page
        page._academy_restricted = route.restricted
        components = [c for c in path.split("/") if c]
        try:
            result = page.route(request, components[route.cut :])
        except Http404:
            result = None
    request._wagtail_route_for_request = result
    tree = page_tree(request)  # read with the route (content_cache.read_along)
    if tree.root_paths.get(lang):
        # What Page.get_url reads (wagtail-modeltranslation memoises it per language).
        request._wagtail_cached_site_root_paths_language = lang
        request._wagtail_cached_site_root_paths = tree.root_paths[lang]
    return result


class TreeRestrictionsMixin:
    """For page models: no view-restriction queries while none exists anywhere (the
    page tree says so); otherwise Wagtail's own check of the page and its ancestors."""

    def get_view_restrictions(self):
        if getattr(self, "_academy_restricted", True) is False:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
