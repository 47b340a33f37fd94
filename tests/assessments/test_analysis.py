"""Item analysis: statistics computed from generated attempts whose answers are
known, checked against an independent computation (statistics.correlation)."""

import csv
import io
import statistics

import pytest
from django.utils import timezone

from academy.assessments.analysis import item_analysis, point_biserial
from academy.assessments.models import Attempt, AttemptAnswer
from academy.courses.models import Enrollment
from academy.organisations.models import Organisation

from .. import factories

pytestmark = pytest.mark.django_db

PEOPLE = 40


def _right(question: str, i: int) -> bool:
    return {
        "q1": True,  # everyone: too easy
        "q2": i < 20,  # the stronger half: discriminates
        "q3": i % 2 == 0,  # unrelated to the rest: weak
        "q4": i < 4,  # almost nobody: too hard
    }[question]


@pytest.fixture
def answered(course_page, assessment):
    now = timezone.now()
    for i in range(PEOPLE):
        user = factories.make_user()
        enrollment = Enrollment.objects.create(
            user=user, course=course_page, started_at=now
        )
        took_ask = i < 30
        attempt = Attempt.objects.create(
            user=user,
            assessment=assessment,
            enrollment=enrollment,
            number=1,
            started_at=now,
            declared_own_work_at=now,
            submitted_at=now,
            snapshot={},
            passed=took_ask and i < 25,
        )
        rows = [
            AttemptAnswer(
                attempt=attempt,
                item_key=f"q:{q}",
                answer={"options": ["a" if _right(q, i) else "b"]},
                is_correct=_right(q, i),
                answered_at=now,
            )
            for q in ("q1", "q2", "q3", "q4")
        ]
        rows.append(
            AttemptAnswer(
                attempt=attempt,
                item_key="s:corridor:arrive",
                answer={"choice": "ask" if took_ask else "accuse"},
                answered_at=now,
            )
        )
        AttemptAnswer.objects.bulk_create(rows)
    # An attempt still open counts for nothing.
    other = factories.make_user()
    Attempt.objects.create(
        user=other,
        assessment=assessment,
        enrollment=Enrollment.objects.create(
            user=other, course=course_page, started_at=now
        ),
        number=1,
        started_at=now,
        declared_own_work_at=now,
        snapshot={},
    )
    return assessment


def _expected_discrimination(question: str) -> float:
    others = [q for q in ("q1", "q2", "q3", "q4") if q != question]
    item = [1 if _right(question, i) else 0 for i in range(PEOPLE)]
    rest = [sum(_right(q, i) for q in others) / len(others) for i in range(PEOPLE)]
    return statistics.correlation(item, rest)


def test_facility_discrimination_and_flags_match_the_known_answers(answered):
    analysis = item_analysis(assessment=answered)
    assert analysis.attempts == PEOPLE  # the open attempt is not counted
    by_key = {q.key: q for q in analysis.questions}
    assert by_key["q1"].facility == 1.0 and by_key["q1"].discrimination is None
    assert by_key["q1"].flags == ["too easy"]
    assert by_key["q2"].facility == 0.5
    assert by_key["q2"].discrimination == pytest.approx(_expected_discrimination("q2"))
    assert by_key["q2"].flags == []
    assert by_key["q3"].discrimination == pytest.approx(_expected_discrimination("q3"))
    assert "weak discrimination" in by_key["q3"].flags
    assert by_key["q4"].facility == 0.1 and "too hard" in by_key["q4"].flags
    options = {key: count for key, _t, _c, count in by_key["q2"].options}
    assert options == {"a": 20, "b": 20}


def test_scenario_choices_and_the_pass_rate_of_those_who_took_them(answered):
    step = next(
        s for s in item_analysis(assessment=answered).steps if s.step == "arrive"
    )
    choices = {c.key: c for c in step.choices}
    assert step.answers == PEOPLE
    assert (choices["ask"].taken, choices["accuse"].taken) == (30, 10)
    assert choices["ask"].pass_rate == pytest.approx(25 / 30)
    assert choices["accuse"].pass_rate == 0.0


def test_no_flags_before_thirty_answers(course_page, assessment):
    now = timezone.now()
    for _person in range(5):
        user = factories.make_user()
        attempt = Attempt.objects.create(
            user=user,
            assessment=assessment,
            enrollment=Enrollment.objects.create(
                user=user, course=course_page, started_at=now
            ),
            number=1,
            started_at=now,
            declared_own_work_at=now,
            submitted_at=now,
            snapshot={},
            passed=True,
        )
        AttemptAnswer.objects.create(
            attempt=attempt,
            item_key="q:q1",
            answer={"options": ["a"]},
            is_correct=True,
            answered_at=now,
        )
    q1 = next(
        q for q in item_analysis(assessment=assessment).questions if q.key == "q1"
    )
    assert q1.facility == 1.0 and q1.flags == []


def test_the_query_count_does_not_grow_with_attempts(answered, course_page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as forty:
        item_analysis(assessment=answered)
    now = timezone.now()
    for _ in range(20):
        user = factories.make_user()
        attempt = Attempt.objects.create(
            user=user,
            assessment=answered,
            enrollment=Enrollment.objects.create(
                user=user, course=course_page, started_at=now
            ),
            number=1,
            started_at=now,
            declared_own_work_at=now,
            submitted_at=now,
            snapshot={},
            passed=False,
        )
        AttemptAnswer.objects.create(
            attempt=attempt,
            item_key="q:q2",
            answer={"options": ["b"]},
            is_correct=False,
            answered_at=now,
        )
    with CaptureQueriesContext(connection) as sixty:
        item_analysis(assessment=answered)
    assert len(sixty) == len(forty) <= 7


def test_point_biserial_is_pearsons_correlation():
    item = [1, 1, 0, 0, 1, 0]
    rest = [0.9, 0.7, 0.2, 0.4, 0.5, 0.3]
    assert point_biserial(item, rest) == pytest.approx(
        statistics.correlation(item, rest)
    )
    assert point_biserial([1, 1], [0.5, 0.2]) is None  # no variance in the item


def test_editors_read_it_in_the_admin_and_download_csv(client, answered):
    from django.core.management import call_command

    from academy.core.models import User

    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="admin@example.org"))
    index = client.get("/admin/reports/item-analysis/")
    assert index.status_code == 200
    html = client.get(f"/admin/reports/item-analysis/{answered.pk}/").content.decode()
    assert "too easy" in html and "weak discrimination" in html
    response = client.get(f"/admin/reports/item-analysis/{answered.pk}/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    q4 = [r for r in rows if r[1] == "q4"]
    assert q4[0][5] == "0.100" and "too hard" in q4[0][-1]
    # A learner is refused.
    client.force_login(User.objects.get(email="learner@example.org"))
    response = client.get(f"/admin/reports/item-analysis/{answered.pk}/")
    assert response.status_code in (302, 403)
    assert Organisation.objects.exists()
