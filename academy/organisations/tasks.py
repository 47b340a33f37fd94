from django_tasks import task

from .models import ImportJob
from .people_csv import PersonRow
from .reminders import reminder_deliver
from .services import invitation_email, people_import


@task(backend="academy")
def people_import_task(job_id: int, base_url: str) -> dict:
    """Import a large checked file in the background and send its invitations."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    try:
        result = people_import(
            organisation=job.organisation,
            rows=[PersonRow(**row) for row in job.rows],
            by=job.created_by,
        )
    except Exception as error:  # recorded for the status page, then re-raised
        job.status, job.result = ImportJob.Status.FAILED, {"error": str(error)}
        job.save(update_fields=["status", "result"])
        raise
    for invitation, token in result["invitations"]:
        invitation_email(invitation=invitation, token=token, base_url=base_url)
    job.status = ImportJob.Status.DONE
    job.result = {"created": result["created"], "matched": result["matched"]}
    job.save(update_fields=["status", "result"])
    return job.result


@task(backend="academy")
def reminder_send(user_id: int, key: str, template: str, context: dict) -> bool:
    return reminder_deliver(
        user_id=user_id, key=key, template=template, context=context
    )
