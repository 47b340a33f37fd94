from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academy.assessments.definition import scenario_from_rows
from academy.assessments.graph import decisions_on_every_path
from academy.courses.content import ContentInvalid, read_curriculum


class Command(BaseCommand):
    help = (
        "Check content/ without loading it: every file, every translation against "
        "English, and every scenario graph (the rules load_content and the admin use)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", help="Another content folder (default: content/)."
        )

    def handle(self, *args, path=None, verbosity=1, **options):
        root = Path(path or settings.ACADEMY_CONTENT_DIR)
        try:
            curriculum = read_curriculum(root)
        except ContentInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(f"{error.path}: {error.message}")
            raise CommandError(
                f"{len(invalid.errors)} problem(s) in content."
            ) from None
        for course in curriculum.courses:
            languages = sorted(
                {lang for m in course.modules for lang in m.text} | set(course.text)
            )
            self.stdout.write(
                f"{course.key}: {len(course.modules)} modules, "
                f"languages {', '.join(languages)}"
            )
            if course.assessment is not None and verbosity >= 1:
                a = course.assessment
                for s in a.scenarios:
                    low, high = decisions_on_every_path(
                        scenario_from_rows(s["steps"], s["endings"], a.dimensions)
                    )
                    self.stdout.write(
                        f"  scenario {s['key']}: {low}–{high} decisions on every path"
                    )
                self.stdout.write(
                    f"  bank: {len(a.questions)} questions, "
                    f"{a.draw} drawn per attempt; "
                    f"languages {', '.join(sorted(a.text))}"
                )
        from academy.courses.checks import check_complete_course, scan_terms

        problems = []
        for course in curriculum.courses:
            if course.complete:
                problems += check_complete_course(course)
        problems += scan_terms(root, curriculum)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(problems)} problem(s) in content.")
        glossary = curriculum.glossary.get("en", [])
        if glossary:
            self.stdout.write(
                f"glossary: {len(glossary)} terms, languages "
                f"{', '.join(sorted(curriculum.glossary))}"
            )
        self.stdout.write("content is valid")
