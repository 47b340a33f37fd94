from django.db import models

from .models import AuditEvent


def audit_event_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    client_address: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        organisation=organisation,
        client_address=client_address,
        details=details or {},
    )
