"""Consent and the coordinator's limits (security review H1, L1, L2, L6, L8, L9, L10):
nobody's training reaches an organisation until they accept, removed people are
read-only history, and no input makes the coordinator pages fail."""

import io
import os
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from academy.assessments.models import Attempt
from academy.core.models import User
from academy.courses.models import Enrollment
from academy.organisations.models import (
    Assignment,
    Invitation,
    Membership,
    Organisation,
)

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_org_learner(db, course_page):
    """A learner of another organisation, with an attempt on a course ours never
    assigned."""
    other = Organisation.objects.create(
        name="Lakeside Border Agency", kind="border", jurisdiction="coe_eu"
    )
    user = factories.make_user(email="learnerb@example.org", full_name="Bea Lake")
    Membership.objects.create(user=user, organisation=other, accepted_at=timezone.now())
    now = timezone.now()
    assessment = factories.make_assessment(course=course_page)
    Attempt.objects.create(
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
        scores={"parts": [{"percent": 93.0}]},
    )
    return user


def _add(client, email, name="Someone"):
    return client.post(
        "/en/coordinate/people/add/",
        {"email": email, "full_name": name, "role": "learner"},
    )


def test_adding_an_existing_account_shows_name_and_email_only(
    client, coordinator, other_org_learner
):
    """H1: coordinator B adds A's learner; B sees nothing of their training."""
    client.force_login(coordinator)
    response = _add(client, "learnerb@example.org", "Whoever")
    assert response.status_code == 302
    membership = Membership.objects.get(
        user=other_org_learner, organisation__name="Harbour Police"
    )
    assert membership.is_pending
    page = client.get(f"/en/coordinate/people/{other_org_learner.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Waiting for their answer" in html
    assert "learnerb@example.org" in html
    assert "93.0%" not in html and "passed" not in html
    assert "Bea Lake" not in client.get("/en/coordinate/export.csv").getvalue().decode()
    assert "93.0" not in client.get("/en/coordinate/").content.decode()
    # The invitation asks; it does not tell the coordinator anything new.
    invitation = Invitation.objects.get(user=other_org_learner)
    assert invitation.kind == "membership"


def test_once_accepted_only_the_assigned_courses_attempts_show(
    client, coordinator, other_org_learner, org, course_page
):
    client.force_login(coordinator)
    _add(client, "learnerb@example.org")
    Assignment.objects.create(
        organisation=org,
        course=course_page,
        user=other_org_learner,
        assigned_by=coordinator,
        due_days_after_joining=30,
    )
    client.force_login(other_org_learner)
    membership = Membership.objects.get(
        user=other_org_learner, organisation__name="Harbour Police"
    )
    dashboard = client.get("/en/dashboard/").content.decode()
    assert "Harbour Police" in dashboard and "Accept" in dashboard
    client.post(f"/en/dashboard/memberships/{membership.pk}/", {"answer": "accept"})
    membership.refresh_from_db()
    assert membership.is_current
    client.force_login(coordinator)
    html = client.get(f"/en/coordinate/people/{other_org_learner.pk}/").content
    # The attempt is on the course Harbour Police assigned (course_page): it shows.
    assert b"93.0%" in html


def test_an_unassigned_courses_attempts_never_show(
    client, coordinator, other_org_learner
):
    client.force_login(coordinator)
    _add(client, "learnerb@example.org")
    membership = Membership.objects.get(
        user=other_org_learner, organisation__name="Harbour Police"
    )
    membership.accepted_at = timezone.now()
    membership.save()
    html = client.get(f"/en/coordinate/people/{other_org_learner.pk}/").content
    assert b"93.0%" not in html  # nothing is assigned: nothing is shown


def test_declining_leaves_the_organisation_with_nothing(
    client, coordinator, other_org_learner
):
    client.force_login(coordinator)
    _add(client, "learnerb@example.org")
    invitation = Invitation.objects.get(user=other_org_learner)
    token = "t0ken"
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=__import__("hashlib").sha256(token.encode()).hexdigest()
    )
    client.force_login(other_org_learner)
    page = client.get(f"/en/accounts/invitation/{token}/")
    assert page.status_code == 200 and "Join Harbour Police?" in page.content.decode()
    client.post(f"/en/accounts/invitation/{token}/", {"answer": "decline"})
    membership = Membership.objects.get(
        user=other_org_learner, organisation__name="Harbour Police"
    )
    assert membership.declined_at is not None and not membership.is_current
    client.force_login(coordinator)
    html = client.get(f"/en/coordinate/people/{other_org_learner.pk}/").content
    assert b"declined" in html and b"93.0%" not in html


def test_an_invitation_for_someone_else_is_refused(
    client, coordinator, other_org_learner, officer
):
    client.force_login(coordinator)
    _add(client, "learnerb@example.org")
    token = "another"
    Invitation.objects.filter(user=other_org_learner).update(
        token_hash=__import__("hashlib").sha256(token.encode()).hexdigest()
    )
    client.force_login(officer)
    response = client.post(f"/en/accounts/invitation/{token}/", {"answer": "accept"})
    assert response.status_code == 403
    assert Membership.objects.get(
        user=other_org_learner, organisation__name="Harbour Police"
    ).is_pending


def test_the_summary_never_says_who_had_an_account(client, coordinator, officer):
    """L10: adding a known and an unknown address reads the same."""
    client.force_login(coordinator)
    known = client.post(
        "/en/coordinate/people/add/",
        {"email": "learnerb@example.org", "full_name": "A", "role": "learner"},
        follow=True,
    ).content.decode()
    unknown = client.post(
        "/en/coordinate/people/add/",
        {"email": "nobody.yet@example.org", "full_name": "B", "role": "learner"},
        follow=True,
    ).content.decode()
    message = re.compile(r"\d+ people added or invited")
    assert message.search(known) and message.search(unknown)
    assert "matched" not in known + unknown and "existing" not in known + unknown


def test_a_removed_member_is_read_only_history(client, coordinator, officer, assigned):
    """L1."""
    client.force_login(coordinator)
    client.post(f"/en/coordinate/people/{officer.pk}/remove/")
    before = Membership.objects.get(user=officer)
    assert before.removed_at is not None
    client.post(f"/en/coordinate/people/{officer.pk}/role/", {"role": "coordinator"})
    client.post(
        f"/en/coordinate/people/{officer.pk}/exempt/",
        {"course": assigned.course_id, "kind": "exemption", "reason": "x"},
    )
    client.post(
        f"/en/coordinate/people/{officer.pk}/extend/",
        {"assignment": assigned.pk, "due_on": "2099-01-01"},
    )
    after = Membership.objects.get(user=officer)
    assert after.role == "learner"
    assert not officer.exemptions.exists()
    html = client.get(f"/en/coordinate/people/{officer.pk}/").content.decode()
    assert (
        "No longer in your organisation" in html
        and "<form" not in html.split("<main", 1)[-1].split("</main>")[0]
    )


def test_an_accepted_invitation_cannot_be_sent_again(client, coordinator):
    """L2."""
    client.force_login(coordinator)
    _add(client, "noor@example.org", "Noor")
    invitation = Invitation.objects.get(user__email="noor@example.org")
    invitation.accepted_at = timezone.now()
    invitation.save()
    Membership.objects.filter(user=invitation.user).update(accepted_at=timezone.now())
    mail.outbox.clear()
    client.post(
        "/en/coordinate/invitations/",
        {"invitation": invitation.pk, "action": "resend"},
    )
    assert not mail.outbox
    assert Invitation.objects.filter(user=invitation.user).count() == 1


def test_removing_someone_stops_their_pending_link(client, coordinator):
    """L2."""
    client.force_login(coordinator)
    _add(client, "noor@example.org", "Noor")
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    user = User.objects.get(email="noor@example.org")
    client.post(f"/en/coordinate/people/{user.pk}/remove/")
    client.logout()
    response = client.get(link)
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


def test_a_newline_in_a_name_adds_one_person_or_none(client, coordinator):
    """L9."""
    client.force_login(coordinator)
    response = client.post(
        "/en/coordinate/people/add/",
        {
            "email": "inj3@example.org",
            "full_name": "One\ninj4@example.org",
            "cohort": "",
            "role": "learner",
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(email__in=["inj3@example.org", "inj4@example.org"])


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", f"/en/coordinate/?cohort={HUGE}", {}),
        ("get", f"/en/coordinate/?course={HUGE}", {}),
        ("get", "/en/coordinate/?cohort=-1&course=abc&status=<x>", {}),
        ("get", f"/en/coordinate/?page={HUGE}", {}),
        ("get", f"/en/coordinate/people/{HUGE}/", {}),
        ("get", f"/en/coordinate/import/{HUGE}/", {}),
        ("post", "/en/coordinate/assignments/", {"course": HUGE, "cohort": "1"}),
        ("post", "/en/coordinate/assignments/", {"course": "1", "person": HUGE}),
        (
            "post",
            "/en/coordinate/assignments/",
            {"course": "{course}", "cohort": "{cohort}", "due_days": "-5"},
        ),
        (
            "post",
            "/en/coordinate/assignments/",
            {"course": "{course}", "cohort": "{cohort}", "due_days": HUGE},
        ),
        (
            "post",
            "/en/coordinate/assignments/",
            {
                "course": "{course}",
                "cohort": "{cohort}",
                "due_on": "2099-01-01",
                "recurrence_months": HUGE,
            },
        ),
        (
            "post",
            "/en/coordinate/assignments/",
            {"course": "{course}", "cohort": "{cohort}", "due_on": "0001-01-01"},
        ),
        (
            "post",
            "/en/coordinate/assignments/",
            {"course": "{course}", "cohort": "{cohort}", "due_on": "2024-13-45"},
        ),
        ("post", "/en/coordinate/people/{officer}/exempt/", {"course": HUGE}),
        ("post", "/en/coordinate/people/{officer}/extend/", {"assignment": HUGE}),
        (
            "post",
            "/en/coordinate/people/{officer}/extend/",
            {"assignment": "{assignment}", "due_on": "0001-01-01"},
        ),
        ("post", "/en/coordinate/people/{officer}/move/", {"cohort": HUGE}),
        ("post", "/en/coordinate/switch/", {"organisation": HUGE}),
        ("post", "/en/coordinate/invitations/", {"invitation": HUGE}),
        (
            "post",
            "/en/coordinate/people/add/",
            {"email": "a" * 250 + "@example.org", "full_name": "Long"},
        ),
    ],
)
def test_no_input_makes_a_coordinator_page_fail(
    client, coordinator, officer, assigned, night, method, path, data
):
    """L6: the review's cases, each a clear 4xx or a plain page, never a 500."""
    values = {
        "officer": officer.pk,
        "course": assigned.course_id,
        "cohort": night.pk,
        "assignment": assigned.pk,
    }
    path = path.format(**values)
    data = {k: v.format(**values) for k, v in data.items()}
    client.force_login(coordinator)
    response = getattr(client, method)(path, data)
    assert response.status_code < 500, (path, data)
    assert response.status_code in (200, 302, 400, 404, 413)


def test_an_oversized_csv_field_is_a_clear_400(client, coordinator):
    client.force_login(coordinator)
    big = io.BytesIO(b"email,full_name\na@example.org," + b"N" * 131_073 + b"\n")
    big.name = "people.csv"
    response = client.post("/en/coordinate/import/", {"file": big})
    assert response.status_code == 400 and "Line 2" in response.content.decode()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="threads share one in-memory SQLite database; CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_importing_the_same_file_at_once(org):
    """L8: both get an answer, nobody is duplicated."""
    from academy.organisations.people_csv import parse_people_csv
    from academy.organisations.services import people_import_start

    coordinators = []
    for n in range(2):
        user = factories.make_user(email=f"c{n}@example.org")
        Membership.objects.create(
            user=user, organisation=org, role="coordinator", accepted_at=timezone.now()
        )
        coordinators.append(user)
    data = (
        "email,full_name\n"
        + "".join(f"p{i}@example.org,Person {i}\n" for i in range(150))
    ).encode()
    rows, _ = parse_people_csv(data, cohorts=set())
    outcomes, barrier = [], threading.Barrier(2)

    def run(user):
        barrier.wait()
        try:
            people_import_start(
                organisation=org, rows=rows, by=user, base_url="http://x"
            )
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in coordinators]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["ok", "ok"]
    assert User.objects.filter(email__startswith="p").count() == 150
    assert Membership.objects.filter(organisation=org, role="learner").count() == 150
