"""Learning records for the demo: a course taken and passed (or failed) at a given
moment, as the services would have recorded it, without clicking through every
page. The attempt is a real one: its snapshot is drawn by snapshot_build, its
answers are stored item by item and it is graded by the same pure rules; the
certificate is issued by certificate_issue and then dated to when it was earned."""

from __future__ import annotations

import datetime
import random

from django.conf import settings

from academy.assessments import grading
from academy.assessments.models import AssessmentPage, Attempt, AttemptAnswer
from academy.assessments.services import snapshot_build
from academy.certificates.models import Certificate
from academy.certificates.services import certificate_issue
from academy.core.dates import add_months
from academy.core.models import User
from academy.courses.models import CoursePage, Enrollment, ModulePage, ModuleProgress

SNAPSHOT_VARIANTS = 3  # different draws per assessment, jurisdiction and role
_SNAPSHOTS: dict[tuple, dict] = {}


def _answers(snapshot: dict, *, well: bool) -> list[tuple[str, dict, dict]]:
    """(item key, stored answer, extra fields) for every item, answered well (the
    right options, the best choices) or not (wrong options, the worst choices)."""
    answers: dict[str, dict] = {}
    rows = []
    while True:
        item = grading.current_item(snapshot, answers)
        if item.kind == grading.DONE:
            return rows
        if item.kind == grading.QUESTION:
            question = item.question
            keys = sorted(o["key"] for o in question["options"] if o["correct"] == well)
            chosen = keys if (question["multiple"] and well) else keys[:1]
            answer = {"options": chosen}
            extra = {"is_correct": grading.question_correct(question, chosen)}
        else:
            choices = item.step["choices"]
            ranked = sorted(
                choices, key=lambda c: sum(c["points"].values()), reverse=well
            )
            best = [c for c in ranked if c["grade"] == "best"] if well else []
            choice = (best or ranked)[0]
            answer = {"choice": choice["key"]}
            extra = {"points": choice["points"], "grade": choice["grade"]}
        answers[item.key] = answer
        rows.append((item.key, answer, extra))


def course_taken(
    *,
    user: User,
    course: CoursePage,
    at: datetime.datetime,
    passed: bool = True,
    modules_done: int | None = None,
    cycle: int = 1,
    rng: random.Random,
) -> Enrollment:
    """Enrol, read modules (all, or the first `modules_done`), and — when every
    module was read — take the certifying assessment once, well or badly, finishing
    at `at`."""
    modules = list(ModulePage.objects.child_of(course).live().order_by("path"))
    count = len(modules) if modules_done is None else modules_done
    started = at - datetime.timedelta(days=3 + len(modules))
    enrollment = Enrollment.objects.create(
        user=user, course=course, started_at=started, cycle=cycle
    )
    ModuleProgress.objects.bulk_create(
        ModuleProgress(
            enrollment=enrollment,
            module=m,
            started_at=started + datetime.timedelta(days=i),
            last_viewed_at=started + datetime.timedelta(days=i, hours=1),
            completed_at=started + datetime.timedelta(days=i, hours=1),
        )
        for i, m in enumerate(modules[:count])
    )
    assessment = AssessmentPage.objects.child_of(course).live().first()
    if count < len(modules) or assessment is None:
        return enrollment
    attempt_recorded(
        enrollment=enrollment, assessment=assessment, at=at, passed=passed, rng=rng
    )
    return enrollment


def attempt_recorded(
    *,
    enrollment: Enrollment,
    assessment: AssessmentPage,
    at: datetime.datetime,
    passed: bool,
    rng: random.Random,
) -> Attempt:
    """One attempt, answered well or badly, submitted at `at` and graded."""
    user = enrollment.user
    key = (
        assessment.pk,
        assessment.live_revision_id,
        user.jurisdiction or "intl",
        user.work_role or "other",
        rng.randrange(SNAPSHOT_VARIANTS),
    )
    if key not in _SNAPSHOTS:  # building one takes ~100 queries; a demo reuses a few
        _SNAPSHOTS[key] = snapshot_build(
            assessment=assessment, jurisdiction=key[2], role=key[3], rng=rng
        )
    snapshot = _SNAPSHOTS[key]  # read only here; each attempt stores its own copy
    number = Attempt.objects.filter(user=user, assessment=assessment).count() + 1
    begun = at - datetime.timedelta(minutes=40)
    attempt = Attempt.objects.create(
        user=user,
        assessment=assessment,
        enrollment=enrollment,
        number=number,
        started_at=begun,
        declared_own_work_at=begun,
        snapshot=snapshot,
    )
    rows = _answers(snapshot, well=passed)
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(
            attempt=attempt,
            item_key=key,
            answer=answer,
            answered_at=begun + datetime.timedelta(minutes=i),
            **extra,
        )
        for i, (key, answer, extra) in enumerate(rows)
    )
    result = grading.grade(snapshot, {key: answer for key, answer, _x in rows})
    Attempt.objects.filter(pk=attempt.pk).update(
        submitted_at=at,
        passed=result["passed"],
        scores=result,
        had_critical=any(x.get("grade") == "critical" for _k, _a, x in rows),
    )
    return attempt


def certificate_dated(
    *, enrollment: Enrollment, at: datetime.datetime
) -> Certificate | None:
    """Issue the certificate the enrolment earned and date it to `at`."""
    certificate = certificate_issue(enrollment=enrollment)
    if certificate is None:
        return None
    months = (
        enrollment.course.validity_months
        or settings.ACADEMY_CERTIFICATE_VALIDITY_MONTHS
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=at, valid_from=at, expires_at=add_months(at, months)
    )
    certificate.refresh_from_db()
    return certificate
