import datetime

import pytest
from django.utils import timezone

from academy.organisations.models import Assignment, Cohort, Membership, Organisation
from academy.organisations.selectors import today_in

from .. import factories


@pytest.fixture
def org(db):
    return Organisation.objects.create(
        name="Harbour Police",
        kind="police",
        jurisdiction="us",
        time_zone="America/Chicago",
    )


@pytest.fixture
def night(org):
    return Cohort.objects.create(organisation=org, name="Night shift")


@pytest.fixture
def coordinator(org):
    user = factories.make_user(email="coord@example.org", full_name="Sam Okafor")
    Membership.objects.create(
        user=user, organisation=org, role="coordinator", accepted_at=timezone.now()
    )
    return user


@pytest.fixture
def officer(org, night):
    user = factories.make_user(email="officer@example.org", full_name="Alex Rivera")
    Membership.objects.create(
        user=user, organisation=org, cohort=night, accepted_at=timezone.now()
    )
    return user


@pytest.fixture
def other_org_coordinator(db):
    other = Organisation.objects.create(
        name="Valley Court", kind="judiciary", jurisdiction="us"
    )
    user = factories.make_user(email="other.coord@example.org", full_name="Other")
    Membership.objects.create(
        user=user, organisation=other, role="coordinator", accepted_at=timezone.now()
    )
    return user


@pytest.fixture
def assigned(org, night, course_page, modules, coordinator):
    """The course assigned to the night shift, due ten days ago."""
    return Assignment.objects.create(
        organisation=org,
        course=course_page,
        cohort=night,
        assigned_by=coordinator,
        due_on=today_in(org.time_zone) - datetime.timedelta(days=10),
    )
