"""Role courses: open to read for everyone, certified only on top of a valid
Foundations certificate (issues 12 and 13). The learner is told what is missing and
where to get it; the certificate they earn says what it builds on."""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft201909Validator

from academy.assessments.models import Attempt
from academy.certificates.models import Certificate
from academy.courses.models import Enrollment, ModulePage, ModuleProgress

from .. import factories
from ..assessments.conftest import Taker

pytestmark = pytest.mark.django_db

SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "ob3"
    / "achievementcredential.schema.json"
)


@pytest.fixture
def foundations(course_index):
    course = factories.make_course(
        index=course_index,
        title="Foundations",
        slug="foundations",
        content_key="foundations",
        audiences=("police", "prosecution", "border", "judiciary", "employer"),
    )
    factories.make_module(course=course, title="Foundations module")
    factories.make_assessment(course=course)
    return course


@pytest.fixture
def police_course(course_index, foundations):
    course = factories.make_course(
        index=course_index,
        title="Police and first responders",
        slug="police",
        content_key="police",
        audiences=("police",),
    )
    course.prerequisites.add(foundations)
    course.save_revision().publish()
    factories.make_module(course=course, title="Police module")
    factories.make_assessment(course=course)
    return course


@pytest.fixture
def border_course(course_index, foundations):
    course = factories.make_course(
        index=course_index,
        title="Border and immigration officials",
        slug="border",
        content_key="border",
        audiences=("border",),
    )
    course.prerequisites.add(foundations)
    course.save_revision().publish()
    factories.make_module(course=course, title="Border module")
    return course


@pytest.fixture
def officer(client, police_course, border_course):
    user = factories.make_user(email="officer@example.org", full_name="Jo Ahmed")
    user.work_role = "police"
    user.save()
    client.force_login(user)
    return user


def _finish_modules(user, course):
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course=course, defaults={"started_at": timezone.now()}
    )
    for module in ModulePage.objects.child_of(course):
        ModuleProgress.objects.update_or_create(
            enrollment=enrollment,
            module=module,
            defaults={
                "started_at": enrollment.started_at,
                "last_viewed_at": enrollment.started_at,
                "completed_at": enrollment.started_at,
            },
        )
    return enrollment


def _pass(client, course) -> Certificate:
    assessment = course.get_children().get(slug="assessment").specific
    taker = Taker(client, assessment)
    response = taker.start()
    assert response.status_code == 302, response.content.decode()[:400]
    number = Attempt.objects.filter(assessment=assessment).count()
    taker.questions(number=number)
    taker.step("s:corridor:arrive", "ask", number=number)
    taker.step("s:corridor:refer", "refer-well", number=number)
    return Certificate.objects.get(course=course)


def test_anyone_enrols_and_reads_but_the_assessment_waits_for_foundations(
    client, officer, police_course
):
    page = client.get("/en/courses/police/").content.decode()
    assert "Before the assessment" in page and 'href="/en/courses/foundations/"' in page
    client.post("/en/courses/police/enrol/")
    assert Enrollment.objects.filter(user=officer, course=police_course).exists()
    assert client.get("/en/courses/police/").status_code == 200
    _finish_modules(officer, police_course)
    # My learning says what is missing and links to it.
    board = client.get("/en/dashboard/").content.decode()
    assert "opens once you hold a valid certificate for:" in board
    assert 'href="/en/courses/foundations/"' in board
    # The assessment page says so too, and starting it writes nothing.
    overview = client.get("/en/courses/police/assessment/").content.decode()
    assert "valid certificate for: Foundations" in overview
    response = Taker(
        client, police_course.get_children().get(slug="assessment").specific
    ).start()
    assert response.status_code in (400, 403)
    assert not Attempt.objects.filter(user=officer).exists()


def test_after_foundations_the_role_course_certifies_and_says_what_it_builds_on(
    client, officer, foundations, police_course
):
    client.post("/en/courses/foundations/enrol/")
    _finish_modules(officer, foundations)
    base = _pass(client, foundations)
    # My learning now offers the police course (the officer's role), not border.
    board = client.get("/en/dashboard/").content.decode()
    suggested = board.split("Open to you now")[1]
    assert "Police and first responders" in suggested
    assert "Border and immigration officials" not in suggested
    client.post("/en/courses/police/enrol/")
    _finish_modules(officer, police_course)
    certificate = _pass(client, police_course)
    assert certificate.requirements["prerequisites"] == [
        {
            "key": "foundations",
            "title": "Foundations",
            "version": base.course_version,
            "code": base.code,
        }
    ]
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    assert not [e.message for e in validator.iter_errors(credential)]
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Police and first responders"
    assert achievement["alignment"] == [
        {
            "type": ["Alignment"],
            "targetType": "ceterms:Credential",
            "targetName": "Foundations",
            "targetDescription": (
                f"Builds on Foundations, version {base.course_version}: a valid "
                "certificate of it is required before the certifying assessment "
                "opens."
            ),
            "targetUrl": (
                f"https://academy.test/achievements/foundations/{base.course_version}"
            ),
            "targetCode": "foundations",
        }
    ]
    narrative = achievement["criteria"]["narrative"]
    assert "1 branching scenario of the work" in narrative
    assert "Open only to holders of a valid certificate of Foundations" in narrative
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Builds on" in page and f'href="/verify/{base.code}/"' in page
    # Foundations' own credential builds on nothing.
    own = client.get(f"/verify/{base.code}/credential.json").json()
    assert "alignment" not in own["credentialSubject"]["achievement"]


def test_an_expired_foundations_certificate_closes_the_role_assessment_again(
    client, officer, foundations, police_course
):
    client.post("/en/courses/foundations/enrol/")
    _finish_modules(officer, foundations)
    base = _pass(client, foundations)
    Certificate.objects.filter(pk=base.pk).update(
        issued_at=timezone.now() - datetime.timedelta(days=800),
        valid_from=timezone.now() - datetime.timedelta(days=800),
        expires_at=timezone.now() - datetime.timedelta(days=70),
    )
    client.post("/en/courses/police/enrol/")
    _finish_modules(officer, police_course)
    overview = client.get("/en/courses/police/assessment/").content.decode()
    assert "valid certificate for: Foundations" in overview


def test_the_catalogue_shows_the_learners_own_role_first(
    client, officer, foundations, police_course, border_course
):
    officer.work_role = "border"
    officer.save()
    html = client.get("/en/courses/").content.decode()
    border, police = 'href="/en/courses/border/"', 'href="/en/courses/police/"'
    assert html.index(border) < html.index(police)
    officer.work_role = "police"
    officer.save()
    html = client.get("/en/courses/").content.decode()
    assert html.index(police) < html.index(border)
    only_border = client.get("/en/courses/?audience=border").content.decode()
    assert police not in only_border and border in only_border
