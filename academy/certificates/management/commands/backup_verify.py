import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from academy.certificates.backup import certificates_verify


class Command(BaseCommand):
    help = (
        "Check every certificate of a restored copy against the live site's "
        "manifest (run by backup_check inside the restored copy's environment)."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path)

    def handle(self, *args, manifest: Path, **options):
        checked = certificates_verify(manifest=json.loads(manifest.read_text()))
        self.stdout.write(
            f"restored certificates: {checked.certificates}, "
            f"PDFs matching their SHA-256: {checked.pdfs}, "
            f"credentials verified with did.json: {checked.signatures}"
        )
        for problem in checked.problems:
            self.stdout.write(f"PROBLEM {problem}")
        if checked.problems:
            raise CommandError(f"{len(checked.problems)} problem(s) in the restore.")
