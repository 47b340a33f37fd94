"""Where the course, module and assessment pages hand over to the learner's side.

Page models live in low layers (courses, assessments); what a learner sees on them
is built by the learning layer above, which may not be imported from below. The
learning app registers its page handlers here when Django starts (LearningConfig.
ready), and the page models call them through `learner_pages()`: the dependency
runs one way, from learning down, and nothing below imports upwards."""

from __future__ import annotations

from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

_registered: list[ModuleType] = []  # set once at start-up, the same in every process


def register(handlers: ModuleType) -> None:
    """Called from LearningConfig.ready() with academy.learning.pages."""
    _registered[:] = [handlers]


def learner_pages() -> ModuleType:
    if not _registered:
        raise ImproperlyConfigured(
            "academy.learning is not installed: the course pages have no learner view."
        )
    return _registered[0]
