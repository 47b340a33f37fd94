"""Markdown from editors and content/ to HTML, always through a real sanitiser.

Python-Markdown keeps whatever link scheme it is given (`[x](javascript:…)`), so its
output is never trusted: nh3 (the Rust `ammonia` sanitiser) keeps only the tags and
attributes lessons use, and links only to http, https, mailto and relative addresses.
"""

from __future__ import annotations

import functools

import markdown as _markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# What editors may write; everything else is dropped (its text kept).
TAGS = {"p", "h3", "h4", "strong", "em", "b", "i", "ul", "ol", "li", "a", "br"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """HTML reduced to the lesson subset: no script, no event handler, no style, and
    links only to http, https, mailto or a relative address."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> SafeString:
    """Markdown written by an editor, as safe HTML. Raw HTML in it is shown as text."""
    return mark_safe(_rendered(text or ""))  # sanitised by nh3 in _rendered


@functools.lru_cache(maxsize=4096)
def _rendered(text: str) -> str:
    """The same text always makes the same HTML, so each process keeps the last few
    thousand it made (feedback and notes are rendered on every result page). A pure
    function of its argument: two app servers can never disagree about it."""
    return sanitise(_markdown.markdown(escape(text)))
