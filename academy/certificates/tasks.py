from functools import partial

from django.db import transaction
from django_tasks import task

from .notices import expiry_notice_deliver
from .services import certificates_issue_bulk, certificates_pdf_ensure


@task(backend="academy")
def certificates_backfill(enrollment_ids: list[int]) -> dict:
    """Issue every earned, missing certificate of these enrolments (after an outage
    or an import) in bulk, then, once that is committed, render every missing PDF
    (a new certificate's, or one whose rendering failed). Workers run batches side by
    side: one core each."""
    result = certificates_issue_bulk(enrollment_ids=enrollment_ids)
    unrendered = [c for c in result.certificates.values() if not c.pdf_sha256]
    transaction.on_commit(partial(certificates_pdf_ensure, certificates=unrendered))
    return {
        "issued": len(result.issued),
        "rendered": len(unrendered),
        "checked": len(enrollment_ids),
    }


@task(backend="academy")
def expiry_notice_send(certificate_id: int, days: int) -> bool:
    """Ids only: the queue keeps its arguments."""
    return expiry_notice_deliver(certificate_id=certificate_id, days=days)
