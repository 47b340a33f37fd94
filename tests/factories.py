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


def make_assessment(*, course, bank_size=4, draw=2, **fields):
    """An assessment with rubric dimensions safety and trust, a bank of single-choice
    questions whose right answer is always option 'a', and one scenario:

        arrive: ask (best: safety 2, trust 1) | accuse (critical: 0) -> check
        check (routing): safety < 2 -> repair, otherwise -> refer
        repair: apologise (acceptable: trust 1) -> refer
        refer: refer-well (best: safety 2, trust 2) -> good-end
               refer-late (harmful: 0) -> poor-end

    The best path earns 7 (ask, refer-well) and the maximum path 8 (via repair).
    """
    from academy.assessments.models import (
        AssessmentPage,
        BankOption,
        BankQuestion,
        Dimension,
        ScenarioChoice,
        ScenarioEnding,
        ScenarioPage,
        ScenarioStep,
    )

    with translation.override("en"):
        fields.setdefault("title", "Certifying assessment")
        fields.setdefault("title_es", "Evaluación")
        fields.setdefault("slug", "assessment")
        assessment = AssessmentPage(bank_draw=draw, **fields)
        assessment.dimensions = [
            Dimension(key="safety", label_en="Safety", label_es="Seguridad"),
            Dimension(key="trust", label_en="Trust", label_es="Confianza"),
        ]
        assessment.questions = [
            BankQuestion(
                key=f"q{i}",
                question_en=f"Question {i}?",
                question_es=f"¿Pregunta {i}?",
                options=[
                    BankOption(
                        key="a",
                        correct=True,
                        text_en=f"Right {i}",
                        text_es=f"Correcta {i}",
                        rationale_en="Because.",
                        rationale_es="Porque.",
                    ),
                    BankOption(
                        key="b",
                        correct=False,
                        text_en=f"Wrong {i}",
                        text_es=f"Incorrecta {i}",
                        rationale_en="Not so.",
                        rationale_es="No es así.",
                    ),
                ],
            )
            for i in range(1, bank_size + 1)
        ]
        course.add_child(instance=assessment)
        _publish(assessment)

        def choice(key, next_key, grade, points, text):
            return ScenarioChoice(
                key=key,
                next_key=next_key,
                grade=grade,
                points=points,
                text_en=text,
                text_es=f"{text} [es]",
                feedback_en=f"Feedback for {key}.",
                feedback_es=f"Comentario {key}.",
                remediation_en=f"Remediation for {key}." if grade == "critical" else "",
            )

        scenario = ScenarioPage(
            title="The corridor",
            title_es="El pasillo",
            slug="corridor",
            content_key="corridor",
            intro_en="A night shift.",
        )
        scenario.steps = [
            ScenarioStep(
                key="arrive",
                sort_order=0,
                narrative_en="You arrive.",
                narrative_es="Usted llega.",
                prompt_en="What do you do?",
                choices=[
                    choice(
                        "ask", "check", "best", {"safety": 2, "trust": 1}, "Ask gently"
                    ),
                    choice("accuse", "check", "critical", {}, "Accuse her"),
                ],
            ),
            ScenarioStep(
                key="check",
                sort_order=1,
                route_dimension="safety",
                route_comparison="<",
                route_value=2,
                route_next="repair",
                route_otherwise="refer",
            ),
            ScenarioStep(
                key="repair",
                sort_order=2,
                narrative_en="She is silent.",
                choices=[
                    choice(
                        "apologise", "refer", "acceptable", {"trust": 1}, "Apologise"
                    ),
                ],
            ),
            ScenarioStep(
                key="refer",
                sort_order=3,
                narrative_en="Time to refer.",
                choices=[
                    choice(
                        "refer-well",
                        "good-end",
                        "best",
                        {"safety": 2, "trust": 2},
                        "Refer well",
                    ),
                    choice("refer-late", "poor-end", "harmful", {}, "Refer late"),
                ],
            ),
        ]
        scenario.endings = [
            ScenarioEnding(key="good-end", title_en="Safe", summary_en="She is safe."),
            ScenarioEnding(
                key="poor-end", title_en="Lost", summary_en="The door closed."
            ),
        ]
        assessment.add_child(instance=scenario)
        _publish(scenario)
        return AssessmentPage.objects.get(pk=assessment.pk)


def make_certificate(
    *, user: User, course_key: str, issued_at=None, months: int = 24, **fields
):
    """A certificate of a course (made if missing), issued to the person at
    `issued_at` (now), as certificate_issue leaves it: enrolment, a passed attempt,
    the credential's slot."""
    import datetime
    import random

    from academy.assessments.models import AssessmentPage, Attempt
    from academy.certificates.codes import code_new
    from academy.certificates.models import Certificate, CredentialSlot
    from academy.core.dates import add_months
    from academy.courses.models import Enrollment

    course = CoursePage.objects.filter(content_key=course_key).first() or make_course(
        title=course_key.title(), slug=course_key, content_key=course_key
    )
    assessment = AssessmentPage.objects.child_of(course).first() or make_assessment(
        course=course
    )
    issued_at = issued_at or timezone.now()
    cycle = Enrollment.objects.filter(user=user, course=course).count() + 1
    enrollment = Enrollment.objects.create(
        user=user,
        course=course,
        started_at=issued_at - datetime.timedelta(days=5),
        cycle=cycle,
    )
    attempt = Attempt.objects.create(
        user=user,
        assessment=assessment,
        enrollment=enrollment,
        number=Attempt.objects.filter(user=user, assessment=assessment).count() + 1,
        started_at=issued_at - datetime.timedelta(hours=1),
        declared_own_work_at=issued_at - datetime.timedelta(hours=1),
        submitted_at=issued_at,
        snapshot={},
        passed=True,
        scores={"parts": [], "passed": True},
    )
    slot = CredentialSlot.objects.create(
        code=code_new(),
        status_index=random.SystemRandom().randrange(131_072),
        kind="person",
    )
    return Certificate.objects.create(
        code=slot.code,
        status_index=slot.status_index,
        user=user,
        enrollment=enrollment,
        course=course,
        attempt=attempt,
        cycle=cycle,
        holder_name=user.full_name,
        course_key=course_key,
        course_title=course.title,
        course_version=course.version_label,
        contact_hours=course.contact_hours,
        language=user.preferred_language,
        issued_at=issued_at,
        expires_at=add_months(issued_at, months),
        **fields,
    )


def make_earned_enrollments(*, course, assessment, n: int, snapshot=None) -> list:
    """`n` new learners enrolled in `course`, every live module done and its
    assessment passed (a copy of `snapshot`): earned, no certificate yet, as an
    import or an outage leaves them. Bulk inserts: fit for thousands (the bench)."""
    import datetime
    import secrets

    from academy.assessments.models import Attempt
    from academy.courses.models import Enrollment, ModuleProgress
    from academy.courses.selectors import course_modules

    now = timezone.now()
    started = now - datetime.timedelta(days=3)
    languages = ("en", "es", "fr", "ar")
    batch = secrets.token_hex(4)  # unique in a kept database too (the bench's)
    users = User.objects.bulk_create(
        User(
            email=f"earned-{batch}-{i}@example.org",
            full_name=f"Learner {batch}-{i}",
            preferred_language=languages[i % len(languages)],
            email_verified_at=now,
            password="!",
        )
        for i in range(n)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(user=u, course=course, started_at=started) for u in users
    )
    ModuleProgress.objects.bulk_create(
        ModuleProgress(
            enrollment=e,
            module=m,
            started_at=started,
            last_viewed_at=now,
            completed_at=now,
        )
        for m in course_modules(course=course)
        for e in enrollments
    )
    Attempt.objects.bulk_create(
        (
            Attempt(
                user=e.user,
                assessment=assessment,
                enrollment=e,
                number=1,
                started_at=now - datetime.timedelta(hours=1),
                declared_own_work_at=now - datetime.timedelta(hours=1),
                submitted_at=now,
                snapshot=snapshot if snapshot is not None else {},
                scores={"passed": True},
                passed=True,
            )
            for e in enrollments
        ),
        batch_size=50,  # a real snapshot is some 300 KiB
    )
    return enrollments


def make_cohort_member(user, *, kind="police"):
    """An organisation with a cohort ("Night shift") the person is a current member
    of: (organisation, cohort)."""
    from academy.organisations.models import Cohort, Membership, Organisation

    organisation = Organisation.objects.create(
        name="Harbour Police", kind=kind, jurisdiction="us"
    )
    night = Cohort.objects.create(organisation=organisation, name="Night shift")
    Membership.objects.create(
        user=user, organisation=organisation, cohort=night, accepted_at=timezone.now()
    )
    return organisation, night
