"""Checking many certificates at once: a CSV of codes in (one per row, first
column), a CSV of statuses out. Pure: bytes in, bytes or a problem out."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from academy.core.spreadsheets import safe

from . import selectors
from .models import OrganisationCertificate, Transcript

HEADER = ["code", "status", "holder", "course", "version", "issued", "expires"]
HEADER += ["revoked_on"]


@dataclass(frozen=True)
class BulkProblem:
    message: str


def codes_from_csv(raw: bytes, *, max_codes: int) -> list[str] | BulkProblem:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return BulkProblem(_("Save the file as UTF-8 text (CSV) and try again."))
    try:
        typed = [
            row[0].strip()[:64]
            for row in csv.reader(io.StringIO(text))
            if row and row[0].strip()
        ]
    except csv.Error:
        return BulkProblem(_("The file is not readable as CSV."))
    if typed and typed[0].casefold() in ("code", "codes", "certificate code"):
        typed = typed[1:]
    if not typed:
        return BulkProblem(_("The file has no codes in its first column."))
    if len(typed) > max_codes:
        return BulkProblem(
            _("At most %(max)s codes a file; this one has %(n)s.")
            % {"max": max_codes, "n": len(typed)}
        )
    return typed


def statuses_csv(codes: list[str]) -> bytes:
    """One row per code typed: its status and, for certificates we issued, what a
    verifier may see. Cells are written as text (no spreadsheet formulas)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    found = selectors.certificates_by_codes(typed=codes)
    for entry in codes:
        lookup = found[entry]
        c = lookup.certificate
        if c is None:
            writer.writerow([safe(entry), lookup.outcome, "", "", "", "", "", ""])
            continue
        if isinstance(c, Transcript):
            writer.writerow(
                [
                    c.code,
                    "transcript",
                    safe(c.holder_name),
                    safe(pgettext("record of training", "Transcript")),
                    "",
                    c.created_at.date().isoformat(),
                    "",
                    "",
                ]
            )
            continue
        if isinstance(c, OrganisationCertificate):
            what = f"{c.standard_title}: {c.get_level_display()}"
            version, start, end = c.standard_version, c.valid_from, c.valid_until
        else:
            what, version, start, end = (
                c.course_title,
                c.course_version,
                c.issued_at,
                c.expires_at,
            )
        writer.writerow(
            [
                c.code,
                c.status,
                safe(c.holder_name),
                safe(what),
                safe(version),
                start.date().isoformat(),
                end.date().isoformat(),
                c.revoked_at.date().isoformat() if c.revoked_at else "",
            ]
        )
    return out.getvalue().encode("utf-8")
