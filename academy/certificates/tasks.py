from django_tasks import task


@task(backend="academy")
def certificates_backfill(enrollment_ids: list[int]) -> dict:
    """Issue every earned, missing certificate (after an outage or an import)."""
    from academy.courses.models import Enrollment

    from .services import certificate_issue

    issued = 0
    for enrollment in Enrollment.objects.filter(
        pk__in=enrollment_ids, certificates=None
    ):
        if certificate_issue(enrollment=enrollment) is not None:
            issued += 1
    return {"issued": issued, "checked": len(enrollment_ids)}
