from django.core.cache import cache
from django_tasks import task

from .exports import export_job_run
from .figures import recounting_key
from .models import Organisation
from .people import import_job_run
from .reminders import reminder_deliver
from .selectors import figures_count


@task(backend="academy")
def people_import_task(job_id: int, base_url: str) -> dict:
    """Import a large checked file in the background and send its invitations."""
    return import_job_run(job_id=job_id, base_url=base_url)


@task(backend="academy")
def reminder_send(user_id: int, key: str, template: str) -> bool:
    """Ids and a key only: the queue keeps its arguments (see reminders_plan)."""
    return reminder_deliver(user_id=user_id, key=key, template=template)


@task(backend="academy")
def certificates_zip_task(job_id: int) -> dict:
    """Write a large ZIP of certificates into private storage (ids only here)."""
    return export_job_run(job_id=job_id)


@task(backend="academy")
def figures_recount_task(
    organisation_id: int, cohort_id: int | None, course_id: int | None, status: str
) -> None:
    """Count a coordinator's dashboard figures again (services.figures_recount_soon);
    once done, the next view that finds them outdated may ask again."""
    try:
        figures_count(
            organisation=Organisation.objects.get(pk=organisation_id),
            cohort_id=cohort_id,
            course_id=course_id,
            status=status,
        )
    finally:
        cache.delete(recounting_key(organisation_id, cohort_id, course_id, status))
