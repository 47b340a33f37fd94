from django.core.management.base import BaseCommand

from academy.core.retention import records_prune


class Command(BaseCommand):
    help = (
        "Delete working records past their retention period: finished task results, "
        "old rate-limit counters and sign-in failures (settings "
        "ACADEMY_TASK_RESULT_RETENTION_DAYS, ACADEMY_SIGN_IN_FAILURE_RETENTION_DAYS). "
        "Run daily from cron."
    )

    def handle(self, *args, **options):
        pruned = records_prune()
        self.stdout.write(
            f"Deleted {pruned.task_results} task result(s), {pruned.rate_counters} "
            f"rate counter(s), {pruned.sign_in_failures} sign-in failure record(s)."
        )
