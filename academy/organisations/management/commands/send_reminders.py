from django.core.management.base import BaseCommand

from academy.organisations.reminders import reminders_plan
from academy.organisations.tasks import reminder_send


class Command(BaseCommand):
    help = (
        "Queue due-date reminders, overdue notices and (on Mondays) coordinators' "
        "weekly digests. Run daily from cron; the academy's task worker sends them, "
        "each once only."
    )

    def handle(self, *args, **options):
        planned = reminders_plan()
        for item in planned:
            reminder_send.enqueue(item["user_id"], item["key"], item["template"])
        self.stdout.write(f"Queued {len(planned)} reminder(s).")
