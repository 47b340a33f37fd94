"""The certificate as a PDF: A4 landscape, printable in black and white, in the
learner's language. A pure function of the certificate: no database writes, no
request, and the same certificate always gives the same bytes (invariant mode)."""

from __future__ import annotations

import io
import re
import unicodedata
from functools import cache
from pathlib import Path

import arabic_reshaper
import fontpkg_noto_sans
import fontpkg_noto_sans_arabic
import qrcode
import qrcode.constants
from bidi import get_display
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .credentials import public_url

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 36  # points
LATIN = "AcademyNotoSans"  # Latin, Greek, Cyrillic, Vietnamese
ARABIC = "AcademyNotoSansArabic"
INK = (0.11, 0.14, 0.2)
RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


@cache
def register_fonts() -> None:
    """Noto Sans and Noto Sans Arabic come from PyPI packages, so every machine
    renders with the same fonts and nothing depends on system packages."""
    latin = sorted(
        Path(fontpkg_noto_sans.__file__).parent.glob("files/NotoSans[[]*.ttf")
    )
    arabic = sorted(Path(fontpkg_noto_sans_arabic.__file__).parent.glob("files/*.ttf"))
    pdfmetrics.registerFont(TTFont(LATIN, str(latin[0])))
    pdfmetrics.registerFont(TTFont(ARABIC, str(arabic[0])))


_RTL = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in RTL_RANGES) + "]")


def _is_rtl(ch: str) -> bool:
    return _RTL.match(ch) is not None


def visual_runs(text: str) -> list[tuple[str, str]]:
    """The text in display order, split into (font, run): Arabic joined and laid out
    right to left, everything else left to right, each run in a font that has it."""
    text = unicodedata.normalize("NFC", text)
    if _RTL.search(text):
        text = get_display(arabic_reshaper.reshape(text))
    runs: list[tuple[str, str]] = []
    for ch in text:
        if _is_rtl(ch):
            font = ARABIC
        elif ch.isspace() or unicodedata.category(ch).startswith("P"):
            font = runs[-1][0] if runs else LATIN  # neutral: stay in the current run
        else:
            font = LATIN
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def _width(runs, size) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs)


def draw_centred(c: canvas.Canvas, text: str, y: float, size: float, *, max_width=None):
    runs = visual_runs(text)
    width = _width(runs, size)
    if max_width and width > max_width:  # long names and titles shrink to fit
        size = size * max_width / width
        width = _width(runs, size)
    x = (PAGE_WIDTH - width) / 2
    for font, run in runs:
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code (error correction M, the mask the standard's penalty rules pick)
    as one filled path: each run of dark modules in a row is a rectangle, and a run
    that repeats in the rows below grows down instead of starting another, which
    halves the path. python-qrcode chooses the mask about half again as fast as
    reportlab's encoder, and the mask search was half of a certificate's time."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    count = len(matrix)
    quiet = 2
    module = size / (count + 2 * quiet)
    runs: dict[tuple[int, int], tuple[int, int]] = {}  # (start, end) -> (top, rows)
    blocks: list[tuple[int, int, int, int]] = []  # start, end, top row, rows
    for row, cells in enumerate(matrix):
        now: dict[tuple[int, int], tuple[int, int]] = {}
        col = 0
        while col < count:
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < count and cells[col]:
                col += 1
            top, rows = runs.pop((start, col), (row, 0))
            now[(start, col)] = (top, rows + 1)
        blocks.extend((s, e, top, rows) for (s, e), (top, rows) in runs.items())
        runs = now
    blocks.extend((s, e, top, rows) for (s, e), (top, rows) in runs.items())
    path = c.beginPath()
    for start, end, top, rows in blocks:
        path.rect(
            x + (start + quiet) * module,
            y + size - (top + rows + quiet) * module,
            (end - start) * module,
            rows * module,
        )
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)


def render_certificate_pdf(certificate) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    c = canvas.Canvas(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1
    )
    verify_url = public_url(f"/verify/{certificate.code}/")
    with translation.override(certificate.language):
        c.setTitle(_("Certificate %(code)s") % {"code": certificate.code})
        c.setAuthor(_("Trauma-Informed Academy"))
        # Frame: a double rule, readable in black and white.
        c.setStrokeColorRGB(*INK)
        c.setLineWidth(2.5)
        c.rect(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN)
        c.setLineWidth(0.8)
        c.rect(
            MARGIN + 7,
            MARGIN + 7,
            PAGE_WIDTH - 2 * MARGIN - 14,
            PAGE_HEIGHT - 2 * MARGIN - 14,
        )
        c.setFillColorRGB(*INK)
        usable = PAGE_WIDTH - 2 * MARGIN - 80
        draw_centred(c, _("Trauma-Informed Academy"), 500, 16)
        draw_centred(c, _("Certificate of completion"), 455, 30, max_width=usable)
        draw_centred(c, _("This certifies that"), 412, 14)
        draw_centred(c, certificate.holder_name, 365, 34, max_width=usable)
        draw_centred(
            c,
            _("has completed the course and passed its certifying assessment"),
            328,
            14,
            max_width=usable,
        )
        draw_centred(c, certificate.course_title, 290, 22, max_width=usable)
        hours = formats.number_format(certificate.contact_hours, decimal_pos=1)
        draw_centred(
            c,
            _("Version %(version)s · %(hours)s contact hours")
            % {"version": certificate.course_version, "hours": hours},
            258,
            13,
        )
        issued = formats.date_format(certificate.issued_at, "DATE_FORMAT")
        expires = formats.date_format(certificate.expires_at, "DATE_FORMAT")
        if certificate.valid_from > certificate.issued_at:
            starts = formats.date_format(certificate.valid_from, "DATE_FORMAT")
            dates = _("Issued %(issued)s · valid from %(start)s until %(expires)s") % {
                "issued": issued,
                "start": starts,
                "expires": expires,
            }
        else:
            dates = _("Issued %(issued)s · valid until %(expires)s") % {
                "issued": issued,
                "expires": expires,
            }
        draw_centred(c, dates, 232, 13, max_width=usable)
        through = (certificate.requirements or {}).get("renewed_through")
        if through:
            draw_centred(
                c,
                _("Renewed through %(course)s") % {"course": through["title"]},
                210,
                11,
                max_width=usable,
            )
        draw_centred(
            c, _("Certificate code: %(code)s") % {"code": certificate.code}, 150, 13
        )
        draw_centred(
            c,
            _("Check it at %(url)s or scan the code") % {"url": public_url("/verify/")},
            130,
            11,
            max_width=usable,
        )
        draw_qr(c, verify_url, PAGE_WIDTH - MARGIN - 20 - 110, MARGIN + 20, 110)
    c.showPage()
    c.save()
    return buffer.getvalue()


def render_organisation_certificate_pdf(certificate) -> bytes:
    """The organisation's certificate: same frame, fonts and QR as a person's, in the
    organisation's language; what it certifies and the domains met, never evidence."""
    register_fonts()
    buffer = io.BytesIO()
    c = canvas.Canvas(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1
    )
    verify_url = public_url(f"/verify/{certificate.code}/")
    with translation.override(certificate.language):
        c.setTitle(_("Certificate %(code)s") % {"code": certificate.code})
        c.setAuthor(_("Trauma-Informed Academy"))
        c.setStrokeColorRGB(*INK)
        c.setLineWidth(2.5)
        c.rect(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN)
        c.setLineWidth(0.8)
        c.rect(
            MARGIN + 7,
            MARGIN + 7,
            PAGE_WIDTH - 2 * MARGIN - 14,
            PAGE_HEIGHT - 2 * MARGIN - 14,
        )
        c.setFillColorRGB(*INK)
        usable = PAGE_WIDTH - 2 * MARGIN - 80
        draw_centred(c, _("Trauma-Informed Academy"), 505, 16)
        draw_centred(c, certificate.standard_title, 462, 28, max_width=usable)
        draw_centred(c, _("This certifies that"), 425, 14)
        draw_centred(c, certificate.holder_name, 382, 32, max_width=usable)
        if certificate.holder_place:
            draw_centred(c, certificate.holder_place, 356, 13, max_width=usable)
        draw_centred(
            c,
            _(
                "meets the standard, as reviewed by the academy's assessors, "
                "at the level"
            ),
            326,
            14,
            max_width=usable,
        )
        draw_centred(c, certificate.get_level_display(), 294, 22, max_width=usable)
        domains = " · ".join(d["title"] for d in certificate.domains_met)
        draw_centred(
            c,
            _("Domains met: %(domains)s") % {"domains": domains},
            266,
            10.5,
            max_width=usable,
        )
        valid_from = formats.date_format(certificate.valid_from, "DATE_FORMAT")
        expires = formats.date_format(certificate.expires_at, "DATE_FORMAT")
        draw_centred(
            c,
            _("Standard version %(version)s · valid from %(start)s until %(end)s")
            % {
                "version": certificate.standard_version,
                "start": valid_from,
                "end": expires,
            },
            238,
            12.5,
            max_width=usable,
        )
        draw_centred(
            c,
            _(
                "Valid while a senior manager attests each year that nothing "
                "material has changed."
            ),
            218,
            11,
            max_width=usable,
        )
        draw_centred(
            c, _("Certificate code: %(code)s") % {"code": certificate.code}, 150, 13
        )
        draw_centred(
            c,
            _("Check it at %(url)s or scan the code") % {"url": public_url("/verify/")},
            130,
            11,
            max_width=usable,
        )
        draw_qr(c, verify_url, PAGE_WIDTH - MARGIN - 20 - 110, MARGIN + 20, 110)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _draw_line(
    c: canvas.Canvas, text: str, y: float, size: float, *, rtl: bool, width: float
) -> None:
    """One line at the start edge of the reading direction (left, or right in
    Arabic), shrunk to fit the width."""
    runs = visual_runs(text)
    measured = _width(runs, size)
    if measured > width:
        size = size * width / measured
        measured = _width(runs, size)
    x = (PORTRAIT_WIDTH - MARGIN - measured) if rtl else MARGIN
    for font, run in runs:
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


PORTRAIT_WIDTH, PORTRAIT_HEIGHT = A4


def render_transcript_pdf(transcript) -> bytes:
    """A learner's transcript: A4 portrait, every course and cycle, in their language,
    with the code and a QR to check it. Pages break as the list grows."""
    register_fonts()
    buffer = io.BytesIO()
    c = canvas.Canvas(
        buffer,
        pagesize=(PORTRAIT_WIDTH, PORTRAIT_HEIGHT),
        invariant=1,
        pageCompression=1,
    )
    rtl = transcript.language == "ar"
    usable = PORTRAIT_WIDTH - 2 * MARGIN
    verify_url = public_url(f"/verify/{transcript.code}/")
    with translation.override(transcript.language):
        c.setTitle(_("Transcript %(code)s") % {"code": transcript.code})
        c.setAuthor(_("Trauma-Informed Academy"))

        def header() -> float:
            c.setFillColorRGB(*INK)
            _draw_line(
                c,
                _("Trauma-Informed Academy"),
                PORTRAIT_HEIGHT - 60,
                12,
                rtl=rtl,
                width=usable,
            )
            _draw_line(
                c,
                pgettext("record of training", "Transcript"),
                PORTRAIT_HEIGHT - 90,
                22,
                rtl=rtl,
                width=usable,
            )
            _draw_line(
                c,
                transcript.holder_name,
                PORTRAIT_HEIGHT - 118,
                16,
                rtl=rtl,
                width=usable,
            )
            made = formats.date_format(transcript.created_at, "DATE_FORMAT")
            _draw_line(
                c,
                _("Made on %(date)s · code %(code)s")
                % {"date": made, "code": transcript.code},
                PORTRAIT_HEIGHT - 138,
                10,
                rtl=rtl,
                width=usable,
            )
            return PORTRAIT_HEIGHT - 175

        y = header()
        if not transcript.entries:
            _draw_line(c, _("No course taken yet."), y, 11, rtl=rtl, width=usable)
        for entry in transcript.entries:
            if y < 150:
                c.showPage()
                y = header()
            _draw_line(
                c,
                _("%(course)s · cycle %(cycle)s")
                % {"course": entry["course"], "cycle": entry["cycle"]},
                y,
                12,
                rtl=rtl,
                width=usable,
            )
            y -= 16
            passed = entry["passed"] or _("not yet")
            _draw_line(
                c,
                _("Started %(start)s · attempts %(n)s · passed %(passed)s")
                % {"start": entry["started"], "n": entry["attempts"], "passed": passed},
                y,
                10,
                rtl=rtl,
                width=usable,
            )
            y -= 14
            cert = entry.get("certificate")
            if cert:
                _draw_line(
                    c,
                    _(
                        "Certificate %(code)s · version %(version)s · "
                        "valid %(start)s to %(end)s"
                    )
                    % {
                        "code": cert["code"],
                        "version": cert["version"],
                        "start": cert["valid_from"],
                        "end": cert["expires"],
                    },
                    y,
                    10,
                    rtl=rtl,
                    width=usable,
                )
                y -= 14
            y -= 10
        _draw_line(
            c,
            _("Check this transcript at %(url)s; each certificate by its own code.")
            % {"url": verify_url},
            MARGIN + 40,
            9,
            rtl=rtl,
            width=usable - 100,
        )
        draw_qr(
            c,
            verify_url,
            PORTRAIT_WIDTH - MARGIN - 80 if not rtl else MARGIN,
            MARGIN,
            80,
        )
    c.showPage()
    c.save()
    return buffer.getvalue()
