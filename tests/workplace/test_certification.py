"""An employer's self-assessment: who may work on it, answers kept as history,
evidence checked by content and stored privately, the training requirement at its
boundary, submission, and the assessors' review up to the certificate."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from academy.certificates.models import OrganisationCertificate
from academy.core.models import AuditEvent
from academy.organisations.models import Membership, Organisation
from academy.workplace import services
from academy.workplace.models import Certification, CriterionAnswer, Evidence

from .. import factories
from .conftest import PDF, member, png_bytes

pytestmark = pytest.mark.django_db


def _start(client, user):
    client.force_login(user)
    response = client.post("/en/workplace/start/")
    assert response.status_code == 302, response.content.decode()[:300]
    return Certification.objects.get()


def _answer(client, key, answer="met", statement="We do this; see the policy."):
    return client.post(
        f"/en/workplace/criteria/{key}/", {"answer": answer, "statement": statement}
    )


def _upload(client, key, data, name="policy.pdf", content_type="application/pdf"):
    return client.post(
        f"/en/workplace/criteria/{key}/evidence/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def _private_files():
    from django.conf import settings

    root = settings.STORAGES["private"]["OPTIONS"]["location"]
    found = []
    for folder, _dirs, files in os.walk(root):
        found += [
            os.path.join(folder, f) for f in files if "workplace-evidence" in folder
        ]
    return found


# ---------------------------------------------------------------------------
# Who may open it.


def test_only_an_employers_managers_and_coordinators_open_it(
    client, standard, employer, hr
):
    assert client.get("/en/workplace/").status_code == 302  # sign in first
    worker = member(employer, email="worker@harbour.example.org")
    client.force_login(worker)
    page = client.get("/en/workplace/")
    assert page.status_code == 403 and "managers and training coordinators" in (
        page.content.decode()
    )
    police = Organisation.objects.create(
        name="Riverside PD", kind="police", jurisdiction="us"
    )
    client.force_login(member(police, coordinator=True, manager=True))
    assert client.get("/en/workplace/").status_code == 403
    client.force_login(hr)
    page = client.get("/en/workplace/").content.decode()
    assert "Harbour Logistics" in page and "Start the self-assessment" in page
    assert 'href="/en/workplace/"' in page  # the navigation offers it


def test_another_employers_manager_sees_nothing_of_ours(client, standard, employer, hr):
    certification = _start(client, hr)
    _upload(client, "lead-policy", PDF)
    evidence = Evidence.objects.get()
    other = Organisation.objects.create(
        name="Quayside Foods", kind="employer", jurisdiction="coe_eu"
    )
    stranger = member(other, manager=True, coordinator=True)
    client.force_login(stranger)
    page = client.get("/en/workplace/").content.decode()
    assert "Quayside Foods" in page and "Harbour" not in page
    assert client.get(f"/en/workplace/evidence/{evidence.pk}/").status_code == 404
    assert (
        client.post(f"/en/workplace/evidence/{evidence.pk}/remove/").status_code == 404
    )
    with pytest.raises(services.NotAllowed):
        services.criterion_answer_save(
            certification=certification,
            criterion_key="lead-policy",
            answer="met",
            statement="x",
            by=stranger,
        )


# ---------------------------------------------------------------------------
# Answers and evidence.


def test_every_answer_is_kept_and_bad_input_writes_nothing(
    client, standard, employer, hr
):
    _start(client, hr)
    assert (
        _answer(client, "lead-policy", "partly", "A draft policy.").status_code == 302
    )
    assert (
        _answer(client, "lead-policy", "met", "Approved in March.").status_code == 302
    )
    assert CriterionAnswer.objects.count() == 2
    page = client.get("/en/workplace/criteria/lead-policy/").content.decode()
    assert (
        "Approved in March." in page and "History" in page and "A draft policy." in page
    )
    for bad in (
        {"answer": "perhaps", "statement": "x"},
        {"answer": "met", "statement": "   "},
        {"answer": "met", "statement": "x" * 4001},
    ):
        response = client.post("/en/workplace/criteria/lead-policy/", bad)
        assert response.status_code == 400
    assert client.get("/en/workplace/criteria/no-such-thing/").status_code == 404
    assert CriterionAnswer.objects.count() == 2


def test_evidence_is_checked_by_content_and_kept_private(
    client, standard, employer, hr, settings
):
    before = set(_private_files())
    _start(client, hr)
    assert _upload(client, "lead-policy", PDF).status_code == 302
    # A real PNG sent under a PDF's name is kept as what it is.
    assert (
        _upload(client, "lead-policy", png_bytes(), name="scan.pdf").status_code == 302
    )
    kinds = sorted(Evidence.objects.values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/png"]
    evidence = Evidence.objects.get(content_type="application/pdf")
    with pytest.raises(ValueError, match="no public address"):
        _ = evidence.file.url
    refused = [
        (b"Hello, I am not a PDF", "letter.pdf"),
        (b"GIF89a\x01\x00\x01\x00", "photo.png"),
        (b"%PDF-1.4\nno end", "broken.pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "broken.png"),
        (b"", "empty.pdf"),
    ]
    for data, name in refused:
        response = _upload(client, "lead-policy", data, name=name)
        assert response.status_code == 400, name
        assert "errorlist" in response.content.decode()
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    response = _upload(client, "lead-policy", big, name="huge.pdf")
    assert response.status_code in (400, 413)
    assert "10 MB" in response.content.decode()
    assert Evidence.objects.count() == 2
    stored = set(_private_files()) - before
    assert len(stored) == 2  # nothing of the refused files was stored


def test_a_removed_file_is_deleted_and_its_row_says_so(
    client, standard, employer, hr, django_capture_on_commit_callbacks
):
    before = set(_private_files())
    _start(client, hr)
    _upload(client, "lead-policy", PDF)
    evidence = Evidence.objects.get()
    assert client.get(f"/en/workplace/evidence/{evidence.pk}/").status_code == 200
    response = client.get(f"/en/workplace/evidence/{evidence.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF  # read to the end: closed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/workplace/evidence/{evidence.pk}/remove/")
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.removed_at is not None and evidence.removed_by == hr
    assert set(_private_files()) == before
    assert client.get(f"/en/workplace/evidence/{evidence.pk}/").status_code == 404
    page = client.get("/en/workplace/criteria/lead-policy/").content.decode()
    assert "removed the file" in page


def test_only_pdf_png_and_jpeg_count_whatever_the_browser_says(
    client, standard, employer, hr
):
    _start(client, hr)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = _upload(
        client, "lead-policy", svg, name="logo.png", content_type="image/png"
    )
    assert response.status_code == 400 and not Evidence.objects.exists()


# ---------------------------------------------------------------------------
# The training requirement, at its boundary.


@pytest.mark.parametrize(
    ("managers", "certified", "holds"),
    [(5, 4, True), (5, 3, False), (19, 15, False), (20, 16, True), (1, 1, True)],
)
def test_the_training_requirement_at_eighty_percent(
    standard, employer, managers, certified, holds
):
    from academy.workplace.selectors import training_check

    for n in range(managers):
        user = member(employer, manager=True)
        if n < certified:
            factories.make_certificate(user=user, course_key="employers")
    check = training_check(organisation=employer, standard=standard)
    assert check.managers_ok is holds
    assert check.managers_certified == certified


def test_supervisors_need_foundations_and_expired_certificates_do_not_count(
    standard, employer, hr
):
    from academy.workplace.selectors import training_check

    supervisor = member(employer, supervisor=True)
    check = training_check(organisation=employer, standard=standard)
    assert check.managers_ok and not check.supervisors_ok
    factories.make_certificate(
        user=supervisor,
        course_key="foundations",
        issued_at=factories.timezone.now() - __import__("datetime").timedelta(days=800),
    )
    check = training_check(organisation=employer, standard=standard)
    assert not check.supervisors_ok  # expired: it does not count
    factories.make_certificate(user=supervisor, course_key="foundations")
    assert training_check(organisation=employer, standard=standard).holds


def test_only_coordinators_mark_managers_and_supervisors(
    client, standard, employer, hr
):
    manager = member(employer, manager=True, email="tom@harbour.example.org")
    worker = member(employer, email="eva@harbour.example.org")
    client.force_login(manager)
    response = client.post(
        "/en/workplace/people/", {"person": worker.pk, "is_manager": "on"}
    )
    assert response.status_code == 403
    client.force_login(hr)
    response = client.post(
        "/en/workplace/people/",
        {"person": worker.pk, "supervises_partnership_hire": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=worker)
    assert membership.supervises_partnership_hire and not membership.is_manager
    assert AuditEvent.objects.filter(action="member.employer_roles").exists()
    assert client.post("/en/workplace/people/", {"person": 999999}).status_code == 400


# ---------------------------------------------------------------------------
# Submission and review.


def _answer_all(client, keys=("lead-policy", "lead-review", "rec-records")):
    for key in keys:
        assert _answer(client, key).status_code == 302


def test_nothing_is_submitted_before_it_is_complete(client, standard, employer, hr):
    certification = _start(client, hr)
    _answer(client, "lead-policy")
    response = client.post("/en/workplace/submit/")
    assert response.status_code == 400
    assert "1 still to do" in response.content.decode()
    _answer(client, "rec-records")
    uncertified = member(employer, manager=True)  # 1 of 2 managers: 50%
    response = client.post("/en/workplace/submit/")
    assert (
        response.status_code == 400 and "1 of 2 have one" in response.content.decode()
    )
    factories.make_certificate(user=uncertified, course_key="employers")
    page = client.get("/en/workplace/").content.decode()
    assert "Submit for review" in page
    assert client.post("/en/workplace/submit/").status_code == 302
    certification.refresh_from_db()
    assert certification.status == "submitted"
    # Submitted: the organisation cannot change it now.
    assert _answer(client, "lead-policy", statement="Changed").status_code == 400
    assert _upload(client, "lead-policy", PDF).status_code in (400, 404)


def _review(client, certification, key, decision, comment=""):
    return client.post(
        f"/admin/workplace/{certification.pk}/criterion/",
        {"criterion": key, "decision": decision, "comment": comment},
    )


def test_the_assessors_return_then_approve(
    client, standard, employer, hr, assessor, django_capture_on_commit_callbacks
):
    certification = _start(client, hr)
    _answer_all(client)
    _upload(client, "lead-policy", PDF)
    client.post("/en/workplace/submit/")
    client.force_login(assessor)
    queue = client.get("/admin/workplace/").content.decode()
    assert "Harbour Logistics" in queue
    page = client.get(f"/admin/workplace/{certification.pk}/").content.decode()
    assert "policy.pdf" in page and "We do this; see the policy." in page
    assert _review(client, certification, "rec-records", "more").status_code == 400
    assert (
        _review(
            client, certification, "rec-records", "more", "Which roles see records?"
        ).status_code
        == 302
    )
    assert _review(client, certification, "lead-policy", "accepted").status_code == 302
    # Not every required criterion is accepted: no approval.
    response = client.post(f"/admin/workplace/{certification.pk}/approve/")
    assert response.status_code == 400 and not OrganisationCertificate.objects.exists()
    assert (
        client.post(
            f"/admin/workplace/{certification.pk}/return/", {"note": ""}
        ).status_code
        == 400
    )
    client.post(
        f"/admin/workplace/{certification.pk}/return/",
        {"note": "Please say which roles see records."},
    )
    certification.refresh_from_db()
    assert certification.status == "returned"
    # The organisation reads the note and the comment, changes the criterion.
    client.force_login(hr)
    overview = client.get("/en/workplace/").content.decode()
    assert "Please say which roles see records." in overview
    criterion = client.get("/en/workplace/criteria/rec-records/").content.decode()
    assert "Which roles see records?" in criterion
    _answer(client, "rec-records", statement="Only for driving roles, by law.")
    client.post("/en/workplace/submit/")
    client.force_login(assessor)
    _review(client, certification, "rec-records", "accepted")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/workplace/{certification.pk}/approve/")
    assert response.status_code == 302
    certification.refresh_from_db()
    certificate = certification.certificate
    assert certification.status == "approved"
    # The recommended criterion was not accepted: certified, not with distinction.
    assert certificate.level == "certified"
    assert [d["key"] for d in certificate.domains_met] == ["leadership", "recruitment"]
    assert certificate.holder_name == "Harbour Logistics" and certificate.pdf_sha256
    actions = set(
        AuditEvent.objects.filter(action__startswith="workplace.").values_list(
            "action", flat=True
        )
    )
    assert {
        "workplace.start",
        "workplace.answer",
        "workplace.evidence.add",
        "workplace.submit",
        "workplace.review",
        "workplace.return",
        "workplace.approve",
    } <= actions
    # Verification shows the organisation and what it met, nothing of the evidence.
    client.logout()
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Harbour Logistics" in page and "Certified" in page
    assert "Fair recruitment" in page and "policy.pdf" not in page
    assert "Only for driving roles" not in page


def test_every_recommended_criterion_met_and_accepted_earns_distinction(
    client, standard, employer, hr, assessor
):
    certification = _start(client, hr)
    _answer_all(client)
    client.post("/en/workplace/submit/")
    client.force_login(assessor)
    for key in ("lead-policy", "lead-review", "rec-records"):
        _review(client, certification, key, "accepted")
    client.post(f"/admin/workplace/{certification.pk}/approve/")
    certification.refresh_from_db()
    assert certification.certificate.level == "distinction"


def test_nobody_reviews_their_own_organisation_or_without_the_role(
    client, standard, employer, hr, assessor
):
    certification = _start(client, hr)
    _answer_all(client)
    client.post("/en/workplace/submit/")
    # An assessor who belongs to Harbour.
    Membership.objects.create(
        user=assessor, organisation=employer, accepted_at=factories.timezone.now()
    )
    client.force_login(assessor)
    assert "Harbour" not in client.get("/admin/workplace/").content.decode()
    # Wagtail's admin answers a refusal by sending back to its dashboard.
    assert client.get(f"/admin/workplace/{certification.pk}/").status_code in (302, 403)
    assert _review(client, certification, "lead-policy", "accepted").status_code in (
        302,
        403,
    )
    assert client.post(f"/admin/workplace/{certification.pk}/approve/").status_code in (
        302,
        403,
    )
    with pytest.raises(services.NotAllowed):
        services.certification_approve(certification=certification, reviewer=assessor)
    # The organisation's own manager, in the admin: no.
    hr.is_staff = True
    hr.save()
    client.force_login(hr)
    assert client.get(f"/admin/workplace/{certification.pk}/").status_code in (302, 403)
    assert not OrganisationCertificate.objects.exists()
