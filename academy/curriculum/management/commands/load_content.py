from django.core.management.base import BaseCommand, CommandError

from academy.curriculum.loader import content_load
from academy.curriculum.yaml_io import ContentInvalid


class Command(BaseCommand):
    help = (
        "Check every file in content/ changed since it was last loaded, then load "
        "the curriculum into pages."
    )
    # Django's system checks (half a second) are `manage.py check`'s job, run by
    # make check and CI; a load with nothing changed takes little more than that.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Load only this course (its folder name).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--path", help="Another content folder (default: content/)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Read and check every file, even those unchanged since they were "
                "last loaded (a page still gets a new revision only if it changed)."
            ),
        )

    def handle(
        self,
        *args,
        course=None,
        dry_run=False,
        path=None,
        force=False,
        verbosity=1,
        **options,
    ):
        try:
            report = content_load(
                root=path, course=course, dry_run=dry_run, force=force
            )
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
