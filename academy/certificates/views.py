"""Public verification (no account), the signed credential, and a learner's own PDF.

Verification pages are not language-prefixed: short, stable addresses for QR codes.
The language comes from the browser or ?lang=, and the switcher sets it."""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import credentials, selectors
from .models import STATUS_LIST_SIZE, Certificate
from .ratelimit import lookup_limited

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _language(request) -> str | None:
    chosen = request.GET.get("lang")
    if chosen in LANGUAGE_CODES:
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        return chosen
    return None


def _remember(response, chosen):
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            samesite="Lax",
            max_age=365 * 24 * 3600,
        )
    return response


@require_http_methods(["GET", "POST"])
def verify_index(request):
    chosen = _language(request)
    if request.method == "POST":
        return _remember(_lookup_form(request), chosen)
    return _remember(render(request, "certificates/verify_index.html"), chosen)


@lookup_limited
def _lookup_form(request):
    lookup = selectors.certificate_lookup(typed=request.POST.get("code", ""))
    if lookup.outcome == "found":
        return redirect("verify_detail", code=lookup.code)
    return _not_verified(request, lookup)


def _not_verified(request, lookup):
    status = 404 if lookup.outcome == "not_found" else 400
    return render(
        request,
        "certificates/verify_index.html",
        {"lookup": lookup, "typed": lookup.code},
        status=status,
    )


@require_GET
@lookup_limited
def verify_detail(request, code):
    chosen = _language(request)
    lookup = selectors.certificate_lookup(typed=code)
    if lookup.outcome != "found":
        return _remember(_not_verified(request, lookup), chosen)
    if lookup.code != code:  # a forgiving spelling: send to the canonical address
        return redirect("verify_detail", code=lookup.code)
    certificate = lookup.certificate
    return _remember(
        render(
            request,
            "certificates/verify_detail.html",
            {
                "certificate": certificate,
                "status": certificate.status,
                "verify_url": credentials.public_url(f"/verify/{certificate.code}/"),
            },
        ),
        chosen,
    )


def _upload(request, *, error_key, missing, max_bytes, too_large):
    """The uploaded file, or the page that says plainly why it was refused."""
    upload = request.FILES.get("file")
    if upload is None:
        message, status = missing, 400
    elif upload.size > max_bytes:
        message, status = too_large, 413
    else:
        return upload, None
    return None, render(
        request, "certificates/verify_index.html", {error_key: message}, status=status
    )


@require_http_methods(["POST"])
@lookup_limited
def verify_pdf(request):
    """Was this file issued by us? Compared by SHA-256 with the PDFs we stored."""
    _language(request)
    upload, refusal = _upload(
        request,
        error_key="pdf_error",
        missing=_("Choose a PDF file to check."),
        max_bytes=settings.ACADEMY_VERIFY_UPLOAD_MAX_BYTES,
        too_large=_(
            "That file is larger than 5 MB; our certificates "
            "are far smaller, so it is not one of them."
        ),
    )
    if refusal is not None:
        return refusal
    certificate = selectors.certificate_by_pdf(data=upload.read())
    if certificate is None:
        return render(
            request, "certificates/verify_index.html", {"pdf_unknown": True}, status=404
        )
    return redirect("verify_detail", code=certificate.code)


@require_http_methods(["POST"])
@lookup_limited
def verify_bulk(request):
    """A CSV of codes in, a CSV of statuses out (for HR departments and courts)."""
    _language(request)
    upload, refusal = _upload(
        request,
        error_key="bulk_error",
        missing=_("Choose a CSV file of codes."),
        max_bytes=100_000,
        too_large=_("That file is too large for 500 codes."),
    )
    if refusal is not None:
        return refusal
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return render(
            request,
            "certificates/verify_index.html",
            {"bulk_error": _("Save the file as UTF-8 text (CSV) and try again.")},
            status=400,
        )
    typed = [
        row[0].strip()
        for row in csv.reader(io.StringIO(text))
        if row and row[0].strip()
    ]
    if typed and typed[0].casefold() in ("code", "codes", "certificate code"):
        typed = typed[1:]
    if not typed:
        return render(
            request,
            "certificates/verify_index.html",
            {"bulk_error": _("The file has no codes in its first column.")},
            status=400,
        )
    if len(typed) > settings.ACADEMY_VERIFY_BULK_MAX_CODES:
        return render(
            request,
            "certificates/verify_index.html",
            {
                "bulk_error": _("At most 500 codes a file; this one has %(n)s.")
                % {"n": len(typed)}
            },
            status=400,
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "code",
            "status",
            "holder",
            "course",
            "version",
            "issued",
            "expires",
            "revoked_on",
        ]
    )
    for entry in typed:
        lookup = selectors.certificate_lookup(typed=entry)
        c = lookup.certificate
        if c is None:
            writer.writerow([_safe(entry), lookup.outcome, "", "", "", "", "", ""])
            continue
        writer.writerow(
            [
                c.code,
                c.status,
                _safe(c.holder_name),
                _safe(c.course_title),
                _safe(c.course_version),
                c.issued_at.date().isoformat(),
                c.expires_at.date().isoformat(),
                c.revoked_at.date().isoformat() if c.revoked_at else "",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="certificate-statuses.csv"'
    return response


def _safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _found_or_404(code) -> Certificate:
    lookup = selectors.certificate_lookup(typed=code)
    if lookup.outcome != "found" or lookup.code != code:
        raise Http404(_("No certificate has that code."))
    return lookup.certificate


@require_GET
@lookup_limited
def credential_json(request, code):
    certificate = _found_or_404(code)
    return JsonResponse(
        credentials.credential_json(certificate),
        content_type="application/vc+ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_GET
@lookup_limited
def credential_jwt(request, code):
    certificate = _found_or_404(code)
    token = credentials.jws_compact(credentials.credential_json(certificate))
    return HttpResponse(token, content_type="application/vc+jwt")


@require_GET
def status_list(request, number: int):
    total = (
        Certificate.objects.order_by("-status_index")
        .values_list("status_index", flat=True)
        .first()
    )
    if number < 0 or number > max(0, (total or 0) // STATUS_LIST_SIZE):
        raise Http404(_("There is no such status list."))
    token = credentials.jws_compact(credentials.status_list_credential(number))
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def did_document(request):
    return JsonResponse(
        credentials.did_document(),
        content_type="application/did+json",
        json_dumps_params={"indent": 2},
    )


@login_required
def certificate_pdf(request, code):
    """A learner downloads their own certificate; nobody else's."""
    certificate = selectors.certificate_for_user(user=request.user, code=code)
    if certificate is None or not certificate.pdf:
        raise Http404(_("No certificate of yours has that code."))
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
    )


def credential_as_text(certificate) -> str:  # used by tests and the admin inspect view
    return json.dumps(credentials.credential_json(certificate), ensure_ascii=False)
