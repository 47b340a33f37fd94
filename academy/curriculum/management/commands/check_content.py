from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academy.assessments.graph import decisions_on_every_path
from academy.assessments.validity import cue_stats
from academy.curriculum.checks import (
    assessment_validity,
    check_complete_course,
    check_standards,
    scan_french_typography,
    scan_terms,
)
from academy.curriculum.reader import read_curriculum_with_problems


class Command(BaseCommand):
    help = (
        "Check content/ without loading it: every file, every translation against "
        "English, every scenario graph, the validity rules every certifying "
        "assessment must meet, and what a complete course must hold."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", help="Another content folder (default: content/)."
        )

    def handle(self, *args, path=None, verbosity=1, **options):
        root = Path(path or settings.ACADEMY_CONTENT_DIR)
        curriculum, errors = read_curriculum_with_problems(root)
        for error in errors:
            self.stderr.write(f"{error.path}: {error.message}")
        for course in curriculum.courses:
            languages = sorted(
                {lang for m in course.modules for lang in m.text} | set(course.text)
            )
            self.stdout.write(
                f"{course.key}: {len(course.modules)} modules, "
                f"languages {', '.join(languages)}"
            )
            a = course.assessment
            if a is not None and verbosity >= 1:
                for s in a.scenarios:
                    low, high = decisions_on_every_path(s.graph(a.dimensions))
                    self.stdout.write(
                        f"  scenario {s.key} ({', '.join(s.roles)}): {low}–{high} "
                        "decisions on every path"
                    )
                self.stdout.write(
                    f"  bank: {len(a.questions)} questions, {a.draw} drawn per "
                    f"attempt; languages {', '.join(sorted(a.text))}"
                )
                for lang in sorted(a.text):
                    stats = cue_stats(a, lang)
                    if stats.items:
                        self.stdout.write(
                            f"  {lang}: right answer longest in "
                            f"{len(stats.longest)}/{len(stats.items)} items "
                            f"({round(100 * stats.share(stats.longest))}%), shortest "
                            f"in {len(stats.shortest)} "
                            f"({round(100 * stats.share(stats.shortest))}%)"
                        )
        for standard in curriculum.standards:
            self.stdout.write(
                f"standard {standard.key}: {len(standard.criteria)} criteria in "
                f"{len(standard.domains)} domains, languages "
                f"{', '.join(sorted(standard.text))}"
            )
        problems: list = list(errors)
        for course in curriculum.courses:
            problems += assessment_validity(course)
            if course.complete:
                problems += check_complete_course(course)
        problems += check_standards(curriculum)
        problems += scan_terms(root, curriculum)
        problems += scan_french_typography(curriculum)
        if problems:
            for problem in problems[len(errors) :]:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(problems)} problem(s) in content.")
        glossary = curriculum.glossary.get("en", [])
        if glossary:
            self.stdout.write(
                f"glossary: {len(glossary)} terms, languages "
                f"{', '.join(sorted(curriculum.glossary))}"
            )
        self.stdout.write("content is valid")
