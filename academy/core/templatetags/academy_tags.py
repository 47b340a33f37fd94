from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.translation import get_language_info

from academy.core.i18n import text
from academy.core.markdown import render_markdown
from academy.core.page_tree import page_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """Links to this same page in every language, for the switcher."""
    request = context.get("request")
    if request is None:
        return []
    current = translation.get_language()
    page = context.get("page")
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path)
        except Resolver404:
            match = None
    serving_page = (
        page is not None and match is not None and match.url_name == "wagtail_serve"
    )
    own_url = (page_url(page, current, request) or "") if serving_page else ""
    rest = request.path[len(own_url) :] if request.path.startswith(own_url) else ""
    links = []
    for code, _name in settings.LANGUAGES:
        url = None
        if serving_page:
            url = (page_url(page, code, request) or "") + rest
        if not url and not _prefixed(request.path):
            url = f"{request.path}?lang={code}"  # /verify/…: language by parameter
        if not url:
            url = translate_url(request.get_full_path(), code)
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": url,
                "current": code == current,
                "bidi": info["bidi"],
            }
        )
    return links


def _prefixed(path: str) -> bool:
    return any(path.startswith(f"/{code}/") for code, _name in settings.LANGUAGES)


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def contains(sequence, value):
    return value in (sequence or [])


@register.simple_tag
def field_widget(field):
    """A field's widget, tied to its help text and errors for screen readers."""
    described = []
    if field.errors:
        described.append(f"{field.id_for_label}-errors")
    if field.help_text:
        described.append(f"{field.id_for_label}-help")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def t(texts):
    """A {language: text} mapping in the page's language, else the default one."""
    return text(texts)


@register.filter
def md(value):
    """Markdown from editors as HTML, through the sanitiser (core.markdown)."""
    return render_markdown(value)


@register.filter
def lines_of(value):
    return [line.strip() for line in (value or "").splitlines() if line.strip()]
