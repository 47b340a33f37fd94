"""Demo organisations and people for trying the site (dev and test settings only)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page

from academy.core.exceptions import ApplicationError
from academy.core.permissions import ADMINISTRATORS_GROUP
from academy.courses.workflow import ADVISOR_GROUP, SME_GROUP
from academy.organisations.models import Cohort, Membership, Organisation

from .agencies import AgencyResult, agency_seed
from .harbour import HarbourResult, assessor_ensure, harbour_seed

DEMO_PASSWORD = "academy-demo"
EDITORS_GROUP = "Curriculum editors"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    what: str


DEMO_PEOPLE = [
    DemoPerson(
        "assessor@example.org",
        "Kwame Mensah",
        "a workplace assessor (Wagtail admin: Workplace reviews)",
    ),
    DemoPerson(
        "learner@example.org",
        "Alex Rivera",
        "a police officer in Riverside Police Department",
    ),
    DemoPerson(
        "coordinator@example.org", "Sam Okafor", "Riverside's training coordinator"
    ),
    DemoPerson(
        "lakeside@example.org",
        "Lena Marquardt",
        "Lakeside Border Agency's training coordinator",
    ),
    DemoPerson(
        "editor@example.org", "Noor Haddad", "a curriculum editor (Wagtail admin)"
    ),
    DemoPerson("admin@example.org", "Dana Lee", "an academy administrator (superuser)"),
    DemoPerson("reviewer@example.org", "Dr. Ines Moreau", "a subject-matter reviewer"),
    DemoPerson(
        "advisor@example.org", "Rosa Aydin", "a survivor advisor (course reviews)"
    ),
]


def _group_editors() -> Group:
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    root = Page.get_first_root_node()
    # No "publish": a course version goes live through the two-step review.
    for kind in ("add", "change", "lock", "unlock"):
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root,
            permission=Permission.objects.get(
                codename=f"{kind}_page", content_type__app_label="wagtailcore"
            ),
        )
    return group


@dataclass
class DemoReport:
    people: list[tuple[DemoPerson, bool]]
    harbour: HarbourResult
    agencies: list[AgencyResult]


@transaction.atomic
def demo_seed() -> DemoReport:
    """Create the demo organisation and people; running it again changes nothing."""
    if not settings.ACADEMY_ALLOW_DEMO_DATA:
        raise ApplicationError(
            "Demo data is only for development: this site refuses it."
        )
    User = get_user_model()
    org, _ = Organisation.objects.get_or_create(
        name="Riverside Police Department",
        defaults={
            "kind": Organisation.Kind.POLICE,
            "jurisdiction": "us",
            "time_zone": "America/Chicago",
        },
    )
    patrol, _ = Cohort.objects.get_or_create(organisation=org, name="Patrol")
    editors = _group_editors()
    admins, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    results = []
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email__iexact=person.email).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                email=person.email,
                password=DEMO_PASSWORD,
                full_name=person.full_name,
                time_zone="America/Chicago",
                email_verified_at=timezone.now(),
                work_role="police"
                if person.email.startswith(("learner", "coordinator"))
                else "",
            )
        if person.email.startswith("learner"):
            Membership.objects.get_or_create(
                user=user,
                organisation=org,
                defaults={
                    "role": Membership.Role.LEARNER,
                    "cohort": patrol,
                    "accepted_at": timezone.now(),
                },
            )
        elif person.email.startswith("lakeside"):
            pass  # Lakeside's coordinator is made its coordinator below
        elif person.email.startswith("coordinator"):
            Membership.objects.get_or_create(
                user=user,
                organisation=org,
                defaults={
                    "role": Membership.Role.COORDINATOR,
                    "accepted_at": timezone.now(),
                },
            )
        elif person.email.startswith("editor"):
            user.groups.add(editors)
        elif person.email.startswith(("reviewer", "advisor")):
            name = SME_GROUP if person.email.startswith("reviewer") else ADVISOR_GROUP
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(Permission.objects.get(codename="access_admin"))
            user.groups.add(group)
        elif person.email.startswith("assessor"):
            assessor_ensure(person.email)
        elif person.email.startswith("admin"):
            if not (user.is_superuser and user.is_staff):
                user.is_superuser = user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
            user.groups.add(admins)
        results.append((person, created))
    coordinator = User.objects.get(email="coordinator@example.org")
    agencies = [
        agency_seed(
            name="Riverside Police Department",
            kind=Organisation.Kind.POLICE,
            jurisdiction="us",
            time_zone="America/Chicago",
            cohort_names=["Patrol", "Investigations", "Custody", "Supervisors"],
            course_keys=["foundations", "police"],
            people=60,
            domain="riverside.example.org",
            coordinator=coordinator,
            seed=2026_12_05,
            password=DEMO_PASSWORD,
        ),
        agency_seed(
            name="Lakeside Border Agency",
            kind=Organisation.Kind.BORDER,
            jurisdiction="coe_eu",
            time_zone="Europe/Berlin",
            cohort_names=["First line", "Second line"],
            course_keys=["foundations", "border"],
            people=20,
            domain="lakeside.example.org",
            coordinator=User.objects.get(email="lakeside@example.org"),
            seed=2026_12_06,
            password=DEMO_PASSWORD,
        ),
    ]
    harbour = harbour_seed(
        password=DEMO_PASSWORD, assessor_email="assessor@example.org"
    )
    return DemoReport(results, harbour, agencies)
