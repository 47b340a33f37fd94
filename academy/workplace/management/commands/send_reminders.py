from django.core.management.base import BaseCommand

from academy.certificates.notices import expiry_notices_plan
from academy.certificates.tasks import expiry_notice_send
from academy.organisations.reminders import reminders_plan
from academy.organisations.tasks import reminder_send
from academy.workplace.reminders import workplace_reminders_plan
from academy.workplace.tasks import workplace_reminder_send


class Command(BaseCommand):
    help = (
        "Queue due-date reminders, overdue notices, coordinators' weekly digests (on "
        "Mondays), certificate expiry notices (90, 30, 7 days and on the day) and "
        "employers' certificate and attestation notices. Run daily from cron; the "
        "academy's task worker sends them, each once only."
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
        notices = expiry_notices_plan()
        for item in notices:
            expiry_notice_send.enqueue(item["certificate_id"], item["days"])
        total = len(planned) + len(employers) + len(notices)
        self.stdout.write(f"Queued {total} reminder(s).")
