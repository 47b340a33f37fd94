from django.core.management.base import BaseCommand, CommandError

from academy.curriculum.loader import content_load
from academy.curriculum.yaml_io import ContentInvalid


class Command(BaseCommand):
    help = "Check every file in content/, then load the curriculum into pages."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Load only this course (its folder name).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--path", help="Another content folder (default: content/)."
        )

    def handle(
        self, *args, course=None, dry_run=False, path=None, verbosity=1, **options
    ):
        try:
            report = content_load(root=path, course=course, dry_run=dry_run)
        except ContentInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(f"{error.path}: {error.message}")
            raise CommandError(
                f"{len(invalid.errors)} problem(s) in content; nothing was loaded."
            ) from None
        if verbosity >= 2:
            for kind in ("created", "updated", "unchanged"):
                for label in getattr(report, kind):
                    self.stdout.write(f"  {kind}: {label}")
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(prefix + report.line())
