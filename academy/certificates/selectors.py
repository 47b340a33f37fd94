"""Reads for certificates: what a verifier may see, and a learner's own."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from academy.core.models import User
from academy.courses.models import CoursePage
from academy.courses.selectors import course_get_by_key

from . import codes
from .models import (
    STATUS_LIST_SIZE,
    Certificate,
    CertificateRevision,
    CredentialSlot,
    OrganisationCertificate,
    Transcript,
)

EXPIRING_DAYS = 90  # "expiring" for learners and coordinators, as notices start


@dataclass(frozen=True)
class Lookup:
    """The answer to "is this a certificate we issued?"."""

    outcome: str  # "found", "not_found", "mistyped", "malformed"
    code: str = ""
    # A person's certificate, an organisation's, or a transcript: one code space.
    certificate: Certificate | OrganisationCertificate | Transcript | None = None


def certificate_lookup(*, typed: str) -> Lookup:
    try:
        code = codes.normalise(typed)
    except codes.Mistyped:
        return Lookup("mistyped", typed.strip())
    except codes.Malformed:
        return Lookup("malformed", (typed or "").strip()[:40])
    certificate = (
        _by_code(Certificate, code)
        or _by_code(OrganisationCertificate, code)
        or _by_code(Transcript, code)
    )
    return Lookup("found" if certificate else "not_found", code, certificate)


def _by_code(model, code: str):
    """The row with this (unique) code, as the ORM would load it. Every public
    verification makes this one read, and Django compiling the same query on each
    request was most of its time (`make bench-http`), so the statement and the
    converters are made once per model and database (`_by_code_plan`)."""
    sql, converters = _by_code_plan(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, column, chain in converters:
        for convert in chain:
            values[i] = convert(values[i], column, connection)
    return model.from_db(connection.alias, None, values)


@functools.cache
def _by_code_plan(model, vendor: str):
    """The SELECT of every concrete field by code, and for each column the
    converters a QuerySet applies (SQLCompiler.get_converters: the backend's, then
    the field's). They depend on the model and the kind of database only."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} "
        f"FROM {quote(table)} WHERE {quote('code')} = %s"
    )
    converters = []
    for i, field in enumerate(fields):
        column = field.get_col(table)
        chain = connection.ops.get_db_converters(column)
        chain += column.get_db_converters(connection)
        if chain:
            converters.append((i, column, chain))
    return sql, converters


def certificates_by_codes(*, typed: list[str]) -> dict[str, Lookup]:
    """`certificate_lookup` for many codes in one query."""
    normal: dict[str, tuple[str, str]] = {}
    for entry in typed:
        try:
            normal[entry] = ("ok", codes.normalise(entry))
        except codes.Mistyped:
            normal[entry] = ("mistyped", entry.strip())
        except codes.Malformed:
            normal[entry] = ("malformed", (entry or "").strip()[:40])
    wanted = [code for kind, code in normal.values() if kind == "ok"]
    found: dict[str, Certificate | OrganisationCertificate | Transcript] = {
        c.code: c for c in Certificate.objects.filter(code__in=wanted)
    }
    found |= {
        c.code: c for c in OrganisationCertificate.objects.filter(code__in=wanted)
    }
    found |= {c.code: c for c in Transcript.objects.filter(code__in=wanted)}
    result = {}
    for entry, (kind, code) in normal.items():
        if kind != "ok":
            result[entry] = Lookup(kind, code)
        else:
            certificate = found.get(code)
            result[entry] = Lookup(
                "found" if certificate else "not_found", code, certificate
            )
    return result


def status_list_numbers() -> int:
    """How many status lists exist (the highest index used decides)."""
    top = (
        CredentialSlot.objects.order_by("-status_index")
        .values_list("status_index", flat=True)
        .first()
    )
    return (top or 0) // STATUS_LIST_SIZE + 1


@dataclass(frozen=True)
class PdfMatch:
    code: str
    superseded: bool = False  # an earlier version of a re-issued certificate


def certificate_by_pdf(*, data: bytes) -> PdfMatch | None:
    """Which of our documents this file is, by its SHA-256: a certificate (or an
    earlier version of one), an organisation's certificate or a transcript."""
    digest = hashlib.sha256(data).hexdigest()
    for model in (Certificate, OrganisationCertificate, Transcript):
        code = (
            model.objects.filter(pdf_sha256=digest)
            .values_list("code", flat=True)
            .first()
        )
        if code:
            return PdfMatch(code)
    earlier = (
        CertificateRevision.objects.filter(pdf_sha256=digest)
        .values_list("certificate__code", flat=True)
        .first()
    )
    return PdfMatch(earlier, superseded=True) if earlier else None


def valid_course_keys(*, user: User, at: datetime | None = None) -> set[str]:
    """Keys of the courses the person holds a valid certificate of, now (or at)."""
    return set(
        Certificate.objects.filter(user=user)
        .valid(at=at)
        .values_list("course_key", flat=True)
    )


def certificate_for_user(*, user: User, code: str) -> Certificate | None:
    return Certificate.objects.filter(user=user, code=code).first()


def is_expiring(certificate: Certificate, at=None) -> bool:
    at = at or timezone.now()
    return (
        certificate.status_at(at) == Certificate.Status.VALID
        and (certificate.expires_at - at).days < EXPIRING_DAYS
    )


@dataclass(frozen=True)
class Achievement:
    """What a certificate of one course version stands for: the Achievement its
    credentials embed (as issued, from one of those certificates), and the live
    course while it is still at that version."""

    certificate: Certificate | OrganisationCertificate
    course: CoursePage | None = None


def achievement_get(
    *, course_key: str, version: str, language: str
) -> Achievement | None:
    """The Achievement at /achievements/<course>/<version> (the `id` credentials give
    it): from a certificate issued for that version, in the visitor's language when
    there is one. None when no certificate names it."""
    issued = Certificate.objects.filter(course_key=course_key, course_version=version)
    certificate = (
        issued.filter(language=language).order_by("issued_at").first()
        or issued.order_by("issued_at").first()
    )
    if certificate is None:
        # A standard at one level, e.g. "workplace-distinction": an organisation's.
        standard, _, level = course_key.rpartition("-")
        organisations = OrganisationCertificate.objects.filter(
            standard_key=standard, level=level, standard_version=version
        )
        held = (
            organisations.filter(language=language).order_by("issued_at").first()
            or organisations.order_by("issued_at").first()
        )
        return Achievement(certificate=held) if held is not None else None
    course = course_get_by_key(key=course_key)
    if course is not None and course.version_label != version:
        course = None
    return Achievement(certificate=certificate, course=course)
