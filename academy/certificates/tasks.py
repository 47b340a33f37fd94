from django_tasks import task

from academy.courses.models import Enrollment

from .models import Certificate
from .notices import expiry_notice_deliver
from .services import certificate_issue, certificate_pdf_ensure


@task(backend="academy")
def certificates_backfill(enrollment_ids: list[int]) -> dict:
    """Issue every earned, missing certificate and render every missing PDF (after an
    outage, an import or a failed rendering)."""
    issued = rendered = 0
    for enrollment in Enrollment.objects.filter(pk__in=enrollment_ids):
        had = Certificate.objects.filter(enrollment=enrollment).exists()
        certificate = certificate_issue(enrollment=enrollment)
        if certificate is None:
            continue
        issued += not had
        if not certificate.pdf_sha256:
            certificate_pdf_ensure(certificate=certificate)
            rendered += 1
    return {"issued": issued, "rendered": rendered, "checked": len(enrollment_ids)}


@task(backend="academy")
def expiry_notice_send(certificate_id: int, days: int) -> bool:
    """Ids only: the queue keeps its arguments."""
    return expiry_notice_deliver(certificate_id=certificate_id, days=days)
