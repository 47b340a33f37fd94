from django.core.management.base import BaseCommand

from academy.certificates.tasks import certificates_backfill
from academy.courses.models import Enrollment


class Command(BaseCommand):
    help = (
        "Queue the issuing of every certificate that has been earned but not issued "
        "(after an outage or an import). The academy's task worker does the work: "
        "manage.py db_worker --backend academy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=200, help="Enrolments per task."
        )

    def handle(self, *args, batch=200, **options):
        earned = Enrollment.objects.filter(certificates=None, attempts__passed=True)
        unrendered = Enrollment.objects.filter(certificates__pdf_sha256="")
        ids = sorted(
            set(earned.values_list("pk", flat=True))
            | set(unrendered.values_list("pk", flat=True))
        )
        for start in range(0, len(ids), batch):
            certificates_backfill.enqueue(ids[start : start + batch])
        self.stdout.write(
            f"Queued {len(ids)} enrolment(s) in "
            f"{(len(ids) + batch - 1) // batch} task(s)."
        )
