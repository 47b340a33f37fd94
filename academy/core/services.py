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
    event = audit_event_new(
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        client_address=client_address,
        details=details,
    )
    event.save()
    return event


def audit_event_new(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    client_address: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """One event, not yet saved: audit_events_record appends many in one query."""
    return AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        organisation=organisation,
        client_address=client_address,
        details=details or {},
    )


def audit_events_record(*, events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many events to the audit trail at once (bulk work)."""
    return AuditEvent.objects.bulk_create(events)
