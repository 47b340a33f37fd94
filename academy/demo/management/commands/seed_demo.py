from django.core.management.base import BaseCommand, CommandError

from academy.core.exceptions import ApplicationError
from academy.demo.seed import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisation and people (development only; idempotent)."

    def handle(self, *args, **options):
        try:
            report = demo_seed()
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for person, created in report.people:
            note = "created" if created else "exists"
            self.stdout.write(f"  {person.email:<26} {person.what} [{note}]")
        self.stdout.write(
            "  maya.jansen@harbour.example.org  Harbour Logistics' HR lead "
            "(Workplace: the employer's certification)"
        )
        for agency in report.agencies:
            self.stdout.write(
                f"{agency.organisation.name}: {agency.people} people [{agency.note}]"
            )
        self.stdout.write(
            "  Every agency person signs in with the same password: their address "
            "is first.last@<agency>.example.org (see the coordinator's dashboard)."
        )
        harbour = report.harbour
        certificate = harbour.certificate
        if certificate is not None:
            self.stdout.write(
                f"Harbour Logistics is certified ({certificate.get_level_display()}): "
                f"code {certificate.code}, /verify/{certificate.code}/ [{harbour.note}]"
            )
        else:
            self.stdout.write(f"Harbour Logistics: {harbour.note}")
