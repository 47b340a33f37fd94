"""The coordinator's tools, and that nobody else can use them."""

import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from academy.core.models import AuditEvent, User
from academy.organisations.models import (
    Assignment,
    DueExtension,
    Exemption,
    ImportJob,
    Membership,
    ReminderSent,
)
from academy.organisations.reminders import reminders_plan
from academy.organisations.selectors import today_in

from .. import factories

pytestmark = pytest.mark.django_db

PERSON_ACTIONS = ["move", "role", "remove", "exempt", "extend"]


def _urls(officer, assigned):
    return [
        ("get", "/en/coordinate/", {}),
        ("get", f"/en/coordinate/people/{officer.pk}/", {}),
        ("get", "/en/coordinate/import/", {}),
        ("get", "/en/coordinate/people/add/", {}),
        ("get", "/en/coordinate/assignments/", {}),
        ("get", "/en/coordinate/invitations/", {}),
        ("get", "/en/coordinate/export.csv", {}),
        ("get", "/en/coordinate/export.xlsx", {}),
        *[
            (
                "post",
                f"/en/coordinate/people/{officer.pk}/{a}/",
                {
                    "cohort": "",
                    "role": "coordinator",
                    "reason": "x",
                    "kind": "exemption",
                    "course": assigned.course_id,
                    "assignment": assigned.pk,
                    "due_on": "2030-01-01",
                },
            )
            for a in PERSON_ACTIONS
        ],
    ]


def test_the_coordinator_sees_who_is_overdue(client, coordinator, officer, assigned):
    client.force_login(coordinator)
    html = client.get("/en/coordinate/").content.decode()
    assert "Alex Rivera" in html and "Overdue by 10 days" in html
    assert "1 assignment overdue" in html
    assert "<svg" in html and "Completion and pass rate per course" in html


def test_a_learner_gets_403_everywhere(client, officer, assigned):
    client.force_login(officer)
    for method, url, data in _urls(officer, assigned):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
    assert Membership.objects.get(user=officer).role == "learner"


def test_a_coordinator_of_another_organisation_sees_nothing_of_ours(
    client, other_org_coordinator, officer, assigned
):
    client.force_login(other_org_coordinator)
    html = client.get("/en/coordinate/").content.decode()
    assert "Alex Rivera" not in html and "Harbour Police" not in html
    for method, url, data in (
        _urls(officer, assigned)[1:2] + _urls(officer, assigned)[8:]
    ):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    assert not Exemption.objects.exists() and not DueExtension.objects.exists()
    assert Membership.objects.get(user=officer).removed_at is None
    export = client.get("/en/coordinate/export.csv").getvalue().decode()
    assert "Alex Rivera" not in export


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/en/coordinate/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_exemption_extension_move_and_removal_are_audited(
    client, coordinator, officer, assigned, org
):
    client.force_login(coordinator)
    base = f"/en/coordinate/people/{officer.pk}/"
    client.post(
        base + "exempt/",
        {
            "course": assigned.course_id,
            "kind": "prior_learning",
            "reason": "Completed the state course in 2025.",
        },
    )
    html = client.get(base).content.decode()
    assert "Prior learning: Completed the state course in 2025." in html
    people = client.get("/en/coordinate/").content.decode().split("<tbody>")[-1]
    assert "Overdue by" not in people and "Prior learning" in people
    client.post(
        base + "extend/",
        {"assignment": assigned.pk, "due_on": "2030-06-01", "reason": "Parental leave"},
    )
    assert DueExtension.objects.get().due_on == datetime.date(2030, 6, 1)
    client.post(base + "move/", {"cohort": ""})
    assert Membership.objects.get(user=officer).cohort is None
    client.post(base + "remove/")
    membership = Membership.objects.get(user=officer)
    assert membership.removed_at is not None  # the person's records stay
    assert User.objects.filter(pk=officer.pk).exists()
    actions = set(
        AuditEvent.objects.filter(actor=coordinator).values_list("action", flat=True)
    )
    assert {
        "exemption.record",
        "assignment.extend",
        "member.move",
        "member.remove",
    } <= actions
    assert AuditEvent.objects.filter(organisation=org).count() >= 4


def test_a_bad_extension_date_is_refused_plainly(
    client, coordinator, officer, assigned
):
    client.force_login(coordinator)
    response = client.post(
        f"/en/coordinate/people/{officer.pk}/extend/",
        {"assignment": assigned.pk, "due_on": "next week"},
        follow=True,
    )
    assert "Give the date as a date (YYYY-MM-DD)." in response.content.decode()
    assert not DueExtension.objects.exists()


def test_assigning_to_a_cohort_reaches_people_who_join_later(
    client, coordinator, org, night, course_page, modules
):
    client.force_login(coordinator)
    response = client.post(
        "/en/coordinate/assignments/",
        {"course": course_page.pk, "cohort": night.pk, "due_days": 30},
    )
    assert response.status_code == 302 and Assignment.objects.count() == 1
    newcomer = factories.make_user(email="new@example.org", full_name="New Person")
    Membership.objects.create(
        user=newcomer, organisation=org, cohort=night, accepted_at=timezone.now()
    )
    client.force_login(newcomer)
    html = client.get("/en/dashboard/").content.decode()
    assert "Assigned to you" in html and "Due by" in html and "Harbour Police" in html
    assert AuditEvent.objects.filter(action="assignment.create").exists()


def test_an_assignment_needs_one_target_and_one_due_rule(
    client, coordinator, night, course_page
):
    client.force_login(coordinator)
    response = client.post(
        "/en/coordinate/assignments/", {"course": course_page.pk}, follow=True
    )
    assert (
        "Assign the course to a cohort or to one person." in response.content.decode()
    )
    response = client.post(
        "/en/coordinate/assignments/",
        {"course": course_page.pk, "cohort": night.pk},
        follow=True,
    )
    assert (
        "Give a due date, or a number of days after joining."
        in response.content.decode()
    )
    assert not Assignment.objects.exists()


def test_the_learner_sees_assigned_courses_first_and_overdue_plainly(
    client, officer, assigned, course_page
):
    client.force_login(officer)
    html = client.get("/en/dashboard/").content.decode()
    assert html.index("Assigned to you") < html.index(course_page.title)
    assert (
        "Overdue by 10 days" in html
        and "Assigned by Harbour Police (Sam Okafor)" in html
    )


def test_import_through_the_page(client, coordinator, org, night):
    client.force_login(coordinator)
    bad = io.BytesIO(b"email,full_name,cohort,role\nnope,Ana,,\n")
    bad.name = "people.csv"
    response = client.post("/en/coordinate/import/", {"file": bad})
    assert response.status_code == 400 and "Line 2:" in response.content.decode()
    good = io.BytesIO(
        b"email,full_name,cohort,role\nana@example.org,Ana P\xc3\xa9rez,Night shift,\n"
    )
    good.name = "people.csv"
    response = client.post("/en/coordinate/import/", {"file": good})
    assert response.status_code == 302
    assert Membership.objects.get(user__email="ana@example.org").cohort == night
    assert mail.outbox and "/accounts/invitation/" in mail.outbox[0].body


def test_a_large_file_runs_as_a_task_with_a_status_page(client, coordinator, org):
    client.force_login(coordinator)
    rows = "".join(f"p{i}@example.org,Person {i},,\n" for i in range(1_001))
    upload = io.BytesIO(("email,full_name,cohort,role\n" + rows).encode())
    upload.name = "people.csv"
    response = client.post("/en/coordinate/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"].endswith(f"/coordinate/import/{job.pk}/")
    assert job.status == "done" and job.result == {"added_or_invited": 1001}
    assert job.rows == [] and job.row_count == 1001  # retention: counts, not people
    page = client.get(response["Location"]).content.decode()
    assert "1001 people added or invited" in page


def test_invitations_can_be_sent_again_or_withdrawn(client, coordinator, org):
    client.force_login(coordinator)
    client.post(
        "/en/coordinate/people/add/",
        {"email": "noor@example.org", "full_name": "Noor Haddad", "role": "learner"},
    )
    html = client.get("/en/coordinate/invitations/").content.decode()
    assert "Noor Haddad" in html
    from academy.organisations.models import Invitation

    first = Invitation.objects.get()
    client.post(
        "/en/coordinate/invitations/", {"invitation": first.pk, "action": "resend"}
    )
    assert (
        Invitation.objects.filter(withdrawn_at=None).count() == 1
        and len(mail.outbox) == 2
    )
    current = Invitation.objects.get(withdrawn_at=None)
    client.post(
        "/en/coordinate/invitations/", {"invitation": current.pk, "action": "withdraw"}
    )
    assert (
        "No invitation is waiting."
        in client.get("/en/coordinate/invitations/").content.decode()
    )


def test_exports_neutralise_formulas(client, coordinator, org, night, assigned):
    evil = factories.make_user(email="evil@example.org", full_name='=HYPERLINK("x")')
    Membership.objects.create(
        user=evil, organisation=org, cohort=night, accepted_at=timezone.now()
    )
    client.force_login(coordinator)
    csv_text = client.get("/en/coordinate/export.csv").getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "Overdue" in csv_text
    xlsx = client.get("/en/coordinate/export.xlsx").getvalue()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    # Stored as text with the neutralising quote: a spreadsheet shows it, never runs it.
    cell = cells['\'=HYPERLINK("x")']
    assert cell.data_type == "s"
    assert "Overdue" in cells and not any(
        isinstance(v, str) and v.startswith("=") for v in cells
    )
    assert client.get("/en/coordinate/export.pdf").status_code == 404


def test_a_coordinator_of_two_organisations_chooses_one(
    client, coordinator, org, officer, other_org_coordinator
):
    from academy.organisations.models import Organisation

    other = Organisation.objects.get(name="Valley Court")
    Membership.objects.create(
        user=coordinator,
        organisation=other,
        role="coordinator",
        accepted_at=timezone.now(),
    )
    client.force_login(coordinator)
    assert (
        "Organisation you are working in"
        in client.get("/en/coordinate/").content.decode()
    )
    client.post("/en/coordinate/switch/", {"organisation": other.pk})
    html = client.get("/en/coordinate/").content.decode()
    assert "<h1>Valley Court</h1>" in html and "Alex Rivera" not in html
    stranger = Organisation.objects.create(
        name="Elsewhere", kind="other", jurisdiction="intl"
    )
    assert (
        client.post("/en/coordinate/switch/", {"organisation": stranger.pk}).status_code
        == 404
    )


@pytest.mark.parametrize("size", [10, 500])
def test_dashboard_queries_do_not_grow_with_learners(
    client, coordinator, org, night, assigned, size, django_assert_max_num_queries
):
    people = [User(email=f"p{i}@example.org", full_name=f"P {i}") for i in range(size)]
    User.objects.bulk_create(people)
    Membership.objects.bulk_create(
        [
            Membership(
                user=u, organisation=org, cohort=night, accepted_at=timezone.now()
            )
            for u in User.objects.filter(email__startswith="p")
        ]
    )
    client.force_login(coordinator)
    with django_assert_max_num_queries(25):
        response = client.get("/en/coordinate/")
    assert response.status_code == 200


def test_reminders_go_out_once_in_the_persons_language(
    officer, org, assigned, coordinator
):
    officer.preferred_language = "es"
    officer.save()
    call_command("send_reminders")
    call_command("send_reminders")  # run twice: still one of each
    overdue = [m for m in mail.outbox if m.to == [officer.email]]
    assert len(overdue) == 1
    assert (
        "traffick" not in overdue[0].subject.lower()
        and "trata" not in overdue[0].subject.lower()
    )
    assert ReminderSent.objects.filter(user=officer).count() == 1


def test_reminders_before_the_due_date_and_opting_out(officer, org, assigned):
    # Seven days ahead in the organisation's own time zone: one of its reminder days.
    Assignment.objects.filter(pk=assigned.pk).update(
        due_on=today_in(org.time_zone) + datetime.timedelta(days=7)
    )
    assert 7 in org.reminder_days
    plan = reminders_plan()
    assert [p["template"] for p in plan if p["user_id"] == officer.pk] == ["before"]
    officer.reminder_emails = False
    officer.save()
    assert not [
        p
        for p in reminders_plan()
        if p["user_id"] == officer.pk and p["template"] == "before"
    ]


def test_overdue_mandatory_training_is_notified_even_when_reminders_are_off(
    officer, assigned
):
    officer.reminder_emails = False
    officer.save()
    assert [p["template"] for p in reminders_plan() if p["user_id"] == officer.pk] == [
        "overdue"
    ]


def test_the_weekly_digest_puts_the_longest_overdue_first(
    officer, org, night, assigned, coordinator, monkeypatch
):
    late = factories.make_user(email="late@example.org", full_name="Very Late")
    Membership.objects.create(
        user=late, organisation=org, cohort=night, accepted_at=timezone.now()
    )
    DueExtension.objects.create(
        assignment=assigned,
        user=officer,
        due_on=timezone.now().date() - datetime.timedelta(days=2),
    )
    import academy.organisations.reminders as reminders

    monkeypatch.setattr(reminders, "today_in", lambda tz: _next_monday())
    digest = [p for p in reminders.reminders_plan() if p["template"] == "digest"]
    assert len(digest) == 1 and digest[0]["user_id"] == coordinator.pk
    mail.outbox.clear()
    assert reminders.reminder_deliver(**digest[0])
    body = mail.outbox[0].body
    assert mail.outbox[0].to == [coordinator.email]
    assert body.index("Very Late") < body.index(officer.full_name)


def _next_monday():
    today = timezone.now().date()
    return today + datetime.timedelta(days=(7 - today.weekday()) % 7)


def test_role_change_is_audited_and_import_status_is_private(
    client, coordinator, officer, org, other_org_coordinator
):
    client.force_login(coordinator)
    client.post(f"/en/coordinate/people/{officer.pk}/role/", {"role": "coordinator"})
    assert Membership.objects.get(user=officer).role == "coordinator"
    event = AuditEvent.objects.get(action="member.role")
    assert event.details["role"] == ["learner", "coordinator"]
    job = ImportJob.objects.create(organisation=org, created_by=coordinator, rows=[])
    assert client.get(f"/en/coordinate/import/{job.pk}/").status_code == 200
    client.force_login(other_org_coordinator)
    assert client.get(f"/en/coordinate/import/{job.pk}/").status_code == 404


def test_certificates_expiring_within_ninety_days_show_filter_export_and_digest(
    client, coordinator, officer, org, night, assigned, monkeypatch
):
    from academy.certificates.models import Certificate

    certificate = factories.make_certificate(
        user=officer, course_key=assigned.course.content_key
    )
    end = timezone.now() + datetime.timedelta(days=60)
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=end - datetime.timedelta(days=730), expires_at=end
    )
    other = factories.make_user(full_name="Not Expiring")
    Membership.objects.create(
        user=other, organisation=org, cohort=night, accepted_at=timezone.now()
    )
    client.force_login(coordinator)
    page = client.get("/en/coordinate/").content.decode()
    assert "1 certificate expiring within 90 days" in page
    filtered = client.get("/en/coordinate/?status=expiring").content.decode()
    assert officer.full_name in filtered and "Not Expiring" not in filtered
    assert f"Expiring on {end.date().isoformat()}" in filtered
    export = (
        client.get("/en/coordinate/export.csv?status=expiring")
        .getvalue()
        .decode("utf-8-sig")
    )
    assert officer.full_name in export and "Not Expiring" not in export
    assert "Expiring on" in export
    import academy.organisations.reminders as reminders

    monkeypatch.setattr(reminders, "today_in", lambda tz: _next_monday())
    digest = [p for p in reminders.reminders_plan() if p["template"] == "digest"]
    mail.outbox.clear()
    assert reminders.reminder_deliver(**digest[0])
    body = mail.outbox[0].body
    assert "Certificates ending within 90 days" in body and officer.full_name in body
