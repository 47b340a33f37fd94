"""Small builders for tests: plain make_* helpers with sensible defaults."""

import itertools

from django.utils import timezone, translation
from wagtail.models import Page, Site

from academy.core.models import HomePage, User
from academy.courses.models import (
    CourseAudience,
    CourseIndexPage,
    CoursePage,
    ModulePage,
)

_counter = itertools.count(1)
PASSWORD = "a-long-test-password-42"


def make_user(**fields) -> User:
    n = next(_counter)
    fields.setdefault("email", f"person{n}@example.org")
    fields.setdefault("full_name", f"Person {n}")
    fields.setdefault("email_verified_at", timezone.now())
    password = fields.pop("password", PASSWORD)
    return User.objects.create_user(password=password, **fields)


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_home() -> HomePage:
    with translation.override("en"):
        home = HomePage.objects.first()
        if home is not None:
            return home
        root = Page.get_first_root_node()
        for welcome in root.get_children():
            Site.objects.filter(root_page=welcome).delete()
            welcome.delete()
        home = HomePage(
            title="Trauma-Informed Academy",
            title_es="Academia",
            title_fr="Académie",
            title_ar="الأكاديمية",
            slug="home",
            intro="<p>Welcome</p>",
        )
        root.add_child(instance=home)
        _publish(home)
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True
        )
        return home


def make_catalogue(home=None) -> CourseIndexPage:
    with translation.override("en"):
        home = home or make_home()
        index = CourseIndexPage.objects.first()
        if index is not None:
            return index
        index = CourseIndexPage(
            title="Courses",
            title_es="Cursos",
            title_fr="Cours",
            title_ar="الدورات",
            slug="courses",
        )
        home.add_child(instance=index)
        return _publish(index)


def make_course(*, index=None, audiences=("police",), **fields) -> CoursePage:
    with translation.override("en"):
        index = index or make_catalogue()
        n = next(_counter)
        fields.setdefault("title", f"Course {n}")
        fields.setdefault("slug", f"course-{n}")
        fields.setdefault("content_key", f"course-{n}")
        fields.setdefault("summary", "What this course is about.")
        for lang in ("es", "fr", "ar"):
            fields.setdefault(f"title_{lang}", f"{fields['title']} [{lang}]")
            fields.setdefault(f"summary_{lang}", f"Summary [{lang}]")
        course = CoursePage(**fields)
        course.audience_links = [CourseAudience(audience=a) for a in audiences]
        index.add_child(instance=course)
        return _publish(course)


def lesson(text: str, key: str = "intro"):
    return [{"type": "text", "value": f"<p>{text}</p>", "id": key}]


def make_module(*, course, languages=("en", "es", "fr", "ar"), **fields) -> ModulePage:
    """A module with lesson text in the given languages only."""
    with translation.override("en"):
        n = next(_counter)
        fields.setdefault("title", f"Module {n}")
        fields.setdefault("slug", f"module-{n}")
        fields.setdefault("content_key", f"module-{n}")
        for lang in ("en", "es", "fr", "ar"):
            if lang in languages:
                fields.setdefault(f"body_{lang}", lesson(f"Lesson text {n} [{lang}]"))
                if lang != "en":
                    fields.setdefault(f"title_{lang}", f"{fields['title']} [{lang}]")
            else:
                fields.setdefault(f"body_{lang}", [])
        module = ModulePage(**fields)
        course.add_child(instance=module)
        return _publish(module)
