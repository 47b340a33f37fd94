"""An employer certifies its workplace in the browser: its HR lead answers the
standard and uploads evidence, an assessor reviews it in the admin and approves,
and anyone can verify the certificate by its code."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from academy.certificates.models import OrganisationCertificate
from academy.core.models import User
from academy.curriculum.standards import read_standard
from academy.curriculum.yaml_io import ErrorSink
from academy.organisations.models import Membership, Organisation
from academy.workplace import services
from academy.workplace.models import ASSESSORS_GROUP, Certification

from .. import factories
from .journeys import make_learner, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _standard():
    error = ErrorSink()
    data = read_standard(
        Path(settings.ACADEMY_CONTENT_DIR) / "standards" / "workplace", error
    )
    assert data is not None, error.errors
    return services.standard_load(data=data)[0]


def test_from_self_assessment_to_verification(live_server, page, output_dir, tmp_path):
    standard = _standard()
    org = Organisation.objects.create(
        name="Harbour Logistics",
        kind="employer",
        jurisdiction="coe_eu",
        city="Rotterdam",
        sector="logistics",
    )
    hr = make_learner(
        "maya@harbour.example.org", "Maya Jansen", role="employer", lang="en"
    )
    Membership.objects.create(
        user=hr,
        organisation=org,
        role="coordinator",
        is_manager=True,
        accepted_at=timezone.now(),
    )
    factories.make_certificate(user=hr, course_key="employers")
    assessor = make_learner(
        "assessor@example.org", "Kwame Mensah", role="other", lang="en"
    )
    group, _ = Group.objects.get_or_create(name=ASSESSORS_GROUP)
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="review_certification"),
    )
    assessor.groups.add(group)
    base = live_server.url

    # The HR lead: start, answer the first criterion and add its evidence.
    sign_in(page, base, hr.email)
    page.locator("nav.primary a[href='/en/workplace/']").click()
    page.click("text=Start the self-assessment")
    first = standard.criterion_keys[0]
    page.locator(f"main a[href='/en/workplace/criteria/{first}/']").click()
    page.check("input[name=answer][value=met]")
    page.fill("#id_statement", "Our policy was approved by the board in March.")
    page.locator("main form button.primary").click()
    page.wait_for_selector("text=Saved. Earlier answers stay in the history.")
    evidence = tmp_path / "policy.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("#id_file", str(evidence))
    page.locator("main form[action$='/evidence/'] button").click()
    page.wait_for_selector("text=File added")
    assert "policy.pdf" in page.content()
    page.screenshot(path=str(output_dir / "criterion.png"), full_page=True)
    certification = Certification.objects.get()
    for key in standard.criterion_keys[1:]:
        services.criterion_answer_save(
            certification=certification,
            criterion_key=key,
            answer="met",
            statement="We do this; the procedure is in the staff handbook.",
            by=hr,
        )
    page.goto(f"{base}/en/workplace/")
    page.screenshot(path=str(output_dir / "overview.png"), full_page=True)
    page.click("text=Submit for review")
    assert "Submitted" in page.content()

    # The assessor, in the admin: accept the first criterion by hand, the rest
    # as the same service, then approve.
    page.click("header form button")  # sign out
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", assessor.email)
    page.fill("#id_password", "academy-demo")
    page.locator("button[type=submit]").click()
    page.goto(f"{base}/admin/workplace/")
    page.click("text=Harbour Logistics")
    section = page.locator(f"section[aria-labelledby='c-{first}']")
    section.locator("input[value=accepted]").check()
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    page.screenshot(path=str(output_dir / "admin-review.png"), full_page=True)
    assert "Decision recorded" in page.content()
    for key in standard.criterion_keys[1:]:
        services.criterion_review_record(
            certification=certification,
            criterion_key=key,
            decision="accepted",
            comment="",
            reviewer=assessor,
        )
    page.reload()
    with page.expect_navigation():
        page.click("text=Approve and issue the certificate")
    assert "Approved" in page.content()
    certificate = OrganisationCertificate.objects.get()

    # Anyone, signed out, checks the code.
    page.context.clear_cookies()
    page.goto(f"{base}/verify/")
    page.fill("#code", certificate.code)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/verify/{certificate.code}/")
    assert page.locator("h1").inner_text().strip() == "Valid"
    content = page.content()
    assert "Harbour Logistics" in content and "policy.pdf" not in content
    page.screenshot(path=str(output_dir / "verify-organisation.png"), full_page=True)
    assert User.objects.filter(email=hr.email).exists()
