"""Writes for enrolment and progress. Rows are added and stamped, never rewritten.

What follows from finishing a course (a certificate, when the assessment is passed
too) is decided one layer up, in academy.learning.services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError
from academy.core.models import User

from .models import CoursePage, Enrollment, ModulePage, ModuleProgress
from .selectors import course_modules, enrollment_current


@transaction.atomic
def enrollment_create(
    *,
    user: User,
    course: CoursePage,
    origin: str = Enrollment.Origin.SELF,
    new_cycle: bool = False,
) -> Enrollment:
    """Enrol the learner in the course's current cycle; enrolling twice is harmless.
    With `new_cycle` (a renewal, decided by the caller) the next cycle opens, and
    earlier cycles' records stay as they were."""
    if not course.live:
        raise ApplicationError(_("This course is not open for enrolment."))
    existing = enrollment_current(user=user, course=course)
    if existing is not None and not new_cycle:
        return existing
    enrollment = Enrollment(
        user=user,
        course=course,
        cycle=existing.cycle + 1 if existing is not None else 1,
        origin=origin,
        started_at=timezone.now(),
    )
    enrollment.full_clean()
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:  # a second tab enrolled at the same moment
        existing = enrollment_current(user=user, course=course)
        assert existing is not None
        return existing
    return enrollment


# A lesson read again within this time is not stamped again: `last_viewed_at` says
# when the learner last read the module to within this much, and a page view does
# not write a row each time.
VIEW_STAMP_INTERVAL = timedelta(minutes=10)


def module_progress_record_view(
    *,
    user: User,
    module: ModulePage,
    enrollment: Enrollment | None = None,
    progress: ModuleProgress | None = None,
) -> ModuleProgress | None:
    """Note that an enrolled learner opened a module, so they can resume there; the
    first opening is when their reading of it began. A caller that has read the
    learner's current enrolment (and its progress row for this module, or knows
    there is none) passes them, and nothing is read again."""
    if enrollment is None:
        course = module.get_parent().specific
        enrollment = enrollment_current(user=user, course=course)
        if enrollment is None:
            return None
        progress = ModuleProgress.objects.filter(
            enrollment=enrollment, module=module
        ).first()
    now = timezone.now()
    if progress is None:
        try:
            with transaction.atomic():
                return ModuleProgress.objects.create(
                    enrollment=enrollment,
                    module=module,
                    started_at=now,
                    last_viewed_at=now,
                )
        except IntegrityError:  # a second tab opened it at the same moment
            progress = ModuleProgress.objects.get(enrollment=enrollment, module=module)
    if now - progress.last_viewed_at >= VIEW_STAMP_INTERVAL:
        # updated_at too: what is kept under the person's rows (core.page_cache)
        # is rebuilt, and so shows when they last read it.
        ModuleProgress.objects.filter(pk=progress.pk).update(
            last_viewed_at=now, updated_at=now
        )
        progress.last_viewed_at = now
    return progress


@dataclass(frozen=True)
class ModuleCompletion:
    progress: ModuleProgress
    enrollment: Enrollment
    course_completed: bool  # this made every module of the course done


@transaction.atomic
def module_progress_mark_complete(
    *, user: User, module: ModulePage
) -> ModuleCompletion:
    """Mark a module done for the learner. Done stays done; the first time counts.

    Only a module the learner has opened can be marked done: the time between
    opening it (`started_at`) and finishing it (`completed_at`) is their record of
    reading it, which the certificate's contact hours rest on."""
    course = module.get_parent().specific
    enrollment = enrollment_current(user=user, course=course)
    if enrollment is None:
        raise ApplicationError(_("Enrol in this course before marking modules done."))
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    progress = ModuleProgress.objects.filter(
        enrollment=enrollment, module=module
    ).first()
    if progress is None:
        raise ApplicationError(_("Open the module and read it before marking it done."))
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at", "updated_at"])
    completed_now = False
    if enrollment.completed_at is None:
        module_ids = {m.pk for m in course_modules(course=course)}
        done = set(
            enrollment.module_progress.filter(completed_at__isnull=False).values_list(
                "module_id", flat=True
            )
        )
        if module_ids and module_ids <= done:
            enrollment.completed_at = timezone.now()
            enrollment.save(update_fields=["completed_at", "updated_at"])
            completed_now = True
    return ModuleCompletion(progress, enrollment, completed_now)
