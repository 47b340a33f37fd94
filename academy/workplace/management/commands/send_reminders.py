from django.core.management.base import BaseCommand

from academy.organisations.reminders import reminders_plan
from academy.organisations.tasks import reminder_send
from academy.workplace.reminders import workplace_reminders_plan
from academy.workplace.tasks import workplace_reminder_send


class Command(BaseCommand):
    help = (
        "Queue due-date reminders, overdue notices, coordinators' weekly digests (on "
        "Mondays) and employers' certificate and attestation notices. Run daily from "
        "cron; the academy's task worker sends them, each once only."
    )

    def handle(self, *args, **options):
        planned = reminders_plan()
        for item in planned:
            reminder_send.enqueue(item["user_id"], item["key"], item["template"])
        employers = workplace_reminders_plan()
        for item in employers:
            workplace_reminder_send.enqueue(
                item["user_id"], item["key"], item["template"]
            )
        self.stdout.write(f"Queued {len(planned) + len(employers)} reminder(s).")
