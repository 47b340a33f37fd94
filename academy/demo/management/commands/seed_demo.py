from django.core.management.base import BaseCommand, CommandError

from academy.core.exceptions import ApplicationError
from academy.demo.seed import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisation and people (development only; idempotent)."

    def handle(self, *args, **options):
        try:
            results = demo_seed()
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for person, created in results:
            note = "created" if created else "exists"
            self.stdout.write(f"  {person.email:<26} {person.what} [{note}]")
