"""Reads for the catalogue and a learner's enrolments. Where a learner *stands* in a
course (the status rule, which also needs assessments and certificates) lives one
layer up, in academy.progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from modeltranslation.utils import get_translation_fields
from wagtail.models import Page

from academy.core import content_cache
from academy.core.models import User

from .models import (
    CourseIndexPage,
    CoursePage,
    Enrollment,
    GlossaryTerm,
    ModulePage,
    ModuleProgress,
)


def course_index_page_get() -> CourseIndexPage | None:
    return CourseIndexPage.objects.live().first()


def course_modules(*, course: CoursePage) -> list[ModulePage]:
    return list(ModulePage.objects.live().child_of(course).order_by("path"))


def course_module_ids(*, courses: Iterable[CoursePage]) -> dict[int, set[int]]:
    """The live modules of each course, by course id, in one query (bulk work)."""
    courses = list(courses)
    by_path = {course.path: course.pk for course in courses}
    found: dict[int, set[int]] = {pk: set() for pk in by_path.values()}
    if not by_path:
        return found
    children = Q()
    for course in courses:
        children |= Q(path__startswith=course.path, depth=course.depth + 1)
    rows = ModulePage.objects.live().filter(children).values_list("pk", "path")
    for pk, path in rows:
        found[by_path[path[: -Page.steplen]]].add(pk)
    return found


def courses_live() -> QuerySet[CoursePage]:
    return CoursePage.objects.live().order_by("path")


CATALOGUE_KEY = "academy:catalogue"


@dataclass(frozen=True)
class CatalogueEntry:
    """A live course with the audiences it is written for and its prerequisites."""

    course: CoursePage
    audiences: tuple[str, ...]
    prerequisites: tuple[CoursePage, ...]  # in the site's order, live or not


def _catalogue_from_db() -> list[CatalogueEntry]:
    # Without the outcomes (every language): only the course's own page shows them,
    # from the page it serves; the entry is read on nearly every page.
    courses = list(
        courses_live()
        .defer("outcomes", *get_translation_fields("outcomes"))
        .prefetch_related("audience_links", "prerequisites")
    )
    same = {c.pk: c for c in courses}  # one object per course: a smaller entry
    entries = [
        CatalogueEntry(
            course=c,
            audiences=tuple(link.audience for link in c.audience_links.all()),
            prerequisites=tuple(
                same.get(p.pk, p)
                for p in sorted(c.prerequisites.all(), key=lambda p: p.path)
            ),
        )
        for c in courses
    ]
    for c in courses:
        c._prefetched_objects_cache = {}  # kept as plain tuples above instead
    return entries


def courses_catalogue() -> list[CatalogueEntry]:
    """Every live course in the site's order, with its audiences and prerequisites.
    What a publish makes, so it is kept in the shared cache until the next one
    (core.content_cache): no query while it is there."""
    return content_cache.entry(CATALOGUE_KEY, _catalogue_from_db)


def course_get_by_key(*, key: str) -> CoursePage | None:
    return CoursePage.objects.live().filter(content_key=key).first()


def enrollment_current(*, user: User, course: CoursePage) -> Enrollment | None:
    """The learner's latest cycle of the course, if they are enrolled."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrollment.objects.filter(user=user, course=course).order_by("-cycle").first()
    )


def enrollment_get_for_user(*, user: User, enrollment_id: int) -> Enrollment | None:
    """The learner's own enrolment, or None: nobody reads another person's record."""
    return (
        Enrollment.objects.filter(pk=enrollment_id, user=user)
        .select_related("course")
        .first()
    )


def enrolled_course_ids(*, user: User) -> list[int]:
    return list(
        Enrollment.objects.filter(user=user)
        .values_list("course_id", flat=True)
        .distinct()
    )


def page_has_learner_records(*, page: Page) -> bool:
    """True when an enrolment or progress row points at this page or one below it."""
    ids = Page.objects.descendant_of(page, inclusive=True).values("pk")
    return (
        Enrollment.objects.filter(course_id__in=ids).exists()
        or ModuleProgress.objects.filter(module_id__in=ids).exists()
    )


def glossary_terms() -> list[GlossaryTerm]:
    """Every glossary term, in the alphabetical order of the page's language."""
    return sorted(GlossaryTerm.objects.all(), key=lambda t: (t.term or "").casefold())
