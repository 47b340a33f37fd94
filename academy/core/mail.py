"""Email in the recipient's language and time zone, from a subject and a body
template: the one way the academy writes to people."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation


def send_templated_mail(
    *, to: str, language: str, template: str, context: dict, time_zone: str = "UTC"
) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` and send them."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(language), timezone.override(zone):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
