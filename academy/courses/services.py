"""Writes for enrolment and progress. Rows are added and stamped, never rewritten."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError

from .models import CoursePage, Enrollment, ModulePage, ModuleProgress
from .selectors import course_modules


def _current_enrollment(*, user, course: CoursePage) -> Enrollment | None:
    return (
        Enrollment.objects.filter(user=user, course=course).order_by("-cycle").first()
    )


@transaction.atomic
def enrollment_create(
    *, user, course: CoursePage, origin: str = Enrollment.Origin.SELF
) -> Enrollment:
    """Enrol the learner in the course's current cycle; enrolling twice is harmless."""
    if not course.live:
        raise ApplicationError(_("This course is not open for enrolment."))
    existing = _current_enrollment(user=user, course=course)
    if existing is not None:
        return existing
    enrollment = Enrollment(
        user=user, course=course, cycle=1, origin=origin, started_at=timezone.now()
    )
    enrollment.full_clean()
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:  # a second tab enrolled at the same moment
        return _current_enrollment(user=user, course=course)
    return enrollment


def _progress_row(*, enrollment: Enrollment, module: ModulePage) -> ModuleProgress:
    now = timezone.now()
    progress, _created = ModuleProgress.objects.get_or_create(
        enrollment=enrollment,
        module=module,
        defaults={"started_at": now, "last_viewed_at": now},
    )
    return progress


def module_progress_record_view(*, user, module: ModulePage) -> ModuleProgress | None:
    """Note that an enrolled learner opened a module, so they can resume there."""
    course = module.get_parent().specific
    enrollment = _current_enrollment(user=user, course=course)
    if enrollment is None:
        return None
    try:
        with transaction.atomic():
            progress = _progress_row(enrollment=enrollment, module=module)
    except IntegrityError:
        progress = ModuleProgress.objects.get(enrollment=enrollment, module=module)
    ModuleProgress.objects.filter(pk=progress.pk).update(last_viewed_at=timezone.now())
    return progress


@transaction.atomic
def module_progress_mark_complete(
    *, user, module: ModulePage, client_address: str | None = None
) -> ModuleProgress:
    """Mark a module done for the learner. Done stays done; the first time counts."""
    course = module.get_parent().specific
    enrollment = _current_enrollment(user=user, course=course)
    if enrollment is None:
        raise ApplicationError(_("Enrol in this course before marking modules done."))
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    progress = _progress_row(enrollment=enrollment, module=module)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at", "updated_at"])
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
            # A course whose assessment was passed first is earned now.
            from academy.certificates.services import certificate_issue

            certificate_issue(enrollment=enrollment, client_address=client_address)
    return progress
