import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from academy.assessments.models import AssessmentPage, ScenarioPage
from academy.core.models import HomePage
from academy.courses.models import CourseIndexPage, CoursePage, ModulePage

from .. import factories

LANGS = ("en", "es", "fr", "ar")


class TestTreeRules(WagtailPageTestCase):
    def test_allowed_subpages(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage, AssessmentPage})
        self.assertAllowedSubpageTypes(AssessmentPage, {ScenarioPage})
        self.assertAllowedParentPageTypes(ScenarioPage, {AssessmentPage})
        self.assertAllowedSubpageTypes(ModulePage, set())

    def test_allowed_parents(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)
        self.assertCanNotCreateAt(Page, CoursePage)

    def test_every_page_type_renders(self):
        home = factories.make_home()
        course = factories.make_course()
        module = factories.make_module(course=course)
        for page in (home, course.get_parent().specific, course, module):
            self.assertPageIsRenderable(page)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_renders_in_every_language(
    client, home_page, course_page, modules, lang
):
    for page in (home_page, course_page.get_parent().specific, course_page, modules[0]):
        url = f"/{lang}{page.url_path[len(home_page.url_path) - 1 :]}"
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
        if lang != "en":
            assert (
                f"[{lang}]" in html or page is home_page
            )  # the translated text is shown


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_the_course_page_leads_back_to_the_catalogue(client, course_page, lang):
    html = client.get(f"/{lang}/courses/{course_page.slug}/").content.decode()
    assert f'<p class="meta"><a href="/{lang}/courses/">' in html


@pytest.mark.django_db
def test_missing_translation_shows_english_with_a_notice(client, modules):
    untranslated = modules[2]
    response = client.get(
        f"/ar/courses/{untranslated.get_parent().slug}/{untranslated.slug}/"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lesson text" in html and "[en]" in html  # the English lesson
    assert 'class="notice"' in html
    translated = client.get(
        f"/ar/courses/{modules[0].get_parent().slug}/{modules[0].slug}/"
    )
    assert 'class="notice"' not in translated.content.decode()
    assert "[ar]" in translated.content.decode()


@pytest.mark.django_db
def test_language_switcher_links_to_the_same_page(client, modules):
    module = modules[0]
    path = f"/courses/{module.get_parent().slug}/{module.slug}/"
    html = client.get(f"/fr{path}").content.decode()
    for lang in LANGS:
        assert f'href="/{lang}{path}" lang="{lang}"' in html
    assert 'hreflang="fr" dir="ltr" aria-current="true"' in html


@pytest.mark.django_db
def test_catalogue_filters_by_audience(client, course_index):
    factories.make_course(index=course_index, title="For police", audiences=("police",))
    factories.make_course(
        index=course_index, title="For judges", audiences=("judiciary",)
    )
    html = client.get("/en/courses/?audience=judiciary").content.decode()
    assert "For judges" in html and "For police" not in html
    everything = client.get("/en/courses/?audience=nonsense").content.decode()
    assert "For judges" in everything and "For police" in everything


@pytest.mark.django_db
def test_content_note_folds_the_material_and_offers_a_summary(client, course_page):
    module = factories.make_module(
        course=course_page,
        body_en=[
            {
                "type": "content_note",
                "id": "note",
                "value": {
                    "note": "Describes coercion.",
                    "summary": "<p>Short summary.</p>",
                    "body": "<p>The material.</p>",
                },
            }
        ],
    )
    html = client.get(f"/en/courses/{course_page.slug}/{module.slug}/").content.decode()
    note = html.index("Describes coercion.")
    assert note < html.index("The material.")
    assert "<details>" in html[note : html.index("The material.")]
    assert "Read a short summary instead" in html


@pytest.mark.django_db
def test_jurisdiction_note_shows_the_learners_law_first(client, course_page, learner):
    module = factories.make_module(
        course=course_page,
        body_en=[
            {
                "type": "jurisdiction_note",
                "id": "law",
                "value": {
                    "title": "The law",
                    "us": "<p>US rule.</p>",
                    "coe_eu": "<p>European rule.</p>",
                    "intl": "<p>Protocol rule.</p>",
                },
            }
        ],
    )
    url = f"/en/courses/{course_page.slug}/{module.slug}/"
    anonymous = client.get(url).content.decode()
    assert anonymous.index("Protocol rule.") < anonymous.index("Other jurisdictions")
    learner.jurisdiction = "coe_eu"
    learner.save()
    client.force_login(learner)
    html = client.get(url).content.decode()
    assert (
        html.index("European rule.")
        < html.index("Other jurisdictions")
        < html.index("US rule.")
    )


@pytest.mark.django_db
def test_editor_edits_a_module_in_every_language_in_the_admin(client, modules):
    from django.core.management import call_command

    from academy.core.models import User

    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="editor@example.org"))
    response = client.get(f"/admin/pages/{modules[0].pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for lang in LANGS:
        assert f'name="title_{lang}"' in html and f"body_{lang}" in html
    learner = User.objects.create_user(
        email="nobody@example.org", full_name="N", password="x"
    )
    client.force_login(learner)
    assert client.get(f"/admin/pages/{modules[0].pk}/edit/").status_code == 302
