"""The soak's site: one short course (three modules and a certifying assessment
whose right answers the learners know), 50 learners in one organisation with the
course overdue (so reminders go out during the soak). Run inside Django:
`manage.py shell -c "import ops.soak_seed as s; s.seed(50, 'plan.json')"`."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone, translation

from academy.core.models import User
from academy.organisations.models import Assignment, Cohort, Membership, Organisation
from academy.organisations.selectors import today_in
from tests import factories

PASSWORD = "soak-learner-password-42"


def seed(learners: int, plan_path: str) -> None:
    course = factories.make_course(title="Soak course", slug="soak-course")
    modules = [
        factories.make_module(course=course, title=f"Soak module {n}")
        for n in (1, 2, 3)
    ]
    assessment = factories.make_assessment(course=course)
    org = Organisation.objects.create(
        name="Soak Police", kind="police", jurisdiction="us", time_zone="UTC"
    )
    cohort = Cohort.objects.create(organisation=org, name="Everyone")
    password = make_password(PASSWORD)  # hashed once, as production hashes it
    now = timezone.now()
    people = User.objects.bulk_create(
        User(
            email=f"learner{n}@soak.test",
            full_name=f"Soak Learner {n}",
            password=password,
            email_verified_at=now,
        )
        for n in range(learners)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=org, cohort=cohort, accepted_at=now)
        for u in people
    )
    Assignment.objects.create(
        organisation=org,
        course=course,
        cohort=cohort,
        due_on=today_in(org.time_zone) - datetime.timedelta(days=2),
        mandatory=True,
    )
    with translation.override("en"):
        plan = {
            "course": course.url,
            "modules": [m.url for m in modules],
            "assessment": assessment.url,
            "password": PASSWORD,
            "learners": [u.email for u in people],
        }
    Path(plan_path).write_text(json.dumps(plan))
