"""Load the checked curriculum into Wagtail pages (the write side of content/).

Pages are found by their stable key, created when missing, given a new published
revision only when their source changed, and never deleted: learners' records
point at them. Everything runs in one transaction, so a failure writes nothing.

A part of content/ loaded before from the very same files (a module, an assessment,
the glossary, a standard: digests.py) is not read, checked or written again; its
digest is kept in SourceDigest. `force` reads every part again (and still gives a
new revision only to a page whose content changed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from wagtail.models import Page, Site

from academy.assessments.loader import assessment_page_load
from academy.core.models import HomePage
from academy.core.vocab import DEFAULT_LANGUAGE, JURISDICTIONS, LANGUAGES
from academy.courses.models import (
    CourseAudience,
    CourseIndexPage,
    CoursePage,
    GlossaryTerm,
    ModulePage,
)
from academy.courses.workflow import editorial_workflow_ensure
from academy.workplace.services import standard_load

from . import digests
from .checks import assessment_validity
from .models import SourceDigest
from .reader import CourseData, Curriculum, ModuleData, read_curriculum
from .yaml_io import ContentError, ContentInvalid
from .yaml_io import fingerprint as source_fingerprint


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}"
        )


def _stream(blocks: list[dict]) -> list[dict]:
    """Checked blocks to StreamField raw data; block ids are the stable keys."""
    raw = []
    for block in blocks:
        value = dict(block["value"])
        key = block["key"]
        for list_field in ("points", "questions", "options"):
            if list_field in value:
                value[list_field] = [
                    {"type": "item", "value": item, "id": f"{key}-{i}"}
                    for i, item in enumerate(value[list_field])
                ]
        if block["type"] == "text":  # a plain rich-text block, not a struct
            value = value["body"]
        raw.append({"type": block["type"], "value": value, "id": key})
    return raw


def _publish(page: Page) -> None:
    page.save_revision().publish()


class _Loader:
    def __init__(self, report: LoadReport, curriculum: Curriculum, labels: dict):
        self.report = report
        self.curriculum = curriculum
        self.labels = labels  # part -> what it made, from its last load

    def passed_over(self, unit: str) -> bool:
        """True (and counted as unchanged) when the part was not read: it was
        loaded from the same files before."""
        if unit not in self.curriculum.unchanged:
            return False
        self.report.unchanged += self.labels[unit]
        return True

    def remember(self, unit: str, labels: list[str], page: Page | None = None) -> None:
        """Keep the digest the part was loaded from, so the next load passes over
        it while its files stay the same."""
        SourceDigest.objects.update_or_create(
            unit=unit,
            defaults={
                "digest": self.curriculum.digests[unit],
                "labels": labels,
                "page": page,
            },
        )

    # -- the fixed part of the tree: home, site and catalogue ------------------

    def ensure_home(self, site_text: dict) -> HomePage:
        home = HomePage.objects.first()
        text = site_text.get("home", {})
        if home is None:
            root = Page.get_first_root_node()
            # Wagtail's starter "Welcome" page and its localhost Site make way.
            for welcome in root.get_children().filter(
                depth=2,
                content_type__model="page",
                content_type__app_label="wagtailcore",
            ):
                Site.objects.filter(root_page=welcome).delete()
                welcome.delete()
            home = HomePage(slug="home")
            self._set_text(home, text, {"title": "title", "intro": "intro"})
            root.add_child(instance=home)
            _publish(home)
            self.report.created.append("home")
        elif self._changed(home, text, {"title": "title", "intro": "intro"}):
            self._set_text(home, text, {"title": "title", "intro": "intro"})
            _publish(home)
            self.report.updated.append("home")
        else:
            self.report.unchanged.append("home")
        if not Site.objects.filter(is_default_site=True).exists():
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name=settings.WAGTAIL_SITE_NAME,
            )
        return home

    def ensure_catalogue(self, home: HomePage, site_text: dict) -> CourseIndexPage:
        text = site_text.get("catalogue", {})
        fields = {"title": "title", "intro": "intro"}
        index = CourseIndexPage.objects.child_of(home).first()
        if index is None:
            index = CourseIndexPage(slug="courses")
            self._set_text(index, text, fields)
            home.add_child(instance=index)
            _publish(index)
            self.report.created.append("catalogue")
        elif self._changed(index, text, fields):
            self._set_text(index, text, fields)
            _publish(index)
            self.report.updated.append("catalogue")
        else:
            self.report.unchanged.append("catalogue")
        return index

    @staticmethod
    def _set_text(page, text: dict, fields: dict[str, str]) -> None:
        for lang in LANGUAGES:
            for source, target in fields.items():
                value = text.get(lang, {}).get(source, "")
                setattr(
                    page, f"{target}_{lang}", value or ("" if lang != "en" else value)
                )
        page.title = text[DEFAULT_LANGUAGE]["title"]

    @staticmethod
    def _changed(page, text: dict, fields: dict[str, str]) -> bool:
        for lang in LANGUAGES:
            for source, target in fields.items():
                value = text.get(lang, {}).get(source, "")
                if (getattr(page, f"{target}_{lang}") or "") != value:
                    return True
        return False

    # -- the glossary (a derived table: rows follow the files) -------------------

    def load_glossary(self) -> None:
        glossary = self.curriculum.glossary
        if self.passed_over(digests.GLOSSARY) or not glossary:
            return
        self._load_glossary(glossary)
        self.remember(digests.GLOSSARY, ["glossary"])

    def _load_glossary(self, glossary: dict[str, list[dict]]) -> None:
        by_lang = {
            lang: {e["key"]: e for e in entries} for lang, entries in glossary.items()
        }
        english = by_lang[DEFAULT_LANGUAGE]
        existing = {t.key: t for t in GlossaryTerm.objects.all()}
        created = changed = False
        for key in english:
            term = existing.get(key) or GlossaryTerm(key=key)
            before = {f: getattr(term, f) for f in self._glossary_fields()}
            for lang in LANGUAGES:
                entry = by_lang.get(lang, {}).get(key)
                setattr(term, f"term_{lang}", entry["term"] if entry else None)
                setattr(
                    term, f"definition_{lang}", entry["definition"] if entry else None
                )
                for j in JURISDICTIONS:
                    value = (entry or {}).get("jurisdictions", {}).get(j, "")
                    setattr(term, f"{j}_{lang}", value or None)
            term.term = english[key]["term"]
            term.definition = english[key]["definition"]
            if term.pk is None:
                term.save()
                created = True
            elif before != {f: getattr(term, f) for f in self._glossary_fields()}:
                term.save()
                changed = True
        gone = set(existing) - set(english)
        if gone:
            GlossaryTerm.objects.filter(key__in=gone).delete()
            changed = True
        if created and not existing:
            self.report.created.append("glossary")
        elif created or changed:
            self.report.updated.append("glossary")
        else:
            self.report.unchanged.append("glossary")

    @staticmethod
    def _glossary_fields() -> list[str]:
        return [
            f"{name}_{lang}"
            for name in ("term", "definition", *JURISDICTIONS)
            for lang in LANGUAGES
        ]

    # -- courses and modules -----------------------------------------------------

    def load_course(
        self, index: CourseIndexPage, data: CourseData, page: CoursePage | None
    ) -> CoursePage:
        fingerprint = data.fingerprint()
        label = f"course {data.key}"
        if page is not None and page.content_hash == fingerprint:
            self.report.unchanged.append(label)
        else:
            created = page is None
            if created:
                page = CoursePage(content_key=data.key, slug=data.slug)
            page.slug = data.slug
            page.estimated_minutes = data.estimated_minutes
            page.contact_hours = Decimal(str(data.contact_hours))
            page.validity_months = data.validity_months
            page.version_label = data.version
            page.review_record = data.reviews
            page.content_hash = fingerprint
            for lang in LANGUAGES:
                text = data.text.get(lang)
                setattr(page, f"title_{lang}", text["title"] if text else None)
                setattr(page, f"summary_{lang}", text["summary"] if text else "")
                setattr(
                    page,
                    f"outcomes_{lang}",
                    "\n".join(text["outcomes"]) if text else "",
                )
            page.title = data.text[DEFAULT_LANGUAGE]["title"]
            page.audience_links = [
                CourseAudience(audience=a, sort_order=i)
                for i, a in enumerate(data.audiences)
            ]
            if created:
                index.add_child(instance=page)
                self.report.created.append(label)
            else:
                self.report.updated.append(label)
            _publish(page)
        for module in data.modules:
            unit = digests.module_unit(data.key, module.key)
            if not self.passed_over(unit):
                module_page = self.load_module(page, module)
                self.remember(unit, [f"module {module.key}"], module_page)
        unit = digests.assessment_unit(data.key)
        if not self.passed_over(unit) and data.assessment is not None:
            assessment, result = assessment_page_load(
                course=page,
                data=data.assessment,
                fingerprint=source_fingerprint,
                languages=LANGUAGES,
            )
            self.report.created += result.created
            self.report.updated += result.updated
            self.report.unchanged += result.unchanged
            labels = [f"assessment {data.assessment.key}"]
            labels += [f"scenario {s.key}" for s in data.assessment.scenarios]
            self.remember(unit, labels, assessment)
        return page

    def link_courses(self, courses: list[CourseData]) -> None:
        """Prerequisites and renewals point at other courses: set once all exist."""
        pages = {
            p.content_key: p
            for p in CoursePage.objects.exclude(content_key="").prefetch_related(
                "prerequisites"
            )
        }
        for data in courses:
            page = pages[data.key]
            wanted = sorted(pages[k].pk for k in data.prerequisites if k in pages)
            renews = pages[data.renews].pk if data.renews in pages else None
            have = sorted(p.pk for p in page.prerequisites.all())
            if have == wanted and page.renews_id == renews:
                continue
            page.prerequisites.set(wanted)
            page.renews_id = renews
            _publish(page)

    def load_module(self, course: CoursePage, data: ModuleData) -> ModulePage:
        page = ModulePage.objects.filter(content_key=data.key).first()
        fingerprint = data.fingerprint()
        label = f"module {data.key}"
        if page is not None and page.content_hash == fingerprint:
            self.report.unchanged.append(label)
            return page
        created = page is None
        if created:
            page = ModulePage(content_key=data.key, slug=data.slug)
        page.slug = data.slug
        page.estimated_minutes = data.estimated_minutes
        page.content_hash = fingerprint
        page.sources = [
            {"type": "source", "value": s, "id": None} for s in data.sources
        ]
        for lang in LANGUAGES:
            text = data.text.get(lang)
            setattr(page, f"title_{lang}", text["title"] if text else None)
            setattr(page, f"summary_{lang}", text["summary"] if text else "")
            setattr(
                page,
                f"objectives_{lang}",
                "\n".join(text["objectives"]) if text else "",
            )
            setattr(page, f"body_{lang}", _stream(text["blocks"]) if text else [])
        page.title = data.text[DEFAULT_LANGUAGE]["title"]
        if created:
            course.add_child(instance=page)
            self.report.created.append(label)
        else:
            self.report.updated.append(label)
        _publish(page)
        return page


def content_load(
    *,
    root: Path | None = None,
    course: str | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> LoadReport:
    """Check every file that changed since it was last loaded, then load them all
    in one transaction; `force` reads and checks every file.

    Raises `ContentInvalid` (nothing written) when any file is wrong. With
    `dry_run` the same work is done and rolled back, so the report is exact.
    """
    loaded = {} if force else {row.unit: row for row in SourceDigest.objects.all()}
    curriculum = read_curriculum(
        Path(root or settings.ACADEMY_CONTENT_DIR),
        course=course,
        known={unit: row.digest for unit, row in loaded.items()},
    )
    # An assessment that breaks a validity rule may not certify anyone: refuse it.
    invalid = [
        ContentError(problem.path, problem.message)
        for data in curriculum.courses
        for problem in assessment_validity(data)
    ]
    if invalid:
        raise ContentInvalid(invalid)
    report = LoadReport()
    loader = _Loader(
        report, curriculum, {unit: row.labels for unit, row in loaded.items()}
    )
    # Outside a request the original (untranslated) columns take the active
    # language: load in the default language so they hold English.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        home = loader.ensure_home(curriculum.site)
        index = loader.ensure_catalogue(home, curriculum.site)
        editorial_workflow_ensure(catalogue=index)
        loader.load_glossary()
        pages = {
            p.content_key: p
            for p in CoursePage.objects.filter(
                content_key__in=[c.key for c in curriculum.courses]
            )
        }
        for data in curriculum.courses:
            loader.load_course(index, data, pages.get(data.key))
        loader.link_courses(curriculum.courses)
        for unit in sorted(curriculum.unchanged):
            if unit.startswith(digests.standard_unit("")):
                loader.passed_over(unit)
        for standard in curriculum.standards:
            _, outcome = standard_load(data=standard)
            label = f"standard {standard.key} {standard.version}"
            getattr(report, outcome).append(label)
            assert standard.folder is not None
            loader.remember(digests.standard_unit(standard.folder.name), [label])
        if dry_run:
            transaction.set_rollback(True)
    return report
