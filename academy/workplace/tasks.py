from django_tasks import task

from .reminders import workplace_reminder_deliver


@task(backend="academy")
def workplace_reminder_send(user_id: int, key: str, template: str) -> bool:
    """Ids and a key only: the queue keeps its arguments."""
    return workplace_reminder_deliver(user_id=user_id, key=key, template=template)
