"""Adding people from a CSV file: every row checked first, nothing written unless
the whole file is valid, accounts matched by email, new people invited."""

import re

import pytest
from django.core import mail

from academy.core.models import AuditEvent, User
from academy.organisations.models import Cohort, Invitation, Membership, Organisation
from academy.organisations.people_csv import parse_people_csv
from academy.organisations.services import invitation_email, people_import

HEADER = "email,full_name,cohort,role\n"


def _parse(text: str, cohorts=("Night shift",), encoding="utf-8"):
    return parse_people_csv(text.encode(encoding), cohorts=set(cohorts))


def test_a_good_file_gives_its_rows():
    rows, problems = _parse(
        HEADER + "A.Person@Example.org,Ana Pérez,night shift,\n"
        "b@example.org,مريم الحسن,,coordinator\n"
    )
    assert problems == []
    assert [(r.line, r.email, r.full_name, r.cohort, r.role) for r in rows] == [
        (2, "a.person@example.org", "Ana Pérez", "Night shift", "learner"),
        (3, "b@example.org", "مريم الحسن", "", "coordinator"),
    ]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_returned():
    rows, problems = _parse(
        HEADER + "not-an-email,Ana,,\n"
        "c@example.org,,Day shift,\n"
        "d@example.org,Dee,,boss\n"
        "e@example.org,Eve,,\n"
        "E@example.org,Eve again,,\n"
        "f@example.org,=HYPERLINK(1),,\n"
    )
    assert rows == []
    messages = {p.line: p.message for p in problems}
    assert "is not an email address" in messages[2]
    assert "full name is missing" in messages[3] and "no cohort called" in messages[3]
    assert "learner or coordinator" in messages[4]
    assert "already on line 5" in messages[6]
    assert "spreadsheet formulas" in messages[7]
    assert 5 not in messages


def test_a_byte_order_mark_and_column_order_do_not_matter():
    rows, problems = _parse("\ufeffRole,Full Name,Email\nlearner,Ana,a@example.org\n")
    assert problems == [] and rows[0].email == "a@example.org"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Name;Mail\nAna;a@example.org\n", "must name the columns"),
        ("", "empty"),
        (HEADER, "no people"),
    ],
)
def test_wrong_columns_and_empty_files(data, message):
    rows, problems = _parse(data)
    assert rows == [] and message in problems[0].message


def test_a_file_in_the_wrong_encoding_gets_a_clear_message():
    rows, problems = _parse(HEADER + "a@example.org,Müller,,\n", encoding="latin-1")
    assert (
        rows == [] and "not UTF-8" in problems[0].message and problems[0].line is None
    )


def test_ten_thousand_rows_are_read_and_more_than_twenty_thousand_refused():
    big = HEADER + "".join(f"p{i}@example.org,Person {i},,\n" for i in range(10_000))
    rows, problems = _parse(big)
    assert problems == [] and len(rows) == 10_000
    huge = HEADER + "".join(f"p{i}@example.org,Person {i},,\n" for i in range(20_001))
    rows, problems = _parse(huge)
    assert rows == [] and "more than 20,000" in problems[0].message


@pytest.fixture
def org(db):
    organisation = Organisation.objects.create(
        name="Harbour Police", kind="police", jurisdiction="us"
    )
    Cohort.objects.create(organisation=organisation, name="Night shift")
    return organisation


@pytest.mark.django_db
def test_importing_matches_existing_accounts_and_invites_new_people(org, learner):
    coordinator = User.objects.create_user(
        email="coord@example.org", password="x-long-9", full_name="Coordinator"
    )
    rows, problems = _parse(
        HEADER + "LEARNER@example.org,Alex,Night shift,\n"
        "new.person@example.org,Noor Haddad,,\n"
    )
    assert not problems
    result = people_import(organisation=org, rows=rows, by=coordinator)
    assert result.added_or_invited == 2
    assert User.objects.filter(email__iexact="learner@example.org").count() == 1
    new = User.objects.get(email="new.person@example.org")
    assert not new.has_usable_password()  # no password hashed in the import
    existing = Membership.objects.get(user=learner)
    assert existing.cohort.name == "Night shift"
    # Nobody joins without saying yes: both memberships wait for an answer.
    assert existing.is_pending and Membership.objects.get(user=new).is_pending
    kinds = {i.user.email: i.kind for i, _token in result.invitations}
    assert kinds == {
        "learner@example.org": "membership",
        "new.person@example.org": "account",
    }
    assert AuditEvent.objects.get(action="people.import").details == {
        "rows": 2,
        "new_accounts": 1,
        "invited": 2,
    }
    invitation, token = next((i, t) for i, t in result.invitations if i.user == new)
    invitation_email(
        invitation=invitation, token=token, base_url="https://academy.test"
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    assert "traffick" not in mail.outbox[0].subject.lower()  # discreet subject


@pytest.mark.django_db
def test_the_invitation_link_works_once(client, org):
    coordinator = User.objects.create_user(
        email="coord@example.org", password="x-long-9", full_name="Coordinator"
    )
    rows, _ = _parse(HEADER + "new.person@example.org,Noor Haddad,,\n")
    result = people_import(organisation=org, rows=rows, by=coordinator)
    invitation, token = result.invitations[0]
    invitation_email(invitation=invitation, token=token, base_url="http://testserver")
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    assert "Harbour Police" in client.get(link).content.decode()
    response = client.post(
        link,
        {
            "new_password1": "a-new-long-password-5",
            "new_password2": "a-new-long-password-5",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password("a-new-long-password-5") and user.is_email_verified
    assert Membership.objects.get(user=user).is_current  # choosing it was consent
    client.logout()
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.content.decode()


@pytest.mark.django_db
def test_a_resent_invitation_replaces_the_old_link(client, org):
    from academy.organisations.services import invitation_create

    coordinator = User.objects.create_user(
        email="coord@example.org", password="x-long-9", full_name="Coordinator"
    )
    rows, _ = _parse(HEADER + "new.person@example.org,Noor Haddad,,\n")
    first, first_token = people_import(
        organisation=org, rows=rows, by=coordinator
    ).invitations[0]
    _second, second_token = invitation_create(
        organisation=org, user=first.user, by=coordinator, kind="account"
    )
    old = client.get(f"/en/accounts/invitation/{first_token}/")
    assert old.status_code == 400 and "replaced or withdrawn" in old.content.decode()
    assert client.get(f"/en/accounts/invitation/{second_token}/").status_code == 200
    assert Invitation.objects.filter(user=first.user, withdrawn_at=None).count() == 1
